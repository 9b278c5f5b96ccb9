// The SQL shell's golden scripts.
//
// testdata/shell/*.txt run the shell over a scripted backend (below) that answers every
// statement with the statement itself, so a script shows exactly what SQL a line or a
// meta-command sent and how the shell rendered it; testdata/shell/embedded/*.txt run the same
// commands over an embedded in-memory database (built only when the tree has the engine).
//
// Commands:
//   acc LINE          the accumulator alone: prints what LINE completed ("statement: ...",
//                     "meta: ...", a statement's newlines shown as \n) and "(pending)" while a
//                     statement is open
//   acc-finish        end of input for the accumulator
//   line LINE         feeds LINE to the shell; prints its output, error-stream lines prefixed
//                     with "err: "
//   finish            end of input for the shell
//   prompt            the prompt the REPL would show now
//   failures          how many statements and meta-commands failed so far
//   render FORMAT COL:TYPE... | VALUE... | VALUE...   a result as FORMAT renders it (values:
//                     NULL, true, false, integers, floats, NaN, Infinity, 'text' with '' for a
//                     quote, x'hex', ts:MICROS); `render FORMAT tag=TAG` a result without rows
//   render-error FORMAT SQLSTATE POS MESSAGE | STATEMENT   an error (POS 0: none; "\n" in the
//                     statement is a newline)
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <charconv>
#include <memory>

#include "sql/shell/shell.h"
#include "testkit/golden.h"
#if ORRERY_HAVE_SQL_ENGINE
#include "sql/shell/embedded_backend.h"
#endif

namespace orrery::sql::shell {
namespace {

using testkit::GoldenCommand;

// Answers a statement with one row holding its text, except:
//   BEGIN / COMMIT / ROLLBACK move the transaction status (tag only);
//   a statement starting with FAIL is a syntax error at the character after "FAIL" (its
//   position), and inside a transaction fails the transaction;
//   a statement starting with NOTICE returns tag "DROP TABLE" and a notice.
class ScriptedBackend final : public ShellBackend {
public:
    StatementOutcome Execute(std::string_view text) override {
        std::string upper;
        for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        StatementResult r;
        if (upper.rfind("FAIL", 0) == 0) {
            if (status_ == TxnStatus::kInTransaction) status_ = TxnStatus::kFailed;
            return MakeSqlError(ErrorKind::kSyntax, "syntax error: scripted failure", 5);
        }
        if (upper == "BEGIN") {
            status_ = TxnStatus::kInTransaction;
            r.tag = "BEGIN";
            return r;
        }
        if (upper == "COMMIT" || upper == "ROLLBACK") {
            r.tag = status_ == TxnStatus::kFailed ? "ROLLBACK" : upper;
            status_ = TxnStatus::kIdle;
            return r;
        }
        if (upper.rfind("NOTICE", 0) == 0) {
            r.tag = "DROP TABLE";
            r.notices.push_back("table \"t\" does not exist, skipping");
            return r;
        }
        r.columns.push_back({"statement", DataType::kString});
        r.rows.push_back({Value::String(std::string(text))});
        r.tag = "SELECT 1";
        return r;
    }
    TxnStatus txn_status() const override { return status_; }
    std::string StatusText() override { return "scripted backend"; }

private:
    TxnStatus status_ = TxnStatus::kIdle;
};

// A golden file's state: one backend, one shell, one accumulator.
struct Fixture {
    explicit Fixture(std::unique_ptr<ShellBackend> b)
        : backend(std::move(b)),
          shell(*backend, ShellOptions{},
                [this](std::string_view s) { output += s; },
                [this](std::string_view s) { AppendErr(s); }) {}

    void AppendErr(std::string_view s) {
        size_t begin = 0;
        while (begin < s.size()) {
            size_t nl = s.find('\n', begin);
            size_t end = nl == std::string_view::npos ? s.size() : nl;
            output += "err: " + std::string(s.substr(begin, end - begin)) + "\n";
            begin = end + 1;
        }
    }
    std::string Take() { return std::exchange(output, std::string()); }

    std::unique_ptr<ShellBackend> backend;
    std::string output;
    Shell shell;
    StatementAccumulator accumulator;
};

std::string Items(const std::vector<InputItem>& items, bool pending) {
    std::string out;
    for (const InputItem& i : items) {
        // A statement's newlines are shown as "\n", so one item is one line.
        std::string text;
        for (char c : i.text) text += c == '\n' ? std::string("\\n") : std::string(1, c);
        out += fmt::format("{}: {}\n", i.kind == InputItem::Kind::kMeta ? "meta" : "statement",
                           text);
    }
    if (pending) out += "(pending)\n";
    return out;
}

// Words of a render spec: blanks separate them, except inside '...' ('' is a quote).
Result<std::vector<std::string>> Words(std::string_view s) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] == ' ') { ++i; continue; }
        std::string w;
        bool quoted = false;
        while (i < s.size() && (quoted || s[i] != ' ')) {
            if (s[i] == '\'') {
                if (quoted && i + 1 < s.size() && s[i + 1] == '\'') {
                    w += "''";
                    i += 2;
                    continue;
                }
                quoted = !quoted;
            }
            w += s[i++];
        }
        if (quoted) return Status::InvalidArgument(fmt::format("unterminated quote in {}", w));
        words.push_back(std::move(w));
    }
    return words;
}

std::string Unquote(std::string_view q) {
    std::string out;
    for (size_t i = 1; i + 1 < q.size(); ++i) {
        out += q[i];
        if (q[i] == '\'') ++i;
    }
    return out;
}

Result<Value> ParseValue(const std::string& w) {
    if (w == "NULL") return Value::Null();
    if (w == "true" || w == "false") return Value::Boolean(w == "true");
    if (w == "NaN") return Value::Float(std::numeric_limits<double>::quiet_NaN());
    if (w == "Infinity") return Value::Float(std::numeric_limits<double>::infinity());
    if (w == "-Infinity") return Value::Float(-std::numeric_limits<double>::infinity());
    if (w.size() >= 2 && w.front() == '\'') return Value::String(Unquote(w));
    if (w.size() >= 3 && w[0] == 'x' && w[1] == '\'') {
        std::string hex = Unquote(w.substr(1)), bytes;
        for (size_t i = 0; i + 1 < hex.size(); i += 2) {
            bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
        }
        return Value::Blob(bytes);
    }
    if (w.rfind("ts:", 0) == 0) return Value::Timestamp(std::stoll(w.substr(3)));
    const char* end = w.data() + w.size();
    if (w.find_first_of(".e") == std::string::npos) {
        int64_t i = 0;
        auto [p, ec] = std::from_chars(w.data(), end, i);
        if (ec == std::errc() && p == end) return Value::Integer(i);
    } else {
        double d = 0;
        auto [p, ec] = std::from_chars(w.data(), end, d);
        if (ec == std::errc() && p == end) return Value::Float(d);
    }
    return Status::InvalidArgument(fmt::format("not a value: {}", w));
}

Result<DataType> ParseType(std::string_view t) {
    for (DataType d : {DataType::kNull, DataType::kBoolean, DataType::kInteger, DataType::kFloat,
                       DataType::kString, DataType::kTimestamp, DataType::kBlob}) {
        if (DataTypeName(d) == t) return d;
    }
    return Status::InvalidArgument(fmt::format("not a type: {}", t));
}

Result<OutputFormat> Format(const std::string& name) {
    std::optional<OutputFormat> f = ParseOutputFormat(name);
    if (!f) return Status::InvalidArgument(fmt::format("not a format: {}", name));
    return *f;
}

Result<std::string> Render(const GoldenCommand& cmd) {
    std::string rest = cmd.Rest();
    size_t sp = rest.find(' ');
    if (sp == std::string::npos) return Status::InvalidArgument("render FORMAT ...");
    ORRERY_ASSIGN_OR_RETURN(OutputFormat format, Format(rest.substr(0, sp)));
    std::string spec = rest.substr(sp + 1);
    StatementResult result;
    if (spec.rfind("tag=", 0) == 0) {
        result.tag = spec.substr(4);
        return FormatResult(format, result);
    }
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> words, Words(spec));
    size_t i = 0;
    for (; i < words.size() && words[i] != "|"; ++i) {
        size_t colon = words[i].rfind(':');
        if (colon == std::string::npos) return Status::InvalidArgument("a column is NAME:TYPE");
        ORRERY_ASSIGN_OR_RETURN(DataType type, ParseType(words[i].substr(colon + 1)));
        result.columns.push_back({words[i].substr(0, colon), type});
    }
    while (i < words.size()) {
        ++i;  // The '|'.
        Row row;
        for (; i < words.size() && words[i] != "|"; ++i) {
            ORRERY_ASSIGN_OR_RETURN(Value v, ParseValue(words[i]));
            row.push_back(std::move(v));
        }
        if (row.size() != result.columns.size()) {
            return Status::InvalidArgument(fmt::format("a row of {} values for {} columns",
                                                       row.size(), result.columns.size()));
        }
        result.rows.push_back(std::move(row));
    }
    result.tag = fmt::format("SELECT {}", result.rows.size());
    return FormatResult(format, result);
}

Result<std::string> RenderError(const GoldenCommand& cmd) {
    if (cmd.args.size() < 4) return Status::InvalidArgument("render-error FORMAT SQLSTATE POS MESSAGE | STATEMENT");
    ORRERY_ASSIGN_OR_RETURN(OutputFormat format, Format(cmd.args[0]));
    std::optional<ErrorKind> kind;
    for (int k = 0; k <= static_cast<int>(ErrorKind::kInternal); ++k) {
        if (SqlState(static_cast<ErrorKind>(k)) == cmd.args[1]) kind = static_cast<ErrorKind>(k);
    }
    if (!kind) return Status::InvalidArgument(fmt::format("not a SQLSTATE: {}", cmd.args[1]));
    uint32_t pos = static_cast<uint32_t>(std::stoul(cmd.args[2]));
    std::string rest = cmd.Rest();
    // After "FORMAT SQLSTATE POS ".
    for (int skip = 0; skip < 3; ++skip) rest = rest.substr(rest.find(' ') + 1);
    size_t bar = rest.find(" | ");
    if (bar == std::string::npos) return Status::InvalidArgument("MESSAGE | STATEMENT");
    std::string statement;
    std::string_view st = std::string_view(rest).substr(bar + 3);
    for (size_t i = 0; i < st.size(); ++i) {
        if (st[i] == '\\' && i + 1 < st.size() && st[i + 1] == 'n') {
            statement += '\n';
            ++i;
        } else {
            statement += st[i];
        }
    }
    SqlError e = MakeSqlError(*kind, rest.substr(0, bar),
                              pos == 0 ? std::nullopt : std::optional<uint32_t>(pos));
    return FormatError(format, e, statement);
}

Result<std::string> Handle(Fixture& f, const GoldenCommand& cmd) {
    if (cmd.name == "acc") {
        auto items = f.accumulator.AddLine(cmd.Rest());
        return Items(items, f.accumulator.pending());
    }
    if (cmd.name == "acc-finish") {
        auto items = f.accumulator.Finish();
        return Items(items, f.accumulator.pending());
    }
    if (cmd.name == "line") {
        f.shell.FeedLine(cmd.Rest());
        return f.Take();
    }
    if (cmd.name == "finish") {
        f.shell.FinishInput();
        return f.Take();
    }
    if (cmd.name == "prompt") return "\"" + f.shell.Prompt() + "\"";
    if (cmd.name == "failures") return fmt::format("{}", f.shell.failures());
    if (cmd.name == "render") return Render(cmd);
    if (cmd.name == "render-error") return RenderError(cmd);
    return Status::InvalidArgument(fmt::format("unknown command {}", cmd.name));
}

void RunFiles(const std::string& dir, const std::function<std::unique_ptr<ShellBackend>()>& make) {
    std::vector<std::string> files = testkit::ListGoldenFiles(dir, ".txt");
    REQUIRE(!files.empty());
    for (const std::string& file : files) {
        SECTION(file) {
            Fixture f(make());
            testkit::RunGoldenFile(file, [&](const GoldenCommand& cmd) { return Handle(f, cmd); });
        }
    }
}

TEST_CASE("sql shell: accumulator, formats and meta-commands (golden, scripted backend)") {
    RunFiles("../testdata/shell", [] { return std::make_unique<ScriptedBackend>(); });
}

#if ORRERY_HAVE_SQL_ENGINE
TEST_CASE("sql shell on an embedded database (golden)") {
    RunFiles("../testdata/shell/embedded", [] {
        auto b = EmbeddedBackend::Open("");
        REQUIRE(b.ok());
        return std::unique_ptr<ShellBackend>(std::move(b).value());
    });
}
#endif

}  // namespace
}  // namespace orrery::sql::shell
