# Scalar expressions without tables: arithmetic and its overflow errors, comparisons across
# INTEGER and FLOAT, three-valued logic, CASE, CAST, LIKE, BETWEEN, IN, ||, the scalar
# functions with NULL and edge arguments, and how NULL and NaN sort.
# Tables for the cases that need rows: a truth table, numbers with NULL, floats with NaN.
CREATE TABLE tv (id INT PRIMARY KEY, x BOOLEAN, y BOOLEAN)
----
CREATE TABLE

INSERT INTO tv VALUES (1, true, true), (2, true, false), (3, true, NULL), (4, false, true), (5, false, false), (6, false, NULL), (7, NULL, true), (8, NULL, false), (9, NULL, NULL)
----
INSERT 9

CREATE TABLE nv (id INT PRIMARY KEY, n INT)
----
CREATE TABLE

INSERT INTO nv VALUES (1, -2), (2, 0), (3, 5), (4, NULL), (5, 7)
----
INSERT 5

CREATE TABLE fv (id INT PRIMARY KEY, f FLOAT)
----
CREATE TABLE

INSERT INTO fv VALUES (1, 1.0), (2, CAST('NaN' AS FLOAT)), (3, -1.0), (4, NULL), (5, CAST('Infinity' AS FLOAT)), (6, CAST('-Infinity' AS FLOAT)), (7, 0.0), (8, CAST('NaN' AS FLOAT))
----
INSERT 8

CREATE TABLE sv (id INT PRIMARY KEY, s TEXT)
----
CREATE TABLE

INSERT INTO sv VALUES (1, 'b'), (2, NULL), (3, 'a'), (4, 'B'), (5, ''), (6, 'ab')
----
INSERT 6

# Arithmetic: integer operators stay INTEGER, division truncates toward zero.
SELECT 1 + 2, 7 - 10, 6 * 7
----
?column? | ?column? | ?column?
3 | -3 | 42
SELECT 1

SELECT 7 / 2, -7 / 2, 7 / -2, -7 / -2
----
?column? | ?column? | ?column? | ?column?
3 | -3 | -3 | 3
SELECT 1

SELECT 7 % 3, -7 % 3, 7 % -3, -7 % -3
----
?column? | ?column? | ?column? | ?column?
1 | -1 | 1 | -1
SELECT 1

SELECT 1 / 3 * 3, 1.0 / 3 * 3
----
?column? | ?column?
0 | 1.0
SELECT 1

SELECT 2 + 3 * 4, (2 + 3) * 4, 2 - 3 - 4, 24 / 4 / 2
----
?column? | ?column? | ?column? | ?column?
14 | 20 | -5 | 3
SELECT 1

SELECT -(-5), - -5, +5, -0
----
?column? | ?column? | ?column? | ?column?
5 | 5 | 5 | 0
SELECT 1

SELECT 7.0 / 2, 7 / 2.0, 7.5 % 2
----
?column? | ?column? | ?column?
3.5 | 3.5 | 1.5
SELECT 1

SELECT 1 / 0
----
error 22012: division by zero

SELECT 1 % 0
----
error 22012: division by zero

SELECT 1.0 / 0
----
error 22012: division by zero

SELECT 0 / 0
----
error 22012: division by zero

SELECT 1 / 0.0
----
error 22012: division by zero

SELECT 9223372036854775807
----
?column?
9223372036854775807
SELECT 1

SELECT 9223372036854775807 + 1
----
error 22003: integer out of range

SELECT -9223372036854775807 - 1
----
?column?
-9223372036854775808
SELECT 1

SELECT -9223372036854775807 - 2
----
error 22003: integer out of range

SELECT 9223372036854775807 * 2
----
error 22003: integer out of range

SELECT 4611686018427387904 * 2
----
error 22003: integer out of range

SELECT 4611686018427387904 * -2
----
?column?
-9223372036854775808
SELECT 1

SELECT -(-9223372036854775807 - 1)
----
error 22003: integer out of range

SELECT (-9223372036854775807 - 1) / -1
----
error 22003: integer out of range

SELECT (-9223372036854775807 - 1) % -1
----
?column?
0
SELECT 1

SELECT 9223372036854775808
----
error 22003: integer literal 9223372036854775808 is out of range for INTEGER

SELECT -9223372036854775808, typeof(-9223372036854775808)
----
?column? | typeof
-9223372036854775808 | integer
SELECT 1

SELECT 5 / -1, -5 % 3, 0 % 5, 1.0 / 3
----
?column? | ?column? | ?column? | ?column?
-5 | -2 | 0 | 0.3333333333333333
SELECT 1

SELECT 100000000000000000000.0, 1e-7, 123456789012345678.0, CAST(1e15 AS TEXT)
----
?column? | ?column? | ?column? | ?column?
1e+20 | 1e-07 | 123456789012345680.0 | 1e+15
SELECT 1

SELECT 2 ^ 3
----
error 42601: syntax error at line 1, column 10: unexpected character '^'

SELECT 1e308 * 10
----
error 22003: value out of range: overflow

SELECT 0.1 + 0.2, 1.5e3, 2.5E-3, .5
----
?column? | ?column? | ?column? | ?column?
0.30000000000000004 | 1500.0 | 0.0025 | 0.5
SELECT 1

SELECT 3 + NULL, NULL * 2, NULL / 0, -NULL
----
?column? | ?column? | ?column? | ?column?
NULL | NULL | NULL | NULL
SELECT 1

SELECT 1 + 1.5, 2 * 0.5, 10 - 0.25
----
?column? | ?column? | ?column?
2.5 | 1.0 | 9.75
SELECT 1

SELECT typeof(1), typeof(1.0), typeof(1 + 1.0), typeof(7 / 2), typeof(NULL), typeof('a'), typeof(true)
----
typeof | typeof | typeof | typeof | typeof | typeof | typeof
integer | float | float | integer | null | string | boolean
SELECT 1

# Comparisons: INTEGER against FLOAT compares the numbers.
SELECT 1 = 1.0, 1 < 1.5, 2 > 1.99, 3 <> 3.0, 3 != 4
----
?column? | ?column? | ?column? | ?column? | ?column?
true | true | true | false | true
SELECT 1

SELECT 1 <= 1, 1 >= 2, 0 = -0, 0.0 = -0.0
----
?column? | ?column? | ?column? | ?column?
true | false | true | true
SELECT 1

SELECT 9007199254740993 = 9007199254740992.0
----
?column?
false
SELECT 1

SELECT 9007199254740993 > 9007199254740992.0
----
?column?
true
SELECT 1

SELECT 'a' < 'b', 'a' < 'B', 'abc' < 'abd', 'ab' < 'abc', '' < 'a'
----
?column? | ?column? | ?column? | ?column? | ?column?
true | false | true | true | true
SELECT 1

SELECT 'a' = 'a ', 'A' = 'a'
----
?column? | ?column?
false | false
SELECT 1

SELECT true > false, true = true, false < true
----
?column? | ?column? | ?column?
true | true | true
SELECT 1

SELECT 1 = NULL, NULL = NULL, NULL <> 1, NULL < NULL
----
?column? | ?column? | ?column? | ?column?
NULL | NULL | NULL | NULL
SELECT 1

SELECT 1 IS NULL, NULL IS NULL, NULL IS NOT NULL, 1 IS NOT NULL
----
?column? | ?column? | ?column? | ?column?
false | true | false | true
SELECT 1

SELECT 1 IS DISTINCT FROM NULL, NULL IS DISTINCT FROM NULL, 1 IS NOT DISTINCT FROM 1.0, NULL IS NOT DISTINCT FROM NULL
----
?column? | ?column? | ?column? | ?column?
true | false | true | true
SELECT 1

SELECT 1 < 2 < 3
----
error 42804: operator does not exist: BOOLEAN < INTEGER

SELECT 'a' = 1
----
error 42804: operator does not exist: STRING = INTEGER

SELECT true = 1
----
error 42804: operator does not exist: BOOLEAN = INTEGER

# Three-valued logic: the full AND, OR and NOT tables.
SELECT x, y, x AND y, x OR y, NOT x FROM tv ORDER BY id
----
x | y | ?column? | ?column? | ?column?
true | true | true | true | false
true | false | false | true | false
true | NULL | NULL | true | false
false | true | false | true | true
false | false | false | false | true
false | NULL | false | NULL | true
NULL | true | NULL | true | NULL
NULL | false | false | NULL | NULL
NULL | NULL | NULL | NULL | NULL
SELECT 9

SELECT NOT true, NOT false, NOT NULL, NOT NOT true
----
?column? | ?column? | ?column? | ?column?
false | true | NULL | true
SELECT 1

SELECT NULL AND false, false AND NULL, NULL OR true, true OR NULL
----
?column? | ?column? | ?column? | ?column?
false | false | true | true
SELECT 1

SELECT NULL AND true, NULL OR false
----
?column? | ?column?
NULL | NULL
SELECT 1

SELECT true IS TRUE, NULL IS TRUE, false IS FALSE, NULL IS FALSE, NULL IS NOT TRUE, NULL IS NOT FALSE, true IS NOT TRUE
----
?column? | ?column? | ?column? | ?column? | ?column? | ?column? | ?column?
true | false | true | false | true | true | false
SELECT 1

SELECT (1 = NULL) IS NULL, (1 = 1) IS TRUE
----
?column? | ?column?
true | true
SELECT 1

SELECT true OR false AND false, (true OR false) AND false
----
?column? | ?column?
true | false
SELECT 1

SELECT NOT 1 = 2, NOT (1 = 2) AND false
----
?column? | ?column?
true | false
SELECT 1

SELECT 'yes' AND true
----
error 42804: argument of AND must be type BOOLEAN, not type STRING

# CASE: searched and simple forms, NULL never matches a simple CASE, ELSE defaults to NULL.
SELECT CASE WHEN 1 = 1 THEN 'one' ELSE 'other' END
----
case
one
SELECT 1

SELECT CASE WHEN 1 = 2 THEN 'one' END
----
case
NULL
SELECT 1

SELECT CASE WHEN NULL THEN 'null is not true' ELSE 'else' END
----
case
else
SELECT 1

SELECT CASE 2 WHEN 1 THEN 'a' WHEN 2 THEN 'b' WHEN 2 THEN 'c' ELSE 'z' END
----
case
b
SELECT 1

SELECT CASE NULL WHEN NULL THEN 'matched' ELSE 'not matched' END
----
case
not matched
SELECT 1

SELECT CASE 1 WHEN 1.0 THEN 'int matches float' END
----
case
int matches float
SELECT 1

SELECT CASE WHEN false THEN 1 WHEN true THEN 2.5 END
----
case
2.5
SELECT 1

SELECT CASE WHEN true THEN 1 ELSE 'x' END
----
error 42804: CASE types INTEGER and STRING cannot be matched

SELECT CASE WHEN 1 THEN 'x' END
----
error 42804: argument of CASE/WHEN must be type BOOLEAN, not type INTEGER

SELECT CASE WHEN true THEN NULL ELSE 3 END
----
case
NULL
SELECT 1

SELECT CASE WHEN false THEN 1 / 0 ELSE 7 END
----
case
7
SELECT 1

SELECT n, CASE WHEN n < 0 THEN 'neg' WHEN n = 0 THEN 'zero' WHEN n > 0 THEN 'pos' ELSE 'null' END AS sign FROM nv ORDER BY id
----
n | sign
-2 | neg
0 | zero
5 | pos
NULL | null
7 | pos
SELECT 5

SELECT CASE WHEN true THEN CASE WHEN false THEN 'inner a' ELSE 'inner b' END END
----
case
inner b
SELECT 1

# CAST and ::, with failures.
SELECT CAST('42' AS INT), CAST(' 42 ' AS INT), CAST('-7' AS BIGINT), '12'::INTEGER
----
?column? | ?column? | ?column? | ?column?
42 | 42 | -7 | 12
SELECT 1

SELECT CAST('4x' AS INT)
----
error 22P02: invalid input syntax for type INTEGER: "4x"

SELECT CAST('' AS INT)
----
error 22P02: invalid input syntax for type INTEGER: ""

SELECT CAST('9223372036854775808' AS INT)
----
error 22003: value "9223372036854775808" is out of range for type INTEGER

SELECT CAST('1.5' AS FLOAT), CAST('1e3' AS DOUBLE PRECISION), CAST('-0.25' AS REAL)
----
?column? | ?column? | ?column?
1.5 | 1000.0 | -0.25
SELECT 1

SELECT CAST('abc' AS FLOAT)
----
error 22P02: invalid input syntax for type FLOAT: "abc"

SELECT CAST(3.7 AS INT), CAST(-3.7 AS INT), CAST(2.5 AS INT), CAST(-2.5 AS INT)
----
?column? | ?column? | ?column? | ?column?
4 | -4 | 3 | -3
SELECT 1

SELECT CAST(1e19 AS INT)
----
error 22003: integer out of range

SELECT CAST(7 AS FLOAT), CAST(7 AS TEXT), CAST(1.5 AS TEXT), CAST(true AS TEXT)
----
?column? | ?column? | ?column? | ?column?
7.0 | 7 | 1.5 | true
SELECT 1

SELECT CAST('true' AS BOOLEAN), CAST('f' AS BOOL), CAST('yes' AS BOOLEAN), CAST('0' AS BOOLEAN)
----
?column? | ?column? | ?column? | ?column?
true | false | true | false
SELECT 1

SELECT CAST('maybe' AS BOOLEAN)
----
error 22P02: invalid input syntax for type BOOLEAN: "maybe"

SELECT CAST(1 AS BOOLEAN), CAST(0 AS BOOLEAN), CAST(true AS INT), CAST(false AS INT)
----
?column? | ?column? | ?column? | ?column?
true | false | 1 | 0
SELECT 1

SELECT CAST(NULL AS INT), CAST(NULL AS TEXT), typeof(CAST(NULL AS FLOAT))
----
?column? | ?column? | typeof
NULL | NULL | null
SELECT 1

SELECT CAST('abc' AS VARCHAR(2))
----
error 22001: value too long for type STRING(2)

SELECT CAST('2024-02-29 12:30:00' AS TIMESTAMP)
----
?column?
2024-02-29 12:30:00
SELECT 1

SELECT CAST('2023-02-29' AS TIMESTAMP)
----
error 22P02: invalid input syntax for type TIMESTAMP: "2023-02-29"

SELECT CAST(1 AS nosuchtype)
----
error 42704: type "nosuchtype" does not exist

SELECT 1::TEXT || 'x', (2 + 3)::TEXT
----
?column? | ?column?
1x | 5
SELECT 1

SELECT '3'::INT + 4, -'3'::INT
----
?column? | ?column?
7 | -3
SELECT 1

# LIKE: % matches any run, _ one character, ESCAPE makes them literal; case matters.
SELECT 'abc' LIKE 'abc', 'abc' LIKE 'a%', 'abc' LIKE '%c', 'abc' LIKE '%b%', 'abc' LIKE 'b%'
----
?column? | ?column? | ?column? | ?column? | ?column?
true | true | true | true | false
SELECT 1

SELECT 'abc' LIKE 'a_c', 'abc' LIKE '_b_', 'abc' LIKE '__', 'abc' LIKE '___', 'abc' LIKE '____'
----
?column? | ?column? | ?column? | ?column? | ?column?
true | true | false | true | false
SELECT 1

SELECT '' LIKE '%', '' LIKE '_', '' LIKE '', 'x' LIKE ''
----
?column? | ?column? | ?column? | ?column?
true | false | true | false
SELECT 1

SELECT 'ABC' LIKE 'abc', 'abc' NOT LIKE 'A%', 'abc' NOT LIKE 'a%'
----
?column? | ?column? | ?column?
false | true | false
SELECT 1

SELECT '100%' LIKE '100\%', '100x' LIKE '100\%', '1_3' LIKE '1\_3', '123' LIKE '1\_3'
----
?column? | ?column? | ?column? | ?column?
true | false | true | false
SELECT 1

SELECT '100%' LIKE '100!%' ESCAPE '!', '100x' LIKE '100!%' ESCAPE '!', 'a!b' LIKE 'a!!b' ESCAPE '!'
----
?column? | ?column? | ?column?
true | false | true
SELECT 1

SELECT 'a\b' LIKE 'a\\b'
----
?column?
true
SELECT 1

SELECT 'abc' LIKE 'a%' ESCAPE 'xy'
----
error 22P02: invalid escape string: must be one character

SELECT 'x%%y' LIKE 'x%%y', 'xy' LIKE 'x%%y', 'aaa' LIKE '%a%a%a%', 'aa' LIKE '%a%a%a%'
----
?column? | ?column? | ?column? | ?column?
true | true | true | false
SELECT 1

SELECT 'héllo' LIKE 'h_llo', 'héllo' LIKE 'h__llo'
----
?column? | ?column?
true | false
SELECT 1

SELECT NULL LIKE 'a', 'a' LIKE NULL, NULL NOT LIKE NULL
----
?column? | ?column? | ?column?
NULL | NULL | NULL
SELECT 1

SELECT 'a.c' LIKE 'a.c', 'abc' LIKE 'a.c', 'a*' LIKE 'a*'
----
?column? | ?column? | ?column?
true | false | true
SELECT 1

SELECT 1 LIKE '1'
----
error 42804: operator does not exist: INTEGER LIKE STRING

# BETWEEN is inclusive and symmetric only in its NOT form's negation.
SELECT 5 BETWEEN 1 AND 10, 1 BETWEEN 1 AND 10, 10 BETWEEN 1 AND 10, 11 BETWEEN 1 AND 10
----
?column? | ?column? | ?column? | ?column?
true | true | true | false
SELECT 1

SELECT 5 BETWEEN 10 AND 1, 5 NOT BETWEEN 10 AND 1, 5 NOT BETWEEN 1 AND 10
----
?column? | ?column? | ?column?
false | true | false
SELECT 1

SELECT 2.5 BETWEEN 2 AND 3, 'b' BETWEEN 'a' AND 'c', 'bb' BETWEEN 'b' AND 'b'
----
?column? | ?column? | ?column?
true | true | false
SELECT 1

SELECT NULL BETWEEN 1 AND 2, 1 BETWEEN NULL AND 2, 5 BETWEEN NULL AND 2, 0 BETWEEN 1 AND NULL
----
?column? | ?column? | ?column? | ?column?
NULL | NULL | false | false
SELECT 1

SELECT 1 BETWEEN 0 AND 2 AND true
----
?column?
true
SELECT 1

SELECT 1 BETWEEN 'a' AND 'b'
----
error 42804: operator does not exist: INTEGER BETWEEN STRING

# IN lists: a NULL in the list makes a miss unknown, never false.
SELECT 1 IN (1, 2, 3), 4 IN (1, 2, 3), 1 NOT IN (1, 2), 4 NOT IN (1, 2)
----
?column? | ?column? | ?column? | ?column?
true | false | false | true
SELECT 1

SELECT 1 IN (1, NULL), 4 IN (1, NULL), 4 NOT IN (1, NULL), 1 NOT IN (1, NULL)
----
?column? | ?column? | ?column? | ?column?
true | NULL | NULL | false
SELECT 1

SELECT NULL IN (1, 2), NULL IN (NULL), NULL NOT IN (1)
----
?column? | ?column? | ?column?
NULL | NULL | NULL
SELECT 1

SELECT 1 IN (1.0, 2.5), 2.5 IN (1, 2), 'b' IN ('a', 'b')
----
?column? | ?column? | ?column?
true | false | true
SELECT 1

SELECT 1 IN ('a', 'b')
----
error 42804: operator does not exist: INTEGER IN (STRING)

SELECT 3 IN (1 + 2, 4)
----
?column?
true
SELECT 1

SELECT n, n IN (5, NULL), n NOT IN (0, 7), n IN (-2, 0) FROM nv ORDER BY id
----
n | ?column? | ?column? | ?column?
-2 | NULL | true | true
0 | NULL | false | true
5 | true | true | false
NULL | NULL | NULL | NULL
7 | NULL | false | false
SELECT 5

# ||: concatenation of strings; NULL makes NULL; numbers concatenate as text.
SELECT 'ab' || 'cd', 'a' || '' || 'b', '' || ''
----
?column? | ?column? | ?column?
abcd | ab | 
SELECT 1

SELECT 'a' || NULL, NULL || 'a', NULL || NULL
----
?column? | ?column? | ?column?
NULL | NULL | NULL
SELECT 1

SELECT 'n=' || 5, 1.5 || 'x', 'b=' || true
----
?column? | ?column? | ?column?
n=5 | 1.5x | b=true
SELECT 1

SELECT 'a' || 'b' = 'ab', 'x' || 1 + 2
----
?column? | ?column?
true | x3
SELECT 1

SELECT concat('a', NULL, 'b', 1), concat(NULL), concat('x')
----
concat | concat | concat
ab1 |  | x
SELECT 1

# Scalar functions, NULL and edge arguments.
SELECT abs(-5), abs(5), abs(0), abs(-2.5), abs(NULL)
----
abs | abs | abs | abs | abs
5 | 5 | 0 | 2.5 | NULL
SELECT 1

SELECT abs(-9223372036854775807 - 1)
----
error 22003: integer out of range

SELECT abs('x')
----
error 42804: function abs(STRING) does not exist

SELECT abs(1, 2)
----
error 42883: function abs takes 1 to 1 arguments, not 2

SELECT coalesce(NULL, 2, 3), coalesce(1, NULL), coalesce(NULL, NULL), coalesce(NULL, 'x')
----
coalesce | coalesce | coalesce | coalesce
2 | 1 | NULL | x
SELECT 1

SELECT coalesce(NULL, 1, 2.5), typeof(coalesce(1, 2.5))
----
coalesce | typeof
1.0 | float
SELECT 1

SELECT coalesce(1, 'a')
----
error 42804: function coalesce(INTEGER, STRING) does not exist

SELECT coalesce(1, 1 / 0)
----
coalesce
1
SELECT 1

SELECT coalesce()
----
error 42883: function coalesce takes 1 to 64 arguments, not 0

SELECT ifnull(NULL, 'd'), ifnull('v', 'd')
----
ifnull | ifnull
d | v
SELECT 1

SELECT nullif(1, 1), nullif(1, 2), nullif(NULL, 1), nullif(1, NULL), nullif('a', 'a')
----
nullif | nullif | nullif | nullif | nullif
NULL | 1 | NULL | 1 | NULL
SELECT 1

SELECT nullif(1, 1.0), nullif(2.0, 3)
----
nullif | nullif
NULL | 2.0
SELECT 1

SELECT length('abc'), length(''), length(NULL), length('héllo'), char_length('abc')
----
length | length | length | length | char_length
3 | 0 | NULL | 5 | 3
SELECT 1

SELECT length(12)
----
error 42804: function length(INTEGER) does not exist

SELECT lower('MiXeD'), upper('MiXeD'), lower(NULL), upper(''), upper('héllo'), lower('ÀB')
----
lower | upper | lower | upper | upper | lower
mixed | MIXED | NULL |  | HéLLO | Àb
SELECT 1

SELECT substr('hello', 2), substr('hello', 2, 3), substr('hello', 0, 2), substr('hello', -1, 3)
----
substr | substr | substr | substr
ello | ell | h | h
SELECT 1

SELECT substr('hello', 10), substr('hello', 5, 10), substr('hello', 1, 0), substr('héllo', 2, 2)
----
substr | substr | substr | substr
 | o |  | él
SELECT 1

SELECT substr('hello', 2, -1)
----
error 22P02: negative substring length not allowed

SELECT substr(NULL, 1), substr('hello', NULL), substr('hello', 1, NULL)
----
substr | substr | substr
NULL | NULL | NULL
SELECT 1

SELECT '[' || substr('hello', 9223372036854775807, 9223372036854775807) || ']'
----
?column?
[]
SELECT 1

SELECT substr('hello', '2')
----
error 42804: function substr(STRING, STRING) does not exist

SELECT round(2.5), round(-2.5), round(2.4), round(0.5), round(-0.5)
----
round | round | round | round | round
3.0 | -3.0 | 2.0 | 1.0 | -1.0
SELECT 1

SELECT round(3.14159, 2), round(3.14159, 0), round(1234.5, -2), round(1250, -2), round(-1250, -2)
----
round | round | round | round | round
3.14 | 3.0 | 1200.0 | 1300.0 | -1300.0
SELECT 1

SELECT round(7), round(7, 2), typeof(round(7)), typeof(round(7.0)), typeof(round(7, -1))
----
round | round | typeof | typeof | typeof
7 | 7.0 | integer | float | float
SELECT 1

SELECT round(NULL), round(1.5, NULL), round(15, -1), round(14, -1)
----
round | round | round | round
NULL | NULL | 20.0 | 10.0
SELECT 1

SELECT round('1.5')
----
error 42804: function round(STRING) does not exist

SELECT trim('  a b  ') || '|', ltrim('  a  ') || '|', rtrim('  a  ') || '|', trim(NULL)
----
?column? | ?column? | ?column? | trim
a b| | a  | |   a| | NULL
SELECT 1

SELECT replace('banana', 'an', 'AN'), replace('aaa', 'a', ''), replace('abc', '', 'x'), replace('abc', 'z', 'y'), replace(NULL, 'a', 'b')
----
replace | replace | replace | replace | replace
bANANa |  | abc | abc | NULL
SELECT 1

# lower and upper fold ASCII letters only, as SQLite's do.
SELECT upper(substr(lower('HELLO world'), 1, 5)) || '!'
----
?column?
HELLO!
SELECT 1

SELECT length(replace('a,b,,c', ',', ''))
----
length
3
SELECT 1

SELECT nosuch(1)
----
error 42883: function nosuch does not exist

SELECT lower(1)
----
error 42804: function lower(INTEGER) does not exist

# NaN: a FLOAT that equals itself and sorts above every other number (PostgreSQL's order).
SELECT CAST('NaN' AS FLOAT), CAST('nan' AS FLOAT) = CAST('NaN' AS FLOAT), CAST('NaN' AS FLOAT) > 1e308
----
?column? | ?column? | ?column?
NaN | true | true
SELECT 1

SELECT CAST('Infinity' AS FLOAT), CAST('-Infinity' AS FLOAT), CAST('inf' AS FLOAT) > 1e308
----
?column? | ?column? | ?column?
Infinity | -Infinity | true
SELECT 1

SELECT 0.0 * CAST('Infinity' AS FLOAT)
----
?column?
NaN
SELECT 1

SELECT f FROM fv ORDER BY f
----
f
NULL
-Infinity
-1.0
0.0
1.0
Infinity
NaN
NaN
SELECT 8

SELECT f FROM fv ORDER BY f DESC
----
f
NaN
NaN
Infinity
1.0
0.0
-1.0
-Infinity
NULL
SELECT 8

SELECT f FROM fv ORDER BY f NULLS FIRST
----
f
NULL
-Infinity
-1.0
0.0
1.0
Infinity
NaN
NaN
SELECT 8

SELECT f FROM fv WHERE f > 0 ORDER BY f
----
f
1.0
Infinity
NaN
NaN
SELECT 4

SELECT f FROM fv WHERE f = CAST('NaN' AS FLOAT)
----
f
NaN
NaN
SELECT 2

# NULL sorts as the smallest value by default (SQLite's order): first ascending, last descending.
SELECT n FROM nv ORDER BY n
----
n
NULL
-2
0
5
7
SELECT 5

SELECT n FROM nv ORDER BY n NULLS LAST
----
n
-2
0
5
7
NULL
SELECT 5

SELECT n FROM nv ORDER BY n DESC NULLS FIRST
----
n
NULL
7
5
0
-2
SELECT 5

SELECT n FROM nv ORDER BY n DESC NULLS LAST
----
n
7
5
0
-2
NULL
SELECT 5

SELECT n FROM nv ORDER BY n DESC
----
n
7
5
0
-2
NULL
SELECT 5

SELECT '[' || s || ']' AS s FROM sv ORDER BY sv.s
----
s
NULL
[]
[B]
[a]
[ab]
[b]
SELECT 6

SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2.5 UNION ALL SELECT -3 UNION ALL SELECT 2) AS u ORDER BY x
----
x
-3.0
1.0
2.0
2.5
SELECT 4

SELECT DISTINCT x FROM tv ORDER BY x
----
x
NULL
false
true
SELECT 3

SELECT max(f), min(f), count(f) FROM fv
----
max | min | count
NaN | -Infinity | 7
SELECT 1

SELECT DISTINCT f FROM fv WHERE f <> 1.0 OR f IS NULL ORDER BY f
----
f
NULL
-Infinity
-1.0
0.0
Infinity
NaN
SELECT 6

SELECT CAST('NaN' AS FLOAT) = CAST('NaN' AS FLOAT), CAST('NaN' AS FLOAT) <> CAST('NaN' AS FLOAT)
----
?column? | ?column?
true | false
SELECT 1

# Literals and quoting.
SELECT 'it''s', '''', ''
----
?column? | ?column? | ?column?
it's | ' | 
SELECT 1

SELECT "n" FROM nv WHERE "id" = 3
----
n
5
SELECT 1

SELECT 1 AS "Mixed Case", 2 AS lower_case
----
Mixed Case | lower_case
1 | 2
SELECT 1

SELECT true, false, NULL, TRUE AND FALSE
----
?column? | ?column? | ?column? | ?column?
true | false | NULL | false
SELECT 1

SELECT TIMESTAMP '2024-01-02 03:04:05' < TIMESTAMP '2024-01-02 03:04:06'
----
?column?
true
SELECT 1

SELECT x'00ff', typeof(x'00ff'), length(x'00ff')
----
?column? | typeof | length
\x00ff | blob | 2
SELECT 1

# The same operators over table columns, where nothing is folded before run time.
SELECT coalesce(n, 0) + 1, coalesce(n, 0.5), nullif(n, 0), ifnull(n, -1) FROM nv ORDER BY id
----
?column? | coalesce | nullif | ifnull
-1 | -2.0 | -2 | -2
1 | 0.0 | NULL | 0
6 | 5.0 | 5 | 5
1 | 0.5 | NULL | -1
8 | 7.0 | 7 | 7
SELECT 5

SELECT abs(n), -n, n * n, n / 2, n % 2 FROM nv ORDER BY id
----
abs | ?column? | ?column? | ?column? | ?column?
2 | 2 | 4 | -1 | 0
0 | 0 | 0 | 0 | 0
5 | -5 | 25 | 2 | 1
NULL | NULL | NULL | NULL | NULL
7 | -7 | 49 | 3 | 1
SELECT 5

SELECT id FROM nv WHERE n / 2 = 0 ORDER BY id
----
id
2
SELECT 1

SELECT n, CASE n WHEN 0 THEN 'zero' WHEN 5 THEN 'five' END FROM nv ORDER BY id
----
n | case
-2 | NULL
0 | zero
5 | five
NULL | NULL
7 | NULL
SELECT 5

SELECT s, length(s), upper(s), s LIKE 'a%', s || '!' FROM sv ORDER BY id
----
s | length | upper | ?column? | ?column?
b | 1 | B | false | b!
NULL | NULL | NULL | NULL | NULL
a | 1 | A | true | a!
B | 1 | B | false | B!
 | 0 |  | false | !
ab | 2 | AB | true | ab!
SELECT 6

SELECT count(*) FROM tv WHERE x AND y IS NULL
----
count
1
SELECT 1

SELECT count(*) FROM tv WHERE NOT (x OR y)
----
count
1
SELECT 1

SELECT id FROM tv WHERE x IS NOT TRUE ORDER BY id
----
id
4
5
6
7
8
9
SELECT 6

SELECT id FROM tv WHERE (x AND y) IS NULL ORDER BY id
----
id
3
7
9
SELECT 3

SELECT id FROM tv WHERE x = y ORDER BY id
----
id
1
5
SELECT 2

SELECT id FROM tv WHERE x IS DISTINCT FROM y ORDER BY id
----
id
2
3
4
6
7
8
SELECT 6

SELECT coalesce(NULL, 1, 2.5), nullif(1, 2.5), CASE WHEN true THEN 1 ELSE 2.5 END
----
coalesce | nullif | case
1.0 | 1.0 | 1.0
SELECT 1

SELECT n + 9223372036854775800 FROM nv WHERE id = 5
----
?column?
9223372036854775807
SELECT 1

SELECT n * 4611686018427387904 FROM nv WHERE id = 1
----
?column?
-9223372036854775808
SELECT 1

SELECT n * 4611686018427387904 FROM nv WHERE id = 3
----
error 22003: integer out of range

SELECT 10 / n FROM nv WHERE id = 1
----
?column?
-5
SELECT 1

SELECT 10 / n FROM nv WHERE id = 2
----
error 22012: division by zero

SELECT n FROM nv WHERE id = 2 AND 10 / n > 0
----
error 22012: division by zero

SELECT CAST(s AS INT) FROM sv WHERE id = 1
----
error 22P02: invalid input syntax for type INTEGER: "b"

SELECT CAST(n AS TEXT) || 'x', CAST(n AS FLOAT) / 4 FROM nv ORDER BY id
----
?column? | ?column?
-2x | -0.5
0x | 0.0
5x | 1.25
NULL | NULL
7x | 1.75
SELECT 5
