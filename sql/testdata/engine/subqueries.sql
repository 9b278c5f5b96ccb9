# Subqueries: scalar, IN, EXISTS, NOT IN with NULLs (the classic trap), correlated and
# uncorrelated, in SELECT, WHERE, HAVING, FROM and ORDER BY; the cardinality and shape errors.
CREATE TABLE p (id INT PRIMARY KEY, name TEXT, grp INT)
----
CREATE TABLE

CREATE TABLE c (id INT PRIMARY KEY, pid INT, amount INT)
----
CREATE TABLE

INSERT INTO p VALUES (1, 'a', 1), (2, 'b', 1), (3, 'c', 2), (4, 'd', NULL), (5, 'e', 3)
----
INSERT 5

INSERT INTO c VALUES (10, 1, 5), (11, 1, 7), (12, 2, 3), (13, 3, NULL), (14, NULL, 9), (15, 9, 1)
----
INSERT 6

CREATE TABLE empty (id INT PRIMARY KEY, v INT)
----
CREATE TABLE

# Scalar subqueries: one row is its value, none is NULL, more than one is an error.
SELECT (SELECT max(amount) FROM c)
----
max
9
SELECT 1

SELECT (SELECT amount FROM c WHERE id = 12)
----
amount
3
SELECT 1

SELECT (SELECT amount FROM c WHERE id = 99)
----
amount
NULL
SELECT 1

SELECT (SELECT amount FROM c)
----
error 21000: more than one row returned by a subquery used as an expression

SELECT (SELECT v FROM empty)
----
v
NULL
SELECT 1

# A scalar subquery is named after its output column, as PostgreSQL names it: an alias inside,
# the leftmost operand of a set operation, column1 of VALUES, ?column? for an expression.
SELECT (SELECT 1 + 1), (SELECT max(amount) AS top FROM c), (SELECT amount FROM c WHERE id = 12 UNION SELECT 5 WHERE false), (VALUES (7)), (SELECT max(amount) FROM c) AS outer_alias
----
?column? | top | amount | column1 | outer_alias
2 | 9 | 3 | 7 | 9
SELECT 1

SELECT (SELECT id, amount FROM c WHERE id = 10)
----
error 42601: subquery must return only one column

SELECT name, (SELECT sum(amount) FROM c WHERE c.pid = p.id) AS total FROM p ORDER BY id
----
name | total
a | 12
b | 3
c | NULL
d | NULL
e | NULL
SELECT 5

SELECT name, (SELECT count(*) FROM c WHERE c.pid = p.id) AS n FROM p ORDER BY id
----
name | n
a | 2
b | 1
c | 1
d | 0
e | 0
SELECT 5

SELECT name, (SELECT amount FROM c WHERE c.pid = p.id) FROM p ORDER BY id
----
error 21000: more than one row returned by a subquery used as an expression

SELECT name, (SELECT amount FROM c WHERE c.pid = p.id) FROM p WHERE id >= 2 ORDER BY id
----
name | amount
b | 3
c | NULL
d | NULL
e | NULL
SELECT 4

SELECT name FROM p WHERE id = (SELECT pid FROM c WHERE amount = 3)
----
name
b
SELECT 1

SELECT name FROM p WHERE id = (SELECT pid FROM c WHERE amount > 100)
----
name
SELECT 0

SELECT name FROM p WHERE id > (SELECT min(pid) FROM c) ORDER BY id
----
name
b
c
d
e
SELECT 4

SELECT name FROM p WHERE (SELECT count(*) FROM c WHERE c.pid = p.id) >= 2
----
name
a
SELECT 1

SELECT name FROM p WHERE (SELECT count(*) FROM c WHERE c.pid = p.id) = 0 ORDER BY id
----
name
d
e
SELECT 2

SELECT (SELECT 1) + (SELECT 2), (SELECT NULL) IS NULL
----
?column? | ?column?
3 | true
SELECT 1

SELECT (SELECT (SELECT 42))
----
?column?
42
SELECT 1

SELECT id FROM p ORDER BY (SELECT count(*) FROM c WHERE c.pid = p.id) DESC, id
----
id
1
2
3
4
5
SELECT 5

SELECT (SELECT name FROM p WHERE id = 1) || '!'
----
?column?
a!
SELECT 1

SELECT 1 + (SELECT 'x')
----
error 42804: operator does not exist: INTEGER + STRING

# IN and NOT IN with a subquery.
SELECT name FROM p WHERE id IN (SELECT pid FROM c) ORDER BY id
----
name
a
b
c
SELECT 3

SELECT name FROM p WHERE id NOT IN (SELECT pid FROM c) ORDER BY id
----
name
SELECT 0

SELECT name FROM p WHERE id NOT IN (SELECT pid FROM c WHERE pid IS NOT NULL) ORDER BY id
----
name
d
e
SELECT 2

SELECT name FROM p WHERE id IN (SELECT pid FROM c WHERE amount > 4) ORDER BY id
----
name
a
SELECT 1

SELECT name FROM p WHERE id IN (SELECT v FROM empty) ORDER BY id
----
name
SELECT 0

SELECT name FROM p WHERE id NOT IN (SELECT v FROM empty) ORDER BY id
----
name
a
b
c
d
e
SELECT 5

SELECT id, id IN (SELECT pid FROM c), id NOT IN (SELECT pid FROM c) FROM p ORDER BY id
----
id | ?column? | ?column?
1 | true | false
2 | true | false
3 | true | false
4 | NULL | NULL
5 | NULL | NULL
SELECT 5

SELECT NULL IN (SELECT v FROM empty), NULL NOT IN (SELECT v FROM empty)
----
?column? | ?column?
false | true
SELECT 1

SELECT NULL IN (SELECT pid FROM c), 1 IN (SELECT pid FROM c)
----
?column? | ?column?
NULL | true
SELECT 1

SELECT name FROM p WHERE grp IN (SELECT grp FROM p WHERE name IN ('a', 'c')) ORDER BY id
----
name
a
b
c
SELECT 3

SELECT name FROM p WHERE id IN (SELECT id, pid FROM c)
----
error 42601: subquery must return only one column

SELECT name FROM p WHERE name IN (SELECT id FROM c)
----
error 42804: operator does not exist: STRING IN INTEGER

SELECT name FROM p WHERE id IN (SELECT pid FROM c WHERE c.amount > p.id) ORDER BY id
----
name
a
b
SELECT 2

SELECT name FROM p WHERE id NOT IN (SELECT pid FROM c WHERE c.pid = p.id) ORDER BY id
----
name
d
e
SELECT 2

SELECT name FROM p WHERE id IN (SELECT pid FROM c UNION SELECT 5) ORDER BY id
----
name
a
b
c
e
SELECT 4

SELECT name FROM p WHERE id IN (SELECT pid FROM c WHERE pid IN (SELECT id FROM p WHERE grp = 1)) ORDER BY id
----
name
a
b
SELECT 2

# EXISTS and NOT EXISTS: NULLs in the subquery's rows do not matter, only whether rows exist.
SELECT name FROM p WHERE EXISTS (SELECT 1 FROM c WHERE c.pid = p.id) ORDER BY id
----
name
a
b
c
SELECT 3

SELECT name FROM p WHERE NOT EXISTS (SELECT 1 FROM c WHERE c.pid = p.id) ORDER BY id
----
name
d
e
SELECT 2

SELECT name FROM p WHERE EXISTS (SELECT NULL FROM c WHERE c.pid = p.id) ORDER BY id
----
name
a
b
c
SELECT 3

SELECT name FROM p WHERE EXISTS (SELECT 1 FROM c WHERE c.pid = p.id AND c.amount IS NULL)
----
name
c
SELECT 1

SELECT EXISTS (SELECT 1 FROM empty), NOT EXISTS (SELECT 1 FROM empty), EXISTS (SELECT 1 FROM c)
----
exists | exists | exists
false | true | true
SELECT 1

SELECT name FROM p WHERE EXISTS (SELECT 1 FROM empty) ORDER BY id
----
name
SELECT 0

SELECT name FROM p WHERE EXISTS (SELECT 1 FROM c) AND id < 3 ORDER BY id
----
name
a
b
SELECT 2

SELECT id, EXISTS (SELECT 1 FROM c WHERE c.pid = p.id AND c.amount > 4) AS big FROM p ORDER BY id
----
id | big
1 | true
2 | false
3 | false
4 | false
5 | false
SELECT 5

SELECT name FROM p WHERE EXISTS (SELECT * FROM c WHERE c.pid = p.id) OR grp IS NULL ORDER BY id
----
name
a
b
c
d
SELECT 4

SELECT name FROM p WHERE EXISTS (SELECT 1 FROM c WHERE c.pid = p.id AND EXISTS (SELECT 1 FROM c c2 WHERE c2.pid = c.pid AND c2.id <> c.id)) ORDER BY id
----
name
a
SELECT 1

SELECT name FROM p WHERE EXISTS (SELECT count(*) FROM c WHERE c.pid = 99)
----
name
a
b
c
d
e
SELECT 5

# Correlation: the inner block sees the outer one; the nearest name wins.
SELECT name FROM p WHERE grp = (SELECT min(grp) FROM p p2 WHERE p2.grp > p.grp - 1 AND p2.id <> p.id) ORDER BY id
----
name
a
b
SELECT 2

SELECT name, (SELECT max(p2.id) FROM p p2 WHERE p2.grp = p.grp) AS last_in_grp FROM p ORDER BY id
----
name | last_in_grp
a | 2
b | 2
c | 3
d | NULL
e | 5
SELECT 5

SELECT id FROM c WHERE amount > (SELECT avg(amount) FROM c c2 WHERE c2.pid = c.pid) ORDER BY id
----
id
11
SELECT 1

SELECT id FROM c WHERE amount = (SELECT max(amount) FROM c c2 WHERE c2.pid = c.pid) ORDER BY id
----
id
11
12
15
SELECT 3

SELECT name FROM p WHERE (SELECT id FROM c WHERE pid = p.id ORDER BY id LIMIT 1) = 10
----
name
a
SELECT 1

SELECT id FROM p WHERE (SELECT id FROM p WHERE id = 2) = id
----
id
2
SELECT 1

SELECT name FROM p WHERE id IN (SELECT pid FROM c WHERE c.id > 100 OR p.grp = 2)
----
name
c
SELECT 1

SELECT id, (SELECT count(*) FROM c WHERE c.pid = p.id AND c.amount > (SELECT min(amount) FROM c WHERE pid = p.id)) FROM p ORDER BY id
----
id | count
1 | 1
2 | 0
3 | 0
4 | 0
5 | 0
SELECT 5

SELECT id FROM p WHERE (SELECT nosuch FROM c) = 1
----
error 42703: column "nosuch" does not exist

SELECT id FROM p WHERE (SELECT c.nosuch FROM c) = 1
----
error 42703: column "c.nosuch" does not exist

# Subqueries in HAVING and over groups.
SELECT grp, count(*) FROM p GROUP BY grp HAVING count(*) > (SELECT count(*) FROM c WHERE amount > 6) ORDER BY grp
----
grp | count
SELECT 0

SELECT pid, sum(amount) FROM c GROUP BY pid HAVING sum(amount) >= (SELECT max(amount) FROM c WHERE pid = 2) ORDER BY pid
----
pid | sum
NULL | 9
1 | 12
2 | 3
SELECT 3

SELECT grp FROM p GROUP BY grp HAVING EXISTS (SELECT 1 FROM c WHERE c.pid IN (SELECT id FROM p p2 WHERE p2.grp = p.grp)) ORDER BY grp
----
grp
1
2
SELECT 2

SELECT grp, (SELECT count(*) FROM c) AS total FROM p GROUP BY grp ORDER BY grp
----
grp | total
NULL | 6
1 | 6
2 | 6
3 | 6
SELECT 4

SELECT pid FROM c GROUP BY pid HAVING pid IN (SELECT id FROM p WHERE grp = 1) ORDER BY pid
----
pid
1
2
SELECT 2

# Subqueries in FROM.
SELECT t.pid, t.s FROM (SELECT pid, sum(amount) AS s FROM c GROUP BY pid) AS t WHERE t.s > 5 ORDER BY t.pid
----
pid | s
NULL | 9
1 | 12
SELECT 2

SELECT max(s) FROM (SELECT pid, sum(amount) AS s FROM c GROUP BY pid) t
----
max
12
SELECT 1

SELECT count(*) FROM (SELECT * FROM p WHERE grp IS NOT NULL) q
----
count
4
SELECT 1

SELECT * FROM (SELECT id FROM p ORDER BY id DESC LIMIT 2) q ORDER BY id
----
id
4
5
SELECT 2

SELECT q.n FROM (SELECT name AS n FROM p) q WHERE q.n > 'c' ORDER BY 1
----
n
d
e
SELECT 2

SELECT * FROM (SELECT 1 AS a, 'x' AS b) s
----
a | b
1 | x
SELECT 1

SELECT * FROM (SELECT id FROM p)
----
error 42601: syntax error at line 1, column 33: a subquery in FROM must have an alias

SELECT x.id FROM (SELECT id FROM p) x JOIN (SELECT pid FROM c) y ON x.id = y.pid ORDER BY 1
----
id
1
1
2
3
SELECT 4

SELECT * FROM (SELECT * FROM (SELECT id, name FROM p WHERE id < 4) a WHERE id > 1) b ORDER BY id
----
id | name
2 | b
3 | c
SELECT 2

SELECT s.total FROM (SELECT (SELECT sum(amount) FROM c) AS total) s
----
total
25
SELECT 1

# Set operations inside subqueries.
SELECT count(*) FROM (SELECT pid FROM c UNION SELECT id FROM p) u
----
count
7
SELECT 1

SELECT count(*) FROM (SELECT pid FROM c UNION ALL SELECT id FROM p) u
----
count
11
SELECT 1

SELECT id FROM p WHERE id IN (SELECT id FROM p EXCEPT SELECT pid FROM c) ORDER BY id
----
id
4
5
SELECT 2

SELECT id FROM p WHERE id IN (SELECT id FROM p INTERSECT SELECT pid FROM c) ORDER BY id
----
id
1
2
3
SELECT 3

# Subqueries in writes.
CREATE TABLE archive (id INT PRIMARY KEY, total INT)
----
CREATE TABLE

INSERT INTO archive SELECT id, (SELECT sum(amount) FROM c WHERE c.pid = p.id) FROM p
----
INSERT 5

SELECT * FROM archive ORDER BY id
----
id | total
1 | 12
2 | 3
3 | NULL
4 | NULL
5 | NULL
SELECT 5

UPDATE archive SET total = (SELECT count(*) FROM c WHERE c.pid = archive.id) WHERE total IS NULL
----
UPDATE 3

SELECT * FROM archive ORDER BY id
----
id | total
1 | 12
2 | 3
3 | 1
4 | 0
5 | 0
SELECT 5

DELETE FROM archive WHERE id NOT IN (SELECT pid FROM c WHERE pid IS NOT NULL)
----
DELETE 2

SELECT * FROM archive ORDER BY id
----
id | total
1 | 12
2 | 3
3 | 1
SELECT 3

DELETE FROM archive WHERE EXISTS (SELECT 1 FROM c WHERE c.pid = archive.id AND c.amount = 3)
----
DELETE 1

SELECT * FROM archive ORDER BY id
----
id | total
1 | 12
3 | 1
SELECT 2

UPDATE archive SET total = (SELECT amount FROM c)
----
error 21000: more than one row returned by a subquery used as an expression

SELECT * FROM archive ORDER BY id
----
id | total
1 | 12
3 | 1
SELECT 2
