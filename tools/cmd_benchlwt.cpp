// `orrery bench lwt [--cluster]`: lightweight transactions (compare-and-set on CASPaxos) in the
// leaderless mode, with the one-round-trip optimisation on and off, next to plain QUORUM puts
// (issue 15). The phases, the clients and the figures are jepsen/runner/lwt_bench.h's; this
// file parses options and prints, and with --cluster runs the same clients over TCP.
//
// Without --cluster every phase runs in the simulator (five nodes, rf 3, links of 1-10 ms, no
// faults) and its latencies are virtual time: the same seed prints the same table, all but the
// wall-time column.
//
// With --cluster every phase gets a fresh real cluster (net::LocalCluster in the leaderless
// mode: `orrery cluster start --mode leaderless`, fsync on, the 1rtt-off phase with
// `--lwt-one-round-trip off`), waits until every node's gossip lists every node alive, warms
// up, measures, and stops the cluster. All clients are node::KvClients over net::TcpClient on
// one event-loop thread; latency is the steady clock. SIGINT and SIGTERM end the run early
// (exit 130) and the cluster is stopped on every path (LocalCluster's destructor covers early
// returns).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <signal.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jepsen/runner/lwt_bench.h"
#include "net/client_env.h"
#include "net/local_cluster.h"
#include "node/kv_client.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

using jepsen::runner::LwtPhase;
using jepsen::runner::LwtPhaseResult;

constexpr BadInputError BadInput{"bench lwt"};
constexpr auto kGossipPoll = std::chrono::milliseconds(200);
constexpr Duration kGossipTimeout = Duration::Seconds(30);
constexpr Duration kClusterAttemptTimeout = Duration::Millis(1000);  // Past the 500 ms request timeout.
constexpr Duration kClusterOpTimeout = Duration::Seconds(5);

struct BenchLwtArgs {
    jepsen::runner::LwtBenchOptions bench;
    std::string duration = "10s";
    std::string warmup = "1s";
    bool cluster = false;
    std::string dir;
    bool keep = false;
};

double SteadySeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string KeysText(uint32_t shared_keys) {
    return shared_keys == 0 ? "a key per client" : fmt::format("{} shared keys", shared_keys);
}

void RunSimulated(const jepsen::runner::LwtBenchOptions& o) {
    fmt::print("lwt bench (simulated): {} nodes, rf {}, {} clients, {}, {}s per phase after a {}s "
               "warm-up, links 1-10 ms, no faults, seed {}\n",
               o.nodes, o.rf, o.clients, KeysText(o.shared_keys),
               static_cast<double>(o.duration.us()) / 1e6,
               static_cast<double>(o.warmup.us()) / 1e6, o.seed);
    std::fflush(stdout);
    auto rows = jepsen::runner::RunLwtBench(o, SteadySeconds);
    if (!rows.ok()) {
        fmt::print(stderr, "orrery bench lwt: {}\n", rows.status().ToString());
        throw CLI::RuntimeError(1);
    }
    fmt::print("{}", jepsen::runner::RenderLwtTable(*rows, /*simulated=*/true));
}

// How many "alive" entries the nodes' gossip tables hold (nodes * nodes once converged).
int AliveEntries(net::LocalCluster& cluster) {
    std::string out = cluster.dir() + "/status.out";
    std::filesystem::remove(out);
    cluster.Run({"cluster", "status"}, out);
    std::ifstream in(out);
    int alive = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.find(" alive ") != std::string::npos) ++alive;
    }
    return alive;
}

// Polls `cluster status` until every node sees every node alive. Delivers signals meanwhile.
Status WaitForGossip(net::LocalCluster& cluster, int nodes, boost::asio::io_context& io,
                     const bool& interrupted) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(kGossipTimeout.us());
    while (std::chrono::steady_clock::now() < deadline) {
        io.restart();
        io.poll();
        if (interrupted) return Status::Aborted("interrupted");
        if (AliveEntries(cluster) == nodes * nodes) return Status::Ok();
        std::this_thread::sleep_for(kGossipPoll);
    }
    return Status::Timeout(fmt::format("gossip in {} did not list every node alive within {} s",
                                       cluster.dir(), kGossipTimeout.us() / 1000000));
}

// The phase's clients on the running cluster: warm-up, then the measured window.
LwtPhaseResult MeasureOnCluster(boost::asio::io_context& io, const net::ClusterConfig& config,
                                const BenchLwtArgs& a, LwtPhase phase, Duration warmup,
                                const bool& interrupted) {
    jepsen::runner::LwtRecorder recorder(phase);
    node::KvClientOptions kv;
    for (const auto& [id, addresses] : config.nodes) kv.servers.push_back(id);
    kv.attempt_timeout = kClusterAttemptTimeout;
    kv.op_timeout = kClusterOpTimeout;
    std::vector<std::unique_ptr<net::ClientEnv>> envs;
    std::vector<std::unique_ptr<jepsen::runner::LwtBenchClient>> clients;
    for (uint32_t i = 0; i < a.bench.clients; ++i) {
        net::ClientEnvOptions options;
        options.servers = config.ClientAddresses();
        options.name = fmt::format("bench-lwt{}", i);
        envs.push_back(std::make_unique<net::ClientEnv>(io, options));
        clients.push_back(std::make_unique<jepsen::runner::LwtBenchClient>(
            envs.back()->env(), kv, jepsen::runner::LwtClientConfig{phase, i, a.bench.shared_keys},
            recorder));
    }
    bool done = false;
    std::chrono::steady_clock::time_point begin, end;
    boost::asio::steady_timer timer(io, std::chrono::microseconds(warmup.us()));
    auto finish = [&] {
        if (done) return;
        recorder.End();
        end = std::chrono::steady_clock::now();
        done = true;
        for (auto& c : clients) c->Stop();
    };
    timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec) return;
        recorder.Begin();
        begin = std::chrono::steady_clock::now();
        timer.expires_after(std::chrono::microseconds(a.bench.duration.us()));
        timer.async_wait([&](const boost::system::error_code& e) {
            if (!e) finish();
        });
    });
    for (auto& c : clients) c->Start();
    net::RunUntil(io, [&] {
        if (interrupted) {
            if (begin == std::chrono::steady_clock::time_point{}) begin = std::chrono::steady_clock::now();
            finish();
            timer.cancel();
        }
        if (!done) return false;
        for (const auto& c : clients) {
            if (c->busy()) return false;
        }
        return true;
    });
    LwtPhaseResult r = std::move(recorder.result());
    r.window = Duration::Micros(
        std::chrono::duration_cast<std::chrono::microseconds>(end - begin).count());
    return r;
}

// One phase on a fresh cluster. Errors: the cluster did not start, converge or stop.
Result<LwtPhaseResult> RunClusterPhase(boost::asio::io_context& io, const BenchLwtArgs& a,
                                       LwtPhase phase, Duration warmup, const bool& interrupted) {
    net::LocalClusterOptions options;
    options.nodes = static_cast<int>(a.bench.nodes);
    options.mode = net::ClusterMode::kLeaderless;
    options.rf = a.bench.rf;
    options.consistency = "quorum";  // Unused: every request names its level.
    options.temp_prefix = "orrery-bench-lwt";
    if (!a.dir.empty()) {
        options.dir = fmt::format("{}/phase{}", a.dir, static_cast<int>(phase) + 1);
        // A fresh cluster per phase: old data there would carry an earlier run's Paxos state.
        if (std::filesystem::exists(options.dir + "/config.json")) {
            return Status::InvalidArgument(
                fmt::format("{} already holds a cluster; give --dir a new directory", options.dir));
        }
    }
    options.keep = a.keep;
    options.log_name = "cluster.log";  // `cluster start|status|stop` output, not the table's.
    bool one_round_trip = jepsen::runner::LwtPhaseOneRoundTrip(phase);
    options.start_args = {"--lwt-one-round-trip", one_round_trip ? "on" : "off"};
    if (!a.bench.engine.empty()) {
        options.start_args.insert(options.start_args.end(), {"--engine", a.bench.engine});
    }
    ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<net::LocalCluster> cluster,
                            net::LocalCluster::Create(options));
    ORRERY_RETURN_IF_ERROR(cluster->Start());
    fmt::print("{}: cluster in {}: up (lwt one-round-trip {})\n",
               jepsen::runner::LwtPhaseName(phase), cluster->dir(), one_round_trip ? "on" : "off");
    std::fflush(stdout);
    ORRERY_RETURN_IF_ERROR(WaitForGossip(*cluster, options.nodes, io, interrupted));
    LwtPhaseResult r = MeasureOnCluster(io, cluster->config(), a, phase, warmup, interrupted);
    ORRERY_RETURN_IF_ERROR(cluster->Stop());
    return r;
}

// Every phase on its own cluster. Returns the exit status: 0, 1 (a cluster failed), 130.
int RunOnClusters(const BenchLwtArgs& a, Duration warmup) {
    boost::asio::io_context io;
    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) { interrupted = !ec; });
    const jepsen::runner::LwtBenchOptions& o = a.bench;
    fmt::print("lwt bench (real cluster): {} nodes, rf {}, fsync on, {} clients, {}, {}s per phase "
               "after a {}s warm-up, a fresh cluster per phase\n",
               o.nodes, o.rf, o.clients, KeysText(o.shared_keys),
               static_cast<double>(o.duration.us()) / 1e6, static_cast<double>(warmup.us()) / 1e6);
    std::fflush(stdout);
    std::vector<LwtPhaseResult> rows;
    int status = 0;
    for (LwtPhase phase : o.phases) {
        if (interrupted) break;
        double start = SteadySeconds();
        Result<LwtPhaseResult> r = RunClusterPhase(io, a, phase, warmup, interrupted);
        if (!r.ok()) {
            if (!interrupted) {
                fmt::print(stderr, "orrery bench lwt: {}: {}\n", jepsen::runner::LwtPhaseName(phase),
                           r.status().ToString());
                status = 1;
            }
            break;
        }
        if (interrupted) break;  // A cut-short window is no figure.
        r->wall_seconds = SteadySeconds() - start;
        rows.push_back(std::move(*r));
    }
    if (!rows.empty()) fmt::print("{}", jepsen::runner::RenderLwtTable(rows, /*simulated=*/false));
    if (interrupted) {
        fmt::print(stderr, "orrery bench lwt: interrupted\n");
        return 130;
    }
    return status;
}

}  // namespace

void Register_benchlwt(CLI::App& app) {
    auto args = std::make_shared<BenchLwtArgs>();
    jepsen::runner::LwtBenchOptions& o = args->bench;
    CLI::App* cmd = BenchGroup(app)->add_subcommand(
        "lwt", "LWT (CASPaxos cas) ops/s and latency, one-round-trip on and off, vs QUORUM puts");
    cmd->add_flag("--cluster", args->cluster,
                  "Run on real localhost clusters (a fresh one per phase) instead of the simulator");
    cmd->add_option("--nodes", o.nodes, "Nodes (default 5)")->check(CLI::Range(1, 9));
    cmd->add_option("--rf", o.rf, "Replicas per key (default 3)");
    cmd->add_option("--clients", o.clients, "Closed-loop clients (default 16)");
    cmd->add_option("--keys", o.shared_keys,
                    "Shared keys every client picks from at random (default 0: a key per client)");
    cmd->add_option("--duration", args->duration, "Measured time per phase (default 10s)");
    cmd->add_option("--warmup", args->warmup, "Warm-up per phase before measuring (default 1s)");
    cmd->add_option("--seed", o.seed, "Simulator seed (default 1)")->check(SeedValidator());
    cmd->add_option("--trace", o.trace_prefix,
                    "Simulator: write phase N's trace to PREFIX-N.jsonl (orrery trace show)");
    cmd->add_option("--engine", o.engine, "Storage engine of the nodes: lsm or memory");
    cmd->add_option("--dir", args->dir, "--cluster: put the clusters in DIR/phaseN (kept)");
    cmd->add_flag("--keep", args->keep, "--cluster: keep the temporary directories (logs, data)");
    cmd->callback([args] {
        std::optional<Duration> duration = ParseDuration(args->duration);
        std::optional<Duration> warmup = ParseDuration(args->warmup);
        if (!duration || *duration <= Duration(0)) BadInput("bad --duration " + args->duration);
        if (!warmup || *warmup < Duration(0)) BadInput("bad --warmup " + args->warmup);
        args->bench.duration = *duration;
        args->bench.warmup = *warmup;
        if (Status valid = jepsen::runner::ValidateLwtBench(args->bench); !valid.ok()) {
            BadInput(std::string(valid.message()));
        }
        if (!args->cluster) {
            if (!args->dir.empty() || args->keep) BadInput("--dir and --keep go with --cluster");
        } else if (!args->bench.trace_prefix.empty()) {
            BadInput("--trace is the simulator's (a real node writes its own: orrery cluster start --trace)");
        }
        if (!args->cluster) {
            return RunSimulated(args->bench);
        }
        int status = RunOnClusters(*args, *warmup);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace orrery::tools
