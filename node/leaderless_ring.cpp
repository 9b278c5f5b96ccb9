// HashRing: see leaderless_ring.h.
#include "node/leaderless_ring.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/assert.h"
#include "core/checksum.h"

namespace orrery::node {

bool TokenRange::Contains(uint64_t token) const {
    if (lo == hi) return true;
    if (lo < hi) return token > lo && token <= hi;
    return token > lo || token <= hi;  // The range wraps past the top of the ring.
}

HashRing::HashRing(std::vector<NodeId> members, uint32_t vnodes) : members_(std::move(members)) {
    ORRERY_ASSERT(vnodes >= 1 && vnodes <= kMaxVnodes, "vnodes {}", vnodes);
    std::sort(members_.begin(), members_.end());
    members_.erase(std::unique(members_.begin(), members_.end()), members_.end());
    ring_.reserve(members_.size() * vnodes);
    for (NodeId n : members_) {
        for (uint32_t i = 0; i < vnodes; ++i) {
            ring_.emplace_back(Hash64(fmt::format("n{}/{}", n.value(), i)), n);
        }
    }
    std::sort(ring_.begin(), ring_.end());
    ring_.erase(std::unique(ring_.begin(), ring_.end(),
                            [](const auto& a, const auto& b) { return a.first == b.first; }),
                ring_.end());
}

uint64_t HashRing::KeyToken(std::string_view key) { return Hash64(key); }

std::vector<NodeId> HashRing::Replicas(std::string_view key, uint32_t rf) const {
    return ReplicasOfToken(KeyToken(key), rf);
}

std::vector<NodeId> HashRing::ReplicasOfToken(uint64_t token, uint32_t rf) const {
    std::vector<NodeId> out;
    if (ring_.empty()) return out;
    size_t want = std::min<size_t>(rf, members_.size());
    auto start = std::lower_bound(ring_.begin(), ring_.end(), std::make_pair(token, NodeId(0)));
    size_t at = static_cast<size_t>(start - ring_.begin());
    for (size_t step = 0; step < ring_.size() && out.size() < want; ++step) {
        NodeId n = ring_[(at + step) % ring_.size()].second;
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    ORRERY_ASSERT(out.size() == want);
    return out;
}

std::vector<TokenRange> HashRing::Ranges() const {
    std::vector<TokenRange> out;
    for (size_t i = 0; i < ring_.size(); ++i) {
        uint64_t prev = ring_[(i + ring_.size() - 1) % ring_.size()].first;
        out.push_back({prev, ring_[i].first});
    }
    return out;
}

std::vector<std::pair<NodeId, uint64_t>> HashRing::Ownership() const {
    std::map<NodeId, long double> share;
    for (NodeId n : members_) share[n] = 0;
    for (const TokenRange& r : Ranges()) {
        // Width of (lo, hi] on the 2^64 ring (unsigned subtraction wraps correctly).
        long double width = r.lo == r.hi ? 18446744073709551616.0L : static_cast<long double>(r.hi - r.lo);
        share[ReplicasOfToken(r.hi, 1)[0]] += width;
    }
    std::vector<std::pair<NodeId, uint64_t>> out;
    for (const auto& [n, w] : share) {
        out.emplace_back(n, static_cast<uint64_t>(w / 18446744073709551616.0L * 1e6L));
    }
    return out;
}

}  // namespace orrery::node
