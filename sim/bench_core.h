// The simulator core benchmark: how fast the bare event loop and the simulated network run.
//
// Two workloads, both with trace hashing on and no trace sink (the normal campaign setting):
//  - timers: N nodes, each with K self-rearming timers; measures queue events per second;
//  - deliveries: N nodes passing "hot potato" messages: every delivery sends one message to a
//    random peer, with `in_flight` messages circulating; measures deliveries per second.
// Wall time is measured with the steady clock and CPU time with std::clock (sim/ may read real
// clocks; nothing simulated depends on them). Rates are per wall second; the CPU times let a
// reader on a busy machine compute per-CPU-second rates.
#pragma once

#include <cstdint>

#include "core/types.h"

namespace orrery::sim {

struct BenchCoreOptions {
    uint64_t seed = 1;
    uint32_t nodes = 5;
    uint64_t timer_events = 2'000'000;  // Timer firings to run.
    uint32_t timers_per_node = 100;
    uint64_t deliveries = 2'000'000;  // Message deliveries to run.
    uint32_t in_flight = 1000;        // Messages circulating at once.
    uint32_t message_bytes = 64;
};

struct BenchCoreResult {
    uint64_t timer_events = 0;
    double timer_seconds = 0;
    double timer_cpu_seconds = 0;  // Process CPU time (robust on a shared machine).
    double timer_events_per_sec = 0;
    uint64_t deliveries = 0;
    uint64_t delivery_events = 0;  // Queue events in the delivery workload.
    double delivery_seconds = 0;
    double delivery_cpu_seconds = 0;
    double deliveries_per_sec = 0;
    double sim_seconds_per_wall_second = 0;  // Virtual time covered per wall second (deliveries).
    uint64_t timer_hash = 0;                 // Trace hashes, so the runs can be compared.
    uint64_t delivery_hash = 0;
};

BenchCoreResult RunBenchCore(const BenchCoreOptions& options);

}  // namespace orrery::sim
