# Queries end to end over two small tables: WHERE, joins of every kind, GROUP BY/HAVING,
# ORDER BY (NULLS FIRST/LAST, ordinals, output names), LIMIT/OFFSET, DISTINCT, predicates,
# functions, subqueries (scalar, IN, EXISTS, correlated and not) and set operations.
CREATE TABLE dept (id INT PRIMARY KEY, name TEXT NOT NULL, city TEXT)
----
CREATE TABLE

CREATE TABLE emp (id INT PRIMARY KEY, name TEXT NOT NULL, dept_id INT, salary INT, bonus FLOAT)
----
CREATE TABLE

INSERT INTO dept VALUES (1, 'eng', 'oslo'), (2, 'ops', 'rome'), (3, 'hr', NULL), (4, 'empty', 'oslo')
----
INSERT 4

INSERT INTO emp VALUES (1, 'ann', 1, 100, 1.5), (2, 'bob', 1, 80, NULL), (3, 'cid', 2, 70, 0.5), (4, 'dee', 2, NULL, 2.0), (5, 'eve', NULL, 60, NULL), (6, 'fay', 3, 90, 1.0), (7, 'gus', 9, 50, 0.0)
----
INSERT 7

# WHERE and three-valued logic.
SELECT id FROM emp WHERE salary > 75 ORDER BY id
----
id
1
2
6
SELECT 3

SELECT id FROM emp WHERE NOT (salary > 75) ORDER BY id
----
id
3
5
7
SELECT 3

SELECT id FROM emp WHERE salary > 75 OR dept_id = 2 ORDER BY id
----
id
1
2
3
4
6
SELECT 5

SELECT id FROM emp WHERE salary IS NULL OR dept_id IS NULL ORDER BY id
----
id
4
5
SELECT 2

SELECT id FROM emp WHERE bonus IS NOT NULL AND bonus < 1.5 ORDER BY id
----
id
3
6
7
SELECT 3

SELECT id, salary > 75 AS rich FROM emp ORDER BY id
----
id | rich
1 | true
2 | true
3 | false
4 | NULL
5 | false
6 | true
7 | false
SELECT 7

SELECT id FROM emp WHERE salary IS DISTINCT FROM 70 ORDER BY id
----
id
1
2
4
5
6
7
SELECT 6

SELECT id FROM emp WHERE salary IS NOT DISTINCT FROM NULL
----
id
4
SELECT 1

# Joins: inner, left, right, full, cross; ON and USING; aliases.
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id ORDER BY e.name
----
name | name
ann | eng
bob | eng
cid | ops
dee | ops
fay | hr
SELECT 5

SELECT e.name, d.name FROM emp AS e INNER JOIN dept AS d ON e.dept_id = d.id AND d.city = 'oslo' ORDER BY 1
----
name | name
ann | eng
bob | eng
SELECT 2

SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id ORDER BY e.name
----
name | name
ann | eng
bob | eng
cid | ops
dee | ops
eve | NULL
fay | hr
gus | NULL
SELECT 7

SELECT e.name, d.name FROM emp e RIGHT JOIN dept d ON e.dept_id = d.id ORDER BY d.name, e.name
----
name | name
NULL | empty
ann | eng
bob | eng
fay | hr
cid | ops
dee | ops
SELECT 6

SELECT e.name, d.name FROM emp e FULL JOIN dept d ON e.dept_id = d.id ORDER BY e.name NULLS FIRST, d.name
----
name | name
NULL | empty
ann | eng
bob | eng
cid | ops
dee | ops
eve | NULL
fay | hr
gus | NULL
SELECT 8

SELECT count(*) FROM emp CROSS JOIN dept
----
count
28
SELECT 1

SELECT count(*) FROM emp, dept WHERE emp.dept_id = dept.id
----
count
5
SELECT 1

SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id WHERE d.id IS NULL ORDER BY 1
----
name | name
eve | NULL
gus | NULL
SELECT 2

SELECT d.name, count(e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name ORDER BY d.name
----
name | count
empty | 0
eng | 2
hr | 1
ops | 2
SELECT 4

CREATE TABLE loc (city TEXT PRIMARY KEY, country TEXT)
----
CREATE TABLE

INSERT INTO loc VALUES ('oslo', 'no'), ('rome', 'it'), ('lima', 'pe')
----
INSERT 3

SELECT d.name, city, l.country FROM dept d JOIN loc l USING (city) ORDER BY d.name
----
name | city | country
empty | oslo | no
eng | oslo | no
ops | rome | it
SELECT 3

SELECT d.name, city, country FROM dept d LEFT JOIN loc USING (city) ORDER BY d.name
----
name | city | country
empty | oslo | no
eng | oslo | no
hr | NULL | NULL
ops | rome | it
SELECT 4

SELECT d.name, l.city FROM dept d FULL JOIN loc l USING (city) ORDER BY 1, 2
----
name | city
NULL | lima
empty | oslo
eng | oslo
hr | NULL
ops | rome
SELECT 5

# The joined column of an outer join's USING: right.c for RIGHT, COALESCE(left.c, right.c) for
# FULL (the left copy is NULL on an unmatched right row); both copies stay reachable qualified.
SELECT d.name, city, d.city, l.city FROM dept d FULL JOIN loc l USING (city) ORDER BY 1, 2
----
name | city | city | city
NULL | lima | NULL | lima
empty | oslo | oslo | oslo
eng | oslo | oslo | oslo
hr | NULL | NULL | NULL
ops | rome | rome | rome
SELECT 5

SELECT city, d.name FROM dept d RIGHT JOIN loc l USING (city) ORDER BY 1, 2
----
city | name
lima | NULL
oslo | empty
oslo | eng
rome | ops
SELECT 4

SELECT city, count(*) FROM dept d FULL JOIN loc l USING (city) GROUP BY city ORDER BY 1
----
city | count
NULL | 1
lima | 1
oslo | 2
rome | 1
SELECT 4

SELECT city, country FROM dept d NATURAL FULL JOIN loc l WHERE d.id IS NULL
----
city | country
lima | pe
SELECT 1

SELECT * FROM loc a FULL JOIN loc b USING (city) FULL JOIN dept d USING (city) WHERE d.id IS NULL OR a.city IS NULL ORDER BY 1
----
city | country | country | id | name
NULL | NULL | NULL | 3 | hr
lima | pe | pe | NULL | NULL
SELECT 2

SELECT e.name, d.name, l.country FROM emp e JOIN dept d ON e.dept_id = d.id JOIN loc l ON l.city = d.city ORDER BY e.name
----
name | name | country
ann | eng | no
bob | eng | no
cid | ops | it
dee | ops | it
SELECT 4

SELECT a.name, b.name FROM emp a JOIN emp b ON a.dept_id = b.dept_id AND a.id < b.id ORDER BY 1, 2
----
name | name
ann | bob
cid | dee
SELECT 2

SELECT e.name FROM emp e JOIN dept d ON e.salary > d.id * 30 WHERE d.id = 3 ORDER BY 1
----
name
ann
SELECT 1

SELECT * FROM emp e JOIN dept d ON e.dept_id = d.id WHERE e.id = 1
----
id | name | dept_id | salary | bonus | id | name | city
1 | ann | 1 | 100 | 1.5 | 1 | eng | oslo
SELECT 1

SELECT name FROM emp JOIN dept ON emp.dept_id = dept.id
----
error 42702: column reference "name" is ambiguous

SELECT e.name FROM emp e JOIN dept d ON e.nosuch = d.id
----
error 42703: column "e.nosuch" does not exist

SELECT x.name FROM emp e
----
error 42P01: missing FROM-clause entry for table "x"

SELECT name FROM dept JOIN loc USING (nosuch)
----
error 42703: column "nosuch" specified in USING clause does not exist in left table

# GROUP BY and HAVING; every aggregate, also with DISTINCT.
SELECT dept_id, count(*), count(salary), sum(salary), min(salary), max(salary), avg(salary) FROM emp GROUP BY dept_id ORDER BY dept_id NULLS FIRST
----
dept_id | count | count | sum | min | max | avg
NULL | 1 | 1 | 60 | 60 | 60 | 60.0
1 | 2 | 2 | 180 | 80 | 100 | 90.0
2 | 2 | 1 | 70 | 70 | 70 | 70.0
3 | 1 | 1 | 90 | 90 | 90 | 90.0
9 | 1 | 1 | 50 | 50 | 50 | 50.0
SELECT 5

SELECT dept_id, sum(salary) FROM emp GROUP BY dept_id HAVING sum(salary) > 100 ORDER BY 1
----
dept_id | sum
1 | 180
SELECT 1

SELECT dept_id, count(*) AS n FROM emp GROUP BY dept_id HAVING count(*) >= 2 ORDER BY n DESC, dept_id
----
dept_id | n
1 | 2
2 | 2
SELECT 2

SELECT count(DISTINCT dept_id), sum(DISTINCT dept_id), avg(DISTINCT dept_id), count(dept_id) FROM emp
----
count | sum | avg | count
4 | 15 | 3.75 | 6
SELECT 1

SELECT min(name), max(name), min(bonus), max(bonus), sum(bonus) FROM emp
----
min | max | min | max | sum
ann | gus | 0.0 | 2.0 | 5.0
SELECT 1

SELECT count(*), sum(salary), avg(salary), min(salary) FROM emp WHERE id > 100
----
count | sum | avg | min
0 | NULL | NULL | NULL
SELECT 1

SELECT salary / 30 AS band, count(*) FROM emp WHERE salary IS NOT NULL GROUP BY salary / 30 ORDER BY band
----
band | count
1 | 1
2 | 3
3 | 2
SELECT 3

SELECT dept_id, name FROM emp GROUP BY dept_id
----
error 42803: column "emp.name" must appear in the GROUP BY clause or be used in an aggregate function

SELECT count(*) FROM emp WHERE count(*) > 1
----
error 42803: aggregate functions are not allowed in WHERE

SELECT sum(name) FROM emp
----
error 42804: function sum(STRING) does not exist

SELECT dept_id FROM emp GROUP BY dept_id HAVING max(salary) = 100
----
dept_id
1
SELECT 1

SELECT d.city, count(*) FROM emp e JOIN dept d ON e.dept_id = d.id GROUP BY d.city ORDER BY d.city NULLS LAST
----
city | count
oslo | 2
rome | 2
NULL | 1
SELECT 3

# ORDER BY: expressions, output names, ordinals, ASC/DESC, NULLS FIRST/LAST.
SELECT name, salary FROM emp ORDER BY salary
----
name | salary
dee | NULL
gus | 50
eve | 60
cid | 70
bob | 80
fay | 90
ann | 100
SELECT 7

SELECT name, salary FROM emp ORDER BY salary DESC
----
name | salary
ann | 100
fay | 90
bob | 80
cid | 70
eve | 60
gus | 50
dee | NULL
SELECT 7

SELECT name, salary FROM emp ORDER BY salary NULLS FIRST
----
name | salary
dee | NULL
gus | 50
eve | 60
cid | 70
bob | 80
fay | 90
ann | 100
SELECT 7

SELECT name, salary FROM emp ORDER BY salary DESC NULLS LAST
----
name | salary
ann | 100
fay | 90
bob | 80
cid | 70
eve | 60
gus | 50
dee | NULL
SELECT 7

SELECT name, salary FROM emp ORDER BY 2 ASC NULLS LAST, 1 DESC
----
name | salary
gus | 50
eve | 60
cid | 70
bob | 80
fay | 90
ann | 100
dee | NULL
SELECT 7

SELECT name AS who, salary * 2 AS twice FROM emp ORDER BY twice DESC NULLS LAST, who LIMIT 3
----
who | twice
ann | 200
fay | 180
bob | 160
SELECT 3

SELECT name FROM emp ORDER BY length(name) DESC, name LIMIT 2
----
name
ann
bob
SELECT 2

SELECT name FROM emp ORDER BY 3
----
error 42P10: ORDER BY position 3 is not in select list

SELECT name FROM emp ORDER BY nosuch
----
error 42703: column "nosuch" does not exist

# LIMIT and OFFSET.
SELECT id FROM emp ORDER BY id LIMIT 2
----
id
1
2
SELECT 2

SELECT id FROM emp ORDER BY id LIMIT 2 OFFSET 5
----
id
6
7
SELECT 2

SELECT id FROM emp ORDER BY id LIMIT 10 OFFSET 6
----
id
7
SELECT 1

SELECT id FROM emp ORDER BY id OFFSET 5
----
id
6
7
SELECT 2

SELECT id FROM emp ORDER BY id LIMIT 0
----
id
SELECT 0

SELECT id FROM emp ORDER BY id LIMIT -1
----
error 2201W: LIMIT must not be negative

SELECT id FROM emp ORDER BY id OFFSET -1
----
error 2201X: OFFSET must not be negative

SELECT id FROM emp ORDER BY id LIMIT 2 OFFSET 1 - 2
----
error 2201X: OFFSET must not be negative

SELECT id FROM emp ORDER BY id LIMIT 1 - 2 OFFSET -1
----
error 2201X: OFFSET must not be negative

SELECT id FROM emp ORDER BY id LIMIT NULL OFFSET 5
----
id
6
7
SELECT 2

SELECT id FROM emp LIMIT 'a'
----
error 42804: argument of LIMIT/OFFSET must be type INTEGER, not type STRING

# DISTINCT.
SELECT DISTINCT dept_id FROM emp ORDER BY dept_id NULLS FIRST
----
dept_id
NULL
1
2
3
9
SELECT 5

SELECT DISTINCT city FROM dept ORDER BY 1
----
city
NULL
oslo
rome
SELECT 3

SELECT DISTINCT dept_id / 2 AS h, salary IS NULL FROM emp ORDER BY 1, 2
----
h | ?column?
NULL | false
0 | false
1 | false
1 | true
4 | false
SELECT 5

SELECT count(*) FROM (SELECT DISTINCT city FROM dept) AS c
----
count
3
SELECT 1

# IN, BETWEEN, LIKE, CASE, CAST, ||.
SELECT id FROM emp WHERE dept_id IN (2, 3) ORDER BY id
----
id
3
4
6
SELECT 3

SELECT id FROM emp WHERE dept_id NOT IN (1, 2) ORDER BY id
----
id
6
7
SELECT 2

SELECT id FROM emp WHERE dept_id NOT IN (1, NULL)
----
id
SELECT 0

SELECT id FROM emp WHERE dept_id IN (1, NULL) ORDER BY id
----
id
1
2
SELECT 2

SELECT id FROM emp WHERE salary BETWEEN 60 AND 80 ORDER BY id
----
id
2
3
5
SELECT 3

SELECT id FROM emp WHERE salary NOT BETWEEN 60 AND 80 ORDER BY id
----
id
1
6
7
SELECT 3

SELECT name FROM emp WHERE name LIKE '_e%' ORDER BY 1
----
name
dee
SELECT 1

SELECT name FROM emp WHERE name LIKE '%a%' ORDER BY 1
----
name
ann
fay
SELECT 2

SELECT name FROM emp WHERE name NOT LIKE '%a%' ORDER BY 1
----
name
bob
cid
dee
eve
gus
SELECT 5

SELECT 'a%b' LIKE 'a\%b', 'axb' LIKE 'a\%b', 'ABC' LIKE 'abc', 'abc' LIKE 'a_c'
----
?column? | ?column? | ?column? | ?column?
true | false | false | true
SELECT 1

SELECT name, CASE WHEN salary >= 90 THEN 'high' WHEN salary >= 70 THEN 'mid' ELSE 'low' END AS band FROM emp ORDER BY id
----
name | band
ann | high
bob | mid
cid | mid
dee | low
eve | low
fay | high
gus | low
SELECT 7

SELECT name, CASE dept_id WHEN 1 THEN 'eng' WHEN 2 THEN 'ops' END FROM emp ORDER BY id
----
name | case
ann | eng
bob | eng
cid | ops
dee | ops
eve | NULL
fay | NULL
gus | NULL
SELECT 7

SELECT CAST(salary AS FLOAT) / 3, CAST(id AS TEXT) || '!' FROM emp WHERE id = 1
----
?column? | ?column?
33.333333333333336 | 1!
SELECT 1

SELECT CAST('42' AS INT) + 1, CAST('2.5' AS FLOAT), CAST(3.0 AS INT), CAST(1 AS BOOL)
----
?column? | ?column? | ?column? | ?column?
43 | 2.5 | 3 | true
SELECT 1

# FLOAT to INTEGER rounds to the nearest, halves away from zero (PostgreSQL's rule for its
# NUMERIC literals; SQLite truncates).
SELECT CAST(2.5 AS INT), CAST(-2.5 AS INT), CAST(2.4999 AS INT), CAST(-0.5 AS INT), CAST(0.49 AS INT), CAST(-3.7 AS INTEGER)
----
?column? | ?column? | ?column? | ?column? | ?column? | ?column?
3 | -3 | 2 | -1 | 0 | -4
SELECT 1

SELECT id, bonus, CAST(bonus AS INT) FROM emp ORDER BY id
----
id | bonus | bonus
1 | 1.5 | 2
2 | NULL | NULL
3 | 0.5 | 1
4 | 2.0 | 2
5 | NULL | NULL
6 | 1.0 | 1
7 | 0.0 | 0
SELECT 7

# The range is INTEGER's after rounding: the largest double below 2^63 fits, 2^63 does not.
SELECT CAST(9223372036854774784.0 AS INT), CAST(-9223372036854775808.0 AS INT)
----
?column? | ?column?
9223372036854774784 | -9223372036854775808
SELECT 1

SELECT CAST(9223372036854775807.0 AS INT)
----
error 22003: integer out of range

SELECT CAST(CAST('NaN' AS FLOAT) AS INT)
----
error 22003: integer out of range

SELECT CAST(CAST('-Infinity' AS FLOAT) AS INT)
----
error 22003: integer out of range

SELECT CAST('x' AS INT)
----
error 22P02: invalid input syntax for type INTEGER: "x"

SELECT name || '@' || coalesce(CAST(dept_id AS TEXT), '-') FROM emp ORDER BY id
----
?column?
ann@1
bob@1
cid@2
dee@2
eve@-
fay@3
gus@9
SELECT 7

# Scalar functions.
SELECT abs(-5), abs(2.5), coalesce(NULL, NULL, 3), nullif(4, 4), nullif(4, 5)
----
abs | abs | coalesce | nullif | nullif
5 | 2.5 | 3 | NULL | 4
SELECT 1

SELECT length('héllo'), lower('MiXeD'), upper('MiXeD'), substr('orrery', 2, 3), substr('orrery', 4)
----
length | lower | upper | substr | substr
5 | mixed | MIXED | rre | ery
SELECT 1

SELECT round(2.5), round(-2.5), round(3.14159, 2), round(7), round(1234.5, -2)
----
round | round | round | round | round
3.0 | -3.0 | 3.14 | 7 | 1200.0
SELECT 1

SELECT length(NULL), upper(NULL), abs(NULL), substr(NULL, 1, 2)
----
length | upper | abs | substr
NULL | NULL | NULL | NULL
SELECT 1

SELECT 7 / 2, -7 / 2, 7 % 3, -7 % 3, 7.0 / 2, 2 + 3 * 4, (2 + 3) * 4, - (3 - 5)
----
?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
3 | -3 | 1 | -1 | 3.5 | 14 | 20 | 2
SELECT 1

SELECT nosuchfunc(1)
----
error 42883: function nosuchfunc does not exist

SELECT abs('x')
----
error 42804: function abs(STRING) does not exist

# Subqueries: scalar, IN, EXISTS, correlated and not, in SELECT, WHERE and HAVING.
SELECT name FROM emp WHERE salary = (SELECT max(salary) FROM emp)
----
name
ann
SELECT 1

SELECT name, (SELECT name FROM dept WHERE dept.id = emp.dept_id) AS dept FROM emp ORDER BY id
----
name | dept
ann | eng
bob | eng
cid | ops
dee | ops
eve | NULL
fay | hr
gus | NULL
SELECT 7

SELECT name FROM emp e WHERE salary > (SELECT avg(salary) FROM emp x WHERE x.dept_id = e.dept_id) ORDER BY 1
----
name
ann
SELECT 1

SELECT name FROM dept WHERE id IN (SELECT dept_id FROM emp WHERE salary > 75) ORDER BY 1
----
name
eng
hr
SELECT 2

SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM emp WHERE dept_id IS NOT NULL) ORDER BY 1
----
name
empty
SELECT 1

SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM emp)
----
name
SELECT 0

SELECT name FROM dept d WHERE EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id) ORDER BY 1
----
name
eng
hr
ops
SELECT 3

SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id) ORDER BY 1
----
name
empty
SELECT 1

SELECT name FROM dept WHERE EXISTS (SELECT 1 FROM emp WHERE salary > 1000)
----
name
SELECT 0

SELECT dept_id, sum(salary) FROM emp GROUP BY dept_id HAVING sum(salary) > (SELECT avg(salary) FROM emp) ORDER BY 1
----
dept_id | sum
1 | 180
3 | 90
SELECT 2

SELECT d.name FROM dept d WHERE (SELECT count(*) FROM emp e WHERE e.dept_id = d.id) = 2 ORDER BY 1
----
name
eng
ops
SELECT 2

SELECT (SELECT count(*) FROM dept), (SELECT max(id) FROM emp WHERE id < 0)
----
count | max
4 | NULL
SELECT 1

SELECT name FROM emp WHERE dept_id = (SELECT id FROM dept)
----
error 21000: more than one row returned by a subquery used as an expression

SELECT name FROM emp WHERE dept_id IN (SELECT id, name FROM dept)
----
error 42601: subquery must return only one column

SELECT t.d, t.total FROM (SELECT dept_id AS d, sum(salary) AS total FROM emp GROUP BY dept_id) AS t WHERE t.total > 100 ORDER BY 1
----
d | total
1 | 180
SELECT 1

SELECT name FROM emp e WHERE EXISTS (SELECT 1 FROM dept d WHERE d.id = e.dept_id AND EXISTS (SELECT 1 FROM loc l WHERE l.city = d.city AND l.country = 'it')) ORDER BY 1
----
name
cid
dee
SELECT 2

# Set operations: UNION removes duplicates, UNION ALL keeps them; INTERSECT binds tighter.
SELECT city FROM dept UNION SELECT city FROM loc ORDER BY 1
----
city
NULL
lima
oslo
rome
SELECT 4

SELECT city FROM dept UNION ALL SELECT city FROM loc ORDER BY 1
----
city
NULL
lima
oslo
oslo
oslo
rome
rome
SELECT 7

SELECT city FROM dept INTERSECT SELECT city FROM loc ORDER BY 1
----
city
oslo
rome
SELECT 2

SELECT city FROM loc EXCEPT SELECT city FROM dept ORDER BY 1
----
city
lima
SELECT 1

SELECT city FROM dept EXCEPT SELECT city FROM loc
----
city
NULL
SELECT 1

SELECT 1 UNION SELECT 2 INTERSECT SELECT 3
----
?column?
1
SELECT 1

SELECT dept_id FROM emp EXCEPT SELECT id FROM dept ORDER BY 1 NULLS FIRST
----
dept_id
NULL
9
SELECT 2

SELECT id FROM emp UNION SELECT name FROM dept
----
error 42804: set operation types INTEGER and STRING cannot be matched

SELECT id, name FROM emp UNION SELECT id FROM dept
----
error 42601: each UNION/INTERSECT/EXCEPT query must have the same number of columns

SELECT id FROM dept UNION SELECT id FROM emp ORDER BY 1 DESC LIMIT 3
----
id
7
6
5
SELECT 3
