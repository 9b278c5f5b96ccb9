// HashRing: the consistent-hash ring of the leaderless mode (Karger et al. 1997; Dynamo §4.2).
//
// Every member owns `vnodes` tokens on a 64-bit ring; token i of node n is Hash64("n<n>/<i>").
// A key's token is Hash64(key); its replicas are the first `rf` distinct members met walking
// clockwise from the key's token (Dynamo's preference list). Virtual nodes spread each member's
// share over the ring, so adding or removing one member moves about 1/N of the keys, taken
// evenly from all the others.
//
// The ring is built from membership (gossip's table: every member that has not left, alive or
// not), not from liveness: a crashed replica still owns its ranges, and writes meant for it
// become hints (leaderless_hints.h) instead of moving to another node.
//
// Invariants: tokens are sorted and unique (a collision, astronomically rare, keeps the lower
// node id); Replicas() returns min(rf, members) distinct nodes; the ring is a pure function of
// its member set, so every node that agrees on membership agrees on every key's replicas.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/types.h"

namespace orrery::node {

inline constexpr uint32_t kMaxVnodes = 256;

// One contiguous range of tokens (lo, hi], owned by the replicas of its end token.
struct TokenRange {
    uint64_t lo = 0;  // Exclusive (the previous token).
    uint64_t hi = 0;  // Inclusive. lo == hi: the whole ring (one token only).
    bool Contains(uint64_t token) const;
};

class HashRing {
public:
    // REQUIRES: 1 <= vnodes <= kMaxVnodes.
    HashRing(std::vector<NodeId> members, uint32_t vnodes);

    // The token of a key.
    static uint64_t KeyToken(std::string_view key);

    // The first `rf` distinct members clockwise from the key's token, in ring order.
    std::vector<NodeId> Replicas(std::string_view key, uint32_t rf) const;
    std::vector<NodeId> ReplicasOfToken(uint64_t token, uint32_t rf) const;

    // Every range between consecutive tokens, in token order.
    std::vector<TokenRange> Ranges() const;

    const std::vector<NodeId>& members() const { return members_; }
    size_t tokens() const { return ring_.size(); }
    // Each member's share of the ring, in parts per million (for `orrery cluster status`).
    std::vector<std::pair<NodeId, uint64_t>> Ownership() const;

private:
    std::vector<NodeId> members_;               // Sorted, distinct.
    std::vector<std::pair<uint64_t, NodeId>> ring_;  // (token, owner), sorted by token.
};

}  // namespace orrery::node
