// orrery sql: the SQL shell (sql/shell/), embedded on a data directory (--data DIR) or on a
// cluster (--connect HOST:PORT[,...], default 127.0.0.1:9601). Statements come from -e (each
// one a script), -f FILE, stdin, or an interactive REPL with libedit when stdin is a terminal.
// This file only parses arguments, picks the backend and feeds lines; the logic is the shell's.
//
// Exit status: 0 when every statement succeeded, 1 when one failed (the batch carries on after
// an error), 2 for bad input (arguments, an unreadable file, no answer from the cluster).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "net/real_clock.h"
#include "net/cluster_config.h"
#include "net/wall_clock.h"
#include "sql/shell/shell.h"
#include "tools/sql_remote.h"
#if ORRERY_HAVE_SQL_ENGINE
#include "sql/shell/embedded_backend.h"
#include "tools/cli_util.h"
#endif
#if ORRERY_HAVE_LIBEDIT
#include <editline/readline.h>
#endif

namespace orrery::tools {
namespace {

struct SqlArgs {
    std::string data;
    std::string connect;
    std::vector<std::string> execute;
    std::string file;
    std::string format = "table";
};

constexpr BadInputError BadInput{"sql"};

// The cluster through RemoteSql (one session for the whole shell).
class RemoteBackend final : public sql::shell::ShellBackend {
public:
    explicit RemoteBackend(std::unique_ptr<RemoteSql> remote) : remote_(std::move(remote)) {}
    ~RemoteBackend() override { remote_->Close(); }

    sql::StatementOutcome Execute(std::string_view text) override {
        node::SqlOutcome o = remote_->Execute(std::string(text));
        if (o.ok() && o.result) return *o.result;
        if (o.error) return *o.error;
        return sql::MakeSqlError(sql::ErrorKind::kUnavailable,
                                 o.message().empty() ? "no answer from the cluster" : o.message());
    }
    sql::TxnStatus txn_status() const override { return remote_->txn_status(); }
    std::string StatusText() override {
        auto s = remote_->NodeStatus();
        if (!s.ok()) return fmt::format("node status unavailable: {}", s.status().ToString());
        return fmt::format("node n{} (leader n{}, term {}, commit {}, applied {}, sessions {})",
                           s->node, s->leader, s->term, s->commit, s->applied, s->sessions);
    }

private:
    std::unique_ptr<RemoteSql> remote_;
};

std::unique_ptr<sql::shell::ShellBackend> OpenBackend(const SqlArgs& args) {
    if (!args.data.empty() && !args.connect.empty()) BadInput("give one of --data DIR and --connect HOST:PORT");
    if (!args.data.empty()) {
#if ORRERY_HAVE_SQL_ENGINE
        sql::SessionOptions session;
        session.wall_clock_us = net::SystemWallClockMicros;  // now(): this machine's time.
        auto b = sql::shell::EmbeddedBackend::Open(args.data, std::move(session));
        if (!b.ok()) BadInput(fmt::format("cannot open {}: {}", args.data, b.status().ToString()));
        return std::move(b).value();
#else
        BadInput("this build has no SQL engine yet: --data needs it (use --connect)");
#endif
    }
    std::string list = args.connect.empty() ? "127.0.0.1:9601" : args.connect;
    std::vector<std::string> addresses;
    std::stringstream ss(list);
    for (std::string a; std::getline(ss, a, ',');) {
        if (!net::ParseHostPort(a).ok()) BadInput(fmt::format("bad address '{}' (HOST:PORT)", a));
        addresses.push_back(a);
    }
    if (addresses.empty()) BadInput("--connect needs HOST:PORT[,HOST:PORT...]");
    std::string errors;
    for (const std::string& a : addresses) {
        auto remote = RemoteSql::Connect(a, Duration::Seconds(3));
        if (remote.ok()) return std::make_unique<RemoteBackend>(std::move(remote).value());
        errors += fmt::format("\n  {}: {}", a, remote.status().ToString());
    }
    BadInput("no node answered:" + errors);
}

void RunRepl(sql::shell::Shell& shell) {
#if ORRERY_HAVE_LIBEDIT
    using_history();
    while (!shell.quit_requested()) {
        char* line = readline(shell.Prompt().c_str());
        if (line == nullptr) break;  // Ctrl-D.
        std::string text(line);
        std::free(line);
        if (!text.empty()) add_history(text.c_str());
        shell.FeedLine(text);
    }
#else
    std::string text;
    while (!shell.quit_requested()) {
        std::fputs(shell.Prompt().c_str(), stdout);
        std::fflush(stdout);
        if (!std::getline(std::cin, text)) break;
        shell.FeedLine(text);
    }
#endif
    shell.FinishInput();
}

void RunSql(const SqlArgs& args) {
    auto format = sql::shell::ParseOutputFormat(args.format);
    if (!format) BadInput(fmt::format("unknown format '{}' (table, csv or json)", args.format));
    std::string script;
    if (!args.file.empty()) {
        std::ifstream in(args.file);
        if (!in) BadInput(fmt::format("cannot read {}", args.file));
        std::stringstream buf;
        buf << in.rdbuf();
        script = buf.str();
    }
    std::unique_ptr<sql::shell::ShellBackend> backend = OpenBackend(args);
    boost::asio::io_context io;
    net::RealClock clock(io);
    sql::shell::ShellOptions options;
    options.format = *format;
    options.clock = &clock;
    sql::shell::Shell shell(
        *backend, options, [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stdout); std::fflush(stdout); },
        [](std::string_view s) { std::fwrite(s.data(), 1, s.size(), stderr); });
    bool interactive = args.execute.empty() && args.file.empty() && isatty(STDIN_FILENO);
    if (interactive) {
        RunRepl(shell);
        return;
    }
    for (const std::string& e : args.execute) shell.FeedScript(e);
    if (!args.file.empty()) shell.FeedScript(script);
    if (args.execute.empty() && args.file.empty()) {
        for (std::string line; std::getline(std::cin, line) && !shell.quit_requested();) shell.FeedLine(line);
        shell.FinishInput();
    }
    if (shell.failures() > 0) throw CLI::RuntimeError(1);
}

}  // namespace

void Register_sql(CLI::App& app) {
    auto args = std::make_shared<SqlArgs>();
    CLI::App* cmd = app.add_subcommand(
        "sql", "SQL shell: embedded on a data directory, or on a cluster (default 127.0.0.1:9601)");
    cmd->add_option("--data", args->data, "Run embedded on this data directory (created if missing)");
    cmd->add_option("--connect", args->connect, "Cluster nodes HOST:PORT[,HOST:PORT...]");
    cmd->add_option("-e,--execute", args->execute, "Run these statements (repeatable)");
    cmd->add_option("-f,--file", args->file, "Run the statements of FILE");
    cmd->add_option("--format", args->format, "Output format: table, csv or json");
    cmd->footer(std::string(sql::shell::MetaCommandHelp()) +
                "Exit status: 0 every statement succeeded, 1 one failed, 2 bad input.\n");
    cmd->callback([args] { RunSql(*args); });
}

}  // namespace orrery::tools
