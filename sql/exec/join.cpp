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
//
// The hash table is flat (KeyTable below): the build side's keys in one array, a power-of-two
// bucket array of chain heads and one `next` link per row, with each row's hash kept so a probe
// compares keys only on a hash match. A probe walks one chain through contiguous arrays instead
// of chasing a node-based map's per-entry allocations, which dominated the join's profile
// (docs/13 §13.4).
#include <bit>
#include <limits>

#include "core/assert.h"
#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

// Key -> the build rows with that key, in input order. Built once from all the keys (rows
// with a NULL key are never added), then only probed.
class KeyTable {
public:
    static constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

    // Keys of `width` values each, row r at [r * width, (r + 1) * width); `hashes` per row;
    // `present` says which rows are in the table (false: a NULL key).
    void Build(std::vector<Value> keys, size_t width, std::vector<uint64_t> hashes,
               const std::vector<bool>& present) {
        keys_ = std::move(keys);
        width_ = width;
        hashes_ = std::move(hashes);
        size_t n = hashes_.size();
        buckets_.assign(std::bit_ceil(std::max<size_t>(2 * n, 16)), kNone);
        mask_ = buckets_.size() - 1;
        next_.assign(n, kNone);
        // Pushing at the chain's head in reverse input order leaves each chain in input order.
        for (size_t r = n; r-- > 0;) {
            if (!present[r]) continue;
            uint32_t& head = buckets_[hashes_[r] & mask_];
            next_[r] = head;
            head = static_cast<uint32_t>(r);
        }
    }
    // The first row at or after chain position `from` whose key equals `key` (hash `h`), or
    // kNone. Start with First(h).
    uint32_t First(uint64_t h) const { return buckets_.empty() ? kNone : buckets_[h & mask_]; }
    uint32_t Match(uint32_t from, uint64_t h, const Row& key) const {
        for (uint32_t r = from; r != kNone; r = next_[r]) {
            if (hashes_[r] == h && KeyEquals(r, key)) return r;
        }
        return kNone;
    }
    uint32_t Next(uint32_t r) const { return next_[r]; }
    // Bytes held besides the keys' own values (charged by the join).
    static size_t OverheadPerRow() { return sizeof(uint64_t) + 3 * sizeof(uint32_t); }

private:
    bool KeyEquals(uint32_t r, const Row& key) const {
        const Value* k = keys_.data() + static_cast<size_t>(r) * width_;
        for (size_t i = 0; i < width_; ++i) {
            if (CompareValues(k[i], key[i]) != 0) return false;
        }
        return true;
    }

    std::vector<Value> keys_;
    size_t width_ = 0;
    std::vector<uint64_t> hashes_;
    std::vector<uint32_t> buckets_;
    std::vector<uint32_t> next_;
    size_t mask_ = 0;
};

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
            if (!p.ok()) return p;
            if (p.value() == Pull::kYield) return p;
            if (p.value() == Pull::kDone) break;
            size_t bytes = RowBytes(r);
            if (plan_->hash) {
                bool null_key = false;
                for (const BExpr& e : plan_->right_keys) {
                    auto v = Eval(e, r);
                    if (!v.ok()) return v.error();
                    null_key = null_key || v.value().is_null();
                    bytes += v.value().MemoryBytes();
                    build_keys_.push_back(std::move(v).value());
                }
                build_present_.push_back(!null_key);
                bytes += KeyTable::OverheadPerRow();
            }
            auto charged = memory_.Add(bytes);
            if (!charged.ok()) return charged.error();
            right_rows_.push_back(std::move(r));
            right_matched_.push_back(false);
        }
        if (plan_->hash) {
            size_t width = plan_->right_keys.size();
            std::vector<uint64_t> hashes(right_rows_.size());
            for (size_t i = 0; i < right_rows_.size(); ++i) {
                hashes[i] = HashKey(build_keys_.data() + i * width, width);
            }
            table_.Build(std::move(build_keys_), width, std::move(hashes), build_present_);
            build_keys_ = {};
            build_present_ = {};
        }
        return Pull::kDone;
    }

    // RowHash's mixing, over a key stored in place.
    static uint64_t HashKey(const Value* values, size_t width) {
        uint64_t h = 0x9e3779b97f4a7c15ull;
        for (size_t i = 0; i < width; ++i) h = (h ^ values[i].Hash()) * 0x100000001b3ull;
        return h;
    }

    // Picks the candidates for the new left row: every right row (nested loop), or the first
    // right row with an equal key (hash join; none for a NULL key).
    SqlResult<bool> StartLeft() {
        has_left_ = true;
        left_matched_ = false;
        pos_ = 0;
        if (!plan_->hash) return true;
        probe_key_.clear();
        for (const BExpr& e : plan_->left_keys) {
            auto v = Eval(e, left_row_);
            if (!v.ok()) return v.error();
            if (v.value().is_null()) {
                candidate_ = KeyTable::kNone;
                return true;
            }
            probe_key_.push_back(std::move(v).value());
        }
        probe_hash_ = HashKey(probe_key_.data(), probe_key_.size());
        candidate_ = table_.Match(table_.First(probe_hash_), probe_hash_, probe_key_);
        return true;
    }

    // The right row of the current candidate, if any is left; advances past it.
    std::optional<size_t> NextCandidate() {
        if (!plan_->hash) {
            if (pos_ >= right_rows_.size()) return std::nullopt;
            return pos_++;
        }
        if (candidate_ == KeyTable::kNone) return std::nullopt;
        size_t i = candidate_;
        candidate_ = table_.Match(table_.Next(candidate_), probe_hash_, probe_key_);
        return i;
    }

    // No candidates left for the current left row (a semi or anti join decided).
    void DropCandidates() {
        pos_ = right_rows_.size();
        candidate_ = KeyTable::kNone;
    }

    // Tests the remaining candidates; kRow with a joined row, kDone when they are exhausted (or
    // a semi/anti join decided), kYield when the budget ran out.
    SqlResult<Pull> Probe(Row* out) {
        JoinKind k = plan_->join;
        for (;;) {
            if (!HasCandidate()) return Pull::kDone;
            if (!env_.budget->Take()) return Pull::kYield;
            size_t i = *NextCandidate();
            // The pair is built in the caller's row: it is the output if it matches (one copy
            // per pair, not two), and scratch otherwise.
            out->assign(left_row_.begin(), left_row_.end());
            out->insert(out->end(), right_rows_[i].begin(), right_rows_[i].end());
            if (plan_->condition) {
                auto ok = env_.state->evaluator.EvalPredicate(plan_->condition, *out,
                                                              env_.outer);
                if (!ok.ok()) return ok.error();
                if (!ok.value()) continue;
            }
            left_matched_ = true;
            right_matched_[i] = true;
            if (k == JoinKind::kSemi) {
                DropCandidates();
                *out = left_row_;
                has_left_ = false;
                return Pull::kRow;
            }
            if (k == JoinKind::kAnti) {
                DropCandidates();
                return Pull::kDone;
            }
            return Pull::kRow;
        }
    }

    bool HasCandidate() const {
        return plan_->hash ? candidate_ != KeyTable::kNone : pos_ < right_rows_.size();
    }

    PlanPtr plan_;
    OperatorPtr left_;
    OperatorPtr right_;
    MemoryCharge memory_;
    size_t left_width_ = 0;
    size_t right_width_ = 0;
    std::vector<Row> right_rows_;
    std::vector<bool> right_matched_;
    KeyTable table_;                 // Hash join: key -> right rows.
    std::vector<Value> build_keys_;  // While building: every right row's key, flat.
    std::vector<bool> build_present_;
    Row probe_key_;                  // The current left row's key (hash join).
    uint64_t probe_hash_ = 0;
    uint32_t candidate_ = KeyTable::kNone;  // The next matching right row (hash join).
    bool built_ = false;
    bool left_done_ = false;
    bool has_left_ = false;
    bool left_matched_ = false;
    Row left_row_;
    size_t pos_ = 0;  // Nested loop: the next right row to test.
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
