// The linearizability checker for registers and key-value histories.
//
// Each key is an independent register (Herlihy & Wing's locality, which Porcupine calls
// P-compositionality): the history is split by key and each key's operations are searched on
// their own (linear_search.h), in key order. The verdict is invalid if any key is, else unknown
// if any key ran out of budget, else valid.
//
// Before a key is searched, its writes and cas of unknown outcome whose value no operation of
// the key observes are dropped: they change no verdict (linearizability.cpp explains why) and
// are what makes the search exponential.
//
// For a key that is not linearizable the report gives evidence a person can check by hand:
//  1. the shortest prefix of the key's events that is already not linearizable (linearizability
//     is prefix-closed, so a binary search over prefixes finds it; operations still running at
//     the cut are treated as info), and
//  2. the latest start from which that prefix still fails whatever the register held there
//     (each operation that completed before the start is left out, and those running across
//     it become of unknown outcome: a weakening, so the window alone proves the violation;
//     another binary search), which keeps the evidence local in a long history, and
//  3. within the window, the operations that cannot be relaxed: ok operations are relaxed (a
//     read is removed, a write or cas becomes info) and stay relaxed if the window is still not
//     linearizable, tried by delta debugging: whole groups first, halves of a group that
//     cannot go whole, down to single operations. Relaxing only weakens a history, so what remains
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
    // Model steps all of the explanation's relaxation tries may take together (about a second
    // or two); beyond it the operations not yet tried are reported unrelaxed, and the report
    // says so. Steps, not seconds, so the report is a function of the history alone.
    uint64_t explain_budget_steps = 5'000'000;
};

// Checks every key of `history` against `model`. InvalidArgument for a malformed operation.
Result<CheckReport> CheckLinearizable(const Model& model, const History& history,
                                      const SourceLines& lines,
                                      const LinearizabilityOptions& options);

}  // namespace orrery::jepsen::checker
