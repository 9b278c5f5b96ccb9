// The membership table: see membership.h for the precedence rule it implements.
#include "gossip/membership.h"

#include <tuple>

namespace orrery::gossip {

bool MembershipTable::Supersedes(const Update& u) const {
    auto it = members_.find(u.member);
    if (it == members_.end()) return members_.size() < kMaxMembers;
    const Member& m = it->second;
    return std::make_tuple(u.incarnation, Rank(u.state)) >
           std::make_tuple(m.incarnation, Rank(m.state));
}

bool MembershipTable::Apply(const Update& u, Timestamp now, uint64_t period) {
    ORRERY_ASSERT(u.member.value() != 0);
    if (!Supersedes(u)) return false;
    Member& m = members_[u.member];
    // The rule may only move an entry forward: (incarnation, rank) is monotonic per member.
    ORRERY_ASSERT(m.id.value() == 0 || u.incarnation >= m.incarnation);
    m.id = u.member;
    m.state = u.state;
    m.incarnation = u.incarnation;
    m.changed_at = now;
    m.changed_period = period;
    return true;
}

const Member* MembershipTable::Find(NodeId id) const {
    auto it = members_.find(id);
    return it == members_.end() ? nullptr : &it->second;
}

std::vector<NodeId> MembershipTable::InState(State state) const {
    std::vector<NodeId> out;
    for (const auto& [id, m] : members_) {
        if (m.state == state) out.push_back(id);
    }
    return out;
}

std::vector<NodeId> MembershipTable::Reachable() const {
    std::vector<NodeId> out;
    for (const auto& [id, m] : members_) {
        if (m.state == State::kAlive || m.state == State::kSuspect) out.push_back(id);
    }
    return out;
}

std::vector<Update> MembershipTable::AsUpdates() const {
    std::vector<Update> out;
    out.reserve(members_.size());
    for (const auto& [id, m] : members_) out.push_back({id, m.state, m.incarnation});
    return out;
}

}  // namespace orrery::gossip
