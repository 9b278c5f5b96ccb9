// `orrery campaign --profile smoke|full --seeds A..B [--jobs J] [--bug NAME] [--out DIR]
// [--workload kv|kv-pinned|bank|list-append|set]`: runs many seeds of a profile
// (jepsen/runner/campaign.h) and prints a summary: seeds run, failures by kind with their
// replay commands, ops per seed, simulated versus wall time. With --out, DIR gets one file
// `seed-N.replay` per failing seed (its replay command, whoever ran it) and `summary.txt`, so a
// large campaign split over machines leaves one folder of replays.
//
// --jobs J forks J worker processes (not threads: every run stays single-threaded and
// deterministic); worker k runs seeds A+k, A+k+J, ... and sends its summary back through a pipe
// as JSON. Exit 0 if every seed passed, 1 if any failed, 2 on bad input.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "jepsen/runner/campaign.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr uint32_t kMaxJobs = 64;

struct CampaignArgs {
    std::string profile = "smoke";
    std::string seeds = "1..100";
    uint32_t jobs = 1;
    std::vector<std::string> bugs;
    std::string workload = "kv";
    std::string mode = "raft";
    std::string consistency = "quorum";
    uint32_t rf = 3;
    std::string duration;
    bool no_check = false;
    std::string out;
};

// A run found a problem: exit 1. (main.cpp maps every CLI error to 2, so not a throw.)
[[noreturn]] void FoundProblem() {
    std::fflush(stdout);
    std::exit(1);
}

constexpr BadInputError BadInput{"campaign"};

std::pair<uint64_t, uint64_t> ParseSeeds(const std::string& text) {
    size_t dots = text.find("..");
    std::optional<uint64_t> first = ParseUint64(text.substr(0, dots));
    std::optional<uint64_t> last =
        dots == std::string::npos ? first : ParseUint64(text.substr(dots + 2));
    if (!first || !last) BadInput(fmt::format("bad --seeds '{}' (expected A..B, decimal)", text));
    if (*last < *first) BadInput(fmt::format("empty --seeds range '{}'", text));
    // Checked here, before any worker starts (RunCampaign checks it again per slice).
    if (*last - *first >= jepsen::runner::kMaxCampaignSeeds) {
        BadInput(fmt::format("--seeds '{}' names {} seeds; one campaign runs at most {}", text,
                             *last - *first + 1, jepsen::runner::kMaxCampaignSeeds));
    }
    return {*first, *last};
}

void PrintFailure(const jepsen::runner::RunResult& r, const std::string& out_dir) {
    if (!r.failed()) return;
    fmt::print("seed {} FAILED ({})\n  replay: {}\n", r.seed, r.FailureKind(), r.replay);
    std::fflush(stdout);
    if (out_dir.empty()) return;
    std::ofstream f(fmt::format("{}/seed-{}.replay", out_dir, r.seed));
    f << "# " << r.FailureKind() << "\n" << r.replay << "\n";
    if (!f) fmt::print(stderr, "orrery campaign: could not write the replay of seed {}\n", r.seed);
}

void PrepareOutDir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) BadInput(fmt::format("cannot create --out '{}': {}", dir, ec.message()));
    // Replays of an earlier campaign in the same folder would be mistaken for this one's.
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        if (entry.path().extension() == ".replay") std::filesystem::remove(entry.path(), ec);
    }
}

// Runs slice `k` of `jobs` in a child process; returns the read end of its pipe.
int ForkWorker(jepsen::runner::CampaignOptions options, uint32_t k, uint32_t jobs, pid_t* pid) {
    int fds[2];
    if (pipe(fds) != 0) BadInput("pipe failed");
    std::fflush(stdout);
    *pid = fork();
    if (*pid < 0) BadInput("fork failed");
    if (*pid > 0) {
        close(fds[1]);
        return fds[0];
    }
    close(fds[0]);
    options.first_seed += k;
    options.stride = jobs;
    std::string json = "{}";
    if (options.first_seed <= options.last_seed) {
        auto s = jepsen::runner::RunCampaign(options);
        if (s.ok()) json = jepsen::runner::CampaignSummaryToJson(*s);
    }
    size_t off = 0;
    while (off < json.size()) {
        ssize_t n = write(fds[1], json.data() + off, json.size() - off);
        if (n <= 0) break;
        off += static_cast<size_t>(n);
    }
    close(fds[1]);
    std::fflush(stdout);
    _exit(0);
}

jepsen::runner::CampaignSummary RunParallel(const jepsen::runner::CampaignOptions& options,
                                            uint32_t jobs) {
    std::vector<int> pipes;
    std::vector<pid_t> pids(jobs);
    for (uint32_t k = 0; k < jobs; ++k) pipes.push_back(ForkWorker(options, k, jobs, &pids[k]));
    jepsen::runner::CampaignSummary total;
    total.profile = options.profile;
    for (uint32_t k = 0; k < jobs; ++k) {
        std::string json;
        char buf[65536];
        ssize_t n;
        while ((n = read(pipes[k], buf, sizeof buf)) > 0) json.append(buf, static_cast<size_t>(n));
        close(pipes[k]);
        int status = 0;
        waitpid(pids[k], &status, 0);
        if (json == "{}") continue;  // An empty slice.
        auto part = jepsen::runner::CampaignSummaryFromJson(json);
        if (!part.ok()) {
            fmt::print(stderr, "orrery campaign: worker {} failed: {}\n", k,
                       part.status().ToString());
            FoundProblem();
        }
        jepsen::runner::MergeCampaignSummary(&total, *part);
    }
    return total;
}

void RunCampaignCommand(const CampaignArgs& a) {
    auto [first, last] = ParseSeeds(a.seeds);
    if (last < first) BadInput("empty --seeds range");
    if (a.jobs < 1 || a.jobs > kMaxJobs) BadInput(fmt::format("--jobs must be in 1..{}", kMaxJobs));
    auto probe = jepsen::runner::ProfileOptions(a.profile, first);
    if (!probe.ok()) BadInput(probe.status().message());
    jepsen::runner::CampaignOptions o;
    o.profile = a.profile;
    o.first_seed = first;
    o.last_seed = last;
    o.bugs = a.bugs;
    o.workload = a.workload;
    o.mode = a.mode;
    o.consistency = a.consistency;
    o.rf = a.rf;
    o.check_linearizability = !a.no_check;
    if (!a.duration.empty()) {
        auto d = ParseDuration(a.duration);
        if (!d || d->us() <= 0) BadInput(fmt::format("bad --duration '{}'", a.duration));
        o.duration = *d;
    }
    jepsen::runner::RunOptions check = *probe;
    check.bugs = a.bugs;
    check.workload = a.workload;
    check.mode = a.mode;
    check.consistency = a.consistency;
    check.rf = a.rf;
    Status valid = jepsen::runner::ValidateRunOptions(check);
    if (!valid.ok()) BadInput(valid.message());
    if (!a.out.empty()) PrepareOutDir(a.out);
    o.on_run = [out = a.out](const jepsen::runner::RunResult& r) { PrintFailure(r, out); };
    fmt::print("profile: {} seeds {}..{} faults: {}\n", a.profile, first, last,
               jepsen::runner::ProfileFaultPlan(a.profile));
    if (!a.bugs.empty()) fmt::print("bugs: {}\n", fmt::join(a.bugs, " "));
    std::fflush(stdout);
    for (const std::string& warning : jepsen::runner::BugWarnings(check)) {
        fmt::print(stderr, "orrery campaign: warning: {}\n", warning);
    }
    auto start = std::chrono::steady_clock::now();
    jepsen::runner::CampaignSummary summary;
    if (a.jobs == 1) {
        summary = jepsen::runner::RunCampaign(o).value();
    } else {
        summary = RunParallel(o, a.jobs);
    }
    summary.wall_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::string rendered = jepsen::runner::RenderCampaignSummary(summary);
    fmt::print("{}", rendered);
    if (!a.out.empty()) {
        std::ofstream f(a.out + "/summary.txt");
        f << "orrery campaign --profile " << a.profile << " --seeds " << a.seeds << "\n"
          << rendered;
        if (!f) fmt::print(stderr, "orrery campaign: could not write {}/summary.txt\n", a.out);
    }
    if (summary.failed_seeds() > 0) FoundProblem();
}

}  // namespace

void Register_campaign(CLI::App& app) {
    auto args = std::make_shared<CampaignArgs>();
    auto* cmd = app.add_subcommand("campaign", "Run many simulated seeds of a profile");
    cmd->add_option("--profile", args->profile, "smoke (5 s per seed) or full (30 s per seed)");
    cmd->add_option("--seeds", args->seeds, "Seed range A..B (inclusive)");
    cmd->add_option("--jobs", args->jobs, "Worker processes");
    cmd->add_option("--bug", args->bugs, "Enable a known protocol bug in every run (repeatable)");
    cmd->add_option("--duration", args->duration, "Override the profile's safety phase");
    cmd->add_option("--workload", args->workload,
                    "Workload of every run: kv, kv-pinned, bank, list-append, set, sql-bank, "
                    "sql-list-append; lwt "
                    "(leaderless mode: registers as lightweight transactions)");
    cmd->add_option("--mode", args->mode, "raft (default) or leaderless");
    cmd->add_option("--consistency", args->consistency,
                    "Leaderless kv: one, quorum (default) or all");
    cmd->add_option("--rf", args->rf, "Leaderless: replicas per key (default 3)");
    cmd->add_flag("--no-check", args->no_check, "Skip the linearizability check of histories");
    cmd->add_option("--out", args->out, "Folder for one replay file per failing seed + summary");
    cmd->callback([args] { RunCampaignCommand(*args); });
}

}  // namespace orrery::tools
