// Scripted Raft scenarios: every file in testdata/scenarios/ is a golden script run through
// RaftScenario (test_scenario.h, which `orrery scenario` also uses). Commands:
//   cluster N [spares=K] [prevote=false] [checkquorum=false] [election=T] [heartbeat=T] [seed=S]
//             [max_append=N] [inflight=N] [threshold=N] [chunk=B] [segment=B] [bug=forget-vote|
//             commit-old-term]
//   tick n1 [n2 ...|all] [times=N]      campaign n1        propose n1 DATA       read n1
//   deliver [n1->n2 ...]  (one round)   stabilize          drop [n1->n2 ...]     heal
//   partition 1 2 | 3 4 5               crash n2           restart n2            status
//   log [n1 ...]   applied [n1 ...]     add-learner n1 4   promote n1 4          remove n1 3
//   transfer n1 3  files n2             torn-tail n2 [bytes=N]  rot n2 [byte=N]  corrupt-next [bit=N]
// Output: every message as it is sent ("n1 → n2 Append ...", "  ✂" when a partition cuts it), role
// changes, commit advances and notes; "INVARIANT VIOLATED: ..." if the checker finds a violation.
#include <catch2/catch.hpp>

#include "raft/test_scenario.h"
#include "testkit/golden.h"

namespace orrery::raft::testing {

TEST_CASE("raft scenarios", "[raft]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata/scenarios", ".txt")) {
        SECTION(path) {
            RaftScenario scenario;
            testkit::RunGoldenFile(path, [&](const testkit::GoldenCommand& c) {
                return scenario.Handle(c);
            });
        }
    }
}

TEST_CASE("scenario bad input is an error, not a crash", "[raft]") {
    RaftScenario s;
    auto run = [&](const std::string& line) { return s.Handle(testkit::ParseGoldenCommand(line, 1)); };
    CHECK(run("tick n1").status().message() == "start with 'cluster N'");
    CHECK(!run("cluster").ok());
    CHECK(!run("cluster abc").ok());
    CHECK(!run("cluster 0").ok());
    CHECK(!run("cluster 12").ok());
    CHECK(!run("cluster 3 bug=nosuch").ok());
    REQUIRE(run("cluster 3").ok());
    CHECK(run("tick n1 times=abc").status().message() == "times=abc: expected an integer");
    CHECK(!run("campaign n7").ok());
    CHECK(!run("frobnicate n1").ok());
    CHECK(run("campaign n1").ok());  // The cluster still works after the errors.
}

}  // namespace orrery::raft::testing
