// Constant evaluation of bound expressions, outside any statement: what DEFAULT, AS OF SYSTEM
// TIME and the optimizer's constant folding share.
//
// Only literals, operators, IS [NOT] NULL, casts and scalar functions are evaluated, with the
// semantics of eval/ops.h (the executor calls the same functions, so a folded value is the
// value the executor would have computed). Anything that reads a row, a parameter, the clock or
// a subquery is refused with kFeatureNotSupported; an evaluation error (1/0) is returned as the
// executor would have raised it, and the optimizer then leaves the expression for run time.
#pragma once

#include "sql/plan/expr.h"

namespace orrery::sql {

SqlResult<Value> EvalConstantExpr(const BExpr& e);

}  // namespace orrery::sql
