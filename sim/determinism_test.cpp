// Determinism: the same seed gives the same trace; a different seed a different schedule; and
// the lockstep check finds the first event where a nondeterministic run diverges.
#include "sim/determinism.h"

#include <catch2/catch.hpp>

#include "sim/ping.h"

namespace orrery::sim {
namespace {

PingOptions Faulty(uint64_t seed) {
    PingOptions o;
    o.seed = seed;
    o.faults = FaultPlan::Parse(
                   "partition,drop=0.05,dup=0.05,reorder,crash,pause,skew=20ms,"
                   "drift=500,disk-torn,disk-lost-renames,disk-bitrot,disk-full,"
                   "buggify,every=300ms")
                   .value();
    o.duration = Duration::Seconds(10);
    return o;
}

uint64_t HashOf(const PingOptions& o) {
    PingRun run(o);
    REQUIRE(run.Run().ok());
    return run.sim().trace_hash();
}

TEST_CASE("the same seed gives the same trace hash; another seed another schedule", "[sim]") {
    CHECK(HashOf(Faulty(11)) == HashOf(Faulty(11)));
    CHECK(HashOf(Faulty(11)) != HashOf(Faulty(12)));
    PingOptions calm = Faulty(11);
    calm.faults = FaultPlan();
    CHECK(HashOf(calm) != HashOf(Faulty(11)));
}

TEST_CASE("a trace sink does not change the trace hash", "[sim]") {
    PingOptions o = Faulty(4);
    o.duration = Duration::Seconds(3);
    uint64_t plain = HashOf(o);
    o.trace_path = "/tmp/orrery_sim_determinism_test.jsonl";
    CHECK(HashOf(o) == plain);
}

TEST_CASE("the lockstep check passes for the ping workload under faults", "[sim]") {
    PingOptions o = Faulty(21);
    DeterminismResult r =
        CheckDeterminism([&] { return std::make_unique<PingRun>(o); }, Timestamp(0) + o.duration);
    CHECK(r.same);
    CHECK(r.hash == r.other_hash);
    CHECK(r.hash == HashOf(o));
    CHECK(r.run_status.ok());
    CHECK(r.events > 1000);
}

// A process that reads state shared between runs (a static counter): the kind of hidden input
// the determinism check exists to catch.
int leaked_state = 0;

class LeakyProcess final : public Process {
public:
    explicit LeakyProcess(Env& env) : env_(env) { Arm(); }

private:
    void Arm() {
        env_.clock.SetTimer(Duration::Millis(10 + (++leaked_state % 2)), [this] { Arm(); });
    }
    Env& env_;
};

TEST_CASE("the lockstep check reports the first diverging event", "[sim]") {
    leaked_state = 0;
    auto build = [] {
        SimOptions o;
        o.node_count = 1;
        auto run = std::make_unique<SimOnlyRun>(o);
        run->sim().AddNodes([](Env& env) { return std::make_unique<LeakyProcess>(env); });
        return run;
    };
    DeterminismResult r = CheckDeterminism(build, Timestamp(0) + Duration::Seconds(1));
    CHECK(!r.same);
    INFO(r.divergence);
    CHECK(r.divergence.find("runs diverge") != std::string::npos);
    CHECK(r.divergence.find(R"("kind":"timer")") != std::string::npos);
}

}  // namespace
}  // namespace orrery::sim
