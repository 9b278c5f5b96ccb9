# EXPLAIN prints the plan (one row per line, column "QUERY PLAN"). The plans here are the
# binder's until the optimizer is in the tree; regenerate with UPDATE_GOLDEN=1 then.

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
  Sort: title (rows=333)
    Project: movie.title (rows=333)
      Filter: (movie.year > 2000) (rows=333)
        Scan movie (rows=1000)
EXPLAIN

EXPLAIN SELECT m.title, count(*) FROM movie m JOIN review r ON r.movie_id = m.id GROUP BY m.title HAVING count(*) > 1
----
QUERY PLAN
Project: m.title, count(*) (rows=33)
  Filter: (count(*) > 1) (rows=33)
    Aggregate by m.title: count(*) (rows=100)
      NestedLoopJoin inner: (r.movie_id = m.id) (rows=1000)
        Scan movie AS m (rows=1000)
        Scan review AS r (rows=1000)
EXPLAIN

EXPLAIN SELECT title FROM movie WHERE id IN (SELECT movie_id FROM review WHERE stars = 5)
----
QUERY PLAN
Project: movie.title (rows=333)
  Filter: (movie.id IN (subquery)) (rows=333)
    Subquery:
      Project: review.movie_id (rows=333)
        Filter: (review.stars = 5) (rows=333)
          Scan review (rows=1000)
    Scan movie (rows=1000)
EXPLAIN

EXPLAIN (STEPS) SELECT id FROM movie WHERE id = 1
----
QUERY PLAN
initial plan:
Project: movie.id (rows=333)
  Filter: (movie.id = 1) (rows=333)
    Scan movie (rows=1000)
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
