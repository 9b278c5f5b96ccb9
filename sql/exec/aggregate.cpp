// Aggregate: GROUP BY with the accumulators of eval/aggregate.h.
//
// Groups are kept in a std::map keyed by the group-by values in value.h's total order, so NULLs
// form one group, 1 and 1.0 are one group, and the output comes in group-key order (a
// deterministic order; a query that needs one says ORDER BY). Without GROUP BY an empty input
// still gives one row (COUNT 0, the others NULL), as the standard says; with GROUP BY it gives
// none. Group keys and DISTINCT sets count against the statement's memory bound.
//
// A hash index over the map's keys (Value::Hash agrees with the total order's equality) finds a
// row's group in O(1) instead of O(log groups) comparisons; the map alone gives the order.
#include <map>
#include <unordered_map>

#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

class AggregateOp final : public Operator {
public:
    AggregateOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)),
          memory_(*env.state, "GROUP BY aggregation") {}

    SqlResult<Pull> Next(Row* out) override {
        while (!consumed_) {
            auto p = child_->Next(&in_);
            if (!p.ok()) return p;
            if (p.value() == Pull::kYield) return p;
            if (p.value() == Pull::kDone) {
                consumed_ = true;
                if (groups_.empty() && plan_->group_by.empty()) NewGroup(Row());
                it_ = groups_.begin();
                break;
            }
            auto added = Add(in_);
            if (!added.ok()) return added.error();
        }
        if (it_ == groups_.end()) return Pull::kDone;
        *out = it_->first;
        for (const Accumulator& a : it_->second) {
            auto v = a.Finish();
            if (!v.ok()) return v.error();
            out->push_back(v.value());
        }
        ++it_;
        return Pull::kRow;
    }

private:
    using Groups = std::map<Row, std::vector<Accumulator>, RowLess>;
    // Keys point at the map's own keys, which never move.
    struct KeyHash {
        size_t operator()(const Row* r) const { return RowHash()(*r); }
    };
    struct KeyEq {
        bool operator()(const Row* a, const Row* b) const { return RowEq()(*a, *b); }
    };
    using Index = std::unordered_map<const Row*, Groups::iterator, KeyHash, KeyEq>;
    // What one index entry costs besides the map's node: its own node and bucket (charged).
    static constexpr size_t kIndexEntryBytes = 48;

    Groups::iterator NewGroup(Row key) {
        std::vector<Accumulator> accs;
        for (const AggregateCall& c : plan_->aggregates) accs.emplace_back(c.kind, c.distinct);
        auto it = groups_.emplace(std::move(key), std::move(accs)).first;
        index_.emplace(&it->first, it);
        return it;
    }

    SqlResult<bool> Add(const Row& row) {
        key_.clear();
        for (const BExpr& g : plan_->group_by) {
            auto v = Eval(g, row);
            if (!v.ok()) return v.error();
            key_.push_back(std::move(v).value());
        }
        Groups::iterator it;
        if (plan_->group_by.empty() && !groups_.empty()) {
            it = groups_.begin();  // Without GROUP BY every row is in the one group.
        } else if (auto found = index_.find(&key_); found != index_.end()) {
            it = found->second;
        } else {
            size_t bytes = RowBytes(key_) + plan_->aggregates.size() * sizeof(Accumulator) +
                           kIndexEntryBytes;
            auto charged = memory_.Add(bytes);
            if (!charged.ok()) return charged;
            it = NewGroup(key_);
        }
        for (size_t i = 0; i < plan_->aggregates.size(); ++i) {
            const AggregateCall& c = plan_->aggregates[i];
            Value arg;
            if (c.arg) {
                auto v = Eval(c.arg, row);
                if (!v.ok()) return v.error();
                arg = std::move(v).value();
            }
            Accumulator& acc = it->second[i];
            size_t before = acc.memory_bytes();
            auto ok = acc.Add(arg);
            if (!ok.ok()) return ok;
            if (acc.memory_bytes() > before) {
                auto charged = memory_.Add(acc.memory_bytes() - before);
                if (!charged.ok()) return charged;
            }
        }
        return true;
    }

    PlanPtr plan_;
    OperatorPtr child_;
    MemoryCharge memory_;
    Groups groups_;
    Index index_;
    Row key_;  // The current row's group key, reused across rows.
    Groups::iterator it_;
    Row in_;
    bool consumed_ = false;
};

}  // namespace

SqlResult<OperatorPtr> MakeAggregate(const PlanPtr& plan, const OpEnv& env, OperatorPtr child) {
    return OperatorPtr(std::make_unique<AggregateOp>(env, plan, std::move(child)));
}

}  // namespace orrery::sql::exec
