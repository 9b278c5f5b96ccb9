// `orrery bench cluster --nodes 5 --clients 64 --duration 20s`: throughput and latency of a real
// localhost cluster, with fsync on, next to the disk's own fsync latency measured in the same run.
//
// What it does, in order:
//   1. writes a cluster config on free localhost ports into a fresh directory (or --dir) and
//      starts the nodes with `orrery cluster start` (this binary, through net::LocalCluster),
//      each node fsyncing its Raft log and engine through storage/posix's PosixDisk;
//   2. times 200 append+fsync pairs of 4 KiB in the same directory (MeasureFsyncLatency);
//   3. write phase: --clients closed-loop clients, each a node::KvClient over net::TcpClient
//      (the client every other tool runs), put 100-byte values to fresh keys for --duration;
//   4. read phase: the same clients get random keys written in phase 3 (linearizable reads:
//      ReadIndex at the leader) for --duration;
//   5. prints ops/s and p50/p99/max latency per phase, then stops the cluster.
// All clients share one event-loop thread; a client submits its next operation from the
// completion of the previous one. Latency is measured from Submit to outcome on the steady clock.
// Operations that end in fail or info are counted and reported, never in the ok rate; a read
// counts as ok only if it returned the value written (tools/bench_cluster_load.h).
//
// --compare etcd then measures etcd the same way, one system at a time so that neither shares
// the machine with the other's idle cluster: once Orrery's nodes are stopped it starts a
// five-member etcd (net/etcd_cluster.h: Debian's etcd-server, static --initial-cluster on loopback,
// etcd's default fsync of its WAL on every commit) in <dir>/etcd, waits until every member is
// healthy, runs the same warm-up and phases with the same clients, keys and values through etcd's
// JSON gateway (tools/bench_cluster_etcd.h), prints the fsync probe again and one table of both
// systems per phase with the ratio of their ops/s.
//
// SIGINT, SIGTERM and SIGHUP end the run early: the phase under way stops, every process started
// (Orrery's nodes, etcd's members) is stopped, and the command exits 130.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "net/etcd_cluster.h"
#include "net/local_cluster.h"
#include "node/kv_client.h"
#include "storage/posix/fsync_probe.h"
#include "storage/posix/posix_disk.h"
#include "tools/bench_cluster_etcd.h"
#include "tools/bench_cluster_load.h"
#include "tools/cli_util.h"
#include "tools/interrupt_guard.h"

namespace orrery::tools {
namespace {

using benchcluster::ClosedLoad;
using benchcluster::LoadClient;
using benchcluster::OpOutcome;
using benchcluster::OpResult;
using benchcluster::PhaseResult;

constexpr int kMaxClients = 1024;
constexpr int kFsyncSamples = 200;
constexpr int kInterruptedExit = 130;
constexpr auto kOpTimeout = std::chrono::seconds(5);
constexpr Duration kEtcdHealthTimeout = Duration::Seconds(30);

struct BenchClusterArgs {
    int nodes = 5;
    int clients = 64;
    std::string duration = "20s";
    std::string dir;
    std::string engine;
    std::string compare;
    std::string etcd_binary;
    bool keep = false;
    bool skip_reads = false;
    bool trace = false;
    bool no_group_commit = false;
};

constexpr BadInputError BadInput{"bench cluster"};

// An Orrery client: node::KvClient over net::TcpClient, the client every other tool runs.
class OrreryLoadClient final : public LoadClient {
public:
    OrreryLoadClient(boost::asio::io_context& io, const net::ClusterConfig& config, size_t i) {
        std::vector<NodeId> servers;
        for (const auto& [id, addresses] : config.nodes) servers.push_back(id);
        net::ClientEnvOptions options;
        options.servers = config.ClientAddresses();
        options.name = fmt::format("bench{}", i);
        env_ = std::make_unique<net::ClientEnv>(io, options);
        node::KvClientOptions kv_options;
        kv_options.servers = servers;
        kv_options.op_timeout = Duration::Seconds(kOpTimeout.count());
        kv_ = std::make_unique<node::KvClient>(env_->env(), kv_options);
    }

    void Put(const std::string& key, const std::string& value, Done done) override {
        kv_->Put(key, value,
                 [done = std::move(done)](const node::KvOutcome& o) { done(Judge(o)); });
    }

    void Get(const std::string& key, const std::string& expected, Done done) override {
        kv_->Get(key, [expected, done = std::move(done)](const node::KvOutcome& o) {
            OpResult r = Judge(o);
            bool written = o.code == node::ReplyCode::kOk && o.value == expected;
            if (r.outcome == OpOutcome::kOk && !written) {
                r = {OpOutcome::kFail, fmt::format("read returned {} ({} bytes), not the value "
                                                   "written", o.code == node::ReplyCode::kOk
                                                                  ? "a value" : "no value",
                                                   o.value.size())};
            }
            done(r);
        });
    }

    bool busy() const override { return kv_->busy(); }

private:
    static OpResult Judge(const node::KvOutcome& o) {
        using Type = node::KvOutcome::Type;
        if (o.type == Type::kOk) return {OpOutcome::kOk, ""};
        return {o.type == Type::kFail ? OpOutcome::kFail : OpOutcome::kInfo, o.error};
    }

    std::unique_ptr<net::ClientEnv> env_;
    std::unique_ptr<node::KvClient> kv_;
};

// The figures of a phase as printed: its percentiles computed once.
struct PhaseSummary {
    double ops_per_second = 0;
    uint64_t ok = 0, fail = 0, info = 0;
    double p50_ms = 0, p99_ms = 0, max_ms = 0;
    std::string first_error;
};

PhaseSummary Summarize(PhaseResult r) {
    PhaseSummary s;
    s.ops_per_second = r.ops_per_second();
    s.ok = r.ok;
    s.fail = r.fail;
    s.info = r.info;
    s.max_ms = r.latencies_us.empty()
                   ? 0
                   : static_cast<double>(*std::max_element(r.latencies_us.begin(),
                                                           r.latencies_us.end())) / 1000.0;
    s.p50_ms = benchcluster::Percentile(r.latencies_us, 0.50);
    s.p99_ms = benchcluster::Percentile(r.latencies_us, 0.99);
    s.first_error = r.first_error;
    return s;
}

PhaseSummary PrintPhase(const char* name, PhaseResult r) {
    PhaseSummary s = Summarize(std::move(r));
    fmt::print("{:<7} {:>9.0f} ops/s  ok={} fail={} info={}  latency p50={:.2f}ms p99={:.2f}ms "
               "max={:.2f}ms\n",
               name, s.ops_per_second, s.ok, s.fail, s.info, s.p50_ms, s.p99_ms, s.max_ms);
    return s;
}

// The phases of one system: writes, then reads unless skipped.
struct SystemResult {
    std::optional<PhaseSummary> writes;
    std::optional<PhaseSummary> reads;
};

// The warm-up and the phases, printed with `prefix` ("" for Orrery, as the bench always printed),
// stopping early when interrupted; `print_errors` adds the first error of a phase that had one.
SystemResult RunPhases(const std::string& prefix, ClosedLoad& load, Duration duration,
                       bool skip_reads, bool print_errors) {
    SystemResult out;
    load.Run(/*write=*/true, Duration::Seconds(1));  // Warm-up: elect, connect, fill caches.
    if (g_interrupted) return out;
    PhaseResult writes = load.Run(/*write=*/true, duration);
    std::string first_write_error = writes.first_error;
    out.writes = PrintPhase((prefix + "writes").c_str(), std::move(writes));
    if (print_errors && !first_write_error.empty()) {
        fmt::print("{}first write not ok: {}\n", prefix, first_write_error);
    }
    std::fflush(stdout);
    if (skip_reads || g_interrupted) return out;
    PhaseResult reads = load.Run(/*write=*/false, duration);
    std::string first_read_error = reads.first_error;
    out.reads = PrintPhase((prefix + "reads").c_str(), std::move(reads));
    if (print_errors && !first_read_error.empty()) {
        fmt::print("{}first read not ok: {}\n", prefix, first_read_error);
    }
    std::fflush(stdout);
    return out;
}

void PrintFsync(const std::string& dir) {
    auto disk = storage::PosixDisk::Open(dir + "/fsync-probe", /*create_if_missing=*/true);
    if (!disk.ok()) return fmt::print("fsync probe: {}\n", disk.status().ToString());
    auto f = storage::MeasureFsyncLatency(**disk, kFsyncSamples, 4096);
    if (!f.ok()) return fmt::print("fsync probe: {}\n", f.status().ToString());
    fmt::print("fsync   4 KiB append+fsync on {}: p50={:.2f}ms p99={:.2f}ms mean={:.2f}ms ({} "
               "samples)\n",
               dir, f->median.ms(), f->p99.ms(), f->mean.ms(), f->samples);
}

// "1,234" style for the table.
std::string Ops(double ops_per_second) {
    std::string digits = fmt::format("{:.0f}", ops_per_second);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
        out.push_back(digits[i]);
    }
    return out;
}

// The side-by-side table of --compare etcd, in Markdown so that it pastes into the docs.
void PrintComparison(const SystemResult& orrery, const SystemResult& etcd) {
    fmt::print("\n| phase | orrery ops/s | p50 ms | p99 ms | fail/info | etcd ops/s | p50 ms | "
               "p99 ms | fail/info | orrery/etcd ops/s |\n");
    fmt::print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    auto row = [](const char* name, const std::optional<PhaseSummary>& o,
                  const std::optional<PhaseSummary>& e) {
        if (!o || !e) return;
        std::string ratio = e->ops_per_second > 0
                                ? fmt::format("{:.2f}x", o->ops_per_second / e->ops_per_second)
                                : "-";
        fmt::print("| {} | {} | {:.2f} | {:.2f} | {}/{} | {} | {:.2f} | {:.2f} | {}/{} | {} |\n",
                   name, Ops(o->ops_per_second), o->p50_ms, o->p99_ms, o->fail, o->info,
                   Ops(e->ops_per_second), e->p50_ms, e->p99_ms, e->fail, e->info, ratio);
    };
    row("writes", orrery.writes, etcd.writes);
    row("reads", orrery.reads, etcd.reads);
}

// Starts etcd in <dir>/etcd, runs the same phases against it, stops it. Exits 1 (the
// destructor stops the members) if it did not come up.
SystemResult RunEtcd(const BenchClusterArgs& a, const std::string& dir, Duration duration) {
    net::EtcdClusterOptions options;
    options.members = a.nodes;
    options.dir = dir + "/etcd";
    options.binary = a.etcd_binary;
    auto etcd = net::EtcdCluster::Create(options);
    if (!etcd.ok()) {
        fmt::print(stderr, "orrery bench cluster: etcd: {}\n", etcd.status().ToString());
        throw CLI::RuntimeError(1);
    }
    fmt::print("etcd: {} members in {} ({}, {}; fsync of its WAL on every commit, etcd's "
               "default), driven through its JSON gateway over HTTP/1.1, not gRPC\n",
               a.nodes, options.dir, (*etcd)->version(), (*etcd)->binary());
    std::fflush(stdout);
    Status up = (*etcd)->Start();
    if (up.ok()) up = (*etcd)->WaitHealthy(kEtcdHealthTimeout, &g_interrupted);
    if (!up.ok()) {
        if (g_interrupted) return {};
        fmt::print(stderr, "orrery bench cluster: etcd did not start: {}\n", up.ToString());
        throw CLI::RuntimeError(1);
    }
    SystemResult result;
    {
        boost::asio::io_context io;
        std::vector<std::unique_ptr<LoadClient>> clients;
        const auto& members = (*etcd)->client_addresses();
        for (int i = 0; i < a.clients; ++i) {  // Spread over the members, one connection each.
            auto member = net::ParseHostPort(members[static_cast<size_t>(i) % members.size()]);
            ORRERY_ASSERT(member.ok());
            clients.push_back(
                std::make_unique<benchcluster::EtcdLoadClient>(io, *member, kOpTimeout));
        }
        ClosedLoad load(io, std::move(clients), g_interrupted);
        result = RunPhases("etcd ", load, duration, a.skip_reads, /*print_errors=*/true);
    }
    PrintFsync(dir);
    Status stopped = (*etcd)->Stop();
    if (!stopped.ok()) fmt::print(stderr, "orrery bench cluster: etcd: {}\n", stopped.ToString());
    return result;
}

void RunBench(const BenchClusterArgs& a) {
    std::optional<Duration> duration = ParseDuration(a.duration);
    if (!duration || *duration <= Duration(0)) BadInput("bad --duration " + a.duration);
    bool compare = !a.compare.empty();
    if (compare && a.compare != "etcd") BadInput("--compare knows only etcd, not " + a.compare);
    if (compare && a.etcd_binary.empty() && net::FindOnPath("etcd").empty()) {
        BadInput("--compare etcd: no etcd on PATH (Debian: apt-get install etcd-server, or "
                 "ORRERY_ETCD=1 scripts/deps.sh)");
    }
    InterruptGuard interrupts;  // The nodes and members run in their own sessions: stop them.
    net::LocalClusterOptions options;
    options.nodes = a.nodes;
    options.dir = a.dir;
    options.temp_prefix = "orrery-bench";
    options.keep = a.keep;
    if (!a.engine.empty()) options.start_args.insert(options.start_args.end(), {"--engine", a.engine});
    if (a.trace) options.start_args.push_back("--trace");
    if (a.no_group_commit) options.start_args.push_back("--no-group-commit");
    auto cluster = net::LocalCluster::Create(options);
    if (!cluster.ok()) BadInput(cluster.status().ToString());
    const std::string& dir = (*cluster)->dir();
    fmt::print("cluster: {} nodes in {} (fsync on, group commit {}), {} clients, {} per phase\n",
               a.nodes, dir, a.no_group_commit ? "off" : "on", a.clients, a.duration);
    std::fflush(stdout);
    Status up = (*cluster)->Start();
    if (up.ok() && !g_interrupted) up = (*cluster)->WaitForLeader(Duration::Seconds(20));
    if (!up.ok() && !g_interrupted) {
        fmt::print(stderr, "orrery bench cluster: the cluster did not start: {}\n", up.ToString());
        throw CLI::RuntimeError(1);  // The destructor stops whatever started.
    }
    SystemResult orrery;
    if (!g_interrupted) {
        PrintFsync(dir);
        boost::asio::io_context io;
        std::vector<std::unique_ptr<LoadClient>> clients;
        for (int i = 0; i < a.clients; ++i) {
            clients.push_back(std::make_unique<OrreryLoadClient>(io, (*cluster)->config(),
                                                                 static_cast<size_t>(i)));
        }
        ClosedLoad load(io, std::move(clients), g_interrupted);
        orrery = RunPhases("", load, *duration, a.skip_reads, /*print_errors=*/compare);
    }
    if (!g_interrupted) PrintFsync(dir);
    (*cluster)->Stop().IgnoreError();
    if (compare && !g_interrupted) {
        SystemResult etcd = RunEtcd(a, dir, *duration);
        if (!g_interrupted) PrintComparison(orrery, etcd);
    }
    if (g_interrupted) {
        fmt::print(stderr, "orrery bench cluster: interrupted; every process it started is "
                           "stopped\n");
        throw CLI::RuntimeError(kInterruptedExit);
    }
}

}  // namespace

void Register_benchcluster(CLI::App& app) {
    auto args = std::make_shared<BenchClusterArgs>();
    CLI::App* cmd = BenchGroup(app)->add_subcommand(
        "cluster", "Writes/s, reads/s and latency of a real localhost cluster (fsync on)");
    cmd->add_option("--nodes", args->nodes, "Nodes (default 5)")->check(CLI::Range(1, 9));
    cmd->add_option("--clients", args->clients, "Concurrent closed-loop clients (default 64)")
        ->check(CLI::Range(1, kMaxClients));
    cmd->add_option("--duration", args->duration, "Length of each phase (default 20s)");
    cmd->add_option("--dir", args->dir, "Cluster directory (default: a fresh temporary one)");
    cmd->add_option("--engine", args->engine, "Storage engine of the nodes: lsm or memory");
    cmd->add_flag("--keep", args->keep, "Keep the temporary directory (logs, data)");
    cmd->add_flag("--skip-reads", args->skip_reads, "Run only the write phase");
    cmd->add_flag("--no-group-commit", args->no_group_commit,
                  "Nodes persist after every input, as before group commit (for comparison)");
    cmd->add_flag("--trace", args->trace, "Nodes write traces (nN.jsonl; slower; use --keep)");
    cmd->add_option("--compare", args->compare,
                    "Then run the same load against a peer on loopback: etcd (Debian's "
                    "etcd-server, as many members as --nodes, through its JSON gateway)");
    cmd->add_option("--etcd-binary", args->etcd_binary,
                    "The etcd executable (default: etcd on PATH)");
    cmd->callback([args] { RunBench(*args); });
}

}  // namespace orrery::tools
