// The bank checker: transfers between accounts must conserve money.
//
// The bank workload moves amounts between accounts with transfer transactions and reads all
// balances at once. Under snapshot isolation or anything stronger every read sees a
// consistent snapshot, so (Jepsen's bank test):
//  - the balances of every ok read sum to the invariant total, and
//  - no balance is negative (transfers that would overdraw are refused).
// A read's value is an object {"account": balance, ...} or a list of balances. Transfers are
// not checked individually. When no total is given, the first ok read's sum is taken as the
// total (and the report says so).
#pragma once

#include <cstdint>
#include <optional>

#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

struct BankOptions {
    std::optional<int64_t> total;  // The invariant sum of all balances.
    size_t shown_max = 8;          // Bad reads printed.
};

// Checks every ok read. InvalidArgument (naming the line) for a read that is not a set of
// integer balances.
Result<CheckReport> CheckBank(const History& history, const SourceLines& lines,
                              const BankOptions& options);

}  // namespace orrery::jepsen::checker
