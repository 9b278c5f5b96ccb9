// The binder's golden scripts, testdata/plan/*.txt. Commands:
//   create <CREATE TABLE|CREATE INDEX>   declares a table (plan_fixture_for_test.h); prints ok
//   bind <SQL>                           the bound plan of a SELECT/INSERT/UPDATE/DELETE as
//                                        PlanToString, then the inferred parameter types
// A failing command prints "error: invalid_argument: <SQLSTATE> [at <position>]: <message>".
// Each file has its own database.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "sql/parser.h"
#include "sql/plan/plan_fixture_for_test.h"
#include "testkit/golden.h"

namespace orrery::sql {
namespace {

using testing::PlanFixture;
using testing::ToStatus;
using testkit::GoldenCommand;

Result<std::string> BindCommand(PlanFixture& fx, const GoldenCommand& cmd) {
    auto parsed = ParseStatement(cmd.Rest());
    if (!parsed.ok()) return ToStatus(parsed.error());
    std::vector<DataType> types;
    auto plan = fx.Bind(parsed.value(), &types);
    if (!plan.ok()) return ToStatus(plan.error());
    std::string out = PlanToString(*plan.value());
    for (size_t i = 0; i < types.size(); ++i) {
        out += fmt::format("\n${}: {}", i + 1, DataTypeName(types[i]));
    }
    return out;
}

TEST_CASE("binder golden scripts", "[sql][plan]") {
    auto files = testkit::ListGoldenFiles("testdata/plan", ".txt");
    REQUIRE(!files.empty());
    for (const std::string& file : files) {
        SECTION(file) {
            PlanFixture fx;
            testkit::RunGoldenFile(file, [&](const GoldenCommand& cmd) -> Result<std::string> {
                if (cmd.name == "create") return fx.Create(cmd.Rest());
                if (cmd.name == "bind") return BindCommand(fx, cmd);
                return Status::InvalidArgument("unknown command " + cmd.name);
            });
        }
    }
}

}  // namespace
}  // namespace orrery::sql
