// `orrery bench sim`: how fast the simulated KV cluster runs (jepsen/runner/bench_sim.h).
// Build in Release for meaningful figures.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "jepsen/runner/bench_sim.h"
#include "tools/cli_util.h"

namespace orrery::tools {

constexpr BadInputError BadInput{"bench sim"};

void Register_benchsim(CLI::App& app) {
    auto opts = std::make_shared<jepsen::runner::BenchSimOptions>();
    auto duration = std::make_shared<std::string>("30s");
    auto* cmd = BenchGroup(app)->add_subcommand("sim", "Simulated KV cluster speed");
    cmd->add_option("--seed", opts->seed, "First seed")
        ->check(SeedValidator());
    cmd->add_option("--duration", *duration, "Simulated length of the standard run");
    cmd->add_option("--clients", opts->standard_clients, "Clients in the standard run");
    cmd->add_option("--smoke-seeds", opts->smoke_seeds, "Smoke seeds to time");
    cmd->add_option("--engine", opts->engine, "Storage engine: lsm or memory");
    cmd->callback([opts, duration] {
        auto d = ParseDuration(*duration);
        if (!d || d->us() <= 0) {
            BadInput(fmt::format("bad --duration '{}'", *duration));
        }
        if (!opts->engine.empty() && opts->engine != "lsm" && opts->engine != "memory") {
            BadInput(fmt::format("unknown --engine '{}'", opts->engine));
        }
        opts->standard_duration = *d;
        auto start = std::chrono::steady_clock::now();
        auto wall = [start] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        };
        auto r = jepsen::runner::RunBenchSim(*opts, wall);
        fmt::print("{}", jepsen::runner::RenderBenchSim(r));
    });
}

}  // namespace orrery::tools
