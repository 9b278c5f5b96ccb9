// Trace rendering, filtering and stepping, driven by golden scripts.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "testkit/golden.h"
#include "tools/trace_render.h"
#include "tools/trace_step.h"

namespace orrery::tools {
namespace {

std::vector<TraceEvent> LoadSmallTrace() {
    std::ifstream in("testdata/small_trace.jsonl");
    std::stringstream buf;
    buf << in.rdbuf();
    auto events = ParseTrace(buf.str());
    REQUIRE(events.ok());
    return std::move(events).value();
}

TEST_CASE("trace show renders and filters events", "[tools]") {
    auto events = LoadSmallTrace();
    testkit::RunGoldenFile("testdata/trace_render.txt", [&](const testkit::GoldenCommand& cmd)
                                                           -> Result<std::string> {
        TraceFilter filter;
        for (const auto& [k, v] : cmd.kv) ORRERY_RETURN_IF_ERROR(filter.ParseWord(k + "=" + v));
        std::string out;
        for (const auto& e : events) {
            if (filter.Matches(e)) out += RenderEvent(e) + "\n";
        }
        return out;
    });
}

TEST_CASE("trace step moves, jumps, searches and filters", "[tools]") {
    TraceStepper stepper(LoadSmallTrace());
    testkit::RunGoldenFile("testdata/trace_step.txt", [&](const testkit::GoldenCommand& cmd) {
        return stepper.Handle(cmd.Rest());
    });
}

TEST_CASE("malformed trace lines are reported with their line number", "[tools]") {
    auto bad = ParseTrace("{\"t\":1,\"node\":1,\"kind\":\"send\"}\n{\"t\":\"x\"}\n");
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.status().message().find("line 2") != std::string::npos);
    CHECK_FALSE(ParseTrace("not json at all").ok());
    CHECK(ParseTrace("\n\n").ok());
}

}  // namespace
}  // namespace orrery::tools
