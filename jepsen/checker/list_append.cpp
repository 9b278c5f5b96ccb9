// Inference for list-append histories (Elle §5.1). See elle.h.
//
// Per key:
//  1. Each appended value names its writer (values are unique per key; a second append of the
//     same value is a duplicate-append anomaly and the first writer is kept).
//  2. The version order is the longest list any committed read returned. Every other read
//     must be a prefix of it; if one is not, the key's orders are incompatible, the anomaly is
//     reported, and the key contributes no edges (no single order can be trusted).
//  3. ww: consecutive values of the version order with different writers.
//     wr: the writer of the last value a read saw (ignoring the reader's own appends) -> reader.
//     rw: reader -> the writer of the value right after the last one it saw.
// Writers that failed get no edges; reading their values is G1a. Reading a value its writer
// followed with another append to the same key in the same transaction is G1b.
#include <fmt/format.h>

#include <map>

#include "jepsen/checker/elle.h"

namespace orrery::jepsen::checker {
namespace {

struct Writer {
    int32_t txn = -1;
    bool final_in_txn = true;  // The writer's last append to this key.
};

struct Read {
    int32_t txn;
    const std::vector<int64_t>* list;
};

struct KeyState {
    std::map<int64_t, Writer> writers;
    std::vector<Read> reads;
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
    void InferKey(int32_t key);
    void InferRead(int32_t key, const Read& read, const std::vector<int64_t>& order,
                   const std::map<int64_t, size_t>& position);
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
            if (op.kind == MicroOp::Kind::kRead && op.read_known) {
                keys_[static_cast<size_t>(op.key)].reads.push_back(
                    {static_cast<int32_t>(t), &op.list_read});
            }
        }
    }
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
    if (longest == nullptr) return;
    for (const Read& r : ks.reads) {
        if (IsPrefix(*r.list, *longest->list)) continue;
        Report("incompatible-order",
               fmt::format("key {}: {} read {} but {} read {}", KeyName(key), Name(longest->txn),
                           RenderList(*longest->list), Name(r.txn), RenderList(*r.list)));
        return;
    }
    const std::vector<int64_t>& order = *longest->list;
    std::map<int64_t, size_t> position;
    for (size_t i = 0; i < order.size(); ++i) {
        if (!position.emplace(order[i], i).second) {
            Report("duplicate-append",
                   fmt::format("key {}: {} read {} twice in {}", KeyName(key), Name(longest->txn),
                               order[i], RenderList(order)));
            return;
        }
        auto it = ks.writers.find(order[i]);
        if (it == ks.writers.end()) {
            Report("unwritten-value",
                   fmt::format("key {}: {} read {}, which no transaction appended", KeyName(key),
                               Name(longest->txn), order[i]));
            continue;
        }
        if (i == 0) continue;
        auto prev = ks.writers.find(order[i - 1]);
        if (prev == ks.writers.end() || Failed(prev->second.txn) || Failed(it->second.txn))
            continue;
        out_.graph.Add(
            {prev->second.txn, it->second.txn, DepKind::kWW, key, order[i - 1], order[i], false});
    }
    for (const Read& r : ks.reads) InferRead(key, r, order, position);
}

void ListAppendInference::InferRead(int32_t key, const Read& read,
                                    const std::vector<int64_t>& order,
                                    const std::map<int64_t, size_t>& position) {
    const KeyState& ks = keys_[static_cast<size_t>(key)];
    const std::vector<int64_t>& list = *read.list;
    auto writer_of = [&](int64_t v) -> const Writer* {
        auto it = ks.writers.find(v);
        return it == ks.writers.end() ? nullptr : &it->second;
    };
    for (int64_t v : list) {
        const Writer* w = writer_of(v);
        if (w != nullptr && Failed(w->txn)) {
            Report("G1a",
                   fmt::format("{} read {} = {}, but {} was appended by {}, which failed",
                               Name(read.txn), KeyName(key), RenderList(list), v, Name(w->txn)));
        }
    }
    size_t seen = list.size();  // The external prefix: drop the reader's own trailing appends.
    while (seen > 0) {
        const Writer* w = writer_of(list[seen - 1]);
        if (w == nullptr || w->txn != read.txn) break;
        --seen;
    }
    if (seen > 0) {
        const Writer* w = writer_of(list[seen - 1]);
        if (w != nullptr && !Failed(w->txn)) {
            if (!w->final_in_txn) {
                // Adya's graph has only committed (final) versions: an intermediate read is
                // G1b, and gives no edges.
                Report("G1b", fmt::format("{} read {} = {}, but {} appended more to {} after {}",
                                          Name(read.txn), KeyName(key), RenderList(list),
                                          Name(w->txn), KeyName(key), list[seen - 1]));
                return;
            }
            out_.graph.Add({w->txn, read.txn, DepKind::kWR, key, list[seen - 1], 0, false});
        }
    }
    ORRERY_ASSERT(seen == 0 || position.at(list[seen - 1]) == seen - 1, "read is not a prefix");
    if (seen >= order.size()) return;
    const Writer* next = writer_of(order[seen]);
    if (next == nullptr || Failed(next->txn)) return;
    out_.graph.Add({read.txn, next->txn, DepKind::kRW, key, seen > 0 ? list[seen - 1] : 0,
                    order[seen], seen == 0});
}

}  // namespace

Inference InferListAppend(const TxnHistory& history) { return ListAppendInference(history).Run(); }

}  // namespace orrery::jepsen::checker
