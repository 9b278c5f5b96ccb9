// Join: nested loop, or hash join when the plan says so (plan.h's `hash`, left_keys/right_keys).
//
// Both algorithms first collect the right input (the build side; the optimizer puts the smaller
// input there by swapping children), then stream the left input, testing each left row against
// candidate right rows: every right row for a nested loop, the rows with equal keys for a hash
// join. A candidate pair matches iff `condition` (over left ++ right, if any) is TRUE, so the
// hash join stays correct whether the condition repeats the key equalities or holds only the
// rest. A NULL key never matches (NULL = x is not TRUE): such rows are left out of the table
// and never probed, but still appear as unmatched rows of outer joins.
//
// Output per kind: inner the matching pairs; LEFT also each unmatched left row with NULLs;
// RIGHT also each unmatched right row (after the left input ends) with NULLs on the left; FULL
// both; SEMI each left row with at least one match, once; ANTI each left row with none.
// Every candidate pair tested is one unit of work, so a large cross product yields too.
#include <unordered_map>

#include "core/assert.h"
#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

bool AnyNull(const Row& r) {
    for (const Value& v : r) {
        if (v.is_null()) return true;
    }
    return false;
}

class JoinOp final : public Operator {
public:
    JoinOp(const OpEnv& env, PlanPtr plan, OperatorPtr left, OperatorPtr right)
        : Operator(env), plan_(std::move(plan)), left_(std::move(left)), right_(std::move(right)),
          memory_(*env.state, plan_->hash ? "hash join table" : "nested loop join input") {
        ORRERY_ASSERT(plan_->children.size() == 2, "a join of {} inputs", plan_->children.size());
        left_width_ = plan_->children[0]->columns.size();
        right_width_ = plan_->children[1]->columns.size();
    }

    SqlResult<Pull> Next(Row* out) override {
        if (!built_) {
            auto b = Build();
            if (!b.ok() || b.value() != Pull::kDone) return b;
            built_ = true;
        }
        while (!left_done_) {
            if (!has_left_) {
                auto p = left_->Next(&left_row_);
                if (!p.ok() || p.value() == Pull::kYield) return p;
                if (p.value() == Pull::kDone) {
                    left_done_ = true;
                    break;
                }
                auto c = StartLeft();
                if (!c.ok()) return c.error();
            }
            auto m = Probe(out);
            if (!m.ok() || m.value() != Pull::kDone) return m;
            // The candidates are exhausted: the left row is finished.
            has_left_ = false;
            JoinKind k = plan_->join;
            if (!left_matched_ && (k == JoinKind::kLeft || k == JoinKind::kFull)) {
                *out = left_row_;
                out->resize(left_width_ + right_width_);
                return Pull::kRow;
            }
            if (!left_matched_ && k == JoinKind::kAnti) {
                *out = left_row_;
                return Pull::kRow;
            }
        }
        if (plan_->join != JoinKind::kRight && plan_->join != JoinKind::kFull) return Pull::kDone;
        while (unmatched_pos_ < right_rows_.size()) {
            size_t i = unmatched_pos_++;
            if (right_matched_[i]) continue;
            out->assign(left_width_, Value());
            out->insert(out->end(), right_rows_[i].begin(), right_rows_[i].end());
            return Pull::kRow;
        }
        return Pull::kDone;
    }

private:
    // Collects the right input (and, for a hash join, the key table).
    SqlResult<Pull> Build() {
        Row r;
        for (;;) {
            auto p = right_->Next(&r);
            if (!p.ok() || p.value() != Pull::kRow) return p;
            size_t bytes = RowBytes(r);
            if (plan_->hash) {
                Row key;
                for (const BExpr& e : plan_->right_keys) {
                    auto v = Eval(e, r);
                    if (!v.ok()) return v.error();
                    key.push_back(v.value());
                }
                if (!AnyNull(key)) {
                    bytes += RowBytes(key) + 16;
                    table_[std::move(key)].push_back(static_cast<uint32_t>(right_rows_.size()));
                }
            }
            auto charged = memory_.Add(bytes);
            if (!charged.ok()) return charged.error();
            right_rows_.push_back(std::move(r));
            right_matched_.push_back(false);
        }
    }

    // Picks the candidates for the new left row.
    SqlResult<bool> StartLeft() {
        has_left_ = true;
        left_matched_ = false;
        pos_ = 0;
        candidates_ = nullptr;
        if (!plan_->hash) return true;
        Row key;
        for (const BExpr& e : plan_->left_keys) {
            auto v = Eval(e, left_row_);
            if (!v.ok()) return v.error();
            key.push_back(v.value());
        }
        if (AnyNull(key)) return true;
        auto it = table_.find(key);
        if (it != table_.end()) candidates_ = &it->second;
        return true;
    }

    size_t CandidateCount() const {
        if (!plan_->hash) return right_rows_.size();
        return candidates_ == nullptr ? 0 : candidates_->size();
    }

    // Tests candidates from pos_; kRow with a joined row, kDone when they are exhausted (or a
    // semi/anti join decided), kYield when the budget ran out.
    SqlResult<Pull> Probe(Row* out) {
        JoinKind k = plan_->join;
        while (pos_ < CandidateCount()) {
            if (!env_.budget->Take()) return Pull::kYield;
            size_t i = plan_->hash ? (*candidates_)[pos_] : pos_;
            ++pos_;
            joined_ = left_row_;
            joined_.insert(joined_.end(), right_rows_[i].begin(), right_rows_[i].end());
            if (plan_->condition) {
                auto ok = env_.state->evaluator.EvalPredicate(plan_->condition, joined_,
                                                              env_.outer);
                if (!ok.ok()) return ok.error();
                if (!ok.value()) continue;
            }
            left_matched_ = true;
            right_matched_[i] = true;
            if (k == JoinKind::kSemi) {
                pos_ = CandidateCount();
                *out = left_row_;
                has_left_ = false;
                return Pull::kRow;
            }
            if (k == JoinKind::kAnti) {
                pos_ = CandidateCount();
                return Pull::kDone;
            }
            *out = joined_;
            return Pull::kRow;
        }
        return Pull::kDone;
    }

    PlanPtr plan_;
    OperatorPtr left_;
    OperatorPtr right_;
    MemoryCharge memory_;
    size_t left_width_ = 0;
    size_t right_width_ = 0;
    std::vector<Row> right_rows_;
    std::vector<bool> right_matched_;
    // Key -> positions in right_rows_, in input order. Only looked up, never iterated.
    std::unordered_map<Row, std::vector<uint32_t>, RowHash, RowEq> table_;
    bool built_ = false;
    bool left_done_ = false;
    bool has_left_ = false;
    bool left_matched_ = false;
    Row left_row_;
    Row joined_;
    const std::vector<uint32_t>* candidates_ = nullptr;
    size_t pos_ = 0;
    size_t unmatched_pos_ = 0;
};

}  // namespace

SqlResult<OperatorPtr> MakeJoin(const PlanPtr& plan, const OpEnv& env, OperatorPtr left,
                                OperatorPtr right) {
    if (plan->hash && plan->left_keys.size() != plan->right_keys.size()) {
        return MakeSqlError(ErrorKind::kInternal, "hash join with unequal key lists");
    }
    return OperatorPtr(std::make_unique<JoinOp>(env, plan, std::move(left), std::move(right)));
}

}  // namespace orrery::sql::exec
