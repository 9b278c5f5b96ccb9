# Joins: every kind over tables with NULL keys and unmatched rows on both sides; ON against
# USING and NATURAL; aliases; self joins; three-way joins; join conditions that are not
# equalities; and the errors of ambiguous and unknown names.
CREATE TABLE l (id INT PRIMARY KEY, k INT, lv TEXT)
----
CREATE TABLE

CREATE TABLE r (id INT PRIMARY KEY, k INT, rv TEXT)
----
CREATE TABLE

INSERT INTO l VALUES (1, 1, 'l1'), (2, 2, 'l2'), (3, 2, 'l3'), (4, NULL, 'l4'), (5, 5, 'l5')
----
INSERT 5

INSERT INTO r VALUES (10, 1, 'r1'), (11, 2, 'r2'), (12, NULL, 'r3'), (13, 3, 'r4'), (14, 2, 'r5')
----
INSERT 5

# Inner: NULL keys never match, duplicates multiply.
SELECT l.lv, r.rv FROM l JOIN r ON l.k = r.k ORDER BY l.lv, r.rv
----
lv | rv
l1 | r1
l2 | r2
l2 | r5
l3 | r2
l3 | r5
SELECT 5

SELECT l.lv, r.rv FROM l INNER JOIN r ON l.k = r.k AND r.rv <> 'r5' ORDER BY 1, 2
----
lv | rv
l1 | r1
l2 | r2
l3 | r2
SELECT 3

SELECT l.lv, r.rv FROM l, r WHERE l.k = r.k ORDER BY 1, 2
----
lv | rv
l1 | r1
l2 | r2
l2 | r5
l3 | r2
l3 | r5
SELECT 5

SELECT count(*) FROM l JOIN r ON l.k = r.k
----
count
5
SELECT 1

SELECT count(*) FROM l JOIN r ON l.k IS NOT DISTINCT FROM r.k
----
count
6
SELECT 1

# Left, right, full: the unmatched side is NULL-extended.
SELECT l.lv, r.rv FROM l LEFT JOIN r ON l.k = r.k ORDER BY 1, 2
----
lv | rv
l1 | r1
l2 | r2
l2 | r5
l3 | r2
l3 | r5
l4 | NULL
l5 | NULL
SELECT 7

SELECT l.lv, r.rv FROM l LEFT OUTER JOIN r ON l.k = r.k WHERE r.rv IS NULL ORDER BY 1
----
lv | rv
l4 | NULL
l5 | NULL
SELECT 2

SELECT l.lv, r.rv FROM l RIGHT JOIN r ON l.k = r.k ORDER BY 2, 1
----
lv | rv
l1 | r1
l2 | r2
l3 | r2
NULL | r3
NULL | r4
l2 | r5
l3 | r5
SELECT 7

SELECT l.lv, r.rv FROM l RIGHT OUTER JOIN r ON l.k = r.k WHERE l.lv IS NULL ORDER BY 2
----
lv | rv
NULL | r3
NULL | r4
SELECT 2

SELECT l.lv, r.rv FROM l FULL JOIN r ON l.k = r.k ORDER BY 1 NULLS LAST, 2
----
lv | rv
l1 | r1
l2 | r2
l2 | r5
l3 | r2
l3 | r5
l4 | NULL
l5 | NULL
NULL | r3
NULL | r4
SELECT 9

SELECT l.lv, r.rv FROM l FULL OUTER JOIN r ON l.k = r.k WHERE l.id IS NULL OR r.id IS NULL ORDER BY 1, 2
----
lv | rv
NULL | r3
NULL | r4
l4 | NULL
l5 | NULL
SELECT 4

SELECT count(*), count(l.id), count(r.id) FROM l FULL JOIN r ON l.k = r.k
----
count | count | count
9 | 7 | 7
SELECT 1

# ON conditions of an outer join filter the match, not the result; WHERE filters the result.
SELECT l.lv, r.rv FROM l LEFT JOIN r ON l.k = r.k AND r.rv = 'r2' ORDER BY 1
----
lv | rv
l1 | NULL
l2 | r2
l3 | r2
l4 | NULL
l5 | NULL
SELECT 5

SELECT l.lv, r.rv FROM l LEFT JOIN r ON l.k = r.k WHERE r.rv = 'r2' ORDER BY 1
----
lv | rv
l2 | r2
l3 | r2
SELECT 2

SELECT l.lv, r.rv FROM l LEFT JOIN r ON l.k = r.k AND l.lv = 'l1' ORDER BY 1
----
lv | rv
l1 | r1
l2 | NULL
l3 | NULL
l4 | NULL
l5 | NULL
SELECT 5

SELECT l.lv, r.rv FROM l LEFT JOIN r ON false ORDER BY 1
----
lv | rv
l1 | NULL
l2 | NULL
l3 | NULL
l4 | NULL
l5 | NULL
SELECT 5

SELECT l.lv, r.rv FROM l LEFT JOIN r ON true WHERE l.id = 1 ORDER BY 2
----
lv | rv
l1 | r1
l1 | r2
l1 | r3
l1 | r4
l1 | r5
SELECT 5

SELECT l.lv, r.rv FROM l RIGHT JOIN r ON l.k = r.k AND l.id > 2 ORDER BY 2
----
lv | rv
NULL | r1
l3 | r2
NULL | r3
NULL | r4
l3 | r5
SELECT 5

SELECT l.lv, r.rv FROM l FULL JOIN r ON l.k = r.k AND l.k = 1 ORDER BY 1, 2
----
lv | rv
NULL | r2
NULL | r3
NULL | r4
NULL | r5
l1 | r1
l2 | NULL
l3 | NULL
l4 | NULL
l5 | NULL
SELECT 9

# Cross joins.
SELECT count(*) FROM l CROSS JOIN r
----
count
25
SELECT 1

SELECT count(*) FROM l, r
----
count
25
SELECT 1

SELECT l.id, r.id FROM l CROSS JOIN r WHERE l.id = 1 AND r.id < 12 ORDER BY 2
----
id | id
1 | 10
1 | 11
SELECT 2

SELECT count(*) FROM l a, l b, l c
----
count
125
SELECT 1

# USING and NATURAL merge the named columns.
SELECT k, lv, rv FROM l JOIN r USING (k) ORDER BY lv, rv
----
k | lv | rv
1 | l1 | r1
2 | l2 | r2
2 | l2 | r5
2 | l3 | r2
2 | l3 | r5
SELECT 5

SELECT * FROM l JOIN r USING (k) ORDER BY lv, rv
----
id | k | lv | id | rv
1 | 1 | l1 | 10 | r1
2 | 2 | l2 | 11 | r2
2 | 2 | l2 | 14 | r5
3 | 2 | l3 | 11 | r2
3 | 2 | l3 | 14 | r5
SELECT 5

SELECT k, lv, rv FROM l LEFT JOIN r USING (k) ORDER BY lv, rv
----
k | lv | rv
1 | l1 | r1
2 | l2 | r2
2 | l2 | r5
2 | l3 | r2
2 | l3 | r5
NULL | l4 | NULL
5 | l5 | NULL
SELECT 7

SELECT k, lv, rv FROM l FULL JOIN r USING (k) ORDER BY lv, rv
----
k | lv | rv
NULL | NULL | r3
3 | NULL | r4
1 | l1 | r1
2 | l2 | r2
2 | l2 | r5
2 | l3 | r2
2 | l3 | r5
NULL | l4 | NULL
5 | l5 | NULL
SELECT 9

SELECT l.k, r.k FROM l JOIN r USING (k) WHERE l.id = 1
----
k | k
1 | 1
SELECT 1

SELECT * FROM l JOIN r USING (nosuch)
----
error 42703: column "nosuch" specified in USING clause does not exist in left table

SELECT * FROM l JOIN r USING (lv)
----
error 42703: column "lv" specified in USING clause does not exist in right table

SELECT * FROM l NATURAL JOIN r ORDER BY id
----
id | k | lv | rv
SELECT 0

CREATE TABLE rk (k INT, note TEXT)
----
CREATE TABLE

INSERT INTO rk VALUES (1, 'one'), (2, 'two'), (NULL, 'none')
----
INSERT 3

SELECT * FROM l NATURAL JOIN rk ORDER BY id
----
id | k | lv | note
1 | 1 | l1 | one
2 | 2 | l2 | two
3 | 2 | l3 | two
SELECT 3

SELECT lv, note FROM l NATURAL LEFT JOIN rk ORDER BY lv
----
lv | note
l1 | one
l2 | two
l3 | two
l4 | NULL
l5 | NULL
SELECT 5

# Aliases: the alias hides the table name; column references must be unambiguous.
SELECT a.lv, b.rv FROM l AS a JOIN r AS b ON a.k = b.k WHERE a.id = 1
----
lv | rv
l1 | r1
SELECT 1

SELECT a.lv FROM l a WHERE a.k = 1
----
lv
l1
SELECT 1

SELECT l.lv FROM l a
----
error 42P01: missing FROM-clause entry for table "l"

SELECT id FROM l JOIN r ON l.k = r.k
----
error 42702: column reference "id" is ambiguous

SELECT k FROM l JOIN r ON l.k = r.k
----
error 42702: column reference "k" is ambiguous

SELECT lv, rv FROM l JOIN r ON l.k = r.k WHERE l.id = 1
----
lv | rv
l1 | r1
SELECT 1

SELECT * FROM l JOIN l ON true
----
error 42712: table name "l" specified more than once

SELECT * FROM l a JOIN r a ON true
----
error 42712: table name "a" specified more than once

SELECT l.* FROM l JOIN r ON l.k = r.k AND r.id = 10
----
id | k | lv
1 | 1 | l1
SELECT 1

SELECT r.*, l.id FROM l JOIN r ON l.k = r.k AND r.id = 10
----
id | k | rv | id
10 | 1 | r1 | 1
SELECT 1

SELECT l.lv, r.rv FROM l JOIN r ON l.nosuch = r.k
----
error 42703: column "l.nosuch" does not exist

SELECT * FROM l JOIN r ON l.k
----
error 42804: argument of JOIN/ON must be type BOOLEAN, not type INTEGER

SELECT * FROM l JOIN r ON 1 = 'a'
----
error 42804: operator does not exist: INTEGER = STRING

# Self joins.
CREATE TABLE staff (id INT PRIMARY KEY, name TEXT, boss INT)
----
CREATE TABLE

INSERT INTO staff VALUES (1, 'ceo', NULL), (2, 'cto', 1), (3, 'dev', 2), (4, 'dev2', 2), (5, 'cfo', 1), (6, 'orphan', 99)
----
INSERT 6

SELECT e.name, b.name AS boss FROM staff e JOIN staff b ON e.boss = b.id ORDER BY e.name
----
name | boss
cfo | ceo
cto | ceo
dev | cto
dev2 | cto
SELECT 4

SELECT e.name, b.name AS boss FROM staff e LEFT JOIN staff b ON e.boss = b.id ORDER BY e.name
----
name | boss
ceo | NULL
cfo | ceo
cto | ceo
dev | cto
dev2 | cto
orphan | NULL
SELECT 6

SELECT b.name, count(e.id) AS reports FROM staff b LEFT JOIN staff e ON e.boss = b.id GROUP BY b.name ORDER BY b.name
----
name | reports
ceo | 2
cfo | 0
cto | 2
dev | 0
dev2 | 0
orphan | 0
SELECT 6

SELECT e.name, g.name AS grandboss FROM staff e JOIN staff b ON e.boss = b.id JOIN staff g ON b.boss = g.id ORDER BY e.name
----
name | grandboss
dev | ceo
dev2 | ceo
SELECT 2

SELECT a.name, b.name FROM staff a JOIN staff b ON a.boss = b.boss AND a.id < b.id ORDER BY 1, 2
----
name | name
cto | cfo
dev | dev2
SELECT 2

# Three-way joins, mixed kinds.
CREATE TABLE tag (rid INT, tag TEXT)
----
CREATE TABLE

INSERT INTO tag VALUES (10, 'red'), (11, 'blue'), (11, 'green'), (99, 'lost')
----
INSERT 4

SELECT l.lv, r.rv, t.tag FROM l JOIN r ON l.k = r.k JOIN tag t ON t.rid = r.id ORDER BY 1, 2, 3
----
lv | rv | tag
l1 | r1 | red
l2 | r2 | blue
l2 | r2 | green
l3 | r2 | blue
l3 | r2 | green
SELECT 5

SELECT l.lv, r.rv, t.tag FROM l LEFT JOIN r ON l.k = r.k LEFT JOIN tag t ON t.rid = r.id ORDER BY 1, 2, 3
----
lv | rv | tag
l1 | r1 | red
l2 | r2 | blue
l2 | r2 | green
l2 | r5 | NULL
l3 | r2 | blue
l3 | r2 | green
l3 | r5 | NULL
l4 | NULL | NULL
l5 | NULL | NULL
SELECT 9

SELECT l.lv, r.rv, t.tag FROM l JOIN r ON l.k = r.k RIGHT JOIN tag t ON t.rid = r.id ORDER BY 3, 1
----
lv | rv | tag
l2 | r2 | blue
l3 | r2 | blue
l2 | r2 | green
l3 | r2 | green
NULL | NULL | lost
l1 | r1 | red
SELECT 6

SELECT r.rv, t.tag FROM r FULL JOIN tag t ON t.rid = r.id ORDER BY 1, 2
----
rv | tag
NULL | lost
r1 | red
r2 | blue
r2 | green
r3 | NULL
r4 | NULL
r5 | NULL
SELECT 7

SELECT l.lv, t.tag FROM l, r, tag t WHERE l.k = r.k AND r.id = t.rid AND t.tag <> 'red' ORDER BY 1, 2
----
lv | tag
l2 | blue
l2 | green
l3 | blue
l3 | green
SELECT 4

SELECT count(*) FROM l JOIN r ON l.k = r.k JOIN tag t ON t.rid = r.id AND l.id = 2
----
count
2
SELECT 1

# Non-equality join conditions.
SELECT l.id, r.id FROM l JOIN r ON l.k < r.k ORDER BY 1, 2
----
id | id
1 | 11
1 | 13
1 | 14
2 | 13
3 | 13
SELECT 5

SELECT l.id, r.id FROM l JOIN r ON l.k = r.k OR l.id = 5 ORDER BY 1, 2
----
id | id
1 | 10
2 | 11
2 | 14
3 | 11
3 | 14
5 | 10
5 | 11
5 | 12
5 | 13
5 | 14
SELECT 10

SELECT l.id, r.id FROM l LEFT JOIN r ON r.k BETWEEN l.k AND l.k + 1 ORDER BY 1, 2
----
id | id
1 | 10
1 | 11
1 | 14
2 | 11
2 | 13
2 | 14
3 | 11
3 | 13
3 | 14
4 | NULL
5 | NULL
SELECT 11

SELECT l.id, r.id FROM l JOIN r ON l.k + 1 = r.k ORDER BY 1, 2
----
id | id
1 | 11
1 | 14
2 | 13
3 | 13
SELECT 4

# Joins with derived tables and aggregates.
SELECT l.lv, c.n FROM l JOIN (SELECT k, count(*) AS n FROM r GROUP BY k) c ON c.k = l.k ORDER BY 1
----
lv | n
l1 | 1
l2 | 2
l3 | 2
SELECT 3

SELECT l.lv, c.n FROM l LEFT JOIN (SELECT k, count(*) AS n FROM r GROUP BY k) AS c ON c.k = l.k ORDER BY 1
----
lv | n
l1 | 1
l2 | 2
l3 | 2
l4 | NULL
l5 | NULL
SELECT 5

SELECT l.k, count(r.id) FROM l LEFT JOIN r ON l.k = r.k GROUP BY l.k ORDER BY l.k
----
k | count
NULL | 0
1 | 1
2 | 4
5 | 0
SELECT 4

SELECT x.lv FROM (SELECT * FROM l WHERE k = 2) x JOIN (SELECT * FROM r WHERE k = 2) y ON x.k = y.k ORDER BY 1
----
lv
l2
l2
l3
l3
SELECT 4

SELECT DISTINCT l.k FROM l JOIN r ON l.k = r.k ORDER BY 1
----
k
1
2
SELECT 2

# Empty sides.
CREATE TABLE nothing (id INT PRIMARY KEY, k INT)
----
CREATE TABLE

SELECT count(*) FROM l JOIN nothing n ON n.k = l.k
----
count
0
SELECT 1

SELECT l.id, n.id FROM l LEFT JOIN nothing n ON n.k = l.k ORDER BY 1
----
id | id
1 | NULL
2 | NULL
3 | NULL
4 | NULL
5 | NULL
SELECT 5

SELECT count(*) FROM nothing n RIGHT JOIN l ON n.k = l.k
----
count
5
SELECT 1

SELECT count(*) FROM nothing n FULL JOIN l ON n.k = l.k
----
count
5
SELECT 1

SELECT count(*) FROM nothing CROSS JOIN l
----
count
0
SELECT 1

# One FROM clause may not name a table (or an alias) twice: PostgreSQL's 42712.
SELECT * FROM l, l
----
error 42712: table name "l" specified more than once

SELECT * FROM l JOIN r AS l ON true
----
error 42712: table name "l" specified more than once

SELECT count(*) FROM l, l AS l2
----
count
25
SELECT 1
