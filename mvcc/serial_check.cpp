// The serializability checker for generated histories. See serial_check.h.
#include "mvcc/serial_check.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

namespace orrery::mvcc::testing {
namespace {

struct VersionEntry {
    Version version;
    size_t writer;  // Index into the history.
    std::optional<std::string> value;
};

using Edges = std::map<size_t, std::map<size_t, std::string>>;  // from -> to -> label

std::string RowsString(const std::map<std::string, std::string>& rows) {
    std::string out;
    for (const auto& [k, v] : rows) out += (out.empty() ? "" : ",") + k + "=" + v;
    return out;
}

class Checker {
public:
    Checker(const std::vector<ExecutedTxn>& history, int key_space)
        : history_(history), key_space_(key_space) {
        for (size_t i = 0; i < history.size(); ++i) {
            const ExecutedTxn& t = history[i];
            if (!t.committed) continue;
            committed_.push_back(i);
            for (const auto& [key, value] : t.writes) {
                versions_[key].push_back({t.commit_version, i, value});
            }
        }
        for (auto& [key, list] : versions_) {
            std::sort(list.begin(), list.end(), [](const VersionEntry& a, const VersionEntry& b) {
                return a.version < b.version;
            });
            for (size_t j = 1; j < list.size(); ++j) {
                AddEdge(list[j - 1].writer, list[j].writer, "ww(" + key + ")");
            }
        }
    }

    std::string Run() {
        for (size_t t : committed_) {
            std::string problem = CheckReads(t);
            if (!problem.empty()) return problem;
        }
        std::vector<size_t> order;
        std::string problem = TopologicalOrder(&order);
        if (!problem.empty()) return problem;
        return SerialReplay(order);
    }

private:
    void AddEdge(size_t from, size_t to, const std::string& label) {
        if (from != to) edges_[from].emplace(to, label);
    }

    // The index in versions_[key] of the newest version <= snapshot, or -1.
    int Observed(const std::string& key, Version snapshot) const {
        auto it = versions_.find(key);
        if (it == versions_.end()) return -1;
        int found = -1;
        for (size_t j = 0; j < it->second.size() && it->second[j].version <= snapshot; ++j) {
            found = static_cast<int>(j);
        }
        return found;
    }

    // A snapshot read of key by transaction t: adds wr and rw edges; returns what it must see.
    std::optional<std::string> SnapshotRead(size_t t, const std::string& key) {
        int j = Observed(key, history_[t].snapshot);
        auto it = versions_.find(key);
        if (j >= 0) AddEdge(it->second[j].writer, t, "wr(" + key + ")");
        if (it != versions_.end() && static_cast<size_t>(j + 1) < it->second.size()) {
            AddEdge(t, it->second[j + 1].writer, "rw(" + key + ")");
        }
        return j >= 0 ? it->second[j].value : std::nullopt;
    }

    // Checks every read of t against its snapshot and own writes, adding the edges.
    std::string CheckReads(size_t t) {
        const ExecutedTxn& txn = history_[t];
        std::map<std::string, std::optional<std::string>> own;
        for (size_t i = 0; i < txn.ops.size(); ++i) {
            const TxnOp& op = txn.ops[i];
            ORRERY_ASSERT(op.key < key_space_ && op.key_end <= key_space_);
            std::string key = KeyName(op.key);
            std::optional<std::string> expected;
            if (op.kind == TxnOp::Kind::kSet) {
                own[key] = txn.written_values[i];
                continue;
            }
            if (op.kind == TxnOp::Kind::kDelete) {
                own[key] = std::nullopt;
                continue;
            }
            if (op.kind == TxnOp::Kind::kGet) {
                auto o = own.find(key);
                expected = o != own.end() ? o->second : SnapshotRead(t, key);
            } else {
                std::map<std::string, std::string> rows;
                for (int k = op.key; k < op.key_end; ++k) {
                    std::string name = KeyName(k);
                    auto o = own.find(name);
                    auto v = o != own.end() ? o->second : SnapshotRead(t, name);
                    if (v) rows[name] = *v;
                }
                expected = RowsString(rows);
            }
            if (expected != txn.results[i]) {
                return fmt::format("txn {} op {} read {} but its snapshot v{} holds {}", txn.id, i,
                                   txn.results[i].value_or("<none>"), txn.snapshot,
                                   expected.value_or("<none>"));
            }
        }
        return "";
    }

    // Kahn's algorithm, ties broken by history index; a leftover node means a cycle.
    std::string TopologicalOrder(std::vector<size_t>* order) {
        std::map<size_t, int> indegree;
        for (size_t t : committed_) indegree[t] = 0;
        for (const auto& [from, tos] : edges_) {
            for (const auto& [to, label] : tos) ++indegree[to];
        }
        std::set<size_t> ready;
        for (const auto& [t, d] : indegree) {
            if (d == 0) ready.insert(t);
        }
        while (!ready.empty()) {
            size_t t = *ready.begin();
            ready.erase(ready.begin());
            order->push_back(t);
            for (const auto& [to, label] : edges_[t]) {
                if (--indegree[to] == 0) ready.insert(to);
            }
        }
        if (order->size() == committed_.size()) return "";
        std::string cycle = "dependency cycle among committed transactions:";
        for (const auto& [t, d] : indegree) {
            if (d == 0) continue;
            for (const auto& [to, label] : edges_[t]) {
                if (indegree[to] > 0) {
                    cycle += fmt::format(" t{} -{}-> t{};", history_[t].id, label, history_[to].id);
                }
            }
        }
        return cycle;
    }

    // Replays the committed transactions one at a time in `order` and compares every read.
    std::string SerialReplay(const std::vector<size_t>& order) {
        std::map<std::string, std::string> model;
        for (size_t t : order) {
            const ExecutedTxn& txn = history_[t];
            std::map<std::string, std::string> view = model;
            for (size_t i = 0; i < txn.ops.size(); ++i) {
                const TxnOp& op = txn.ops[i];
                std::string key = KeyName(op.key);
                std::optional<std::string> got;
                switch (op.kind) {
                    case TxnOp::Kind::kSet: view[key] = txn.written_values[i]; continue;
                    case TxnOp::Kind::kDelete: view.erase(key); continue;
                    case TxnOp::Kind::kGet:
                        if (view.count(key)) got = view[key];
                        break;
                    case TxnOp::Kind::kScan: {
                        std::map<std::string, std::string> rows;
                        for (int k = op.key; k < op.key_end; ++k) {
                            if (view.count(KeyName(k))) rows[KeyName(k)] = view[KeyName(k)];
                        }
                        got = RowsString(rows);
                        break;
                    }
                }
                if (got != txn.results[i]) {
                    return fmt::format("serial replay differs: txn {} op {} read {}, serially {}",
                                       txn.id, i, txn.results[i].value_or("<none>"),
                                       got.value_or("<none>"));
                }
            }
            for (const auto& [key, value] : txn.writes) {
                if (value) model[key] = *value;
                else model.erase(key);
            }
        }
        return "";
    }

    const std::vector<ExecutedTxn>& history_;
    int key_space_;
    std::vector<size_t> committed_;
    std::map<std::string, std::vector<VersionEntry>> versions_;
    Edges edges_;
};

}  // namespace

std::string KeyName(int index) { return fmt::format("k{}", index); }

std::string CheckSerializable(const std::vector<ExecutedTxn>& history, int key_space) {
    Checker checker(history, key_space);
    return checker.Run();
}

}  // namespace orrery::mvcc::testing
