// KvServer: one server of the replicated key-value store, as an event-driven state machine.
//
// It owns the storage engine, the KV state machine on it, and a RaftNode, and wires them to the
// world through nothing but its Env, so the simulator and a real process (net/) run this same
// class. Its directory holds two families of files: the engine's, seen through
// PrefixDisk(env.disk, "kv-"), and Raft's, through PrefixDisk(env.disk, "raft-").
//
// Inputs and what they do:
//   - a datagram on channel raft  -> RaftNode::Step;
//   - a datagram on channel client -> a request: writes are proposed (after asking the session
//     table whether they were applied already), reads wait for ReadIndex (thesis §6.4), status
//     is answered at once; transaction requests (txn_client.h) follow the same two paths:
//     txn-begin/get/scan are ReadIndex reads at an MVCC snapshot (txn_server.cpp), txn-commit
//     and txn-autocommit are writes whose command carries an mvcc::CommitRequest;
//   - the tick timer (every options.tick) -> RaftNode::Tick, and at the leader, about once a
//     second, a possible MVCC GC proposal (options.mvcc_keep_versions, txn_server.cpp).
// After every input the server calls RaftNode::Ready(), which persists, sends and applies.
// Applied commands answer the client waiting for them; ReadIndex callbacks answer reads.
//
// Fail-stop: if Ready() or the state machine reports a storage failure, the server halts (it
// ignores every later input) and tells its host through on_halt; the host crashes and reopens it.
//
// Fault point "server.crash-mid-broadcast" (BUGGIFY, simulator only): in a Ready that persists a
// change of election state (a new term, a vote, a new role), the server sends only a random
// prefix of that Ready's Raft messages and then halts, telling on_halt it was the fault point;
// the simulated host restarts it at once. This is the crash at the
// worst moment: right after a vote or a term became durable and was (partly) announced. It is
// what exposes a vote that was never persisted (raft.forget-vote) and leaves the half-replicated
// logs of Figure 8.
//
// Bug switch raft.stale-read: a server that believes it is leader answers reads from its own
// state without ReadIndex, so a deposed leader in a minority partition serves stale values.
//
// Invariants: a write is answered ok only after its command was applied at this server; a
// not-leader reply is sent only for a request this server did not propose in this attempt;
// waiting writes belong to the current term (a term change forgets them: their clients retry).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>
#include <string_view>
#include <string>

#include "core/env.h"
#include "core/metrics.h"
#include "core/prefix_disk.h"
#include "node/client_protocol.h"
#include "node/kv_state_machine.h"
#include "node/sql_server.h"
#include "raft/raft.h"
#include "storage/engine.h"

namespace orrery::node {

// Builds the storage engine of a server on its "kv-" disk.
using EngineFactory =
    std::function<Result<std::unique_ptr<storage::Engine>>(Env& env, Disk& kv_disk)>;

// Returns the factory for "memory" or "lsm" (InvalidArgument for anything else, NotSupported for
// "lsm" in a build without storage/lsm).
Result<EngineFactory> MakeEngineFactory(std::string_view name);

// True iff this build has the LSM engine.
bool HaveLsmEngine();

struct KvServerOptions {
    raft::RaftConfig raft;                  // raft.id must equal env.node; peers on first boot.
    Duration tick = Duration::Millis(10);   // The Raft tick period.
    EngineFactory engine;                   // nullptr: MemoryEngine (nothing survives a crash).
    KvStateMachineOptions kv;               // Includes kv.no-dedup.
    bool bug_stale_read = false;            // raft.stale-read.
    size_t max_waiting_writes = 1024;       // Proposed writes awaiting apply.
    size_t max_waiting_reads = 1024;        // Reads awaiting ReadIndex.
    // MVCC garbage collection: a leader proposes a txn-gc command (txn_state_machine.h) keeping
    // this many versions when twice as many have piled up above the horizon. 0: never.
    uint64_t mvcc_keep_versions = 0;
    // Group commit for real processes: after an input, run Ready() on a zero-delay timer (once
    // per turn of the event loop) instead of at once, so every request and ack that arrived in
    // the same turn is persisted with ONE sync and sent in one batch. Off in the simulator, whose
    // traces keep one Ready per event.
    bool batch_ready = false;
    // The SQL server (sql_server.h): sessions, bounds, the sql.no-read-set bug switch.
    SqlServerOptions sql;
    // Called (once) when the server halts: on a storage failure (fault_point false), or at the
    // fault point server.crash-mid-broadcast (fault_point true). May be empty.
    std::function<void(const Status& why, bool fault_point)> on_halt;
};

// The protocol bug switches a server itself can turn on, by name: kv.no-dedup, raft.stale-read,
// raft.forget-vote, raft.commit-old-term, mvcc.snapshot-only, sql.no-read-set. (storage.no-sync is a fault of
// the disk under the server, which the simulator's runner supplies.) Used by `orrery node --bug`
// and by the simulator's runner, so both mean the same mistake by one name.
const std::vector<std::string>& ServerBugNames();

// Sets the option of bug switch `name` in `options`; InvalidArgument naming the known switches
// for any other name.
Status EnableServerBug(std::string_view name, KvServerOptions* options);


// What the server counts of its client requests, for a node's metrics (node/node_metrics.h). A
// request is timed from its arrival to its reply, on the server's clock (in the simulator, virtual
// time). Requests left without a reply (a write forgotten at a term change, whose client retries)
// stop being timed after kUnansweredAfter and are counted as unanswered.
struct RequestCounters {
    static constexpr Duration kUnansweredAfter = Duration::Seconds(30);
    std::map<RequestOp, uint64_t> requests;                     // Arrived, by operation.
    std::map<std::pair<RequestOp, ReplyCode>, uint64_t> replies;  // Answered, by outcome.
    std::map<RequestOp, metrics::LatencyHistogram> latency;      // Arrival to reply.
    uint64_t unanswered = 0;

    // A request arrived at `now`: counted, and (when `timed`) timed until its reply. A retry
    // with the same (client, seq) restarts the timing: its client waits from here.
    void Arrived(const ClientRequest& request, Timestamp now, bool timed = true);
    // A reply went out at `now`: counted by outcome with its latency, if its request was timed.
    void Replied(uint64_t client_id, uint64_t seq, ReplyCode code, Timestamp now);
    // Requests waiting longer than kUnansweredAfter stop being timed and count as unanswered.
    // A linear pass: call it about once a second.
    void PruneUnanswered(Timestamp now);

private:
    // Requests awaiting a reply: (client, seq) -> (op, arrival).
    std::map<std::pair<uint64_t, uint64_t>, std::pair<RequestOp, Timestamp>> in_flight_;
};

class KvServer {
public:
    // Recovers the engine, the state machine and Raft from env.disk, installs the network
    // handler and starts ticking. Errors: the engine's or Raft's (e.g. kCorruption, kIOError).
    static Result<std::unique_ptr<KvServer>> Open(Env& env, KvServerOptions options);
    ~KvServer();

    KvServer(const KvServer&) = delete;
    KvServer& operator=(const KvServer&) = delete;

    // A snapshot of the server's state for status replies and tools.
    ServerStatus status() const;

    const raft::RaftNode& raft() const { return *raft_; }
    KvStateMachine& state_machine() { return *sm_; }
    const SqlServer& sql() const { return *sql_; }
    bool halted() const { return halted_; }
    const Status& halt_reason() const { return halt_reason_; }

    // Counters over this incarnation.
    const RequestCounters& request_counters() const { return counters_; }
    // The engine's own report (GetStatus) and the engine, for metrics.
    storage::Engine& engine() { return *engine_; }
    uint64_t writes_proposed() const { return writes_proposed_; }
    uint64_t reads_served() const { return reads_served_; }

private:
    struct Waiter {
        NodeId reply_to;
        Term term;
    };

    KvServer(Env& env, KvServerOptions options);
    Status Init();
    void OnDatagram(NodeId from, std::string_view bytes);
    void OnTick();
    void PruneUnanswered();
    void AfterInput();
    void RunReady();
    void OnRequest(NodeId from, const ClientRequest& request);
    void OnWrite(NodeId from, const ClientRequest& request);
    void OnRead(NodeId from, const ClientRequest& request);
    void AnswerRead(NodeId to, const ClientRequest& request);
    void AnswerTxnRead(NodeId to, const ClientRequest& request);  // txn_server.cpp
    void MaybeProposeGc();                                        // txn_server.cpp
    void OnApplied(const Command& command, const CommandReply& reply);
    void ForgetStaleWaiters();
    void Reply(NodeId to, const ClientRequest& request, ReplyCode code, std::string value = {},
               std::string message = {});
    void SendReply(NodeId to, const ClientReply& reply);
    // An ok reply carrying scan results.
    void ReplyPairs(NodeId to, const ClientRequest& request,
                    std::vector<std::pair<std::string, std::string>> pairs);
    void Halt(Status reason, bool fault_point = false);
    uint32_t LeaderHint() const;
    // Hash64 chain over the engine's (key, value) pairs in order (ServerStatus::state_hash).
    uint64_t StateHash();

    Env& env_;
    KvServerOptions options_;
    PrefixDisk raft_disk_;
    PrefixDisk kv_disk_;
    std::unique_ptr<storage::Engine> engine_;
    std::unique_ptr<KvStateMachine> sm_;
    std::unique_ptr<raft::RaftNode> raft_;  // Destroyed before sm_: it refers to sm_.
    std::unique_ptr<SqlServer> sql_;        // Destroyed first: it refers to raft_ and sm_.
    std::optional<TimerId> tick_timer_;
    std::optional<TimerId> ready_timer_;  // batch_ready: a Ready() is scheduled.
    std::map<std::pair<uint64_t, uint64_t>, Waiter> waiting_writes_;  // (client, seq) -> waiter.
    size_t waiting_reads_ = 0;
    Term waiters_term_;
    bool halted_ = false;
    Status halt_reason_;
    // Election state after the last Ready (for the fault point) and, while the fault point's
    // crash is under way, how many more Raft messages may leave (nullopt: no crash).
    Term ready_term_;
    std::optional<NodeId> ready_vote_;
    raft::Role ready_role_ = raft::Role::kFollower;
    std::optional<uint64_t> sends_before_crash_;
    uint64_t sent_in_crash_ = 0;
    uint64_t writes_proposed_ = 0;
    uint64_t reads_served_ = 0;
    uint64_t gc_ticks_ = 0;  // Ticks since the last GC check.
    // Requests awaiting their reply: (client, seq) -> (operation, arrival), for the latency
    // histograms; pruned of unanswered ones about once a second (OnTick).
    uint64_t prune_ticks_ = 0;
    RequestCounters counters_;
};

}  // namespace orrery::node
