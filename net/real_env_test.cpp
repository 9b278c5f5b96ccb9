// Tests of RealEnv: a node's Env built from real parts works end to end, and its trace file
// holds JSON lines in the simulator's format. (A real node hands RealEnv a PosixDisk; net/ may
// not include storage/, so this test hands it a SimDisk, which is just as good a Disk here.)
#include "net/real_env.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>

#include "net/loop_for_test.h"
#include "testkit/temp_dir.h"
#include "sim/sim_disk.h"

namespace orrery::net {
namespace {

using testkit::TempDir;

ClusterConfig OneNodeOnFreePorts() {
    ClusterConfig config;
    config.nodes[NodeId(1)] = NodeAddresses{"127.0.0.1:0", "127.0.0.1:0", "", "", ""};
    return config;
}

TEST_CASE("a real env wires clock, random, disk, network and a trace file", "[net]") {
    TempDir tmp("real-env");
    boost::asio::io_context io;
    std::vector<std::string> lines;
    Logger log("n1", LogLevel::kInfo, [&](std::string_view l) { lines.emplace_back(l); });
    RealEnvOptions options;
    options.node = NodeId(1);
    options.cluster = OneNodeOnFreePorts();
    options.trace_path = tmp.path() + "/n1.jsonl";
    options.seed = 42;
    options.render = [](std::string_view bytes) { return "Msg " + std::string(bytes); };
    auto made = RealEnv::Create(io, options, std::make_unique<sim::SimDisk>(Random(1)), log);
    REQUIRE(made.ok());
    RealEnv& real = **made;
    Env& env = real.env();
    CHECK(env.node == NodeId(1));
    CHECK(real.seed() == 42);
    CHECK(lines.at(0).find("random seed 42") != std::string::npos);
    CHECK(env.random.Next() == Random(42).Next());
    CHECK_FALSE(env.faults.Fire("anything"));

    REQUIRE(env.disk.WriteAtomically("hard_state", "term=3").ok());
    CHECK(env.disk.ReadAll("hard_state").value() == "term=3");

    std::string got;
    bool timer_ran = false;
    env.network.SetHandler([&](NodeId from, std::string_view bytes) {
        CHECK(from == NodeId(1));
        got = std::string(bytes);
    });
    env.network.Send(NodeId(1), "ping");
    env.clock.SetTimer(Duration::Millis(1), [&] { timer_ran = true; });
    REQUIRE(RunUntil(io, [&] { return got == "ping" && timer_ran; }));

    made = Status::Unavailable("closed");  // Destroy the env: flushes and closes the trace.
    std::ifstream trace(tmp.path() + "/n1.jsonl");
    std::vector<nlohmann::json> events;
    for (std::string line; std::getline(trace, line);) events.push_back(nlohmann::json::parse(line));
    REQUIRE(events.size() == 2);
    CHECK(events[0]["kind"] == "send");
    CHECK(events[0]["to"] == 1);
    CHECK(events[0]["msg"] == "Msg ping");
    CHECK(events[1]["kind"] == "deliver");
    CHECK(events[1]["from"] == 1);
    CHECK(events[1]["node"] == 1);
    CHECK(events[0]["t"].get<int64_t>() <= events[1]["t"].get<int64_t>());
    CHECK(events[0]["h"] == events[1]["h"]);
}

TEST_CASE("a real env refuses a node missing from the config or an unwritable trace", "[net]") {
    boost::asio::io_context io;
    Logger log("n9", LogLevel::kError, [](std::string_view) {});
    RealEnvOptions options;
    options.node = NodeId(9);
    options.cluster = OneNodeOnFreePorts();
    auto disk = [] { return std::make_unique<sim::SimDisk>(Random(1)); };
    CHECK(RealEnv::Create(io, options, disk(), log).status().code() == Code::kInvalidArgument);
    options.node = NodeId(1);
    options.trace_path = "/proc/orrery-cannot-write-here.jsonl";
    CHECK(RealEnv::Create(io, options, disk(), log).status().code() == Code::kIOError);
}

}  // namespace
}  // namespace orrery::net
