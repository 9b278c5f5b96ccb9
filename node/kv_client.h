// KvClient: the client library of the replicated KV store, as a state machine on an Env.
//
// The simulator's client processes use it now, the real CLI later. It runs one operation at a
// time: it sends the request to the server it believes leads, follows not-leader hints, and on
// an attempt timeout tries the next server, ALWAYS with the same (client id, seq), so that the
// servers' session table (kv_state_machine.h) applies a write at most once however often it
// was sent. It reports each operation as exactly one outcome, Jepsen-style:
//
//   ok   - a server replied with the result (for reads: a value or not-found);
//   fail - it certainly had no effect: a cas the state machine applied and found a different
//          value; a transaction commit or read that came back aborted (code kAborted); or a read or status request that got no answer (a read changes nothing, so
//          "did not happen" is the whole truth about its effect, as in Jepsen's own clients);
//   info - a write whose fate is unknown: no definite answer arrived before op_timeout. The
//          request may sit in some log and commit later. It is NEVER reported as fail: even a
//          string of not-leader replies proves nothing, because the network may duplicate an
//          earlier attempt into a server that becomes leader.
//
// Invariants: at most one operation is outstanding; every Submit gets exactly one callback,
// never inline; replies for other sequence numbers are ignored.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "node/client_protocol.h"

namespace orrery::node {

struct KvClientOptions {
    std::vector<NodeId> servers;                       // Where requests may go. Non-empty.
    uint64_t client_id = 0;                            // The session; 0: drawn from env.random.
    Duration attempt_timeout = Duration::Millis(300);  // Per request sent.
    Duration op_timeout = Duration::Seconds(3);        // Per operation, then fail/info.
    Duration retry_backoff = Duration::Millis(25);     // Before retrying without a leader hint.
};

struct KvOutcome {
    enum class Type : uint8_t { kOk, kFail, kInfo };
    Type type = Type::kOk;
    ReplyCode code = ReplyCode::kOk;  // ok: kOk or kNotFound; fail: kCasFailed or kError.
    std::string value;                // A read's value; a failed cas's current value.
    std::vector<std::pair<std::string, std::string>> pairs;  // A scan's result.
    std::optional<ServerStatus> status;                      // A status request's result.
    std::string message;  // An ok reply's text: a leaderless node's status (gossip and ring).
    std::string error;                                       // Why, for fail and info.
    int attempts = 0;                                        // Requests sent for this op.
    NodeId server;  // The server whose reply decided the op; 0 when none did (a timeout).
};

// Returns "ok", "fail" or "info".
std::string_view OutcomeTypeName(KvOutcome::Type type);

class KvClient {
public:
    using Done = std::function<void(const KvOutcome&)>;

    // Installs itself as env.network's handler. `env` outlives the client.
    KvClient(Env& env, KvClientOptions options);
    ~KvClient();

    KvClient(const KvClient&) = delete;
    KvClient& operator=(const KvClient&) = delete;

    // Starts an operation; `done` runs exactly once, later. `request.client_id` and
    // `request.seq` are filled in here (a fresh seq per operation). REQUIRES: !busy().
    void Submit(ClientRequest request, Done done);

    // Conveniences over Submit.
    void Get(std::string key, Done done);
    void Put(std::string key, std::string value, Done done);
    void Delete(std::string key, Done done);
    void Cas(std::string key, std::string expected, std::string value, Done done);
    void Scan(std::string start, std::string end, uint32_t limit, Done done);
    // Asks one particular server for its status (no redirects).
    void Status(NodeId server, Done done);
    // Asks one particular leaderless node to run anti-entropy (no redirects); the outcome's
    // value is the summary. A Raft node answers fail. Set attempt_timeout to outlast a repair.
    void Repair(NodeId server, Done done);

    // Delivers a datagram (the handler installed at construction calls this).
    void OnMessage(NodeId from, std::string_view datagram);

    bool busy() const { return op_.has_value(); }
    uint64_t client_id() const { return client_id_; }
    uint64_t last_seq() const { return seq_; }
    NodeId believed_leader() const { return options_.servers[leader_slot_]; }

    // Counters over the client's life.
    uint64_t requests_sent() const { return requests_sent_; }
    uint64_t redirects() const { return redirects_; }
    uint64_t attempt_timeouts() const { return attempt_timeouts_; }

private:
    struct PendingOp {
        ClientRequest request;
        Done done;
        int attempts = 0;
        std::optional<NodeId> fixed_target;  // Status requests go to one server only.
    };

    void SubmitTo(ClientRequest request, std::optional<NodeId> target, Done done);
    void SendAttempt();
    void OnAttemptTimeout();
    void OnDeadline();
    void OnReply(NodeId from, const ClientReply& reply);
    void Redirect(NodeId from, uint32_t hint);
    void RetryLater();
    void Finish(KvOutcome outcome);
    void CancelTimers();
    size_t SlotOf(NodeId server) const;

    Env& env_;
    KvClientOptions options_;
    uint64_t client_id_;
    uint64_t seq_ = 0;
    size_t leader_slot_ = 0;
    std::optional<PendingOp> op_;
    std::optional<TimerId> attempt_timer_;   // Attempt timeout or retry backoff.
    std::optional<TimerId> deadline_timer_;  // The operation's op_timeout.
    uint64_t requests_sent_ = 0;
    uint64_t redirects_ = 0;
    uint64_t attempt_timeouts_ = 0;
};

}  // namespace orrery::node
