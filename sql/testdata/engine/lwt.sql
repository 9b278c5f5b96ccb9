# Conditional writes (LWT syntax): one row whose first column is [applied]; when it is false the
# row also carries the current values of the columns the IF names.
CREATE TABLE account (id INT PRIMARY KEY, owner TEXT, balance INT, version INT)
----
CREATE TABLE

INSERT INTO account (id, owner, balance, version) VALUES (1, 'ann', 100, 1) IF NOT EXISTS
----
[applied] | id | owner | balance | version
true | NULL | NULL | NULL | NULL
INSERT 1

INSERT INTO account (id, owner, balance, version) VALUES (1, 'bob', 5, 1) IF NOT EXISTS
----
[applied] | id | owner | balance | version
false | 1 | ann | 100 | 1
INSERT 0

SELECT * FROM account
----
id | owner | balance | version
1 | ann | 100 | 1
SELECT 1

UPDATE account SET balance = 90, version = 2 WHERE id = 1 IF version = 1
----
[applied] | version
true | NULL
UPDATE 1

UPDATE account SET balance = 80, version = 2 WHERE id = 1 IF version = 1
----
[applied] | version
false | 2
UPDATE 0

UPDATE account SET balance = 80, version = 3 WHERE id = 1 IF version = 2 AND owner = 'ann'
----
[applied] | version | owner
true | NULL | NULL
UPDATE 1

UPDATE account SET balance = 70 WHERE id = 1 IF version = 3 AND owner = 'bob'
----
[applied] | version | owner
false | 3 | ann
UPDATE 0

SELECT id, owner, balance, version FROM account
----
id | owner | balance | version
1 | ann | 80 | 3
SELECT 1

UPDATE account SET balance = 1 WHERE id = 2 IF version = 1
----
[applied] | version
false | NULL
UPDATE 0

UPDATE account SET balance = 1 WHERE id = 2 IF EXISTS
----
[applied]
false
UPDATE 0

UPDATE account SET owner = 'ann2' WHERE id = 1 IF EXISTS
----
[applied]
true
UPDATE 1

DELETE FROM account WHERE id = 2 IF EXISTS
----
[applied]
false
DELETE 0

INSERT INTO account (id, owner, balance, version) VALUES (2, 'cid', 0, 1) IF NOT EXISTS
----
[applied] | id | owner | balance | version
true | NULL | NULL | NULL | NULL
INSERT 1

DELETE FROM account WHERE id = 2 IF balance = 10
----
[applied] | balance
false | 0
DELETE 0

DELETE FROM account WHERE id = 2 IF balance = 0
----
[applied] | balance
true | NULL
DELETE 1

DELETE FROM account WHERE id = 2 IF EXISTS
----
[applied]
false
DELETE 0

SELECT id, owner FROM account ORDER BY id
----
id | owner
1 | ann2
SELECT 1

# NULL in a condition: IF col = NULL is not applied (NULL = NULL is not true).
INSERT INTO account (id, owner) VALUES (3, 'dee') IF NOT EXISTS
----
[applied] | id | owner | balance | version
true | NULL | NULL | NULL | NULL
INSERT 1

UPDATE account SET balance = 5 WHERE id = 3 IF balance = NULL
----
[applied] | balance
false | NULL
UPDATE 0

SELECT id, balance FROM account WHERE id = 3
----
id | balance
3 | NULL
SELECT 1

# Inside a transaction, and errors.
BEGIN
----
BEGIN

UPDATE account SET balance = balance + 1 WHERE id = 1 IF version = 3
----
[applied] | version
true | NULL
UPDATE 1

SELECT balance FROM account WHERE id = 1
----
balance
81
SELECT 1

ROLLBACK
----
ROLLBACK

SELECT balance FROM account WHERE id = 1
----
balance
80
SELECT 1

UPDATE account SET balance = 1 WHERE id = 1 IF nosuch = 1
----
error 42703: column "nosuch" does not exist

UPDATE account SET balance = 1 WHERE id = 1 IF version = 'x'
----
error 42804: operator does not exist: INTEGER = STRING

INSERT INTO account (id, owner) VALUES (1, 'x') IF NOT EXISTS RETURNING id
----
error 0A000: RETURNING cannot be combined with an IF condition
