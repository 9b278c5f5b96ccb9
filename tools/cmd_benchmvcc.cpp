// `orrery bench mvcc`: transactions per second and abort rates of MVCC mixes on one node, or
// with --cluster on a simulated Raft cluster of five nodes. The workloads live in mvcc/bench.h
// and jepsen/runner/txn_bench.h; this file parses options, builds the engine, supplies the
// steady clock and prints the figures.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <string>

#include "core/random.h"
#include "jepsen/runner/txn_bench.h"
#include "mvcc/bench.h"
#include "sim/sim_disk.h"
#include "storage/btree/btree_engine.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/memory_engine.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr BadInputError BadInput{"bench mvcc"};

int64_t SteadyNowUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// An engine plus the in-memory disk it lives on (lsm and btree need a Disk; the simulator's
// fault-free SimDisk keeps the figure about MVCC and the engine, not the file system).
class OwnedEngine final : public storage::Engine {
public:
    static Result<std::unique_ptr<storage::Engine>> Make(const std::string& kind, uint64_t seed) {
        auto owned = std::unique_ptr<OwnedEngine>(new OwnedEngine());
        if (kind == "memory") {
            owned->engine_ = std::make_unique<storage::MemoryEngine>();
        } else {
            owned->disk_ = std::make_unique<sim::SimDisk>(Random(seed));
            if (kind == "lsm") {
                ORRERY_ASSIGN_OR_RETURN(owned->engine_, storage::LsmEngine::Open(*owned->disk_));
            } else {
                ORRERY_ASSIGN_OR_RETURN(owned->engine_, storage::BTreeEngine::Open(*owned->disk_));
            }
        }
        return std::unique_ptr<storage::Engine>(std::move(owned));
    }
    ~OwnedEngine() override { engine_.reset(); }

    Result<std::string> Get(std::string_view key) override { return engine_->Get(key); }
    Status Write(const storage::WriteBatch& batch, bool sync) override {
        return engine_->Write(batch, sync);
    }
    std::unique_ptr<storage::Iterator> Scan(const storage::ScanOptions& opts) override {
        return engine_->Scan(opts);
    }
    Status Sync() override { return engine_->Sync(); }
    storage::EngineStatus GetStatus() override { return engine_->GetStatus(); }

private:
    OwnedEngine() = default;
    std::unique_ptr<sim::SimDisk> disk_;
    std::unique_ptr<storage::Engine> engine_;
};

void RunBench(const mvcc::MvccBenchOptions& opts, const std::string& engine_kind) {
    if (Status valid = mvcc::ValidateMvccBench(opts); !valid.ok()) {
        BadInput(valid.message());
    }
    fmt::print("mvcc bench: engine={} txns={} concurrency={} keys={} ops/txn={} gc-every={} "
               "seed={}\n",
               engine_kind, opts.txns, opts.concurrency, opts.keys, opts.ops_per_txn,
               opts.gc_every, opts.seed);
    auto results = mvcc::RunMvccBench(
        [&] { return OwnedEngine::Make(engine_kind, opts.seed); }, opts, SteadyNowUs);
    if (!results.ok()) {
        fmt::print(stderr, "orrery bench mvcc: {}\n", results.status().ToString());
        throw CLI::RuntimeError(1);
    }
    fmt::print("{:<13} {:>10} {:>9} {:>9} {:>8} {:>8} {:>11} {:>10}\n", "mix", "commits/s",
               "commits", "aborts", "abort%", "gave-up", "log-entries", "bytes/ent");
    for (const auto& r : *results) {
        double seconds = static_cast<double>(std::max<int64_t>(r.elapsed_us, 1)) / 1e6;
        uint64_t attempts = r.committed + r.aborted;
        fmt::print(
            "{:<13} {:>10.0f} {:>9} {:>9} {:>7.2f}% {:>8} {:>11} {:>10.1f}\n", r.mix,
            static_cast<double>(r.committed) / seconds, r.committed, r.aborted,
            attempts ? 100.0 * static_cast<double>(r.aborted) / static_cast<double>(attempts) : 0.0,
            r.gave_up, r.log_entries,
            r.log_entries ? static_cast<double>(r.log_bytes) / static_cast<double>(r.log_entries)
                          : 0.0);
    }
}

void RunClusterBench(const jepsen::runner::ClusterTxnBenchOptions& o) {
    if (Status valid = jepsen::runner::ValidateClusterTxnBench(o); !valid.ok()) {
        BadInput(valid.message());
    }
    fmt::print("mvcc cluster bench: nodes={} clients={} engine={} keys={} ops/txn={} "
               "duration={}s (simulated, per mix) seed={}\n",
               o.nodes, o.clients, o.engine, o.keys, o.ops_per_txn,
               static_cast<double>(o.duration.us()) / 1e6, o.seed);
    int64_t start = SteadyNowUs();
    auto results = jepsen::runner::RunClusterTxnBench(o);
    double wall = static_cast<double>(SteadyNowUs() - start) / 1e6;
    if (!results.ok()) {
        fmt::print(stderr, "orrery bench mvcc: {}\n", results.status().ToString());
        throw CLI::RuntimeError(1);
    }
    fmt::print("{:<11} {:>13} {:>9} {:>9} {:>8} {:>8} {:>7} {:>12}\n", "mix", "commits/sim-s",
               "commits", "aborts", "abort%", "gave-up", "other", "entries/txn");
    for (const auto& r : *results) {
        double seconds = static_cast<double>(r.simulated.us()) / 1e6;
        uint64_t attempts = r.committed + r.aborted;
        fmt::print("{:<11} {:>13.0f} {:>9} {:>9} {:>7.2f}% {:>8} {:>7} {:>12.3f}\n", r.mix,
                   static_cast<double>(r.committed) / seconds, r.committed, r.aborted,
                   attempts ? 100.0 * static_cast<double>(r.aborted) / static_cast<double>(attempts)
                            : 0.0,
                   r.gave_up, r.other_failed,
                   attempts ? static_cast<double>(r.log_entries) / static_cast<double>(attempts)
                            : 0.0);
    }
    fmt::print("wall: {:.2f}s for all mixes\n", wall);
}

}  // namespace

void Register_benchmvcc(CLI::App& app) {
    auto* cmd = BenchGroup(app)->add_subcommand(
        "mvcc", "MVCC transactions/s and abort rates (read-only, write-only, bank) on one node");
    auto opts = std::make_shared<mvcc::MvccBenchOptions>();
    auto engine = std::make_shared<std::string>("memory");
    cmd->add_option("--mix", opts->mix, fmt::format("all, or one of: {}", mvcc::kMvccBenchMixes))
        ->capture_default_str();
    cmd->add_option("--engine", *engine, "Storage engine")
        ->check(CLI::IsMember({"memory", "lsm", "btree"}))->capture_default_str();
    cmd->add_option("--txns", opts->txns, "Transactions per mix")->capture_default_str();
    cmd->add_option("--concurrency", opts->concurrency, "Transactions open at once")
        ->capture_default_str();
    cmd->add_option("--keys", opts->keys, "Key space (bank: accounts)")->capture_default_str();
    cmd->add_option("--ops", opts->ops_per_txn, "Reads or writes per read-only/write-only txn")
        ->capture_default_str();
    cmd->add_option("--gc-every", opts->gc_every, "Collect garbage every N finished txns")
        ->capture_default_str();
    cmd->add_option("--seed", opts->seed, "Scheduler and workload seed")->capture_default_str();
    auto cluster = std::make_shared<bool>(false);
    auto copts = std::make_shared<jepsen::runner::ClusterTxnBenchOptions>();
    auto duration = std::make_shared<std::string>("10s");
    cmd->add_flag("--cluster", *cluster,
                  "Run on a simulated Raft cluster (TxnClient -> KvServer) instead of one node");
    cmd->add_option("--nodes", copts->nodes, "--cluster: servers")->capture_default_str();
    cmd->add_option("--clients", copts->clients, "--cluster: client processes")
        ->capture_default_str();
    cmd->add_option("--duration", *duration, "--cluster: simulated time per mix")
        ->capture_default_str();
    cmd->callback([opts, engine, cluster, copts, duration] {
        if (!*cluster) return RunBench(*opts, *engine);
        auto d = ParseDuration(*duration);
        if (!d) {
            BadInput(fmt::format("bad --duration '{}'", *duration));
        }
        jepsen::runner::ClusterTxnBenchOptions o = *copts;
        o.duration = *d;
        o.mix = opts->mix;
        o.keys = opts->keys == mvcc::MvccBenchOptions{}.keys ? o.keys : opts->keys;
        o.ops_per_txn = opts->ops_per_txn;
        o.seed = opts->seed;
        if (*engine == "btree") {
            BadInput("--cluster runs memory or lsm engines");
        }
        o.engine = *engine;
        RunClusterBench(o);
    });
}

}  // namespace orrery::tools
