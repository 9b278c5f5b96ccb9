# DDL through the transactional catalog: CREATE/DROP TABLE, indexes, ALTER TABLE, DESCRIBE.

CREATE TABLE movie (id INT PRIMARY KEY, title VARCHAR(40) NOT NULL, year INT DEFAULT 2000, rating FLOAT)
----
CREATE TABLE

CREATE TABLE movie (id INT)
----
error 42P07: table "movie" already exists

CREATE TABLE IF NOT EXISTS movie (id INT)
----
notice: table "movie" already exists, skipping
CREATE TABLE

DESCRIBE movie
----
column | type | nullable | default | key
id | INTEGER | false | NULL | PRIMARY KEY
title | STRING(40) | false | NULL | NULL
year | INTEGER | true | 2000 | NULL
rating | FLOAT | true | NULL | NULL
DESCRIBE

CREATE TABLE events (p TEXT, c INT, v BLOB, PRIMARY KEY ((p), c))
----
CREATE TABLE

SHOW COLUMNS FROM events
----
column | type | nullable | default | key
p | STRING | false | NULL | PARTITION KEY
c | INTEGER | false | NULL | PRIMARY KEY
v | BLOB | true | NULL | NULL
DESCRIBE

CREATE TABLE nokey (a INT, b TEXT UNIQUE, c BOOL DEFAULT TRUE)
----
CREATE TABLE

DESCRIBE nokey
----
column | type | nullable | default | key
a | INTEGER | true | NULL | NULL
b | STRING | true | NULL | UNIQUE
c | BOOLEAN | true | TRUE | NULL
DESCRIBE

SHOW TABLES
----
table
events
movie
nokey
SHOW

CREATE TABLE two (a INT PRIMARY KEY, b INT, PRIMARY KEY (b))
----
error 42P16: multiple primary keys for table "two" are not allowed

CREATE TABLE dup (a INT, a TEXT)
----
error 42701: column "a" specified more than once

CREATE TABLE badkey (a INT, PRIMARY KEY (b))
----
error 42703: column "b" of table "badkey" does not exist

CREATE TABLE baddefault (a INT DEFAULT 'x')
----
error 42804: column "a" is of type INTEGER but expression is of type STRING

CREATE TABLE overflow (a INT DEFAULT 9223372036854775807 + 1)
----
error 22003: integer out of range

CREATE TABLE computed (a INT DEFAULT 2 * 3 + 1, b TEXT DEFAULT upper('ab') || 'c', c FLOAT DEFAULT 1)
----
CREATE TABLE

DESCRIBE computed
----
column | type | nullable | default | key
a | INTEGER | true | 7 | NULL
b | STRING | true | 'ABc' | NULL
c | FLOAT | true | 1.0 | NULL
DESCRIBE

CREATE TABLE nodefault (a INT DEFAULT b)
----
error 42703: column "b" does not exist

# Foreign keys: the parent must exist and have a key or unique index on the columns.
CREATE TABLE review (id INT PRIMARY KEY, movie_id INT REFERENCES movie, body TEXT)
----
CREATE TABLE

CREATE TABLE orphan (id INT REFERENCES nosuch)
----
error 42P01: table "nosuch" does not exist

CREATE TABLE badref (id INT REFERENCES movie (year))
----
error 42830: there is no unique constraint matching given keys for referenced table "movie"

CREATE TABLE badreftype (id TEXT REFERENCES movie)
----
error 42804: foreign key column "id" is STRING but the referenced column is INTEGER

CREATE TABLE nokeyref (id INT REFERENCES nokey)
----
error 42830: there is no primary key for referenced table "nokey"

CREATE TABLE refunique (b TEXT REFERENCES nokey (b))
----
CREATE TABLE

CREATE TABLE tree (id INT PRIMARY KEY, parent INT REFERENCES tree (id))
----
CREATE TABLE

DROP TABLE movie
----
error 2BP01: cannot drop table "movie": foreign key "review_movie_id_fkey" of table "review" references it

DROP TABLE nosuch
----
error 42P01: table "nosuch" does not exist

DROP TABLE IF EXISTS nosuch
----
notice: table "nosuch" does not exist, skipping
DROP TABLE

# CHECK is stored as text and bound at CREATE time.
CREATE TABLE checked (a INT CHECK (a > 0), b INT, CHECK (a < b))
----
CREATE TABLE

CREATE TABLE badcheck (a INT CHECK (z > 0))
----
error 42703: column "z" does not exist

CREATE TABLE badchecktype (a INT CHECK (a + 1))
----
error 42804: argument of CHECK must be type BOOLEAN, not type INTEGER

# Indexes.
CREATE INDEX movie_year ON movie (year)
----
CREATE INDEX

CREATE INDEX movie_year ON movie (title)
----
error 42710: index "movie_year" already exists

CREATE INDEX IF NOT EXISTS movie_year ON movie (title)
----
notice: index "movie_year" already exists, skipping
CREATE INDEX

CREATE UNIQUE INDEX movie_title ON movie (title)
----
CREATE INDEX

CREATE INDEX nowhere ON nosuch (a)
----
error 42P01: table "nosuch" does not exist

CREATE INDEX badcol ON movie (nosuch)
----
error 42703: column "nosuch" of table "movie" does not exist

DROP INDEX movie_year
----
DROP INDEX

DROP INDEX movie_year
----
error 42704: index "movie_year" does not exist

DROP INDEX IF EXISTS movie_year
----
notice: index "movie_year" does not exist, skipping
DROP INDEX

# ALTER TABLE.
ALTER TABLE movie ADD COLUMN genre TEXT DEFAULT 'drama'
----
ALTER TABLE

ALTER TABLE movie ADD COLUMN genre TEXT
----
error 42701: column "genre" of table "movie" already exists

ALTER TABLE movie ADD COLUMN IF NOT EXISTS genre TEXT
----
notice: column "genre" of table "movie" already exists, skipping
ALTER TABLE

ALTER TABLE movie ADD COLUMN strict INT NOT NULL
----
error 23502: column "strict" is NOT NULL and needs a DEFAULT for existing rows

ALTER TABLE movie RENAME COLUMN rating TO score
----
ALTER TABLE

ALTER TABLE movie RENAME COLUMN nosuch TO x
----
error 42703: column "nosuch" of table "movie" does not exist

ALTER TABLE movie RENAME COLUMN score TO title
----
error 42701: column "title" of table "movie" already exists

ALTER TABLE movie DROP COLUMN id
----
error 2BP01: cannot drop column "id": it is part of the primary key

ALTER TABLE movie DROP COLUMN score
----
ALTER TABLE

ALTER TABLE movie DROP COLUMN IF EXISTS score
----
notice: column "score" of table "movie" does not exist, skipping
ALTER TABLE

DESCRIBE movie
----
column | type | nullable | default | key
id | INTEGER | false | NULL | PRIMARY KEY
title | STRING(40) | false | NULL | UNIQUE
year | INTEGER | true | 2000 | NULL
genre | STRING | true | 'drama' | NULL
DESCRIBE

ALTER TABLE events RENAME TO happenings
----
ALTER TABLE

ALTER TABLE nosuch RENAME TO x
----
error 42P01: table "nosuch" does not exist

ALTER TABLE happenings RENAME TO movie
----
error 42P07: table "movie" already exists

SHOW TABLES
----
table
checked
computed
happenings
movie
nokey
refunique
review
tree
SHOW

DESCRIBE events
----
error 42P01: table "events" does not exist
