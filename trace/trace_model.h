// TraceModel: what the trace viewer (`orrery trace html`) draws, computed from a trace.
//
// A trace is a flat list of events (core/trace.h). People want to see it as a run: one lane per
// node and per client, messages as arrows from send to delivery (or to where they were dropped),
// crashes, restarts and nemesis faults, each node's Raft role, term and commit index over time,
// and each node's log at any instant. This file derives all of that, once, in C++, so the page
// only draws and the derivation is unit-tested:
//
// * Messages: a send is paired with the first pending delivery (or drop) of the same sender,
//   receiver and byte hash "h" (identical bytes are interchangeable, so FIFO is exact enough).
//   A sender-side drop ends the send just made; a "dup" adds a second copy of it.
// * Roles: the Raft "role" and "term" events; a crash makes the node "down" and a restart a
//   follower in its last term (the term is durable). A node without any Raft event gets none.
// * Commit: the "commit" events; unknown (-1) after a restart until the next one (a restarted
//   node restores its commit index without tracing it).
// * Logs: the trace has no "append" event, so the log is inferred from the Raft messages, as a
//   student would from the diagram:
//     - a node that sends Append owns the entries it sends (a leader, or a node forwarding);
//     - a node that receives Append at a term >= its own, whose prev entry matches, takes the
//       entries: the first entry that conflicts truncates the rest (Raft §5.3);
//     - the last chunk of a Snapshot replaces the prefix up to its index;
//     - evidence fixes the tail: an AppendResp "reject ... last=N" or a (Pre)Vote "last=I@T" sent
//       by a node says its log ends at N (or I): a crash may have lost an unsynced tail.
//   Batches longer than four entries are shown as "[a b … z]" in the trace: the hidden middle
//   entries get term 0 ("unknown") unless the terms on both sides agree.
//   The inference is exact for runs without crashes and hidden-middle batches; otherwise it is
//   the best the trace tells, corrected at each message that says more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trace/trace_event.h"

namespace orrery::trace {

struct Lane {
    int64_t node = 0;  // 0: the simulator/nemesis; >= 1000: a client endpoint.
    std::string name;  // "sim", "n1", "c1000".
    bool client = false;
};

enum class MessageFate {
    kDelivered = 0,
    kDroppedAtSender = 1,    // cut link or random loss, decided at send time.
    kDroppedAtReceiver = 2,  // arrived at a cut link or a down node.
    kInFlight = 3,           // neither delivered nor dropped by the end of the trace.
};

struct Message {
    size_t send = 0;                // Event index of the send.
    std::optional<size_t> end;      // The deliver or drop event (none when in flight).
    MessageFate fate = MessageFate::kInFlight;
    int64_t from = 0;
    int64_t to = 0;
    std::string kind;               // First word of "msg" ("Append", "Put"), or "message".
    bool duplicate = false;         // The network's second copy.
};

// From event `event` on (inclusive), `node` has this role and term. event -1: initial state.
struct RoleStep {
    long event = -1;
    int64_t node = 0;
    std::string role;  // "follower", "pre-candidate", "candidate", "leader", "learner", "down".
    int64_t term = 0;
};

struct CommitStep {
    long event = -1;
    int64_t node = 0;
    int64_t index = 0;  // -1: unknown (after a restart).
};

// A node's log: a snapshot base plus entries base+1, base+2, ... (terms; 0 = term unknown).
struct NodeLog {
    int64_t base_index = 0;
    int64_t base_term = 0;
    std::vector<int64_t> terms;

    int64_t last_index() const { return base_index + static_cast<int64_t>(terms.size()); }
    // Term of the entry at `index` (base_term at the base, 0 if unknown); nullopt if absent.
    std::optional<int64_t> TermAt(int64_t index) const;
    // "base 3@1 | 4@1 5@2" style rendering, for tests and messages.
    std::string ToString() const;
    bool operator==(const NodeLog&) const = default;
};

// One change to a node's log, applied after event `event`: if `base` is set the snapshot base
// becomes it (entries at or below it vanish); then every entry after index `keep` is dropped and
// `terms` appended from keep+1. Ops are the minimal difference, in event order.
struct LogOp {
    size_t event = 0;
    int64_t node = 0;
    std::optional<std::pair<int64_t, int64_t>> base;  // (index, term)
    int64_t keep = 0;
    std::vector<int64_t> terms;
};

// A nemesis fault from its "fault" event to the matching "heal" (same "what"), if any.
struct FaultSpan {
    size_t start = 0;
    std::optional<size_t> end;
    std::string what;
    std::string detail;
};

struct TraceModel {
    std::vector<TraceEvent> events;
    std::vector<Lane> lanes;           // sim first (if it has events), servers, then clients.
    std::vector<Message> messages;     // In send order.
    std::vector<RoleStep> roles;       // In event order.
    std::vector<CommitStep> commits;   // In event order.
    std::vector<LogOp> log_ops;        // In event order.
    std::vector<FaultSpan> faults;     // In start order.
};

TraceModel BuildTraceModel(std::vector<TraceEvent> events);

// The log of `node` just after event `event` (apply every op up to it). event -1: the start.
NodeLog LogAt(const TraceModel& model, long event, int64_t node);

// One server just after an event: what the viewer draws at its cursor, and what
// `orrery trace step`'s panel prints.
struct ServerState {
    int64_t node = 0;
    std::string role;     // As in RoleStep; "" when the trace has no Raft event of this node.
    int64_t term = 0;
    int64_t commit = 0;   // -1: unknown (after a restart, until the next "commit" event).
    NodeLog log;
};

// Every server lane's state just after event `event` (-1: the start), in lane order.
std::vector<ServerState> ServerStatesAt(const TraceModel& model, long event);

// The name of a lane: "sim" for 0, "c1000" for clients, "n1" for servers.
std::string LaneName(int64_t node);

// The first word of a message rendering ("Append t3 prev=..." -> "Append"); "message" if none.
std::string MessageKind(const TraceEvent& e);

}  // namespace orrery::trace
