# now() and current_timestamp: the calendar time at which the transaction began, the same instant
# for every call in every statement of one transaction (as PostgreSQL's now() is); an autocommit
# statement is its own transaction, so each one reads the clock anew.

# A session with no wall clock cannot answer it: a clear error, not a made-up time.
SELECT now()
----
error 0A000: now() and current_timestamp need a clock, and this session has none

session w wall_clock
----
ok

clock 1796655600000000
----
ok

@w SELECT now(), current_timestamp, now() = current_timestamp AS same
----
now | current_timestamp | same
2026-12-07 15:00:00 | 2026-12-07 15:00:00 | true
SELECT 1

# The clock moves on; the next autocommit statement sees it.
clock 1796655600250000
----
ok

@w SELECT now()
----
now
2026-12-07 15:00:00.250000
SELECT 1

# In an explicit transaction now() stays at the time of BEGIN, however far the clock moves.
@w BEGIN
----
BEGIN

clock 1796655660000000
----
ok

@w CREATE TABLE ev (id INT PRIMARY KEY, at TIMESTAMP NOT NULL)
----
CREATE TABLE

@w INSERT INTO ev VALUES (1, now()), (2, current_timestamp)
----
INSERT 2

clock 1796655720000000
----
ok

@w SELECT id, at, at = now() AS begin_time FROM ev ORDER BY id
----
id | at | begin_time
1 | 2026-12-07 15:00:00.250000 | true
2 | 2026-12-07 15:00:00.250000 | true
SELECT 2

@w COMMIT
----
COMMIT

# After COMMIT a new transaction: a new instant, later than the stored one.
@w SELECT id, at < now() AS earlier, now() FROM ev WHERE at <= now() ORDER BY id
----
id | earlier | now
1 | true | 2026-12-07 15:02:00
2 | true | 2026-12-07 15:02:00
SELECT 2

# Every row of a statement sees one instant.
@w INSERT INTO ev SELECT id + 10, now() FROM ev
----
INSERT 2

@w SELECT count(DISTINCT at) FROM ev WHERE id > 10
----
count
1
SELECT 1

# statement_timestamp() is the statement's start, clock_timestamp() the clock at the call, and
# transaction_timestamp() is now(). In an autocommit statement the statement began with its
# transaction, so the first two agree with now().
clock 1796655800000000
----
ok

@w SELECT now(), transaction_timestamp(), statement_timestamp(), clock_timestamp()
----
now | transaction_timestamp | statement_timestamp | clock_timestamp
2026-12-07 15:03:20 | 2026-12-07 15:03:20 | 2026-12-07 15:03:20 | 2026-12-07 15:03:20
SELECT 1

# In a transaction each statement has its own start, and now() stays at BEGIN.
@w BEGIN
----
BEGIN

clock 1796655805000000
----
ok

@w SELECT now(), statement_timestamp(), now() < statement_timestamp() AS later
----
now | statement_timestamp | later
2026-12-07 15:03:20 | 2026-12-07 15:03:25 | true
SELECT 1

clock 1796655809000000
----
ok

@w SELECT statement_timestamp(), clock_timestamp()
----
statement_timestamp | clock_timestamp
2026-12-07 15:03:29 | 2026-12-07 15:03:29
SELECT 1

@w COMMIT
----
COMMIT

SELECT statement_timestamp()
----
error 0A000: statement_timestamp() needs a clock, and this session has none

SELECT clock_timestamp(1)
----
error 42883: function clock_timestamp takes no arguments
