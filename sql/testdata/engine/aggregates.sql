# Aggregates: COUNT(*) against COUNT(col), SUM/AVG/MIN/MAX over empty input, all-NULL groups
# and mixed numbers, DISTINCT aggregates, GROUP BY expressions and ordinals, HAVING with and
# without GROUP BY, and the grouping errors.
CREATE TABLE sale (id INT PRIMARY KEY, region TEXT, item TEXT, qty INT, price FLOAT)
----
CREATE TABLE

INSERT INTO sale VALUES (1, 'n', 'a', 3, 1.5), (2, 'n', 'b', NULL, 2.0), (3, 's', 'a', 5, NULL), (4, 's', 'a', 5, 1.0), (5, NULL, 'c', 1, 4.0), (6, 'e', 'd', NULL, NULL), (7, 'n', 'a', 2, 1.5)
----
INSERT 7

CREATE TABLE none (id INT PRIMARY KEY, v INT, f FLOAT, s TEXT)
----
CREATE TABLE

# COUNT(*) counts rows; COUNT(col) counts non-NULL values.
SELECT count(*), count(qty), count(price), count(region), count(id) FROM sale
----
count | count | count | count | count
7 | 5 | 5 | 6 | 7
SELECT 1

SELECT count(*) FROM sale WHERE qty IS NULL
----
count
2
SELECT 1

SELECT count(qty) FROM sale WHERE qty IS NULL
----
count
0
SELECT 1

SELECT count(1), count(NULL), count('x') FROM sale
----
count | count | count
7 | 0 | 7
SELECT 1

SELECT count(*) + 1, count(*) * 2 FROM sale
----
?column? | ?column?
8 | 14
SELECT 1

# Over no rows: COUNT is 0, the others NULL; with GROUP BY, no groups at all.
SELECT count(*), count(v), sum(v), avg(v), min(v), max(v) FROM none
----
count | count | sum | avg | min | max
0 | 0 | NULL | NULL | NULL | NULL
SELECT 1

SELECT sum(f), avg(f), min(s), max(s) FROM none
----
sum | avg | min | max
NULL | NULL | NULL | NULL
SELECT 1

SELECT count(*) FROM none GROUP BY v
----
count
SELECT 0

SELECT v, count(*) FROM none GROUP BY v
----
v | count
SELECT 0

SELECT count(*), sum(qty) FROM sale WHERE false
----
count | sum
0 | NULL
SELECT 1

SELECT count(*) FROM sale WHERE id > 100 HAVING count(*) = 0
----
count
0
SELECT 1

# An all-NULL group: COUNT(col) 0, SUM/AVG/MIN/MAX NULL.
SELECT region, count(*), count(qty), sum(qty), avg(qty), min(qty), max(qty) FROM sale WHERE region = 'e' GROUP BY region
----
region | count | count | sum | avg | min | max
e | 1 | 0 | NULL | NULL | NULL | NULL
SELECT 1

SELECT item, count(price), sum(price), avg(price) FROM sale GROUP BY item ORDER BY item
----
item | count | sum | avg
a | 3 | 4.0 | 1.3333333333333333
b | 1 | 2.0 | 2.0
c | 1 | 4.0 | 4.0
d | 0 | NULL | NULL
SELECT 4

# Types: SUM of INTEGER is INTEGER, AVG is FLOAT, MIN/MAX keep the type (strings too).
SELECT sum(qty), avg(qty), min(qty), max(qty) FROM sale
----
sum | avg | min | max
16 | 3.2 | 1 | 5
SELECT 1

SELECT sum(price), avg(price), min(price), max(price) FROM sale
----
sum | avg | min | max
10.0 | 2.0 | 1.0 | 4.0
SELECT 1

SELECT typeof(sum(qty)), typeof(avg(qty)), typeof(sum(price)), typeof(min(item)) FROM sale
----
typeof | typeof | typeof | typeof
integer | float | float | string
SELECT 1

SELECT min(item), max(item), min(region), max(region) FROM sale
----
min | max | min | max
a | d | e | s
SELECT 1

SELECT sum(qty * price), avg(qty * 1.0), sum(qty) / count(qty) FROM sale
----
sum | avg | ?column?
16.5 | 3.2 | 3
SELECT 1

SELECT avg(x) FROM (SELECT 1 AS x UNION ALL SELECT 2) t
----
avg
1.5
SELECT 1

SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1) t
----
error 22003: bigint out of range

SELECT sum(x) FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1 UNION ALL SELECT -2) t
----
error 22003: bigint out of range

SELECT min(x), max(x) FROM (SELECT true AS x UNION ALL SELECT false) t
----
min | max
false | true
SELECT 1

SELECT sum(item) FROM sale
----
error 42804: function sum(STRING) does not exist

SELECT avg(region) FROM sale
----
error 42804: function avg(STRING) does not exist

# DISTINCT aggregates ignore duplicates (and NULLs).
SELECT count(DISTINCT item), count(DISTINCT region), count(DISTINCT qty) FROM sale
----
count | count | count
4 | 3 | 4
SELECT 1

SELECT sum(DISTINCT qty), avg(DISTINCT qty), sum(qty) FROM sale
----
sum | avg | sum
11 | 2.75 | 16
SELECT 1

SELECT region, count(DISTINCT item) FROM sale GROUP BY region ORDER BY region
----
region | count
NULL | 1
e | 1
n | 2
s | 1
SELECT 4

SELECT count(DISTINCT price) FROM sale
----
count
4
SELECT 1

SELECT count(ALL qty) FROM sale
----
count
5
SELECT 1

SELECT count(DISTINCT *) FROM sale
----
error 42601: syntax error at line 1, column 23: expected expression, found '*'

# GROUP BY: NULL is one group; groups by expressions, ordinals and output names.
SELECT region, count(*) FROM sale GROUP BY region ORDER BY region
----
region | count
NULL | 1
e | 1
n | 3
s | 2
SELECT 4

SELECT region, item, count(*), sum(qty) FROM sale GROUP BY region, item ORDER BY region, item
----
region | item | count | sum
NULL | c | 1 | 1
e | d | 1 | NULL
n | a | 2 | 5
n | b | 1 | NULL
s | a | 2 | 10
SELECT 5

SELECT qty IS NULL AS missing, count(*) FROM sale GROUP BY qty IS NULL ORDER BY 1
----
missing | count
false | 5
true | 2
SELECT 2

SELECT id % 2, count(*) FROM sale GROUP BY id % 2 ORDER BY 1
----
?column? | count
0 | 3
1 | 4
SELECT 2

SELECT upper(item) AS u, count(*) FROM sale GROUP BY upper(item) ORDER BY u
----
u | count
A | 4
B | 1
C | 1
D | 1
SELECT 4

SELECT item, count(*) FROM sale GROUP BY 1 ORDER BY 2 DESC, 1
----
item | count
a | 4
b | 1
c | 1
d | 1
SELECT 4

SELECT item AS i, sum(qty) FROM sale GROUP BY i ORDER BY i
----
i | sum
a | 15
b | NULL
c | 1
d | NULL
SELECT 4

SELECT qty % 2 AS parity, count(*) FROM sale GROUP BY parity ORDER BY parity
----
parity | count
NULL | 2
0 | 1
1 | 4
SELECT 3

SELECT item AS qty, count(*) FROM sale GROUP BY qty ORDER BY 1
----
error 42803: column "sale.item" must appear in the GROUP BY clause or be used in an aggregate function

SELECT item AS x, region AS x FROM sale GROUP BY x
----
error 42702: GROUP BY "x" is ambiguous

SELECT count(*) AS n FROM sale GROUP BY n
----
error 42803: aggregate functions are not allowed in GROUP BY

SELECT item FROM sale GROUP BY nosuch
----
error 42703: column "nosuch" does not exist

SELECT coalesce(region, '?') AS r, count(*) FROM sale GROUP BY coalesce(region, '?') ORDER BY r
----
r | count
? | 1
e | 1
n | 3
s | 2
SELECT 4

SELECT CASE WHEN qty > 2 THEN 'big' ELSE 'small' END AS size, count(*) FROM sale GROUP BY CASE WHEN qty > 2 THEN 'big' ELSE 'small' END ORDER BY 1
----
size | count
big | 3
small | 4
SELECT 2

SELECT region FROM sale GROUP BY region ORDER BY region
----
region
NULL
e
n
s
SELECT 4

SELECT DISTINCT region FROM sale ORDER BY region
----
region
NULL
e
n
s
SELECT 4

SELECT count(*) FROM (SELECT region FROM sale GROUP BY region) g
----
count
4
SELECT 1

SELECT item, count(*) FROM sale GROUP BY 3
----
error 42P10: GROUP BY position 3 is not in select list

SELECT item, count(*) FROM sale GROUP BY 0
----
error 42P10: GROUP BY position 0 is not in select list

# Every selected column must be grouped or aggregated.
SELECT region, item FROM sale GROUP BY region
----
error 42803: column "sale.item" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region, count(*) FROM sale
----
error 42803: column "sale.region" must appear in the GROUP BY clause or be used in an aggregate function

SELECT id, count(*) FROM sale GROUP BY region
----
error 42803: column "sale.id" must appear in the GROUP BY clause or be used in an aggregate function

SELECT qty + 1, count(*) FROM sale GROUP BY qty ORDER BY 1
----
?column? | count
NULL | 2
2 | 1
3 | 1
4 | 1
6 | 2
SELECT 5

SELECT qty, count(*) FROM sale GROUP BY qty + 1
----
error 42803: column "sale.qty" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region, sum(qty) FROM sale GROUP BY region ORDER BY item
----
error 42803: column "sale.item" must appear in the GROUP BY clause or be used in an aggregate function

# HAVING filters groups; it may use aggregates not in the select list, or none at all.
SELECT region, sum(qty) FROM sale GROUP BY region HAVING sum(qty) > 5 ORDER BY region
----
region | sum
s | 10
SELECT 1

SELECT region FROM sale GROUP BY region HAVING count(*) >= 2 AND max(price) < 2 ORDER BY region
----
region
s
SELECT 1

SELECT region, count(*) FROM sale GROUP BY region HAVING region IS NOT NULL ORDER BY region
----
region | count
e | 1
n | 3
s | 2
SELECT 3

SELECT region FROM sale GROUP BY region HAVING sum(qty) IS NULL ORDER BY region
----
region
e
SELECT 1

SELECT count(*) FROM sale HAVING count(*) > 3
----
count
7
SELECT 1

SELECT count(*) FROM sale HAVING count(*) > 30
----
count
SELECT 0

SELECT 'x' FROM sale HAVING sum(qty) > 0
----
?column?
x
SELECT 1

SELECT region FROM sale GROUP BY region HAVING qty > 1
----
error 42803: column "sale.qty" must appear in the GROUP BY clause or be used in an aggregate function

SELECT region FROM sale GROUP BY region HAVING count(*)
----
error 42804: argument of HAVING must be type BOOLEAN, not type INTEGER

SELECT region FROM sale WHERE count(*) > 1 GROUP BY region
----
error 42803: aggregate functions are not allowed in WHERE

# Aggregates in expressions and ORDER BY; nested aggregates are an error.
SELECT max(qty) - min(qty), sum(qty) * 1.0 / count(*), count(*) = 7 FROM sale
----
?column? | ?column? | ?column?
4 | 2.2857142857142856 | true
SELECT 1

SELECT region, max(price) / min(price) FROM sale WHERE price IS NOT NULL GROUP BY region ORDER BY region
----
region | ?column?
NULL | 1.0
n | 1.3333333333333333
s | 1.0
SELECT 3

SELECT region FROM sale GROUP BY region ORDER BY count(*) DESC, region
----
region
n
s
NULL
e
SELECT 4

SELECT region, sum(qty) AS total FROM sale GROUP BY region ORDER BY total DESC, region
----
region | total
s | 10
n | 5
NULL | 1
e | NULL
SELECT 4

SELECT max(count(*)) FROM sale
----
error 42803: aggregate functions are not allowed in arguments of aggregate functions

SELECT sum(max(qty)) FROM sale GROUP BY region
----
error 42803: aggregate functions are not allowed in arguments of aggregate functions

SELECT count(*) FROM sale GROUP BY count(*)
----
error 42803: aggregate functions are not allowed in GROUP BY

SELECT nosuch(qty) FROM sale
----
error 42883: function nosuch does not exist

SELECT sum(qty, price) FROM sale
----
error 42883: function sum takes exactly one argument

SELECT sum(*) FROM sale
----
error 42883: function sum(*) does not exist

SELECT lower(*) FROM sale
----
error 42883: function lower(*) does not exist

SELECT count(*), COUNT(*), Count(*) FROM sale
----
count | count | count
7 | 7 | 7
SELECT 1

# Aggregates over joins and with LIMIT.
CREATE TABLE region_name (code TEXT PRIMARY KEY, name TEXT)
----
CREATE TABLE

INSERT INTO region_name VALUES ('n', 'north'), ('s', 'south'), ('w', 'west')
----
INSERT 3

SELECT r.name, count(s.id), coalesce(sum(s.qty), 0) FROM region_name r LEFT JOIN sale s ON s.region = r.code GROUP BY r.name ORDER BY r.name
----
name | count | coalesce
north | 3 | 5
south | 2 | 10
west | 0 | 0
SELECT 3

SELECT r.name, count(*) FROM region_name r JOIN sale s ON s.region = r.code GROUP BY r.name HAVING count(*) > 2
----
name | count
north | 3
SELECT 1

SELECT region, count(*) FROM sale GROUP BY region ORDER BY count(*) DESC, region LIMIT 2
----
region | count
n | 3
s | 2
SELECT 2

SELECT region, count(*) FROM sale GROUP BY region ORDER BY region LIMIT 2 OFFSET 1
----
region | count
e | 1
n | 3
SELECT 2

SELECT count(*) FROM sale LIMIT 0
----
count
SELECT 0

SELECT region, count(*) FROM sale GROUP BY region ORDER BY region LIMIT 10 OFFSET 4
----
region | count
SELECT 0

SELECT region FROM sale GROUP BY region LIMIT -1
----
error 2201W: LIMIT must not be negative

SELECT region FROM sale GROUP BY region OFFSET -1
----
error 2201X: OFFSET must not be negative

SELECT DISTINCT region FROM sale ORDER BY id
----
error 42P10: for SELECT DISTINCT, ORDER BY expressions must appear in select list

SELECT DISTINCT region, count(*) FROM sale GROUP BY region, item ORDER BY region, 2
----
region | count
NULL | 1
e | 1
n | 1
n | 2
s | 2
SELECT 5

# min and max over FLOAT with NaN, and over timestamps.
CREATE TABLE reading (id INT PRIMARY KEY, v FLOAT, at TIMESTAMP)
----
CREATE TABLE

INSERT INTO reading VALUES (1, 2.0, '2024-01-02 00:00:00'), (2, CAST('NaN' AS FLOAT), NULL), (3, -1.0, '2023-12-31 23:59:59'), (4, NULL, '2024-06-01 12:00:00')
----
INSERT 4

SELECT min(v), max(v), count(v), min(at), max(at) FROM reading
----
min | max | count | min | max
-1.0 | NaN | 3 | 2023-12-31 23:59:59 | 2024-06-01 12:00:00
SELECT 1

SELECT sum(v), avg(v) FROM reading
----
sum | avg
NaN | NaN
SELECT 1

SELECT sum(v), avg(v) FROM reading WHERE id <> 2
----
sum | avg
1.0 | 0.5
SELECT 1
