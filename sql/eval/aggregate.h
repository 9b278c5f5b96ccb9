// Aggregate functions: COUNT(*), COUNT, SUM, AVG, MIN, MAX, each optionally DISTINCT.
//
// An Accumulator folds one group's argument values. NULL arguments are skipped (COUNT(*) counts
// rows, so it sees no argument at all). Results over an empty group follow the standard: COUNT
// gives 0, the others NULL. SUM of INTEGERs is INTEGER and checked (overflow is 22003, never a
// silent switch to FLOAT); AVG is always FLOAT, computed from an exact 128-bit sum for INTEGERs.
// DISTINCT keeps the distinct values seen (in the total order of value.h, so 1 and 1.0 are one
// value), and memory_bytes() counts them for the executor's memory bound.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string_view>

#include "sql/eval/ops.h"

namespace orrery::sql {

enum class AggregateKind : uint8_t { kCountStar, kCount, kSum, kAvg, kMin, kMax };

// "count", "sum", ... (lower case) -> kind; nullopt for a name that is no aggregate.
std::optional<AggregateKind> LookupAggregate(std::string_view name);
std::string_view AggregateName(AggregateKind kind);

// The result type for an argument of static type `arg` (42804 for SUM of a string, ...).
SqlResult<DataType> AggregateResultType(AggregateKind kind, DataType arg);

struct ValueLess {
    bool operator()(const Value& a, const Value& b) const { return CompareValues(a, b) < 0; }
};

class Accumulator {
public:
    Accumulator(AggregateKind kind, bool distinct) : kind_(kind), distinct_(distinct) {}

    // Folds one row's argument (ignored for COUNT(*), which counts the call).
    SqlResult<bool> Add(const Value& arg);
    // The aggregate over everything added.
    ValueResult Finish() const;
    // Bytes held beyond the object itself (the DISTINCT set).
    size_t memory_bytes() const { return memory_bytes_; }

private:
    SqlResult<bool> Fold(const Value& arg);

    AggregateKind kind_;
    bool distinct_;
    int64_t count_ = 0;
    bool has_float_ = false;
    int64_t int_sum_ = 0;
    __int128 wide_sum_ = 0;  // AVG of INTEGERs: exact.
    double float_sum_ = 0;
    Value best_;  // MIN / MAX so far (NULL: none yet).
    std::set<Value, ValueLess> seen_;
    size_t memory_bytes_ = 0;
};

}  // namespace orrery::sql
