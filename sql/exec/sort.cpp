// Sort: materialises its input with the key values computed once per row, then a stable sort
// (rows equal on every key keep their input order). NULLs go first or last as each key's
// nulls_first says, independently of ASC/DESC; other values follow value.h's total order.
//
// A top-N sort (the plan's limit set by limit_pushdown) keeps only the first N = limit+offset
// rows of that order: a max-heap of at most N rows whose top is the worst kept row, ordered by
// the keys and then by input position, so the result is exactly the first N rows of the full
// stable sort. Memory is charged for the kept rows only, so ORDER BY ... LIMIT 10 over a table
// larger than the memory bound succeeds.
#include <algorithm>
#include <limits>
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
        if (!started_) {
            started_ = true;
            wanted_ = Wanted();
        }
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
            auto kept = Keep(std::move(r), std::move(keys));
            if (!kept.ok()) return kept.error();
        }
        if (next_ >= order_.size()) return Pull::kDone;
        *out = std::move(rows_[order_[next_++]]);
        return Pull::kRow;
    }

private:
    // N of a top-N sort, or nullopt for a full sort. A count that fails to evaluate also means
    // a full sort: the Limit above evaluates the same expressions before it pulls a row and
    // reports the error itself, so this operator never runs with a count it would reject.
    std::optional<int64_t> Wanted() {
        if (!plan_->limit) return std::nullopt;
        std::optional<int64_t> limit;
        std::optional<int64_t> offset;
        if (!EvalCount(plan_->limit, "LIMIT", ErrorKind::kInvalidLimit, &limit).ok()) {
            return std::nullopt;
        }
        if (!EvalCount(plan_->offset, "OFFSET", ErrorKind::kInvalidOffset, &offset).ok()) {
            return std::nullopt;
        }
        if (!limit) return std::nullopt;  // LIMIT NULL: no bound.
        int64_t skip = offset.value_or(0);
        if (*limit > std::numeric_limits<int64_t>::max() - skip) return std::nullopt;
        return *limit + skip;
    }

    // Adds one input row (its keys computed): appended for a full sort; for a top-N sort kept
    // only while fewer than N rows are held or when it sorts before the worst kept one.
    SqlResult<bool> Keep(Row r, Row keys) {
        uint64_t position = seen_++;
        size_t bytes = RowBytes(r) + RowBytes(keys);
        if (!wanted_ || rows_.size() < static_cast<uint64_t>(*wanted_)) {
            auto charged = memory_.Add(bytes);
            if (!charged.ok()) return charged;
            rows_.push_back(std::move(r));
            keys_.push_back(std::move(keys));
            positions_.push_back(position);
            if (wanted_) {
                heap_.push_back(rows_.size() - 1);
                std::push_heap(heap_.begin(), heap_.end(), HeapLess());
            }
            return true;
        }
        if (*wanted_ == 0) return true;
        size_t worst = heap_.front();
        // A later row equal on every key sorts after every kept one (stability): not kept.
        if (Compare(keys, keys_[worst]) >= 0) return true;
        std::pop_heap(heap_.begin(), heap_.end(), HeapLess());
        memory_.Release(RowBytes(rows_[worst]) + RowBytes(keys_[worst]));
        auto charged = memory_.Add(bytes);
        if (!charged.ok()) return charged;
        rows_[worst] = std::move(r);
        keys_[worst] = std::move(keys);
        positions_[worst] = position;
        std::push_heap(heap_.begin(), heap_.end(), HeapLess());
        return true;
    }

    // Slot x before slot y in the output: by the keys, then by input position.
    bool Before(size_t x, size_t y) const {
        int c = Compare(keys_[x], keys_[y]);
        return c != 0 ? c < 0 : positions_[x] < positions_[y];
    }
    // The heap's order: a max-heap under Before, so its front is the worst kept row.
    struct HeapOrder {
        const SortOp* op;
        bool operator()(size_t x, size_t y) const { return op->Before(x, y); }
    };
    HeapOrder HeapLess() const { return HeapOrder{this}; }

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
        // Positions break ties, so a plain sort gives the stable order (slots of a top-N sort
        // are not in input order).
        std::sort(order_.begin(), order_.end(), [&](size_t x, size_t y) { return Before(x, y); });
    }

    PlanPtr plan_;
    OperatorPtr child_;
    MemoryCharge memory_;
    std::vector<Row> rows_;
    std::vector<Row> keys_;
    std::vector<uint64_t> positions_;  // Input position of each kept row.
    std::vector<size_t> heap_;         // Top-N only: slots of rows_, a max-heap under Before.
    std::vector<size_t> order_;
    std::optional<int64_t> wanted_;    // N of a top-N sort.
    uint64_t seen_ = 0;
    bool started_ = false;
    bool sorted_ = false;
    size_t next_ = 0;
};

}  // namespace

SqlResult<OperatorPtr> MakeSort(const PlanPtr& plan, const OpEnv& env, OperatorPtr child) {
    return OperatorPtr(std::make_unique<SortOp>(env, plan, std::move(child)));
}

}  // namespace orrery::sql::exec
