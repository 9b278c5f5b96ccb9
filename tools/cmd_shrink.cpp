// `orrery shrink REPLAY...`: reduces a failing simulated run (jepsen/runner/shrink.h) while it
// still fails the same way, printing every attempt and finally the smallest replay command.
//
// REPLAY is the replay command a failing `orrery sim` or `orrery campaign` printed, given as one
// quoted argument or as the rest of the command line (`orrery shrink -- orrery sim --seed 3 ...`),
// or a file written by `orrery campaign --out` (its `orrery sim` line is used).
// Exit 0 with the smallest run printed, 2 on bad input or a run that does not fail.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "jepsen/runner/shrink.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

struct ShrinkArgs {
    std::vector<std::string> replay;
    uint32_t max_runs = 200;
};

constexpr BadInputError BadInput{"shrink"};

// The replay text: the words joined, or the `orrery sim` line of a replay file.
std::string ReplayText(const std::vector<std::string>& words) {
    if (words.size() == 1 && words[0].find(' ') == std::string::npos) {
        std::ifstream f(words[0]);
        if (!f) BadInput(fmt::format("'{}' is neither a replay command nor a readable file",
                                     words[0]));
        std::string line;
        while (std::getline(f, line)) {
            if (line.starts_with("orrery sim")) return line;
        }
        BadInput(fmt::format("{} holds no 'orrery sim' line", words[0]));
    }
    std::string text;
    for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
    return text;
}

void RunShrink(const ShrinkArgs& a) {
    auto options = jepsen::runner::ParseReplayCommand(ReplayText(a.replay));
    if (!options.ok()) BadInput(options.status().message());
    if (a.max_runs < 1) BadInput("--max-runs must be at least 1");
    jepsen::runner::ShrinkOptions so;
    so.max_runs = a.max_runs;
    so.on_run = [](const std::string& what, const jepsen::runner::RunResult& r, bool kept) {
        std::string outcome = r.failed() ? "fails (" + r.FailureKind() + ")" : "passes";
        fmt::print("{:<28} {:<24} {}\n", what, outcome, kept ? "kept" : "");
        std::fflush(stdout);
    };
    fmt::print("shrinking: {}\n", options->ReplayCommand());
    auto result = jepsen::runner::Shrink(*options, so);
    if (!result.ok()) BadInput(result.status().message());
    fmt::print("\nfailure: {}\nruns: {}{}\nkept: {}\nsmallest: {}\n", result->failure_kind,
               result->runs, result->budget_exhausted ? " (budget exhausted)" : "",
               result->steps.empty() ? "nothing (already minimal)" : fmt::format(
                   "{}", fmt::join(result->steps, ", ")),
               result->smallest.ReplayCommand());
    // The kind alone ("linearizability") does not say what broke: the smallest run's whole
    // message does, and it is the one a reader replays.
    fmt::print("smallest run's failure:\n{}\n", result->smallest_failure);
}

}  // namespace

void Register_shrink(CLI::App& app) {
    auto args = std::make_shared<ShrinkArgs>();
    auto* cmd = app.add_subcommand("shrink", "Reduce a failing simulated run while it still fails");
    cmd->add_option("replay", args->replay, "Replay command (quoted or after --), or replay file")
        ->required();
    cmd->add_option("--max-runs", args->max_runs, "Simulated runs the search may spend");
    cmd->callback([args] { RunShrink(*args); });
}

}  // namespace orrery::tools
