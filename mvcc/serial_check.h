// Test support: run interleaved random transactions against Mvcc, record what each observed,
// and check that the committed ones are serializable.
//
// The check builds the dependency graph of committed transactions from the version order, which
// is known exactly here (a version is its writer's commit version):
//   ww  W_i -> W_{i+1}      consecutive writers of a key;
//   wr  W_j -> T            T read the version W_j wrote;
//   rw  T -> W_{j+1}        T read version j, which W_{j+1} replaced (for scans: every key in
//                           the range, present or not, so phantoms count).
// Reads a transaction answered from its own writes create no edge. Every read is also checked
// against "the newest version <= the reader's snapshot". Then it sorts the graph topologically
// (a cycle is a violation and is reported) and replays the committed transactions serially in
// that order against a std::map, comparing every read: equal results prove the history is
// equivalent to that serial order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mvcc/commit_request.h"

namespace orrery::mvcc::testing {

// One operation of a generated transaction over the key space k0..k{n-1}.
struct TxnOp {
    enum class Kind : uint8_t { kGet, kSet, kDelete, kScan };
    Kind kind = Kind::kGet;
    int key = 0;      // kGet/kSet/kDelete: the key; kScan: the first key.
    int key_end = 0;  // kScan: one past the last key (== key space size: unbounded).
};

// What a transaction did and saw, in order.
struct ExecutedTxn {
    uint64_t id = 0;
    Version snapshot = 0;
    bool committed = false;
    Version commit_version = 0;  // For committed read-write transactions with writes.
    std::vector<TxnOp> ops;
    std::vector<std::string> written_values;  // Per op: the value a kSet wrote ("" otherwise).
    // Per op: a kGet's result, or a kScan's rows ("key=value" joined by ','); "" for writes.
    std::vector<std::optional<std::string>> results;
    // Final buffered writes (the commit's write set).
    std::map<std::string, std::optional<std::string>> writes;
};

// The names of the keys: "k0", "k1", ...
std::string KeyName(int index);

// Returns "" if the committed transactions of history are serializable, else a description of
// the violation (a cycle, or a read that does not match).
std::string CheckSerializable(const std::vector<ExecutedTxn>& history, int key_space);

}  // namespace orrery::mvcc::testing
