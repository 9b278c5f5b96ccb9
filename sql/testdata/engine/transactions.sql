# Transaction control: autocommit, BEGIN/COMMIT/ROLLBACK, the failed state, SET/SHOW.

COMMIT
----
error 25P01: there is no transaction in progress

ROLLBACK
----
error 25P01: there is no transaction in progress

BEGIN
----
BEGIN

BEGIN
----
error 25001: there is already a transaction in progress

CREATE TABLE t (a INT PRIMARY KEY)
----
CREATE TABLE

# Another session does not see the uncommitted table.
@b SHOW TABLES
----
table
SHOW

SHOW TABLES
----
table
t
SHOW

ROLLBACK
----
ROLLBACK

SHOW TABLES
----
table
SHOW

BEGIN
----
BEGIN

CREATE TABLE t (a INT PRIMARY KEY)
----
CREATE TABLE

COMMIT
----
COMMIT

@b SHOW TABLES
----
table
t
SHOW

# An error fails the transaction: everything up to ROLLBACK is refused, COMMIT rolls back.
BEGIN
----
BEGIN

CREATE TABLE u (a INT)
----
CREATE TABLE

CREATE TABLE t (a INT)
----
error 42P07: table "t" already exists

SHOW TABLES
----
error 25P02: current transaction is aborted, commands ignored until end of transaction block

COMMIT
----
ROLLBACK

SHOW TABLES
----
table
t
SHOW

BEGIN
----
BEGIN

DROP TABLE nosuch
----
error 42P01: table "nosuch" does not exist

ROLLBACK
----
ROLLBACK

# Two sessions creating the same table concurrently: one commit fails as a serialization
# failure (both bumped the catalog version).
BEGIN
----
BEGIN

@b BEGIN
----
BEGIN

CREATE TABLE v (a INT)
----
CREATE TABLE

@b CREATE TABLE w (a INT)
----
CREATE TABLE

COMMIT
----
COMMIT

@b COMMIT
----
error 40001: could not serialize access due to a concurrent transaction: serialization failure: write-write conflict on \x90\x01: v2 wrote it after snapshot v1; retry the transaction

SHOW TABLES
----
table
t
v
SHOW

# READ ONLY and AS OF SYSTEM TIME.
BEGIN READ ONLY
----
BEGIN

SHOW transaction_read_only
----
transaction_read_only
on
SHOW

CREATE TABLE ro (a INT)
----
error 25006: cannot execute a write in a read-only transaction

ROLLBACK
----
ROLLBACK

BEGIN ISOLATION LEVEL SNAPSHOT
----
BEGIN

SHOW transaction_isolation
----
transaction_isolation
snapshot
SHOW

COMMIT
----
COMMIT

BEGIN READ ONLY AS OF SYSTEM TIME 1
----
BEGIN

SHOW TABLES
----
table
t
SHOW

COMMIT
----
COMMIT

BEGIN AS OF SYSTEM TIME 'x'
----
error 42804: AS OF SYSTEM TIME takes a non-negative integer version, got 'x'

BEGIN AS OF SYSTEM TIME 1000000
----
error 54000: version v1000000 is in the future (last committed: v2)

# SET / SHOW.
SHOW default_transaction_isolation
----
default_transaction_isolation
serializable
SHOW

SET default_transaction_isolation = 'snapshot'
----
SET

SHOW transaction_isolation
----
transaction_isolation
snapshot
SHOW

SET default_transaction_isolation = 'read uncommitted'
----
error 22P02: invalid value for parameter "default_transaction_isolation": "read uncommitted" (serializable, snapshot or repeatable read)

SET default_transaction_isolation TO DEFAULT
----
SET

SET application_name = 'golden'
----
SET

SHOW application_name
----
application_name
golden
SHOW

SET nosuch = 1
----
error 42704: unrecognized configuration parameter "nosuch"

SHOW nosuch
----
error 42704: unrecognized configuration parameter "nosuch"

SET server_version = '1'
----
error 0A000: parameter "server_version" cannot be changed

SHOW ALL
----
name | setting
application_name | golden
client_encoding | UTF8
datestyle | ISO, MDY
default_transaction_isolation | serializable
default_transaction_read_only | off
extra_float_digits | 1
integer_datetimes | on
search_path | public
server_encoding | UTF8
server_version | 14.0 (Orrery)
standard_conforming_strings | on
timezone | UTC
SHOW

SET default_transaction_read_only = on
----
SET

CREATE TABLE x (a INT)
----
error 25006: cannot execute a write in a read-only transaction

SET default_transaction_read_only = off
----
SET

# EXPLAIN of a statement that has no plan.
EXPLAIN CREATE TABLE y (a INT)
----
error 0A000: EXPLAIN supports SELECT, VALUES, INSERT, UPDATE and DELETE, not CREATE TABLE

SELEC 1
----
error 42601: syntax error at line 1, column 1: expected statement, found 'SELEC'
