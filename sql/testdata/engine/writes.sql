# Writes beyond dml.sql's basics: UPDATE reads the old row for every SET (swaps), INSERT ..
# SELECT from the target itself, ordered and limited sources, writes through secondary
# indexes, RETURNING with expressions, statement atomicity on a failure mid-way, and the
# tags' counts.
CREATE TABLE acct (id INT PRIMARY KEY, owner TEXT NOT NULL, balance INT NOT NULL DEFAULT 0, limit_ INT)
----
CREATE TABLE

INSERT INTO acct VALUES (1, 'ann', 100, 50), (2, 'bob', 20, NULL), (3, 'cid', 0, 10), (4, 'dee', -5, 0)
----
INSERT 4

# SET expressions all see the row as it was: a swap works, and a column used after its own
# assignment still reads the old value.
UPDATE acct SET balance = limit_, limit_ = balance WHERE id = 1
----
UPDATE 1

SELECT id, balance, limit_ FROM acct WHERE id = 1
----
id | balance | limit_
1 | 50 | 100
SELECT 1

UPDATE acct SET balance = balance + 1, limit_ = balance WHERE id = 3
----
UPDATE 1

SELECT id, balance, limit_ FROM acct WHERE id = 3
----
id | balance | limit_
3 | 1 | 0
SELECT 1

UPDATE acct SET balance = balance * 2 - 1
----
UPDATE 4

SELECT id, balance FROM acct ORDER BY id
----
id | balance
1 | 99
2 | 39
3 | 1
4 | -11
SELECT 4

UPDATE acct SET owner = upper(owner) || '-' || CAST(id AS TEXT) WHERE balance > 0
----
UPDATE 3

SELECT id, owner FROM acct ORDER BY id
----
id | owner
1 | ANN-1
2 | BOB-2
3 | CID-3
4 | dee
SELECT 4

UPDATE acct SET limit_ = CASE WHEN limit_ IS NULL THEN 0 ELSE limit_ + 1 END
----
UPDATE 4

SELECT id, limit_ FROM acct ORDER BY id
----
id | limit_
1 | 101
2 | 0
3 | 1
4 | 1
SELECT 4

UPDATE acct SET balance = NULL WHERE id = 2
----
error 23502: null value in column "balance" of relation "acct" violates not-null constraint

SELECT balance FROM acct WHERE id = 2
----
balance
39
SELECT 1

UPDATE acct SET balance = 9223372036854775807 WHERE id = 2
----
UPDATE 1

UPDATE acct SET balance = balance + 1 WHERE id >= 2
----
error 22003: integer out of range

SELECT id, balance FROM acct ORDER BY id
----
id | balance
1 | 99
2 | 9223372036854775807
3 | 1
4 | -11
SELECT 4

UPDATE acct SET balance = 0 WHERE id = 2
----
UPDATE 1

UPDATE acct SET balance = 10 / (id - 3) WHERE id >= 2
----
error 22012: division by zero

SELECT id, balance FROM acct ORDER BY id
----
id | balance
1 | 99
2 | 0
3 | 1
4 | -11
SELECT 4

UPDATE acct AS a SET balance = a.balance + 1 WHERE a.id = 4
----
UPDATE 1

UPDATE acct a SET balance = 0 WHERE acct.id = 4
----
error 42P01: missing FROM-clause entry for table "acct"

SELECT balance FROM acct WHERE id = 4
----
balance
-10
SELECT 1

UPDATE acct SET balance = 1 WHERE nosuch > 0
----
error 42703: column "nosuch" does not exist

UPDATE acct SET balance = 1 WHERE balance
----
error 42804: argument of WHERE must be type BOOLEAN, not type INTEGER

# Primary key updates: a row may move to a free key; a clash fails the whole statement.
UPDATE acct SET id = id + 10 WHERE id = 4
----
UPDATE 1

SELECT id, owner FROM acct ORDER BY id
----
id | owner
1 | ANN-1
2 | BOB-2
3 | CID-3
14 | dee
SELECT 4

UPDATE acct SET id = 1 WHERE id = 2
----
error 23505: duplicate key value violates unique constraint "acct_pkey": key (id)=(1) already exists

UPDATE acct SET id = id + 1 WHERE id <= 3
----
error 23505: duplicate key value violates unique constraint "acct_pkey": key (id)=(2) already exists

UPDATE acct SET id = id + 100
----
UPDATE 4

SELECT id FROM acct ORDER BY id
----
id
101
102
103
114
SELECT 4

UPDATE acct SET id = id - 100
----
UPDATE 4

SELECT id FROM acct ORDER BY id
----
id
1
2
3
14
SELECT 4

# INSERT .. SELECT: from another table, from the target itself (the source is read first), with
# ORDER BY and LIMIT, with expressions and an explicit column list.
CREATE TABLE hist (id INT PRIMARY KEY, owner TEXT, amount INT)
----
CREATE TABLE

INSERT INTO hist SELECT id, owner, balance FROM acct WHERE balance IS NOT NULL
----
INSERT 4

SELECT * FROM hist ORDER BY id
----
id | owner | amount
1 | ANN-1 | 99
2 | BOB-2 | 0
3 | CID-3 | 1
14 | dee | -10
SELECT 4

INSERT INTO hist SELECT id + 100, owner || '*', amount * 10 FROM hist
----
INSERT 4

SELECT count(*), sum(amount) FROM hist
----
count | sum
8 | 990
SELECT 1

INSERT INTO hist (id, amount) SELECT id + 1000, amount FROM hist ORDER BY amount DESC LIMIT 2
----
INSERT 2

SELECT id, owner, amount FROM hist WHERE id > 1000 ORDER BY id
----
id | owner | amount
1001 | NULL | 99
1101 | NULL | 990
SELECT 2

INSERT INTO hist (amount, id) SELECT max(amount), max(id) + 1 FROM hist
----
INSERT 1

SELECT id, amount FROM hist ORDER BY id DESC LIMIT 1
----
id | amount
1102 | 990
SELECT 1

INSERT INTO hist SELECT id, owner, amount FROM hist WHERE id = 1
----
error 23505: duplicate key value violates unique constraint "hist_pkey": key (id)=(1) already exists

SELECT count(*) FROM hist
----
count
11
SELECT 1

INSERT INTO hist SELECT 5000, 'x', 1 UNION ALL SELECT 5001, 'y', 2
----
INSERT 2

INSERT INTO hist SELECT 6000, 'x', 1 WHERE false
----
INSERT 0

INSERT INTO hist VALUES (7000, 'v', 1), (7001, 'w', NULL)
----
INSERT 2

SELECT id, owner, amount FROM hist WHERE id >= 5000 ORDER BY id
----
id | owner | amount
5000 | x | 1
5001 | y | 2
7000 | v | 1
7001 | w | NULL
SELECT 4

INSERT INTO hist SELECT 8000, 8000, 8000
----
error 42804: column "owner" is of type STRING but expression is of type INTEGER

INSERT INTO hist (id, owner) SELECT 8000, owner, balance FROM acct
----
error 42601: INSERT has more expressions than target columns

INSERT INTO hist (id, owner, amount) SELECT 8000, owner FROM acct
----
error 42601: INSERT has more target columns than expressions

# One failing row undoes the whole statement, earlier rows of it included.
INSERT INTO hist VALUES (9000, 'ok', 1), (9001, 'ok', 2), (1, 'dup', 3)
----
error 23505: duplicate key value violates unique constraint "hist_pkey": key (id)=(1) already exists

SELECT count(*) FROM hist WHERE id >= 9000
----
count
0
SELECT 1

INSERT INTO hist SELECT id + 9000, owner, 10 / (id - 2) FROM acct
----
error 22012: division by zero

SELECT count(*) FROM hist WHERE id >= 9000
----
count
0
SELECT 1

UPDATE hist SET amount = amount / (id - 5000) WHERE id >= 5000
----
error 22012: division by zero

SELECT id, amount FROM hist WHERE id >= 5000 ORDER BY id
----
id | amount
5000 | 1
5001 | 2
7000 | 1
7001 | NULL
SELECT 4

DELETE FROM hist WHERE 1 / (id - 5000) > 0
----
error 22012: division by zero

SELECT count(*) FROM hist WHERE id >= 5000
----
count
4
SELECT 1

# DELETE: with compound and NULL-valued predicates (unknown deletes nothing).
DELETE FROM hist WHERE amount = NULL
----
DELETE 0

DELETE FROM hist WHERE amount IS NULL
----
DELETE 1

SELECT count(*) FROM hist WHERE amount IS NULL
----
count
0
SELECT 1

DELETE FROM hist WHERE id > 100 AND (amount < 0 OR owner LIKE '%*')
----
DELETE 4

SELECT id, owner, amount FROM hist ORDER BY id
----
id | owner | amount
1 | ANN-1 | 99
2 | BOB-2 | 0
3 | CID-3 | 1
14 | dee | -10
1001 | NULL | 99
1101 | NULL | 990
1102 | NULL | 990
5000 | x | 1
5001 | y | 2
7000 | v | 1
SELECT 10

DELETE FROM hist WHERE id IN (SELECT id FROM acct WHERE balance > 10)
----
DELETE 1

SELECT id FROM hist ORDER BY id
----
id
2
3
14
1001
1101
1102
5000
5001
7000
SELECT 9

DELETE FROM hist WHERE id = 424242
----
DELETE 0

DELETE FROM hist
----
DELETE 9

SELECT count(*) FROM hist
----
count
0
SELECT 1

DELETE FROM hist
----
DELETE 0

# Writes through secondary indexes: lookups by the index agree with the rows after each write.
CREATE TABLE stock (sku INT PRIMARY KEY, site TEXT, qty INT)
----
CREATE TABLE

CREATE INDEX stock_site ON stock (site)
----
CREATE INDEX

CREATE UNIQUE INDEX stock_qty ON stock (qty)
----
CREATE INDEX

INSERT INTO stock VALUES (1, 'oslo', 5), (2, 'oslo', 6), (3, 'rome', 7), (4, NULL, NULL), (5, NULL, NULL)
----
INSERT 5

SELECT sku FROM stock WHERE site = 'oslo' ORDER BY sku
----
sku
1
2
SELECT 2

UPDATE stock SET site = 'rome' WHERE sku = 1
----
UPDATE 1

SELECT sku FROM stock WHERE site = 'oslo' ORDER BY sku
----
sku
2
SELECT 1

SELECT sku FROM stock WHERE site = 'rome' ORDER BY sku
----
sku
1
3
SELECT 2

UPDATE stock SET qty = qty + 1
----
error 23505: duplicate key value violates unique constraint "stock_qty": key (qty)=(6) already exists

UPDATE stock SET qty = qty + 10
----
UPDATE 5

SELECT sku, qty FROM stock ORDER BY sku
----
sku | qty
1 | 15
2 | 16
3 | 17
4 | NULL
5 | NULL
SELECT 5

SELECT sku FROM stock WHERE qty = 16
----
sku
2
SELECT 1

UPDATE stock SET qty = 16 WHERE sku = 3
----
error 23505: duplicate key value violates unique constraint "stock_qty": key (qty)=(16) already exists

UPDATE stock SET qty = 99 WHERE sku = 4
----
UPDATE 1

UPDATE stock SET qty = 99 WHERE sku = 5
----
error 23505: duplicate key value violates unique constraint "stock_qty": key (qty)=(99) already exists

SELECT sku FROM stock WHERE qty = 99
----
sku
4
SELECT 1

DELETE FROM stock WHERE site = 'rome'
----
DELETE 2

SELECT sku, site FROM stock ORDER BY sku
----
sku | site
2 | oslo
4 | NULL
5 | NULL
SELECT 3

SELECT sku FROM stock WHERE site = 'rome'
----
sku
SELECT 0

INSERT INTO stock VALUES (6, 'rome', 15)
----
INSERT 1

SELECT sku FROM stock WHERE site = 'rome' AND qty = 15
----
sku
6
SELECT 1

# RETURNING: the written rows, after the write, with expressions over them.
INSERT INTO stock VALUES (7, 'lima', 1), (8, 'lima', 2) RETURNING sku, upper(site) AS site, qty * 100 AS centi
----
sku | site | centi
7 | LIMA | 100
8 | LIMA | 200
INSERT 2

UPDATE stock SET qty = qty + 1000 WHERE site = 'lima' RETURNING sku, qty, qty - 1000 AS was
----
sku | qty | was
7 | 1001 | 1
8 | 1002 | 2
UPDATE 2

DELETE FROM stock WHERE site = 'lima' RETURNING sku, site || '!' AS gone
----
sku | gone
7 | lima!
8 | lima!
DELETE 2

DELETE FROM stock WHERE sku = 424242 RETURNING *
----
sku | site | qty
DELETE 0

INSERT INTO stock (sku) VALUES (9) RETURNING *
----
sku | site | qty
9 | NULL | NULL
INSERT 1

UPDATE stock SET site = 'x' WHERE sku = 9 RETURNING site, nosuch
----
error 42703: column "nosuch" does not exist

SELECT site FROM stock WHERE sku = 9
----
site
NULL
SELECT 1

UPDATE stock SET qty = 16 WHERE sku = 9 RETURNING sku
----
error 23505: duplicate key value violates unique constraint "stock_qty": key (qty)=(16) already exists

SELECT qty FROM stock WHERE sku = 9
----
qty
NULL
SELECT 1

# Writes inside a transaction see their own earlier writes.
BEGIN
----
BEGIN

INSERT INTO stock VALUES (20, 'tx', 20)
----
INSERT 1

UPDATE stock SET qty = qty + 1 WHERE sku = 20
----
UPDATE 1

INSERT INTO stock SELECT sku + 1, site, qty + 1 FROM stock WHERE sku = 20
----
INSERT 1

SELECT sku, qty FROM stock WHERE site = 'tx' ORDER BY sku
----
sku | qty
20 | 21
21 | 22
SELECT 2

DELETE FROM stock WHERE sku = 20
----
DELETE 1

SELECT sku, qty FROM stock WHERE site = 'tx' ORDER BY sku
----
sku | qty
21 | 22
SELECT 1

COMMIT
----
COMMIT

SELECT sku, qty FROM stock WHERE site = 'tx' ORDER BY sku
----
sku | qty
21 | 22
SELECT 1

# Values are checked against the column types on the way in.
CREATE TABLE typed (id INT PRIMARY KEY, i INT, f FLOAT, s VARCHAR(3), b BOOLEAN, t TIMESTAMP)
----
CREATE TABLE

INSERT INTO typed VALUES (1, 1, 1, 'abc', true, '2024-01-01 00:00:00')
----
INSERT 1

INSERT INTO typed VALUES (2, 1.5, 1, 'a', true, NULL)
----
error 42804: column "i" is of type INTEGER but expression is of type FLOAT

INSERT INTO typed VALUES (3, 1, 'x', 'a', true, NULL)
----
error 42804: column "f" is of type FLOAT but expression is of type STRING

INSERT INTO typed VALUES (4, 1, 1, 'abcd', true, NULL)
----
error 22001: value too long for type STRING(3)

INSERT INTO typed VALUES (5, 1, 1, 'a', 1, NULL)
----
error 42804: column "b" is of type BOOLEAN but expression is of type INTEGER

INSERT INTO typed VALUES (6, 1, 1, 'a', 'true', NULL)
----
error 42804: column "b" is of type BOOLEAN but expression is of type STRING

INSERT INTO typed VALUES (7, 1, 1, 'a', NULL, 'not a time')
----
error 22P02: invalid input syntax for type TIMESTAMP: "not a time"

INSERT INTO typed VALUES (8, '12', 2.5, 'xy', false, NULL)
----
error 42804: column "i" is of type INTEGER but expression is of type STRING

INSERT INTO typed VALUES (8, 12, 2.5, 'xy', false, '2024-02-29 23:59:59'), (9, NULL, NULL, NULL, NULL, NULL)
----
INSERT 2

SELECT * FROM typed ORDER BY id
----
id | i | f | s | b | t
1 | 1 | 1.0 | abc | true | 2024-01-01 00:00:00
8 | 12 | 2.5 | xy | false | 2024-02-29 23:59:59
9 | NULL | NULL | NULL | NULL | NULL
SELECT 3

UPDATE typed SET s = s || 'z' WHERE id = 8
----
UPDATE 1

UPDATE typed SET s = s || s || s WHERE id = 8
----
error 22001: value too long for type STRING(3)

SELECT s FROM typed WHERE id = 8
----
s
xyz
SELECT 1

UPDATE typed SET i = f WHERE id = 8
----
error 42804: column "i" is of type INTEGER but expression is of type FLOAT

UPDATE typed SET f = i WHERE id = 8
----
UPDATE 1

SELECT i, f FROM typed WHERE id = 8
----
i | f
12 | 12.0
SELECT 1

UPDATE typed SET t = '2024-03-01 00:00:00' WHERE t > '2024-02-01 00:00:00'
----
UPDATE 1

SELECT id, t FROM typed ORDER BY id
----
id | t
1 | 2024-01-01 00:00:00
8 | 2024-03-01 00:00:00
9 | NULL
SELECT 3

SELECT id FROM typed WHERE b IS NULL AND s IS NULL
----
id
9
SELECT 1
