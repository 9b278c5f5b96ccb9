# Two sessions (a, and b by "@b"): the isolation levels' anomalies, shown as they happen.
# Serializable (the default) refuses write skew; snapshot isolation allows it.
CREATE TABLE oncall (doctor TEXT PRIMARY KEY, on_duty BOOL)
----
CREATE TABLE

INSERT INTO oncall VALUES ('alice', true), ('bob', true)
----
INSERT 2

# Dirty reads never happen: b does not see a's uncommitted write.
BEGIN
----
BEGIN

UPDATE oncall SET on_duty = false WHERE doctor = 'alice'
----
UPDATE 1

@b SELECT doctor, on_duty FROM oncall ORDER BY doctor
----
doctor | on_duty
alice | true
bob | true
SELECT 2

ROLLBACK
----
ROLLBACK

# Non-repeatable read: b's snapshot does not move when a commits.
@b BEGIN
----
BEGIN

@b SELECT on_duty FROM oncall WHERE doctor = 'bob'
----
on_duty
true
SELECT 1

UPDATE oncall SET on_duty = false WHERE doctor = 'bob'
----
UPDATE 1

@b SELECT on_duty FROM oncall WHERE doctor = 'bob'
----
on_duty
true
SELECT 1

@b COMMIT
----
COMMIT

@b SELECT on_duty FROM oncall WHERE doctor = 'bob'
----
on_duty
false
SELECT 1

UPDATE oncall SET on_duty = true WHERE doctor = 'bob'
----
UPDATE 1

# Lost update: two read-modify-writes of one row; the second to commit fails (40001).
CREATE TABLE counter (id INT PRIMARY KEY, n INT)
----
CREATE TABLE

INSERT INTO counter VALUES (1, 0)
----
INSERT 1

BEGIN
----
BEGIN

@b BEGIN
----
BEGIN

SELECT n FROM counter WHERE id = 1
----
n
0
SELECT 1

@b SELECT n FROM counter WHERE id = 1
----
n
0
SELECT 1

UPDATE counter SET n = 1 WHERE id = 1
----
UPDATE 1

@b UPDATE counter SET n = 1 WHERE id = 1
----
UPDATE 1

COMMIT
----
COMMIT

@b COMMIT
----
error 40001: could not serialize access due to a concurrent transaction: serialization failure: write-write conflict on \x90\x10\x04\x80\x00\x00\x00\x00\x00\x00\x02\x04\x80\x00\x00\x00\x00\x00\x00\x01: v7 wrote it after snapshot v6; retry the transaction

SELECT n FROM counter
----
n
1
SELECT 1

# Write skew under SERIALIZABLE: each checks that the other is on duty, then goes off duty.
BEGIN
----
BEGIN

@b BEGIN
----
BEGIN

SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

@b SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

UPDATE oncall SET on_duty = false WHERE doctor = 'alice'
----
UPDATE 1

@b UPDATE oncall SET on_duty = false WHERE doctor = 'bob'
----
UPDATE 1

COMMIT
----
COMMIT

@b COMMIT
----
error 40001: could not serialize access due to a concurrent transaction: serialization failure: dangerous structure v8 -rw(\x90\x10\x04\x80\x00\x00\x00\x00\x00\x00\x01\x06bob\x00\x01)-> this -rw(\x90\x10\x04\x80\x00\x00\x00\x00\x00\x00\x01\x06alice\x00\x01)-> v8, and v8 committed first; retry the transaction

SELECT doctor, on_duty FROM oncall ORDER BY doctor
----
doctor | on_duty
alice | false
bob | true
SELECT 2

UPDATE oncall SET on_duty = true
----
UPDATE 2

# The same under SNAPSHOT isolation: both commit, and nobody is on duty.
BEGIN ISOLATION LEVEL SNAPSHOT
----
BEGIN

@b BEGIN ISOLATION LEVEL SNAPSHOT
----
BEGIN

SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

@b SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

UPDATE oncall SET on_duty = false WHERE doctor = 'alice'
----
UPDATE 1

@b UPDATE oncall SET on_duty = false WHERE doctor = 'bob'
----
UPDATE 1

COMMIT
----
COMMIT

@b COMMIT
----
COMMIT

SELECT doctor, on_duty FROM oncall ORDER BY doctor
----
doctor | on_duty
alice | false
bob | false
SELECT 2

UPDATE oncall SET on_duty = true
----
UPDATE 2

# A predicate read against a concurrent insert: the count keeps its snapshot (no phantom), and the
# commit is refused: SSI may abort a serializable history (here conservatively, for a possible
# read-only anomaly), never commit a non-serializable one.
BEGIN
----
BEGIN

@b BEGIN
----
BEGIN

SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

@b INSERT INTO oncall VALUES ('carol', true)
----
INSERT 1

@b COMMIT
----
COMMIT

SELECT count(*) FROM oncall WHERE on_duty
----
count
2
SELECT 1

UPDATE oncall SET on_duty = false WHERE doctor = 'alice'
----
UPDATE 1

COMMIT
----
error 40001: could not serialize access due to a concurrent transaction: serialization failure: v13 overwrote what this transaction read after its snapshot v12, and an unlogged read-only transaction may have seen v13 but not this one; retry the transaction

SELECT doctor, on_duty FROM oncall ORDER BY doctor
----
doctor | on_duty
alice | true
bob | true
carol | true
SELECT 3

# A read-only transaction never fails to commit.
BEGIN READ ONLY
----
BEGIN

@b UPDATE oncall SET on_duty = false WHERE doctor = 'carol'
----
UPDATE 1

SELECT count(*) FROM oncall WHERE on_duty
----
count
3
SELECT 1

COMMIT
----
COMMIT

BEGIN READ ONLY
----
BEGIN

UPDATE oncall SET on_duty = false
----
error 25006: cannot execute a write in a read-only transaction

ROLLBACK
----
ROLLBACK

SELECT doctor, on_duty FROM oncall ORDER BY doctor
----
doctor | on_duty
alice | true
bob | true
carol | false
SELECT 3
