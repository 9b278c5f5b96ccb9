// `orrery bench check`: times the checkers on generated histories. The histories come from
// jepsen/checker/generate.h (seeded, so every run checks the same histories); this file only
// measures wall time and peak memory and prints them.
#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>

#include "jepsen/checker/check.h"
#include "jepsen/checker/generate.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

struct BenchCheckArgs {
    uint64_t seed = 1;
    size_t ops = 10'000;
    size_t keys = 10;
    size_t concurrency = 10;
    size_t txns = 100'000;
    size_t kv_ops = 10'000;
    size_t kv_keys = 10;
    size_t kv_clients = 50;
};

double PeakRssMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux.
}

// Runs one check and prints its time and first report line.
jepsen::checker::CheckReport Timed(const std::string& label, const std::string& model,
                                   const jepsen::History& h) {
    auto start = std::chrono::steady_clock::now();
    Result<jepsen::checker::CheckReport> report =
        jepsen::checker::CheckHistory(model, h, {}, jepsen::checker::CheckOptions{});
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ORRERY_ASSERT(report.ok(), "generated history rejected: {}", report.status().ToString());
    std::string first = report->text.substr(0, report->text.find('\n'));
    fmt::print("{:<34} {:>8.3f} s   {}\n", label, seconds, first);
    return *report;
}

void RunBenchCheck(const BenchCheckArgs& args) {
    using namespace jepsen::checker;
    fmt::print("seed {}\n", args.seed);
    Random rng(args.seed);
    RegisterGenOptions reg;
    reg.ops = args.ops;
    reg.keys = args.keys;
    reg.concurrency = args.concurrency;
    Random reg_rng = rng.Fork("register");
    jepsen::History registers = GenerateRegisterHistory(reg_rng, reg);
    fmt::print("register history: {} ops on {} keys, {} clients, 2% info\n", args.ops, args.keys,
               args.concurrency);
    Timed("linearizability (valid)", "register", registers);
    if (InjectStaleRead(registers).has_value()) {
        Timed("linearizability (1 stale read)", "register", registers);
    }
    KvGenOptions kv;
    kv.ops = args.kv_ops;
    kv.keys = args.kv_keys;
    kv.clients = args.kv_clients;
    Random kv_rng = rng.Fork("kv");
    jepsen::History kv_history = GenerateKvHistory(kv_rng, kv);
    fmt::print("kv-append history: {} ops (get/put/append) on {} keys, {} clients, 2% info\n",
               args.kv_ops, args.kv_keys, args.kv_clients);
    Timed("kv-append (valid)", "kv", kv_history);
    jepsen::History stale = kv_history;
    if (InjectStaleGet(stale, static_cast<int64_t>(kv_history.ops().size() / 2)).has_value()) {
        Timed("kv-append (1 stale get)", "kv", stale);
    }
    jepsen::History lost = kv_history;
    if (InjectLostAppend(lost, static_cast<int64_t>(kv_history.ops().size() / 2)).has_value()) {
        Timed("kv-append (1 lost append)", "kv", lost);
    }
    ListAppendGenOptions la;
    la.txns = args.txns;
    Random la_rng = rng.Fork("list-append");
    jepsen::History txns = GenerateListAppendHistory(la_rng, la);
    double rss_before = PeakRssMiB();
    fmt::print("list-append history: {} txns, {} clients; peak RSS so far {:.1f} MiB\n", args.txns,
               la.concurrency, rss_before);
    Timed("elle list-append", "list-append", txns);
    fmt::print("peak RSS after the Elle check: {:.1f} MiB (+{:.1f} MiB)\n", PeakRssMiB(),
               PeakRssMiB() - rss_before);
}

}  // namespace

void Register_benchcheck(CLI::App& app) {
    auto args = std::make_shared<BenchCheckArgs>();
    auto* cmd = BenchGroup(app)->add_subcommand("check", "Time the history checkers");
    cmd->add_option("--seed", args->seed, "Seed for the generated histories")
        ->capture_default_str();
    cmd->add_option("--ops", args->ops, "Register operations")->capture_default_str();
    cmd->add_option("--keys", args->keys, "Register keys")->capture_default_str();
    cmd->add_option("--clients", args->concurrency, "Concurrent register clients")
        ->capture_default_str();
    cmd->add_option("--txns", args->txns, "List-append transactions")->capture_default_str();
    cmd->add_option("--kv-ops", args->kv_ops, "kv-append operations")->capture_default_str();
    cmd->add_option("--kv-keys", args->kv_keys, "kv-append keys")->capture_default_str();
    cmd->add_option("--kv-clients", args->kv_clients, "Concurrent kv-append clients")
        ->capture_default_str();
    cmd->callback([args] { RunBenchCheck(*args); });
}

}  // namespace orrery::tools
