# Schema changes and what the data looks like after each: ALTER TABLE (ADD, DROP, RENAME
# COLUMN, RENAME TO) with rows present, SHOW and DESCRIBE, indexes (plain, unique, multi-column,
# built over existing rows, kept through writes), DROP ... IF EXISTS, TRUNCATE.
SHOW TABLES
----
table
SHOW

CREATE TABLE book (id INT PRIMARY KEY, title TEXT NOT NULL, pages INT)
----
CREATE TABLE

INSERT INTO book VALUES (1, 'dune', 412), (2, 'emma', NULL), (3, 'ulysses', 730)
----
INSERT 3

# ADD COLUMN: existing rows get the default (or NULL), new rows may set it.
ALTER TABLE book ADD COLUMN lang TEXT DEFAULT 'en'
----
ALTER TABLE

SELECT id, title, lang FROM book ORDER BY id
----
id | title | lang
1 | dune | en
2 | emma | en
3 | ulysses | en
SELECT 3

ALTER TABLE book ADD price FLOAT
----
ALTER TABLE

SELECT id, price FROM book ORDER BY id
----
id | price
1 | NULL
2 | NULL
3 | NULL
SELECT 3

ALTER TABLE book ADD COLUMN stock INT NOT NULL DEFAULT 0
----
ALTER TABLE

SELECT id, stock FROM book ORDER BY id
----
id | stock
1 | 0
2 | 0
3 | 0
SELECT 3

INSERT INTO book VALUES (4, 'ilias', 600, 'el', 9.5, 3)
----
INSERT 1

INSERT INTO book (id, title) VALUES (5, 'faust')
----
INSERT 1

SELECT * FROM book ORDER BY id
----
id | title | pages | lang | price | stock
1 | dune | 412 | en | NULL | 0
2 | emma | NULL | en | NULL | 0
3 | ulysses | 730 | en | NULL | 0
4 | ilias | 600 | el | 9.5 | 3
5 | faust | NULL | en | NULL | 0
SELECT 5

ALTER TABLE book ADD COLUMN checked INT CHECK (checked > 0)
----
error 0A000: ADD COLUMN with PRIMARY KEY, UNIQUE, REFERENCES or CHECK is not supported; add the column, then an index

ALTER TABLE book ADD COLUMN weird INT DEFAULT 'x'
----
error 42804: column "weird" is of type INTEGER but expression is of type STRING

ALTER TABLE book ADD COLUMN lang TEXT
----
error 42701: column "lang" of table "book" already exists

ALTER TABLE book ADD COLUMN IF NOT EXISTS lang INT
----
notice: column "lang" of table "book" already exists, skipping
ALTER TABLE

ALTER TABLE book ADD COLUMN computed INT DEFAULT 6 * 7
----
ALTER TABLE

SELECT id, computed FROM book WHERE id <= 2 ORDER BY id
----
id | computed
1 | 42
2 | 42
SELECT 2

DESCRIBE book
----
column | type | nullable | default | key
id | INTEGER | false | NULL | PRIMARY KEY
title | STRING | false | NULL | NULL
pages | INTEGER | true | NULL | NULL
lang | STRING | true | 'en' | NULL
price | FLOAT | true | NULL | NULL
stock | INTEGER | false | 0 | NULL
computed | INTEGER | true | 42 | NULL
DESCRIBE

# RENAME COLUMN: queries use the new name, the old one is gone.
ALTER TABLE book RENAME COLUMN pages TO page_count
----
ALTER TABLE

SELECT id, page_count FROM book WHERE page_count > 500 ORDER BY id
----
id | page_count
3 | 730
4 | 600
SELECT 2

SELECT pages FROM book
----
error 42703: column "pages" does not exist

ALTER TABLE book RENAME pages TO x
----
error 42703: column "pages" of table "book" does not exist

ALTER TABLE book RENAME COLUMN id TO book_id
----
ALTER TABLE

SELECT book_id FROM book WHERE book_id = 3
----
book_id
3
SELECT 1

INSERT INTO book (book_id, title) VALUES (6, 'odyssey')
----
INSERT 1

SELECT book_id, title, lang, stock FROM book WHERE book_id = 6
----
book_id | title | lang | stock
6 | odyssey | en | 0
SELECT 1

# DROP COLUMN: the values go with it; a column added again under the same name starts empty.
ALTER TABLE book DROP COLUMN computed
----
ALTER TABLE

ALTER TABLE book DROP price
----
ALTER TABLE

SELECT * FROM book ORDER BY book_id
----
book_id | title | page_count | lang | stock
1 | dune | 412 | en | 0
2 | emma | NULL | en | 0
3 | ulysses | 730 | en | 0
4 | ilias | 600 | el | 3
5 | faust | NULL | en | 0
6 | odyssey | NULL | en | 0
SELECT 6

ALTER TABLE book DROP COLUMN price
----
error 42703: column "price" of table "book" does not exist

ALTER TABLE book DROP COLUMN IF EXISTS price
----
notice: column "price" of table "book" does not exist, skipping
ALTER TABLE

ALTER TABLE book DROP COLUMN book_id
----
error 2BP01: cannot drop column "book_id": it is part of the primary key

ALTER TABLE book ADD COLUMN price FLOAT
----
ALTER TABLE

SELECT book_id, price FROM book ORDER BY book_id
----
book_id | price
1 | NULL
2 | NULL
3 | NULL
4 | NULL
5 | NULL
6 | NULL
SELECT 6

SHOW COLUMNS FROM book
----
column | type | nullable | default | key
book_id | INTEGER | false | NULL | PRIMARY KEY
title | STRING | false | NULL | NULL
page_count | INTEGER | true | NULL | NULL
lang | STRING | true | 'en' | NULL
stock | INTEGER | false | 0 | NULL
price | FLOAT | true | NULL | NULL
DESCRIBE

# RENAME TO: the old name is free, the new one holds the rows.
ALTER TABLE book RENAME TO novel
----
ALTER TABLE

SELECT count(*) FROM book
----
error 42P01: relation "book" does not exist

SELECT count(*) FROM novel
----
count
6
SELECT 1

CREATE TABLE book (id INT PRIMARY KEY)
----
CREATE TABLE

SHOW TABLES
----
table
book
novel
SHOW

DROP TABLE book
----
DROP TABLE

ALTER TABLE novel RENAME TO novel
----
error 42P07: table "novel" already exists

ALTER TABLE nosuch DROP COLUMN a
----
error 42P01: table "nosuch" does not exist

ALTER TABLE nosuch RENAME COLUMN a TO b
----
error 42P01: table "nosuch" does not exist

# Indexes: built over the rows already there; a unique index refuses duplicates then and later.
CREATE INDEX novel_lang ON novel (lang)
----
CREATE INDEX

SELECT book_id FROM novel WHERE lang = 'en' ORDER BY book_id
----
book_id
1
2
3
5
6
SELECT 5

SELECT book_id FROM novel WHERE lang = 'el'
----
book_id
4
SELECT 1

CREATE UNIQUE INDEX novel_title ON novel (title)
----
CREATE INDEX

INSERT INTO novel (book_id, title) VALUES (7, 'dune')
----
error 23505: duplicate key value violates unique constraint "novel_title": key (title)=(dune) already exists

UPDATE novel SET title = 'emma' WHERE book_id = 1
----
error 23505: duplicate key value violates unique constraint "novel_title": key (title)=(emma) already exists

UPDATE novel SET title = 'dune 2' WHERE book_id = 1
----
UPDATE 1

SELECT book_id FROM novel WHERE title = 'dune 2'
----
book_id
1
SELECT 1

SELECT book_id FROM novel WHERE title = 'dune'
----
book_id
SELECT 0

CREATE UNIQUE INDEX novel_lang_u ON novel (lang)
----
error 23505: could not create unique index "novel_lang_u": key (lang)=(en) is duplicated

CREATE INDEX novel_lang_stock ON novel (lang, stock)
----
CREATE INDEX

SELECT book_id FROM novel WHERE lang = 'en' AND stock = 0 ORDER BY book_id
----
book_id
1
2
3
5
6
SELECT 5

UPDATE novel SET lang = 'de' WHERE book_id = 5
----
UPDATE 1

SELECT book_id FROM novel WHERE lang = 'de'
----
book_id
5
SELECT 1

SELECT book_id FROM novel WHERE lang = 'en' ORDER BY book_id
----
book_id
1
2
3
6
SELECT 4

DELETE FROM novel WHERE lang = 'de'
----
DELETE 1

SELECT count(*) FROM novel WHERE lang = 'de'
----
count
0
SELECT 1

CREATE INDEX novel_lang ON novel (title)
----
error 42710: index "novel_lang" already exists

CREATE INDEX IF NOT EXISTS novel_lang ON novel (title)
----
notice: index "novel_lang" already exists, skipping
CREATE INDEX

CREATE INDEX bad ON novel (lang, nosuch)
----
error 42703: column "nosuch" of table "novel" does not exist

CREATE INDEX bad ON nosuch (a)
----
error 42P01: table "nosuch" does not exist

# An index follows its column through a rename; dropping the column drops its indexes.
ALTER TABLE novel RENAME COLUMN lang TO language
----
ALTER TABLE

SELECT book_id FROM novel WHERE language = 'en' ORDER BY book_id
----
book_id
1
2
3
6
SELECT 4

INSERT INTO novel (book_id, title, language) VALUES (8, 'kalevala', 'fi')
----
INSERT 1

SELECT book_id, title FROM novel WHERE language = 'fi'
----
book_id | title
8 | kalevala
SELECT 1

DROP INDEX novel_lang
----
DROP INDEX

DROP INDEX novel_lang
----
error 42704: index "novel_lang" does not exist

DROP INDEX IF EXISTS novel_lang
----
notice: index "novel_lang" does not exist, skipping
DROP INDEX

SELECT book_id FROM novel WHERE language = 'en' ORDER BY book_id
----
book_id
1
2
3
6
SELECT 4

ALTER TABLE novel DROP COLUMN language
----
ALTER TABLE

DROP INDEX novel_lang_stock
----
error 42704: index "novel_lang_stock" does not exist

SELECT book_id FROM novel WHERE stock = 0 ORDER BY book_id
----
book_id
1
2
3
6
8
SELECT 5

CREATE TABLE pair (a INT, b INT, c TEXT, PRIMARY KEY (a, b))
----
CREATE TABLE

INSERT INTO pair VALUES (1, 1, 'x'), (1, 2, 'y'), (2, 1, 'z')
----
INSERT 3

INSERT INTO pair VALUES (1, 2, 'dup')
----
error 23505: duplicate key value violates unique constraint "pair_pkey": key (a, b)=(1, 2) already exists

INSERT INTO pair VALUES (NULL, 3, 'null key')
----
error 23502: null value in column "a" of relation "pair" violates not-null constraint

SELECT * FROM pair WHERE a = 1 ORDER BY b
----
a | b | c
1 | 1 | x
1 | 2 | y
SELECT 2

SELECT * FROM pair WHERE a = 1 AND b = 2
----
a | b | c
1 | 2 | y
SELECT 1

CREATE UNIQUE INDEX pair_c ON pair (c)
----
CREATE INDEX

INSERT INTO pair VALUES (3, 3, NULL), (4, 4, NULL)
----
INSERT 2

SELECT a, b FROM pair WHERE c IS NULL ORDER BY a
----
a | b
3 | 3
4 | 4
SELECT 2

DESCRIBE pair
----
column | type | nullable | default | key
a | INTEGER | false | NULL | PRIMARY KEY
b | INTEGER | false | NULL | PRIMARY KEY
c | STRING | true | NULL | UNIQUE
DESCRIBE

# TRUNCATE empties tables and keeps their schema and indexes.
TRUNCATE pair
----
TRUNCATE TABLE

SELECT count(*) FROM pair
----
count
0
SELECT 1

INSERT INTO pair VALUES (1, 1, 'x')
----
INSERT 1

INSERT INTO pair VALUES (2, 2, 'x')
----
error 23505: duplicate key value violates unique constraint "pair_c": key (c)=(x) already exists

TRUNCATE TABLE pair, novel
----
TRUNCATE TABLE

SELECT (SELECT count(*) FROM pair), (SELECT count(*) FROM novel)
----
count | count
0 | 0
SELECT 1

TRUNCATE nosuch
----
error 42P01: table "nosuch" does not exist

TRUNCATE pair, nosuch
----
error 42P01: table "nosuch" does not exist

CREATE TABLE parent (id INT PRIMARY KEY)
----
CREATE TABLE

CREATE TABLE child (id INT PRIMARY KEY, pid INT REFERENCES parent)
----
CREATE TABLE

INSERT INTO parent VALUES (1)
----
INSERT 1

INSERT INTO child VALUES (1, 1)
----
INSERT 1

TRUNCATE parent
----
error 0A000: cannot truncate table "parent": table "child" references it; truncate both together

TRUNCATE child, parent
----
TRUNCATE TABLE

SELECT (SELECT count(*) FROM parent), (SELECT count(*) FROM child)
----
count | count
0 | 0
SELECT 1

TRUNCATE child
----
TRUNCATE TABLE

# DROP: several tables at once, IF EXISTS for the missing ones, and references.
DROP TABLE parent
----
error 2BP01: cannot drop table "parent": foreign key "child_pid_fkey" of table "child" references it

DROP TABLE IF EXISTS nosuch, alsonot
----
notice: table "nosuch" does not exist, skipping
notice: table "alsonot" does not exist, skipping
DROP TABLE

DROP TABLE child, parent
----
DROP TABLE

SHOW TABLES
----
table
novel
pair
SHOW

DROP TABLE IF EXISTS pair, nosuch
----
notice: table "nosuch" does not exist, skipping
DROP TABLE

SHOW TABLES
----
table
novel
SHOW

CREATE TABLE IF NOT EXISTS novel (x INT)
----
notice: table "novel" already exists, skipping
CREATE TABLE

DESCRIBE novel
----
column | type | nullable | default | key
book_id | INTEGER | false | NULL | PRIMARY KEY
title | STRING | false | NULL | UNIQUE
page_count | INTEGER | true | NULL | NULL
stock | INTEGER | false | 0 | NULL
price | FLOAT | true | NULL | NULL
DESCRIBE

DROP TABLE novel
----
DROP TABLE

DROP TABLE novel
----
error 42P01: table "novel" does not exist

DROP TABLE IF EXISTS novel
----
notice: table "novel" does not exist, skipping
DROP TABLE

SHOW TABLES
----
table
SHOW

SHOW TRANSACTION ISOLATION LEVEL
----
transaction_isolation
serializable
SHOW

SHOW nosuch_setting
----
error 42704: unrecognized configuration parameter "nosuch_setting"

# DDL inside a transaction is undone by ROLLBACK.
CREATE TABLE kept (id INT PRIMARY KEY, v TEXT)
----
CREATE TABLE

INSERT INTO kept VALUES (1, 'one')
----
INSERT 1

BEGIN
----
BEGIN

ALTER TABLE kept ADD COLUMN extra INT DEFAULT 5
----
ALTER TABLE

SELECT * FROM kept
----
id | v | extra
1 | one | 5
SELECT 1

CREATE INDEX kept_v ON kept (v)
----
CREATE INDEX

CREATE TABLE scratch (a INT)
----
CREATE TABLE

ROLLBACK
----
ROLLBACK

SELECT * FROM kept
----
id | v
1 | one
SELECT 1

SHOW TABLES
----
table
kept
SHOW

CREATE INDEX kept_v ON kept (v)
----
CREATE INDEX

BEGIN
----
BEGIN

DROP TABLE kept
----
DROP TABLE

SELECT * FROM kept
----
error 42P01: relation "kept" does not exist

ROLLBACK
----
ROLLBACK

SELECT * FROM kept WHERE v = 'one'
----
id | v
1 | one
SELECT 1

BEGIN
----
BEGIN

TRUNCATE kept
----
TRUNCATE TABLE

SELECT count(*) FROM kept
----
count
0
SELECT 1

ROLLBACK
----
ROLLBACK

SELECT count(*) FROM kept
----
count
1
SELECT 1

# Names: case-folded unless quoted.
CREATE TABLE MixedCase (Id INT PRIMARY KEY, "Quoted" TEXT)
----
CREATE TABLE

INSERT INTO mixedcase VALUES (1, 'q')
----
INSERT 1

SELECT id, "Quoted" FROM MIXEDCASE
----
id | Quoted
1 | q
SELECT 1

SELECT Quoted FROM mixedcase
----
error 42703: column "quoted" does not exist

DESCRIBE mixedcase
----
column | type | nullable | default | key
id | INTEGER | false | NULL | PRIMARY KEY
Quoted | STRING | true | NULL | NULL
DESCRIBE

CREATE TABLE "select" (id INT PRIMARY KEY)
----
CREATE TABLE

SELECT count(*) FROM "select"
----
count
0
SELECT 1

DROP TABLE "select", mixedcase
----
DROP TABLE

SHOW TABLES
----
table
kept
SHOW

# SHOW CATALOG: every object of every table, one row each, tables by name
# (sql/catalog/show_catalog.h); key columns are listed by position.
CREATE TABLE parent (id INT PRIMARY KEY, code VARCHAR(4) UNIQUE, n FLOAT DEFAULT 1.5 CHECK (n > 0))
----
CREATE TABLE

CREATE TABLE child (a INT, b INT, parent_code TEXT REFERENCES parent (code), PRIMARY KEY (b, a))
----
CREATE TABLE

CREATE INDEX child_code ON child (parent_code, a)
----
CREATE INDEX

SHOW CATALOG
----
table_id | table | kind | position | name | type | not_null | default | columns | parent | parent_columns | expression
10 | child | table | 0 | child | NULL | NULL | NULL | NULL | NULL | NULL | NULL
10 | child | column | 1 | a | INTEGER | true | NULL | NULL | NULL | NULL | NULL
10 | child | column | 2 | b | INTEGER | true | NULL | NULL | NULL | NULL | NULL
10 | child | column | 3 | parent_code | STRING | false | NULL | NULL | NULL | NULL | NULL
10 | child | primary key | 0 | NULL | NULL | NULL | NULL | 2,1 | NULL | NULL | NULL
10 | child | index | 1 | child_code | NULL | false | NULL | 3,1 | NULL | NULL | NULL
10 | child | foreign key | 1 | child_parent_code_fkey | NULL | NULL | NULL | 3 | parent | 2 | NULL
6 | kept | table | 0 | kept | NULL | NULL | NULL | NULL | NULL | NULL | NULL
6 | kept | column | 1 | id | INTEGER | true | NULL | NULL | NULL | NULL | NULL
6 | kept | column | 2 | v | STRING | false | NULL | NULL | NULL | NULL | NULL
6 | kept | primary key | 0 | NULL | NULL | NULL | NULL | 1 | NULL | NULL | NULL
6 | kept | index | 1 | kept_v | NULL | false | NULL | 2 | NULL | NULL | NULL
9 | parent | table | 0 | parent | NULL | NULL | NULL | NULL | NULL | NULL | NULL
9 | parent | column | 1 | id | INTEGER | true | NULL | NULL | NULL | NULL | NULL
9 | parent | column | 2 | code | STRING(4) | false | NULL | NULL | NULL | NULL | NULL
9 | parent | column | 3 | n | FLOAT | false | 1.5 | NULL | NULL | NULL | NULL
9 | parent | primary key | 0 | NULL | NULL | NULL | NULL | 1 | NULL | NULL | NULL
9 | parent | index | 1 | parent_code_key | NULL | true | NULL | 2 | NULL | NULL | NULL
9 | parent | check | 1 | parent_n_check | NULL | NULL | NULL | NULL | NULL | NULL | (n > 0)
SHOW
