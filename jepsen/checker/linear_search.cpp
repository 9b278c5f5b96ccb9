// Wing-Gong search with Lowe's memoization. See linear_search.h.
//
// Representation (invariants):
//  - entries_ holds the call and return entries sorted by position; a doubly linked list over
//    them (next_/prev_, with a sentinel kHead) holds the entries not yet lifted. Lifting
//    unlinks a call and its return; undoing restores them in reverse (LIFO) order, the
//    "dancing links" discipline, so the list is exactly restored on backtrack.
//  - Operation ids order the ok operations by call position, then the info operations. The
//    linearized set is a bitset over ids; low_ is the smallest id not in it. The memo key is
//    (state, low_, ids above low_ in the set): the set below low_ is implied, and since ok
//    operations are mostly linearized in call order the key stays a few bytes long.
#include "jepsen/checker/linear_search.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_set>

namespace orrery::jepsen::checker {
namespace {

constexpr int32_t kNone = -1;

class Search {
public:
    Search(const Model& model, const std::vector<LinOp>& ops) : model_(model), ops_(ops) {
        BuildIds();
        BuildEntries();
        words_.assign((ops_.size() + 63) / 64, 0);
    }

    SearchOutcome Run(uint64_t budget_steps, uint64_t initial);

private:
    struct Entry {
        int64_t position;
        int32_t op;     // Index into ops_.
        int32_t match;  // For a call: its return entry, or kNone for info. For a return: kNone.
        bool is_call;
    };
    struct Choice {
        int32_t entry;
        uint64_t state;
    };

    void BuildIds();
    void BuildEntries();
    void Lift(int32_t call);
    void Unlift(int32_t call);
    void Mark(int32_t id);
    void Unmark(int32_t id);
    int32_t DoomedReturn(uint64_t state) const;
    std::string MemoKey(uint64_t state) const;

    const Model& model_;
    const std::vector<LinOp>& ops_;
    std::vector<int32_t> id_;  // ops_ index -> id.
    std::vector<Entry> entries_;
    std::vector<int32_t> next_, prev_;
    int32_t head_ = 0;  // Sentinel index (== entries_.size()).
    std::vector<uint64_t> words_;
    int32_t low_ = 0;
    size_t ok_count_ = 0;
    std::unordered_set<std::string> seen_;  // Membership only: its order never leaks.
    mutable std::vector<uint64_t> bases_;     // DoomedReturn's scratch space.
};

void Search::BuildIds() {
    std::vector<int32_t> order(ops_.size());
    for (size_t i = 0; i < ops_.size(); ++i) order[i] = static_cast<int32_t>(i);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        bool info_a = ops_[a].ret == kNeverReturns, info_b = ops_[b].ret == kNeverReturns;
        if (info_a != info_b) return !info_a;
        return ops_[a].call < ops_[b].call;
    });
    id_.assign(ops_.size(), 0);
    for (size_t rank = 0; rank < order.size(); ++rank) {
        id_[order[rank]] = static_cast<int32_t>(rank);
        if (ops_[order[rank]].ret != kNeverReturns) ++ok_count_;
    }
}

void Search::BuildEntries() {
    for (size_t i = 0; i < ops_.size(); ++i) {
        ORRERY_ASSERT(ops_[i].call < ops_[i].ret, "op {} returns before its call", i);
        entries_.push_back({ops_[i].call, static_cast<int32_t>(i), kNone, true});
        if (ops_[i].ret != kNeverReturns) {
            entries_.push_back({ops_[i].ret, static_cast<int32_t>(i), kNone, false});
        }
    }
    std::sort(entries_.begin(), entries_.end(),
              [](const Entry& a, const Entry& b) { return a.position < b.position; });
    std::vector<int32_t> call_of(ops_.size(), kNone);
    for (size_t e = 0; e < entries_.size(); ++e) {
        if (entries_[e].is_call) {
            call_of[entries_[e].op] = static_cast<int32_t>(e);
        } else {
            ORRERY_ASSERT(call_of[entries_[e].op] != kNone, "return before call");
            entries_[call_of[entries_[e].op]].match = static_cast<int32_t>(e);
        }
    }
    auto n = static_cast<int32_t>(entries_.size());
    head_ = n;
    next_.resize(n + 1);
    prev_.resize(n + 1);
    for (int32_t e = 0; e <= n; ++e) {  // A circular list through the sentinel.
        next_[e] = e == n ? 0 : e + 1;
        prev_[e] = e == 0 ? n : e - 1;
    }
    if (n == 0) next_[head_] = prev_[head_] = head_;
}

void Search::Lift(int32_t call) {
    next_[prev_[call]] = next_[call];
    prev_[next_[call]] = prev_[call];
    int32_t ret = entries_[call].match;
    if (ret != kNone) {
        next_[prev_[ret]] = next_[ret];
        prev_[next_[ret]] = prev_[ret];
    }
}

void Search::Unlift(int32_t call) {
    int32_t ret = entries_[call].match;
    if (ret != kNone) {
        next_[prev_[ret]] = ret;
        prev_[next_[ret]] = ret;
    }
    next_[prev_[call]] = call;
    prev_[next_[call]] = call;
}

void Search::Mark(int32_t id) {
    words_[id / 64] |= uint64_t{1} << (id % 64);
    auto total = static_cast<int32_t>(ops_.size());
    while (low_ < total && (words_[low_ / 64] >> (low_ % 64) & 1) != 0) ++low_;
}

void Search::Unmark(int32_t id) {
    words_[id / 64] &= ~(uint64_t{1} << (id % 64));
    low_ = std::min(low_, id);
}

// Returns a return entry of the list whose operation, a read, can no longer be placed from
// `state`, or kNone. Such a read R must be placed before its return, so only the ops whose
// calls come before that return in the list can run first. The value R returned must then be
// reachable by appends alone (Model::MayReachByAppends) from the current state or from the
// value of one of those writes or cas (the last of them to run resets the value). If it is
// reachable from none, no order from here succeeds: the walk would reach R's return anyway,
// after trying every order of the appends before it, which the memo cannot merge, as each
// order leaves a different string. The scan looks at kDoomedScanMax entries at most.
int32_t Search::DoomedReturn(uint64_t state) const {
    constexpr int kDoomedScanMax = 64;
    bases_.assign(1, state);
    int scanned = 0;
    for (int32_t e = next_[head_]; e != head_ && scanned < kDoomedScanMax; e = next_[e]) {
        ++scanned;
        const ModelOp& op = ops_[entries_[e].op].op;
        if (entries_[e].is_call) {
            if (op.kind == ModelOp::Kind::kWrite) bases_.push_back(static_cast<uint64_t>(op.a));
            if (op.kind == ModelOp::Kind::kCas) bases_.push_back(static_cast<uint64_t>(op.b));
            continue;
        }
        if (op.kind != ModelOp::Kind::kRead) continue;
        bool reachable = std::any_of(bases_.begin(), bases_.end(), [&](uint64_t base) {
            return model_.MayReachByAppends(base, op.a);
        });
        if (!reachable) return e;
    }
    return kNone;
}

std::string Search::MemoKey(uint64_t state) const {
    std::string key(sizeof state + sizeof low_, '\0');
    std::memcpy(key.data(), &state, sizeof state);
    std::memcpy(key.data() + sizeof state, &low_, sizeof low_);
    for (size_t w = static_cast<size_t>(low_) / 64; w < words_.size(); ++w) {
        uint64_t bits = words_[w];
        while (bits != 0) {
            auto id = static_cast<int32_t>(w * 64 + static_cast<size_t>(__builtin_ctzll(bits)));
            bits &= bits - 1;
            key.append(reinterpret_cast<const char*>(&id), sizeof id);
        }
    }
    return key;
}

SearchOutcome Search::Run(uint64_t budget_steps, uint64_t initial) {
    SearchOutcome out;
    std::vector<Choice> stack;
    uint64_t state = initial;
    size_t ok_left = ok_count_;
    int32_t entry = next_[head_];
    for (;;) {
        if (ok_left == 0) return out;  // Every ok op is placed; info ops may never happen.
        bool dead_end = entry == head_ || !entries_[entry].is_call;
        if (dead_end) {
            if (stack.empty()) {
                out.verdict = Verdict::kInvalid;
                return out;
            }
            Choice back = stack.back();
            stack.pop_back();
            state = back.state;
            int32_t op = entries_[back.entry].op;
            Unmark(id_[op]);
            Unlift(back.entry);
            if (ops_[op].ret != kNeverReturns) ++ok_left;
            entry = next_[back.entry];
            continue;
        }
        if (++out.steps > budget_steps) {
            out.steps = budget_steps;
            out.verdict = Verdict::kUnknown;
            return out;
        }
        int32_t op = entries_[entry].op;
        std::optional<uint64_t> after = model_.Step(state, ops_[op].op);
        if (after.has_value()) {
            Mark(id_[op]);
            if (seen_.insert(MemoKey(*after)).second) {
                stack.push_back({entry, state});
                state = *after;
                Lift(entry);
                if (ops_[op].ret != kNeverReturns) --ok_left;
                int32_t doomed = ops_[op].op.kind == ModelOp::Kind::kRead ? kNone
                                                                           : DoomedReturn(state);
                entry = doomed != kNone ? doomed : next_[head_];  // A return: backtrack.
                continue;
            }
            Unmark(id_[op]);
        }
        entry = next_[entry];
    }
}

}  // namespace

SearchOutcome SearchLinearization(const Model& model, const std::vector<LinOp>& ops,
                                  uint64_t budget_steps, std::optional<uint64_t> initial) {
    Search search(model, ops);
    return search.Run(budget_steps, initial.value_or(model.Init()));
}

}  // namespace orrery::jepsen::checker
