// The set checker: every acknowledged add must survive, and nothing else may appear.
//
// The set workload adds unique elements and finally reads the whole set (Jepsen's set test).
// Judged against the last ok read (the final read):
//  - lost:       an element whose add was ok, completing before the final read was invoked,
//                is missing from the final read;
//  - unexpected: any ok read contains an element that no add ever attempted.
// Adds whose outcome is unknown (info) may or may not be present; those present are counted
// as recovered. Without any ok read the verdict is unknown.
#pragma once

#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

struct SetOptions {
    size_t shown_max = 16;  // Elements listed per category.
};

// Checks a set history. InvalidArgument (naming the line) for a read that is not a list.
Result<CheckReport> CheckSet(const History& history, const SourceLines& lines,
                             const SetOptions& options);

}  // namespace orrery::jepsen::checker
