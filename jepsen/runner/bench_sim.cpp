// The simulator benchmark on the KV cluster. See bench_sim.h.
#include "jepsen/runner/bench_sim.h"

#include <fmt/format.h>

#include "jepsen/runner/campaign.h"

namespace orrery::jepsen::runner {

double BenchSimResult::events_per_second() const {
    return standard_wall_seconds > 0 ? standard_events / standard_wall_seconds : 0;
}
double BenchSimResult::sim_per_wall() const {
    return standard_wall_seconds > 0 ? standard_sim_seconds / standard_wall_seconds : 0;
}
double BenchSimResult::smoke_seeds_per_minute() const {
    return smoke_wall_seconds > 0 ? 60.0 * smoke_seeds / smoke_wall_seconds : 0;
}

BenchSimResult RunBenchSim(const BenchSimOptions& options,
                           const std::function<double()>& wall_seconds) {
    BenchSimResult out;
    RunOptions standard;
    standard.seed = options.seed;
    standard.nodes = 5;
    standard.clients = options.standard_clients;
    standard.think_max = Duration(0);  // Back to back.
    standard.duration = options.standard_duration;
    standard.engine = options.engine;
    standard.check_linearizability = options.check_linearizability;
    double t0 = wall_seconds();
    RunResult r = RunCluster(standard).value();
    out.standard_wall_seconds = wall_seconds() - t0;
    out.standard_events = r.events;
    out.standard_ops = r.ops.ok + r.ops.fail + r.ops.info;
    out.standard_sim_seconds = static_cast<double>(r.simulated.us()) / 1e6;

    if (options.smoke_seeds == 0) return out;  // Only the standard run was asked for.
    CampaignOptions c;
    c.profile = "smoke";
    c.first_seed = options.seed;
    c.last_seed = options.seed + options.smoke_seeds - 1;
    c.check_linearizability = options.check_linearizability;
    c.wall_seconds = wall_seconds;
    CampaignSummary s = RunCampaign(c).value();
    out.smoke_seeds = s.seeds_run;
    out.smoke_failures = s.failed_seeds();
    out.smoke_sim_seconds = s.simulated_seconds;
    out.smoke_wall_seconds = s.wall_seconds;
    return out;
}

std::string RenderBenchSim(const BenchSimResult& r) {
    std::string out;
    out += fmt::format("standard (5 nodes, 1-10 ms links, 20 clients back to back, no faults):\n");
    out += fmt::format("  {:.1f} simulated s in {:.2f} wall s: {:.0f}x real time\n",
                       r.standard_sim_seconds, r.standard_wall_seconds, r.sim_per_wall());
    out += fmt::format("  {} events: {:.0f} events/s; {} client ops ({:.0f} ops/simulated s)\n",
                       r.standard_events, r.events_per_second(), r.standard_ops,
                       r.standard_sim_seconds > 0 ? r.standard_ops / r.standard_sim_seconds : 0);
    out += fmt::format("smoke (5 s safety phase, every fault kind):\n");
    out += fmt::format("  {} seeds in {:.2f} wall s: {:.0f} seeds/minute ({} failed), "
                       "{:.0f}x real time\n",
                       r.smoke_seeds, r.smoke_wall_seconds, r.smoke_seeds_per_minute(),
                       r.smoke_failures,
                       r.smoke_wall_seconds > 0 ? r.smoke_sim_seconds / r.smoke_wall_seconds : 0);
    return out;
}

}  // namespace orrery::jepsen::runner
