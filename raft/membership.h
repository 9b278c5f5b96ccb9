// Membership: who votes and who only listens (thesis §4).
//
// A configuration is a set of voters and a set of learners (non-voting members that receive the
// log, thesis §4.2.1). The two sets are disjoint and kept sorted, so that encodings and outputs
// are deterministic. A configuration travels inside kConfig log entries and snapshot metadata;
// each server uses the latest configuration in its log, committed or not (thesis §4.1).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/types.h"

namespace orrery::raft {

// At most this many members per configuration (a bound for decoding untrusted bytes).
inline constexpr size_t kMaxMembers = 64;

struct Membership {
    std::vector<NodeId> voters;    // Sorted, distinct.
    std::vector<NodeId> learners;  // Sorted, distinct, disjoint from voters.

    bool IsVoter(NodeId id) const;
    bool IsLearner(NodeId id) const;
    bool IsMember(NodeId id) const { return IsVoter(id) || IsLearner(id); }
    // The number of voters that form a majority.
    size_t Quorum() const { return voters.size() / 2 + 1; }
    // Every member, voters first then learners.
    std::vector<NodeId> Members() const;
    // "voters=[n1 n2 n3] learners=[n4]".
    std::string ToString() const;

    friend bool operator==(const Membership&, const Membership&) = default;
};

// Appends the encoding of m to dst.
void EncodeMembership(std::string* dst, const Membership& m);
// Reads a membership; false on malformed input (unsorted, duplicate or overlapping members too).
bool DecodeMembership(Decoder* in, Membership* m);

}  // namespace orrery::raft
