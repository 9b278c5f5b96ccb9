// The one transaction interface the SQL engine sees storage through: begin at a snapshot, get,
// scan a range, put, delete, and end (commit or rollback).
//
// Commit is split in two so the same engine runs where a commit decision is local and where it
// is replicated:
//   1. CommitRequest(): the transaction's writes and read set as an mvcc::CommitRequest (nullopt
//      when nothing needs deciding: a read-only snapshot transaction, or a serializable one whose
//      reads need no validation because the store's readers are unlogged, docs/07-mvcc.md §7.13);
//   2. whoever drives the session decides it: locally, Mvcc::ApplyCommit; on the cluster, one
//      Raft log entry decided by every replica (node/); then Finish(committed).
// The Session (session.h) never calls ApplyCommit itself; it hands the request to its driver.
//
// Two stores implement TxnStore:
//   - MvccTxnStore (sql/mvcc_txn_store.h): transactions on an mvcc::Mvcc. Embedded use commits
//     with Mvcc::ApplyCommit on the same object; a cluster node passes the Mvcc of its replicated
//     state machine, whose snapshot reads are local once the node's ReadIndex reached them, and
//     commits through Raft.
//   - test doubles (fault injection in the engine's tests).
//
// Statements (PostgreSQL's command id): every read a statement makes for its result (its scans,
// those of its subqueries, so also of its RETURNING items) sees the transaction as it was when
// the statement began: the earlier statements' writes, none of its own. Otherwise a correlated
// subquery of an UPDATE would see the rows the statement already changed, and the answer would
// depend on the order rows are written in. The session calls BeginStatement() before each
// statement; the executor's scans read through GetAtStatementStart/ScanAtStatementStart.
// Constraint checks (primary key, UNIQUE, foreign keys), the catalog and its counters read
// through Get/Scan, which see every write so far, the current statement's included: two rows of
// one INSERT with the same key must collide. Both kinds of read are recorded in the read set.
//
// Keys: every key the SQL layer writes starts with the byte kSqlKeyPrefix, so SQL tables share
// an MVCC store with the KV transaction workloads without colliding (mvcc user keys below 0x80
// are theirs).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "mvcc/commit_request.h"
#include "mvcc/key_codec.h"

namespace orrery::sql {

inline constexpr char kSqlKeyPrefix = '\x90';

struct TxnOptions {
    bool read_only = false;
    mvcc::Isolation isolation = mvcc::Isolation::kSerializable;
    std::optional<mvcc::Version> as_of;  // Time travel: implies read-only snapshot isolation.
};

// A forward scan over a transaction's view of a key range (its snapshot plus its own writes).
class KvIterator {
public:
    virtual ~KvIterator() = default;
    // True while positioned on an entry; false at the end or after an error (see status()).
    virtual bool Valid() const = 0;
    // REQUIRES: Valid().
    virtual void Next() = 0;
    virtual std::string_view key() const = 0;
    virtual std::string_view value() const = 0;
    virtual Status status() const = 0;
};

class Txn {
public:
    virtual ~Txn() = default;

    virtual mvcc::Version snapshot() const = 0;
    virtual bool read_only() const = 0;
    virtual mvcc::Isolation isolation() const = 0;

    // Reads one key (recorded in the read set under serializable isolation).
    virtual Result<std::optional<std::string>> Get(std::string_view key) = 0;
    // Opens a scan of [range.start, range.end) (the whole range is recorded in the read set
    // under serializable isolation, however much of it the caller consumes).
    virtual Result<std::unique_ptr<KvIterator>> Scan(const mvcc::KeyRange& range) = 0;
    // Starts a statement: the writes buffered so far become what the two reads below see.
    virtual void BeginStatement() = 0;
    // Get and Scan, blind to the writes made since the last BeginStatement().
    virtual Result<std::optional<std::string>> GetAtStatementStart(std::string_view key) = 0;
    virtual Result<std::unique_ptr<KvIterator>> ScanAtStatementStart(
        const mvcc::KeyRange& range) = 0;
    // Buffer a write; InvalidArgument in a read-only transaction or for an oversized key/value.
    virtual Status Put(std::string_view key, std::string_view value) = 0;
    virtual Status Delete(std::string_view key) = 0;

    // The request that commits this transaction, or nullopt if committing needs no decision.
    virtual std::optional<mvcc::CommitRequest> CommitRequest() const = 0;
    // Ends the transaction: committed after its request was decided ok (or needed none), or
    // not (rollback, abort). REQUIRES: called once.
    virtual void Finish(bool committed) = 0;
};

class TxnStore {
public:
    virtual ~TxnStore() = default;
    // Begins a transaction at the newest snapshot this store holds (or options.as_of).
    // Errors: Aborted when as_of is below the GC horizon, InvalidArgument when it is ahead.
    virtual Result<std::unique_ptr<Txn>> Begin(const TxnOptions& options) = 0;
    // The newest committed version (the snapshot a Begin now would take).
    virtual mvcc::Version last_version() const = 0;
};

}  // namespace orrery::sql
