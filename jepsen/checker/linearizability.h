// The linearizability checker for registers and key-value histories.
//
// Each key is an independent register (Herlihy & Wing's locality, which Porcupine calls
// P-compositionality): the history is split by key and each key's operations are searched on
// their own (linear_search.h), in key order. The verdict is invalid if any key is, else unknown
// if any key ran out of budget, else valid.
//
// For a key that is not linearizable the report gives evidence a person can check by hand:
//  1. the shortest prefix of the key's events that is already not linearizable (linearizability
//     is prefix-closed, so a binary search over prefixes finds it; operations still running at
//     the cut are treated as info), and
//  2. within it, the operations that cannot be relaxed: each ok operation in turn, newest
//     first, is relaxed (a read is removed, a write or cas becomes info) and stays relaxed if
//     the prefix is still not linearizable. Relaxing only weakens a history, so what remains
//     still proves the violation: a 1-minimal set of completed operations that conflict
//     whatever the listed operations of unknown outcome did.
#pragma once

#include <cstdint>

#include "jepsen/checker/model.h"
#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

struct LinearizabilityOptions {
    // Model steps each key's search may take (and each search while explaining a violation).
    uint64_t budget_steps = 2'000'000;
    // The most operations the explanation tries to relax, newest first; beyond it the rest of
    // the failing prefix is reported unrelaxed.
    size_t relax_ops_max = 256;
};

// Checks every key of `history` against `model`. InvalidArgument for a malformed operation.
Result<CheckReport> CheckLinearizable(const Model& model, const History& history,
                                      const SourceLines& lines,
                                      const LinearizabilityOptions& options);

}  // namespace orrery::jepsen::checker
