// Ballot: the number that orders CASPaxos proposals (Rystsov, "CASPaxos: Replicated State
// Machines without logs", 2018, §2.1).
//
// A ballot is (counter, node id), compared lexicographically. Two proposers never use the same
// ballot because they differ in node id, and a proposer that learns of a higher ballot jumps its
// counter past it. Ballot {0, n0} is "none": lower than every ballot a proposer uses.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>

#include "core/types.h"

namespace orrery::paxos {

struct Ballot {
    uint64_t counter = 0;
    NodeId node;

    bool none() const { return counter == 0; }
    auto operator<=>(const Ballot&) const = default;
    bool operator==(const Ballot&) const = default;
};

}  // namespace orrery::paxos

// "3.n1"; the none ballot is "0".
template <>
struct fmt::formatter<orrery::paxos::Ballot> : fmt::formatter<std::string_view> {
    auto format(const orrery::paxos::Ballot& b, format_context& ctx) const {
        if (b.none()) return fmt::format_to(ctx.out(), "0");
        return fmt::format_to(ctx.out(), "{}.{}", b.counter, b.node);
    }
};
