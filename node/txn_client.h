// TxnClient: interactive MVCC transactions against the replicated store, on top of KvClient.
//
// Design (docs/07-mvcc.md §7.13): the server keeps no per-transaction state. The client holds
// the transaction:
//   begin    - a ReadIndex read at the leader returns the newest applied version: the snapshot;
//   get/scan - ReadIndex reads AT that snapshot (any later leader can serve them, so a leader
//              change does not kill the transaction), overlaid with the client's own buffered
//              writes; the client records the keys and ranges it read (its SSI read set);
//   set/del  - buffered here, no message at all;
//   commit   - read-only (nothing buffered): done locally, no log entry; otherwise ONE
//              txn-commit request carrying an mvcc::CommitRequest (snapshot, writes, read set),
//              which becomes one Raft entry, deduplicated by the client session like any write;
//   rollback - forgets the buffer, no message.
// A single write outside a transaction (Write) is one txn-autocommit request: one entry.
//
// Outcomes follow KvClient (Jepsen model): commit ok; commit fail with aborted == true is a
// serialization failure (nothing happened; retry the whole transaction); commit info is
// unknown. A read that fails (timeout, snapshot garbage collected) fails the operation; the
// caller should roll back. Callbacks never run inline.
//
// Invariants: at most one request outstanding (KvClient's rule); a transaction's reads all use
// one snapshot; the read set only grows until commit or rollback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mvcc/commit_request.h"
#include "node/kv_client.h"

namespace orrery::node {

// The result of one TxnClient operation.
struct TxnOutcome {
    KvOutcome::Type type = KvOutcome::Type::kOk;
    bool aborted = false;              // fail because of a serialization failure.
    std::optional<std::string> value;  // get: the value, nullopt when absent.
    std::vector<std::pair<std::string, std::string>> pairs;  // scan.
    uint64_t version = 0;              // begin: the snapshot; commit: the commit version.
    bool logged = false;               // commit: whether it cost a log entry.
    std::string error;
};

class TxnClient {
public:
    using Done = std::function<void(const TxnOutcome&)>;

    // Installs itself (through its KvClient) as env.network's handler.
    TxnClient(Env& env, KvClientOptions options);
    ~TxnClient();

    TxnClient(const TxnClient&) = delete;
    TxnClient& operator=(const TxnClient&) = delete;

    // Starts a transaction. REQUIRES: !in_txn() && !busy().
    void Begin(Done done);
    // Reads key in the transaction. REQUIRES: in_txn() && !busy().
    void Get(std::string key, Done done);
    // Reads up to limit pairs of [start, end) ("" end: unbounded). REQUIRES as Get.
    void Scan(std::string start, std::string end, uint32_t limit, Done done);
    // Buffer a write. REQUIRES: in_txn().
    void Set(std::string key, std::string value);
    void Delete(std::string key);
    // Ends the transaction: see the header comment. REQUIRES: in_txn() && !busy().
    void Commit(Done done);
    // Ends the transaction without effect.
    void Rollback();

    // A single write (value, or nullopt to delete) outside any transaction: one log entry.
    // REQUIRES: !in_txn() && !busy().
    void Write(std::string key, std::optional<std::string> value, Done done);

    bool in_txn() const { return snapshot_.has_value(); }
    bool busy() const { return kv_.busy() || defer_timer_.has_value(); }
    uint64_t snapshot() const { return snapshot_.value_or(0); }
    KvClient& kv() { return kv_; }

    // Counters: commits that needed an entry, commits that did not.
    uint64_t logged_commits() const { return logged_commits_; }
    uint64_t unlogged_commits() const { return unlogged_commits_; }

private:
    void Defer(TxnOutcome outcome, Done done);
    void SubmitCommit(RequestOp op, const mvcc::CommitRequest& req, Done done);
    static TxnOutcome FromKv(const KvOutcome& o);
    mvcc::CommitRequest BuildRequest();
    void Reset();

    Env& env_;
    KvClient kv_;
    std::optional<uint64_t> snapshot_;
    std::map<std::string, std::optional<std::string>> writes_;
    std::set<std::string> read_keys_;
    std::vector<mvcc::KeyRange> read_ranges_;
    std::optional<TimerId> defer_timer_;  // A deferred callback (own-write read, read-only commit).
    uint64_t txn_counter_ = 0;
    uint64_t logged_commits_ = 0;
    uint64_t unlogged_commits_ = 0;
};

}  // namespace orrery::node
