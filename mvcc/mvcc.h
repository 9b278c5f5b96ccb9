// Mvcc: multi-version transactions over any storage::Engine, with snapshot isolation (SI) and
// serializable snapshot isolation (SSI), designed to be the state machine behind Raft.
//
// The API has two halves, because under Raft they run in different places:
//
//  1. Execution (at the leader; never writes to the engine). Begin() takes a snapshot: the last
//     committed version. The Transaction reads that snapshot plus its own buffered writes, and
//     records what it read (point keys and scanned ranges). See transaction.h.
//
//  2. Commit (on every replica). ApplyCommit(request) is a deterministic function of the request
//     and the engine's bytes: it checks write-write conflicts (first committer wins), runs the
//     SSI dangerous-structure test for serializable transactions, and either writes the new
//     versions plus a TxnRecord and the version counter in one atomic batch, or returns
//     Status::Aborted and changes nothing. Replicas that apply the same requests in the same
//     order make the same decisions and hold the same bytes.
//
// A single-node user calls Transaction::Commit(), which runs the same path: it encodes the
// request, decodes it, and applies it, so the replicated form is exercised everywhere.
//
// Leader-local state (not replicated, rebuilt empty after a restart): the registry of active
// snapshots, used only to suggest a GC low-water mark, and the next transaction id.
//
// Invariants: last_version() only grows, by exactly one per successful ApplyCommit;
// gc_horizon() <= last_version(); every data version above gc_horizon() has a TxnRecord.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "mvcc/key_codec.h"
#include "storage/engine.h"

namespace orrery::mvcc {

class Transaction;

// How a transaction may be used.
enum class TxnMode : uint8_t {
    kReadWrite,  // Reads and writes; commits as one CommitRequest.
    kReadOnly,   // Reads only. Under kSerializable its commit is a read-only validation entry.
};

struct TxnOptions {
    TxnMode mode = TxnMode::kReadWrite;
    Isolation isolation = Isolation::kSerializable;
    // Time travel: read the database as of this (earlier) version. Implies kReadOnly and
    // kSnapshot: the reads see exactly the commits up to the version, and are never validated.
    std::optional<Version> as_of;

    static TxnOptions ReadWrite(Isolation isolation = Isolation::kSerializable);
    static TxnOptions ReadOnly(Isolation isolation = Isolation::kSerializable);
    static TxnOptions AsOf(Version version);
};

// Options of one commit decision. Every replica must pass the same rules for the same entry.
struct CommitRules {
    // Read-only transactions commit without any entry (the replicated design, docs/07-mvcc.md
    // §7.13), so no TxnRecord shows their reads and rule (a) of conflicts.h cannot see them as
    // T_in. To stay serializable anyway, a serializable transaction that writes aborts when it
    // has any rw out-conflict: an unseen read-only T_in with a snapshot in [c_out, c) could
    // otherwise complete the Fekete read-only anomaly (Ports & Grittner 2012, §4.1).
    bool unlogged_readers = false;
};

// What one garbage collection removed.
struct GcStats {
    Version horizon = 0;            // The GC horizon after the call.
    uint64_t versions_deleted = 0;  // Data versions (including tombstones) removed.
    uint64_t records_deleted = 0;   // TxnRecords removed.
};

class Mvcc {
public:
    // Opens MVCC over `engine`, reading the version counter and GC horizon it holds (an empty
    // engine starts at version 0). The engine must outlive the Mvcc; MVCC owns the key prefixes
    // 0x00..0x02 of it (key_codec.h).
    static Result<std::unique_ptr<Mvcc>> Open(storage::Engine& engine);

    Mvcc(const Mvcc&) = delete;
    Mvcc& operator=(const Mvcc&) = delete;
    ~Mvcc();

    // --- Execution half (leader) ---

    // Starts a transaction at the current snapshot (or at options.as_of). InvalidArgument for an
    // as_of in the future or a serializable as_of; Aborted when as_of is below the GC horizon.
    Result<Transaction> Begin(const TxnOptions& options = {});

    // Returns the value of `key` in the snapshot `snapshot`, or nullopt if it has none there.
    // Aborted when snapshot is below the GC horizon (those versions may be gone).
    Result<std::optional<std::string>> ReadAt(std::string_view key, Version snapshot);

    // The smallest snapshot of a transaction begun on this Mvcc object that has not finished,
    // or last_version() when none is active: the low-water mark a leader passes to GC.
    Version OldestActiveSnapshot() const;

    // --- Commit half (every replica, in log order) ---

    // Decides and applies one commit. Returns the outcome, or:
    //  - Aborted("serialization failure: ... retry the transaction") for a write-write conflict
    //    or an SSI dangerous structure, or Aborted for a snapshot below the GC horizon: a
    //    deterministic decision; nothing changed;
    //  - InvalidArgument for a malformed request (also deterministic; nothing changed);
    //  - any other code is an engine failure (the replica must stop: its state is unknown).
    Result<CommitOutcome> ApplyCommit(const CommitRequest& req);

    // The same decision, but the effects (versions, TxnRecord, version counter) are appended to
    // *batch instead of written, so an embedder can add its own records (e.g. Raft's applied
    // index) to the same atomic batch. Nothing changes until the caller writes the batch and
    // calls CommitStaged(outcome). If the write fails the caller must discard this Mvcc and
    // reopen it from the engine (fail-stop). Errors as ApplyCommit.
    Result<CommitOutcome> StageCommit(const CommitRequest& req, const CommitRules& rules,
                                      storage::WriteBatch* batch);
    // Records that the batch of StageCommit(...) == outcome reached the engine.
    void CommitStaged(const CommitOutcome& outcome);

    // Re-reads the version counter and GC horizon from the engine, after an embedder replaced
    // the engine's contents (a Raft snapshot install). REQUIRES: no active transactions.
    Status Reload();

    // Deletes what no snapshot >= low_water_mark can see: versions shadowed by a newer version
    // <= low_water_mark, tombstones that are the newest version <= low_water_mark, and TxnRecords
    // committed at or below it. Then snapshots below low_water_mark are refused. Deterministic,
    // so it can be a replicated command. A mark at or below the current horizon does nothing;
    // InvalidArgument if it is above last_version().
    Result<GcStats> CollectGarbage(Version low_water_mark);

    // The same in two steps, for an embedder that replicates GC (node/txn_state_machine.h):
    // StageHorizon appends the raised horizon to *batch (InvalidArgument unless gc_horizon() <
    // horizon <= last_version()); after the caller wrote the batch, CommitStagedHorizon makes
    // it current, and CollectBelowHorizon deletes what it hides. That deletion is local: it
    // changes no read or decision at or above the horizon, so replicas may do it at their own
    // pace, and a crash in the middle merely leaves garbage for the next call.
    Status StageHorizon(Version horizon, storage::WriteBatch* batch) const;
    void CommitStagedHorizon(Version horizon);
    Result<GcStats> CollectBelowHorizon();

    Version last_version() const { return last_version_; }
    Version gc_horizon() const { return gc_horizon_; }
    storage::Engine& engine() { return engine_; }

private:
    friend class Transaction;
    explicit Mvcc(storage::Engine& engine) : engine_(engine) {}
    Status LoadMeta();
    void RegisterSnapshot(Version snapshot);
    void UnregisterSnapshot(Version snapshot);

    storage::Engine& engine_;
    Version last_version_ = 0;
    Version gc_horizon_ = 0;
    uint64_t next_txn_id_ = 1;
    std::map<Version, uint64_t> active_snapshots_;  // snapshot -> number of active transactions.
};

}  // namespace orrery::mvcc
