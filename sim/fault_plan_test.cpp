// Fault plans: the text form, its canonical printing and its error messages (golden script).
#include "sim/fault_plan.h"

#include <catch2/catch.hpp>

#include "testkit/golden.h"

namespace orrery::sim {
namespace {

TEST_CASE("fault plans parse to a canonical form with clear errors", "[sim]") {
    // parse PLAN: prints the canonical form; parsing it again must give the same form.
    testkit::RunGoldenFile(
        "testdata/fault_plans.txt", [](const testkit::GoldenCommand& cmd) -> Result<std::string> {
            if (cmd.name != "parse") return Status::InvalidArgument("unknown command " + cmd.name);
            ORRERY_ASSIGN_OR_RETURN(FaultPlan plan, FaultPlan::Parse(cmd.Rest()));
            std::string canonical = plan.ToString();
            auto again = FaultPlan::Parse(canonical);
            if (!again.ok() || again->ToString() != canonical) {
                return Status::Corruption("canonical form does not round-trip: " + canonical);
            }
            return canonical;
        });
}

TEST_CASE("durations print in the largest exact unit", "[sim]") {
    CHECK(FormatDuration(Duration::Seconds(2)) == "2s");
    CHECK(FormatDuration(Duration::Millis(1500)) == "1500ms");
    CHECK(FormatDuration(Duration::Micros(7)) == "7us");
    CHECK(ParseDuration("50ms").value() == Duration::Millis(50));
    CHECK(!ParseDuration("50").ok());
    CHECK(!ParseDuration("ms").ok());
}

}  // namespace
}  // namespace orrery::sim

namespace orrery::sim {

TEST_CASE("named schedules stand for grammar items and combine", "[sim]") {
    auto canonical = [](std::string_view text) {
        auto plan = FaultPlan::Parse(text);
        return plan.ok() ? plan->ToString() : "error: " + plan.status().message();
    };
    CHECK(canonical("isolate-leader,bridge,kill-random") ==
          canonical("partition=leader+bridge,crash"));
    CHECK(canonical("partition-random-halves,clock-skew,disk-torn-writes,pause-random") ==
          canonical("partition=halves,skew=200ms,drift=500,disk-torn,pause"));
    CHECK(canonical("isolate-random,partition-one-way,drop=0.1") ==
          canonical("partition=isolate+oneway,drop=0.1"));
    CHECK(canonical("partition-leader-flap,kill-random") == "partition=flap,crash,every=1s");
    // A named partition and an explicit partition item are the same item twice.
    CHECK(canonical("isolate-leader,partition=halves").starts_with("error:"));
    CHECK(canonical("kill-random,crash").find("given twice") != std::string::npos);
}

}  // namespace orrery::sim
