// Shrinking a failing simulated run: `orrery shrink REPLAY`.
//
// A failing seed of a campaign is a replay command: seed, cluster size, workload, fault plan,
// duration, bugs. It reproduces the failure exactly, but usually with far more going on than the
// failure needs. The shrinker makes the run smaller while it still fails *the same way* (the same
// RunResult::FailureKind), so a student or developer reads the smallest story that breaks.
//
// Method: greedy reduction to a fixed point, as in property-based testing. Each round tries the
// candidate reductions in a fixed order and keeps the first that still fails; a round in which
// none does ends the search. The candidates, from the biggest cut to the smallest:
//   - switch off one fault kind (each partition kind, drop, dup, reorder, crash, pause, skew,
//     drift, each disk fault, buggify);
//   - halve the safety phase, then cut it by a quarter (never below kMinShrinkDuration);
//   - halve the clients, then remove one;
//   - run 3 nodes instead of 5 (or more);
//   - double the mean time between nemesis actions (fewer actions).
// The seed stays fixed. Changing anything changes the whole schedule, so a candidate is only
// ever judged by running it; nothing is assumed to be monotone.
//
// Every run is a deterministic function of its options, so the shrinker is too: the same replay
// shrinks to the same result on every machine. The search is bounded by a run budget.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "jepsen/runner/cluster_run.h"

namespace orrery::jepsen::runner {

inline constexpr Duration kMinShrinkDuration = Duration::Millis(500);

// Parses a replay command as printed by RunOptions::ReplayCommand() ("orrery sim --seed 7
// --nodes 5 ... --bug raft.stale-read"). The leading "orrery sim" (or a path ending in "orrery",
// then "sim") is optional. InvalidArgument naming the bad token otherwise.
Result<RunOptions> ParseReplayCommand(std::string_view command);

// One candidate reduction: what it changes, and the options it gives.
struct ShrinkCandidate {
    std::string description;  // e.g. "no crash", "duration 2.5s", "clients 2".
    RunOptions options;
};

// The candidates for `options`, in the order the shrinker tries them (see above).
std::vector<ShrinkCandidate> ShrinkCandidates(const RunOptions& options);

struct ShrinkOptions {
    uint32_t max_runs = 200;  // Simulated runs the search may spend, the original's included.
    // Called after every run: the candidate's description ("original" first) and whether it
    // still failed the same way.
    std::function<void(const std::string& description, const RunResult& result, bool kept)>
        on_run;
};

struct ShrinkResult {
    std::string failure_kind;            // The original run's FailureKind().
    RunOptions smallest;                 // The smallest options found that still fail alike.
    std::string smallest_failure;        // Its run's RunResult::FailureMessage(), in full.
    std::vector<std::string> steps;      // The reductions kept, in order.
    uint32_t runs = 0;                   // Simulated runs spent.
    bool budget_exhausted = false;       // True if the search stopped on max_runs.
};

// Shrinks `options`. InvalidArgument for bad options, or if the original run passes (there is
// nothing to shrink).
Result<ShrinkResult> Shrink(const RunOptions& options, const ShrinkOptions& shrink = {});

}  // namespace orrery::jepsen::runner
