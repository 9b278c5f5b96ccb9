// The expression evaluator: computes a bound expression (plan/expr.h) over one row.
//
// Semantics are value.h's and eval/ops.h's; this file adds what needs a row, a statement or a
// plan:
//  - kColumn reads the input row, kOuterColumn the outer row stack (operator.h);
//  - kParameter reads ExecContext::params (1-based); a missing one is kInvalidParameter (42P02);
//  - kNow is ExecContext::now_us, the transaction's start (so every row of every statement of a
//    transaction sees the same instant, as PostgreSQL's now() does); named statement_timestamp it
//    is ExecContext::statement_us, named clock_timestamp the wall clock read at each call; no
//    clock is a clear error (0A000);
//  - AND and OR short-circuit (FALSE AND x, TRUE OR x never evaluate x), then follow Kleene;
//    COALESCE and IFNULL evaluate their arguments left to right only until a non-NULL one;
//  - x [NOT] IN (list) and x [NOT] IN (subquery): TRUE on a match; else NULL when x is NULL or
//    any candidate is NULL; else FALSE (so NOT IN over a set holding a NULL is never TRUE);
//  - a scalar subquery gives its one value, NULL for no row, and 21000 for more than one row;
//  - an uncorrelated subquery is run once per statement and its result cached; a correlated one
//    is run for every outer row it is evaluated on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "sql/eval/aggregate.h"
#include "sql/plan/expr.h"
#include "sql/session.h"
#include "sql/value.h"

namespace orrery::sql::exec {

class StatementState;

// One entry of the outer row stack: `row` is depth 1 as seen from the query run with it.
struct OuterRows {
    const Row* row = nullptr;
    const OuterRows* parent = nullptr;
};

class ExprEvaluator {
public:
    explicit ExprEvaluator(StatementState& state) : state_(state) {}

    SqlResult<Value> Eval(const BExpr& e, const Row& row, const OuterRows* outer);
    // WHERE / ON / HAVING truthiness: TRUE only for BOOLEAN true (NULL and FALSE reject).
    SqlResult<bool> EvalPredicate(const BExpr& e, const Row& row, const OuterRows* outer);

private:
    // What an uncorrelated subquery's one run left behind.
    struct Cached {
        Value scalar;                        // kScalar.
        bool any_row = false;                // kExists.
        std::set<Value, ValueLess> values;   // kIn: the non-NULL values.
        bool has_null = false;               // kIn: a NULL among them.
    };

    SqlResult<Value> EvalLogic(const BoundExpr& e, const Row& row, const OuterRows* outer);
    SqlResult<Value> EvalInList(const BoundExpr& e, const Row& row, const OuterRows* outer);
    SqlResult<Value> EvalCase(const BoundExpr& e, const Row& row, const OuterRows* outer);
    SqlResult<Value> EvalFunction(const BoundExpr& e, const Row& row, const OuterRows* outer);
    SqlResult<Value> EvalSubquery(const BoundExpr& e, const Row& row, const OuterRows* outer);
    // now() ("now"), statement_timestamp() or clock_timestamp(): see ExecContext.
    SqlResult<Value> Now(const std::string& which);
    // Runs the subquery (once) and fills *out.
    SqlResult<bool> Fill(const BoundExpr& e, const OuterRows* outer, const Value* probe,
                         Cached* out);

    StatementState& state_;
    std::map<const BoundExpr*, Cached> cache_;  // Keyed by node identity; never iterated.
};

// x IN candidates, three-valued: TRUE on a match, else NULL if x or a candidate is NULL.
// `saw_null` says a NULL candidate was seen.
Value InResult(bool matched, bool saw_null, bool x_null, bool negated);

}  // namespace orrery::sql::exec
