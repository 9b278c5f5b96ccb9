// Transactions as Elle sees them: micro-operations over keys, parsed from `txn` operations.
//
// A txn operation's value is a list of micro-ops (Kingsbury & Alvaro, "Elle", §3):
//   list-append:  ["append", k, v]   appends the integer v to the list at key k;
//                 ["r", k, [v1, ...]] read the whole list at k (null on invoke: not yet known).
//   rw-register:  ["w", k, v]        writes the integer v to the register k;
//                 ["r", k, v]        read the register k (null: the initial, unwritten state).
// Keys are strings or integers (integers are rendered as their decimal text). Written values
// must be unique per key: that is what lets a read name the write it observed.
//
// Which micro-ops count: an ok txn committed, and its completion holds its reads. A fail txn
// did not commit; its writes must never be observed (G1a). An info txn may or may not have
// committed; its writes may be observed, but its reads are unknown and ignored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {

struct MicroOp {
    enum class Kind : uint8_t { kAppend, kWrite, kRead };
    Kind kind = Kind::kRead;
    int32_t key = 0;                       // Interned, see TxnHistory::keys.
    int64_t value = 0;                     // Append / write: the value written.
    bool read_known = false;               // Read: the result is known (ok txn).
    std::optional<int64_t> register_read;  // rw-register read: the value, nullopt = initial.
    std::vector<int64_t> list_read;        // list-append read: the list.
};

struct Txn {
    int64_t id = 0;  // The history index of its invocation: "T<id>" in reports.
    int64_t process = 0;
    OpType outcome = OpType::kInfo;
    std::vector<MicroOp> ops;
    nlohmann::json shown;  // The value to print for it (completion if ok).
};

enum class TxnKind : uint8_t { kListAppend, kRwRegister };

struct TxnHistory {
    std::vector<Txn> txns;          // In invocation order.
    std::vector<std::string> keys;  // Key id -> key text.
};

// Parses every `txn` operation (other functions are ignored). InvalidArgument naming the line
// for a malformed micro-op, or one that does not belong to `kind`.
Result<TxnHistory> ParseTxns(const std::vector<Operation>& operations, TxnKind kind,
                             const SourceLines& lines);

// "T12".
std::string TxnName(const Txn& t);

}  // namespace orrery::jepsen::checker
