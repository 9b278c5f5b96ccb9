// `orrery sim-demo`: runs the built-in ping workload in the simulator (see sim/ping.h).
//
// It exists so the simulator can be run, traced, replayed and checked for determinism end to
// end before Raft does. Output: the seed and canonical fault plan first, then a summary and the
// trace hash. Exit 0 on success, 1 if an invariant, the liveness check or the determinism
// check failed, 2 on bad input.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "sim/determinism.h"
#include "sim/ping.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

struct SimDemoArgs {
    uint64_t seed = 1;
    std::string faults = "none";
    std::string duration = "30s";
    std::string liveness = "5s";
    uint32_t nodes = 5;
    std::string trace;
    bool check_determinism = false;
};

constexpr BadInputError BadInput{"sim-demo"};

void PrintSummary(sim::Simulator& sim, const sim::PingWorld& world) {
    const sim::SimStats& st = sim.stats();
    fmt::print("virtual-time: {}\n", sim.Now());
    fmt::print("events: {} (trace events {})\n", st.events, sim.trace_events());
    fmt::print("messages: sent {} delivered {} dropped {} duplicated {}\n", st.messages_sent,
               st.messages_delivered, st.messages_dropped, st.messages_duplicated);
    fmt::print("timers: {}  crashes: {}  restarts: {}  pauses: {}\n", st.timers_fired, st.crashes,
               st.restarts, st.pauses);
    std::string faults;
    for (const auto& [kind, n] : st.faults) faults += fmt::format(" {}={}", kind, n);
    fmt::print("faults injected:{}\n", faults.empty() ? " none" : faults);
    uint64_t recoveries = 0, detected = 0, pongs = 0;
    for (const auto& [id, node] : world.nodes) {
        recoveries += node.recoveries;
        detected += node.recovery_errors;
        pongs += node.pongs;
    }
    fmt::print("ping: pongs {}  recoveries {}  detected-bad-files {}\n", pongs, recoveries,
               detected);
}

void RunSimDemo(const SimDemoArgs& a) {
    auto plan = sim::FaultPlan::Parse(a.faults);
    if (!plan.ok()) BadInput(plan.status().message());
    auto duration = ParseDuration(a.duration);
    auto liveness = ParseDuration(a.liveness);
    if (!duration || duration->us() <= 0) BadInput(fmt::format("bad --duration '{}'", a.duration));
    if (!liveness) BadInput(fmt::format("bad --liveness '{}'", a.liveness));
    if (a.nodes < 1 || a.nodes > 999) BadInput("--nodes must be in 1..999");

    sim::PingOptions options;
    options.seed = a.seed;
    options.faults = *plan;
    options.nodes = a.nodes;
    options.duration = *duration;
    options.liveness = *liveness;
    options.replay_command =
        fmt::format("orrery sim-demo --seed {} --faults {} --duration {} --liveness {} --nodes {}",
                    a.seed, plan->ToString(), a.duration, a.liveness, a.nodes);
    fmt::print("seed: {}\n", a.seed);
    fmt::print("faults: {}\n", plan->ToString());
    std::fflush(stdout);

    if (a.check_determinism) {
        auto build = [&] { return std::make_unique<sim::PingRun>(options); };
        sim::DeterminismResult r = sim::CheckDeterminism(build, Timestamp(0) + options.duration);
        if (!r.same) {
            fmt::print("determinism: MISMATCH\n{}", r.divergence);
            throw CLI::RuntimeError(1);
        }
        fmt::print("determinism: ok (hash {:016x}, {} trace events)\n", r.hash, r.events);
        if (!r.run_status.ok()) {
            fmt::print("FAILED: {}\n", r.run_status.ToString());
            throw CLI::RuntimeError(1);
        }
        return;
    }

    options.trace_path = a.trace;
    sim::PingRun run(options);
    Status s = run.Run();
    run.sim().tracer().CloseSink();
    if (s.Is(Code::kIOError) && run.sim().events_processed() == 0) BadInput(s.message());
    PrintSummary(run.sim(), run.world());
    fmt::print("trace-hash: {:016x}\n", run.sim().trace_hash());
    if (!s.ok()) {
        fmt::print("FAILED: {}\nreplay: {}\n", s.ToString(), options.replay_command);
        throw CLI::RuntimeError(1);
    }
}

}  // namespace

void Register_simdemo(CLI::App& app) {
    auto args = std::make_shared<SimDemoArgs>();
    auto* cmd = app.add_subcommand("sim-demo", "Run the built-in ping workload in the simulator");
    cmd->add_option("--seed", args->seed, "Run seed")
        ->check(SeedValidator());
    cmd->add_option("--faults", args->faults,
                    "Fault plan, e.g. partition,crash,drop=0.02 (see docs/03-simulator.md)");
    cmd->add_option("--duration", args->duration, "Virtual run length (e.g. 30s)");
    cmd->add_option("--liveness", args->liveness,
                    "Length of the final, fault-free liveness phase (at most half the run)");
    cmd->add_option("--nodes", args->nodes, "Number of servers");
    cmd->add_option("--trace", args->trace, "Write the trace as JSON Lines to FILE ('-': stdout)");
    cmd->add_flag("--check-determinism", args->check_determinism,
                  "Run the seed twice in lockstep and compare every trace event");
    cmd->callback([args] { RunSimDemo(*args); });
}

}  // namespace orrery::tools
