// The streaming operators with little state: Values, Empty, Filter, Project, Distinct, Limit.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "core/assert.h"
#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

// VALUES: one row per expression list, evaluated on an empty input row (outer references and
// parameters allowed). Each row is one unit of work.
class ValuesOp final : public Operator {
public:
    ValuesOp(const OpEnv& env, PlanPtr plan) : Operator(env), plan_(std::move(plan)) {}
    SqlResult<Pull> Next(Row* out) override {
        if (next_ >= plan_->rows.size()) return Pull::kDone;
        if (!env_.budget->Take()) return Pull::kYield;
        const std::vector<BExpr>& exprs = plan_->rows[next_++];
        static const Row kNoInput;
        out->clear();
        for (size_t i = 0; i < exprs.size(); ++i) {
            auto v = Eval(exprs[i], kNoInput);
            if (!v.ok()) return v.error();
            DataType t = i < plan_->columns.size() ? plan_->columns[i].type : DataType::kNull;
            out->push_back(CoerceToType(v.value(), t));
        }
        return Pull::kRow;
    }

private:
    PlanPtr plan_;
    size_t next_ = 0;
};

class EmptyOp final : public Operator {
public:
    using Operator::Operator;
    SqlResult<Pull> Next(Row*) override { return Pull::kDone; }
};

class FilterOp final : public Operator {
public:
    FilterOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)) {}
    SqlResult<Pull> Next(Row* out) override {
        for (;;) {
            auto p = child_->Next(out);
            if (!p.ok() || p.value() != Pull::kRow) return p;
            auto keep = env_.state->evaluator.EvalPredicate(plan_->predicate, *out, env_.outer);
            if (!keep.ok()) return keep.error();
            if (keep.value()) return Pull::kRow;
        }
    }

private:
    PlanPtr plan_;
    OperatorPtr child_;
};

class ProjectOp final : public Operator {
public:
    ProjectOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)) {}
    SqlResult<Pull> Next(Row* out) override {
        auto p = child_->Next(&in_);
        if (!p.ok() || p.value() != Pull::kRow) return p;
        out->clear();
        for (const BExpr& e : plan_->exprs) {
            auto v = Eval(e, in_);
            if (!v.ok()) return v.error();
            out->push_back(v.value());
        }
        return Pull::kRow;
    }

private:
    PlanPtr plan_;
    OperatorPtr child_;
    Row in_;
};

// DISTINCT: streams each row the first time it is seen (NULLs equal, 1 = 1.0, value.h's order).
class DistinctOp final : public Operator {
public:
    DistinctOp(const OpEnv& env, OperatorPtr child)
        : Operator(env), child_(std::move(child)), memory_(*env.state, "DISTINCT") {}
    SqlResult<Pull> Next(Row* out) override {
        for (;;) {
            auto p = child_->Next(out);
            if (!p.ok() || p.value() != Pull::kRow) return p;
            if (seen_.count(*out) > 0) continue;
            auto charged = memory_.Add(RowBytes(*out));
            if (!charged.ok()) return charged.error();
            seen_.insert(*out);
            return Pull::kRow;
        }
    }

private:
    OperatorPtr child_;
    std::set<Row, RowLess> seen_;
    MemoryCharge memory_;
};

// LIMIT / OFFSET: constant expressions (parameters allowed) evaluated on the first call. NULL
// means no limit (PostgreSQL); a negative or non-integral count is an error. Once the limit is
// reached the child is not pulled again.
class LimitOp final : public Operator {
public:
    LimitOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)) {}
    SqlResult<Pull> Next(Row* out) override {
        if (!started_) {
            // OFFSET first, as PostgreSQL's recompute_limits does: with both negative, the
            // error is OFFSET's.
            auto o = EvalCount(plan_->offset, "OFFSET", ErrorKind::kInvalidOffset, &skip_);
            if (!o.ok()) return o.error();
            auto l = EvalCount(plan_->limit, "LIMIT", ErrorKind::kInvalidLimit, &limit_);
            if (!l.ok()) return l.error();
            started_ = true;
        }
        for (;;) {
            if (limit_ && produced_ >= *limit_) return Pull::kDone;
            auto p = child_->Next(out);
            if (!p.ok() || p.value() != Pull::kRow) return p;
            if (skip_ && *skip_ > 0) {
                --*skip_;
                continue;
            }
            ++produced_;
            return Pull::kRow;
        }
    }

private:
    PlanPtr plan_;
    OperatorPtr child_;
    bool started_ = false;
    std::optional<int64_t> limit_;
    std::optional<int64_t> skip_;
    int64_t produced_ = 0;
};

}  // namespace

SqlResult<bool> Operator::EvalCount(const BExpr& e, std::string_view what, ErrorKind negative,
                                    std::optional<int64_t>* out) {
    if (!e) return true;
    static const Row kNoInput;
    auto v = Eval(e, kNoInput);
    if (!v.ok()) return v.error();
    const Value& c = v.value();
    if (c.is_null()) return true;
    int64_t n = 0;
    if (c.type() == DataType::kInteger) {
        n = c.integer();
    } else if (c.type() == DataType::kFloat && std::isfinite(c.floating()) &&
               c.floating() == std::trunc(c.floating()) && std::fabs(c.floating()) < 9e18) {
        n = static_cast<int64_t>(c.floating());
    } else {
        return MakeSqlError(ErrorKind::kDatatypeMismatch,
                            fmt::format("argument of {} must be an integer, not {}", what,
                                        c.ToString()));
    }
    if (n < 0) return MakeSqlError(negative, fmt::format("{} must not be negative", what));
    *out = n;
    return true;
}

SqlResult<OperatorPtr> MakeSimple(const PlanPtr& plan, const OpEnv& env, OperatorPtr child) {
    switch (plan->kind) {
        case PlanKind::kValues: return OperatorPtr(std::make_unique<ValuesOp>(env, plan));
        case PlanKind::kEmpty: return OperatorPtr(std::make_unique<EmptyOp>(env));
        case PlanKind::kFilter:
            return OperatorPtr(std::make_unique<FilterOp>(env, plan, std::move(child)));
        case PlanKind::kProject:
            return OperatorPtr(std::make_unique<ProjectOp>(env, plan, std::move(child)));
        case PlanKind::kDistinct:
            return OperatorPtr(std::make_unique<DistinctOp>(env, std::move(child)));
        case PlanKind::kLimit:
            return OperatorPtr(std::make_unique<LimitOp>(env, plan, std::move(child)));
        default: break;
    }
    return MakeSqlError(ErrorKind::kInternal, "not a simple operator");
}

}  // namespace orrery::sql::exec
