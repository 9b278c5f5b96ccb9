// SqlClient: the client library of a node's SQL server (sql_server.h), as a state machine on
// an Env, so the simulator's SQL workloads and real processes (`orrery sql --connect`, the
// cluster benchmark) run the same code.
//
// One statement at a time. It sends the statement to the server it believes leads, follows
// not-leader hints, backs off on busy, and after an attempt timeout resends to the next server,
// ALWAYS with the same (client id, seq): a server that ran the statement answers from its
// cache, one that is running it answers when done, and a commit proposed twice is applied once
// (sql_server.h). Each statement ends as exactly one outcome (Jepsen's model):
//
//   ok   - a result;
//   fail - an error that certainly left no effect (a syntax error, a constraint violation, a
//          serialization failure, a lost transaction that was rolled back, ...);
//   info - the effect is unknown: kUnknownOutcome or kInternal from the server, or no answer
//          before op_timeout.
//
// The client carries its session's transaction status and token from every reply into the
// next request, which is how a server learns that a transaction it does not hold was lost.
// After an info the client forgets its transaction (believes idle): the server then rolls back
// whatever it still holds for this session when the next statement arrives.
//
// Invariants: at most one statement outstanding; every call gets exactly one callback, never
// inline; replies for other sequence numbers are ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/env.h"
#include "node/kv_client.h"
#include "node/sql_protocol.h"

namespace orrery::node {

struct SqlClientOptions {
    std::vector<NodeId> servers;                        // Where requests may go. Non-empty.
    uint64_t client_id = 0;                             // The session; 0: drawn from env.random.
    Duration attempt_timeout = Duration::Millis(1000);  // Per request sent.
    Duration op_timeout = Duration::Seconds(10);        // Per statement, then info.
    Duration retry_backoff = Duration::Millis(25);      // Before resending (busy, no hint).
};

struct SqlOutcome {
    KvOutcome::Type type = KvOutcome::Type::kOk;
    std::optional<sql::StatementResult> result;  // ok (execute).
    std::optional<sql::SqlError> error;          // fail and info.
    std::optional<SqlNodeStatus> status;         // ok (status).
    sql::TxnStatus txn_status = sql::TxnStatus::kIdle;  // The session's, after the statement.
    NodeId server;                               // Who answered (0 if nobody did).
    int attempts = 0;

    bool ok() const { return type == KvOutcome::Type::kOk; }
    // The error's message, or "" when ok.
    std::string message() const { return error ? error->message : std::string(); }
};

class SqlClient {
public:
    using Done = std::function<void(const SqlOutcome&)>;

    // Installs itself as env.network's handler. `env` outlives the client.
    SqlClient(Env& env, SqlClientOptions options);
    ~SqlClient();
    SqlClient(const SqlClient&) = delete;
    SqlClient& operator=(const SqlClient&) = delete;

    // Runs one statement (a trailing ';' is fine). Bad bounds (a text over kMaxSqlTextBytes)
    // fail at once (still through a later callback). REQUIRES: !busy().
    void Execute(std::string text, std::vector<sql::Value> params, Done done);
    // Asks one server to describe itself (no redirects). REQUIRES: !busy().
    void Status(NodeId server, Done done);
    // Ends the session at the server it last talked to. REQUIRES: !busy().
    void Close(Done done);
    // Asks for the statement in flight to be cancelled (SqlOp::kCancel), best-effort, as
    // PostgreSQL's CancelRequest: sent once to every server (only the one running it acts). The
    // statement's callback still comes: 57014 if the cancel won, else its outcome. Does
    // nothing when no statement is in flight.
    void Cancel();

    // Delivers a datagram (the handler installed at construction calls this).
    void OnMessage(NodeId from, std::string_view datagram);

    bool busy() const { return op_.has_value(); }
    uint64_t client_id() const { return client_id_; }
    sql::TxnStatus txn_status() const { return txn_status_; }
    NodeId believed_leader() const { return options_.servers[leader_slot_]; }
    // The client address the last not-leader reply named (empty when the node did not know).
    const std::string& last_leader_address() const { return last_leader_address_; }

    uint64_t requests_sent() const { return requests_sent_; }
    uint64_t redirects() const { return redirects_; }

private:
    struct PendingOp {
        SqlRequest request;
        Done done;
        int attempts = 0;
        std::optional<NodeId> fixed_target;
    };

    void Submit(SqlRequest request, std::optional<NodeId> target, Done done);
    void SendAttempt();
    void OnAttemptTimeout();
    void OnDeadline();
    void OnReply(NodeId from, const SqlReply& reply);
    void Redirect(NodeId from, uint32_t hint);
    void RetryLater();
    void Finish(SqlOutcome outcome);
    void CancelTimers();
    size_t SlotOf(NodeId server) const;

    Env& env_;
    SqlClientOptions options_;
    uint64_t client_id_;
    uint64_t seq_ = 0;
    size_t leader_slot_ = 0;
    sql::TxnStatus txn_status_ = sql::TxnStatus::kIdle;
    uint64_t txn_token_ = 0;
    std::string last_leader_address_;
    std::optional<PendingOp> op_;
    std::optional<TimerId> attempt_timer_;
    std::optional<TimerId> deadline_timer_;
    uint64_t requests_sent_ = 0;
    uint64_t redirects_ = 0;
};

}  // namespace orrery::node
