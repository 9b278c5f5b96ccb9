// `orrery bench storage`: runs one db_bench-style workload (storage/lsm/bench.h) against an
// engine on the real POSIX disk and prints ops/s, µs/op and write amplification. With
// --compare leveldb (when built with LevelDB) it runs the same workload on LevelDB in the same
// process, configured like our LSM (no compression, 10-bit Bloom filters, same memtable and
// block cache sizes), and prints both with the ratio.
//
// This is real-world code: it reads the steady clock and /proc/self/io (LevelDB's bytes written
// are measured as the write(2) bytes of the process, since LevelDB does not count them itself).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>

#include "cli_util.h"
#include "storage/lsm/bench.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/memory_engine.h"
#include "storage/posix/posix_disk.h"
#ifdef ORRERY_HAVE_BTREE_ENGINE
#include "storage/btree/btree_engine.h"
#endif
#ifdef ORRERY_HAVE_LEVELDB
#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>
#endif

namespace orrery::tools {
namespace {

constexpr BadInputError BadInput{"bench storage"};

using storage::Engine;
using storage::StorageBenchOptions;
using storage::StorageBenchResult;

struct BenchArgs {
    std::string engine = "lsm";
    std::string dir;
    std::string compare;
    StorageBenchOptions bench;
};

int64_t SteadyNowUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Bytes this process has passed to write(2) and friends ("wchar" in /proc/self/io).
uint64_t ProcessWriteBytes() {
    std::ifstream in("/proc/self/io");
    std::string name;
    uint64_t value = 0;
    while (in >> name >> value) {
        if (name == "wchar:") return value;
    }
    return 0;
}

#ifdef ORRERY_HAVE_LEVELDB
// LevelDB behind the Engine interface, only as far as the benchmark needs.
class LevelDbEngine final : public Engine {
public:
    static Result<std::unique_ptr<LevelDbEngine>> Open(const std::string& dir) {
        auto e = std::unique_ptr<LevelDbEngine>(new LevelDbEngine());
        storage::LsmOptions ours;
        e->cache_.reset(leveldb::NewLRUCache(ours.block_cache_bytes));
        e->filter_.reset(leveldb::NewBloomFilterPolicy(ours.table.bloom_bits_per_key));
        leveldb::Options o;
        o.create_if_missing = true;
        o.compression = leveldb::kNoCompression;
        o.write_buffer_size = ours.memtable_bytes;
        o.block_size = ours.table.block_bytes;
        o.block_cache = e->cache_.get();
        o.filter_policy = e->filter_.get();
        leveldb::DB* db = nullptr;
        leveldb::Status s = leveldb::DB::Open(o, dir, &db);
        if (!s.ok()) return Status::IOError("leveldb: " + s.ToString());
        e->db_.reset(db);
        e->wchar_at_open_ = ProcessWriteBytes();
        return e;
    }

    Result<std::string> Get(std::string_view key) override {
        std::string value;
        leveldb::Status s = db_->Get({}, leveldb::Slice(key.data(), key.size()), &value);
        if (s.IsNotFound()) return Status::NotFound("key not found");
        if (!s.ok()) return Status::IOError("leveldb: " + s.ToString());
        return value;
    }
    Status Write(const storage::WriteBatch& batch, bool sync) override {
        leveldb::WriteBatch b;
        for (const auto& op : batch.ops()) {
            if (op.is_delete) {
                b.Delete(op.key);
            } else {
                b.Put(op.key, op.value);
            }
        }
        leveldb::WriteOptions wo;
        wo.sync = sync;
        leveldb::Status s = db_->Write(wo, &b);
        if (!s.ok()) return Status::IOError("leveldb: " + s.ToString());
        user_bytes_ += batch.bytes();
        return Status::Ok();
    }
    std::unique_ptr<storage::Iterator> Scan(const storage::ScanOptions& opts) override;
    Status Sync() override { return Write(storage::WriteBatch(), true); }
    storage::EngineStatus GetStatus() override {
        storage::EngineStatus s;
        s.engine = "leveldb";
        s.user_bytes_written = user_bytes_;
        s.disk_bytes_written = ProcessWriteBytes() - wchar_at_open_;
        return s;
    }

private:
    LevelDbEngine() = default;
    std::unique_ptr<leveldb::Cache> cache_;
    std::unique_ptr<const leveldb::FilterPolicy> filter_;
    std::unique_ptr<leveldb::DB> db_;
    uint64_t user_bytes_ = 0;
    uint64_t wchar_at_open_ = 0;
};

// Forward scans from the lower bound (all the benchmark's scans are forward and upper-unbounded).
class LevelDbIterator final : public storage::Iterator {
public:
    LevelDbIterator(leveldb::Iterator* it, const storage::ScanOptions& opts) : it_(it), opts_(opts) {
        if (opts.lower.kind == storage::Bound::Kind::kUnbounded) {
            it_->SeekToFirst();
        } else {
            it_->Seek(opts.lower.key);
        }
    }
    bool Valid() const override {
        return it_->Valid() && storage::InRange(std::string_view(it_->key().data(), it_->key().size()), opts_);
    }
    void Next() override { it_->Next(); }
    std::string_view key() const override { return {it_->key().data(), it_->key().size()}; }
    std::string_view value() const override { return {it_->value().data(), it_->value().size()}; }
    Status status() const override {
        return it_->status().ok() ? Status::Ok() : Status::IOError(it_->status().ToString());
    }

private:
    std::unique_ptr<leveldb::Iterator> it_;
    storage::ScanOptions opts_;
};

std::unique_ptr<storage::Iterator> LevelDbEngine::Scan(const storage::ScanOptions& opts) {
    return std::make_unique<LevelDbIterator>(db_->NewIterator({}), opts);
}
#endif

void PrintResult(const std::string& engine, const StorageBenchResult& r) {
    double seconds = static_cast<double>(r.elapsed_us) / 1e6;
    double ops_per_s = seconds > 0 ? static_cast<double>(r.ops) / seconds : 0;
    double us_per_op = static_cast<double>(r.elapsed_us) / static_cast<double>(r.ops);
    std::string amp = r.user_bytes > 0
                          ? fmt::format("{:.2f}", static_cast<double>(r.disk_bytes_written) /
                                                      static_cast<double>(r.user_bytes))
                          : "-";
    std::string found = r.found > 0 ? fmt::format("  found {}", r.found) : "";
    fmt::print("{:<8} {:<11} {:>9} ops {:>8.3f} s {:>10.0f} ops/s {:>8.2f} us/op  write-amp {}{}\n",
               engine, r.workload, r.ops, seconds, ops_per_s, us_per_op, amp, found);
}

// Opens the engine named `name` in dir and runs the workload on it.
Result<StorageBenchResult> RunOne(const std::string& name, const std::string& dir,
                                  const StorageBenchOptions& opts) {
    std::unique_ptr<Engine> engine;
    std::unique_ptr<storage::PosixDisk> disk;
    if (name == "memory") {
        engine = std::make_unique<storage::MemoryEngine>();
    } else if (name == "leveldb") {
#ifdef ORRERY_HAVE_LEVELDB
        ORRERY_ASSIGN_OR_RETURN(engine, LevelDbEngine::Open(dir));
#endif
    } else {
        ORRERY_ASSIGN_OR_RETURN(disk, storage::PosixDisk::Open(dir, true));
        if (name == "lsm") {
            ORRERY_ASSIGN_OR_RETURN(engine, storage::LsmEngine::Open(*disk));
        } else if (name == "btree") {
#ifdef ORRERY_HAVE_BTREE_ENGINE
            ORRERY_ASSIGN_OR_RETURN(engine, storage::BTreeEngine::Open(*disk));
#endif
        }
    }
    if (engine == nullptr) return Status::InvalidArgument("engine '" + name + "' is not built in");
    return storage::RunStorageBench(*engine, opts, SteadyNowUs);
}

// A fresh scratch directory under /tmp (or under --dir), removed afterwards.
std::string MakeScratchDir(const std::string& parent, const std::string& label) {
    std::string pattern = (parent.empty() ? std::string("/tmp") : parent) + "/orrery-bench-" + label + "-XXXXXX";
    std::filesystem::create_directories(parent.empty() ? "/tmp" : parent);
    char* made = ::mkdtemp(pattern.data());
    if (made == nullptr) throw CLI::RuntimeError("cannot create a scratch directory under " + parent, 2);
    return made;
}

void Run(const BenchArgs& args) {
    Status valid = storage::ValidateStorageBench(args.bench);
    if (!valid.ok()) {
        BadInput(valid.message());
    }
    std::vector<std::string> engines{args.engine};
    if (args.compare == "leveldb") {
#ifdef ORRERY_HAVE_LEVELDB
        engines.push_back("leveldb");
#else
        BadInput("this binary was built without LevelDB");
#endif
    }
    fmt::print("workload={} num={} value_size={} key_size=16 sync_every={}\n", args.bench.workload,
               args.bench.num, args.bench.value_size, args.bench.sync_every);
    std::vector<StorageBenchResult> results;
    for (const std::string& name : engines) {
        std::string dir = MakeScratchDir(args.dir, name);
        Result<StorageBenchResult> r = RunOne(name, dir, args.bench);
        std::error_code ec;
        std::filesystem::remove_all(dir, ec);
        if (!r.ok()) {
            std::cerr << "orrery bench storage: " << name << ": " << r.status().ToString() << "\n";
            throw CLI::RuntimeError(1);
        }
        PrintResult(name, r.value());
        results.push_back(r.value());
    }
    if (results.size() == 2 && results[0].elapsed_us > 0) {
        fmt::print("ratio {}/{} (ops/s): {:.2f}x\n", engines[0], engines[1],
                   static_cast<double>(results[1].elapsed_us) / static_cast<double>(results[0].elapsed_us));
    }
}

}  // namespace

void Register_benchstorage(CLI::App& app) {
    auto args = std::make_shared<BenchArgs>();
    CLI::App* cmd = BenchGroup(app)->add_subcommand(
        "storage", "Storage engine workloads (db_bench style) on the real disk");
    cmd->add_option("--engine", args->engine, "memory, lsm or btree")
        ->check(CLI::IsMember({"memory", "lsm", "btree"}));
    cmd->add_option("--workload", args->bench.workload,
                    std::string(storage::kStorageBenchWorkloads));
    cmd->add_option("--num", args->bench.num, "Operations in the timed phase");
    cmd->add_option("--value-size", args->bench.value_size, "Value bytes");
    cmd->add_option("--sync-every", args->bench.sync_every, "Sync after every K writes (0: never)");
    cmd->add_option("--seed", args->bench.seed, "Seed of keys and values");
    cmd->add_option("--dir", args->dir, "Parent of the scratch directory (default /tmp)");
    cmd->add_option("--compare", args->compare, "Also run LevelDB")->check(CLI::IsMember({"leveldb"}));
    cmd->callback([args] { Run(*args); });
}

}  // namespace orrery::tools
