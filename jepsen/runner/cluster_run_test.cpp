// Tests of whole simulated cluster runs: a fault-free run passes, runs are deterministic (same
// seed, same trace hash; another seed, another hash), and bad options are refused.
#include "jepsen/runner/cluster_run.h"

#include <catch2/catch.hpp>

#include "jepsen/runner/campaign.h"

namespace orrery::jepsen::runner {
namespace {

std::string Explain(const RunResult& r) {
    return r.invariants.ToString() + " / " + r.liveness.ToString() + " / " + r.linearizability +
           " " + r.linearizability_report + "\nreplay: " + r.replay;
}

}  // namespace

TEST_CASE("a fault-free run passes and records a history", "[jepsen]") {
    RunOptions o;
    o.seed = 1;
    o.duration = Duration::Seconds(3);
    auto r = RunCluster(o);
    REQUIRE(r.ok());
    INFO(Explain(*r));
    CHECK(!r->failed());
    CHECK(r->ops.ok > 50);
    CHECK(r->ops.info == 0);  // Nothing is lost without faults.
    CHECK(r->leader_changes >= 1);
    CHECK(r->linearizability == "valid");
    CHECK(r->history.Pair().ok());
}

TEST_CASE("orrery sim's run is deterministic", "[jepsen]") {
    RunOptions o = ProfileOptions("smoke", 7).value();
    o.duration = Duration::Seconds(2);
    auto a = RunCluster(o);
    auto b = RunCluster(o);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->trace_hash == b->trace_hash);
    CHECK(a->events == b->events);
    CHECK(a->history.Render() == b->history.Render());
    o.seed = 8;
    auto c = RunCluster(o);
    REQUIRE(c.ok());
    CHECK(c->trace_hash != a->trace_hash);
}

TEST_CASE("the lockstep determinism check passes under every fault kind", "[jepsen]") {
    RunOptions o = ProfileOptions("smoke", 3).value();
    o.duration = Duration::Seconds(1);
    o.liveness_bound = Duration::Seconds(2);
    auto d = CheckRunDeterminism(o);
    REQUIRE(d.ok());
    INFO(d->divergence);
    CHECK(d->same);
    CHECK(d->events > 1000);
}

TEST_CASE("bad run options are refused", "[jepsen]") {
    RunOptions o;
    o.bugs = {"raft.no-such-bug"};
    CHECK(RunCluster(o).status().Is(Code::kInvalidArgument));
    o.bugs.clear();
    o.nodes = 0;
    CHECK(RunCluster(o).status().Is(Code::kInvalidArgument));
    o.nodes = 5;
    o.workload = "no-such-workload";
    CHECK(RunCluster(o).status().Is(Code::kInvalidArgument));
    o.workload = "kv";
    o.engine = "paper";
    CHECK(RunCluster(o).status().Is(Code::kInvalidArgument));
    CHECK(ProfileOptions("huge", 1).status().Is(Code::kInvalidArgument));
}

}  // namespace orrery::jepsen::runner

namespace orrery::jepsen::runner {

// Regression for the teaching switch kv.no-dedup, found by `orrery campaign --profile smoke
// --seeds 1..60 --bug kv.no-dedup`. Replay:
//   orrery sim --seed 3 --nodes 5 --clients 5 --workload kv --faults partition=halves+isolate+
//   leader+bridge+oneway,drop=0.02,dup=0.02,reorder=0.1,crash,pause,skew=200ms,drift=500,
//   disk-torn=0.3,disk-lost-renames=0.5,disk-read-errors=0.001,buggify=0.05,every=500ms
//   --duration 5s --bug kv.no-dedup
// Retried writes reach the log twice; without sessions the copy is applied again and the
// checker finds k0 not linearizable. The same seed with sessions on is linearizable.
TEST_CASE("kv.no-dedup is caught by the checker at smoke seed 3", "[jepsen]") {
    RunOptions o = ProfileOptions("smoke", 3).value();
    auto fixed = RunCluster(o);
    REQUIRE(fixed.ok());
    INFO(Explain(*fixed));
    CHECK(!fixed->failed());
    o.bugs = {"kv.no-dedup"};
    auto buggy = RunCluster(o);
    REQUIRE(buggy.ok());
    CHECK(buggy->invariants.ok());
    CHECK(buggy->FailureKind() == "linearizability");
    CHECK(buggy->linearizability_report.find("not linearizable") != std::string::npos);
}

}  // namespace orrery::jepsen::runner
