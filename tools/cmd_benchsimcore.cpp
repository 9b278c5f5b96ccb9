// `orrery bench sim-core`: the simulator's event-loop and
// network throughput. The logic lives in sim/bench_core.h; this file only parses and prints.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>

#include "sim/bench_core.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

void PrintBenchCore(const sim::BenchCoreOptions& o) {
    sim::BenchCoreResult r = sim::RunBenchCore(o);
    fmt::print("bench sim-core: {} nodes, seed {}, trace hashing on, no trace sink\n", o.nodes,
               o.seed);
    fmt::print("timers:     {:>10} timer events in {:.3f}s = {:>12.0f} events/s (hash {:016x})\n",
               r.timer_events, r.timer_seconds, r.timer_events_per_sec, r.timer_hash);
    fmt::print(
        "deliveries: {:>10} deliveries   in {:.3f}s = {:>12.0f} deliveries/s (hash {:016x})\n",
        r.deliveries, r.delivery_seconds, r.deliveries_per_sec, r.delivery_hash);
    fmt::print("            {} queue events; {:.1f} simulated seconds per wall second\n",
               r.delivery_events, r.sim_seconds_per_wall_second);
    fmt::print(
        "cpu time:   timers {:.3f}s = {:.0f} events/cpu-s; deliveries {:.3f}s = {:.0f} "
        "deliveries/cpu-s\n",
        r.timer_cpu_seconds, static_cast<double>(r.timer_events) / r.timer_cpu_seconds,
        r.delivery_cpu_seconds, static_cast<double>(r.deliveries) / r.delivery_cpu_seconds);
}

void AddOptions(CLI::App* cmd, const std::shared_ptr<sim::BenchCoreOptions>& o) {
    cmd->add_option("--seed", o->seed, "Run seed")
        ->check(SeedValidator());
    cmd->add_option("--nodes", o->nodes, "Number of nodes")->check(CLI::Range(2, 999));
    cmd->add_option("--timer-events", o->timer_events, "Timer firings to run");
    cmd->add_option("--deliveries", o->deliveries, "Message deliveries to run");
    cmd->add_option("--in-flight", o->in_flight, "Messages circulating at once")
        ->check(CLI::Range(1u, 10'000'000u));
    cmd->callback([o] { PrintBenchCore(*o); });
}

}  // namespace

void Register_benchsimcore(CLI::App& app) {
    auto options = std::make_shared<sim::BenchCoreOptions>();
    AddOptions(BenchGroup(app)->add_subcommand("sim-core", "Simulator event loop and network"),
               options);
}

}  // namespace orrery::tools
