// Golden-script tests of MVCC: the anomaly scripts (testdata/anomalies/, one per anomaly, named
// as in toyDB) and the behaviour scripts (testdata/*.txt).
//
// Commands (a session is named by its prefix, "t1: ..."):
//   reset [isolation=snapshot|serializable]   fresh memory engine; default isolation for begins
//   init k=v ...                               one committed transaction setting the keys
//   tN: begin [readonly] [as_of=V] [snapshot|serializable]
//   tN: get k ...          tN: set k=v ...       tN: delete k ...
//   tN: scan [start] [end] | scan prefix=P     (end exclusive; absent = unbounded)
//   tN: request            print the CommitRequest the session would send
//   tN: commit             encode -> decode -> ApplyCommit (the replicated path)
//   tN: rollback
//   dump                   the engine's MVCC entries, decoded
//   gc lwm=V               garbage-collect below low-water mark V
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <string>

#include "mvcc/debug.h"
#include "mvcc/mvcc.h"
#include "mvcc/transaction.h"
#include "storage/memory_engine.h"
#include "testkit/golden.h"

namespace orrery::mvcc {
namespace {

using testkit::GoldenCommand;

class MvccScript {
public:
    MvccScript() { Reset(Isolation::kSerializable); }

    Result<std::string> Run(const GoldenCommand& cmd) {
        if (!cmd.name.empty() && cmd.name.back() == ':') {
            return RunSession(cmd.name.substr(0, cmd.name.size() - 1), cmd);
        }
        if (cmd.name == "reset") {
            std::string iso = cmd.Get("isolation", "serializable");
            if (iso != "serializable" && iso != "snapshot") {
                return Status::InvalidArgument("isolation must be serializable or snapshot");
            }
            Reset(iso == "snapshot" ? Isolation::kSnapshot : Isolation::kSerializable);
            return std::string();
        }
        if (cmd.name == "init") return Init(cmd);
        if (cmd.name == "dump") return DumpState(*engine_);
        if (cmd.name == "gc") {
            ORRERY_ASSIGN_OR_RETURN(GcStats stats, mvcc_->CollectGarbage(cmd.GetInt("lwm", 0)));
            return fmt::format("gc → horizon v{}, deleted {} versions and {} txn records",
                               stats.horizon, stats.versions_deleted, stats.records_deleted);
        }
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

private:
    void Reset(Isolation isolation) {
        sessions_.clear();
        mvcc_.reset();
        engine_ = std::make_unique<storage::MemoryEngine>();
        mvcc_ = std::move(Mvcc::Open(*engine_)).value();
        isolation_ = isolation;
    }

    Result<std::string> Init(const GoldenCommand& cmd) {
        ORRERY_ASSIGN_OR_RETURN(Transaction txn, mvcc_->Begin(TxnOptions::ReadWrite()));
        for (const auto& [k, v] : cmd.kv) ORRERY_RETURN_IF_ERROR(txn.Set(k, v));
        ORRERY_ASSIGN_OR_RETURN(CommitOutcome outcome, txn.Commit());
        return fmt::format("init → v{}", outcome.commit_version);
    }

    Result<std::string> Begin(const std::string& name, const GoldenCommand& cmd) {
        if (sessions_.count(name)) return Status::InvalidArgument(name + " is already active");
        TxnOptions options = TxnOptions::ReadWrite(isolation_);
        for (const auto& arg : cmd.args) {
            if (arg == "begin") continue;
            if (arg == "readonly") options.mode = TxnMode::kReadOnly;
            else if (arg == "snapshot") options.isolation = Isolation::kSnapshot;
            else if (arg == "serializable") options.isolation = Isolation::kSerializable;
            else return Status::InvalidArgument("unknown begin option " + arg);
        }
        if (cmd.kv.count("as_of")) options = TxnOptions::AsOf(cmd.GetInt("as_of", 0));
        ORRERY_ASSIGN_OR_RETURN(Transaction txn, mvcc_->Begin(options));
        std::string line = fmt::format(
            "{}: begin → snapshot v{}, {}, {}", name, txn.snapshot(),
            txn.read_only() ? "read-only" : "read-write", IsolationName(txn.isolation()));
        if (options.as_of) line += " (time travel)";
        sessions_.emplace(name, std::move(txn));
        return line;
    }

    Result<std::string> RunSession(const std::string& name, const GoldenCommand& cmd) {
        if (cmd.args.empty()) return Status::InvalidArgument("missing session command");
        const std::string& op = cmd.args[0];
        if (op == "begin") return Begin(name, cmd);
        auto it = sessions_.find(name);
        if (it == sessions_.end()) return Status::InvalidArgument(name + " has not begun");
        Transaction& txn = it->second;
        if (op == "get") return Get(name, txn, cmd);
        if (op == "set") {
            for (const auto& [k, v] : cmd.kv) ORRERY_RETURN_IF_ERROR(txn.Set(k, v));
            return std::string();
        }
        if (op == "delete") {
            for (size_t i = 1; i < cmd.args.size(); ++i) {
                ORRERY_RETURN_IF_ERROR(txn.Delete(cmd.args[i]));
            }
            return std::string();
        }
        if (op == "scan") return Scan(name, txn, cmd);
        if (op == "request") return Request(name, txn);
        if (op == "commit") return Commit(name, txn);
        if (op == "rollback") {
            txn.Rollback();
            sessions_.erase(it);
            return name + ": rollback";
        }
        return Status::InvalidArgument("unknown session command " + op);
    }

    Result<std::string> Get(const std::string& name, Transaction& txn, const GoldenCommand& cmd) {
        std::string out;
        for (size_t i = 1; i < cmd.args.size(); ++i) {
            ORRERY_ASSIGN_OR_RETURN(std::optional<std::string> v, txn.Get(cmd.args[i]));
            out += fmt::format("{}: {} = {}\n", name, cmd.args[i], v ? *v : "<none>");
        }
        return out;
    }

    Result<std::string> Scan(const std::string& name, Transaction& txn, const GoldenCommand& cmd) {
        KeyRange range;
        if (cmd.kv.count("prefix")) {
            range = KeyRange::Prefix(cmd.Get("prefix"));
        } else {
            if (cmd.args.size() > 1) range.start = cmd.args[1];
            if (cmd.args.size() > 2) range.end = cmd.args[2];
        }
        ORRERY_ASSIGN_OR_RETURN(auto rows, txn.ScanAll(range));
        std::string out = fmt::format("{}: scan [{}, {}) → {} rows\n", name, range.start,
                                      range.end.empty() ? "<end>" : range.end, rows.size());
        for (const auto& [k, v] : rows) out += fmt::format("{}:   {} = {}\n", name, k, v);
        return out;
    }

    Result<std::string> Request(const std::string& name, const Transaction& txn) {
        CommitRequest req = txn.BuildCommitRequest();
        std::string writes;
        for (const Write& w : req.writes) {
            writes += fmt::format("{}{}={}", writes.empty() ? "" : " ", w.key,
                                  w.value ? *w.value : "<delete>");
        }
        return fmt::format(
            "{}: request txn={} snapshot=v{} {}{} writes={{{}}} read={} ({} bytes encoded)", name,
            req.txn_id, req.snapshot_version, IsolationName(req.isolation),
            req.read_only ? " read-only" : "", writes,
            FormatReadSet(req.read_keys, req.read_ranges), EncodeCommitRequest(req).size());
    }

    Result<std::string> Commit(const std::string& name, Transaction& txn) {
        bool needs_entry = txn.NeedsCommitEntry();
        size_t entry_bytes = EncodeCommitRequest(txn.BuildCommitRequest()).size();
        Result<CommitOutcome> outcome = txn.Commit();
        sessions_.erase(name);  // Committed or aborted, the session has ended.
        if (!outcome.ok()) return outcome.status();
        if (!needs_entry) return fmt::format("{}: commit (no log entry needed)", name);
        return fmt::format("{}: commit → v{} (log entry of {} bytes)", name,
                           outcome->commit_version, entry_bytes);
    }

    std::unique_ptr<storage::MemoryEngine> engine_;
    std::unique_ptr<Mvcc> mvcc_;
    Isolation isolation_ = Isolation::kSerializable;
    std::map<std::string, Transaction> sessions_;
};

void RunScript(const std::string& path) {
    MvccScript script;
    testkit::RunGoldenFile(path, [&](const GoldenCommand& cmd) { return script.Run(cmd); });
}

TEST_CASE("every anomaly has its script", "[mvcc]") {
    std::vector<std::string> files = testkit::ListGoldenFiles("testdata/anomalies", ".txt");
    std::vector<std::string> expected;
    for (const char* name : {"circular_information_flow", "dirty_read", "dirty_write",
                             "intermediate_read", "lost_update", "phantom", "read_only",
                             "read_skew", "write_skew"}) {
        expected.push_back(fmt::format("testdata/anomalies/anomaly_{}.txt", name));
    }
    CHECK(files == expected);
}

TEST_CASE("anomaly scripts", "[mvcc]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata/anomalies", ".txt")) {
        SECTION(path) { RunScript(path); }
    }
}

TEST_CASE("behaviour scripts", "[mvcc]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata", ".txt")) {
        SECTION(path) { RunScript(path); }
    }
}

}  // namespace
}  // namespace orrery::mvcc
