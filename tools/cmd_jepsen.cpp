// `orrery jepsen --real --workload register|bank|list-append|set --duration 60s`: a Jepsen-style
// test of a real five-node localhost cluster, with kill -9/restart, partition and pause
// (SIGSTOP) nemeses.
//
// What it does, in order:
//   1. writes a cluster config on free localhost ports into a fresh directory (or --dir) and
//      starts the nodes with `orrery cluster start` (this binary);
//   2. client loop (this thread): --clients closed-loop clients over net::TcpClient on one
//      shared io_context (as `orrery bench cluster` drives them): node::KvClient doing read /
//      write / cas on --keys registers, or node::TxnClient doing bank transfers and reads,
//      Elle list-append transactions on --keys lists, or set adds and full reads
//      (tools/jepsen_real.h);
//   3. nemesis (a second thread that only runs `orrery cluster kill|restart|partition|heal|
//      pause|resume` subprocesses): every --interval it takes one enabled fault (in rounds
//      that take every enabled kind once, in random order): kill a node with SIGKILL and
//      restart it one interval later, split the nodes into two random halves and heal one
//      interval later, or freeze a node with SIGSTOP and thaw it one interval later (kills and
//      pauses aim at the leader half the time); --engine and --bug reach restarted nodes too;
//   4. after --duration: stops invoking, lets operations in flight end, heals, restarts any dead
//      node, stops the cluster, writes the history (jepsen/history.h JSON Lines) and judges it
//      with the workload's checker: "kv" (per-key linearizability), "bank" (invariant total,
//      no negative balance), "list-append" (Elle: no dependency cycle) or "set" (no
//      acknowledged add lost, nothing invented).
// --seed fixes the operations and the nemesis's choices, not the timing: a real run does not
// replay. The history holds the nemesis's faults too (process "nemesis", type info: one event
// when a fault begins, one when it ends), which the checkers skip.
//
// The cluster directory (logs, data, history): a directory the run created (the default fresh
// one under $TMPDIR, or a --dir that did not exist) is removed after a valid run, unless --keep;
// it is kept, and its path printed, when the verdict is not valid, on any error or interrupt,
// and when --dir named an existing directory. The nodes are stopped on every path out of the
// command, errors and SIGINT/SIGTERM/SIGHUP included (a signal ends the run early: clients stop
// invoking, operations in flight end, and the shorter history is still checked).
//
// --mode leaderless starts a leaderless cluster instead (node/leaderless_server.h, docs/16): the
// register workload's read/write/cas at --consistency (cas needs serial, so below it every cas
// fails, which the checker treats as no effect), or --workload lwt, the same ops at serial, each a
// CASPaxos round. The same nemeses apply; kills and pauses have no leader to aim at.
//
// Exit status: 0 valid, 1 invalid, 3 unknown (the checker's budget ran out), 2 bad input, a
// cluster that did not start or another error, 130 interrupted (unless the history was invalid).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
#include "node/leaderless_server.h"
#include "tools/cli_util.h"
#include "tools/interrupt_guard.h"
#include "tools/jepsen_real.h"

namespace orrery::tools {
namespace {

using jepsen_real::RunSelf;
using jepsen_real::SteadyClock;

constexpr int kMaxClients = 256;
constexpr int kInterruptedExit = 130;

struct JepsenArgs {
    bool real = false;
    std::string workload = "register";
    std::string duration = "60s";
    std::string interval = "5s";
    std::string nemesis = "kill,partition";
    int nodes = 5;
    int clients = 10;
    uint32_t keys = 5;
    int pinned_readers = 0;
    std::string dir;
    std::string history;
    std::string engine;
    bool keep = false;
    std::vector<std::string> bugs;
    std::optional<uint64_t> seed;
    std::string mode = "raft";           // raft or leaderless (docs/16 §16.14).
    uint32_t rf = 3;                     // Leaderless: replicas per key.
    std::string consistency = "quorum";  // Leaderless register workload: the level of its ops.
};

bool Leaderless(const JepsenArgs& a) { return a.mode == "leaderless"; }

// The default consistency the leaderless cluster's config names: the lwt workload is the
// register workload at SERIAL (every op a CASPaxos round), register runs at --consistency.
std::string LeaderlessLevel(const JepsenArgs& a) {
    return a.workload == "lwt" ? "serial" : a.consistency;
}

constexpr BadInputError BadInput{"jepsen"};

// Checks the arguments; returns the run's duration and nemesis interval.
std::pair<Duration, Duration> Validate(const JepsenArgs& a, jepsen_real::NemesisKinds* kinds) {
    if (!a.real) {
        BadInput("only --real is implemented here; simulated runs are `orrery sim` and "
                 "`orrery campaign`");
    }
    if (Leaderless(a)) {
        if (a.workload != "register" && a.workload != "lwt") {
            BadInput("--workload '" + a.workload + "' does not run in the leaderless mode "
                     "(register at --consistency, or lwt)");
        }
        auto level = node::ParseConsistency(a.consistency);
        if (!level.ok()) BadInput(level.status().message());
        if (*level == node::Consistency::kSerial) {
            BadInput("--consistency serial is the lwt workload: use --workload lwt");
        }
        if (a.workload == "lwt" && a.consistency != "quorum") {
            BadInput("--consistency is for the register workload; lwt runs every op at serial");
        }
        if (a.rf < 1 || a.rf > static_cast<uint32_t>(a.nodes)) {
            BadInput(fmt::format("--rf must be in 1..{} (the nodes)", a.nodes));
        }
        if (a.pinned_readers > 0) BadInput("--pinned-readers is the Raft mode's (it has no leader here)");
        for (const std::string& bug : a.bugs) {
            node::LeaderlessOptions scratch;
            Status s = node::EnableLeaderlessBug(bug, &scratch);
            if (!s.ok()) BadInput(std::string(s.message()));
        }
    } else {
        if (a.workload != "register" && a.workload != "bank" && a.workload != "list-append" &&
            a.workload != "set") {
            BadInput("unknown --workload '" + a.workload +
                     "' (register, bank, list-append, set; lwt with --mode leaderless)");
        }
        if (a.rf != 3 || a.consistency != "quorum") {
            BadInput("--rf and --consistency are the leaderless mode's (--mode leaderless)");
        }
    }
    if (a.pinned_readers > 0 && a.workload != "register") {
        BadInput("--pinned-readers needs --workload register");
    }
    if (a.pinned_readers >= a.clients) {
        BadInput(fmt::format("--pinned-readers {} leaves no writer among {} clients",
                             a.pinned_readers, a.clients));
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
    if (!a.history.empty()) {
        std::filesystem::path parent = std::filesystem::absolute(a.history).parent_path();
        if (!std::filesystem::is_directory(parent)) {
            BadInput("--history " + a.history + ": no directory " + parent.string());
        }
    }
    return {*duration, *interval};
}

// The run's directory, and whether this run created it (only then may it remove it).
struct RunDir {
    std::string path;
    bool created = false;
};

RunDir MakeDir(const JepsenArgs& a) {
    if (!a.dir.empty()) {
        std::error_code ec;
        bool existed = std::filesystem::exists(a.dir, ec);
        if (existed && !std::filesystem::is_directory(a.dir, ec)) {
            BadInput("--dir " + a.dir + " is not a directory");
        }
        std::filesystem::create_directories(a.dir, ec);
        if (ec) BadInput("cannot create --dir " + a.dir + ": " + ec.message());
        return {a.dir, !existed};
    }
    std::string templ = (std::filesystem::temp_directory_path() / "orrery-jepsen-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
        BadInput("cannot create a directory from " + templ + ": " + std::strerror(errno));
    }
    return {templ, true};
}

// Owns the cluster's nodes and directory for the run. Whatever way the run ends, the destructor
// stops nodes still running; unless Finish(true) removed the directory, it is kept and its path
// printed.
class ClusterGuard {
public:
    explicit ClusterGuard(RunDir dir) : dir_(std::move(dir)) {}
    ~ClusterGuard() {
        if (started_ && !stopped_) StopNodes();
        if (!finished_) {
            fmt::print(stderr, "orrery jepsen: kept the cluster directory {}\n", dir_.path);
        }
    }
    ClusterGuard(const ClusterGuard&) = delete;
    ClusterGuard& operator=(const ClusterGuard&) = delete;

    const std::string& path() const { return dir_.path; }
    std::string log() const { return dir_.path + "/nemesis.log"; }

    // Starts the nodes; false if they did not all come up.
    bool StartNodes(const std::vector<std::string>& node_args) {
        started_ = true;
        std::vector<std::string> args = {"cluster", "start", "--dir", dir_.path};
        args.insert(args.end(), node_args.begin(), node_args.end());
        return RunSelf(args, log()) == 0;
    }

    // Stops every node (SIGTERM, then SIGKILL after `orrery cluster stop`'s timeout). False if
    // `orrery cluster stop` failed, so nodes may still run.
    bool StopNodes() {
        stopped_ = true;
        stop_ok_ = RunSelf({"cluster", "stop", "--dir", dir_.path}, log()) == 0;
        if (!stop_ok_) {
            fmt::print(stderr, "orrery jepsen: `orrery cluster stop --dir {}` failed; see {}\n",
                       dir_.path, log());
        }
        return stop_ok_;
    }

    // Ends the run: removes the directory if `remove`, this run created it and its nodes are
    // known to be stopped; else keeps it. Prints which.
    void Finish(bool remove, const std::string& why_kept) {
        finished_ = true;
        if (remove && dir_.created && stopped_ && stop_ok_) {
            std::error_code ec;
            std::filesystem::remove_all(dir_.path, ec);
            if (!ec) {
                fmt::print("removed {}\n", dir_.path);
                return;
            }
            fmt::print(stderr, "orrery jepsen: cannot remove {}: {}\n", dir_.path, ec.message());
        }
        std::string reason = why_kept;
        if (remove && !dir_.created) reason = "it existed before the run";
        if (remove && dir_.created && !(stopped_ && stop_ok_)) reason = "nodes may still run";
        fmt::print("kept {} ({})\n", dir_.path, reason);
    }

private:
    RunDir dir_;
    bool started_ = false;
    bool stopped_ = false;
    bool stop_ok_ = false;
    bool finished_ = false;
};

// True iff `file` lies inside directory `dir`.
bool Inside(const std::string& file, const std::string& dir) {
    auto f = std::filesystem::weakly_canonical(std::filesystem::absolute(file));
    auto d = std::filesystem::weakly_canonical(std::filesystem::absolute(dir));
    auto [end, unused] = std::mismatch(d.begin(), d.end(), f.begin(), f.end());
    return end == d.end();
}

// The run proper, in `cluster`'s directory. Returns the exit status.
int RunInDir(const JepsenArgs& a, ClusterGuard& cluster, jepsen_real::NemesisKinds kinds,
             Duration duration, Duration interval, uint64_t seed) {
    const std::string& dir = cluster.path();
    std::string history_path = a.history.empty() ? dir + "/history.jsonl" : a.history;
    auto config = net::FreeLocalhostConfig(a.nodes);
    if (!config.ok()) BadInput(config.status().ToString());
    if (Leaderless(a)) {
        config->mode = net::ClusterMode::kLeaderless;
        config->rf = a.rf;
        config->consistency = LeaderlessLevel(a);
    }
    std::ofstream(dir + "/config.json") << config->ToJson();
    std::vector<std::string> node_args;
    if (!a.engine.empty()) node_args.insert(node_args.end(), {"--engine", a.engine});
    for (const std::string& bug : a.bugs) node_args.insert(node_args.end(), {"--bug", bug});
    std::string mode = Leaderless(a) ? fmt::format(" (leaderless, rf={}, consistency {})", a.rf,
                                                   LeaderlessLevel(a))
                                     : "";
    fmt::print("jepsen --real: {} workload{} for {}, {} nodes in {}, {} clients, nemesis {} every "
               "{}, seed {}{}\n",
               a.workload, mode, a.duration, a.nodes, dir, a.clients, a.nemesis, a.interval, seed,
               a.bugs.empty() ? "" : fmt::format(", bugs {}", fmt::join(a.bugs, ",")));
    std::fflush(stdout);
    if (!cluster.StartNodes(node_args)) {
        fmt::print(stderr, "orrery jepsen: the cluster did not start; see {} and the node logs\n",
                   cluster.log());
        std::vector<std::string> seen;  // Each node's last log line, once per distinct text.
        for (const auto& [id, addresses] : config->nodes) {
            std::ifstream in(fmt::format("{}/n{}.log", dir, id.value()));
            std::string last;
            for (std::string line; std::getline(in, line);) {
                if (!line.empty()) last = line;
            }
            if (last.empty() || std::find(seen.begin(), seen.end(), last) != seen.end()) continue;
            seen.push_back(last);
            fmt::print(stderr, "  n{}.log: {}\n", id.value(), last);
        }
        return 2;
    }
    std::vector<uint32_t> ids;
    for (const auto& [id, addresses] : config->nodes) ids.push_back(id.value());
    uint64_t nemesis_seed = Random(seed).Fork("nemesis").Next();
    jepsen_real::Nemesis nemesis(dir, ids, kinds, interval, nemesis_seed, node_args);
    std::unique_ptr<jepsen_real::RealWorkload> run;
    if (a.workload == "bank") {
        run = std::make_unique<jepsen_real::BankRun>(*config, a.clients, seed);
    } else if (a.workload == "list-append") {
        run = std::make_unique<jepsen_real::ListAppendRun>(*config, a.clients, a.keys, seed);
    } else if (a.workload == "set") {
        run = std::make_unique<jepsen_real::SetRun>(*config, a.clients, seed);
    } else {
        run = std::make_unique<jepsen_real::RegisterRun>(*config, a.clients, a.keys,
                                                         a.pinned_readers, seed);
    }
    auto start = SteadyClock::now();
    if (!g_interrupted) {
        nemesis.Start(start);
        run->Run(duration, start, g_interrupted);
    }
    bool interrupted = g_interrupted;
    if (interrupted) {
        fmt::print(stderr, "orrery jepsen: interrupted after {:.1f}s; stopping the cluster\n",
                   std::chrono::duration<double>(SteadyClock::now() - start).count());
    }
    nemesis.StopAndHeal();
    cluster.StopNodes();

    for (const std::string& action : nemesis.actions()) fmt::print("nemesis {}\n", action);
    const jepsen_real::Counts& c = run->counts();
    std::vector<jepsen_real::NemesisEvent> events = nemesis.events();
    jepsen::History history = jepsen_real::WithNemesis(run->history(), events);
    fmt::print("ops: {} ok, {} fail, {} info ({} events, {} of them the nemesis's)\n", c.ok,
               c.fail, c.info, history.size(), events.size());
    fmt::print("nemesis: {} kills, {} partitions, {} pauses\n", nemesis.kills(),
               nemesis.partitions(), nemesis.pauses());
    {
        std::ofstream out(history_path);
        out << history.Render();
        out.close();
        if (!out) BadInput("cannot write the history to " + history_path);
    }
    jepsen::checker::SourceLines lines;
    auto report =
        jepsen::checker::CheckHistory(run->model(), history, lines, run->check_options());
    if (!report.ok()) BadInput("checker: " + report.status().ToString());
    fmt::print("checker ({}): {}\n", run->model(), report->text);
    int status = jepsen::checker::VerdictExitCode(report->verdict);
    if (interrupted && status != 1) status = kInterruptedExit;
    bool history_in_dir = Inside(history_path, dir);
    bool remove = status == 0 && !a.keep;
    // An explicit --history inside the directory is the user's file: keep it.
    if (remove && history_in_dir && !a.history.empty()) remove = false;
    std::string why = a.keep                                  ? "--keep"
                      : interrupted                           ? "interrupted"
                      : status != 0                           ? "the verdict is not valid"
                      : "--history names a file inside it";
    cluster.Finish(remove, why);
    if (std::filesystem::exists(history_path)) fmt::print("history: {}\n", history_path);
    std::fflush(stdout);
    return status;
}

void RunJepsen(const JepsenArgs& a) {
    jepsen_real::NemesisKinds kinds;
    auto [duration, interval] = Validate(a, &kinds);
    uint64_t seed = a.seed ? *a.seed : Random(static_cast<uint64_t>(
                                           SteadyClock::now().time_since_epoch().count())).Next();
    InterruptGuard interrupts;
    int status = 0;
    try {
        ClusterGuard cluster(MakeDir(a));
        status = RunInDir(a, cluster, kinds, duration, interval, seed);
    } catch (const CLI::Error&) {
        throw;
    } catch (const std::exception& e) {
        BadInput(e.what());
    }
    if (status != 0) throw CLI::RuntimeError(status);
}

}  // namespace

void Register_jepsen(CLI::App& app) {
    auto args = std::make_shared<JepsenArgs>();
    CLI::App* cmd = app.add_subcommand(
        "jepsen", "Jepsen-style test of a real localhost cluster: exit 0 valid, 1 invalid, "
                  "3 unknown, 2 bad input");
    cmd->add_flag("--real", args->real, "Run against real `orrery node` processes (required)");
    cmd->add_option("--workload", args->workload,
                    "Workload: register (default), bank, list-append or set; in the leaderless "
                    "mode register or lwt (the register workload at serial: CASPaxos)");
    cmd->add_option("--duration", args->duration, "How long clients run (default 60s)");
    cmd->add_option("--nemesis", args->nemesis,
                    "Faults: kill, partition, pause, comma-separated (default kill,partition), or none");
    cmd->add_option("--interval", args->interval,
                    "Nemesis period: fault for one interval, healthy for one (default 5s)");
    cmd->add_option("--nodes", args->nodes, "Nodes (default 5)")->check(CLI::Range(1, 9));
    cmd->add_option("--clients", args->clients, "Client processes (default 10)")
        ->check(CLI::Range(1, kMaxClients));
    cmd->add_option("--keys", args->keys,
                    "Register and list-append workloads: keys in use at a time (default 5)")
        ->check(CLI::Range(1u, 1000u));
    cmd->add_option("--pinned-readers", args->pinned_readers,
                    "Register workload: the first N clients only read, each from one fixed node, "
                    "and accept the answer of a node that claims to lead (default 0)")
        ->check(CLI::Range(0, kMaxClients));
    cmd->add_option("--dir", args->dir,
                    "Cluster directory (default: a fresh one in $TMPDIR); removed after a valid "
                    "run only if the run created it");
    cmd->add_option("--history", args->history, "History file (default DIR/history.jsonl)");
    cmd->add_flag("--keep", args->keep, "Keep the cluster directory even after a valid run");
    cmd->add_option("--bug", args->bugs,
                    "Run the nodes with a known protocol bug (repeatable; see `orrery node "
                    "--help`)");
    cmd->add_option("--engine", args->engine, "Storage engine of the nodes: lsm or memory");
    cmd->add_option("--mode", args->mode,
                    "raft (default) or leaderless: the cluster's replication (docs/16)")
        ->check(CLI::IsMember({"raft", "leaderless"}));
    cmd->add_option("--rf", args->rf, "Leaderless mode: replicas per key (default 3)");
    cmd->add_option("--consistency", args->consistency,
                    "Leaderless register workload: one, quorum (default) or all; cas needs "
                    "serial, so at these levels every cas fails (use --workload lwt)");
    cmd->add_option("--seed", args->seed, "Seed of the generators and nemesis (default: random)")
        ->check(SeedValidator());
    cmd->callback([args] { RunJepsen(*args); });
}

}  // namespace orrery::tools
