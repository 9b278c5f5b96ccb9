# EXPLAIN prints the optimized plan (one row per line, column "QUERY PLAN"); EXPLAIN (STEPS)
# prints the binder's plan and then the plan after each optimizer rule. optimizer.sql shows each
# rule on its own, with the rows the plans return.

CREATE TABLE movie (id INT PRIMARY KEY, title TEXT NOT NULL, year INT)
----
CREATE TABLE

CREATE TABLE review (id INT PRIMARY KEY, movie_id INT REFERENCES movie, stars INT)
----
CREATE TABLE

EXPLAIN SELECT title FROM movie WHERE year > 2000 ORDER BY title LIMIT 3
----
QUERY PLAN
Limit: 3 (rows=3)
  Sort: title (top 3) (rows=3)
    Project: movie.title (rows=333)
      Scan movie filter=(movie.year > 2000) (rows=333)
EXPLAIN

EXPLAIN SELECT m.title, count(*) FROM movie m JOIN review r ON r.movie_id = m.id GROUP BY m.title HAVING count(*) > 1
----
QUERY PLAN
Project: m.title, count(*) (rows=33)
  Filter: (count(*) > 1) (rows=33)
    Aggregate by m.title: count(*) (rows=100)
      HashJoin inner: (m.id) = (r.movie_id) (rows=1000)
        Scan movie AS m (rows=1000)
        Scan review AS r (rows=1000)
EXPLAIN

EXPLAIN SELECT title FROM movie WHERE id IN (SELECT movie_id FROM review WHERE stars = 5)
----
QUERY PLAN
Project: movie.title (rows=1000)
  HashJoin semi: (movie.id) = (review.movie_id) (rows=1000)
    Scan movie (rows=1000)
    Project: review.movie_id (rows=333)
      Scan review filter=(review.stars = 5) (rows=333)
EXPLAIN

EXPLAIN (STEPS) SELECT id FROM movie WHERE id = 1
----
QUERY PLAN
initial plan:
Project: movie.id (rows=333)
  Filter: (movie.id = 1) (rows=333)
    Scan movie (rows=1000)
after constant_folding:
Project: movie.id (rows=333)
  Filter: (movie.id = 1) (rows=333)
    Scan movie (rows=1000)
after decorrelate:
Project: movie.id (rows=333)
  Filter: (movie.id = 1) (rows=333)
    Scan movie (rows=1000)
after predicate_pushdown:
Project: movie.id (rows=333)
  Scan movie filter=(movie.id = 1) (rows=333)
after access_path:
Project: movie.id (rows=1)
  Scan movie primary key = (1) filter=(movie.id = 1) (rows=1)
after join_algorithm:
Project: movie.id (rows=1)
  Scan movie primary key = (1) filter=(movie.id = 1) (rows=1)
after limit_pushdown:
Project: movie.id (rows=1)
  Scan movie primary key = (1) filter=(movie.id = 1) (rows=1)
after project_merge:
Project: movie.id (rows=1)
  Scan movie primary key = (1) filter=(movie.id = 1) (rows=1)
EXPLAIN

EXPLAIN SELECT nosuch FROM movie
----
error 42703: column "nosuch" does not exist

EXPLAIN SELECT * FROM nosuch
----
error 42P01: relation "nosuch" does not exist

EXPLAIN ANALYZE SELECT 1
----
error 0A000: EXPLAIN ANALYZE is not supported

EXPLAIN BEGIN
----
error 0A000: EXPLAIN supports SELECT, VALUES, INSERT, UPDATE and DELETE, not BEGIN
