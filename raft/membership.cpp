// Membership encoding and helpers. See membership.h.
#include "raft/membership.h"

#include <fmt/format.h>

#include <algorithm>

namespace orrery::raft {
namespace {

bool Contains(const std::vector<NodeId>& v, NodeId id) {
    return std::binary_search(v.begin(), v.end(), id);
}

std::string Join(const std::vector<NodeId>& v) {
    std::string out;
    for (NodeId id : v) out += (out.empty() ? "" : " ") + fmt::format("{}", id);
    return out;
}

void EncodeIds(std::string* dst, const std::vector<NodeId>& ids) {
    PutVarint32(dst, static_cast<uint32_t>(ids.size()));
    for (NodeId id : ids) PutVarint32(dst, id.value());
}

bool DecodeIds(Decoder* in, std::vector<NodeId>* ids) {
    uint32_t n = 0;
    if (!in->GetVarint32(&n) || n > kMaxMembers) return false;
    ids->clear();
    for (uint32_t i = 0; i < n; ++i) {
        uint32_t v = 0;
        if (!in->GetVarint32(&v)) return false;
        if (!ids->empty() && ids->back().value() >= v) return false;  // Sorted and distinct.
        ids->push_back(NodeId(v));
    }
    return true;
}

}  // namespace

bool Membership::IsVoter(NodeId id) const { return Contains(voters, id); }
bool Membership::IsLearner(NodeId id) const { return Contains(learners, id); }

std::vector<NodeId> Membership::Members() const {
    std::vector<NodeId> all = voters;
    all.insert(all.end(), learners.begin(), learners.end());
    return all;
}

std::string Membership::ToString() const {
    return fmt::format("voters=[{}] learners=[{}]", Join(voters), Join(learners));
}

void EncodeMembership(std::string* dst, const Membership& m) {
    EncodeIds(dst, m.voters);
    EncodeIds(dst, m.learners);
}

bool DecodeMembership(Decoder* in, Membership* m) {
    if (!DecodeIds(in, &m->voters) || !DecodeIds(in, &m->learners)) return false;
    for (NodeId id : m->learners) {
        if (m->IsVoter(id)) return false;
    }
    return true;
}

}  // namespace orrery::raft
