// Anomalies that need no dependency graph: internal inconsistency and lost updates. See elle.h.
//
// internal: a committed transaction's reads must agree with its own earlier micro-ops on the
//   key. rw-register: a read returns the transaction's last write of the key, or else repeats
//   its last read of it. list-append: after a read L and appends a1..an, the next read is
//   L ++ [a1..an]; with no earlier read, it ends with [a1..an] (the rest is unknown).
// lost-update: two or more committed transactions read the same version of a key (their
//   first read of it, before writing it themselves) and then each wrote the key. In any serial
//   order the later of them would have seen the earlier's write. Elle reports this class on
//   its own; the dependency graph sees it too, as a cycle through the two transactions
//   whenever the writes' order is known or both are unread (list_append.cpp, rule 4).
// Only ok transactions count: an info transaction's reads are unknown.
#include <fmt/format.h>

#include <map>
#include <optional>

#include "jepsen/checker/elle.h"

namespace orrery::jepsen::checker {
namespace {

std::string RenderRegister(const std::optional<int64_t>& v) {
    return v.has_value() ? std::to_string(*v) : "unwritten";
}

// list-append, one transaction.
void InternalListAppend(const Txn& t, const TxnHistory& h, std::vector<Anomaly>& out) {
    struct KeyView {
        bool read = false;
        std::vector<int64_t> expected;  // read: the whole list; else the appends so far.
    };
    std::map<int32_t, KeyView> keys;
    for (const MicroOp& op : t.ops) {
        KeyView& view = keys[op.key];
        if (op.kind == MicroOp::Kind::kAppend) {
            view.expected.push_back(op.value);
            continue;
        }
        if (op.kind != MicroOp::Kind::kRead || !op.read_known) continue;
        const std::vector<int64_t>& got = op.list_read;
        const std::vector<int64_t>& want = view.expected;
        bool agrees = view.read ? got == want
                                : got.size() >= want.size() &&
                                      std::equal(want.begin(), want.end(), got.end() - static_cast<long>(want.size()));
        if (!agrees) {
            std::string expected = view.read ? RenderList(want)
                                             : fmt::format("[..,{}]", fmt::join(want, ","));
            out.push_back({"internal", fmt::format("{} read {} = {}, but its own earlier "
                                                   "micro-ops say {}",
                                                   TxnName(t), h.keys[static_cast<size_t>(op.key)],
                                                   RenderList(got), expected)});
        }
        view.read = true;
        view.expected = got;
    }
}

// rw-register, one transaction.
void InternalRwRegister(const Txn& t, const TxnHistory& h, std::vector<Anomaly>& out) {
    std::map<int32_t, std::optional<int64_t>> known;  // Key -> the value it must hold now.
    for (const MicroOp& op : t.ops) {
        if (op.kind == MicroOp::Kind::kWrite) {
            known[op.key] = op.value;
            continue;
        }
        if (op.kind != MicroOp::Kind::kRead || !op.read_known) continue;
        auto it = known.find(op.key);
        if (it != known.end() && it->second != op.register_read) {
            out.push_back({"internal", fmt::format("{} read {} = {}, but its own earlier "
                                                   "micro-ops say {}",
                                                   TxnName(t), h.keys[static_cast<size_t>(op.key)],
                                                   RenderRegister(op.register_read),
                                                   RenderRegister(it->second))});
        }
        known[op.key] = op.register_read;
    }
}

// The version a transaction read before writing the key, for each key it then wrote.
std::map<int32_t, std::string> ReadThenWrote(const Txn& t, TxnKind kind) {
    std::map<int32_t, std::string> first_read;  // Key -> the version, rendered.
    std::map<int32_t, bool> wrote;
    std::map<int32_t, std::string> result;
    for (const MicroOp& op : t.ops) {
        if (op.kind == MicroOp::Kind::kRead) {
            if (!op.read_known || wrote[op.key]) continue;
            first_read.emplace(op.key, kind == TxnKind::kListAppend
                                           ? RenderList(op.list_read)
                                           : RenderRegister(op.register_read));
            continue;
        }
        wrote[op.key] = true;
        auto r = first_read.find(op.key);
        if (r != first_read.end()) result.emplace(op.key, r->second);
    }
    return result;
}

void LostUpdates(const TxnHistory& h, TxnKind kind, std::vector<Anomaly>& out) {
    std::map<std::pair<int32_t, std::string>, std::vector<const Txn*>> by_version;
    for (const Txn& t : h.txns) {
        if (t.outcome != OpType::kOk) continue;
        for (auto& [key, version] : ReadThenWrote(t, kind)) by_version[{key, version}].push_back(&t);
    }
    for (const auto& [key_version, txns] : by_version) {
        if (txns.size() < 2) continue;
        std::vector<std::string> names;
        for (const Txn* t : txns) names.push_back(TxnName(*t));
        out.push_back({"lost-update",
                       fmt::format("key {}: {} each read {} and then {} it",
                                   h.keys[static_cast<size_t>(key_version.first)],
                                   fmt::join(names, ", "), key_version.second,
                                   kind == TxnKind::kListAppend ? "appended to" : "wrote")});
    }
}

}  // namespace

void FindLocalAnomalies(const TxnHistory& history, TxnKind kind, std::vector<Anomaly>& out) {
    for (const Txn& t : history.txns) {
        if (t.outcome != OpType::kOk) continue;
        if (kind == TxnKind::kListAppend)
            InternalListAppend(t, history, out);
        else
            InternalRwRegister(t, history, out);
    }
    LostUpdates(history, kind, out);
}

}  // namespace orrery::jepsen::checker
