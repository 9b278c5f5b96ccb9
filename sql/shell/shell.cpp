#include "sql/shell/shell.h"

#include <fmt/format.h>

namespace orrery::sql::shell {
namespace {

constexpr std::string_view kHelp =
    "Meta-commands:\n"
    "  \\d              list the tables\n"
    "  \\d TABLE        describe a table (columns, types, keys)\n"
    "  \\dt             list the tables\n"
    "  \\explain SQL    show the plan of a statement\n"
    "  \\format [table|csv|json]  show or set the output format\n"
    "  \\timing [on|off]  show each statement's time\n"
    "  \\status         where this session runs (node, leader, term, transaction)\n"
    "  \\? or \\help     this list\n"
    "  \\q              quit\n"
    "Statements end with ';' (not inside quotes or comments).\n";

// Splits "name rest..." at the first blank.
std::pair<std::string_view, std::string_view> SplitWord(std::string_view s) {
    size_t sp = s.find_first_of(" \t");
    if (sp == std::string_view::npos) return {s, {}};
    std::string_view rest = s.substr(sp);
    size_t b = rest.find_first_not_of(" \t");
    return {s.substr(0, sp), b == std::string_view::npos ? std::string_view() : rest.substr(b)};
}

std::string_view TxnStatusName(TxnStatus s) {
    switch (s) {
        case TxnStatus::kIdle: return "idle";
        case TxnStatus::kInTransaction: return "in a transaction";
        case TxnStatus::kFailed: return "in a failed transaction (ROLLBACK to continue)";
    }
    return "idle";
}

}  // namespace

std::string_view MetaCommandHelp() { return kHelp; }

Shell::Shell(ShellBackend& backend, ShellOptions options, Sink out, Sink err)
    : backend_(backend), options_(options), out_(std::move(out)), err_(std::move(err)) {}

void Shell::FeedLine(std::string_view line) {
    if (quit_) return;
    for (const InputItem& item : accumulator_.AddLine(line)) {
        if (quit_) return;
        Run(item);
    }
}

void Shell::FeedScript(std::string_view script) {
    size_t begin = 0;
    while (begin <= script.size() && !quit_) {
        size_t nl = script.find('\n', begin);
        if (nl == std::string_view::npos) {
            if (begin < script.size()) FeedLine(script.substr(begin));
            break;
        }
        FeedLine(script.substr(begin, nl - begin));
        begin = nl + 1;
    }
    FinishInput();
}

void Shell::FinishInput() {
    if (quit_) return;
    for (const InputItem& item : accumulator_.Finish()) Run(item);
}

std::string Shell::Prompt() const {
    char marker = '=';
    if (accumulator_.pending()) {
        marker = '-';
    } else if (backend_.txn_status() == TxnStatus::kInTransaction) {
        return "orrery=*> ";
    } else if (backend_.txn_status() == TxnStatus::kFailed) {
        return "orrery=!> ";
    }
    return fmt::format("orrery{}> ", marker);
}

void Shell::Run(const InputItem& item) {
    if (item.kind == InputItem::Kind::kMeta) return RunMeta(item.text);
    RunStatement(item.text);
}

void Shell::RunStatement(const std::string& text) {
    bool timed = options_.timing && options_.clock != nullptr;
    Timestamp start = timed ? options_.clock->Now() : Timestamp();
    StatementOutcome outcome = backend_.Execute(text);
    if (outcome.ok()) {
        for (const std::string& notice : outcome.value().notices) err_("NOTICE:  " + notice + "\n");
        out_(FormatResult(options_.format, outcome.value()));
    } else {
        ++failures_;
        std::string rendered = FormatError(options_.format, outcome.error(), text);
        (options_.format == OutputFormat::kJson ? out_ : err_)(rendered);
    }
    if (timed) {
        Duration took = options_.clock->Now() - start;
        Message(fmt::format("Time: {:.3f} ms\n", static_cast<double>(took.us()) / 1000.0));
    }
}

void Shell::Message(std::string_view text) {
    (options_.format == OutputFormat::kJson ? err_ : out_)(text);
}

void Shell::MetaError(std::string_view text) {
    ++failures_;
    err_(fmt::format("ERROR:  {}\n", text));
}

void Shell::RunMeta(std::string_view text) {
    auto [name, arg] = SplitWord(text);
    if (name == "q" || name == "quit") {
        quit_ = true;
    } else if (name == "?" || name == "help") {
        Message(kHelp);
    } else if (name == "d" && arg.empty()) {
        RunStatement("SHOW TABLES");
    } else if (name == "dt") {
        if (!arg.empty()) return MetaError(fmt::format("\\dt takes no argument (got \"{}\")", arg));
        RunStatement("SHOW TABLES");
    } else if (name == "d") {
        // One name: a word, or a "quoted identifier" (which may hold blanks).
        bool quoted = arg.size() >= 2 && arg.front() == '"' && arg.back() == '"';
        if (!quoted && !SplitWord(arg).second.empty()) {
            return MetaError(fmt::format("\\d takes one table name (got \"{}\")", arg));
        }
        RunStatement(fmt::format("DESCRIBE {}", arg));
    } else if (name == "explain") {
        if (arg.empty()) return MetaError("\\explain needs a statement: \\explain SELECT ...");
        std::string_view sql = arg;
        while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ')) sql.remove_suffix(1);
        RunStatement(fmt::format("EXPLAIN {}", sql));
    } else if (name == "timing") {
        if (arg == "on") {
            options_.timing = true;
        } else if (arg == "off") {
            options_.timing = false;
        } else if (arg.empty()) {
            options_.timing = !options_.timing;
        } else {
            return MetaError(fmt::format("\\timing: expected on or off, not \"{}\"", arg));
        }
        if (options_.timing && options_.clock == nullptr) {
            options_.timing = false;
            return MetaError("\\timing: this shell has no clock");
        }
        Message(options_.timing ? "Timing is on.\n" : "Timing is off.\n");
    } else if (name == "format") {
        if (arg.empty()) {
            return Message(fmt::format("Output format is {}.\n", OutputFormatName(options_.format)));
        }
        std::optional<OutputFormat> f = ParseOutputFormat(arg);
        if (!f) return MetaError(fmt::format("\\format: unknown format \"{}\" (table, csv or json)", arg));
        options_.format = *f;
        Message(fmt::format("Output format is {}.\n", OutputFormatName(*f)));
    } else if (name == "status") {
        std::string status = backend_.StatusText();
        if (!status.empty() && status.back() != '\n') status += '\n';
        Message(status + fmt::format("session: {}\n", TxnStatusName(backend_.txn_status())));
    } else {
        MetaError(fmt::format("invalid command \\{}: try \\? for help", name));
    }
}

}  // namespace orrery::sql::shell
