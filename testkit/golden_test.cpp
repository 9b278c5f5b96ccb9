// Tests of the golden-script runner itself.
#include "testkit/golden.h"

#include <catch2/catch.hpp>

namespace orrery::testkit {
namespace {

Result<std::string> Echo(const GoldenCommand& cmd) {
    if (cmd.name == "fail") return Status::InvalidArgument(cmd.Rest());
    return cmd.Rest();
}

TEST_CASE("golden runner runs the echo script", "[testkit]") {
    RunGoldenFile("testdata/echo.txt", Echo);
}

TEST_CASE("golden commands split positional and key=value arguments", "[testkit]") {
    GoldenCommand cmd = ParseGoldenCommand("!put a b=1 c", 7);
    CHECK(cmd.expect_error);
    CHECK(cmd.name == "put");
    CHECK(cmd.args == std::vector<std::string>{"a", "c"});
    CHECK(cmd.Get("b") == "1");
    CHECK(cmd.GetInt("b", 0) == 1);
    CHECK(cmd.GetInt("missing", 42) == 42);
    CHECK(cmd.line_number == 7);
    CHECK(cmd.Rest() == "a b=1 c");
}

}  // namespace
}  // namespace orrery::testkit
