// `orrery slt FILE...`: runs sqllogictest files (sql/slt/record.h) against Orrery's embedded
// database, or with --engine sqlite against SQLite (how the project's .test files are checked).
// Each file gets a fresh database. Prints every failure (file:line, the SQL, expected and
// actual), one line per file and the totals.
//
// Exit status: 0 when every record passed, 1 when any failed, 2 on bad input (an unreadable or
// malformed file, an engine this binary was built without).
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "sql/slt/record.h"
#include "sql/slt/runner.h"
#ifdef ORRERY_HAVE_SQLITE
#include "sql/slt/sqlite_database.h"
#endif
#ifdef ORRERY_HAVE_SQL_ENGINE
#include "sql/slt/embedded_orrery.h"
#include "tools/cli_util.h"
#endif

namespace orrery::tools {
namespace {

struct SltArgs {
    std::vector<std::string> files;
    std::string engine = "orrery";
    size_t max_failures = 20;
};

constexpr BadInputError BadInput{"slt"};

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in.good()) BadInput(fmt::format("cannot read {}", path));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh database of the named engine for one file.
std::unique_ptr<sql::slt::Database> OpenDatabase(const std::string& engine) {
    if (engine == "sqlite") {
#ifdef ORRERY_HAVE_SQLITE
        auto db = sql::slt::SqliteDatabase::Open();
        if (!db.ok()) BadInput(db.status().ToString());
        return std::move(db).value();
#else
        BadInput("this binary was built without SQLite (libsqlite3-dev)");
#endif
    }
#ifdef ORRERY_HAVE_SQL_ENGINE
    // In memory: every file starts from an empty database, and nothing needs cleaning up.
    auto db = sql::slt::OpenEmbeddedOrrery("");
    if (!db.ok()) BadInput(db.status().ToString());
    return std::move(db).value();
#else
    BadInput("the Orrery SQL engine is not in this build yet (no embedded database and "
             "session); use --engine sqlite");
#endif
}

void RunSlt(const SltArgs& args) {
    std::vector<sql::slt::FileReport> reports;
    size_t printed = 0;
    for (const std::string& file : args.files) {
        std::string text = ReadFile(file);
        auto records = sql::slt::ParseScript(text, file);
        if (!records.ok()) BadInput(records.status().message());
        std::unique_ptr<sql::slt::Database> db = OpenDatabase(args.engine);
        sql::slt::RunOptions options;
        options.max_failures_kept = args.max_failures;
        sql::slt::FileReport report = sql::slt::RunRecords(*db, file, records.value(), options);
        for (const sql::slt::Failure& f : report.failures) {
            if (printed++ < args.max_failures) fmt::print("{}\n", sql::slt::FormatFailure(f));
        }
        fmt::print("{}: {} records, {} passed, {} failed, {} skipped\n", file, report.records,
                   report.passed, report.failed, report.skipped);
        reports.push_back(std::move(report));
    }
    fmt::print("{} (engine {})\n", sql::slt::FormatSummary(reports), args.engine);
    std::fflush(stdout);
    for (const sql::slt::FileReport& r : reports) {
        if (r.failed > 0) throw CLI::RuntimeError(1);
    }
}

}  // namespace

void Register_slt(CLI::App& app) {
    auto args = std::make_shared<SltArgs>();
    auto* cmd = app.add_subcommand(
        "slt", "Run sqllogictest files: exit 0 all passed, 1 a record failed, 2 bad input");
    cmd->add_option("files", args->files, "The .test files")->required();
    cmd->add_option("--engine", args->engine, "orrery (embedded) or sqlite")
        ->check(CLI::IsMember({"orrery", "sqlite"}))
        ->capture_default_str();
    cmd->add_option("--max-failures", args->max_failures, "Failures printed in full")
        ->capture_default_str();
    cmd->callback([args] { RunSlt(*args); });
}

}  // namespace orrery::tools
