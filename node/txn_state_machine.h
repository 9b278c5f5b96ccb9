// TxnStateMachine: the MVCC half of the replicated state machine. KvStateMachine owns one and
// hands it the transaction commands (kv_command.h ops txn and txn-autocommit), so that MVCC
// commits share the KV path's two guarantees:
//
//  1. Exactly-once: a commit is a command with a client session (client id, seq), so a retried
//     commit that two leaders both appended is applied once and answered from the cache.
//  2. Atomic progress: the commit's effects (new versions, the TxnRecord, the version counter)
//     are STAGED into the same WriteBatch that carries the applied index and the session, even
//     when the decision is an abort (then the batch holds just the index and the session with
//     the cached "aborted" reply). A restart therefore never re-applies nor skips an entry.
//
// Commit decisions are Mvcc::StageCommit with CommitRules::unlogged_readers: read-only
// transactions never enter the log (they read at a snapshot through ReadIndex), so writers
// abort on any rw out-conflict, which keeps those unlogged readers serializable
// (docs/07-mvcc.md §7.13).
//
// A txn-autocommit command is a single-statement write: its snapshot is whatever the state
// machine has applied when the entry is applied (deterministic on every replica), so a blind
// write never conflicts and costs exactly one entry.
//
// A txn-gc command (proposed by the leader, kv_server.h) raises MVCC's GC horizon to
// last_version() - keep: the new horizon is staged into the entry's batch like any effect, so
// every replica refuses older snapshots from the same entry on. The deletion of what the horizon
// hides happens after the batch is written and is local to each replica (mvcc.h,
// CollectBelowHorizon): it changes no read or decision, and a crash in the middle only leaves
// garbage for the next GC; so does a failed deletion pass (it is counted, not fatal: nothing
// depends on it). Clients whose snapshot fell below the horizon get aborted.
//
// Bug switch mvcc.snapshot-only: serializable commits are decided as plain snapshot isolation
// (no read set), which lets write skew through (Jepsen teaching, issue 7).
//
// Invariant: mvcc().last_version() equals the version counter stored in the engine whenever
// the owner's last batch write succeeded (the owner calls OnBatchWritten after each one).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "mvcc/mvcc.h"
#include "node/kv_command.h"
#include "storage/engine.h"

namespace orrery::node {

struct TxnStateMachineOptions {
    bool bug_snapshot_only = false;  // mvcc.snapshot-only: SSI off, plain SI.
    // A commit decision reads the engine; on an I/O error (injected read faults) it is retried
    // this often before the machine freezes. Deciding has no side effect until it succeeds.
    int max_read_attempts = 8;
};

class TxnStateMachine {
public:
    // Opens MVCC over `engine` (which outlives this object).
    static Result<std::unique_ptr<TxnStateMachine>> Open(storage::Engine& engine,
                                                         TxnStateMachineOptions options);

    // Decides a txn / txn-autocommit command and stages its effects into *batch. The reply is
    // ok with the decimal commit version, aborted (a serialization failure; retryable), or
    // error for a malformed request (deterministic, nothing staged). Sets *error (and returns
    // an error reply) only for engine failures: the caller must freeze.
    CommandReply Execute(const Command& command, storage::WriteBatch* batch, Status* error);

    // Tells the machine that the batch of the last Execute reached the engine; then collects the
    // garbage a raised horizon hides.
    void OnBatchWritten();

    // Re-reads MVCC's counters after the engine's contents were replaced (snapshot install).
    Status Reload();

    // The newest committed version: the snapshot of a transaction that begins now.
    mvcc::Version last_version() const { return mvcc_->last_version(); }

    // Reads key at snapshot: the value or nullopt. Aborted below the GC horizon,
    // InvalidArgument for a snapshot this replica has not reached.
    Result<std::optional<std::string>> Get(std::string_view key, mvcc::Version snapshot);

    // Up to `limit` pairs in [start, end) ("" end: unbounded) at snapshot. Errors as Get.
    Result<std::vector<std::pair<std::string, std::string>>> Scan(std::string_view start,
                                                                  std::string_view end,
                                                                  size_t limit,
                                                                  mvcc::Version snapshot);

    mvcc::Mvcc& mvcc() { return *mvcc_; }
    uint64_t commits() const { return commits_; }
    uint64_t aborts() const { return aborts_; }
    uint64_t versions_collected() const { return versions_collected_; }
    uint64_t gc_failures() const { return gc_failures_; }

private:
    TxnStateMachine(std::unique_ptr<mvcc::Mvcc> mvcc, TxnStateMachineOptions options)
        : mvcc_(std::move(mvcc)), options_(options) {}

    std::unique_ptr<mvcc::Mvcc> mvcc_;
    TxnStateMachineOptions options_;
    CommandReply ExecuteGc(const Command& command, storage::WriteBatch* batch);

    std::optional<mvcc::CommitOutcome> staged_;  // Decided, batch not yet written.
    std::optional<mvcc::Version> staged_horizon_;  // A GC horizon in the unwritten batch.
    uint64_t commits_ = 0;
    uint64_t aborts_ = 0;
    uint64_t versions_collected_ = 0;
    uint64_t gc_failures_ = 0;
};

}  // namespace orrery::node
