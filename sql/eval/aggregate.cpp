// Aggregate accumulators (aggregate.h).
#include "sql/eval/aggregate.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace orrery::sql {

std::optional<AggregateKind> LookupAggregate(std::string_view name) {
    if (name == "count") return AggregateKind::kCount;
    if (name == "sum") return AggregateKind::kSum;
    if (name == "avg") return AggregateKind::kAvg;
    if (name == "min") return AggregateKind::kMin;
    if (name == "max") return AggregateKind::kMax;
    return std::nullopt;
}

std::string_view AggregateName(AggregateKind kind) {
    switch (kind) {
        case AggregateKind::kCountStar:
        case AggregateKind::kCount: return "count";
        case AggregateKind::kSum: return "sum";
        case AggregateKind::kAvg: return "avg";
        case AggregateKind::kMin: return "min";
        case AggregateKind::kMax: return "max";
    }
    return "?";
}

SqlResult<DataType> AggregateResultType(AggregateKind kind, DataType arg) {
    bool number = arg == DataType::kInteger || arg == DataType::kFloat || arg == DataType::kNull;
    switch (kind) {
        case AggregateKind::kCountStar:
        case AggregateKind::kCount: return DataType::kInteger;
        case AggregateKind::kSum:
        case AggregateKind::kAvg:
            if (!number) {
                return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                    fmt::format("function {}({}) does not exist",
                                                AggregateName(kind), DataTypeName(arg)));
            }
            if (kind == AggregateKind::kAvg) return DataType::kFloat;
            return arg == DataType::kNull ? DataType::kInteger : arg;
        case AggregateKind::kMin:
        case AggregateKind::kMax: return arg;
    }
    return DataType::kNull;
}

SqlResult<bool> Accumulator::Add(const Value& arg) {
    if (kind_ == AggregateKind::kCountStar) {
        ++count_;
        return true;
    }
    if (arg.is_null()) return true;
    if (distinct_) {
        if (seen_.count(arg) > 0) return true;
        memory_bytes_ += arg.MemoryBytes() + 32;  // A red-black tree node's overhead.
        seen_.insert(arg);
    }
    return Fold(arg);
}

SqlResult<bool> Accumulator::Fold(const Value& arg) {
    ++count_;
    switch (kind_) {
        case AggregateKind::kCountStar:
        case AggregateKind::kCount: return true;
        case AggregateKind::kSum:
        case AggregateKind::kAvg:
            if (arg.type() == DataType::kInteger) {
                wide_sum_ += arg.integer();
                if (kind_ == AggregateKind::kSum && !has_float_ &&
                    __builtin_add_overflow(int_sum_, arg.integer(), &int_sum_)) {
                    return MakeSqlError(ErrorKind::kNumericOutOfRange, "bigint out of range");
                }
                float_sum_ += static_cast<double>(arg.integer());
            } else if (arg.type() == DataType::kFloat) {
                has_float_ = true;
                float_sum_ += arg.floating();
            } else {
                return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                    fmt::format("function {}({}) does not exist",
                                                AggregateName(kind_), DataTypeName(arg.type())));
            }
            return true;
        case AggregateKind::kMin:
        case AggregateKind::kMax: {
            if (best_.is_null()) {
                best_ = arg;
                return true;
            }
            auto c = CompareSql(arg, best_);
            if (!c.ok()) return c.error();
            if ((kind_ == AggregateKind::kMin) ? *c.value() < 0 : *c.value() > 0) best_ = arg;
            return true;
        }
    }
    return true;
}

ValueResult Accumulator::Finish() const {
    switch (kind_) {
        case AggregateKind::kCountStar:
        case AggregateKind::kCount: return Value::Integer(count_);
        case AggregateKind::kSum:
            if (count_ == 0) return Value::Null();
            if (has_float_) return Value::Float(float_sum_);
            return Value::Integer(int_sum_);
        case AggregateKind::kAvg:
            if (count_ == 0) return Value::Null();
            if (has_float_) return Value::Float(float_sum_ / static_cast<double>(count_));
            return Value::Float(static_cast<double>(wide_sum_) / static_cast<double>(count_));
        case AggregateKind::kMin:
        case AggregateKind::kMax: return best_;
    }
    ORRERY_ASSERT(false, "unknown aggregate");
    return Value();
}

}  // namespace orrery::sql
