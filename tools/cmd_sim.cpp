// `orrery sim`: one simulated run of the replicated KV store (jepsen/runner/cluster_run.h).
//
// Prints the seed and the canonical fault plan first, then a summary: client operations by
// outcome, leader changes, faults injected, invariant status, liveness verdict, the
// linearizability verdict of the history, and the trace hash. Exit 0 if the run passed, 1 if an
// invariant, liveness, linearizability or the determinism check failed (the replay command is
// printed), 2 on bad input.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "jepsen/runner/cluster_run.h"
#include "tools/cli_util.h"
#include "tools/trace_page.h"

namespace orrery::tools {
namespace {

struct SimArgs {
    uint64_t seed = 1;
    uint32_t nodes = 5;
    uint32_t clients = 5;
    std::string workload = "kv";
    std::string mode = "raft";
    std::string consistency = "quorum";
    uint32_t rf = 3;
    std::string faults = "none";
    std::string duration = "30s";
    std::string liveness = "10s";
    std::string engine;
    std::vector<std::string> bugs;
    std::string trace;
    std::string history;
    std::string html;
    bool check_determinism = false;
};

// A run found a problem: exit 1. (main.cpp maps every CLI error to 2, so not a throw.)
[[noreturn]] void FoundProblem() {
    std::fflush(stdout);
    std::exit(1);
}

constexpr BadInputError BadInput{"sim"};

jepsen::runner::RunOptions ToOptions(const SimArgs& a) {
    jepsen::runner::RunOptions o;
    auto plan = sim::FaultPlan::Parse(a.faults);
    if (!plan.ok()) BadInput(plan.status().message());
    auto duration = ParseDuration(a.duration);
    auto liveness = ParseDuration(a.liveness);
    if (!duration || duration->us() <= 0) BadInput(fmt::format("bad --duration '{}'", a.duration));
    if (!liveness || liveness->us() <= 0) BadInput(fmt::format("bad --liveness '{}'", a.liveness));
    o.seed = a.seed;
    o.nodes = a.nodes;
    o.clients = a.clients;
    o.workload = a.workload;
    o.mode = a.mode;
    o.consistency = a.consistency;
    o.rf = a.rf;
    o.faults = *plan;
    o.duration = *duration;
    o.liveness_bound = *liveness;
    o.engine = a.engine;
    o.bugs = a.bugs;
    o.trace_path = a.trace;
    if (!a.html.empty()) {
        if (a.trace == "-") BadInput("--html needs the trace in a file: --trace FILE, or no --trace");
        if (a.check_determinism) BadInput("--html draws one run; it does not combine with --check-determinism");
        // Without --trace the page's trace goes to a file beside it, removed once drawn.
        if (a.trace.empty()) o.trace_path = a.html + ".trace.jsonl";
    }
    Status valid = jepsen::runner::ValidateRunOptions(o);
    if (!valid.ok()) BadInput(valid.message());
    return o;
}

void PrintResult(const jepsen::runner::RunResult& r, double wall_seconds) {
    fmt::print("ops: {} ok, {} failed, {} indeterminate (info)\n", r.ops.ok, r.ops.fail, r.ops.info);
    fmt::print("leader changes: {}\n", r.leader_changes);
    std::string faults;
    for (const auto& [kind, n] : r.faults) faults += fmt::format(" {}={}", kind, n);
    fmt::print("faults injected:{}\n", faults.empty() ? " none" : faults);
    if (r.supervisor_restarts > 0) {
        fmt::print("supervisor restarts: {} (servers halted on disk errors)\n", r.supervisor_restarts);
    }
    fmt::print("invariants: {}\n", r.invariants.ok() ? "ok" : r.invariants.ToString());
    if (!r.liveness_checked) {
        fmt::print("liveness: not checked (the invariant stopped the run first)\n");
    } else if (r.liveness.ok()) {
        fmt::print("liveness: ok (progress {} after healing)\n", r.recovery);
    } else {
        fmt::print("liveness: FAILED: {}\n", r.liveness.ToString());
    }
    fmt::print("{}: {}\n", r.model == "kv" ? "linearizability" : r.model + " checker",
               r.linearizability);
    if (!r.linearizability_report.empty()) fmt::print("{}\n", r.linearizability_report);
    double sim_seconds = static_cast<double>(r.simulated.us()) / 1e6;
    fmt::print("simulated: {:.2f}s in {:.2f}s wall ({:.0f}x), {} events\n", sim_seconds,
               wall_seconds, wall_seconds > 0 ? sim_seconds / wall_seconds : 0.0, r.events);
    fmt::print("trace-hash: {:016x}\n", r.trace_hash);
}

void WriteHistory(const std::string& path, const jepsen::History& history) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << history.Render();
    if (!out) BadInput(fmt::format("cannot write --history '{}'", path));
}

void RunDeterminism(const jepsen::runner::RunOptions& o) {
    auto r = jepsen::runner::CheckRunDeterminism(o);
    if (!r.ok()) BadInput(r.status().message());
    if (!r->same) {
        fmt::print("determinism: MISMATCH\n{}\nreplay: {} --check-determinism\n", r->divergence,
                   o.ReplayCommand());
        FoundProblem();
    }
    fmt::print("determinism: ok (trace-hash {:016x} twice, {} trace events)\n", r->hash, r->events);
    if (!r->run_status.ok()) {
        fmt::print("invariants: FAILED: {}\nreplay: {}\n", r->run_status.ToString(),
                   o.ReplayCommand());
        FoundProblem();
    }
}

void RunSim(const SimArgs& a) {
    jepsen::runner::RunOptions o = ToOptions(a);
    fmt::print("seed: {}\n", o.seed);
    fmt::print("faults: {}\n", o.faults.ToString());
    if (!o.bugs.empty()) fmt::print("bugs: {}\n", fmt::join(o.bugs, " "));
    std::fflush(stdout);
    for (const std::string& warning : jepsen::runner::BugWarnings(o)) {
        fmt::print(stderr, "orrery sim: warning: {}\n", warning);
    }
    if (a.check_determinism) return RunDeterminism(o);
    auto start = std::chrono::steady_clock::now();
    // Progress on stderr for a run that takes more than a few seconds of wall time, every few
    // seconds: the wall clock is read here in the CLI, never inside the run.
    auto last_report = start;
    o.progress = [start, &last_report](Timestamp now, Timestamp end) {
        auto wall = std::chrono::steady_clock::now();
        if (wall - start < std::chrono::seconds(3) || wall - last_report < std::chrono::seconds(3))
            return;
        last_report = wall;
        double reached = static_cast<double>(now.us()) / 1e6;
        double total = static_cast<double>(end.us()) / 1e6;
        fmt::print(stderr, "sim: {:.1f}s of {:.1f}s simulated ({:.0f}%), {:.0f}s wall\n", reached,
                   total, total > 0 ? 100.0 * reached / total : 100.0,
                   std::chrono::duration<double>(wall - start).count());
    };
    auto r = jepsen::runner::RunCluster(o);
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!r.ok()) BadInput(r.status().ToString());
    if (!a.history.empty()) WriteHistory(a.history, r->history);
    PrintResult(*r, wall);
    if (!a.html.empty()) {
        // Written for failing runs too: those are the ones worth looking at.
        WriteTraceHtml(o.trace_path, a.html);
        if (a.trace.empty()) {
            std::error_code ec;
            std::filesystem::remove(o.trace_path, ec);
        }
    }
    if (r->failed()) {
        fmt::print("FAILED ({})\nreplay: {}\n", r->FailureKind(), r->replay);
        FoundProblem();
    }
}

}  // namespace

void Register_sim(CLI::App& app) {
    auto args = std::make_shared<SimArgs>();
    auto* cmd = app.add_subcommand("sim", "Run the replicated KV store in the simulator");
    cmd->add_option("--seed", args->seed, "Run seed")
        ->check(SeedValidator());
    cmd->add_option("--nodes", args->nodes, "Number of servers (1..9)");
    cmd->add_option("--clients", args->clients, "Number of client processes");
    cmd->add_option("--workload", args->workload,
                    "Workload: kv (registers: read/write/cas), kv-pinned (kv plus readers pinned "
                    "to nodes 1-3), bank (transfers in MVCC "
                    "transactions, bank checker), list-append (Elle list-append transactions, "
                    "Elle checker), set (adds and paged reads, set checker), sql-bank and "
                    "sql-list-append (the same through SQL sessions at the leader); lwt (leaderless "
                    "mode: the kv registers as lightweight transactions on CASPaxos)");
    cmd->add_option("--mode", args->mode,
                    "raft (default) or leaderless (Dynamo-style ring, LWW, hints, CASPaxos LWT)");
    cmd->add_option("--consistency", args->consistency,
                    "Leaderless kv: one, quorum (default) or all, for every read and write");
    cmd->add_option("--rf", args->rf, "Leaderless: replicas per key (default 3)");
    cmd->add_option("--faults", args->faults,
                    "Fault plan, e.g. partition,crash,drop=0.02 (see sim/fault_plan.h)");
    cmd->add_option("--duration", args->duration, "Length of the safety phase (e.g. 30s)");
    cmd->add_option("--liveness", args->liveness,
                    "Bound on progress after the faults heal (default 10s)");
    cmd->add_option("--engine", args->engine, "Storage engine: lsm (default if built) or memory");
    cmd->add_option("--bug", args->bugs,
                    "Enable a known protocol bug: kv.no-dedup, raft.stale-read, "
                    "raft.forget-vote, raft.commit-old-term, mvcc.snapshot-only, "
                    "storage.no-sync; leaderless: paxos.forget-promise, "
                    "paxos.skip-accepted-value, handoff.volatile, gossip.no-refute (repeatable)");
    cmd->add_option("--trace", args->trace, "Write the trace as JSON Lines to FILE ('-': stdout)");
    cmd->add_option("--history", args->history, "Write the client history as JSON Lines to FILE");
    cmd->add_option("--html", args->html,
                    "Write the run's trace as a self-contained HTML viewer page to FILE "
                    "(as `orrery trace html`)");
    cmd->add_flag("--check-determinism", args->check_determinism,
                  "Run the seed twice in lockstep and compare every trace event");
    cmd->callback([args] { RunSim(*args); });
}

}  // namespace orrery::tools
