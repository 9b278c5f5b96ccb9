// The membership table's precedence rule (SWIM §4.2 plus dead and left).
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>

#include "core/random.h"
#include "gossip/membership.h"

namespace orrery::gossip {
namespace {

bool Apply(MembershipTable& t, State s, uint64_t inc) {
    return t.Apply({NodeId(3), s, inc}, Timestamp(0), 0);
}

TEST_CASE("SWIM precedence: suspicion beats alive at the same incarnation, alive a higher one",
          "[gossip]") {
    MembershipTable t;
    CHECK(Apply(t, State::kAlive, 1));
    CHECK_FALSE(Apply(t, State::kAlive, 1));   // Nothing new.
    CHECK(Apply(t, State::kSuspect, 1));       // Suspect(i) overrides Alive(j), i >= j.
    CHECK_FALSE(Apply(t, State::kAlive, 1));   // Alive(i) overrides Suspect(j) only if i > j.
    CHECK(Apply(t, State::kAlive, 2));         // The refutation.
    CHECK_FALSE(Apply(t, State::kSuspect, 1)); // A stale suspicion.
    CHECK(Apply(t, State::kDead, 2));          // Confirm at the current incarnation.
    CHECK_FALSE(Apply(t, State::kSuspect, 2));
    CHECK(Apply(t, State::kLeft, 2));          // A graceful leave beats death.
    CHECK(Apply(t, State::kAlive, 3));         // A rejoin at a higher incarnation.
    CHECK(t.Find(NodeId(3))->state == State::kAlive);
    CHECK(t.Find(NodeId(3))->incarnation == 3);
}

TEST_CASE("the table converges whatever order the updates arrive in", "[gossip]") {
    rc::prop("any permutation of a set of updates yields the same table", [] {
        auto raw = *rc::gen::container<std::vector<std::tuple<uint8_t, uint8_t, uint8_t>>>(
            rc::gen::tuple(rc::gen::inRange<uint8_t>(1, 6), rc::gen::inRange<uint8_t>(0, 4),
                           rc::gen::inRange<uint8_t>(0, 5)));
        std::vector<Update> updates;
        for (auto [id, s, inc] : raw) updates.push_back({NodeId(id), static_cast<State>(s), inc});
        std::vector<Update> shuffled = updates;
        Random rng(*rc::gen::arbitrary<uint64_t>());
        for (size_t i = shuffled.size(); i > 1; --i) std::swap(shuffled[i - 1], shuffled[rng.Uniform(i)]);
        MembershipTable a, b;
        for (const Update& u : updates) a.Apply(u, Timestamp(0), 0);
        for (const Update& u : shuffled) b.Apply(u, Timestamp(0), 0);
        RC_ASSERT(a.AsUpdates() == b.AsUpdates());
    });
}

}  // namespace
}  // namespace orrery::gossip
