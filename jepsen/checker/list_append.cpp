// Inference for list-append histories (Elle §5.1). See elle.h.
//
// Per key:
//  1. Each appended value names its writer (values are unique per key; a second append of the
//     same value is a duplicate-append anomaly and the first writer is kept). A read that
//     shows one element twice is duplicate-elements; inference uses its first occurrences.
//  2. The version order is the longest list any committed read returned, and it starts at the
//     empty list: the empty list is the first version of every key (Elle's initial-version
//     rule). Every other read must be a prefix of the order; one that is not is
//     incompatible-order, and contributes no edges (the longest read still gives its ww edges,
//     as Elle's does: the history is invalid either way).
//  3. ww: consecutive values of the version order with different writers.
//     wr: the writer of the last value a read saw (ignoring the reader's own appends) -> reader.
//     rw: reader -> the writer of the value right after the last one it saw.
//  4. Committed appends that no read saw ("unread"): a list only grows, so each such append
//     was installed after every version that some read returned. So the writer of the order's
//     last value -ww-> the unread writer, and every read of the whole order (the empty list,
//     when no read saw anything) -rw-> the unread writer. Such an edge may skip versions; it
//     stands for a chain of ww edges with the same rw count (rw_register.cpp explains why the
//     cycle classes stay those of the true graph). This is what finds write skew on keys that
//     every read saw empty (the issue-13 pair in docs/08-testing.md).
// Writers that failed get no edges; reading their values is G1a, and a committed value
// appended after a failed one is dirty-update. Unknown (info) writers that nobody read get no
// edges: they may never have committed. Reading a value its writer followed with another
// append to the same key in the same transaction is G1b; the read still gives its edges.
#include <fmt/format.h>

#include <deque>
#include <map>
#include <set>

#include "jepsen/checker/elle.h"

namespace orrery::jepsen::checker {
namespace {

struct Writer {
    int32_t txn = -1;
    bool final_in_txn = true;  // The writer's last append to this key.
};

struct Read {
    int32_t txn;
    const std::vector<int64_t>* list;  // Duplicates removed (first occurrences kept).
};

struct KeyState {
    std::map<int64_t, Writer> writers;
    std::vector<Read> reads;
    std::deque<std::vector<int64_t>> deduplicated;  // Storage for reads that had duplicates.
};

class ListAppendInference {
public:
    explicit ListAppendInference(const TxnHistory& h)
        : h_(h), out_(h.txns.size()), keys_(h.keys.size()) {}

    Inference Run() {
        Collect();
        for (size_t k = 0; k < keys_.size(); ++k) InferKey(static_cast<int32_t>(k));
        out_.graph.Finalize();
        return std::move(out_);
    }

private:
    void Collect();
    void CollectRead(int32_t txn, const MicroOp& op);
    void InferKey(int32_t key);
    void CheckDirtyUpdate(int32_t key, const Read& longest);
    void InferRead(int32_t key, const Read& read, const std::vector<int64_t>& order);
    void InferUnread(int32_t key, const std::vector<int64_t>& order,
                     const std::map<int64_t, size_t>& position,
                     const std::vector<int32_t>& whole_order_readers);
    const Writer* WriterOf(int32_t key, int64_t v) const {
        const auto& writers = keys_[static_cast<size_t>(key)].writers;
        auto it = writers.find(v);
        return it == writers.end() ? nullptr : &it->second;
    }
    bool Failed(int32_t txn) const {
        return h_.txns[static_cast<size_t>(txn)].outcome == OpType::kFail;
    }
    std::string Name(int32_t txn) const { return TxnName(h_.txns[static_cast<size_t>(txn)]); }
    const std::string& KeyName(int32_t key) const { return h_.keys[static_cast<size_t>(key)]; }
    void Report(std::string name, std::string text) {
        out_.anomalies.push_back({std::move(name), std::move(text)});
    }

    const TxnHistory& h_;
    Inference out_;
    std::vector<KeyState> keys_;
};

void ListAppendInference::Collect() {
    for (size_t t = 0; t < h_.txns.size(); ++t) {
        const Txn& txn = h_.txns[t];
        std::map<int32_t, bool> later_append;  // Keys appended to later in this txn.
        for (size_t i = txn.ops.size(); i-- > 0;) {
            const MicroOp& op = txn.ops[i];
            if (op.kind != MicroOp::Kind::kAppend) continue;
            KeyState& ks = keys_[static_cast<size_t>(op.key)];
            Writer w{static_cast<int32_t>(t), !later_append[op.key]};
            later_append[op.key] = true;
            auto [it, inserted] = ks.writers.emplace(op.value, w);
            if (!inserted) {
                Report("duplicate-append",
                       fmt::format("{} appended {} to {} again (first by {})", TxnName(txn),
                                   op.value, KeyName(op.key), Name(it->second.txn)));
            }
        }
        if (txn.outcome != OpType::kOk) continue;
        for (const MicroOp& op : txn.ops) {
            if (op.kind == MicroOp::Kind::kRead && op.read_known)
                CollectRead(static_cast<int32_t>(t), op);
        }
    }
}

void ListAppendInference::CollectRead(int32_t txn, const MicroOp& op) {
    KeyState& ks = keys_[static_cast<size_t>(op.key)];
    std::set<int64_t> seen;
    std::vector<int64_t> twice;
    for (int64_t v : op.list_read) {
        if (!seen.insert(v).second) twice.push_back(v);
    }
    if (twice.empty()) {
        ks.reads.push_back({txn, &op.list_read});
        return;
    }
    Report("duplicate-elements",
           fmt::format("{} read {} = {}, which holds {} more than once", Name(txn),
                       KeyName(op.key), RenderList(op.list_read), fmt::join(twice, ", ")));
    std::vector<int64_t>& unique = ks.deduplicated.emplace_back();
    seen.clear();
    for (int64_t v : op.list_read) {
        if (seen.insert(v).second) unique.push_back(v);
    }
    ks.reads.push_back({txn, &unique});
}

bool IsPrefix(const std::vector<int64_t>& a, const std::vector<int64_t>& b) {
    return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

void ListAppendInference::InferKey(int32_t key) {
    KeyState& ks = keys_[static_cast<size_t>(key)];
    const Read* longest = nullptr;
    for (const Read& r : ks.reads) {
        if (longest == nullptr || r.list->size() > longest->list->size()) longest = &r;
    }
    if (longest == nullptr) return;  // Nothing read: no order, and no read to anti-depend.
    const std::vector<int64_t>& order = *longest->list;
    std::map<int64_t, size_t> position;
    for (size_t i = 0; i < order.size(); ++i) {
        position.emplace(order[i], i);
        const Writer* w = WriterOf(key, order[i]);
        if (w == nullptr) {
            Report("unwritten-value",
                   fmt::format("key {}: {} read {}, which no transaction appended", KeyName(key),
                               Name(longest->txn), order[i]));
            continue;
        }
        const Writer* prev = i == 0 ? nullptr : WriterOf(key, order[i - 1]);
        if (prev == nullptr || Failed(prev->txn) || Failed(w->txn)) continue;
        out_.graph.Add({prev->txn, w->txn, DepKind::kWW, key, order[i - 1], order[i], false});
    }
    CheckDirtyUpdate(key, *longest);
    bool incompatible_reported = false;
    std::vector<int32_t> whole_order_readers;
    for (const Read& r : ks.reads) {
        if (!IsPrefix(*r.list, order)) {
            if (!incompatible_reported) {
                Report("incompatible-order",
                       fmt::format("key {}: {} read {} but {} read {}", KeyName(key),
                                   Name(longest->txn), RenderList(order), Name(r.txn),
                                   RenderList(*r.list)));
            }
            incompatible_reported = true;
            continue;
        }
        InferRead(key, r, order);
        if (r.list->size() == order.size()) whole_order_readers.push_back(r.txn);
    }
    InferUnread(key, order, position, whole_order_readers);
}

// A committed append that follows a failed one in the order was built on a write that never
// happened (Elle's dirty update).
void ListAppendInference::CheckDirtyUpdate(int32_t key, const Read& longest) {
    const std::vector<int64_t>& order = *longest.list;
    const Writer* failed = nullptr;
    int64_t failed_value = 0;
    for (int64_t v : order) {
        const Writer* w = WriterOf(key, v);
        if (w == nullptr) continue;
        if (failed == nullptr) {
            if (Failed(w->txn)) failed = w, failed_value = v;
            continue;
        }
        if (h_.txns[static_cast<size_t>(w->txn)].outcome != OpType::kOk) continue;
        Report("dirty-update",
               fmt::format("key {}: {} read {}: {}'s committed append of {} came after {}, "
                           "appended by {}, which failed",
                           KeyName(key), Name(longest.txn), RenderList(order), Name(w->txn), v,
                           failed_value, Name(failed->txn)));
        return;
    }
}

// Adds the read's wr and rw edges.
void ListAppendInference::InferRead(int32_t key, const Read& read,
                                    const std::vector<int64_t>& order) {
    const std::vector<int64_t>& list = *read.list;
    for (int64_t v : list) {
        const Writer* w = WriterOf(key, v);
        if (w != nullptr && Failed(w->txn)) {
            Report("G1a",
                   fmt::format("{} read {} = {}, but {} was appended by {}, which failed",
                               Name(read.txn), KeyName(key), RenderList(list), v, Name(w->txn)));
        }
    }
    size_t seen = list.size();  // The external prefix: drop the reader's own trailing appends.
    while (seen > 0) {
        const Writer* w = WriterOf(key, list[seen - 1]);
        if (w == nullptr || w->txn != read.txn) break;
        --seen;
    }
    if (seen > 0) {
        const Writer* w = WriterOf(key, list[seen - 1]);
        if (w != nullptr && !Failed(w->txn)) {
            if (!w->final_in_txn) {
                // An intermediate read is G1b. It still gives its edges, as in Elle: the
                // reader saw part of the writer and missed the rest, a G-single of its own.
                Report("G1b", fmt::format("{} read {} = {}, but {} appended more to {} after {}",
                                          Name(read.txn), KeyName(key), RenderList(list),
                                          Name(w->txn), KeyName(key), list[seen - 1]));
            }
            out_.graph.Add({w->txn, read.txn, DepKind::kWR, key, list[seen - 1], 0, false});
        }
    }
    if (seen >= order.size()) return;
    const Writer* next = WriterOf(key, order[seen]);
    if (next == nullptr || Failed(next->txn)) return;
    out_.graph.Add({read.txn, next->txn, DepKind::kRW, key, seen > 0 ? list[seen - 1] : 0,
                    order[seen], seen == 0});
}

// Rule 4 of the file comment: edges to the committed writers no read saw.
void ListAppendInference::InferUnread(int32_t key, const std::vector<int64_t>& order,
                                      const std::map<int64_t, size_t>& position,
                                      const std::vector<int32_t>& whole_order_readers) {
    std::map<int32_t, int64_t> unread;  // Committed writer -> its smallest unread value.
    for (const auto& [v, w] : keys_[static_cast<size_t>(key)].writers) {
        if (position.count(v) != 0) continue;
        if (h_.txns[static_cast<size_t>(w.txn)].outcome != OpType::kOk) continue;
        unread.emplace(w.txn, v);
    }
    if (unread.empty()) return;
    const Writer* last = order.empty() ? nullptr : WriterOf(key, order.back());
    int64_t before = order.empty() ? 0 : order.back();
    for (const auto& [txn, v] : unread) {
        if (last != nullptr && !Failed(last->txn))
            out_.graph.Add({last->txn, txn, DepKind::kWW, key, before, v, false, true});
        for (int32_t reader : whole_order_readers)
            out_.graph.Add({reader, txn, DepKind::kRW, key, before, v, order.empty(), true});
    }
}

}  // namespace

Inference InferListAppend(const TxnHistory& history) { return ListAppendInference(history).Run(); }

}  // namespace orrery::jepsen::checker
