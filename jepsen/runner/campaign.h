// Campaigns: many seeds of one profile, summarised. A campaign is how the simulator earns its
// keep: each seed is a different schedule of faults and messages, and any failing seed is a
// one-line replay command.
//
// Profiles (every fault kind on, so every recovery path runs in every campaign):
//   smoke - 5 nodes, 5 clients, a 5 s safety phase, a nemesis action every 500 ms on average;
//   full  - the same cluster with a 30 s safety phase and an action every second.
// Both use this fault plan (sim/fault_plan.h):
//   partition (halves, isolate, leader, bridge, one-way), drop=0.02, dup=0.02, reorder=0.1,
//   crash, pause, skew=200ms, drift=500 ppm, disk-torn, disk-lost-renames,
//   disk-read-errors=0.001, buggify.
// Not in the profiles: disk-bitrot and disk-full (a node whose synced log rots must refuse to
// start, and then the liveness check needs an operator); run them with `orrery sim --faults`.
//
// Wall time is the caller's business (this layer may not read real clocks): pass a function
// returning seconds, or leave it empty.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "jepsen/runner/cluster_run.h"

namespace orrery::jepsen::runner {

// The fault plan of the profiles, in sim/fault_plan.h's text form.
std::string ProfileFaultPlan(std::string_view profile);

// The run options of `profile` ("smoke" or "full") for one seed. InvalidArgument otherwise.
Result<RunOptions> ProfileOptions(std::string_view profile, uint64_t seed);

// The most seeds one campaign runs (the CLI checks a range against it before anything starts).
inline constexpr uint64_t kMaxCampaignSeeds = 10'000'000;

struct CampaignOptions {
    std::string profile = "smoke";
    uint64_t first_seed = 1;
    uint64_t last_seed = 100;                    // Inclusive.
    uint64_t stride = 1;                         // Run first, first+stride, ... (for --jobs).
    std::vector<std::string> bugs;               // Applied to every run.
    std::string workload = "kv";                 // RunOptions::workload of every run.
    std::string mode = "raft";                   // RunOptions::mode, consistency and rf.
    std::string consistency = "quorum";
    uint32_t rf = 3;
    std::optional<Duration> duration;            // Overrides the profile's safety phase.
    bool check_linearizability = true;
    std::function<double()> wall_seconds;        // Optional: a real clock, for figures.
    std::function<void(const RunResult&)> on_run;  // Optional: called after every seed.
};

struct CampaignFailure {
    uint64_t seed = 0;
    std::string kind;     // RunResult::FailureKind().
    std::string detail;   // The first line of what broke.
    std::string replay;
};

struct CampaignSummary {
    std::string profile;
    uint64_t seeds_run = 0;
    std::map<std::string, uint64_t> failures_by_kind;
    std::vector<CampaignFailure> failures;        // The first kMaxListedFailures.
    uint64_t ops = 0;                             // Client operations completed, all seeds.
    uint64_t ops_ok = 0, ops_fail = 0, ops_info = 0;
    uint64_t leader_changes = 0;
    uint64_t faults_injected = 0;
    std::map<std::string, uint64_t> faults_by_kind;  // Summed RunResult::faults.
    std::map<std::string, uint64_t> effects;         // Summed RunResult::effects.
    uint64_t events = 0;
    double simulated_seconds = 0;
    double wall_seconds = 0;                      // 0 when no clock was given.

    uint64_t failed_seeds() const;
};

inline constexpr size_t kMaxListedFailures = 20;

// Runs seeds first..last of the profile. InvalidArgument for an unknown profile or bad range.
Result<CampaignSummary> RunCampaign(const CampaignOptions& options);

// Adds `part` (another slice of the same campaign) into `into`.
void MergeCampaignSummary(CampaignSummary* into, const CampaignSummary& part);

// Serialises a summary as one JSON object and parses it back (for campaign worker processes).
std::string CampaignSummaryToJson(const CampaignSummary& summary);
Result<CampaignSummary> CampaignSummaryFromJson(std::string_view json);

// Renders the summary as a few human lines (seeds, failures by kind with replay commands,
// ops per seed, simulated vs wall time).
std::string RenderCampaignSummary(const CampaignSummary& summary);

}  // namespace orrery::jepsen::runner
