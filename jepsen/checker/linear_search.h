// The linearizability search for one object: Wing & Gong's backtracking search with Lowe's
// memoization ("Testing for linearizability", Concurrency and Computation 2017, §3-§4).
//
// The history of one object is a list of call and return entries in real-time order. The
// search walks the list from its head. At a call entry it tries to linearize that operation
// now: if the model accepts it and the pair (set of linearized operations, model state) has
// not been seen before, it records the choice on a stack, removes ("lifts") the call and its
// return from the list, and starts again from the head. At a return entry whose call is still
// in the list the current prefix cannot be extended (that operation had to take effect before
// it returned), so it backtracks: it pops the last choice, puts that operation back, and tries
// the next entry after it. The memo cache is what makes the search practical: two orders that
// linearize the same set of operations into the same state have the same future, so the
// second is pruned.
//
// Info operations (outcome unknown) have no return entry. They may be linearized anywhere
// after their call, or never: the search succeeds as soon as every ok operation is
// linearized, whatever info operations remain.
//
// The search is bounded by a budget of model steps, never by wall time, so a verdict is a
// function of the history and the budget alone. When the budget runs out the verdict is
// unknown.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "jepsen/checker/model.h"
#include "jepsen/checker/verdict.h"

namespace orrery::jepsen::checker {

// One operation of a single object's history, ready for the search.
struct LinOp {
    int64_t call = 0;             // History position of the invocation.
    int64_t ret = kNeverReturns;  // History position of the completion; kNeverReturns if info.
    ModelOp op;
    size_t source = 0;  // The caller's index for this operation (for reports).
};

struct SearchOutcome {
    Verdict verdict = Verdict::kValid;
    uint64_t steps = 0;  // Model steps taken.
};

// Decides whether `ops` can be linearized for `model`, taking at most `budget_steps` model
// steps, starting from `initial` (the model's Init() if nullopt; kAnyState for a window).
// REQUIRES: call < ret for every op, and all positions distinct.
SearchOutcome SearchLinearization(const Model& model, const std::vector<LinOp>& ops,
                                  uint64_t budget_steps,
                                  std::optional<uint64_t> initial = std::nullopt);

}  // namespace orrery::jepsen::checker
