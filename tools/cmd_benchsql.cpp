// `orrery bench sql`: the SQL workload of sql/bench/sql_bench.h on Orrery's embedded database,
// and with --compare sqlite on SQLite in the same process, each in its own scratch directory on
// the real disk (SQLite on a file there, with its default rollback journal and synchronous=FULL).
// Prints one row per phase: each engine's time and ops/s, and the time ratio. The phases' check
// values must agree between the engines; a mismatch is reported and exits 1.
//
// With --cluster it instead runs the tpcb-like mix of sql/bench/tpcb.h on a real five-node
// localhost cluster through the nodes' SQL sessions (tools/bench_sql_cluster.h): TPS, p50/p99
// latency, abort rate, and the mix's invariant checked at the end.
#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sql/bench/sql_bench.h"
#include "tools/bench_sql_cluster.h"
#include "tools/cli_util.h"
#ifdef ORRERY_HAVE_SQLITE
#include "sql/slt/sqlite_database.h"
#endif
#ifdef ORRERY_HAVE_SQL_ENGINE
#include "sql/slt/embedded_orrery.h"
#endif

namespace orrery::tools {
namespace {

struct BenchSqlArgs {
    uint64_t rows = 1'000'000;
    uint64_t seed = 7;
    std::string engine = "orrery";
    std::string compare;
    std::string dir;
    bool cluster = false;
    benchsql::ClusterBenchArgs cluster_args;
    std::string duration = "20s";
    std::string warmup = "2s";
};

struct EngineRun {
    std::string name;
    std::vector<sql::bench::SqlBenchPhase> phases;
};

int64_t SteadyNowUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

[[noreturn]] void Fail(const std::string& message, int code) {
    fmt::print(stderr, "orrery bench sql: {}\n", message);
    throw CLI::RuntimeError(code);
}

std::string MakeScratchDir(const std::string& parent, const std::string& label) {
    std::string base = parent.empty() ? std::string("/tmp") : parent;
    std::filesystem::create_directories(base);
    std::string pattern = base + "/orrery-bench-sql-" + label + "-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) Fail("cannot create a scratch directory", 2);
    return pattern;
}

std::unique_ptr<sql::slt::Database> OpenEngine(const std::string& engine, const std::string& dir) {
    if (engine == "sqlite") {
#ifdef ORRERY_HAVE_SQLITE
        auto db = sql::slt::SqliteDatabase::Open(dir + "/bench.sqlite");
        if (!db.ok()) Fail(db.status().ToString(), 1);
        return std::move(db).value();
#else
        Fail("this binary was built without SQLite (libsqlite3-dev)", 2);
#endif
    }
#ifdef ORRERY_HAVE_SQL_ENGINE
    // On the real disk, with durable commits, as SQLite is on its file.
    auto db = sql::slt::OpenEmbeddedOrrery(dir);
    if (!db.ok()) Fail(db.status().ToString(), 1);
    return std::move(db).value();
#else
    (void)dir;
    Fail("the Orrery SQL engine is not in this build yet (no embedded database and session); "
         "use --engine sqlite",
         2);
#endif
}

EngineRun RunEngine(const std::string& engine, const BenchSqlArgs& args,
                    const sql::bench::SqlBenchOptions& options) {
    std::string dir = MakeScratchDir(args.dir, engine);
    EngineRun run{engine, {}};
    {
        std::unique_ptr<sql::slt::Database> db = OpenEngine(engine, dir);
        auto phases = sql::bench::RunSqlBench(*db, options, SteadyNowUs);
        if (!phases.ok()) Fail(fmt::format("{}: {}", engine, phases.status().ToString()), 1);
        run.phases = std::move(phases).value();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    return run;
}

double OpsPerSecond(const sql::bench::SqlBenchPhase& p) {
    return p.elapsed_us > 0 ? static_cast<double>(p.ops) * 1e6 / static_cast<double>(p.elapsed_us)
                            : 0.0;
}

void PrintTable(const std::vector<EngineRun>& runs) {
    std::string header = fmt::format("{:<14}{:>10}", "phase", "ops");
    for (const EngineRun& r : runs) {
        header += fmt::format("{:>14}{:>14}", r.name + " ms", r.name + " ops/s");
    }
    if (runs.size() == 2) header += fmt::format("{:>16}", "time ratio");
    fmt::print("{}\n", header);
    for (size_t i = 0; i < runs[0].phases.size(); ++i) {
        const auto& first = runs[0].phases[i];
        std::string line = fmt::format("{:<14}{:>10}", first.name, first.ops);
        for (const EngineRun& r : runs) {
            const auto& p = r.phases[i];
            line += fmt::format("{:>14.1f}{:>14.0f}", p.elapsed_us / 1000.0, OpsPerSecond(p));
        }
        if (runs.size() == 2) {
            const auto& second = runs[1].phases[i];
            double ratio = second.elapsed_us > 0 ? static_cast<double>(first.elapsed_us) /
                                                       static_cast<double>(second.elapsed_us)
                                                 : 0.0;
            line += fmt::format("{:>15.2f}x", ratio);
        }
        fmt::print("{}\n", line);
    }
}

void Run(const BenchSqlArgs& args) {
    if (args.cluster) {
        benchsql::ClusterBenchArgs c = args.cluster_args;
        std::optional<Duration> d = ParseDuration(args.duration);
        if (!d || *d <= Duration(0)) Fail("bad --duration " + args.duration, 2);
        c.duration = *d;
        std::optional<Duration> w = ParseDuration(args.warmup);
        if (!w || *w < Duration(0)) Fail("bad --warmup " + args.warmup, 2);
        c.warmup = *w;
        c.dir = args.dir;
        if (Status valid = sql::bench::ValidateTpcb(c.tpcb); !valid.ok()) Fail(valid.message(), 2);
        int status = benchsql::RunClusterBench(c);
        if (status != 0) throw CLI::RuntimeError(status);
        return;
    }
    sql::bench::SqlBenchOptions options = sql::bench::SqlBenchOptions::Scaled(args.rows);
    options.seed = args.seed;
    if (Status valid = sql::bench::ValidateSqlBench(options); !valid.ok()) {
        Fail(valid.message(), 2);
    }
    std::vector<std::string> engines{args.engine};
    if (!args.compare.empty() && args.compare != args.engine) engines.push_back(args.compare);
    fmt::print("sql bench: rows={} point-selects={} range-scans={}x{} join={}x{} seed={}\n",
               options.rows, options.point_selects, options.range_scans, options.rows / 100,
               options.join_rows, options.join_rows, options.seed);
#ifdef ORRERY_HAVE_SQL_ENGINE
    fmt::print("orrery: the embedded database (LSM on the POSIX disk), durable commits\n");
#endif
#ifdef ORRERY_HAVE_SQLITE
    fmt::print("sqlite {}: a file in a scratch directory, journal_mode=delete, synchronous=full\n",
               sql::slt::SqliteDatabase::Version());
#endif
    std::vector<EngineRun> runs;
    for (const std::string& engine : engines) runs.push_back(RunEngine(engine, args, options));
    PrintTable(runs);
    std::fflush(stdout);
    for (size_t i = 0; runs.size() == 2 && i < runs[0].phases.size(); ++i) {
        if (runs[0].phases[i].check != runs[1].phases[i].check) {
            Fail(fmt::format("{}: the engines disagree: {} has {}, {} has {}",
                             runs[0].phases[i].name, runs[0].name, runs[0].phases[i].check,
                             runs[1].name, runs[1].phases[i].check),
                 1);
        }
    }
    if (runs.size() == 2) fmt::print("checks: both engines computed the same results\n");
}

}  // namespace

void Register_benchsql(CLI::App& app) {
    auto args = std::make_shared<BenchSqlArgs>();
    CLI::App* cmd = BenchGroup(app)->add_subcommand(
        "sql", "SQL workload (bulk insert, point selects, scans, GROUP BY, join) vs SQLite");
    cmd->add_option("--rows", args->rows, "Rows of the main table (point selects and join "
                                          "sides scale to rows/10)")
        ->capture_default_str();
    cmd->add_option("--engine", args->engine, "orrery or sqlite")
        ->check(CLI::IsMember({"orrery", "sqlite"}))
        ->capture_default_str();
    cmd->add_option("--compare", args->compare, "Also run this engine (sqlite) on the same data")
        ->check(CLI::IsMember({"sqlite", "orrery"}));
    cmd->add_option("--seed", args->seed, "Seed of values and lookups")->capture_default_str();
    cmd->add_option("--dir", args->dir, "Parent of the scratch directories (default /tmp)");
    cmd->add_flag("--cluster", args->cluster,
                  "Run a tpcb-like mix on a real localhost cluster instead (TPS, latency, aborts)");
    cmd->add_option("--nodes", args->cluster_args.nodes, "--cluster: nodes")
        ->check(CLI::Range(1, 9))->capture_default_str();
    cmd->add_option("--clients", args->cluster_args.clients, "--cluster: concurrent clients")
        ->check(CLI::Range(1, 256))->capture_default_str();
    cmd->add_option("--branches", args->cluster_args.tpcb.branches,
                    "--cluster: branches (contention: each transaction updates one)")
        ->check(CLI::Range(1, 100000))->capture_default_str();
    cmd->add_option("--accounts", args->cluster_args.tpcb.accounts, "--cluster: account rows")
        ->check(CLI::Range(1, 10000000))->capture_default_str();
    cmd->add_option("--duration", args->duration, "--cluster: measured time")
        ->capture_default_str();
    cmd->add_option("--warmup", args->warmup, "--cluster: unmeasured time before it")
        ->capture_default_str();
    cmd->add_flag("--keep", args->cluster_args.keep, "--cluster: keep the cluster directory");
    cmd->callback([args] { Run(*args); });
}

}  // namespace orrery::tools
