# DML end to end: INSERT (many rows, column lists, INSERT ... SELECT, DEFAULT, DEFAULT VALUES),
# UPDATE, DELETE, RETURNING, and tables without a primary key (a hidden row id).
CREATE TABLE item (id INT PRIMARY KEY, name TEXT NOT NULL, qty INT DEFAULT 1, price FLOAT, note TEXT DEFAULT 'none')
----
CREATE TABLE

INSERT INTO item VALUES (1, 'apple', 10, 0.5, 'fruit')
----
INSERT 1

INSERT INTO item VALUES (2, 'pear', 4, 0.75, NULL), (3, 'plum', 0, 1.25, 'stone'), (4, 'fig', 7, 2.0, 'dried')
----
INSERT 3

SELECT * FROM item ORDER BY id
----
id | name | qty | price | note
1 | apple | 10 | 0.5 | fruit
2 | pear | 4 | 0.75 | NULL
3 | plum | 0 | 1.25 | stone
4 | fig | 7 | 2.0 | dried
SELECT 4

# A column list: the others take their defaults (NULL where none is declared).
INSERT INTO item (id, name) VALUES (5, 'kiwi')
----
INSERT 1

INSERT INTO item (name, id, price) VALUES ('lime', 6, 0.3)
----
INSERT 1

SELECT id, name, qty, price, note FROM item WHERE id >= 5 ORDER BY id
----
id | name | qty | price | note
5 | kiwi | 1 | NULL | none
6 | lime | 1 | 0.3 | none
SELECT 2

# A VALUES row shorter than the table fills the remaining columns with their defaults.
INSERT INTO item VALUES (7, 'date')
----
INSERT 1

INSERT INTO item VALUES (8, 'lemon', 3)
----
INSERT 1

SELECT id, qty, note FROM item WHERE id >= 7 ORDER BY id
----
id | qty | note
7 | 1 | none
8 | 3 | none
SELECT 2

# Many rows in one statement, all or nothing.
INSERT INTO item (id, name, qty) VALUES (10, 'a10', 10), (11, 'a11', 11), (12, 'a12', 12), (13, 'a13', 13), (14, 'a14', 14), (15, 'a15', 15), (16, 'a16', 16), (17, 'a17', 17), (18, 'a18', 18), (19, 'a19', 19)
----
INSERT 10

SELECT count(*), sum(qty), min(id), max(id) FROM item
----
count | sum | min | max
18 | 172 | 1 | 19
SELECT 1

INSERT INTO item (id, name) VALUES (20, 'ok'), (21, NULL)
----
error 23502: null value in column "name" of relation "item" violates not-null constraint

SELECT count(*) FROM item WHERE id >= 20
----
count
0
SELECT 1

INSERT INTO item (id, name) VALUES (22, 'ok'), (1, 'dup')
----
error 23505: duplicate key value violates unique constraint "item_pkey": key (id)=(1) already exists

SELECT count(*) FROM item WHERE id = 22
----
count
0
SELECT 1

# Arity and type errors; an INTEGER goes into a FLOAT column.
INSERT INTO item VALUES (30, 'x', 1, 1.0, 'n', 'extra')
----
error 42601: INSERT has more expressions than table "item" has columns

INSERT INTO item (id, name) VALUES (30, 'x', 3)
----
error 42601: INSERT has more expressions than target columns

INSERT INTO item (id, name) VALUES (30)
----
error 42601: INSERT has more target columns than expressions

INSERT INTO item (id, nosuch) VALUES (30, 'x')
----
error 42703: column "nosuch" of relation "item" does not exist

INSERT INTO item (id, name, id) VALUES (30, 'x', 31)
----
error 42701: column "id" specified more than once

INSERT INTO item (id, name) VALUES ('thirty', 'x')
----
error 42804: column "id" is of type INTEGER but expression is of type STRING

INSERT INTO item (id, name, qty) VALUES (30, 'x', 2.5)
----
error 42804: column "qty" is of type INTEGER but expression is of type FLOAT

INSERT INTO item (id, name, price) VALUES (30, 'x', 2)
----
INSERT 1

SELECT price FROM item WHERE id = 30
----
price
2.0
SELECT 1

SELECT count(*) FROM item WHERE id > 30
----
count
0
SELECT 1

INSERT INTO nosuch VALUES (1)
----
error 42P01: relation "nosuch" does not exist

# Expressions in VALUES are evaluated per row.
INSERT INTO item (id, name, qty, price) VALUES (31, upper('abc') || 'd', 2 * 3 + 1, 10 / 4), (32, lower('XY'), abs(-5), round(2.345, 2))
----
INSERT 2

SELECT id, name, qty, price FROM item WHERE id IN (31, 32) ORDER BY id
----
id | name | qty | price
31 | ABCd | 7 | 2.0
32 | xy | 5 | 2.35
SELECT 2

# INSERT ... SELECT, with a column list and with expressions; the source is read first.
CREATE TABLE cheap (id INT PRIMARY KEY, name TEXT, total FLOAT)
----
CREATE TABLE

INSERT INTO cheap SELECT id, name, qty * price FROM item WHERE price < 1.0
----
INSERT 3

SELECT * FROM cheap ORDER BY id
----
id | name | total
1 | apple | 5.0
2 | pear | 3.0
6 | lime | 0.3
SELECT 3

INSERT INTO cheap (name, id) SELECT name, id + 100 FROM item WHERE id <= 2
----
INSERT 2

SELECT * FROM cheap WHERE id > 100 ORDER BY id
----
id | name | total
101 | apple | NULL
102 | pear | NULL
SELECT 2

INSERT INTO cheap SELECT id, name, price FROM item WHERE id = 1
----
error 23505: duplicate key value violates unique constraint "cheap_pkey": key (id)=(1) already exists

INSERT INTO cheap SELECT id, name FROM item
----
error 23505: duplicate key value violates unique constraint "cheap_pkey": key (id)=(1) already exists

INSERT INTO cheap (id, name, total) SELECT id, qty, price FROM item
----
error 42804: column "name" is of type STRING but expression is of type INTEGER

INSERT INTO cheap SELECT id + 1000, name, total FROM cheap
----
INSERT 5

SELECT count(*) FROM cheap
----
count
10
SELECT 1

SELECT count(*) FROM cheap WHERE id > 1000
----
count
5
SELECT 1

# UPDATE: WHERE, expressions over the old row, several columns at once.
UPDATE item SET qty = qty + 1 WHERE id <= 4
----
UPDATE 4

SELECT id, qty FROM item WHERE id <= 4 ORDER BY id
----
id | qty
1 | 11
2 | 5
3 | 1
4 | 8
SELECT 4

UPDATE item SET qty = qty * 2, price = price + 1 WHERE name = 'fig'
----
UPDATE 1

SELECT qty, price FROM item WHERE id = 4
----
qty | price
16 | 3.0
SELECT 1

UPDATE item SET qty = 0 WHERE id > 1000
----
UPDATE 0

UPDATE item SET note = NULL WHERE note = 'none'
----
UPDATE 17

SELECT count(*) FROM item WHERE note IS NULL
----
count
18
SELECT 1

UPDATE item SET name = NULL WHERE id = 1
----
error 23502: null value in column "name" of relation "item" violates not-null constraint

UPDATE item SET qty = 'many' WHERE id = 1
----
error 42804: column "qty" is of type INTEGER but expression is of type STRING

UPDATE item SET nosuch = 1
----
error 42703: column "nosuch" of relation "item" does not exist

UPDATE item SET qty = 1, qty = 2 WHERE id = 1
----
error 42601: multiple assignments to same column "qty"

UPDATE nosuch SET a = 1
----
error 42P01: relation "nosuch" does not exist

# Every right-hand side sees the old row: a swap.
UPDATE item SET qty = id, id = qty + 100 WHERE id = 2
----
UPDATE 1

SELECT id, qty FROM item WHERE id = 2 OR id = 105 ORDER BY id
----
id | qty
105 | 2
SELECT 1

# Updating a primary key onto an existing one fails the whole statement.
UPDATE item SET id = 3 WHERE id = 1
----
error 23505: duplicate key value violates unique constraint "item_pkey": key (id)=(3) already exists

SELECT id, name FROM item WHERE id IN (1, 3) ORDER BY id
----
id | name
1 | apple
3 | plum
SELECT 2

UPDATE item SET id = id + 200 WHERE id BETWEEN 10 AND 19
----
UPDATE 10

SELECT min(id), max(id), count(*) FROM item WHERE id > 200
----
min | max | count
210 | 219 | 10
SELECT 1

# DELETE.
DELETE FROM item WHERE id > 200 AND qty % 2 = 0
----
DELETE 5

SELECT id FROM item WHERE id > 200 ORDER BY id
----
id
211
213
215
217
219
SELECT 5

DELETE FROM item WHERE name LIKE 'a%'
----
DELETE 6

SELECT count(*) FROM item WHERE id > 200
----
count
0
SELECT 1

DELETE FROM item WHERE false
----
DELETE 0

DELETE FROM item WHERE nosuch = 1
----
error 42703: column "nosuch" does not exist

DELETE FROM nosuch
----
error 42P01: relation "nosuch" does not exist

DELETE FROM cheap
----
DELETE 10

SELECT count(*) FROM cheap
----
count
0
SELECT 1

# RETURNING: INSERT and UPDATE see the new row, DELETE the old one.
INSERT INTO item (id, name, qty) VALUES (40, 'grape', 3), (41, 'olive', 9) RETURNING id, name, qty * 2 AS double_qty, note
----
id | name | double_qty | note
40 | grape | 6 | none
41 | olive | 18 | none
INSERT 2

UPDATE item SET qty = qty + 10 WHERE id IN (40, 41) RETURNING id, qty
----
id | qty
40 | 13
41 | 19
UPDATE 2

DELETE FROM item WHERE id = 40 RETURNING *
----
id | name | qty | price | note
40 | grape | 13 | NULL | none
DELETE 1

UPDATE item SET qty = 0 WHERE id = 999 RETURNING id
----
id
UPDATE 0

INSERT INTO item (id, name) VALUES (42, 'nut') RETURNING nosuch
----
error 42703: column "nosuch" does not exist

SELECT count(*) FROM item WHERE id = 42
----
count
0
SELECT 1

INSERT INTO item (id, name) VALUES (42, 'nut') RETURNING count(*)
----
error 42803: aggregate functions are not allowed in RETURNING

SELECT id FROM item WHERE id >= 40 ORDER BY id
----
id
41
105
SELECT 2

# A table without a declared primary key: a hidden row id keeps duplicate rows apart.
CREATE TABLE log (msg TEXT, n INT)
----
CREATE TABLE

INSERT INTO log VALUES ('a', 1), ('a', 1), ('b', 2)
----
INSERT 3

SELECT msg, n FROM log ORDER BY msg, n
----
msg | n
a | 1
a | 1
b | 2
SELECT 3

SELECT count(*), count(DISTINCT msg) FROM log
----
count | count
3 | 2
SELECT 1

SELECT rowid, msg FROM log ORDER BY rowid
----
rowid | msg
1 | a
2 | a
3 | b
SELECT 3

INSERT INTO log VALUES ('c', 3) RETURNING rowid, msg
----
rowid | msg
4 | c
INSERT 1

UPDATE log SET n = n + 10 WHERE msg = 'a'
----
UPDATE 2

SELECT msg, n FROM log ORDER BY msg, n
----
msg | n
a | 11
a | 11
b | 2
c | 3
SELECT 4

DELETE FROM log WHERE rowid = 1
----
DELETE 1

SELECT rowid, msg, n FROM log ORDER BY rowid
----
rowid | msg | n
2 | a | 11
3 | b | 2
4 | c | 3
SELECT 3

DELETE FROM log WHERE msg = 'a'
----
DELETE 1

SELECT rowid, msg, n FROM log ORDER BY rowid
----
rowid | msg | n
3 | b | 2
4 | c | 3
SELECT 2

INSERT INTO log SELECT msg, n FROM log
----
INSERT 2

SELECT rowid, msg, n FROM log ORDER BY rowid
----
rowid | msg | n
3 | b | 2
4 | c | 3
5 | b | 2
6 | c | 3
SELECT 4

DESCRIBE log
----
column | type | nullable | default | key
msg | STRING | true | NULL | NULL
n | INTEGER | true | NULL | NULL
DESCRIBE

INSERT INTO log (rowid, msg) VALUES (99, 'x')
----
error 42703: column "rowid" of relation "log" does not exist

UPDATE log SET rowid = 5
----
error 42703: column "rowid" of relation "log" does not exist

# DEFAULT VALUES.
CREATE TABLE counter (a INT DEFAULT 7, b TEXT DEFAULT 'x', c INT)
----
CREATE TABLE

INSERT INTO counter DEFAULT VALUES
----
INSERT 1

INSERT INTO counter DEFAULT VALUES
----
INSERT 1

SELECT a, b, c FROM counter
----
a | b | c
7 | x | NULL
7 | x | NULL
SELECT 2

INSERT INTO item DEFAULT VALUES
----
error 23502: null value in column "id" of relation "item" violates not-null constraint

# DEFAULT as a value in INSERT's VALUES and UPDATE's SET: the column's default, else NULL.
CREATE TABLE gauge (id INT PRIMARY KEY, level INT DEFAULT 5, label TEXT DEFAULT 'idle', note TEXT)
----
CREATE TABLE

INSERT INTO gauge VALUES (1, DEFAULT, 'hot', DEFAULT), (2, 9, DEFAULT, 'x') RETURNING *
----
id | level | label | note
1 | 5 | hot | NULL
2 | 9 | idle | x
INSERT 2

INSERT INTO gauge (note, id, level) VALUES (DEFAULT, 3, DEFAULT)
----
INSERT 1

UPDATE gauge SET level = DEFAULT, label = DEFAULT, note = DEFAULT WHERE id = 2 RETURNING id, level, label, note
----
id | level | label | note
2 | 5 | idle | NULL
UPDATE 1

UPDATE gauge SET level = level + 10, note = DEFAULT WHERE id = 1
----
UPDATE 1

SELECT id, level, label, note FROM gauge ORDER BY id
----
id | level | label | note
1 | 15 | hot | NULL
2 | 5 | idle | NULL
3 | 5 | idle | NULL
SELECT 3

# A NOT NULL column without a default: DEFAULT is NULL, and the row is refused.
INSERT INTO item VALUES (60, DEFAULT)
----
error 23502: null value in column "name" of relation "item" violates not-null constraint

UPDATE gauge SET id = DEFAULT WHERE id = 3
----
error 23502: null value in column "id" of relation "gauge" violates not-null constraint

# Anywhere else DEFAULT is a syntax error (PostgreSQL: not allowed in this context).
INSERT INTO gauge VALUES (4, DEFAULT + 1)
----
error 42601: syntax error at line 1, column 38: expected ')', found '+'

INSERT INTO gauge SELECT 4, DEFAULT
----
error 42601: syntax error at line 1, column 29: expected expression, found keyword 'DEFAULT'

VALUES (DEFAULT)
----
error 42601: syntax error at line 1, column 9: expected expression, found keyword 'DEFAULT'

UPDATE gauge SET level = 1 WHERE level = DEFAULT
----
error 42601: syntax error at line 1, column 42: expected expression, found keyword 'DEFAULT'

# Writes inside a transaction are seen by that transaction, and undone by ROLLBACK.
BEGIN
----
BEGIN

INSERT INTO item (id, name) VALUES (50, 'tmp')
----
INSERT 1

UPDATE item SET qty = 99 WHERE id = 50
----
UPDATE 1

SELECT id, name, qty FROM item WHERE id = 50
----
id | name | qty
50 | tmp | 99
SELECT 1

DELETE FROM item WHERE id = 41
----
DELETE 1

SELECT count(*) FROM item WHERE id IN (41, 50)
----
count
1
SELECT 1

ROLLBACK
----
ROLLBACK

SELECT id FROM item WHERE id IN (41, 50) ORDER BY id
----
id
41
SELECT 1

BEGIN
----
BEGIN

INSERT INTO item (id, name) VALUES (51, 'kept')
----
INSERT 1

COMMIT
----
COMMIT

SELECT id, name FROM item WHERE id = 51
----
id | name
51 | kept
SELECT 1

# A failed statement inside a transaction fails the transaction.
BEGIN
----
BEGIN

INSERT INTO item (id, name) VALUES (52, 'lost')
----
INSERT 1

INSERT INTO item (id, name) VALUES (52, 'dup')
----
error 23505: duplicate key value violates unique constraint "item_pkey": key (id)=(52) already exists

SELECT 1
----
error 25P02: current transaction is aborted, commands ignored until end of transaction block

ROLLBACK
----
ROLLBACK

SELECT count(*) FROM item WHERE id = 52
----
count
0
SELECT 1

# Timestamps, blobs and booleans round-trip.
CREATE TABLE misc (id INT PRIMARY KEY, ok BOOL, at TIMESTAMP, data BLOB)
----
CREATE TABLE

INSERT INTO misc VALUES (1, true, '2026-01-02 03:04:05', NULL), (2, false, NULL, NULL), (3, NULL, NULL, NULL)
----
INSERT 3

SELECT id, ok, at FROM misc ORDER BY id
----
id | ok | at
1 | true | 2026-01-02 03:04:05
2 | false | NULL
3 | NULL | NULL
SELECT 3

UPDATE misc SET ok = NOT ok
----
UPDATE 3

SELECT id, ok FROM misc ORDER BY id
----
id | ok
1 | false
2 | true
3 | NULL
SELECT 3

SELECT id FROM misc WHERE ok
----
id
2
SELECT 1
