// orrery_sim_hash: prints the ping demo's trace hash for a seed and fault plan.
//
// A ctest runs it twice, as two separate processes, and compares the output: a run must not
// depend on anything that differs between process starts (addresses, environment, time).
// Usage: orrery_sim_hash SEED PLAN DURATION_SECONDS
#include <fmt/format.h>

#include <cstdlib>

#include "sim/ping.h"

int main(int argc, char** argv) {
    if (argc != 4) {
        fmt::print(stderr, "usage: orrery_sim_hash SEED PLAN DURATION_SECONDS\n");
        return 2;
    }
    auto plan = orrery::sim::FaultPlan::Parse(argv[2]);
    if (!plan.ok()) {
        fmt::print(stderr, "{}\n", plan.status().ToString());
        return 2;
    }
    orrery::sim::PingOptions options;
    options.seed = std::strtoull(argv[1], nullptr, 10);
    options.faults = *plan;
    options.duration = orrery::Duration::Seconds(std::atoi(argv[3]));
    orrery::sim::PingRun run(options);
    orrery::Status s = run.Run();
    fmt::print("seed={} faults={} events={} status={} trace-hash={:016x}\n", options.seed,
               plan->ToString(), run.sim().events_processed(), s.ToString(),
               run.sim().trace_hash());
    return 0;
}
