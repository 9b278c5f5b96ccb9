// Sort: materialises its input with the key values computed once per row, then a stable sort
// (rows equal on every key keep their input order). NULLs go first or last as each key's
// nulls_first says, independently of ASC/DESC; other values follow value.h's total order.
#include <algorithm>
#include <numeric>

#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

class SortOp final : public Operator {
public:
    SortOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)),
          memory_(*env.state, "ORDER BY sort") {}

    SqlResult<Pull> Next(Row* out) override {
        while (!sorted_) {
            Row r;
            auto p = child_->Next(&r);
            if (!p.ok()) return p;
            if (p.value() == Pull::kYield) return p;
            if (p.value() == Pull::kDone) {
                SortRows();
                sorted_ = true;
                break;
            }
            Row keys;
            for (const SortKey& k : plan_->sort_keys) {
                auto v = Eval(k.expr, r);
                if (!v.ok()) return v.error();
                keys.push_back(v.value());
            }
            auto charged = memory_.Add(RowBytes(r) + RowBytes(keys));
            if (!charged.ok()) return charged.error();
            rows_.push_back(std::move(r));
            keys_.push_back(std::move(keys));
        }
        if (next_ >= order_.size()) return Pull::kDone;
        *out = std::move(rows_[order_[next_++]]);
        return Pull::kRow;
    }

private:
    // <0, 0, >0: a before, with, after b under the sort keys.
    int Compare(const Row& a, const Row& b) const {
        for (size_t i = 0; i < plan_->sort_keys.size(); ++i) {
            const SortKey& k = plan_->sort_keys[i];
            bool an = a[i].is_null();
            bool bn = b[i].is_null();
            if (an || bn) {
                if (an && bn) continue;
                return (an == k.nulls_first) ? -1 : 1;
            }
            int c = CompareValues(a[i], b[i]);
            if (c != 0) return k.descending ? -c : c;
        }
        return 0;
    }

    void SortRows() {
        order_.resize(rows_.size());
        std::iota(order_.begin(), order_.end(), size_t{0});
        std::stable_sort(order_.begin(), order_.end(), [&](size_t x, size_t y) {
            return Compare(keys_[x], keys_[y]) < 0;
        });
    }

    PlanPtr plan_;
    OperatorPtr child_;
    MemoryCharge memory_;
    std::vector<Row> rows_;
    std::vector<Row> keys_;
    std::vector<size_t> order_;
    bool sorted_ = false;
    size_t next_ = 0;
};

}  // namespace

SqlResult<OperatorPtr> MakeSort(const PlanPtr& plan, const OpEnv& env, OperatorPtr child) {
    return OperatorPtr(std::make_unique<SortOp>(env, plan, std::move(child)));
}

}  // namespace orrery::sql::exec
