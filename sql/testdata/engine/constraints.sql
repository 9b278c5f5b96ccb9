# Every constraint, each failure with its SQLSTATE; a failing statement changes nothing.
CREATE TABLE author (id INT PRIMARY KEY, email TEXT UNIQUE NOT NULL, age INT CHECK (age >= 0), nick TEXT DEFAULT 'anon')
----
CREATE TABLE

CREATE TABLE book (id INT PRIMARY KEY, author_id INT REFERENCES author (id), title TEXT NOT NULL, pages INT, CHECK (pages > 0 AND pages < 5000))
----
CREATE TABLE

INSERT INTO author VALUES (1, 'a@x', 30, 'al'), (2, 'b@x', NULL, NULL)
----
INSERT 2

# PRIMARY KEY (23505) and a NULL key (23502).
INSERT INTO author VALUES (1, 'c@x', 1, 'c')
----
error 23505: duplicate key value violates unique constraint "author_pkey": key (id)=(1) already exists

INSERT INTO author (email) VALUES ('d@x')
----
error 23502: null value in column "id" of relation "author" violates not-null constraint

INSERT INTO author VALUES (3, 'c@x', 1, 'c'), (3, 'e@x', 2, 'e')
----
error 23505: duplicate key value violates unique constraint "author_pkey": key (id)=(3) already exists

# UNIQUE (23505): a repeated value collides (NULLs do not: see seat below).
INSERT INTO author VALUES (3, 'a@x', 5, 'dup')
----
error 23505: duplicate key value violates unique constraint "author_email_key": key (email)=(a@x) already exists

UPDATE author SET email = 'a@x' WHERE id = 2
----
error 23505: duplicate key value violates unique constraint "author_email_key": key (email)=(a@x) already exists

# NOT NULL (23502).
INSERT INTO author (id, email) VALUES (4, NULL)
----
error 23502: null value in column "email" of relation "author" violates not-null constraint

UPDATE author SET email = NULL
----
error 23502: null value in column "email" of relation "author" violates not-null constraint

# CHECK (23514): NULL passes a CHECK, false fails it.
INSERT INTO author VALUES (5, 'f@x', -1, 'f')
----
error 23514: new row for relation "author" violates check constraint "author_age_check"

INSERT INTO author VALUES (5, 'f@x', NULL, 'f')
----
INSERT 1

UPDATE author SET age = age - 100 WHERE id = 1
----
error 23514: new row for relation "author" violates check constraint "author_age_check"

INSERT INTO book VALUES (10, 1, 'ok', 100)
----
INSERT 1

INSERT INTO book VALUES (11, 1, 'long', 6000)
----
error 23514: new row for relation "book" violates check constraint "book_check1"

INSERT INTO book VALUES (11, 1, 'zero', 0)
----
error 23514: new row for relation "book" violates check constraint "book_check1"

INSERT INTO book VALUES (11, NULL, 'unknown pages', NULL)
----
INSERT 1

SELECT id, author_id, title, pages FROM book ORDER BY id
----
id | author_id | title | pages
10 | 1 | ok | 100
11 | NULL | unknown pages | NULL
SELECT 2

SELECT id, email, age FROM author ORDER BY id
----
id | email | age
1 | a@x | 30
2 | b@x | NULL
5 | f@x | NULL
SELECT 3

# FOREIGN KEY on the child (23503): a missing parent fails, NULL passes.
INSERT INTO book VALUES (12, 99, 'orphan', 10)
----
error 23503: insert or update on table "book" violates foreign key constraint "book_author_id_fkey": key (author_id)=(99) is not present in table "author"

UPDATE book SET author_id = 98 WHERE id = 10
----
error 23503: insert or update on table "book" violates foreign key constraint "book_author_id_fkey": key (author_id)=(98) is not present in table "author"

UPDATE book SET author_id = 2 WHERE id = 10
----
UPDATE 1

INSERT INTO book (id, author_id, title) SELECT id + 20, id, 'bulk' FROM author
----
INSERT 3

SELECT id, author_id FROM book ORDER BY id
----
id | author_id
10 | 2
11 | NULL
21 | 1
22 | 2
25 | 5
SELECT 5

# FOREIGN KEY on the parent: RESTRICT on delete and on update of a referenced key (23503).
DELETE FROM author WHERE id = 2
----
error 23503: update or delete on table "author" violates foreign key constraint "book_author_id_fkey" on table "book": key (id)=(2) is still referenced

UPDATE author SET id = 20 WHERE id = 2
----
error 23503: update or delete on table "author" violates foreign key constraint "book_author_id_fkey" on table "book": key (id)=(2) is still referenced

UPDATE author SET nick = 'bee' WHERE id = 2
----
UPDATE 1

DELETE FROM book WHERE author_id = 2
----
DELETE 2

DELETE FROM author WHERE id = 2
----
DELETE 1

DELETE FROM author WHERE id = 5
----
error 23503: update or delete on table "author" violates foreign key constraint "book_author_id_fkey" on table "book": key (id)=(5) is still referenced

SELECT id FROM author ORDER BY id
----
id
1
5
SELECT 2

# A parent and its child in one transaction, and the whole statement undone on failure.
BEGIN
----
BEGIN

INSERT INTO author VALUES (7, 'g@x', 40, 'g')
----
INSERT 1

INSERT INTO book VALUES (30, 7, 'new', 50)
----
INSERT 1

COMMIT
----
COMMIT

SELECT b.title, a.email FROM book b JOIN author a ON a.id = b.author_id WHERE b.id = 30
----
title | email
new | g@x
SELECT 1

DELETE FROM author WHERE id >= 1
----
error 23503: update or delete on table "author" violates foreign key constraint "book_author_id_fkey" on table "book": key (id)=(1) is still referenced

SELECT count(*) FROM author
----
count
3
SELECT 1

DELETE FROM book WHERE id >= 21 OR author_id = 99
----
DELETE 3

DELETE FROM author WHERE id >= 1
----
DELETE 3

SELECT count(*) FROM author
----
count
0
SELECT 1

# A self-reference.
CREATE TABLE node (id INT PRIMARY KEY, parent INT REFERENCES node (id))
----
CREATE TABLE

INSERT INTO node VALUES (1, NULL)
----
INSERT 1

INSERT INTO node VALUES (2, 1), (3, 2)
----
INSERT 2

INSERT INTO node VALUES (4, 5)
----
error 23503: insert or update on table "node" violates foreign key constraint "node_parent_fkey": key (parent)=(5) is not present in table "node"

DELETE FROM node WHERE id = 2
----
error 23503: update or delete on table "node" violates foreign key constraint "node_parent_fkey" on table "node": key (id)=(2) is still referenced

DELETE FROM node WHERE id = 3
----
DELETE 1

DELETE FROM node WHERE id = 2
----
DELETE 1

SELECT id, parent FROM node ORDER BY id
----
id | parent
1 | NULL
SELECT 1

# A composite primary key and a UNIQUE index made later.
CREATE TABLE seat (row_no INT, seat_no INT, holder TEXT, PRIMARY KEY (row_no, seat_no))
----
CREATE TABLE

INSERT INTO seat VALUES (1, 1, 'a'), (1, 2, 'b'), (2, 1, 'c')
----
INSERT 3

INSERT INTO seat VALUES (1, 2, 'x')
----
error 23505: duplicate key value violates unique constraint "seat_pkey": key (row_no, seat_no)=(1, 2) already exists

CREATE UNIQUE INDEX seat_holder ON seat (holder)
----
CREATE INDEX

INSERT INTO seat VALUES (3, 3, 'a')
----
error 23505: duplicate key value violates unique constraint "seat_holder": key (holder)=(a) already exists

UPDATE seat SET holder = 'c' WHERE row_no = 1 AND seat_no = 1
----
error 23505: duplicate key value violates unique constraint "seat_holder": key (holder)=(c) already exists

INSERT INTO seat VALUES (3, 3, NULL), (3, 4, NULL)
----
INSERT 2

SELECT row_no, seat_no, holder FROM seat ORDER BY 1, 2
----
row_no | seat_no | holder
1 | 1 | a
1 | 2 | b
2 | 1 | c
3 | 3 | NULL
3 | 4 | NULL
SELECT 5

CREATE UNIQUE INDEX seat_dups ON seat (row_no)
----
error 23505: could not create unique index "seat_dups": key (row_no)=(1) is duplicated

# VARCHAR(n) length (22001).
CREATE TABLE code (c VARCHAR(3) PRIMARY KEY)
----
CREATE TABLE

INSERT INTO code VALUES ('abc')
----
INSERT 1

INSERT INTO code VALUES ('abcd')
----
error 22001: value too long for type STRING(3)

UPDATE code SET c = c || 'x'
----
error 22001: value too long for type STRING(3)

SELECT c FROM code
----
c
abc
SELECT 1
