// Transaction: the execution half of an MVCC transaction (see mvcc.h for the whole picture).
//
// A transaction reads the snapshot it began with, overlaid with its own buffered writes, and
// never writes to the engine. Serializable transactions record their read set as they go:
//  - Get(k) records the point key k (unless k was answered from the transaction's own writes);
//  - Scan(range) records the whole range when the scan is opened, even if the caller stops
//    early (conservative: more conflicts, never fewer).
// Snapshot-isolation transactions record nothing, because SI never looks at reads.
//
// Statements (PostgreSQL's command id): BeginStatement() marks where the caller's next
// statement starts. A read with View::kStatementStart sees the snapshot overlaid with the writes
// buffered before that mark only, as if the current statement had written nothing; View::kAll
// (the default) sees every buffered write. A SQL statement's own reads use the first (so a
// subquery or RETURNING cannot see the rows the statement is changing), its constraint checks
// the second. A read that reaches the snapshot is recorded in the read set under either view.
// Until the first BeginStatement() nothing is tracked and both views see every write, so
// transactions that have no statements (the KV workloads) pay nothing for this.
//
// Ending a transaction: Commit() (single node: encode -> decode -> Mvcc::ApplyCommit) or, under
// Raft, BuildCommitRequest() at the leader, replicate the request, and apply it everywhere; then
// Finish(). Rollback() drops the buffer. Until it ends, a transaction pins its snapshot in the
// Mvcc's active-snapshot registry (the GC low-water mark).
//
// REQUIRES: a Transaction is destroyed before its Mvcc.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "mvcc/mvcc.h"
#include "mvcc/scan_iterator.h"

namespace orrery::mvcc {

class Transaction {
public:
    enum class State : uint8_t { kActive, kCommitted, kRolledBack };

    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&& other) noexcept;
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction();

    uint64_t id() const { return id_; }
    Version snapshot() const { return snapshot_; }
    Isolation isolation() const { return options_.isolation; }
    bool read_only() const { return options_.mode == TxnMode::kReadOnly; }
    State state() const { return state_; }

    enum class View : uint8_t { kAll, kStatementStart };

    // Starts a new statement: every write buffered so far becomes visible to kStatementStart.
    void BeginStatement() {
        statements_ = true;
        statement_before_.clear();
    }

    // Returns the value of key as this transaction sees it, or nullopt if absent.
    Result<std::optional<std::string>> Get(std::string_view key, View view = View::kAll);

    // Buffers a write. InvalidArgument in a read-only transaction or for an invalid key/value.
    Status Set(std::string_view key, std::string_view value);
    Status Delete(std::string_view key);

    // Opens a forward scan over range, merging the snapshot with the buffered writes.
    Result<std::unique_ptr<ScanIterator>> Scan(const KeyRange& range, View view = View::kAll);
    // Convenience: every (key, value) in range, at most limit of them.
    Result<std::vector<std::pair<std::string, std::string>>> ScanAll(const KeyRange& range,
                                                                    size_t limit = SIZE_MAX);

    // Returns true iff committing needs a replicated CommitRequest: the transaction wrote
    // something, or it is serializable and read something (a read-only validation entry).
    // Snapshot-isolation and time-travel read-only transactions never need one.
    bool NeedsCommitEntry() const;

    // The request that commits this transaction (writes and read set, sorted).
    CommitRequest BuildCommitRequest() const;

    // Commits on this node: when NeedsCommitEntry(), encodes the request, decodes it and applies
    // it with Mvcc::ApplyCommit (Aborted on a conflict); otherwise succeeds at once with
    // commit_version == snapshot(). Either way the transaction ends.
    Result<CommitOutcome> Commit();

    // Ends the transaction after its request was applied elsewhere (the Raft path).
    void Finish(bool committed);

    // Discards the buffered writes and ends the transaction.
    void Rollback();

private:
    friend class Mvcc;
    Transaction(Mvcc* mvcc, uint64_t id, Version snapshot, TxnOptions options);
    Status CheckActive() const;
    void End(State state);
    bool RecordsReads() const;
    // Remembers what writes_ held for `key` before the current statement's first write to it;
    // `buffered` is writes_'s entry for key, or null when it has none.
    void NoteStatementWrite(std::string_view key, const std::optional<std::string>* buffered);
    // Buffers `value` (nullopt: a delete) for `key`, with one search of writes_.
    void Buffer(std::string_view key, std::optional<std::string_view> value);

    Mvcc* mvcc_;  // Null once moved from.
    uint64_t id_;
    Version snapshot_;
    TxnOptions options_;
    State state_ = State::kActive;
    std::map<std::string, std::optional<std::string>, std::less<>> writes_;
    // For each key the current statement wrote: what writes_ held for it before the
    // statement's first write to it (nullopt: nothing, the snapshot's value shows through).
    struct Before {
        std::optional<std::optional<std::string>> buffered;
    };
    std::map<std::string, Before, std::less<>> statement_before_;
    bool statements_ = false;  // BeginStatement() was called: statement_before_ is kept.
    std::set<std::string, std::less<>> read_keys_;
    std::vector<KeyRange> read_ranges_;
};

}  // namespace orrery::mvcc
