// FaultPlan: which faults a simulated run may inject, parsed from a short text form.
//
// Grammar (items separated by commas, in any order, each at most once; spaces are not allowed):
//
//   plan     := "none" | item ("," item)*
//   item     := "partition" [ "=" kind ("+" kind)* ]   kinds: halves isolate leader bridge
//                                                              oneway flap
//             | "drop=" P | "dup=" P | "reorder" [ "=" P ]          network; P is in [0, 1]
//             | "crash" | "pause"                                     processes
//             | "skew=" DUR | "drift=" PPM                            clocks
//             | "disk-torn" [ "=" P ] | "disk-lost-renames" [ "=" P ]
//             | "disk-read-errors" [ "=" P ] | "disk-bitrot" | "disk-full"
//             | "buggify" [ "=" P ]                                   fault points
//             | "every=" DUR                                          mean time between actions
//   DUR      := integer followed by "us", "ms" or "s"        e.g. 50ms, 2s
//   PPM      := integer in [0, 100000]
//
// Named schedules, as Jepsen calls its nemeses, may stand in for items and combine freely:
// partition-random-halves, isolate-random, isolate-leader, bridge, partition-one-way,
// partition-leader-flap (each adds its kind to one "partition=" item), kill-random (crash),
// pause-random (pause), clock-skew (skew=200ms,drift=500), disk-torn-writes (disk-torn).
// E.g. "isolate-leader,bridge,kill-random".
//
// "partition" alone enables every partition kind. ToString() prints the canonical form: items
// in the order of the grammar above with every value explicit, so a plan printed at the start
// of a run can be pasted back to replay it. Parse(ToString()) == the plan.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::sim {

enum class PartitionKind : uint8_t {
    kHalves,   // Split the servers into two random groups.
    kIsolate,  // Cut one random server off from every other server.
    kLeader,   // Cut the leader (per the leader oracle) off from every other server.
    kBridge,   // Two halves that cannot talk, and one bridge node that both halves see.
    kOneWay,   // One random directed link a->b is cut; b->a still works.
    kFlap,     // Cut the leader and one other server off; when the rest elect a leader, move
               // the cut: heal, then isolate that new leader alone (a flapping network).
};

// Returns "halves", "isolate", "leader", "bridge", "oneway" or "flap".
std::string_view PartitionKindName(PartitionKind kind);

// Defaults used when an item is given without a value.
inline constexpr double kDefaultReorder = 0.1;
inline constexpr double kDefaultDiskTorn = 0.3;
inline constexpr double kDefaultDiskLostRenames = 0.5;
inline constexpr double kDefaultDiskReadErrors = 0.001;
inline constexpr double kDefaultBuggify = 0.05;
inline constexpr int64_t kMaxDriftPpm = 100000;

struct FaultPlan {
    std::vector<PartitionKind> partitions;  // Enabled partition kinds (none: no partitions).
    double drop = 0;                        // Probability a message is lost.
    double dup = 0;                         // Probability a message is delivered twice.
    double reorder = 0;                     // Probability a message gets an extra random delay.
    bool crash = false;                     // Crash servers and restart them later.
    bool pause = false;                     // Pause servers and resume them later.
    Duration skew;                          // Largest clock offset the nemesis sets.
    int64_t drift_ppm = 0;                  // Largest clock drift the nemesis sets.
    double disk_torn = 0;                   // Per unsynced sector at a crash: lost, then garbage.
    double disk_lost_renames = 0;           // Per unsynced directory operation at a crash.
    double disk_read_errors = 0;            // Per Read call.
    bool disk_bitrot = false;               // The nemesis flips bits in files.
    bool disk_full = false;                 // The nemesis fills disks for a while.
    double buggify = 0;                     // Fire probability of enabled fault points; 0 = off.
    Duration every = Duration::Seconds(1);  // Mean virtual time between nemesis actions.

    // Parses the text form. Errors are kInvalidArgument naming the bad item.
    static Result<FaultPlan> Parse(std::string_view text);

    // The canonical text form ("none" when nothing is enabled).
    std::string ToString() const;

    // True if the nemesis has anything to do at scheduled times.
    bool HasNemesisActions() const;
    // True if nothing at all is enabled.
    bool IsNone() const;

    bool Has(PartitionKind kind) const;
};

// Parses "50ms", "2s", "500us" into a Duration. kInvalidArgument on anything else.
Result<Duration> ParseDuration(std::string_view text);

// Formats a Duration in the largest unit that divides it exactly ("2s", "50ms", "7us").
std::string FormatDuration(Duration d);

}  // namespace orrery::sim
