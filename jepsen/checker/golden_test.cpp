// Golden scripts: `check MODEL FILE [total=N] [budget=N] [process-order=1]` prints the report
// exactly as `orrery check` does, so the scripts in testdata/ read as the checkers' spec.
// `check-generated kv seed=S clients=C ops=N keys=K [info=PERCENT] [inject=stale-get|lost-append]`
// checks a history from GenerateKvHistory (generate.h) instead of a file, first saying how
// large it is and where the injection changed it.
#include <fmt/format.h>

#include "jepsen/checker/generate.h"
#include "jepsen/checker/test_util.h"
#include "testkit/golden.h"

namespace orrery::jepsen::checker {
namespace {

Result<std::string> RunCheckGenerated(const testkit::GoldenCommand& cmd) {
    if (cmd.args.size() != 1 || cmd.args[0] != "kv") {
        return Status::InvalidArgument(
            "usage: check-generated kv seed=S clients=C ops=N keys=K [info=PERCENT] "
            "[inject=stale-get|lost-append]");
    }
    KvGenOptions gen;
    gen.clients = static_cast<size_t>(cmd.GetInt("clients", 10));
    gen.ops = static_cast<size_t>(cmd.GetInt("ops", 1000));
    gen.keys = static_cast<size_t>(cmd.GetInt("keys", 10));
    gen.info_probability = static_cast<double>(cmd.GetInt("info", 2)) / 100.0;
    Random rng(static_cast<uint64_t>(cmd.GetInt("seed", 1)));
    History history = GenerateKvHistory(rng, gen);
    std::string out = fmt::format("generated: {} events, {} clients, {} keys\n",
                                  history.ops().size(), gen.clients, gen.keys);
    std::string inject = cmd.Get("inject");
    if (!inject.empty()) {
        std::optional<int64_t> at;
        if (inject == "stale-get") {
            at = InjectStaleGet(history);
        } else if (inject == "lost-append") {
            at = InjectLostAppend(history);
        } else {
            return Status::InvalidArgument(fmt::format("unknown injection \"{}\"", inject));
        }
        if (!at.has_value()) return Status::NotFound(fmt::format("no place for {}", inject));
        out += fmt::format("injected {} at history position {}\n", inject, *at);
    }
    CheckOptions options;
    options.budget_steps = static_cast<uint64_t>(cmd.GetInt("budget", 2'000'000));
    ORRERY_ASSIGN_OR_RETURN(CheckReport report,
                            CheckHistory("kv", history, SourceLines{}, options));
    return out + report.text;
}

Result<std::string> RunCheck(const testkit::GoldenCommand& cmd) {
    if (cmd.name == "check-generated") return RunCheckGenerated(cmd);
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
