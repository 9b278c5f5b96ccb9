// The simulator benchmark on the real workload (`orrery bench sim`): how fast a whole simulated
// KV cluster runs, because campaign throughput is a product feature (ARCHITECTURE.md, Speed).
//
// Two measurements:
//  - standard: 5 nodes, links of 1-10 ms, 20 clients issuing operations back to back, no
//    faults; reports queue events per wall second and simulated seconds per wall second;
//  - smoke: a number of 5-simulated-second smoke-profile seeds (every fault kind on); reports
//    seeds per wall minute.
// Wall time comes from the caller (tools/), since this layer may not read real clocks.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/types.h"

namespace orrery::jepsen::runner {

struct BenchSimOptions {
    uint64_t seed = 1;
    Duration standard_duration = Duration::Seconds(30);  // Simulated time of the standard run.
    uint32_t standard_clients = 20;
    uint64_t smoke_seeds = 50;
    std::string engine;                                   // "" = the run default.
    bool check_linearizability = false;                   // Leave the checker out of the figures.
};

struct BenchSimResult {
    uint64_t standard_events = 0;
    uint64_t standard_ops = 0;
    double standard_sim_seconds = 0;
    double standard_wall_seconds = 0;
    uint64_t smoke_seeds = 0;
    uint64_t smoke_failures = 0;
    double smoke_sim_seconds = 0;
    double smoke_wall_seconds = 0;

    double events_per_second() const;
    double sim_per_wall() const;
    double smoke_seeds_per_minute() const;
};

// Runs both measurements. `wall_seconds` returns a monotonic real time in seconds.
BenchSimResult RunBenchSim(const BenchSimOptions& options,
                           const std::function<double()>& wall_seconds);

// The figures as human lines.
std::string RenderBenchSim(const BenchSimResult& result);

}  // namespace orrery::jepsen::runner
