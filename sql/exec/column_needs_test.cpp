// Column pruning's golden script, testdata/exec/column_needs.txt. Commands:
//   create <CREATE TABLE|CREATE INDEX>   declares a table (plan_fixture_for_test.h); prints ok
//   reads <SQL>                          the optimized plan (PlanToString), then one line per
//                                        scan, in plan order: "reads <alias>: <columns>", the
//                                        columns the executor's scan will decode (or "(none)")
// The correctness side (a pruned scan returns the rows an unpruned one does) is in the engine's
// golden SQL scripts, testdata/engine/pruning.sql.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "sql/exec/column_needs.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser.h"
#include "sql/plan/plan_fixture_for_test.h"
#include "testkit/golden.h"

namespace orrery::sql {
namespace {

using exec::ColumnSet;
using testing::PlanFixture;
using testing::ToStatus;
using testkit::GoldenCommand;

// The scans' read sets, walking the tree as BuildOperator does (parents first, children in
// order), with an explicit stack.
std::string ScanReadLines(const PlanPtr& root) {
    std::string out;
    std::vector<std::pair<const PlanNode*, ColumnSet>> stack{{root.get(), exec::AllColumns(*root)}};
    while (!stack.empty()) {
        auto [node, needed] = std::move(stack.back());
        stack.pop_back();
        if (node->kind == PlanKind::kScan) {
            ColumnSet reads = exec::ScanReads(*node, needed);
            std::string names;
            for (size_t i = 0; i < reads.size(); ++i) {
                if (reads[i]) names += (names.empty() ? "" : " ") + node->columns[i].name;
            }
            out += fmt::format("\nreads {}: {}", node->alias, names.empty() ? "(none)" : names);
        }
        std::vector<ColumnSet> child_needs = exec::ChildNeeds(*node, needed);
        REQUIRE(child_needs.size() == node->children.size());
        for (size_t i = node->children.size(); i-- > 0;) {
            stack.emplace_back(node->children[i].get(), std::move(child_needs[i]));
        }
    }
    return out;
}

Result<std::string> ReadsCommand(PlanFixture& fx, const GoldenCommand& cmd) {
    auto parsed = ParseStatement(cmd.Rest());
    if (!parsed.ok()) return ToStatus(parsed.error());
    auto plan = fx.Bind(parsed.value());
    if (!plan.ok()) return ToStatus(plan.error());
    PlanPtr optimized = Optimize(plan.value());
    return PlanToString(*optimized) + ScanReadLines(optimized);
}

TEST_CASE("column pruning golden script", "[sql][exec]") {
    auto files = testkit::ListGoldenFiles("testdata/exec", ".txt");
    REQUIRE(!files.empty());
    for (const std::string& file : files) {
        SECTION(file) {
            PlanFixture fx;
            testkit::RunGoldenFile(file, [&](const GoldenCommand& cmd) -> Result<std::string> {
                if (cmd.name == "create") return fx.Create(cmd.Rest());
                if (cmd.name == "reads") return ReadsCommand(fx, cmd);
                return Status::InvalidArgument("unknown command " + cmd.name);
            });
        }
    }
}

}  // namespace
}  // namespace orrery::sql
