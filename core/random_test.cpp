// The seeded generator: same seed, same draws; forks independent of the parent's position.
#include "core/random.h"

#include <catch2/catch.hpp>

#include <set>

namespace orrery {
namespace {

TEST_CASE("the same seed gives the same sequence", "[core]") {
    Random a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        uint64_t x = a.Next();
        CHECK(x == b.Next());
        differs |= x != c.Next();
    }
    CHECK(differs);
}

TEST_CASE("forks depend on the seed and label, not the parent's position", "[core]") {
    Random parent(7);
    Random early = parent.Fork("node1");
    for (int i = 0; i < 10; ++i) parent.Next();
    Random late = parent.Fork("node1");
    CHECK(early.Next() == late.Next());
    CHECK(parent.Fork("node1").Next() != parent.Fork("node2").Next());
}

TEST_CASE("uniform and range stay in bounds and cover them", "[core]") {
    Random r(1);
    std::set<int64_t> seen;
    for (int i = 0; i < 2000; ++i) {
        int64_t v = r.Range(-3, 3);
        CHECK(v >= -3);
        CHECK(v <= 3);
        seen.insert(v);
        CHECK(r.Uniform(10) < 10);
    }
    CHECK(seen.size() == 7);
    CHECK_FALSE(r.Chance(0.0));
    CHECK(r.Chance(1.0));
}

}  // namespace
}  // namespace orrery
