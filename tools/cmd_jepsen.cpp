// `orrery jepsen --real --workload register|bank --duration 60s`: a Jepsen-style test of a real
// five-node localhost cluster, with kill -9/restart, partition and pause (SIGSTOP) nemeses.
//
// What it does, in order:
//   1. writes a cluster config on free localhost ports into a fresh directory (or --dir) and
//      starts the nodes with `orrery cluster start` (this binary);
//   2. client loop (this thread): --clients closed-loop clients over net::TcpClient on one
//      shared io_context (as `orrery bench cluster` drives them): node::KvClient doing read /
//      write / cas on --keys registers, or node::TxnClient doing bank transfers and reads
//      (tools/jepsen_real.h);
//   3. nemesis (a second thread that only runs `orrery cluster kill|restart|partition|heal|
//      pause|resume` subprocesses): every --interval it takes one enabled fault at random: kill
//      a node with SIGKILL and restart it one interval later, split the nodes into two random
//      halves and heal one interval later, or freeze a node with SIGSTOP and thaw it one
//      interval later (kills and pauses aim at the leader half the time);
//   4. after --duration: stops invoking, lets operations in flight end, heals, restarts any dead
//      node, stops the cluster, writes the history (jepsen/history.h JSON Lines) and judges it
//      with the workload's checker: "kv" (per-key linearizability) or "bank" (invariant total,
//      no negative balance).
// --seed fixes the operations and the nemesis's choices, not the timing: a real run does not
// replay. The cluster directory is kept (logs, data, history).
//
// Exit status: 0 valid, 1 invalid, 3 unknown (the checker's budget ran out), 2 bad input or a
// cluster that did not start.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "core/random.h"
#include "jepsen/checker/check.h"
#include "net/local_process.h"
#include "tools/cli_util.h"
#include "tools/jepsen_real.h"

namespace orrery::tools {
namespace {

using jepsen_real::RunSelf;
using jepsen_real::SteadyClock;

constexpr int kMaxClients = 256;

struct JepsenArgs {
    bool real = false;
    std::string workload = "register";
    std::string duration = "60s";
    std::string interval = "5s";
    std::string nemesis = "kill,partition";
    int nodes = 5;
    int clients = 10;
    uint32_t keys = 5;
    std::string dir;
    std::string history;
    std::string engine;
    std::optional<uint64_t> seed;
};

[[noreturn]] void BadInput(const std::string& message) {
    fmt::print(stderr, "orrery jepsen: {}\n", message);
    throw CLI::RuntimeError(2);
}

using SteadyClock = std::chrono::steady_clock;

// Checks the arguments; returns the run's duration and nemesis interval.
std::pair<Duration, Duration> Validate(const JepsenArgs& a, jepsen_real::NemesisKinds* kinds) {
    if (!a.real) {
        BadInput("only --real is implemented here; simulated runs are `orrery sim` and "
                 "`orrery campaign`");
    }
    if (a.workload != "register" && a.workload != "bank") {
        BadInput("unknown --workload '" + a.workload + "' (register, bank)");
    }
    std::optional<Duration> duration = ParseDuration(a.duration);
    if (!duration || *duration <= Duration(0)) BadInput("bad --duration " + a.duration);
    std::optional<Duration> interval = ParseDuration(a.interval);
    if (!interval || *interval <= Duration(0)) BadInput("bad --interval " + a.interval);
    std::stringstream in(a.nemesis);
    for (std::string item; std::getline(in, item, ',');) {
        if (item == "kill") {
            kinds->kill = true;
        } else if (item == "partition") {
            kinds->partition = true;
        } else if (item == "pause") {
            kinds->pause = true;
        } else if (item != "none" && !item.empty()) {
            BadInput("unknown nemesis '" + item + "' (kill, partition, pause, none)");
        }
    }
    return {*duration, *interval};
}

std::string MakeDir(const JepsenArgs& a) {
    if (!a.dir.empty()) {
        std::filesystem::create_directories(a.dir);
        return a.dir;
    }
    std::string templ = (std::filesystem::temp_directory_path() / "orrery-jepsen-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) BadInput("cannot create a temporary directory");
    return templ;
}

void RunJepsen(const JepsenArgs& a) {
    jepsen_real::NemesisKinds kinds;
    auto [duration, interval] = Validate(a, &kinds);
    uint64_t seed = a.seed ? *a.seed : Random(static_cast<uint64_t>(
                                           SteadyClock::now().time_since_epoch().count())).Next();
    std::string dir = MakeDir(a);
    std::string history_path = a.history.empty() ? dir + "/history.jsonl" : a.history;
    auto config = net::FreeLocalhostConfig(a.nodes);
    if (!config.ok()) BadInput(config.status().ToString());
    std::ofstream(dir + "/config.json") << config->ToJson();
    std::vector<std::string> start = {"cluster", "start", "--dir", dir};
    if (!a.engine.empty()) start.insert(start.end(), {"--engine", a.engine});
    fmt::print("jepsen --real: {} workload for {}, {} nodes in {}, {} clients, nemesis {} every "
               "{}, seed {}\n",
               a.workload, a.duration, a.nodes, dir, a.clients, a.nemesis, a.interval, seed);
    std::fflush(stdout);
    if (RunSelf(start, dir + "/nemesis.log") != 0) {
        RunSelf({"cluster", "stop", "--dir", dir}, dir + "/nemesis.log");
        BadInput("the cluster did not start; see " + dir + "/nemesis.log");
    }
    std::vector<uint32_t> ids;
    for (const auto& [id, addresses] : config->nodes) ids.push_back(id.value());
    uint64_t nemesis_seed = Random(seed).Fork("nemesis").Next();
    jepsen_real::Nemesis nemesis(dir, ids, kinds, interval, nemesis_seed);
    std::unique_ptr<jepsen_real::RealWorkload> run;
    if (a.workload == "bank") {
        run = std::make_unique<jepsen_real::BankRun>(*config, a.clients, seed);
    } else {
        run = std::make_unique<jepsen_real::RegisterRun>(*config, a.clients, a.keys, seed);
    }
    nemesis.Start();
    run->Run(duration);
    nemesis.StopAndHeal();
    RunSelf({"cluster", "stop", "--dir", dir}, dir + "/nemesis.log");

    for (const std::string& action : nemesis.actions()) fmt::print("nemesis {}\n", action);
    const jepsen_real::Counts& c = run->counts();
    fmt::print("ops: {} ok, {} fail, {} info ({} events)\n", c.ok, c.fail, c.info,
               run->history().size());
    fmt::print("nemesis: {} kills, {} partitions, {} pauses\n", nemesis.kills(),
               nemesis.partitions(), nemesis.pauses());
    std::ofstream(history_path) << run->history().Render();
    jepsen::checker::SourceLines lines;
    auto report =
        jepsen::checker::CheckHistory(run->model(), run->history(), lines, run->check_options());
    if (!report.ok()) BadInput("checker: " + report.status().ToString());
    fmt::print("checker ({}): {}\n", run->model(), report->text);
    fmt::print("history: {}\n", history_path);
    std::fflush(stdout);
    int status = jepsen::checker::VerdictExitCode(report->verdict);
    if (status != 0) std::exit(status);
}

}  // namespace

void Register_jepsen(CLI::App& app) {
    auto args = std::make_shared<JepsenArgs>();
    CLI::App* cmd = app.add_subcommand(
        "jepsen", "Jepsen-style test of a real localhost cluster: exit 0 valid, 1 invalid, "
                  "3 unknown, 2 bad input");
    cmd->add_flag("--real", args->real, "Run against real `orrery node` processes (required)");
    cmd->add_option("--workload", args->workload, "Workload: register (default) or bank");
    cmd->add_option("--duration", args->duration, "How long clients run (default 60s)");
    cmd->add_option("--nemesis", args->nemesis,
                    "Faults: kill, partition, pause, comma-separated (default kill,partition), or none");
    cmd->add_option("--interval", args->interval,
                    "Nemesis period: fault for one interval, healthy for one (default 5s)");
    cmd->add_option("--nodes", args->nodes, "Nodes (default 5)")->check(CLI::Range(1, 9));
    cmd->add_option("--clients", args->clients, "Client processes (default 10)")
        ->check(CLI::Range(1, kMaxClients));
    cmd->add_option("--keys", args->keys, "Register workload: keys in use at a time (default 5)")
        ->check(CLI::Range(1u, 1000u));
    cmd->add_option("--dir", args->dir, "Cluster directory (default: a fresh temporary one)");
    cmd->add_option("--history", args->history, "History file (default DIR/history.jsonl)");
    cmd->add_option("--engine", args->engine, "Storage engine of the nodes: lsm or memory");
    cmd->add_option("--seed", args->seed, "Seed of the generators and nemesis (default: random)");
    cmd->callback([args] { RunJepsen(*args); });
}

}  // namespace orrery::tools
