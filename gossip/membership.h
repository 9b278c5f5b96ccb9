// The membership table: what one node believes about every member it has heard of.
//
// Each entry is (state, incarnation, time and protocol period of the last change). Only a member
// itself ever raises its own incarnation, which is how it refutes a suspicion (SWIM §4.2): the
// claim "n3 is alive at incarnation 5" can only come from n3, while anyone may say "n3 is
// suspect at incarnation 4".
//
// Precedence (SWIM §4.2, extended with dead and left): an update replaces the entry iff
//   (update.incarnation, rank(update.state)) > (entry.incarnation, rank(entry.state))
// lexicographically, with rank alive < suspect < dead < left. So at one incarnation suspicion
// beats alive, death beats suspicion, a graceful leave beats death; and any claim at a higher
// incarnation beats everything older, which is how a restarted or rejoining node (which
// refutes its own death with a higher incarnation) comes back. The order is total, so every
// node that sees the same set of updates ends with the same table whatever order they arrived
// in: this is the convergence argument of the dissemination.
//
// Invariants: the table holds at most kMaxMembers entries; an entry's (incarnation, rank) never
// decreases; the table is a std::map, so iteration (and everything printed) is in id order.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/types.h"
#include "gossip/message.h"

namespace orrery::gossip {

// A table never grows past this many members (updates about more are ignored).
inline constexpr size_t kMaxMembers = 200;

struct Member {
    NodeId id;
    State state = State::kAlive;
    uint64_t incarnation = 0;
    Timestamp changed_at;        // This node's clock when the entry last changed.
    uint64_t changed_period = 0;  // This node's protocol period when the entry last changed.
};

class MembershipTable {
public:
    // Applies u if it takes precedence (see above). Returns true iff the entry changed (or was
    // created). `now` and `period` stamp the change.
    bool Apply(const Update& u, Timestamp now, uint64_t period);

    // True iff u would change the table.
    bool Supersedes(const Update& u) const;

    const Member* Find(NodeId id) const;
    const std::map<NodeId, Member>& members() const { return members_; }
    size_t size() const { return members_.size(); }

    // The members in `state`, sorted by id.
    std::vector<NodeId> InState(State state) const;
    // Members that count as up (alive or suspect: SWIM keeps probing a suspect), sorted.
    std::vector<NodeId> Reachable() const;

    // The table as updates, in id order (what a JoinAck carries).
    std::vector<Update> AsUpdates() const;

private:
    std::map<NodeId, Member> members_;
};

// rank(state) as in the precedence rule above.
inline int Rank(State s) { return static_cast<int>(s); }

}  // namespace orrery::gossip
