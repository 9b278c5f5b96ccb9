// Swim: SWIM-style membership and failure detection as a pure state machine (Das, Gupta and
// Motivala, "SWIM: Scalable Weakly-consistent Infection-style Process Group Membership
// Protocol", 2002), in the shape of raft/raft.h: inputs are Step(message), Tick() and Leave();
// outputs are messages through the `send` callback, membership changes through the listener,
// and trace events. It never blocks, never reads a clock except to stamp table entries, and
// keeps nothing on disk: a restarted node rebuilds its table by joining again.
//
// Time is counted in ticks; a protocol period (SWIM's T') is `probe_ticks` ticks. Each period:
//  1. if the previous period's probe got no Ack, directly or indirectly, its target becomes
//     suspect (§4.2: suspicion instead of immediate failure);
//  2. the next target is taken from a shuffled round-robin list of the reachable members (§4.3:
//     every member is probed within a bounded number of periods), and pinged;
//  3. if no Ack came after `ack_timeout_ticks`, `indirect_probes` (k) other alive members are
//     asked to ping the target for us (PingReq, §3.1), and relay its Ack back;
//  4. a member suspect for `suspicion_periods` periods is declared dead (Confirm, §4.2).
// Updates are disseminated by piggybacking on every message (§4.1): each is sent
// retransmit_mult * ceil(log2(n + 1)) times, the least-sent first.
//
// Refutation (§4.2): a node that hears itself suspected (or declared dead or left) at its
// current incarnation or later raises its incarnation above it and gossips "alive". Two choices
// make refutation quick and partitions heal:
//  - every message carries the sender's incarnation, and is read as the sender's own alive
//    claim (only the sender raises its incarnation, so the claim is authoritative);
//  - a message to a member that the sender believes suspect or dead carries that belief (the
//    accusation travels to the accused), and every `reconnect_periods` periods a node pings one
//    member it believes dead: a live one refutes, and the two sides of a healed partition merge.
// A node whose seeds are set starts alone and, each period, sends Join to one seed it has not
// heard of yet; the seed answers with its whole table (JoinAck).
//
// Invariants: the node's own entry is always alive at its current incarnation (until it leaves);
// its incarnation never decreases within a lifetime; every loop is bounded by the table size
// (at most kMaxMembers) or by a named limit.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/env.h"
#include "gossip/membership.h"
#include "gossip/message.h"

namespace orrery::gossip {

struct GossipConfig {
    NodeId id;
    std::vector<NodeId> seeds;     // Members to join through (self is ignored).
    int probe_ticks = 5;           // Ticks per protocol period (SWIM's T').
    int ack_timeout_ticks = 2;     // Wait for a direct Ack before probing indirectly.
    int indirect_probes = 3;       // k: members asked to relay a probe.
    int suspicion_periods = 8;     // Suspect -> dead after this many periods.
    int retransmit_mult = 3;       // lambda: piggyback each update lambda*ceil(log2(n+1)) times.
    size_t max_piggyback = 8;      // Updates per message, at most (plus an accusation).
    int reconnect_periods = 4;     // Every this many periods, ping one member believed dead.
    // Bug switch (for the membership property to catch): a node never refutes a suspicion of
    // itself (gossip.no-refute).
    bool bug_no_refute = false;
};

// Checks a configuration's bounds; InvalidArgument naming the bad field.
Status ValidateConfig(const GossipConfig& config);

class Swim {
public:
    using Send = std::function<void(NodeId to, std::string bytes)>;
    // Called after every change of the table with the changed entry (including self).
    using Listener = std::function<void(const Member&)>;

    // REQUIRES: ValidateConfig(config).ok(). `env` outlives the node. Without seeds the node
    // starts joined (the first member of a new cluster, or a cluster whose members all know
    // each other: then seeds = everyone and each joins through the others).
    Swim(Env& env, GossipConfig config, Send send);

    // A gossip message arrived from `from`. Malformed bytes are dropped with a trace note.
    void Step(NodeId from, std::string_view bytes);
    // One tick of logical time.
    void Tick();
    // Leaves gracefully: announces "left" at a higher incarnation to every reachable member and
    // goes silent (Step and Tick do nothing afterwards).
    void Leave();

    void SetListener(Listener listener) { listener_ = std::move(listener); }

    const MembershipTable& table() const { return table_; }
    NodeId id() const { return config_.id; }
    uint64_t incarnation() const { return incarnation_; }
    uint64_t period() const { return period_; }
    uint64_t ticks() const { return ticks_; }
    bool joined() const { return joined_; }
    bool left() const { return left_; }
    uint64_t malformed() const { return malformed_; }
    // The members this node believes alive (self included), sorted.
    std::vector<NodeId> AliveMembers() const { return table_.InState(State::kAlive); }
    // Updates still waiting to be piggybacked, and how often each was sent (for status).
    size_t pending_broadcasts() const { return broadcasts_.size(); }

private:
    struct Probe {
        NodeId target;
        uint64_t seq = 0;
        uint64_t started_tick = 0;
        bool acked = false;
        bool indirect_sent = false;
    };
    struct Relay {
        NodeId requester;
        uint64_t requester_seq = 0;
        NodeId target;
        uint64_t expires_tick = 0;
    };
    struct Broadcast {
        Update update;
        int transmits = 0;
    };

    void StartPeriod();
    void ProbeNext();
    void ProbeIndirectly();
    void Reconnect();
    void SendJoin();
    void ExpireSuspects();
    void ExpireRelays();

    void Handle(NodeId from, const Message& m);
    void HandlePing(NodeId from, const Message& m);
    void HandleAck(const Message& m);
    void HandlePingReq(NodeId from, const Message& m);

    // Applies one update (from a message, a timeout or this node's own decision).
    void ApplyUpdate(const Update& u, std::string_view why);
    void ApplyAboutSelf(const Update& u);
    void Changed(const Member& m, std::string_view why);

    void SendTo(NodeId to, Message m);
    std::vector<Update> Piggyback(NodeId to);
    int RetransmitLimit() const;
    std::optional<NodeId> RandomPick(std::vector<NodeId> from);

    Env& env_;
    GossipConfig config_;
    Send send_;
    Random rng_;
    Listener listener_;
    MembershipTable table_;
    uint64_t incarnation_ = 0;
    uint64_t ticks_ = 0;
    uint64_t period_ = 0;
    uint64_t seq_ = 0;
    bool joined_ = false;
    bool left_ = false;
    uint64_t malformed_ = 0;
    size_t next_seed_ = 0;
    std::optional<Probe> probe_;
    std::vector<NodeId> probe_order_;
    size_t probe_next_ = 0;
    std::map<uint64_t, Relay> relays_;           // By the seq of the relayed Ping.
    std::map<NodeId, uint64_t> suspect_since_;   // Tick at which each suspicion began.
    std::map<NodeId, Broadcast> broadcasts_;     // The newest update per member, to piggyback.
};

}  // namespace orrery::gossip
