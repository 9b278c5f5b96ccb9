// `orrery check --model MODEL FILE`: judges a history file with one of the Jepsen-style
// checkers in jepsen/checker and prints the verdict with its evidence.
//
// Exit status: 0 valid, 1 invalid, 3 unknown (the search budget ran out, or the history cannot
// decide, e.g. a set history without a final read), 2 bad input (unreadable file, malformed
// line, unknown model). main() maps every CLI11 error to 2, so a verdict's status is returned
// with std::exit after flushing the report.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "jepsen/checker/check.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

struct CheckArgs {
    std::string model;
    std::string file;
    std::optional<int64_t> total;
    uint64_t budget = 2'000'000;
    bool process_order = false;
};

constexpr BadInputError BadInput{"check"};

void RunCheck(const CheckArgs& args) {
    std::error_code ec;
    if (std::filesystem::is_directory(args.file, ec)) {
        BadInput(fmt::format("{} is a directory, not a history file", args.file));
    }
    std::ifstream in(args.file, std::ios::binary);
    if (!in.good()) BadInput(fmt::format("cannot read {}", args.file));
    std::stringstream text;
    text << in.rdbuf();
    jepsen::checker::SourceLines lines;
    Result<jepsen::History> history = jepsen::checker::ParseHistoryText(text.str(), lines);
    if (!history.ok()) BadInput(fmt::format("{}: {}", args.file, history.status().message()));
    jepsen::checker::CheckOptions options;
    options.total = args.total;
    options.budget_steps = args.budget;
    options.process_order = args.process_order;
    Result<jepsen::checker::CheckReport> report =
        jepsen::checker::CheckHistory(args.model, *history, lines, options);
    if (!report.ok()) BadInput(fmt::format("{}: {}", args.file, report.status().message()));
    fmt::print("{}", report->text);
    std::fflush(stdout);
    int status = jepsen::checker::VerdictExitCode(report->verdict);
    if (status != 0) std::exit(status);
}

}  // namespace

void Register_check(CLI::App& app) {
    auto args = std::make_shared<CheckArgs>();
    auto* cmd = app.add_subcommand(
        "check", "Check a history (JSON Lines): exit 0 valid, 1 invalid, 3 unknown, 2 bad input");
    cmd->add_option("--model", args->model, "register, kv, list-append, rw-register, bank or set")
        ->required()
        ->check(CLI::IsMember(jepsen::checker::ModelNames()));
    cmd->add_option("file", args->file, "The history file")->required();
    cmd->add_option("--total", args->total,
                    "bank: the invariant total (default: first read's sum)");
    cmd->add_option("--budget", args->budget, "register/kv: model steps per key before 'unknown'")
        ->capture_default_str();
    cmd->add_flag(
        "--process-order", args->process_order,
        "list-append/rw-register: add process-order edges (strong session serializability)");
    cmd->callback([args] { RunCheck(*args); });
}

}  // namespace orrery::tools
