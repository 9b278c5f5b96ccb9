// LeaderlessServer: one node of the leaderless (Dynamo/Cassandra-style) mode.
//
// Every node is a peer: any node coordinates any client request, for the replicas the hash
// ring (leaderless_ring.h) names for the key. What it owns, all on PrefixDisk(env.disk, "ll-"):
//  - one storage engine holding the node's replica cells ("d/" + key, leaderless_cell.h), its
//    hints ("h/...", leaderless_hints.h), and CASPaxos state ("paxos/...", "paxos-proposer/...");
//  - gossip::Swim for membership and failure detection (the ring is built from membership,
//    hinted handoff and replay from liveness);
//  - a paxos::Acceptor and a paxos::Proposer for lightweight transactions.
//
// A client request (the replicated mode's client protocol; consistency in `limit`, see
// leaderless_message.h) is served by the node it reaches, as coordinator:
//  - put/delete at ONE/QUORUM/ALL: the cell gets the coordinator's next timestamp (its Clock,
//    made unique), is written to every replica, and the reply goes out once the level's number
//    of replicas acknowledged (each syncs before acking). A replica gossip believes dead gets a
//    hint at once; a replica that does not ack within request_timeout gets one then. Without
//    enough acks in time the reply is kError "timeout" (outcome unknown: info);
//  - get: read from every replica; once the level's number answered, the answers older than
//    the last-write-wins winner are repaired and the reply waits for those repairs to be acked
//    (blocking read repair, as Cassandra does: without it a QUORUM read could return a value
//    that a later QUORUM read does not see, which is not linearizable even without faults).
//    Answers that arrive after the reply are repaired too, without waiting;
//  - cas at ONE/QUORUM/ALL is refused (kAborted): a compare-and-set is a lightweight
//    transaction, so it needs SERIAL;
//  - SERIAL: get/put/delete/cas run as one CASPaxos round on the key's replicas, on a register
//    whose value is the partition's cells (paxos/batch.h). LWT state and plain cells are
//    separate: a key is meant to be used through one or the other.
// Duplicated client datagrams (the network duplicates) are answered from a small table of
// recent (client, seq) pairs, never run twice. A request refused before it ran (an unknown
// consistency level, an op the mode does not serve, a bad key) is answered kAborted with the
// reason: a definite failure with no effect, which KvClient reports as fail without retrying.
//
// Every tick (options.tick): gossip ticks (every gossip_every_ticks), the proposer ticks,
// request deadlines are checked, hints for live targets are replayed, and now and then
// tombstones older than tombstone_grace are purged.
//
// Fail-stop: a storage error halts the server (every later input is ignored) and calls on_halt.
//
// Fault point leaderless.crash-after-promise (BUGGIFY, simulator only): right after an acceptor
// sent a Promise, the server halts and its host restarts it at once, while the proposer that
// got the promise is still running. A promise that was not durable (paxos.forget-promise) is
// then forgotten while someone relies on it, which is the crash that bug needs to show.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/prefix_disk.h"
#include "gossip/swim.h"
#include "node/client_protocol.h"
#include "node/kv_server.h"
#include "node/leaderless_cell.h"
#include "node/leaderless_hints.h"
#include "node/leaderless_message.h"
#include "node/leaderless_ring.h"
#include "paxos/acceptor.h"
#include "paxos/batch.h"
#include "paxos/proposer.h"

namespace orrery::node {

struct LeaderlessOptions {
    std::vector<NodeId> peers;                       // Every server (self included): ring, seeds.
    uint32_t rf = 3;                                 // Replicas per key.
    uint32_t vnodes = 16;                            // Tokens per node on the ring.
    Consistency consistency = Consistency::kQuorum;  // The level of requests that name none.
    Duration tick = Duration::Millis(10);
    int gossip_every_ticks = 2;                      // Gossip ticks every this many ticks.
    Duration request_timeout = Duration::Millis(500);
    Duration hint_retry = Duration::Millis(200);     // Resend an unacked hint after this.
    Duration tombstone_grace = Duration::Seconds(10);
    EngineFactory engine;                            // nullptr: MemoryEngine.
    gossip::GossipConfig gossip;                     // id and seeds are filled in.
    paxos::ProposerConfig paxos;                     // id is filled in.
    paxos::AcceptorConfig acceptor;
    // The clock of cell timestamps and of the tombstone grace period, in µs. nullptr: env.clock,
    // whose skew the simulator controls. A real node passes the calendar clock: env.clock there
    // is CLOCK_MONOTONIC, which restarts at a reboot, and a cell stamped before one would then
    // win over every write after it.
    std::function<int64_t()> cell_clock_us;
    bool bug_volatile_hints = false;                 // handoff.volatile.
    paxos::AcceptObserver* paxos_observer = nullptr;  // The simulator's invariants.
    HintObserver* hint_observer = nullptr;
    // Called once when the server halts: a storage failure (fault_point false), or the fault
    // point leaderless.crash-after-promise (true: the host restarts it at once).
    std::function<void(const Status& why, bool fault_point)> on_halt;
};

// The bug switches of the leaderless mode: paxos.forget-promise, paxos.skip-accepted-value,
// handoff.volatile, gossip.no-refute.
const std::vector<std::string>& LeaderlessBugNames();
Status EnableLeaderlessBug(std::string_view name, LeaderlessOptions* options);

// What `repair` did (leaderless_repair.cpp).
struct RepairSummary {
    uint64_t ranges = 0;          // Token ranges compared.
    uint64_t leaves_differ = 0;   // Merkle leaves whose hashes differed.
    uint64_t cells_received = 0;  // Cells a replica held newer, merged here.
    uint64_t cells_streamed = 0;  // Cells sent to a replica that lacked them.
    uint64_t unanswered = 0;      // Ranges skipped: a replica did not answer in request_timeout.
    bool done = false;            // False: not run, because a repair was already running.
};

// "48 ranges compared (0 unanswered), 3 Merkle leaves differed, 5 cells received, 2 sent".
std::string DescribeRepair(const RepairSummary& summary);

class LeaderlessServer {
public:
    static Result<std::unique_ptr<LeaderlessServer>> Open(Env& env, LeaderlessOptions options);
    ~LeaderlessServer();
    LeaderlessServer(const LeaderlessServer&) = delete;
    LeaderlessServer& operator=(const LeaderlessServer&) = delete;

    const gossip::Swim& gossip() const { return *swim_; }
    const HashRing& ring() const { return *ring_; }
    const HintStore& hints() const { return *hints_; }
    bool halted() const { return halted_; }
    // The replica cell this node holds for key (nullopt: none).
    Result<std::optional<Cell>> LocalCell(const std::string& key);
    // The node's replica cells in key order (for anti-entropy and tests).
    Result<std::vector<std::pair<std::string, Cell>>> LocalCells();

    // Starts anti-entropy over every range this node replicates (leaderless_repair.cpp);
    // `done` runs when every range was compared and streamed, or after the repair timeout.
    void Repair(std::function<void(const RepairSummary&)> done);

    // Multi-line text: the gossip table and the ring (for `orrery cluster status`).
    std::string DescribeStatus() const;

    uint64_t requests_coordinated() const { return requests_; }

    // What the metrics endpoint reports (node/node_metrics.h): client requests, replies and
    // latency as the Raft node counts them (RequestCounters), and the mode's own counts.
    struct Counters {
        RequestCounters requests;
        uint64_t hints_stored = 0;     // Hints written for a replica that did not ack.
        uint64_t hints_delivered = 0;  // Hints the target acked (then deleted).
        uint64_t read_repairs = 0;     // Newer cells sent to replicas that answered a read stale.
    };
    const Counters& counters() const { return counters_; }
    storage::Engine& engine() { return *engine_; }
    uint32_t rf() const { return options_.rf; }
    const paxos::Proposer& proposer() const { return *proposer_; }

private:
    // One request being coordinated (leaderless_coordinator.cpp).
    struct Pending {
        enum class Phase : uint8_t { kRead, kRepair, kWrite };
        uint64_t id = 0;
        NodeId client;
        ClientRequest request;
        Phase phase = Phase::kRead;
        std::vector<NodeId> replicas;
        uint32_t required = 1;
        Timestamp deadline;
        bool replied = false;
        std::optional<Cell> cell;                              // Write: what is being written.
        std::set<NodeId> acks;                                 // Write: who acked.
        std::set<NodeId> hinted;                               // Write: who got a hint instead.
        std::map<NodeId, std::optional<Cell>> answers;         // Read: who answered what.
        std::optional<Cell> winner;                            // Read: the merged answer so far.
        std::set<NodeId> repairing;                            // Repair: stale answers being fixed.
    };
    // One anti-entropy run (leaderless_repair.cpp).
    struct RepairJob {
        std::vector<TokenRange> ranges;  // The ranges this node replicates, in ring order.
        size_t next = 0;
        TokenRange current;
        std::set<NodeId> waiting;        // Replicas of the current range still to answer.
        std::map<NodeId, std::set<uint32_t>> requested;  // The leaves asked of each replica.
        uint64_t id = 0;                 // The current range's request id.
        uint64_t generation = 0;         // Bumped per range, so a stale timer does nothing.
        RepairSummary summary;
        std::function<void(const RepairSummary&)> done;
    };

    LeaderlessServer(Env& env, LeaderlessOptions options);
    Status Init();
    void OnDatagram(NodeId from, std::string_view bytes);
    void OnTick();
    void RebuildRing();
    void Halt(const Status& why, bool fault_point = false);
    bool Check(const Status& s);  // Halts on error; returns s.ok().
    void SendPaxos(NodeId to, std::string bytes);
    void OnPaxos(NodeId from, std::string_view payload);
    void DrainLoopback();
    bool Alive(NodeId id) const;

    // Replica side (leaderless_server.cpp).
    void OnReplica(NodeId from, const ReplicaMessage& m);
    Result<bool> MergeLocal(const std::string& key, const Cell& cell);
    void ReplayHints();
    void PurgeTombstones();

    // Coordinator (leaderless_coordinator.cpp).
    void OnClient(NodeId from, const ClientRequest& request);
    void StartPlain(NodeId from, const ClientRequest& request, Consistency level);
    void StartLwt(NodeId from, const ClientRequest& request);
    void StartWrite(Pending& p, Cell cell);
    void StartRead(Pending& p);
    void OnWriteAck(NodeId from, uint64_t id);
    void OnReadReply(NodeId from, const ReplicaMessage& m);
    void ReadQuorum(Pending& p);
    void StoreHint(Pending& p, NodeId target);
    void ExpireRequests();
    void Reply(NodeId to, const ClientRequest& request, ReplyCode code, std::string value = {},
               std::string message = {});
    int64_t NextTimestamp();
    int64_t CellClockUs() const;  // options.cell_clock_us, or env.clock.

    // Anti-entropy (leaderless_repair.cpp).
    void OnTreeReq(NodeId from, const ReplicaMessage& m);
    void OnRangeReq(NodeId from, const ReplicaMessage& m);
    void OnRepairReply(NodeId from, const ReplicaMessage& m);
    void RepairNextRange();
    void FinishRepair();

    Env& env_;
    LeaderlessOptions options_;
    PrefixDisk disk_;
    std::unique_ptr<storage::Engine> engine_;
    std::unique_ptr<HintStore> hints_;
    std::unique_ptr<paxos::Acceptor> acceptor_;
    std::unique_ptr<paxos::Proposer> proposer_;
    std::unique_ptr<gossip::Swim> swim_;
    std::unique_ptr<HashRing> ring_;
    std::optional<TimerId> tick_timer_;
    std::optional<TimerId> loopback_timer_;
    std::deque<std::string> loopback_;  // Paxos messages to ourselves, delivered on a timer.
    uint64_t ticks_ = 0;
    bool halted_ = false;
    int64_t last_timestamp_us_ = 0;
    uint64_t next_id_ = 1;
    std::map<uint64_t, std::unique_ptr<Pending>> pending_;
    // Recent client requests: (client, seq) -> the reply once sent (nullopt: in progress).
    std::map<std::pair<uint64_t, uint64_t>, std::optional<ClientReply>> recent_;
    std::deque<std::pair<uint64_t, uint64_t>> recent_order_;
    std::map<uint64_t, Timestamp> hints_in_flight_;  // Hint id -> when it was last sent.
    std::unique_ptr<RepairJob> repair_;
    uint64_t requests_ = 0;
    Counters counters_;
};

}  // namespace orrery::node
