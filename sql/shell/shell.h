// Shell: the SQL shell behind `orrery sql` (tools/cmd_sql.cpp only parses arguments, picks a
// backend and feeds lines). It accumulates lines into statements (accumulator.h), runs each on
// the backend, renders the outcome (format.h) and runs the meta-commands:
//
//   \d            list the tables (SHOW TABLES)        \d TABLE   describe one (DESCRIBE TABLE)
//   \dt           list the tables                      \explain SQL  EXPLAIN SQL
//   \timing [on|off]   print each statement's time     \status    where the session runs
//   \format [table|csv|json]   the output format       \? \help   this list       \q  quit
//
// Output goes to two sinks as psql's does: results to `out`; errors, notices and the shell's
// own messages to `err`. In json format an error is part of the contract (one line per
// statement, format.h), so it goes to `out` too, and the shell's messages stay on `err`.
//
// Every statement that fails, and every meta-command that is wrong, counts in failures(): the
// batch modes of `orrery sql` exit non-zero when it is not zero, and carry on after an error.
//
// The shell reads no clock of its own: \timing uses ShellOptions::clock (a real clock in the
// tool), and says so when there is none.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "sql/shell/accumulator.h"
#include "sql/shell/backend.h"
#include "sql/shell/format.h"

namespace orrery::sql::shell {

struct ShellOptions {
    OutputFormat format = OutputFormat::kTable;
    bool timing = false;
    const Clock* clock = nullptr;  // For \timing; nullptr: no timing in this shell.
};

class Shell {
public:
    using Sink = std::function<void(std::string_view)>;

    // `backend` must outlive the shell.
    Shell(ShellBackend& backend, ShellOptions options, Sink out, Sink err);

    // One line of input, without its newline: runs whatever it completes.
    void FeedLine(std::string_view line);
    // A whole script (-e, -f): its lines, then FinishInput.
    void FeedScript(std::string_view script);
    // End of input: runs an unfinished last statement (a ';' is optional at the end).
    void FinishInput();
    // Drops a half-typed statement (Ctrl-C at the prompt).
    void ResetInput() { accumulator_.Reset(); }

    // "orrery=> " at a fresh statement, "orrery-> " inside one; the '=' becomes '*' inside a
    // transaction and '!' inside a failed one (psql's markers).
    std::string Prompt() const;

    bool quit_requested() const { return quit_; }
    int failures() const { return failures_; }
    OutputFormat format() const { return options_.format; }

private:
    void Run(const InputItem& item);
    void RunStatement(const std::string& text);
    void RunMeta(std::string_view text);
    void Message(std::string_view text);  // The shell's own words (err in json, else out).
    void MetaError(std::string_view text);

    ShellBackend& backend_;
    ShellOptions options_;
    Sink out_;
    Sink err_;
    StatementAccumulator accumulator_;
    bool quit_ = false;
    int failures_ = 0;
};

// The text of \? (also `orrery sql --help`'s epilogue).
std::string_view MetaCommandHelp();

}  // namespace orrery::sql::shell
