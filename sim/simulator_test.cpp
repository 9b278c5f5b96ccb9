// The simulator's event loop, clocks, process lifecycle, invariants, BUGGIFY and nemesis.
#include "sim/simulator.h"

#include <catch2/catch.hpp>

#include "core/checksum.h"
#include "sim/nemesis.h"
#include "sim/ping.h"

namespace orrery::sim {
namespace {

using Log = std::vector<std::string>;

// A process whose constructor runs a caller-supplied setup with its Env.
class SetupProcess final : public Process {
public:
    SetupProcess(Env& env, const std::function<void(Env&)>& setup) { setup(env); }
};

ProcessFactory Setup(std::function<void(Env&)> setup) {
    return [setup](Env& env) { return std::make_unique<SetupProcess>(env, setup); };
}

SimOptions Options(uint64_t seed = 1) {
    SimOptions o;
    o.seed = seed;
    o.node_count = 1;
    return o;
}

TEST_CASE("timers fire in virtual-time order, same-instant timers in setting order", "[sim]") {
    Simulator sim(Options());
    Log log;
    sim.AddNode(NodeId(1), Setup([&](Env& env) {
                    for (int i = 0; i < 3; ++i) {
                        env.clock.SetTimer(Duration::Millis(5),
                                           [&, i] { log.push_back(fmt::format("b{}", i)); });
                    }
                    env.clock.SetTimer(Duration::Millis(1), [&] { log.push_back("a"); });
                    TimerId c = env.clock.SetTimer(Duration::Millis(3),
                                                   [&] { log.push_back("cancelled"); });
                    env.clock.CancelTimer(c);
                    env.clock.CancelTimer(c);  // A second cancel is a no-op.
                    env.clock.SetTimer(Duration::Millis(9),
                                       [&] { log.push_back(fmt::format("c@{}", sim.Now().us())); });
                }));
    REQUIRE(sim.RunFor(Duration::Seconds(1)).ok());
    CHECK(log == Log{"a", "b0", "b1", "b2", "c@9000"});
    CHECK(sim.Now() == Timestamp(1'000'000));
    CHECK(sim.stats().timers_fired == 5);
}

TEST_CASE("a node's clock can be skewed and drift but never goes backwards", "[sim]") {
    Simulator sim(Options());
    sim.AddNode(NodeId(1), Setup([](Env&) {}));
    SimClock& clock = sim.clock(NodeId(1));
    CHECK(clock.Now() == Timestamp(0));
    clock.SetSkew(Duration::Millis(5));
    CHECK(clock.Now() == Timestamp(5000));
    clock.SetDriftPpm(100'000);  // 10% fast.
    REQUIRE(sim.RunFor(Duration::Seconds(1)).ok());
    CHECK(clock.Now() == Timestamp(5000 + 1'100'000));
    Timestamp before = clock.Now();
    clock.SetSkew(Duration::Millis(-50));  // A jump back is absorbed: the clock stalls.
    CHECK(clock.Now() == before);
    // The clock now reads 105 ms ahead of true time (5 ms skew + 100 ms of drift) and holds that
    // lead while its raw reading (true time, after SetSkew(0)) catches up. A 110 ms timer set now
    // on a 10%-fast clock fires once the raw clock has gained 105 + 110 ms: 215 / 1.1 = 195.455 ms.
    clock.SetSkew(Duration(0));
    clock.SetDriftPpm(100'000);
    Timestamp set_at = sim.Now();
    Timestamp local_set = clock.Now();
    CHECK(local_set - set_at == Duration::Millis(105));
    Timestamp fired;
    Timestamp local_fired;
    clock.SetTimer(Duration::Millis(110), [&] {
        fired = sim.Now();
        local_fired = clock.Now();
    });
    REQUIRE(sim.RunFor(Duration::Seconds(1)).ok());
    CHECK(fired - set_at == Duration(195'455));
    CHECK(local_fired - local_set >= Duration::Millis(110));
    CHECK(local_fired - local_set < Duration::Millis(111));
}

TEST_CASE("a crash destroys the process and its timers; a restart recovers from disk", "[sim]") {
    Simulator sim(Options());
    int built = 0;
    Log log;
    sim.AddNode(NodeId(1), Setup([&](Env& env) {
                    ++built;
                    auto old = env.disk.ReadAll("state");
                    log.push_back(old.ok() ? "recovered " + *old : "fresh");
                    REQUIRE(env.disk.WriteAtomically("state", fmt::format("v{}", built)).ok());
                    env.clock.SetTimer(Duration::Millis(10), [&log, built] {
                        log.push_back(fmt::format("tick{}", built));
                    });
                }));
    REQUIRE(sim.RunFor(Duration::Millis(5)).ok());
    sim.Crash(NodeId(1));
    CHECK(!sim.IsUp(NodeId(1)));
    CHECK(sim.process(NodeId(1)) == nullptr);
    REQUIRE(sim.RunFor(Duration::Millis(20)).ok());  // tick1 must not fire.
    sim.Restart(NodeId(1));
    REQUIRE(sim.RunFor(Duration::Millis(20)).ok());
    CHECK(log == Log{"fresh", "recovered v1", "tick2"});
    CHECK(sim.stats().crashes == 1);
    CHECK(sim.stats().restarts == 1);
}

TEST_CASE("a paused node's timers and messages wait until it resumes", "[sim]") {
    SimOptions o = Options();
    o.node_count = 2;
    Simulator sim(o);
    Log log;
    sim.AddNode(
        NodeId(1), Setup([&](Env& env) {
            env.network.SetHandler([&](NodeId from, std::string_view bytes) {
                log.push_back(fmt::format("got {} from {} at {}", bytes, from, sim.Now().us()));
            });
            env.clock.SetTimer(Duration::Millis(10),
                               [&] { log.push_back(fmt::format("timer at {}", sim.Now().us())); });
        }));
    sim.AddNode(NodeId(2), Setup([](Env& env) { env.network.Send(NodeId(1), "hi"); }));
    sim.Pause(NodeId(1));
    REQUIRE(sim.RunFor(Duration::Millis(50)).ok());
    CHECK(log.empty());
    sim.Resume(NodeId(1));
    REQUIRE(sim.RunFor(Duration::Millis(1)).ok());
    REQUIRE(log.size() == 2);
    CHECK(log[0].find("at 50000") != std::string::npos);
    CHECK(log[1].find("at 50000") != std::string::npos);
}

TEST_CASE("a failing invariant stops the run and names the seed", "[sim]") {
    SimOptions o = Options(77);
    o.replay_command = "orrery sim-demo --seed 77";
    Simulator sim(o);
    int ticks = 0;
    std::function<void()> tick;
    sim.AddNode(NodeId(1), Setup([&](Env& env) {
                    tick = [&] {
                        ++ticks;
                        env.clock.SetTimer(Duration::Millis(1), tick);
                    };
                    env.clock.SetTimer(Duration::Millis(1), tick);
                }));
    sim.AddInvariant(
        [&] { return ticks < 5 ? Status::Ok() : Status::Corruption("too many ticks"); });
    Status s = sim.RunFor(Duration::Seconds(1));
    CHECK(s.code() == Code::kCorruption);
    CHECK(ticks == 5);
    CHECK(s.message().find("too many ticks") != std::string::npos);
    CHECK(s.message().find("seed=77") != std::string::npos);
    CHECK(s.message().find("replay: orrery sim-demo --seed 77") != std::string::npos);
    CHECK(!sim.Step());
}

TEST_CASE("BUGGIFY never fires when off and fires only at enabled points when on", "[sim]") {
    Simulator sim(Options());
    sim.AddNode(NodeId(1), Setup([](Env&) {}));
    SimFaultPoints& fp = sim.fault_points(NodeId(1));
    for (int i = 0; i < 1000; ++i) CHECK(!fp.Fire(fmt::format("point{}", i % 20)));
    fp.SetProbability(1.0);
    int enabled = 0;
    for (int i = 0; i < 20; ++i) {
        std::string point = fmt::format("point{}", i);
        CHECK(fp.Fire(point) == fp.Enabled(point));
        enabled += fp.Enabled(point) ? 1 : 0;
    }
    CHECK(enabled > 0);
    CHECK(enabled < 20);
    // The enabled set depends on the run seed only, so every node agrees.
    Simulator other(Options());
    other.AddNode(NodeId(2), Setup([](Env&) {}));
    for (int i = 0; i < 20; ++i) {
        std::string point = fmt::format("point{}", i);
        CHECK(other.fault_points(NodeId(2)).Enabled(point) == fp.Enabled(point));
    }
}

TEST_CASE("the nemesis injects faults in the safety phase and heals them all after", "[sim]") {
    PingOptions o;
    o.seed = 3;
    o.faults = FaultPlan::Parse(
                   "partition,crash,pause,drop=0.05,skew=10ms,drift=1000,disk-full,"
                   "buggify,every=200ms")
                   .value();
    o.duration = Duration::Seconds(12);
    o.liveness = Duration::Seconds(4);
    PingRun run(o);
    Simulator& sim = run.sim();
    REQUIRE(sim.RunUntil(Timestamp(Duration::Seconds(8).us() - 1)).ok());
    CHECK(sim.nemesis().active());
    const auto& faults = sim.stats().faults;
    for (const char* kind : {"partition", "crash", "pause", "clock", "full", "links", "buggify"}) {
        CHECK(faults.count(kind) == 1);
    }
    REQUIRE(run.Run().ok());  // Includes the liveness check.
    CHECK(!sim.nemesis().active());
    CHECK(!sim.network().HasCuts());
    CHECK(sim.network().default_link().drop == 0);
    for (NodeId id : sim.servers()) {
        CHECK(sim.IsUp(id));
        CHECK(!sim.IsPaused(id));
        CHECK(sim.clock(id).drift_ppm() == 0);
        CHECK(sim.disk(id).faults().capacity_bytes == 0);
    }
}

TEST_CASE("the ping workload keeps its recovery invariant under every fault", "[sim]") {
    FaultPlan plan = FaultPlan::Parse(
                         "partition,drop=0.05,dup=0.05,reorder,crash,pause,skew=20ms,"
                         "drift=500,disk-torn,disk-lost-renames,disk-read-errors=0.01,"
                         "disk-bitrot,disk-full,buggify,every=300ms")
                         .value();
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        PingOptions o;
        o.seed = seed;
        o.faults = plan;
        o.duration = Duration::Seconds(20);
        PingRun run(o);
        Status s = run.Run();
        INFO("seed " << seed << ": " << s.ToString());
        CHECK(s.ok());
        CHECK(run.sim().stats().crashes > 0);
    }
}

TEST_CASE("the ping recovery invariant catches a node that recovers the wrong count", "[sim]") {
    PingOptions o;
    o.seed = 5;
    o.duration = Duration::Seconds(10);
    PingRun run(o);
    Simulator& sim = run.sim();
    REQUIRE(sim.RunFor(Duration::Seconds(3)).ok());
    REQUIRE(run.world().nodes[NodeId(2)].has_persisted);
    // Replace the count with a well-formed but wrong one: recovery must not believe it silently.
    std::string bytes = sim.disk(NodeId(2)).ReadAll("pongs").value();
    bytes[0] = static_cast<char>(bytes[0] + 1);
    std::string body = bytes.substr(0, 8);
    std::string fixed = body;
    uint32_t crc = MaskCrc(Crc32c(body));
    fixed.append(reinterpret_cast<const char*>(&crc), 4);
    REQUIRE(sim.disk(NodeId(2)).WriteAtomically("pongs", fixed).ok());
    sim.Crash(NodeId(2));
    sim.Restart(NodeId(2));
    Status s = run.Run();
    CHECK(s.code() == Code::kCorruption);
    CHECK(s.message().find("n2 recovered") != std::string::npos);
}

}  // namespace
}  // namespace orrery::sim
