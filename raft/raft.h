// Raft consensus as a pure state machine: the public API of the `raft/` layer.
//
// Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014, and
// Ongaro's thesis, 2014) keeps a replicated log identical on a majority of servers. This file is
// the contract between Raft and its host (node/ in a real process, the simulator, the scenario
// tests). A RaftNode never blocks and never reads a clock: its inputs are Step() (a message
// arrived), Tick() (one logical unit of time passed), Propose()/ReadIndex() and the membership
// calls; its outputs are messages (the `send` callback), writes and syncs on the Disk it was
// opened on, Apply() calls on the StateMachine, and trace events on env.tracer.
//
// The host's loop is: feed a batch of inputs, then call Ready(). Ready() makes the pending log and
// hard-state writes durable (one sync for the whole batch: group commit), then sends the queued
// messages, then applies committed entries. That ordering is what makes Raft's persistence rule
// hold (Figure 2: "respond to RPCs only after updating stable storage").
//
// Invariants the implementation asserts: the log's terms never decrease with the index; the commit
// index never decreases within a lifetime; applied <= commit <= last durable index; a node votes
// at most once per term (its vote is durable before the vote is sent).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/env.h"
#include "core/status.h"
#include "core/types.h"

namespace orrery::raft {

// What a log entry carries. kNoop is the entry a new leader appends at the start of its term
// (§5.4.2, thesis §6.4); kConfig carries a full membership configuration (thesis §4.1).
enum class EntryType : uint8_t { kNormal = 0, kNoop = 1, kConfig = 2 };

// One entry of the replicated log.
struct Entry {
    Term term;
    LogIndex index;
    EntryType type = EntryType::kNormal;
    std::string data;

    friend bool operator==(const Entry&, const Entry&) = default;
};

// A server's role (§5.1, thesis §9.6 for pre-candidates, thesis §4.2.1 for learners).
enum class Role : uint8_t { kFollower = 0, kPreCandidate, kCandidate, kLeader, kLearner };

// Returns the lower-case name of a role: "follower", "pre-candidate", "candidate", "leader",
// "learner".
std::string_view RoleName(Role role);

// What the replicated state machine provides (implemented by node/). Called only on the node's
// event loop, in log order, exactly once per committed index across restarts (the state machine
// persists its applied index atomically with its state and reports it at startup).
class StateMachine {
public:
    virtual ~StateMachine() = default;
    // Returns the last index applied (durable or not).
    virtual LogIndex applied_index() const = 0;
    // Applies one committed entry. kNormal entries carry data; kNoop and kConfig entries only
    // advance the applied index.
    virtual void Apply(const Entry& entry) = 0;
    // Returns the full state as bytes, as of applied_index().
    virtual Result<std::string> Snapshot() = 0;
    // Replaces the whole state with `snapshot`; afterwards applied_index() == index.
    virtual Status Restore(LogIndex index, std::string_view snapshot) = 0;
};

// Tuning and switches of one Raft node.
struct RaftConfig {
    NodeId id;
    // The initial voters, including id; used only on first boot (an empty Disk). A node that
    // joins an existing cluster passes an empty list and learns its configuration from the leader.
    std::vector<NodeId> peers;
    int election_ticks = 10;   // Election timeout, randomized in [election_ticks, 2*election_ticks).
    int heartbeat_ticks = 1;   // A leader sends heartbeats every heartbeat_ticks ticks.
    bool pre_vote = true;      // Thesis §9.6.
    bool check_quorum = true;  // Thesis §6.2: a leader without a live majority steps down.
    size_t max_append_entries = 64;              // Entries per AppendEntries message.
    size_t max_inflight = 8;                     // Pipelined appends per follower.
    uint64_t snapshot_threshold_entries = 1000;  // Compact the log after this many applied entries.
    size_t snapshot_chunk_bytes = 64 * 1024;     // InstallSnapshot chunk size.
    uint64_t segment_bytes = 1 << 20;            // A log segment file rolls over past this size.
    // Bug switches (for the Jepsen checkers to catch): off by default.
    bool bug_forget_vote = false;      // raft.forget-vote: the vote is never written to disk.
    bool bug_commit_old_term = false;  // raft.commit-old-term: commit old-term entries by counting.
};

// One Raft peer as a pure state machine (etcd/toyDB style). It never blocks.
// Inputs: Step(message), Tick(), Propose(), ReadIndex(). Outputs: messages via the `send`
// callback, Disk writes/syncs through the Disk given at Open, Apply() calls on the StateMachine,
// and trace events through env.tracer ("role", "term", "commit", "apply", and "note" for a
// dropped malformed message).
// Durability rule (§5, Figure 2): term, vote and log entries are synced before any message that
// depends on them is sent. Outgoing messages are queued; Ready() persists (one sync for everything
// pending), then sends the queue, then applies newly committed entries. The host calls Ready()
// after every batch of inputs (after each event in the simulator).
class RaftNode {
public:
    using Send = std::function<void(NodeId to, std::string bytes)>;

    virtual ~RaftNode() = default;

    // Opens (recovers) the node from `disk`: the node's directory seen through
    // `orrery::PrefixDisk(node_disk, "raft-")` (core/prefix_disk.h), while the engine gets
    // PrefixDisk(node_disk, "kv-"). The StateMachine must already be recovered from its storage.
    // Returns kCorruption if synced Raft state fails its checksums (the node must not start);
    // a torn tail written after the last sync is discarded silently. `env`, `disk` and `sm`
    // must outlive the node. `send` is called only from inside Ready().
    static Result<std::unique_ptr<RaftNode>> Open(Env& env, Disk& disk, RaftConfig config,
                                                  StateMachine& sm, Send send);

    // A Raft message arrived (bytes produced by some node's `send`). Malformed or corrupted bytes
    // are dropped with a trace note; they never crash the node.
    virtual void Step(NodeId from, std::string_view bytes) = 0;

    // One logical tick. The host calls it at a fixed period (e.g. every 10 ms).
    virtual void Tick() = 0;

    // Appends a command if this node is the leader and returns its index. The command is
    // committed when StateMachine::Apply sees it at that index with this node's current term.
    // kNotLeader (message "leader=3" when the leader is known, else "leader=none") otherwise, and
    // kBusy while a leadership transfer is in progress.
    virtual Result<LogIndex> Propose(std::string data) = 0;

    // Linearizable read barrier (ReadIndex, thesis §6.4): calls done(OK) once the state machine
    // has applied at least the commit index that was current when leadership was confirmed by a
    // quorum heartbeat round; done(kNotLeader) if this node is not (or stops being) the leader,
    // done(kTimeout) if no quorum answered within two election timeouts. Never calls done inline:
    // always from a later Ready(). No lease reads: the simulator skews clocks.
    virtual void ReadIndex(std::function<void(Status)> done) = 0;

    // Persists, sends, applies (see the class comment). A non-OK status means the disk failed:
    // the host must stop this node (crash it) and may reopen it later.
    virtual Status Ready() = 0;

    // Membership (thesis §4.1-4.3, single-server changes). Leader only (kNotLeader otherwise).
    // Each appends one configuration entry, which takes effect as soon as it is appended, and
    // returns its index. Only one change may be pending (uncommitted) at a time (kBusy), and none
    // before the leader committed an entry of its own term (kUnavailable).
    virtual Result<LogIndex> AddLearner(NodeId id) = 0;
    // Promotes a learner to voter. kUnavailable until the learner has caught up with the commit
    // index (retry later).
    virtual Result<LogIndex> PromoteLearner(NodeId id) = 0;
    // Removes a voter or learner. A leader that removes itself leads until the entry commits,
    // then steps down (thesis §4.2.2).
    virtual Result<LogIndex> RemoveServer(NodeId id) = 0;
    // Leadership transfer (thesis §3.10): brings `to` up to date, then sends it TimeoutNow.
    // Proposals are refused with kBusy until the transfer ends or is abandoned after an
    // election timeout.
    virtual Status TransferLeadership(NodeId to) = 0;

    // Starts an election now, as if the election timer had fired (tests and tools only). A no-op
    // for leaders and for nodes that are not voters.
    virtual void Campaign() = 0;

    // Introspection for status, invariant checkers and traces.
    virtual NodeId id() const = 0;
    virtual Role role() const = 0;
    virtual Term term() const = 0;
    virtual std::optional<NodeId> voted_for() const = 0;
    // The last vote this node made known, as (term, candidate): set once the Ready that persisted
    // the vote has sent the messages that depend on it (a granted VoteResp, or a candidate's own
    // vote requests). A vote cast in memory and lost in a crash before that Ready is never
    // promised. The invariant checker holds every node to one promised candidate per term.
    virtual std::optional<std::pair<Term, NodeId>> promised_vote() const = 0;
    virtual std::optional<NodeId> leader() const = 0;
    virtual LogIndex commit_index() const = 0;
    virtual LogIndex applied_index() const = 0;  // The state machine's applied index.
    virtual LogIndex last_index() const = 0;
    virtual Term last_term() const = 0;          // The term of the entry at last_index().
    virtual LogIndex first_index() const = 0;    // First entry in the log (snapshot index + 1).
    virtual LogIndex snapshot_index() const = 0;
    // Returns the entry at i from the in-memory log view (nullopt if compacted or beyond the end).
    virtual std::optional<Entry> EntryAt(LogIndex i) const = 0;
    // Like EntryAt without the copy: nullptr if absent; valid until the node next changes.
    virtual const Entry* FindEntry(LogIndex i) const = 0;
    // Counts the changes that removed entries from the log's tail or replaced the whole log (a
    // conflicting suffix truncated, a snapshot installed over a divergent log). It never moves
    // on appends or compaction, so a checker may trust entries it verified while it is unchanged.
    virtual uint64_t log_rewrites() const = 0;
    virtual std::vector<NodeId> voters() const = 0;    // Sorted.
    virtual std::vector<NodeId> learners() const = 0;  // Sorted.
};

// Renders an encoded Raft message as one compact human line, e.g.
// "Append t3 prev=4@2 [5@3 6@3] commit=4". Malformed bytes render as "<corrupt: reason>".
std::string DescribeMessage(std::string_view bytes);

}  // namespace orrery::raft
