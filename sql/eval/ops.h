// ops: the value-level operators of the dialect, as pure functions of Values.
//
// Everything here is a leaf the expression evaluator (exec/eval.h) calls once its operands are
// computed; nothing here sees rows, plans or storage, so each operator is tested on its own
// (ops_test.cpp). The semantics are value.h's:
//
//  - NULL in, NULL out, except where SQL says otherwise (AND/OR's Kleene tables, IS DISTINCT
//    FROM, COALESCE, CONCAT's functional form);
//  - INTEGER arithmetic is checked: overflow is kNumericOutOfRange (22003), never wraparound;
//    / and % truncate toward zero (C++'s rule, and PostgreSQL's); by zero is kDivisionByZero;
//  - comparisons of an INTEGER with a FLOAT are exact (CompareValues); NaN = NaN is TRUE;
//  - CAST between any two types either gives the value or a clear error (kInvalidText for text
//    that is not a number, boolean or timestamp; kNumericOutOfRange for a float outside int64;
//    kDatatypeMismatch for a pair that has no conversion, e.g. BOOLEAN to TIMESTAMP).
//
// Type errors between incomparable types are the binder's to report (42804) from static types;
// the functions below still check, because parameters are typed only at execution.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/data_type.h"
#include "sql/session.h"
#include "sql/value.h"

namespace orrery::sql {

using ValueResult = SqlResult<Value>;

// Arithmetic, comparison, ||, and the IS [NOT] DISTINCT FROM forms. AND/OR are here too but the
// evaluator short-circuits them itself. REQUIRES: op is not kAnd/kOr for EvalCompare.
ValueResult EvalBinary(BinaryOp op, const Value& a, const Value& b);
ValueResult EvalUnary(UnaryOp op, const Value& a);

// Kleene AND / OR on BOOLEAN-or-NULL values (kDatatypeMismatch for anything else).
ValueResult EvalAnd(const Value& a, const Value& b);
ValueResult EvalOr(const Value& a, const Value& b);

// SQL comparison: NULL when either side is NULL, else the order of CompareValues.
// kDatatypeMismatch when the types are not comparable (a STRING with an INTEGER).
SqlResult<std::optional<int>> CompareSql(const Value& a, const Value& b);

// True iff two static types can be compared with =, < (numbers with numbers, a type with
// itself, NULL with anything).
bool Comparable(DataType a, DataType b);

// value LIKE pattern [ESCAPE escape]: % matches any run of characters, _ one character (UTF-8
// aware); the escape character makes the next pattern character literal. Case-sensitive. NULL
// if any operand is NULL. Without an
// ESCAPE clause the evaluator passes a backslash, as PostgreSQL does; ESCAPE '' turns escaping
// off. A pattern ending in the escape character is kInvalidText.
ValueResult EvalLike(const Value& value, const Value& pattern, const Value& escape);

// CAST(value AS type); a VARCHAR(n) length is checked (kStringTooLong, 22001).
ValueResult CastValue(const Value& value, const TypeSpec& type);

// Whether CAST(<from> AS <to>) is defined at all (the binder reports 42804 for the others).
bool CastDefined(DataType from, DataType to);

// The conversion of an assignment (INSERT, UPDATE, DEFAULT) into a column of `type`:
// INTEGER <-> FLOAT (FLOAT -> INTEGER only when integral), a STRING into TIMESTAMP or BLOB
// (parsed), anything else must already have the type (kDatatypeMismatch naming the column).
ValueResult AssignValue(const Value& value, const TypeSpec& type, std::string_view column);

// The operator as written ("=", "||", "IS DISTINCT FROM"), for messages and EXPLAIN.
std::string_view BinaryOpSymbol(BinaryOp op);

// Truthiness for WHERE, HAVING, ON, CHECK, CASE WHEN: TRUE only for BOOLEAN true.
inline bool IsTrue(const Value& v) { return v.type() == DataType::kBoolean && v.boolean(); }

}  // namespace orrery::sql
