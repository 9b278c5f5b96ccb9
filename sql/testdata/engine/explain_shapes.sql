# EXPLAIN of each statement and plan shape: writes, VALUES, every join kind, index and key
# lookups, DISTINCT, set operations, subqueries of each kind, grouping, ORDER BY/LIMIT; EXPLAIN
# (STEPS) of a join and of a subquery; and what EXPLAIN refuses. Plans do not depend on the rows.
CREATE TABLE author (id INT PRIMARY KEY, name TEXT NOT NULL, country TEXT)
----
CREATE TABLE

CREATE TABLE work (id INT PRIMARY KEY, author_id INT REFERENCES author, title TEXT, year INT)
----
CREATE TABLE

CREATE INDEX work_year ON work (year)
----
CREATE INDEX

CREATE UNIQUE INDEX author_name ON author (name)
----
CREATE INDEX

INSERT INTO author VALUES (1, 'austen', 'uk'), (2, 'tolstoy', 'ru')
----
INSERT 2

INSERT INTO work VALUES (10, 1, 'emma', 1815), (11, 2, 'war and peace', 1869)
----
INSERT 2

# Key and index lookups.
EXPLAIN SELECT * FROM author WHERE id = 2
----
QUERY PLAN
Project: author.id, author.name, author.country (rows=1)
  Scan author primary key = (2) filter=(author.id = 2) (rows=1)
EXPLAIN

EXPLAIN SELECT title FROM work WHERE year = 1815
----
QUERY PLAN
Project: work.title (rows=10)
  Scan work index work_year = (1815) filter=(work.year = 1815) (rows=10)
EXPLAIN

EXPLAIN SELECT id FROM author WHERE name = 'austen'
----
QUERY PLAN
Project: author.id (rows=1)
  Scan author index author_name = ('austen') filter=(author.name = 'austen') (rows=1)
EXPLAIN

EXPLAIN SELECT id FROM author WHERE name = 'austen' AND country = 'uk'
----
QUERY PLAN
Project: author.id (rows=1)
  Scan author index author_name = ('austen') filter=((author.name = 'austen') AND (author.country = 'uk')) (rows=1)
EXPLAIN

EXPLAIN SELECT title FROM work WHERE year > 1800
----
QUERY PLAN
Project: work.title (rows=250)
  Scan work index work_year range (1800, +inf) filter=(work.year > 1800) (rows=250)
EXPLAIN

EXPLAIN SELECT * FROM author WHERE id IN (1, 2)
----
QUERY PLAN
Project: author.id, author.name, author.country (rows=2)
  Scan author primary key = (1), (2) filter=(author.id IN (1, 2)) (rows=2)
EXPLAIN

EXPLAIN SELECT * FROM author WHERE id = 1 OR id = 2
----
QUERY PLAN
Project: author.id, author.name, author.country (rows=333)
  Scan author filter=((author.id = 1) OR (author.id = 2)) (rows=333)
EXPLAIN

# Joins.
EXPLAIN SELECT a.name, w.title FROM author a JOIN work w ON w.author_id = a.id
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a LEFT JOIN work w ON w.author_id = a.id
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin left: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a RIGHT JOIN work w ON w.author_id = a.id
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin right: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a FULL JOIN work w ON w.author_id = a.id
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin full: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a CROSS JOIN work w
----
QUERY PLAN
Project: a.name, w.title (rows=1000000)
  NestedLoopJoin inner (rows=1000000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a JOIN work w ON w.year > a.id
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  NestedLoopJoin inner: (w.year > a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name FROM author a JOIN work w USING (id)
----
QUERY PLAN
Project: a.name (rows=1000)
  HashJoin inner: (a.id) = (w.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a, work w WHERE w.author_id = a.id AND w.year = 1815
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
EXPLAIN

EXPLAIN SELECT a.name, w.title FROM author a LEFT JOIN work w ON w.author_id = a.id WHERE w.year = 1815
----
QUERY PLAN
Project: a.name, w.title (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
EXPLAIN

# Grouping, ordering, limits, DISTINCT, set operations.
EXPLAIN SELECT country, count(*) FROM author GROUP BY country
----
QUERY PLAN
Project: author.country, count(*) (rows=100)
  Aggregate by author.country: count(*) (rows=100)
    Scan author (rows=1000)
EXPLAIN

EXPLAIN SELECT count(*), max(year) FROM work
----
QUERY PLAN
Project: count(*), max(work.year) (rows=1)
  Aggregate: count(*), max(work.year) (rows=1)
    Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT author_id, count(DISTINCT year) FROM work GROUP BY author_id HAVING count(*) > 1 ORDER BY author_id
----
QUERY PLAN
Sort: author_id (rows=33)
  Project: work.author_id, count(DISTINCT work.year) (rows=33)
    Filter: (count(*) > 1) (rows=33)
      Aggregate by work.author_id: count(DISTINCT work.year), count(*) (rows=100)
        Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT DISTINCT country FROM author
----
QUERY PLAN
Distinct (rows=1000)
  Project: author.country (rows=1000)
    Scan author (rows=1000)
EXPLAIN

EXPLAIN SELECT name FROM author ORDER BY name DESC LIMIT 1 OFFSET 1
----
QUERY PLAN
Limit: 1 offset 1 (rows=1)
  Sort: name DESC (top 1 + 1) (rows=2)
    Project: author.name (rows=1000)
      Scan author (rows=1000)
EXPLAIN

EXPLAIN SELECT name FROM author UNION SELECT title FROM work
----
QUERY PLAN
Union (rows=2000)
  Project: author.name (rows=1000)
    Scan author (rows=1000)
  Project: work.title (rows=1000)
    Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT name FROM author UNION ALL SELECT title FROM work ORDER BY 1
----
QUERY PLAN
Sort: name (rows=2000)
  UnionAll (rows=2000)
    Project: author.name (rows=1000)
      Scan author (rows=1000)
    Project: work.title (rows=1000)
      Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT id FROM author INTERSECT SELECT author_id FROM work
----
QUERY PLAN
Intersect (rows=2000)
  Project: author.id (rows=1000)
    Scan author (rows=1000)
  Project: work.author_id (rows=1000)
    Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT id FROM author EXCEPT SELECT author_id FROM work
----
QUERY PLAN
Except (rows=2000)
  Project: author.id (rows=1000)
    Scan author (rows=1000)
  Project: work.author_id (rows=1000)
    Scan work (rows=1000)
EXPLAIN

EXPLAIN VALUES (1, 'a'), (2, 'b')
----
QUERY PLAN
Values: 2 rows (rows=2)
EXPLAIN

EXPLAIN SELECT 1 + 2
----
QUERY PLAN
Project: 3 (rows=1)
  Values: 1 rows (rows=1)
EXPLAIN

# Subqueries.
EXPLAIN SELECT name FROM author a WHERE EXISTS (SELECT 1 FROM work w WHERE w.author_id = a.id)
----
QUERY PLAN
Project: a.name (rows=1000)
  HashJoin semi: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT name FROM author a WHERE NOT EXISTS (SELECT 1 FROM work w WHERE w.author_id = a.id)
----
QUERY PLAN
Project: a.name (rows=1000)
  HashJoin anti: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

EXPLAIN SELECT name FROM author WHERE id NOT IN (SELECT author_id FROM work)
----
QUERY PLAN
Project: author.name (rows=333)
  Scan author filter=(author.id NOT IN (subquery)) (rows=333)
    Subquery:
      Project: work.author_id (rows=1000)
        Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT name, (SELECT count(*) FROM work w WHERE w.author_id = a.id) FROM author a
----
QUERY PLAN
Project: a.name, (subquery) (rows=1000)
  Subquery (correlated):
    Project: count(*) (rows=1)
      Aggregate: count(*) (rows=1)
        Scan work AS w filter=(w.author_id = outer.a.id) (rows=333)
  Scan author AS a (rows=1000)
EXPLAIN

EXPLAIN SELECT title FROM work WHERE year = (SELECT max(year) FROM work)
----
QUERY PLAN
Project: work.title (rows=333)
  Scan work filter=(work.year = (subquery)) (rows=333)
    Subquery:
      Project: max(work.year) (rows=1)
        Aggregate: max(work.year) (rows=1)
          Scan work (rows=1000)
EXPLAIN

EXPLAIN SELECT t.c FROM (SELECT country AS c FROM author WHERE id > 0) t WHERE t.c = 'uk'
----
QUERY PLAN
Project: author.country (rows=250)
  Scan author primary key range (0, +inf) filter=((author.country = 'uk') AND (author.id > 0)) (rows=250)
EXPLAIN

# Writes.
EXPLAIN INSERT INTO author VALUES (3, 'eliot', 'uk')
----
QUERY PLAN
Insert into author (id, name, country) (rows=1)
  Values: 1 rows (rows=1)
EXPLAIN

EXPLAIN INSERT INTO work SELECT id + 100, author_id, title, year FROM work
----
QUERY PLAN
Insert into work (id, author_id, title, year) (rows=1000)
  Project: (work.id + 100), work.author_id, work.title, work.year (rows=1000)
    Scan work (rows=1000)
EXPLAIN

EXPLAIN UPDATE work SET year = year + 1 WHERE id = 10
----
QUERY PLAN
Update work: year = (work.year + 1) (rows=1)
  Scan work primary key = (10) filter=(work.id = 10) (rows=1)
EXPLAIN

EXPLAIN UPDATE work SET title = upper(title) WHERE year < 1850
----
QUERY PLAN
Update work: title = upper(work.title) (rows=250)
  Scan work index work_year range (-inf, 1850) filter=(work.year < 1850) (rows=250)
EXPLAIN

EXPLAIN DELETE FROM work WHERE author_id = 2
----
QUERY PLAN
Delete from work (rows=333)
  Scan work filter=(work.author_id = 2) (rows=333)
EXPLAIN

EXPLAIN DELETE FROM author
----
QUERY PLAN
Delete from author (rows=1000)
  Scan author (rows=1000)
EXPLAIN

# EXPLAIN does not run the statement.
SELECT count(*) FROM author
----
count
2
SELECT 1

# EXPLAIN (STEPS) of a join with a pushed-down filter, and of a decorrelated EXISTS.
EXPLAIN (STEPS) SELECT a.name FROM author a JOIN work w ON w.author_id = a.id WHERE w.year = 1815
----
QUERY PLAN
initial plan:
Project: a.name (rows=333)
  Filter: (w.year = 1815) (rows=333)
    NestedLoopJoin inner: (w.author_id = a.id) (rows=1000)
      Scan author AS a (rows=1000)
      Scan work AS w (rows=1000)
after constant_folding:
Project: a.name (rows=333)
  Filter: (w.year = 1815) (rows=333)
    NestedLoopJoin inner: (w.author_id = a.id) (rows=1000)
      Scan author AS a (rows=1000)
      Scan work AS w (rows=1000)
after decorrelate:
Project: a.name (rows=333)
  Filter: (w.year = 1815) (rows=333)
    NestedLoopJoin inner: (w.author_id = a.id) (rows=1000)
      Scan author AS a (rows=1000)
      Scan work AS w (rows=1000)
after predicate_pushdown:
Project: a.name (rows=1000)
  NestedLoopJoin inner: (w.author_id = a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w filter=(w.year = 1815) (rows=333)
after access_path:
Project: a.name (rows=1000)
  NestedLoopJoin inner: (w.author_id = a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
after join_algorithm:
Project: a.name (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
after limit_pushdown:
Project: a.name (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
after project_merge:
Project: a.name (rows=1000)
  HashJoin inner: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w index work_year = (1815) filter=(w.year = 1815) (rows=10)
EXPLAIN

EXPLAIN (STEPS) SELECT name FROM author a WHERE EXISTS (SELECT 1 FROM work w WHERE w.author_id = a.id)
----
QUERY PLAN
initial plan:
Project: a.name (rows=333)
  Filter: EXISTS (subquery) (rows=333)
    Subquery (correlated):
      Project: 1 (rows=333)
        Filter: (w.author_id = outer.a.id) (rows=333)
          Scan work AS w (rows=1000)
    Scan author AS a (rows=1000)
after constant_folding:
Project: a.name (rows=333)
  Filter: EXISTS (subquery) (rows=333)
    Subquery (correlated):
      Project: 1 (rows=333)
        Filter: (w.author_id = outer.a.id) (rows=333)
          Scan work AS w (rows=1000)
    Scan author AS a (rows=1000)
after decorrelate:
Project: a.name (rows=1000)
  NestedLoopJoin semi: (w.author_id = a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
after predicate_pushdown:
Project: a.name (rows=1000)
  NestedLoopJoin semi: (w.author_id = a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
after access_path:
Project: a.name (rows=1000)
  NestedLoopJoin semi: (w.author_id = a.id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
after join_algorithm:
Project: a.name (rows=1000)
  HashJoin semi: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
after limit_pushdown:
Project: a.name (rows=1000)
  HashJoin semi: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
after project_merge:
Project: a.name (rows=1000)
  HashJoin semi: (a.id) = (w.author_id) (rows=1000)
    Scan author AS a (rows=1000)
    Scan work AS w (rows=1000)
EXPLAIN

# What EXPLAIN refuses.
EXPLAIN CREATE TABLE x (a INT)
----
error 0A000: EXPLAIN supports SELECT, VALUES, INSERT, UPDATE and DELETE, not CREATE TABLE

EXPLAIN DROP TABLE author
----
error 0A000: EXPLAIN supports SELECT, VALUES, INSERT, UPDATE and DELETE, not DROP TABLE

EXPLAIN EXPLAIN SELECT 1
----
error 42601: syntax error at line 1, column 9: EXPLAIN of an EXPLAIN is not supported

EXPLAIN (NOSUCH) SELECT 1
----
error 42601: syntax error at line 1, column 10: expected STEPS, found 'NOSUCH'

EXPLAIN
----
error 42601: syntax error at line 1, column 8: expected statement, found end of input

EXPLAIN SELECT FROM
----
error 42601: syntax error at line 1, column 16: expected expression, found keyword 'FROM'

EXPLAIN UPDATE nosuch SET a = 1
----
error 42P01: relation "nosuch" does not exist

EXPLAIN SELECT 1 / 0
----
QUERY PLAN
Project: (1 / 0) (rows=1)
  Values: 1 rows (rows=1)
EXPLAIN
