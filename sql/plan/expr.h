// Bound expressions: what the binder makes of the AST's Expr once names and types are known.
//
// A column is no longer a name but a position in the row the expression is evaluated on (the
// output of the plan node below the one holding the expression); a column of an enclosing query
// (a correlated subquery's outer reference) is (depth, position) into the outer row stack; a
// function is resolved; a subquery is a plan. Every node has a static type (kNull: unknown, for
// a NULL literal or an untyped parameter).
//
// Bound expressions are immutable and shared (BExpr is a shared_ptr to const), so optimizer
// rules rebuild what they change and share the rest. The one mutable part is a subquery's plan,
// which the optimizer rewrites in place (the plan is owned by its expression only).
//
// Invariants: args.size() matches the kind (as in ast.h's ExprKind, after the binder's
// desugaring: BETWEEN becomes two comparisons, IN (subquery) and EXISTS a kSubquery);
// kColumn.column < the width of the row it is evaluated on (checked by the evaluator).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/ast.h"
#include "sql/eval/aggregate.h"
#include "sql/eval/functions.h"
#include "sql/value.h"

namespace orrery::sql {

struct PlanNode;
using PlanPtr = std::shared_ptr<PlanNode>;

enum class BKind : uint8_t {
    kConstant,     // constant.
    kColumn,       // column: position in the input row.
    kOuterColumn,  // depth (1 = the enclosing query) and column in that query's row.
    kParameter,    // parameter: 1-based.
    kUnary,        // unary_op args[0].
    kBinary,       // args[0] binary_op args[1]; AND/OR short-circuit.
    kIsNull,       // args[0] IS [NOT] NULL.
    kIsBool,       // args[0] IS [NOT] TRUE/FALSE.
    kInList,       // args[0] [NOT] IN (args[1..]).
    kLike,         // args[0] [NOT] LIKE args[1] ESCAPE args[2].
    kCase,         // as ast.h: [operand] when/then pairs [else].
    kCast,         // CAST(args[0] AS cast_type).
    kFunction,     // function(args).
    kNow,          // now(), current_timestamp: the transaction's start (ExecContext::now_us).
    kSubquery,     // subquery_kind over subquery; kIn: args[0] is the left operand.
};

enum class SubqueryKind : uint8_t { kScalar, kExists, kIn };

struct BoundExpr;
using BExpr = std::shared_ptr<const BoundExpr>;

struct BoundExpr {
    BKind kind = BKind::kConstant;
    DataType type = DataType::kNull;

    Value constant;
    uint32_t column = 0;
    uint32_t depth = 0;
    uint32_t parameter = 0;
    std::string name;  // kColumn / kOuterColumn: display name ("m.title"); kFunction: its name;
                       // kNow: "now", "statement_timestamp" or "clock_timestamp".
    UnaryOp unary_op = UnaryOp::kNot;
    BinaryOp binary_op = BinaryOp::kEq;
    bool negated = false;
    bool bool_value = false;
    bool has_operand = false;
    bool has_else = false;
    TypeSpec cast_type;
    ScalarFunction function = ScalarFunction::kAbs;
    SubqueryKind subquery_kind = SubqueryKind::kScalar;
    PlanPtr subquery;
    bool correlated = false;  // The subquery reads a column of an enclosing query.
    std::vector<BExpr> args;
};

// Constructors of the common shapes.
BExpr MakeConstant(Value v);
BExpr MakeColumn(uint32_t column, DataType type, std::string name);
BExpr MakeBinary(BinaryOp op, BExpr a, BExpr b, DataType type);
BExpr MakeNot(BExpr a);
// a AND b, either side may be null (then the other is returned).
BExpr MakeAnd(BExpr a, BExpr b);

// Renders an expression for EXPLAIN and messages: columns by name, constants as SQL literals,
// subqueries as "(subquery)" / "EXISTS (subquery)".
std::string ExprString(const BExpr& e);
// A structural fingerprint: two expressions with equal fingerprints compute the same value on
// the same row (columns by position). The binder matches GROUP BY and ORDER BY expressions by it.
std::string ExprFingerprint(const BExpr& e);

// Splits a predicate into its top-level AND conjuncts.
void SplitConjuncts(const BExpr& e, std::vector<BExpr>* out);
// The conjuncts ANDed back together (nullptr for none).
BExpr JoinConjuncts(const std::vector<BExpr>& conjuncts);

// Column facts of an expression (not looking inside subqueries except for outer references).
struct ColumnUse {
    uint32_t min_column = UINT32_MAX;
    uint32_t max_column = 0;
    bool any_column = false;
    bool has_subquery = false;
    bool has_parameter = false;
    bool has_now = false;
    bool has_outer = false;  // A reference to an enclosing query's row.
};
ColumnUse AnalyzeColumns(const BExpr& e);
// True iff e reads no row, no parameter, no clock and no subquery: a constant to fold.
bool IsConstantExpr(const BExpr& e);
// Returns e with every kColumn position p replaced by p + delta (REQUIRES: no underflow), or by
// map[p] when `map` is given. Subqueries are left as they are (callers do not move expressions
// holding subqueries).
BExpr ShiftColumns(const BExpr& e, int64_t delta);
BExpr RemapColumns(const BExpr& e, const std::vector<uint32_t>& map);

}  // namespace orrery::sql
