// Scalar functions: the table of names the binder resolves, their result types, and their
// evaluation on argument values.
//
// Every function here is deterministic and NULL-propagating unless its row in the table says
// otherwise (coalesce, ifnull, nullif, concat, typeof look at NULLs themselves). now() and
// current_timestamp are the transaction's start time (ExecContext::now_us); the evaluator
// handles them, since they need the session, and this table only names them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "sql/eval/ops.h"

namespace orrery::sql {

enum class ScalarFunction : uint8_t {
    kAbs, kCoalesce, kIfnull, kNullif, kLength, kLower, kUpper, kSubstr, kRound, kTrim, kLtrim,
    kRtrim, kReplace, kTypeof, kConcat, kNow,
};

struct FunctionSignature {
    ScalarFunction function;
    std::string_view name;
    uint32_t min_args;
    uint32_t max_args;
};

// The function `name` (lower case) stands for, or nullopt.
std::optional<FunctionSignature> LookupScalarFunction(std::string_view name);

// The static result type for arguments of `types` (kNull entries: unknown), or a type error
// (42804) naming the function.
SqlResult<DataType> ScalarResultType(const FunctionSignature& sig,
                                     const std::vector<DataType>& types);

// Evaluates the function. REQUIRES: args.size() within the signature; not kNow.
ValueResult EvalScalarFunction(ScalarFunction function, const std::vector<Value>& args);

}  // namespace orrery::sql
