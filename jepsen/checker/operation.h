// Operations: a history's invocations paired with their completions.
//
// Checkers reason about whole operations, not events. An Operation joins an invoke with the
// completion its process gave it (History::Pair's rule). Nemesis events are not operations and
// are left out. An invoke that never completed is
// treated like an info: the operation may have happened, at any time after its invocation.
// Real-time order is history order: op A precedes op B iff A's completion comes before B's
// invocation in the file. Invariant: operations are listed in order of their invocation.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/status.h"
#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

// A completion position later than every event: where an info operation "returns".
inline constexpr int64_t kNeverReturns = INT64_MAX;

struct Operation {
    int64_t invoke_index = -1;    // History index of the invocation.
    int64_t complete_index = -1;  // History index of the completion, or -1 when none.
    int64_t process = 0;
    OpType outcome = OpType::kInfo;  // kOk, kFail or kInfo (also for never-completed).
    std::string f;                   // From the invocation.
    std::string key;                 // From the invocation.
    nlohmann::json input;            // The invocation's value (arguments).
    nlohmann::json output;           // The completion's value (results); null when none.
    int64_t invoke_time_us = 0;      // True time of the invocation and completion (-1: none).
    int64_t complete_time_us = -1;
    int64_t node = 0;                // Op::node and the completion's Op::server (0: unknown).
    int64_t server = 0;

    // Returns the completion position for real-time order: complete_index for ok and fail,
    // kNeverReturns for info.
    int64_t return_position() const {
        return outcome == OpType::kInfo ? kNeverReturns : complete_index;
    }
};

// Pairs every invocation with its completion. Errors (InvalidArgument) name the source line
// of an impossible event: a completion without an invocation, or a second invocation.
Result<std::vector<Operation>> CollectOperations(const History& history, const SourceLines& lines);

// Renders a JSON value compactly for reports: 3, "a", [1,2], null.
std::string RenderValue(const nlohmann::json& value);

}  // namespace orrery::jepsen::checker
