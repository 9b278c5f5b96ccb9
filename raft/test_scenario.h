// RaftScenario: the command language of the Raft scenario scripts (raft/testdata/scenarios/*.txt),
// one command at a time over a TestCluster (test_cluster.h): the tests run every script through
// it (raft_scenario_test.cpp), and `orrery scenario` runs a script or an interactive session, so
// a student can run, change and extend them. Commands:
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
//
// Bad input (an unknown command, a malformed number, a node that does not exist or is down) is
// an error Status; the cluster is unchanged by a command that failed its argument checks.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "testkit/golden.h"

namespace orrery::raft::testing {

class RaftScenario {
public:
    RaftScenario();
    ~RaftScenario();
    RaftScenario(const RaftScenario&) = delete;
    RaftScenario& operator=(const RaftScenario&) = delete;

    // Runs one command; returns what it printed (messages sent, role changes, commits, notes),
    // or an error. The first command must be `cluster N`.
    Result<std::string> Handle(const testkit::GoldenCommand& cmd);

private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace orrery::raft::testing
