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
// Operations that end in fail or info are counted and reported, never in the ok rate.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "net/local_cluster.h"
#include "node/kv_client.h"
#include "storage/posix/fsync_probe.h"
#include "storage/posix/posix_disk.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr int kMaxClients = 1024;
constexpr size_t kValueBytes = 100;
constexpr int kFsyncSamples = 200;

struct BenchClusterArgs {
    int nodes = 5;
    int clients = 64;
    std::string duration = "20s";
    std::string dir;
    std::string engine;
    bool keep = false;
    bool skip_reads = false;
    bool trace = false;
    bool no_group_commit = false;
};

constexpr BadInputError BadInput{"bench cluster"};

using SteadyClock = std::chrono::steady_clock;

// The figures of one phase.
struct PhaseResult {
    uint64_t ok = 0;
    uint64_t fail = 0;
    uint64_t info = 0;
    std::vector<int64_t> latencies_us;  // Of ok operations.
    double seconds = 0;
};

// One closed-loop client of a phase.
struct BenchClient {
    std::unique_ptr<net::ClientEnv> env;
    std::unique_ptr<node::KvClient> kv;
    uint64_t next_key = 0;
    std::vector<std::string> written;  // Keys acknowledged in the write phase.
};

class ClusterBench {
public:
    ClusterBench(const net::ClusterConfig& config, int clients) {
        std::vector<NodeId> servers;
        for (const auto& [id, addresses] : config.nodes) servers.push_back(id);
        for (int i = 0; i < clients; ++i) {
            auto c = std::make_unique<BenchClient>();
            net::ClientEnvOptions options;
            options.servers = config.ClientAddresses();
            options.name = fmt::format("bench{}", i);
            c->env = std::make_unique<net::ClientEnv>(io_, options);
            node::KvClientOptions kv_options;
            kv_options.servers = servers;
            kv_options.op_timeout = Duration::Seconds(5);
            c->kv = std::make_unique<node::KvClient>(c->env->env(), kv_options);
            clients_.push_back(std::move(c));
        }
    }

    // Runs one phase for `duration`; writes if `write`, else reads of keys written before.
    PhaseResult Run(bool write, Duration duration) {
        PhaseResult result;
        running_ = true;
        boost::asio::steady_timer stop(io_, std::chrono::microseconds(duration.us()));
        stop.async_wait([this](const boost::system::error_code&) { running_ = false; });
        auto start = SteadyClock::now();
        for (size_t i = 0; i < clients_.size(); ++i) Next(i, write, &result);
        net::RunUntil(io_, [&] { return !running_ && Idle(); });
        result.seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
        return result;
    }

private:
    bool Idle() const {
        for (const auto& c : clients_) {
            if (c->kv->busy()) return false;
        }
        return true;
    }

    void Next(size_t i, bool write, PhaseResult* result) {
        if (!running_) return;
        BenchClient& c = *clients_[i];
        std::string key = write || c.written.empty()
                              ? fmt::format("bench/{:03}/{:08}", i, c.next_key)
                              : c.written[c.next_key % c.written.size()];
        ++c.next_key;
        auto begin = SteadyClock::now();
        auto done = [this, i, write, result, begin, key](const node::KvOutcome& o) {
            Record(write ? &clients_[i]->written : nullptr, key, o, SteadyClock::now() - begin,
                   result);
            Next(i, write, result);
        };
        if (write) {
            c.kv->Put(key, std::string(kValueBytes, static_cast<char>('a' + i % 26)), done);
        } else {
            c.kv->Get(key, done);
        }
    }

    static void Record(std::vector<std::string>* written, const std::string& key,
                       const node::KvOutcome& o, SteadyClock::duration took, PhaseResult* result) {
        using Type = node::KvOutcome::Type;
        if (o.type != Type::kOk) {
            ++(o.type == Type::kFail ? result->fail : result->info);
            return;
        }
        ++result->ok;
        result->latencies_us.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        if (written != nullptr) written->push_back(key);
    }

    boost::asio::io_context io_;
    std::vector<std::unique_ptr<BenchClient>> clients_;
    bool running_ = false;
};

double Percentile(std::vector<int64_t>& v, double p) {
    if (v.empty()) return 0;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

void PrintPhase(const char* name, PhaseResult r) {
    double max_ms = r.latencies_us.empty()
                        ? 0
                        : static_cast<double>(*std::max_element(r.latencies_us.begin(),
                                                                r.latencies_us.end())) / 1000.0;
    fmt::print("{:<7} {:>9.0f} ops/s  ok={} fail={} info={}  latency p50={:.2f}ms p99={:.2f}ms "
               "max={:.2f}ms\n",
               name, static_cast<double>(r.ok) / r.seconds, r.ok, r.fail, r.info,
               Percentile(r.latencies_us, 0.50), Percentile(r.latencies_us, 0.99), max_ms);
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

void RunBench(const BenchClusterArgs& a) {
    std::optional<Duration> duration = ParseDuration(a.duration);
    if (!duration || *duration <= Duration(0)) BadInput("bad --duration " + a.duration);
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
    if (up.ok()) up = (*cluster)->WaitForLeader(Duration::Seconds(20));
    if (!up.ok()) {
        fmt::print(stderr, "orrery bench cluster: the cluster did not start: {}\n", up.ToString());
        throw CLI::RuntimeError(1);  // The destructor stops whatever started.
    }
    PrintFsync(dir);
    {
        ClusterBench bench((*cluster)->config(), a.clients);
        bench.Run(/*write=*/true, Duration::Seconds(1));  // Warm-up: elect, connect, fill caches.
        PrintPhase("writes", bench.Run(/*write=*/true, *duration));
        std::fflush(stdout);
        if (!a.skip_reads) PrintPhase("reads", bench.Run(/*write=*/false, *duration));
    }
    PrintFsync(dir);
    (*cluster)->Stop().IgnoreError();
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
    cmd->callback([args] { RunBench(*args); });
}

}  // namespace orrery::tools
