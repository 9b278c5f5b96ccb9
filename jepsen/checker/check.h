// One entry point for every checker, used by `orrery check` and the golden tests.
//
// Models: register and kv (linearizability, per key), list-append and rw-register (Elle-style
// transaction checking), bank, and set. See each checker's header for what it judges.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

struct CheckOptions {
    uint64_t budget_steps = 2'000'000;  // Linearizability: model steps per key.
    std::optional<int64_t> total;       // Bank: the invariant total.
    bool process_order = false;         // Transactions: add process-order edges.
};

// The model names CheckHistory accepts.
const std::vector<std::string>& ModelNames();

// Checks `history` for `model`. InvalidArgument for an unknown model or a malformed operation
// (the message names its line).
Result<CheckReport> CheckHistory(std::string_view model, const History& history,
                                 const SourceLines& lines, const CheckOptions& options);

// Parses JSON Lines text into a history and remembers each op's line (blank lines skipped).
// The error names the bad line.
Result<History> ParseHistoryText(std::string_view text, SourceLines& lines);

}  // namespace orrery::jepsen::checker
