# The optimizer's rules (docs/11-sql-planner.md), each shown by EXPLAIN and by the rows the
# optimized plan returns. Every query's rows are also what the unoptimized plan returns: the
# property test sql_optimizer_test checks that on generated statements.

CREATE TABLE customer (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)
----
CREATE TABLE

CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, amount INT, note TEXT)
----
CREATE TABLE

CREATE INDEX orders_customer ON orders (customer_id)
----
CREATE INDEX

CREATE TABLE visit (day INT, customer_id INT, seq INT, PRIMARY KEY ((day), customer_id, seq))
----
CREATE TABLE

CREATE TABLE tag (label TEXT, weight INT)
----
CREATE TABLE

INSERT INTO customer VALUES (1, 'ada', 'paris'), (2, 'bob', 'oslo'), (3, 'cy', NULL), (4, 'di', 'paris')
----
INSERT 4

INSERT INTO orders VALUES (10, 1, 50, NULL), (11, 1, 70, 'gift'), (12, 2, 20, NULL), (13, NULL, 99, 'lost'), (14, 4, 5, NULL)
----
INSERT 5

INSERT INTO visit VALUES (1, 1, 1), (1, 1, 2), (1, 2, 1), (2, 1, 1), (2, 3, 1), (3, 4, 1)
----
INSERT 6

INSERT INTO tag VALUES ('a', 1), ('b', 2), ('c', NULL)
----
INSERT 3

# --- constant_folding: what needs no row is computed once; TRUE conjuncts vanish, a FALSE
# filter becomes Empty. An error is left for run time (only a row reaching it fails).

EXPLAIN SELECT name FROM customer WHERE 1 + 1 = 2 AND city = 'par' || 'is'
----
QUERY PLAN
Project: customer.name (rows=333)
  Scan customer filter=(customer.city = 'paris') (rows=333)
EXPLAIN

SELECT name FROM customer WHERE 1 + 1 = 2 AND city = 'par' || 'is' ORDER BY name
----
name
ada
di
SELECT 2

EXPLAIN SELECT name FROM customer WHERE 2 < 1
----
QUERY PLAN
Project: customer.name (rows=0)
  Empty (rows=0)
EXPLAIN

SELECT count(*) FROM customer WHERE 2 < 1
----
count
0
SELECT 1

EXPLAIN SELECT CASE WHEN id > 100 THEN 1 / 0 ELSE 0 END FROM customer
----
QUERY PLAN
Project: CASE WHEN (customer.id > 100) THEN (1 / 0) ELSE 0 END (rows=1000)
  Scan customer (rows=1000)
EXPLAIN

SELECT CASE WHEN id > 100 THEN 1 / 0 ELSE 0 END AS c FROM customer WHERE id = 1
----
c
0
SELECT 1

# --- predicate_pushdown: WHERE conjuncts go to the side of a join they read; an inner join's
# ON conjuncts on one side go into that side's scan.

EXPLAIN SELECT c.name, o.amount FROM customer c JOIN orders o ON o.customer_id = c.id AND o.amount > 10 WHERE c.city = 'paris'
----
QUERY PLAN
Project: c.name, o.amount (rows=333)
  HashJoin inner: (c.id) = (o.customer_id) (rows=333)
    Scan customer AS c filter=(c.city = 'paris') (rows=333)
    Scan orders AS o filter=(o.amount > 10) (rows=333)
EXPLAIN

SELECT c.name, o.amount FROM customer c JOIN orders o ON o.customer_id = c.id AND o.amount > 10 WHERE c.city = 'paris' ORDER BY 2
----
name | amount
ada | 50
ada | 70
SELECT 2

# Through a derived table: the outer WHERE reaches the scan inside it.
EXPLAIN SELECT * FROM (SELECT id, name FROM customer) AS s WHERE s.id = 2
----
QUERY PLAN
Project: customer.id, customer.name (rows=1)
  Scan customer primary key = (2) filter=(customer.id = 2) (rows=1)
EXPLAIN

# Through GROUP BY, a conjunct on the group key only (HAVING on an aggregate stays above).
EXPLAIN SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id HAVING customer_id = 1 AND sum(amount) > 10
----
QUERY PLAN
Project: orders.customer_id, sum(orders.amount) (rows=1)
  Filter: (sum(orders.amount) > 10) (rows=1)
    Aggregate by orders.customer_id: sum(orders.amount) (rows=1)
      Scan orders index orders_customer = (1) filter=(orders.customer_id = 1) (rows=10)
EXPLAIN

SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id HAVING customer_id = 1 AND sum(amount) > 10
----
customer_id | sum
1 | 120
SELECT 1

# A LEFT JOIN's ON conjunct on the left side must not filter the left rows: it stays.
EXPLAIN SELECT c.name, o.id FROM customer c LEFT JOIN orders o ON o.customer_id = c.id AND c.city = 'paris'
----
QUERY PLAN
Project: c.name, o.id (rows=1000)
  HashJoin left: (c.id) = (o.customer_id) on (c.city = 'paris') (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o (rows=1000)
EXPLAIN

SELECT c.name, o.id FROM customer c LEFT JOIN orders o ON o.customer_id = c.id AND c.city = 'paris' ORDER BY 1, 2
----
name | id
ada | 10
ada | 11
bob | NULL
cy | NULL
di | 14
SELECT 5

# A WHERE conjunct on the NULL-padded side of a LEFT JOIN: IS NULL keeps padded rows, so it
# stays above the join ...
EXPLAIN SELECT c.name FROM customer c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL
----
QUERY PLAN
Project: c.name (rows=333)
  Filter: (o.id IS NULL) (rows=333)
    HashJoin left: (c.id) = (o.customer_id) (rows=1000)
      Scan customer AS c (rows=1000)
      Scan orders AS o (rows=1000)
EXPLAIN

SELECT c.name FROM customer c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.id IS NULL
----
name
cy
SELECT 1

# ... while a comparison rejects them, so the LEFT JOIN becomes an inner one and the conjunct
# moves down.
EXPLAIN SELECT c.name, o.amount FROM customer c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.amount > 40
----
QUERY PLAN
Project: c.name, o.amount (rows=1000)
  HashJoin inner: (c.id) = (o.customer_id) (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o filter=(o.amount > 40) (rows=333)
EXPLAIN

SELECT c.name, o.amount FROM customer c LEFT JOIN orders o ON o.customer_id = c.id WHERE o.amount > 40 ORDER BY 2
----
name | amount
ada | 50
ada | 70
SELECT 2

# A FULL JOIN with a conjunct rejecting NULLs of the left side becomes a LEFT JOIN.
EXPLAIN SELECT c.id, o.id FROM customer c FULL JOIN orders o ON o.customer_id = c.id WHERE c.id < 3
----
QUERY PLAN
Project: c.id, o.id (rows=1000)
  HashJoin left: (c.id) = (o.customer_id) (rows=1000)
    Scan customer AS c primary key range (-inf, 3) filter=(c.id < 3) (rows=250)
    Scan orders AS o (rows=1000)
EXPLAIN

SELECT c.id, o.id FROM customer c FULL JOIN orders o ON o.customer_id = c.id WHERE c.id < 3 ORDER BY 1, 2
----
id | id
1 | 10
1 | 11
2 | 12
SELECT 3

# --- decorrelate: EXISTS, NOT EXISTS and IN (subquery) become semi and anti joins.

EXPLAIN SELECT name FROM customer c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 60)
----
QUERY PLAN
Project: c.name (rows=1000)
  HashJoin semi: (c.id) = (o.customer_id) (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o filter=(o.amount > 60) (rows=333)
EXPLAIN

SELECT name FROM customer c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.amount > 60)
----
name
ada
SELECT 1

EXPLAIN SELECT name FROM customer c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)
----
QUERY PLAN
Project: c.name (rows=1000)
  HashJoin anti: (c.id) = (o.customer_id) (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o (rows=1000)
EXPLAIN

SELECT name FROM customer c WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id) ORDER BY name
----
name
cy
SELECT 1

EXPLAIN SELECT name FROM customer WHERE id IN (SELECT customer_id FROM orders WHERE note IS NULL)
----
QUERY PLAN
Project: customer.name (rows=1000)
  HashJoin semi: (customer.id) = (orders.customer_id) (rows=1000)
    Scan customer (rows=1000)
    Project: orders.customer_id (rows=333)
      Scan orders filter=(orders.note IS NULL) (rows=333)
EXPLAIN

SELECT name FROM customer WHERE id IN (SELECT customer_id FROM orders WHERE note IS NULL) ORDER BY name
----
name
ada
bob
di
SELECT 3

# NOT IN stays a subquery: orders.customer_id holds a NULL, so NOT IN is never TRUE here, which
# an anti join would not know.
EXPLAIN SELECT name FROM customer WHERE id NOT IN (SELECT customer_id FROM orders)
----
QUERY PLAN
Project: customer.name (rows=333)
  Scan customer filter=(customer.id NOT IN (subquery)) (rows=333)
    Subquery:
      Project: orders.customer_id (rows=1000)
        Scan orders (rows=1000)
EXPLAIN

SELECT name FROM customer WHERE id NOT IN (SELECT customer_id FROM orders)
----
name
SELECT 0

# An aggregate in the subquery changes which rows it has (count(*) always gives one): no join.
EXPLAIN SELECT name FROM customer c WHERE EXISTS (SELECT count(*) FROM orders o WHERE o.customer_id = c.id)
----
QUERY PLAN
Project: c.name (rows=333)
  Scan customer AS c filter=EXISTS (subquery) (rows=333)
    Subquery (correlated):
      Project: count(*) (rows=1)
        Aggregate: count(*) (rows=1)
          Scan orders AS o index orders_customer = (outer.c.id) filter=(o.customer_id = outer.c.id) (rows=10)
EXPLAIN

SELECT count(*) FROM customer c WHERE EXISTS (SELECT count(*) FROM orders o WHERE o.customer_id = c.id)
----
count
4
SELECT 1

# --- access_path: key lookups and ranges on the primary key, a composite key's prefix, an
# index, the hidden row id.

EXPLAIN SELECT name FROM customer WHERE id = 3
----
QUERY PLAN
Project: customer.name (rows=1)
  Scan customer primary key = (3) filter=(customer.id = 3) (rows=1)
EXPLAIN

EXPLAIN SELECT name FROM customer WHERE id IN (4, 2, 4)
----
QUERY PLAN
Project: customer.name (rows=3)
  Scan customer primary key = (4), (2), (4) filter=(customer.id IN (4, 2, 4)) (rows=3)
EXPLAIN

SELECT name FROM customer WHERE id IN (4, 2, 4)
----
name
bob
di
SELECT 2

EXPLAIN SELECT name FROM customer WHERE id BETWEEN 2 AND 3
----
QUERY PLAN
Project: customer.name (rows=250)
  Scan customer primary key range [2, 3] filter=((customer.id >= 2) AND (customer.id <= 3)) (rows=250)
EXPLAIN

SELECT name FROM customer WHERE id > 1 AND id <= 3
----
name
bob
cy
SELECT 2

EXPLAIN SELECT id FROM orders WHERE customer_id = 1
----
QUERY PLAN
Project: orders.id (rows=10)
  Scan orders index orders_customer = (1) filter=(orders.customer_id = 1) (rows=10)
EXPLAIN

SELECT id FROM orders WHERE customer_id = 1
----
id
10
11
SELECT 2

EXPLAIN SELECT seq FROM visit WHERE day = 1 AND customer_id = 1
----
QUERY PLAN
Project: visit.seq (rows=10)
  Scan visit primary key = (1, 1) filter=((visit.day = 1) AND (visit.customer_id = 1)) (rows=10)
EXPLAIN

EXPLAIN SELECT customer_id FROM visit WHERE day = 1 AND customer_id >= 2
----
QUERY PLAN
Project: visit.customer_id (rows=5)
  Scan visit primary key range (1) [2, +inf) filter=((visit.day = 1) AND (visit.customer_id >= 2)) (rows=5)
EXPLAIN

SELECT day, customer_id, seq FROM visit WHERE day = 1 AND customer_id >= 2
----
day | customer_id | seq
1 | 2 | 1
SELECT 1

EXPLAIN SELECT label FROM tag WHERE rowid = 2
----
QUERY PLAN
Project: tag.label (rows=1)
  Scan tag primary key = (2) filter=(tag.rowid = 2) (rows=1)
EXPLAIN

SELECT label FROM tag WHERE rowid = 2
----
label
b
SELECT 1

# A key value of another type: 1.5 equals no INTEGER key (no row), 2.0 equals 2.
SELECT name FROM customer WHERE id = 1.5
----
name
SELECT 0

SELECT name FROM customer WHERE id = 2.0
----
name
bob
SELECT 1

SELECT name FROM customer WHERE id > 1.5 AND id < 3.5
----
name
bob
cy
SELECT 2

# An equality with NULL matches nothing, through the key as through the filter.
SELECT name FROM customer WHERE id = NULL
----
name
SELECT 0

# A correlated subquery's outer column is a key value too.
EXPLAIN SELECT name, (SELECT max(amount) FROM orders o WHERE o.customer_id = c.id) AS top FROM customer c
----
QUERY PLAN
Project: c.name, (subquery) (rows=1000)
  Subquery (correlated):
    Project: max(o.amount) (rows=1)
      Aggregate: max(o.amount) (rows=1)
        Scan orders AS o index orders_customer = (outer.c.id) filter=(o.customer_id = outer.c.id) (rows=10)
  Scan customer AS c (rows=1000)
EXPLAIN

SELECT name, (SELECT max(amount) FROM orders o WHERE o.customer_id = c.id) AS top FROM customer c
----
name | top
ada | 70
bob | 20
cy | NULL
di | 5
SELECT 4

# UPDATE and DELETE find their rows the same way.
EXPLAIN UPDATE orders SET amount = amount + 1 WHERE id = 12
----
QUERY PLAN
Update orders: amount = (orders.amount + 1) (rows=1)
  Scan orders primary key = (12) filter=(orders.id = 12) (rows=1)
EXPLAIN

UPDATE orders SET amount = amount + 1 WHERE id = 12
----
UPDATE 1

EXPLAIN DELETE FROM orders WHERE customer_id = 4
----
QUERY PLAN
Delete from orders (rows=10)
  Scan orders index orders_customer = (4) filter=(orders.customer_id = 4) (rows=10)
EXPLAIN

DELETE FROM orders WHERE customer_id = 4
----
DELETE 1

SELECT id, customer_id, amount FROM orders ORDER BY id
----
id | customer_id | amount
10 | 1 | 50
11 | 1 | 70
12 | 2 | 21
13 | NULL | 99
SELECT 4

# --- join_algorithm: equalities between the two sides make a hash join; an inner join builds
# on the smaller input (here the filtered customers), swapping the sides under a Project.

EXPLAIN SELECT c.name, o.id FROM customer c JOIN orders o ON c.id = o.customer_id WHERE c.city = 'oslo'
----
QUERY PLAN
Project: c.name, o.id (rows=1000)
  HashJoin inner: (o.customer_id) = (c.id) (rows=1000)
    Scan orders AS o (rows=1000)
    Scan customer AS c filter=(c.city = 'oslo') (rows=333)
EXPLAIN

SELECT c.name, o.id FROM customer c JOIN orders o ON c.id = o.customer_id WHERE c.city = 'oslo'
----
name | id
bob | 12
SELECT 1

EXPLAIN SELECT c.name, o.id FROM customer c FULL JOIN orders o ON c.id = o.customer_id AND o.amount > 60
----
QUERY PLAN
Project: c.name, o.id (rows=1000)
  HashJoin full: (c.id) = (o.customer_id) on (o.amount > 60) (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o (rows=1000)
EXPLAIN

SELECT c.name, o.id FROM customer c FULL JOIN orders o ON c.id = o.customer_id AND o.amount > 60 ORDER BY 1, 2
----
name | id
NULL | 10
NULL | 12
NULL | 13
ada | 11
bob | NULL
cy | NULL
di | NULL
SELECT 7

# A join condition without an equality between the sides stays a nested loop.
EXPLAIN SELECT c.id, o.id FROM customer c JOIN orders o ON o.amount > c.id * 30
----
QUERY PLAN
Project: c.id, o.id (rows=1000)
  NestedLoopJoin inner: (o.amount > (c.id * 30)) (rows=1000)
    Scan customer AS c (rows=1000)
    Scan orders AS o (rows=1000)
EXPLAIN
