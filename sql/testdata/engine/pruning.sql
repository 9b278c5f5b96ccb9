# Column pruning (exec/column_needs.h): a scan decodes only the columns a query reads, skipping
# the others' bytes. These statements check that the rows are those of a whole-row decode: a
# column read after skipped ones of every type, NULLs (stored as absence), rows older than an
# ADD COLUMN (absent, so they read its DEFAULT), bytes of a dropped column, the hidden row id,
# and writes (which need whole rows). sql_engine_test runs them; the same statements on main's
# binary print the same rows.
CREATE TABLE p (id INT PRIMARY KEY, a TEXT, b INT, c TEXT, d FLOAT, e BOOLEAN, f TIMESTAMP, g BLOB)
----
CREATE TABLE

INSERT INTO p VALUES (1, 'one', 10, 'x', 1.5, TRUE, TIMESTAMP '2026-01-02 03:04:05', x'0aff'), (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL), (3, 'three', 0, NULL, -2.25, FALSE, NULL, x''), (4, NULL, 40, 'w', NULL, TRUE, TIMESTAMP '2026-12-31 23:59:59', NULL)
----
INSERT 4

# One column after skipped ones, of each type.
SELECT g FROM p ORDER BY id
----
g
\x0aff
NULL
\x
NULL
SELECT 4

SELECT f FROM p ORDER BY id
----
f
2026-01-02 03:04:05
NULL
NULL
2026-12-31 23:59:59
SELECT 4

SELECT e, d FROM p ORDER BY id
----
e | d
true | 1.5
NULL | NULL
false | -2.25
true | NULL
SELECT 4

SELECT c, id FROM p WHERE b IS NULL OR b > 5 ORDER BY id
----
c | id
x | 1
NULL | 2
w | 4
SELECT 3

SELECT count(*), count(c), sum(b), sum(d) FROM p
----
count | count | sum | sum
4 | 2 | 50 | -0.75
SELECT 1

SELECT count(*) FROM p
----
count
4
SELECT 1

# A point lookup and a range on the primary key.
SELECT d FROM p WHERE id = 3
----
d
-2.25
SELECT 1

SELECT id, b FROM p WHERE id >= 2 AND id < 4
----
id | b
2 | NULL
3 | 0
SELECT 2

# Through an index: the entry's row is fetched and pruned too.
CREATE INDEX p_b ON p (b)
----
CREATE INDEX

SELECT c FROM p WHERE b = 40
----
c
w
SELECT 1

SELECT id, a FROM p WHERE b > 5 ORDER BY b
----
id | a
1 | one
4 | NULL
SELECT 2

# An item of a derived table that nothing reads: project_merge removes it from the plan (as
# before pruning), so 1 / b is never computed, not even on row 3 (b = 0).
SELECT x FROM (SELECT id AS x, 1 / b AS y FROM p) AS s
----
x
1
2
3
4
SELECT 4

SELECT x FROM (SELECT id AS x, 1 / b AS y FROM p WHERE b <> 0) AS s ORDER BY x
----
x
1
4
SELECT 2

# A correlated subquery reads columns of the outer row that the outer query does not return.
SELECT id FROM p WHERE EXISTS (SELECT 1 FROM p AS q WHERE q.id = p.id + 1 AND q.c IS NOT NULL) ORDER BY id
----
id
3
SELECT 1

SELECT id, (SELECT count(*) FROM p AS q WHERE q.b < p.b) AS below FROM p ORDER BY id
----
id | below
1 | 1
2 | 0
3 | 0
4 | 2
SELECT 4

# Joins: each side decodes its join key and what is returned.
CREATE TABLE r (id INT PRIMARY KEY, pid INT, note TEXT)
----
CREATE TABLE

INSERT INTO r VALUES (1, 1, 'r1'), (2, 4, NULL), (3, 9, 'r3')
----
INSERT 3

SELECT p.c, r.note FROM p JOIN r ON p.id = r.pid ORDER BY r.id
----
c | note
x | r1
w | NULL
SELECT 2

SELECT p.id, r.id FROM p LEFT JOIN r ON p.id = r.pid WHERE r.note IS NULL ORDER BY p.id
----
id | id
2 | NULL
3 | NULL
4 | 2
SELECT 3

SELECT a FROM p WHERE id IN (SELECT pid FROM r) ORDER BY id
----
a
one
NULL
SELECT 2

# Writes read whole rows: an UPDATE of one column keeps the others, INSERT ... SELECT copies
# what it selects.
UPDATE p SET b = 11 WHERE id = 1
----
UPDATE 1

SELECT * FROM p WHERE id = 1
----
id | a | b | c | d | e | f | g
1 | one | 11 | x | 1.5 | true | 2026-01-02 03:04:05 | \x0aff
SELECT 1

UPDATE p SET c = 'z' WHERE e
----
UPDATE 2

SELECT id, a, b, c, g FROM p ORDER BY id
----
id | a | b | c | g
1 | one | 11 | z | \x0aff
2 | NULL | NULL | NULL | NULL
3 | three | 0 | NULL | \x
4 | NULL | 40 | z | NULL
SELECT 4

CREATE TABLE p2 (id INT PRIMARY KEY, c TEXT)
----
CREATE TABLE

INSERT INTO p2 SELECT id, c FROM p WHERE d IS NOT NULL
----
INSERT 2

SELECT * FROM p2 ORDER BY id
----
id | c
1 | z
3 | NULL
SELECT 2

# ADD COLUMN: the old rows lack it and read its DEFAULT (or NULL), pruned or not.
ALTER TABLE p ADD COLUMN h INT DEFAULT 7
----
ALTER TABLE

ALTER TABLE p ADD COLUMN i TEXT
----
ALTER TABLE

INSERT INTO p (id, h, i) VALUES (5, NULL, 'new')
----
INSERT 1

SELECT id, h FROM p ORDER BY id
----
id | h
1 | 7
2 | 7
3 | 7
4 | 7
5 | NULL
SELECT 5

SELECT i FROM p ORDER BY id
----
i
NULL
NULL
NULL
NULL
new
SELECT 5

SELECT sum(h), count(h), count(i) FROM p
----
sum | count | count
28 | 4 | 1
SELECT 1

# DROP COLUMN: the old rows still hold its bytes, which every scan skips.
ALTER TABLE p DROP COLUMN c
----
ALTER TABLE

SELECT id, d FROM p ORDER BY id
----
id | d
1 | 1.5
2 | NULL
3 | -2.25
4 | NULL
5 | NULL
SELECT 5

SELECT * FROM p ORDER BY id
----
id | a | b | d | e | f | g | h | i
1 | one | 11 | 1.5 | true | 2026-01-02 03:04:05 | \x0aff | 7 | NULL
2 | NULL | NULL | NULL | NULL | NULL | NULL | 7 | NULL
3 | three | 0 | -2.25 | false | NULL | \x | 7 | NULL
4 | NULL | 40 | NULL | true | 2026-12-31 23:59:59 | NULL | 7 | NULL
5 | NULL | NULL | NULL | NULL | NULL | NULL | NULL | new
SELECT 5

# A table without a primary key: its hidden row id is one more position.
CREATE TABLE n (a INT, b TEXT)
----
CREATE TABLE

INSERT INTO n VALUES (1, 'x'), (NULL, 'y'), (3, NULL)
----
INSERT 3

SELECT b FROM n ORDER BY rowid
----
b
x
y
NULL
SELECT 3

SELECT rowid, a FROM n ORDER BY rowid
----
rowid | a
1 | 1
2 | NULL
3 | 3
SELECT 3

DELETE FROM n WHERE b IS NULL
----
DELETE 1

SELECT * FROM n ORDER BY b
----
a | b
1 | x
NULL | y
SELECT 2
