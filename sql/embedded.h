// EmbeddedDatabase: Orrery's SQL engine in one process, on one data directory.
//
// It stacks the layers a node would, without Raft: storage/posix's disk, the LSM engine, MVCC,
// the MvccTxnStore, and sessions. Commits are decided locally and made durable before they are
// acknowledged: StageCommit (with unlogged readers, exactly the cluster's rule), the batch
// written with sync=true, then CommitStaged. `orrery sql --data DIR`, the tests and the
// benchmarks use it; OpenInMemory gives the same stack on a memory engine (nothing survives).
//
// After a failed engine write the database is fail-stop (as a replica would be): every later
// commit reports kInternal and the caller reopens the directory, which recovers what was synced.
#pragma once

#include <memory>
#include <string>

#include "core/disk.h"
#include "mvcc/mvcc.h"
#include "sql/mvcc_txn_store.h"
#include "sql/session.h"
#include "storage/engine.h"

namespace orrery::sql {

class EmbeddedDatabase {
public:
    // Opens (creating if missing) the database in directory `dir`.
    static Result<std::unique_ptr<EmbeddedDatabase>> Open(const std::string& dir);
    // The same stack on a memory engine.
    static Result<std::unique_ptr<EmbeddedDatabase>> OpenInMemory();
    ~EmbeddedDatabase();

    // A new session on this database. The database must outlive it.
    std::unique_ptr<Session> NewSession(SessionOptions options = {});

    // Decides and durably applies one commit (the CommitFn of Session::Execute).
    Result<mvcc::CommitOutcome> Commit(const mvcc::CommitRequest& request);
    Session::CommitFn commit_fn() {
        return [this](const mvcc::CommitRequest& r) { return Commit(r); };
    }
    // Runs one statement on `session` with local commits.
    StatementOutcome Execute(Session& session, std::string_view text,
                             std::vector<Value> params = {}) {
        return session.Execute(text, commit_fn(), std::move(params));
    }

    TxnStore& store() { return *store_; }
    mvcc::Mvcc& mvcc() { return *mvcc_; }
    storage::Engine& engine() { return *engine_; }

private:
    EmbeddedDatabase() = default;
    Status Init();

    std::unique_ptr<Disk> disk_;  // Null in memory.
    std::unique_ptr<storage::Engine> engine_;
    std::unique_ptr<mvcc::Mvcc> mvcc_;
    std::unique_ptr<MvccTxnStore> store_;
    bool failed_ = false;
};

}  // namespace orrery::sql
