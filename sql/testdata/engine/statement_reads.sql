# What a statement's reads see (txn.h, docs/sql.md §10): the transaction as it was when the
# statement began. Its scans, its subqueries (correlated or not) and its RETURNING items see the
# earlier statements' writes but none of its own; PostgreSQL's command id gives the same answers
# as below. Its constraint checks see every write so far, its own included (two equal keys of
# one INSERT collide), and the next statement sees everything.
CREATE TABLE t (id INT PRIMARY KEY, v INT)
----
CREATE TABLE

INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)
----
INSERT 3

UPDATE t SET v = (SELECT max(v) FROM t) + id
----
UPDATE 3

SELECT * FROM t ORDER BY id
----
id | v
1 | 31
2 | 32
3 | 33
SELECT 3

# The correlated subquery for row 3 reads row 2 as it was (32), not as this statement left it
# (31): PostgreSQL returns (2, 31), (3, 32).
UPDATE t SET v = (SELECT max(u.v) FROM t u WHERE u.id < t.id) WHERE id > 1 RETURNING id, v
----
id | v
2 | 31
3 | 32
UPDATE 2

# RETURNING's subquery counts the rows as they were before the DELETE: PostgreSQL (1, 3).
DELETE FROM t WHERE id = (SELECT min(id) FROM t) OR v IS NULL RETURNING id, (SELECT count(*) FROM t) AS n
----
id | n
1 | 3
DELETE 1

SELECT * FROM t ORDER BY id
----
id | v
2 | 31
3 | 32
SELECT 2

# INSERT ... SELECT from its own target: the source, the subquery and RETURNING all see the one
# row there was: PostgreSQL (2, 1).
CREATE TABLE s (id INT PRIMARY KEY)
----
CREATE TABLE

INSERT INTO s VALUES (1)
----
INSERT 1

INSERT INTO s SELECT (SELECT max(id) FROM s) + id FROM s RETURNING id, (SELECT count(*) FROM s) AS n
----
id | n
2 | 1
INSERT 1

SELECT count(*) FROM s
----
count
2
SELECT 1

# Inside a transaction the earlier statements are visible, the current one's writes are not,
# also where the statement changes a row an earlier statement wrote. PostgreSQL: (110, 3); then
# (1, 20), (2, 10) (without the fix: (110, 4), and (1, 20), (2, 20)).
BEGIN
----
BEGIN

INSERT INTO s VALUES (10)
----
INSERT 1

INSERT INTO s SELECT id + 100 FROM s WHERE id = 10 RETURNING id, (SELECT count(*) FROM s) AS n
----
id | n
110 | 3
INSERT 1

CREATE TABLE u (id INT PRIMARY KEY, v INT)
----
CREATE TABLE

INSERT INTO u VALUES (1, 1), (2, 2)
----
INSERT 2

UPDATE u SET v = v * 10
----
UPDATE 2

UPDATE u SET v = (SELECT sum(x.v) FROM u x WHERE x.id <> u.id) RETURNING id, v
----
id | v
1 | 20
2 | 10
UPDATE 2

COMMIT
----
COMMIT

SELECT * FROM u ORDER BY id
----
id | v
1 | 20
2 | 10
SELECT 2

SELECT * FROM s ORDER BY id
----
id
1
2
10
110
SELECT 4

# Through a secondary index: the subquery finds the entries and rows of before the UPDATE, so
# exactly one row has v = 2 each time. PostgreSQL: (1, 1), (2, 1), (3, 1).
CREATE TABLE w (id INT PRIMARY KEY, v INT)
----
CREATE TABLE

CREATE INDEX w_v ON w (v)
----
CREATE INDEX

INSERT INTO w VALUES (1, 1), (2, 2), (3, 3)
----
INSERT 3

UPDATE w SET v = v + 1 RETURNING id, (SELECT count(*) FROM w x WHERE x.v = 2) AS n
----
id | n
1 | 1
2 | 1
3 | 1
UPDATE 3

# Constraint checks see the statement's own writes: PostgreSQL fails each of these with 23505.
INSERT INTO s VALUES (5), (5)
----
error 23505: duplicate key value violates unique constraint "s_pkey": key (id)=(5) already exists

CREATE TABLE q (id INT PRIMARY KEY, e TEXT UNIQUE)
----
CREATE TABLE

INSERT INTO q VALUES (1, 'a'), (2, 'a')
----
error 23505: duplicate key value violates unique constraint "q_e_key": key (e)=(a) already exists

INSERT INTO q SELECT id + 10, 'b' FROM s
----
error 23505: duplicate key value violates unique constraint "q_e_key": key (e)=(b) already exists

SELECT count(*) FROM q
----
count
0
SELECT 1

# Foreign keys, checked against the statement's result: a parent and its child inserted by one
# INSERT ... SELECT, a child whose parent is nowhere (23503), a parent deleted with its
# children by one DELETE, and one whose child stays (23503), as in PostgreSQL.
CREATE TABLE src (id INT PRIMARY KEY, parent INT)
----
CREATE TABLE

INSERT INTO src VALUES (1, NULL), (2, 1), (3, 2)
----
INSERT 3

CREATE TABLE node (id INT PRIMARY KEY, parent INT REFERENCES node (id))
----
CREATE TABLE

INSERT INTO node SELECT id, parent FROM src
----
INSERT 3

INSERT INTO node SELECT id + 10, parent + 20 FROM src WHERE id = 3
----
error 23503: insert or update on table "node" violates foreign key constraint "node_parent_fkey": key (parent)=(22) is not present in table "node"

DELETE FROM node WHERE id >= 2
----
DELETE 2

CREATE TABLE leaf (id INT PRIMARY KEY, node_id INT REFERENCES node (id))
----
CREATE TABLE

INSERT INTO leaf SELECT id, id FROM node
----
INSERT 1

DELETE FROM node RETURNING id, (SELECT count(*) FROM leaf) AS n
----
error 23503: update or delete on table "node" violates foreign key constraint "leaf_node_id_fkey" on table "leaf": key (id)=(1) is still referenced

DELETE FROM leaf RETURNING id, (SELECT count(*) FROM leaf) AS n
----
id | n
1 | 1
DELETE 1

DELETE FROM node
----
DELETE 1
