// Inference for rw-register histories (Elle §5.2, restricted). See elle.h.
//
// A register read names the write it saw, because written values are unique per key. That
// gives wr edges directly. The order of versions is mostly hidden, so only two facts are used:
//  1. The initial (never-written) version precedes every written version of its key.
//  2. A committed transaction that read version v of k and later wrote w to k installed w
//     after v ("writes follow reads": it could not have read a version installed after its
//     own write). This is Elle's wfr assumption.
// Each fact "v before w" gives ww(writer(v) -> writer(w)) and, for every transaction that read
// v, rw(reader -> writer(w)). w need not be v's immediate successor; an edge that skips
// versions stands for a chain of ww edges with the same number of rw edges, so cycles and their
// classes are those of the true graph.
//
// Limits: blind writes (writes without a prior read of the key) are ordered only after the
// initial version, so ww and rw edges between them are unknown and G0 or G2 cycles through
// them go unseen. Real-time order is not used. Reads that follow the transaction's own write
// to the key are internal and give no edges.
#include <fmt/format.h>

#include <map>
#include <optional>

#include "jepsen/checker/elle.h"

namespace orrery::jepsen::checker {
namespace {

struct Writer {
    int32_t txn = -1;
    bool final_in_txn = true;
};

struct ExternalRead {
    int32_t txn;
    std::optional<int64_t> value;  // nullopt: the initial version.
};

struct KeyState {
    std::map<int64_t, Writer> writers;
    std::vector<ExternalRead> reads;
    std::map<int64_t, std::vector<int64_t>> later;  // v -> versions known to come after v.
};

class RwRegisterInference {
public:
    explicit RwRegisterInference(const TxnHistory& h)
        : h_(h), out_(h.txns.size()), keys_(h.keys.size()) {}

    Inference Run() {
        for (size_t t = 0; t < h_.txns.size(); ++t) CollectWrites(static_cast<int32_t>(t));
        for (size_t t = 0; t < h_.txns.size(); ++t) CollectReads(static_cast<int32_t>(t));
        for (size_t k = 0; k < keys_.size(); ++k) InferKey(static_cast<int32_t>(k));
        out_.graph.Finalize();
        return std::move(out_);
    }

private:
    void CollectWrites(int32_t t);
    void CollectReads(int32_t t);
    void InferKey(int32_t key);
    bool Usable(const Writer* w) const {
        return w != nullptr && h_.txns[static_cast<size_t>(w->txn)].outcome != OpType::kFail;
    }
    const Writer* WriterOf(int32_t key, int64_t v) const {
        const auto& writers = keys_[static_cast<size_t>(key)].writers;
        auto it = writers.find(v);
        return it == writers.end() ? nullptr : &it->second;
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

void RwRegisterInference::CollectWrites(int32_t t) {
    const Txn& txn = h_.txns[static_cast<size_t>(t)];
    std::map<int32_t, bool> later_write;
    for (size_t i = txn.ops.size(); i-- > 0;) {
        const MicroOp& op = txn.ops[i];
        if (op.kind != MicroOp::Kind::kWrite) continue;
        Writer w{t, !later_write[op.key]};
        later_write[op.key] = true;
        auto [it, inserted] = keys_[static_cast<size_t>(op.key)].writers.emplace(op.value, w);
        if (!inserted) {
            Report("duplicate-write", fmt::format("{} wrote {} = {} again (first by {})", Name(t),
                                                  KeyName(op.key), op.value, Name(it->second.txn)));
        }
    }
}

void RwRegisterInference::CollectReads(int32_t t) {
    const Txn& txn = h_.txns[static_cast<size_t>(t)];
    if (txn.outcome != OpType::kOk) return;
    std::map<int32_t, std::optional<int64_t>> read_before_write;  // Key -> first external read.
    std::map<int32_t, bool> written;
    for (const MicroOp& op : txn.ops) {
        KeyState& ks = keys_[static_cast<size_t>(op.key)];
        if (op.kind == MicroOp::Kind::kWrite) {
            auto r = read_before_write.find(op.key);
            if (!written[op.key] && r != read_before_write.end() && r->second.has_value()) {
                ks.later[*r->second].push_back(op.value);  // Fact 2 (fact 1 is implicit).
            }
            written[op.key] = true;
            continue;
        }
        if (!op.read_known || written[op.key]) continue;
        read_before_write.emplace(op.key, op.register_read);
        ks.reads.push_back({t, op.register_read});
    }
}

void RwRegisterInference::InferKey(int32_t key) {
    const KeyState& ks = keys_[static_cast<size_t>(key)];
    for (const auto& [v, later] : ks.later) {  // ww from fact 2.
        const Writer* before = WriterOf(key, v);
        for (int64_t w : later) {
            const Writer* after = WriterOf(key, w);
            if (Usable(before) && Usable(after)) {
                out_.graph.Add({before->txn, after->txn, DepKind::kWW, key, v, w, false});
            }
        }
    }
    static const std::vector<int64_t> kNone;
    for (const ExternalRead& r : ks.reads) {
        if (r.value.has_value()) {
            const Writer* w = WriterOf(key, *r.value);
            if (w == nullptr) {
                Report("unwritten-value", fmt::format("{} read {} = {}, which no transaction wrote",
                                                      Name(r.txn), KeyName(key), *r.value));
                continue;
            }
            if (!Usable(w)) {
                Report("G1a", fmt::format("{} read {} = {}, written by {}, which failed",
                                          Name(r.txn), KeyName(key), *r.value, Name(w->txn)));
                continue;
            }
            if (!w->final_in_txn) {  // Not a committed version: no edges (see list_append.cpp).
                Report("G1b", fmt::format("{} read {} = {}, which {} overwrote before it committed",
                                          Name(r.txn), KeyName(key), *r.value, Name(w->txn)));
                continue;
            }
            out_.graph.Add({w->txn, r.txn, DepKind::kWR, key, *r.value, 0, false});
            auto it = ks.later.find(*r.value);
            for (int64_t next : it == ks.later.end() ? kNone : it->second) {
                const Writer* nw = WriterOf(key, next);
                if (Usable(nw))
                    out_.graph.Add({r.txn, nw->txn, DepKind::kRW, key, *r.value, next, false});
            }
            continue;
        }
        for (const auto& [next, nw] : ks.writers) {  // Fact 1: every version follows the initial.
            if (Usable(&nw)) out_.graph.Add({r.txn, nw.txn, DepKind::kRW, key, 0, next, true});
        }
    }
}

}  // namespace

Inference InferRwRegister(const TxnHistory& history) { return RwRegisterInference(history).Run(); }

}  // namespace orrery::jepsen::checker
