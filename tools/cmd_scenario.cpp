// `orrery scenario`: runs the Raft scenario scripts (raft/testdata/scenarios/*.txt) outside the
// test binary, so a student can run one, change a command and see what Raft does instead.
//
//   orrery scenario FILE...            prints each script as it runs now: every block's commands,
//                                      "----", and the output they produce
//   orrery scenario --check FILE...    compares with the expected outputs in the files; exit 1 and
//                                      the differing blocks when any differs
//   orrery scenario --rewrite FILE...  writes the outputs into the files (UPDATE_GOLDEN=1 of the
//                                      tests)
//   orrery scenario                    an interactive session: one command per line from stdin,
//                                      its output printed at once ("help" lists the commands)
//
// The command language and the cluster are raft/test_scenario.h's, the very code the scenario
// tests run, so a script that passes here passes in `raft_test`. Exit 2 on bad input (an
// unreadable file, a command that errs without a leading '!'), 1 when --check finds a difference.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "raft/test_scenario.h"
#include "testkit/golden.h"
#include "testkit/golden_script.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr BadInputError BadInput{"scenario"};

constexpr const char* kCommandHelp = R"(commands (raft/test_scenario.h):
  cluster N [spares=K] [prevote=false] [checkquorum=false] [election=T] [heartbeat=T] [seed=S]
            [max_append=N] [inflight=N] [threshold=N] [chunk=B] [segment=B]
            [bug=forget-vote|commit-old-term]
  tick n1 [n2 ...|all] [times=N]     campaign n1         propose n1 DATA    propose-batch n1 A B
  read n1                            deliver [n1->n2 ...] [ready=batch]     stabilize
  drop [n1->n2 ...]                  partition 1 2 | 3 4 5                  heal
  crash n2                           restart n2          status             log [n1 ...]
  applied [n1 ...]                   add-learner n1 4    promote n1 4       remove n1 3
  transfer n1 3                      files n2            torn-tail n2 [bytes=N]
  rot n2 [byte=N]                    corrupt-next [bit=N]
A line starting with '#' is a comment; 'help' prints this, 'quit' ends the session.
)";

struct ScenarioArgs {
    std::vector<std::string> files;
    bool check = false;
    bool rewrite = false;
};

std::string ReadScript(const std::string& path) {
    std::ifstream in(path);
    if (!in) BadInput(fmt::format("cannot read {}", path));
    std::stringstream buf;
    buf << in.rdbuf();
    return buf.str();
}

// Runs one script; returns the number of blocks whose output differs from the file's.
size_t RunFile(const std::string& path, const ScenarioArgs& a) {
    raft::testing::RaftScenario scenario;
    testkit::GoldenScriptResult r = testkit::RunGoldenScript(
        ReadScript(path), path,
        [&](const testkit::GoldenCommand& c) { return scenario.Handle(c); });
    if (!r.problems.empty()) {
        for (const std::string& p : r.problems) fmt::print(stderr, "{}\n", p);
        BadInput(fmt::format("{}: {} command(s) did not do what the script says",
                             path, r.problems.size()));
    }
    if (a.rewrite) {
        std::ofstream out(path, std::ios::trunc);
        out << r.rewritten;
        if (!out) BadInput(fmt::format("cannot write {}", path));
        fmt::print("{}: {} block(s), {} rewritten\n", path, r.blocks.size(), r.mismatches());
        return 0;
    }
    if (!a.check) {
        fmt::print("{}", r.rewritten);
        return r.mismatches();
    }
    for (const testkit::GoldenBlockResult& b : r.blocks) {
        if (b.has_separator && b.expected == b.actual) continue;
        fmt::print("{}:{}: the output differs\n{}---- expected\n{}---- got\n{}\n", path,
                   b.first_line, b.commands, b.expected, b.actual);
    }
    fmt::print("{}: {} block(s), {}\n", path, r.blocks.size(),
               r.mismatches() == 0 ? std::string("all as expected")
                                   : fmt::format("{} differ", r.mismatches()));
    return r.mismatches();
}

// One command per line; errors are printed and the session goes on.
int RunInteractive() {
    raft::testing::RaftScenario scenario;
    bool tty = isatty(STDIN_FILENO) != 0;
    if (tty) fmt::print("Raft scenario session; 'help' lists the commands, 'quit' ends.\n");
    int errors = 0;
    int number = 0;
    for (std::string line;;) {
        if (tty) {
            fmt::print("scenario> ");
            std::fflush(stdout);
        }
        if (!std::getline(std::cin, line)) break;
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
        if (line == "quit" || line == "exit" || line == "\\q") break;
        if (line == "help" || line == "\\?") {
            fmt::print("{}", kCommandHelp);
            continue;
        }
        testkit::GoldenCommand cmd = testkit::ParseGoldenCommand(line, number);
        Result<std::string> r = scenario.Handle(cmd);
        if (r.ok()) {
            fmt::print("{}", testkit::NormalizeGoldenOutput(*r));
        } else {
            ++errors;
            fmt::print(stderr, "error: {}\n", r.status().ToString());
        }
        std::fflush(stdout);
    }
    // Piped input: a script of commands that had an error did not run as written.
    return !tty && errors > 0 ? 2 : 0;
}

}  // namespace

void Register_scenario(CLI::App& app) {
    auto args = std::make_shared<ScenarioArgs>();
    auto* cmd = app.add_subcommand(
        "scenario", "Run Raft scenario scripts (raft/testdata/scenarios), or an interactive session");
    cmd->add_option("files", args->files, "Scenario scripts; none: read commands from stdin");
    cmd->add_flag("--check", args->check, "Compare with the expected outputs; exit 1 if any differs");
    cmd->add_flag("--rewrite", args->rewrite, "Write the outputs into the files");
    cmd->footer(kCommandHelp);
    cmd->callback([args] {
        if (args->check && args->rewrite) BadInput("give one of --check and --rewrite");
        if (args->files.empty()) {
            if (args->check || args->rewrite) BadInput("--check and --rewrite need files");
            int status = RunInteractive();
            if (status != 0) throw CLI::RuntimeError(status);
            return;
        }
        size_t differ = 0;
        for (const std::string& f : args->files) differ += RunFile(f, *args);
        if (args->check && differ > 0) throw CLI::RuntimeError(1);
    });
}

}  // namespace orrery::tools
