// Golden scripts: `check MODEL FILE [total=N] [budget=N] [process-order=1]` prints the report
// exactly as `orrery check` does, so the scripts in testdata/ read as the checkers' spec.
#include "testkit/golden.h"

#include "jepsen/checker/test_util.h"

namespace orrery::jepsen::checker {
namespace {

Result<std::string> RunCheck(const testkit::GoldenCommand& cmd) {
    if (cmd.name != "check" || cmd.args.size() != 2) {
        return Status::InvalidArgument(
            "usage: check MODEL FILE [total=N] [budget=N] [process-order=1]");
    }
    CheckOptions options;
    if (!cmd.Get("total").empty()) options.total = cmd.GetInt("total", 0);
    options.budget_steps = static_cast<uint64_t>(cmd.GetInt("budget", 2'000'000));
    options.process_order = cmd.GetInt("process-order", 0) != 0;
    SourceLines lines;
    ORRERY_ASSIGN_OR_RETURN(History history,
                            ParseHistoryText(ReadTestFile("testdata/" + cmd.args[1]), lines));
    ORRERY_ASSIGN_OR_RETURN(CheckReport report, CheckHistory(cmd.args[0], history, lines, options));
    return report.text;
}

TEST_CASE("checker golden scripts", "[jepsen]") {
    std::vector<std::string> scripts = testkit::ListGoldenFiles("testdata", ".txt");
    REQUIRE(!scripts.empty());
    for (const std::string& script : scripts) {
        INFO(script);
        testkit::RunGoldenFile(script, RunCheck);
    }
}

}  // namespace
}  // namespace orrery::jepsen::checker
