// SqlServer: the SQL half of a node. It keeps the SQL sessions of the clients talking to this
// node and runs their statements on the node's replicated MVCC store; KvServer owns it and
// feeds it the SQL channel's datagrams, the applied commands and the end of every Ready.
//
// Where a statement runs (docs/17-sql-over-raft.md):
//   - at the leader only: a follower answers not-leader with the leader's id (and its client
//     address when the node's configuration has it), and the client goes there;
//   - a statement that begins a transaction (SqlSession::needs_snapshot) first runs a ReadIndex
//     round, so the snapshot the store then hands out (the newest applied version) is at least
//     every commit acknowledged before the statement arrived: snapshot reads are linearizable
//     and local, and later statements of the transaction read the same fixed version locally;
//   - the statement runs in steps of options.step_rows rows; between steps a zero-delay timer
//     gives the event loop back, so Raft keeps ticking under a long query;
//   - a write transaction commits as ONE Raft entry: the txn-commit command carrying the
//     mvcc::CommitRequest, under the client's (client id, seq) session key, so the KV session
//     table deduplicates it like any write and every replica decides it with the same SSI rules.
//     A read-only transaction commits without an entry.
//
// Retries and exactly-once: a session remembers its last finished seq and the reply it sent;
// a resent seq gets that reply again (or, while the statement runs, the reply when it ends).
// A seq this node has not seen, whose commit entry the state machine already applied (the
// statement ran at an earlier leader), is answered from the KV session table; a commit that
// the state machine suppresses as a duplicate of an earlier attempt is answered the same way.
//
// Leadership. When the node's term changes or it stops leading: a commit waiting for its entry
// ends with kUnknownOutcome (the entry may still commit under the next leader), and every open
// transaction is aborted (its buffered writes are dropped; the client's next statement learns
// the transaction was lost, kUnavailable). A request whose client believes a transaction is
// open while this node's session has none is answered that way too: COMMIT with
// kUnknownOutcome (an earlier node may have proposed it), anything else with kUnavailable.
// Before a Raft snapshot is installed (Mvcc::Reload needs no active transaction) every
// statement is ended and every transaction aborted the same way.
//
// Bounds: at most options.max_sessions sessions; a session idle for options.idle_timeout
// (by env.clock) is expired (its transaction aborted) when room is needed or at the next sweep;
// a reply larger than kMaxSqlReplyBytes becomes an error naming the bound.
//
// Invariants: at most one statement per session is in progress; a session in
// Phase::kAwaitCommit has exactly one entry in waiting_commits_; every reply for a seq that is
// cached is the one a resend gets.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/env.h"
#include "mvcc/commit_request.h"
#include "mvcc/mvcc.h"
#include "node/kv_state_machine.h"
#include "node/sql_protocol.h"
#include "raft/raft.h"
#include "sql/session.h"

namespace orrery::node {

// What the server needs of one SQL session: sql::Session's step protocol (sql/session.h). The
// engine's sessions implement it (sql_engine_sessions.h); node tests use a double whose
// statements are scripted, so the server's plumbing is tested without the engine's timing.
// needs_snapshot() is asked right after Start and says whether the started statement will begin
// a transaction; its snapshot must not be taken before the first Step (the ReadIndex round runs
// in between).
class SqlSession {
public:
    using StepState = sql::Session::StepState;
    virtual ~SqlSession() = default;
    virtual void Start(std::string_view text, std::vector<sql::Value> params) = 0;
    virtual StepState Step(uint64_t budget_rows) = 0;
    virtual const mvcc::CommitRequest& pending_commit() const = 0;
    virtual void CommitDecided(Result<mvcc::CommitOutcome> decision) = 0;
    virtual sql::StatementOutcome TakeOutcome() = 0;
    virtual void Cancel() = 0;
    virtual bool statement_in_progress() const = 0;
    virtual bool needs_snapshot() const = 0;
    virtual sql::TxnStatus txn_status() const = 0;
    virtual void AbortTransaction(std::string_view why) = 0;
};

// Makes the session of a new client on the node's replicated MVCC store (whose snapshot reads
// are local, and whose commits the server turns into Raft entries).
using SqlSessionFactory = std::function<std::unique_ptr<SqlSession>(mvcc::Mvcc& mvcc)>;

struct SqlServerOptions {
    // nullptr: this node serves no SQL (every statement is answered kFeatureNotSupported).
    // KvServer fills in the engine's sessions on the node's MVCC store when it is empty.
    SqlSessionFactory sessions;
    size_t max_sessions = 256;
    Duration idle_timeout = Duration::Seconds(600);
    uint64_t step_rows = 256;  // Rows of work per turn of the event loop.
    // Passed to every engine session (sql.no-read-set lives here).
    sql::SessionOptions session;
    // The client address of every node (from the cluster configuration; empty in the
    // simulator), sent with not-leader replies and status.
    std::map<NodeId, std::string> client_addresses;
};

class SqlServer {
public:
    // `raft` and `sm` belong to the owning KvServer and outlive this object. `bug_stale_read`
    // mirrors raft.stale-read: no ReadIndex before a snapshot.
    SqlServer(Env& env, raft::RaftNode& raft, KvStateMachine& sm, SqlServerOptions options,
              bool bug_stale_read);
    ~SqlServer();
    SqlServer(const SqlServer&) = delete;
    SqlServer& operator=(const SqlServer&) = delete;

    // A datagram's payload on Channel::kSql.
    void OnMessage(NodeId from, std::string_view payload);
    // Every command the state machine applied (duplicate: suppressed by the session table).
    void OnApplied(const Command& command, const CommandReply& reply, bool duplicate);
    // After every Ready: reacts to a changed term or a lost leadership (header comment).
    void AfterReady();
    // Before a snapshot replaces the state machine's contents.
    void BeforeRestore();
    // The node halted: answer nothing more, run nothing more.
    void Halt();

    size_t session_count() const { return sessions_.size(); }
    size_t open_transactions() const;
    uint64_t statements_executed() const { return statements_; }
    uint64_t commits_proposed() const { return commits_proposed_; }
    uint64_t sessions_expired() const { return sessions_expired_; }
    uint64_t cancels() const { return cancels_; }  // Cancel requests that reached a statement.

private:
    // Where a session's statement in progress is.
    enum class Phase : uint8_t { kIdle, kAwaitSnapshot, kStepping, kAwaitCommit };

    struct Entry {
        std::unique_ptr<SqlSession> session;
        Phase phase = Phase::kIdle;
        uint64_t running_seq = 0;   // The seq of the statement in progress (phase != kIdle).
        NodeId reply_to;            // Where its reply goes.
        uint64_t done_seq = 0;      // The last seq answered with a final reply...
        std::string done_reply;     // ...and that reply, encoded, for resends.
        Timestamp last_used;
        std::optional<TimerId> step_timer;
        Term txn_term;               // The term in which the open transaction began.
        uint64_t txn_token = 0;      // Its token (SqlReply::txn_token); 0 when idle.
        bool began_in_statement = false;  // The running statement began its transaction.
        bool answered_by_earlier = false; // Its commit was an earlier attempt's (duplicate).
    };

    // sql_server.cpp: requests and replies.
    void OnRequest(NodeId from, const SqlRequest& request);
    void OnExecute(NodeId from, const SqlRequest& request);
    void OnClose(NodeId from, const SqlRequest& request);
    void OnCancel(const SqlRequest& request);
    void ReplyStatus(NodeId to, const SqlRequest& request);
    void ReplyNotLeader(NodeId to, const SqlRequest& request);
    void ReplyUncached(NodeId to, const SqlRequest& request, sql::SqlError error,
                       sql::TxnStatus status);
    bool AnswerFromKvSessions(NodeId to, const SqlRequest& request, Entry* entry);
    bool AnswerLostTransaction(NodeId to, const SqlRequest& request, Entry& entry);
    Entry* FindOrCreate(uint64_t client_id);
    void Sweep(bool force);
    void Finish(uint64_t client_id, Entry& entry, SqlReply reply);
    void Send(NodeId to, const SqlReply& reply);
    void SendEncoded(NodeId to, const std::string& encoded);
    uint32_t LeaderHint() const;
    std::string LeaderAddress() const;

    // sql_server_run.cpp: running statements.
    void StartStatement(uint64_t client_id, Entry& entry, const SqlRequest& request);
    void OnSnapshotReady(uint64_t client_id, uint64_t seq, Status status);
    void RunSteps(uint64_t client_id, Entry& entry);
    void ProposeCommit(uint64_t client_id, Entry& entry);
    void EndStatement(uint64_t client_id, Entry& entry);
    void DecideCommit(uint64_t client_id, Entry& entry, Result<mvcc::CommitOutcome> decision);
    void ScheduleStep(uint64_t client_id, Entry& entry);
    void DriveToEnd(Entry& entry);
    void EndEverything(std::string_view why);
    uint64_t NewTxnToken();
    Entry* Running(uint64_t client_id, uint64_t seq, Phase phase);
    bool Leading() const;

    Env& env_;
    raft::RaftNode& raft_;
    KvStateMachine& sm_;
    SqlServerOptions options_;
    bool bug_stale_read_;
    std::map<uint64_t, Entry> sessions_;  // client id -> session.
    // (client id, seq) of every commit proposed and not yet applied, with its term.
    std::map<std::pair<uint64_t, uint64_t>, Term> waiting_commits_;
    Term term_;            // The term at the last AfterReady.
    bool leading_ = false;  // Leader at the last AfterReady.
    bool halted_ = false;
    Timestamp last_sweep_;
    uint64_t token_counter_ = 0;
    uint64_t statements_ = 0;
    uint64_t commits_proposed_ = 0;
    uint64_t sessions_expired_ = 0;
    uint64_t cancels_ = 0;
};

}  // namespace orrery::node
