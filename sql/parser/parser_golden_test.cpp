// The parser's golden scripts, testdata/parser/*.txt. Commands:
//   parse <sql>    the statement as an indented tree (ast_printer_for_test.h); a query's
//                  QueryToSql must parse back to the same text (checked, not printed)
//   expr <expr>    the expression of `SELECT <expr>` as ExprToSql, round trip checked
//   spans <sql>    every expression of the first SELECT's items, pre-order, with the text its
//                  span covers
//   lex <sql>      the tokens: kind, span and text
//   split <script> SplitStatements
// In every command "\n" stands for a newline (a golden command is one line).
// A failing command prints "error: invalid_argument: <SQLSTATE> [at <position>]: <message>".
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

#include "sql/parser.h"
#include "sql/parser/ast_printer_for_test.h"
#include "sql/parser/lexer.h"
#include "testkit/golden.h"

namespace orrery::sql {
namespace {

using testkit::GoldenCommand;

Status ToStatus(const SqlError& error) {
    std::string where = error.position ? fmt::format(" at {}", *error.position) : "";
    return Status::InvalidArgument(
        fmt::format("{}{}: {}", SqlState(error.kind), where, error.message));
}

// The query's canonical text must survive a second parse unchanged.
Status CheckQueryRoundTrip(const Query& query) {
    std::string once = QueryToSql(query);
    SqlResult<Statement> again = ParseStatement(once);
    if (!again.ok()) {
        return Status::Corruption("canonical text does not parse: " + once + " -- " +
                                  again.error().message);
    }
    const auto* select = std::get_if<SelectStatement>(&again.value().body);
    if (select == nullptr) return Status::Corruption("canonical text is not a query: " + once);
    std::string twice = QueryToSql(*select->query);
    if (twice != once) return Status::Corruption("round trip changed " + once + " into " + twice);
    std::string cloned = QueryToSql(*query.Clone());
    if (cloned != once) return Status::Corruption("Clone changed " + once + " into " + cloned);
    return Status::Ok();
}

// The command's text with "\n" turned into newlines.
std::string Text(const GoldenCommand& cmd) {
    std::string out;
    std::string rest = cmd.Rest();
    for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size() && rest[i + 1] == 'n') {
            out += '\n';
            ++i;
        } else {
            out += rest[i];
        }
    }
    return out;
}

Result<std::string> Parse(const GoldenCommand& cmd) {
    SqlResult<Statement> parsed = ParseStatement(Text(cmd));
    if (!parsed.ok()) return ToStatus(parsed.error());
    const Statement& s = parsed.value();
    if (const auto* select = std::get_if<SelectStatement>(&s.body)) {
        ORRERY_RETURN_IF_ERROR(CheckQueryRoundTrip(*select->query));
    }
    return PrintStatementTree(s);
}

Result<const Expr*> FirstItem(const Statement& s) {
    const auto* select = std::get_if<SelectStatement>(&s.body);
    if (select == nullptr || !select->query->first.core ||
        select->query->first.core->items.empty()) {
        return Status::InvalidArgument("not a SELECT with items");
    }
    return select->query->first.core->items[0].expr.get();
}

Result<std::string> Expression(const GoldenCommand& cmd) {
    std::string sql = "SELECT " + Text(cmd);
    SqlResult<Statement> parsed = ParseStatement(sql);
    if (!parsed.ok()) return ToStatus(parsed.error());
    ORRERY_ASSIGN_OR_RETURN(const Expr* e, FirstItem(parsed.value()));
    std::string once = ExprToSql(*e);
    SqlResult<Statement> again = ParseStatement("SELECT " + once);
    if (!again.ok()) return Status::Corruption("canonical text does not parse: " + once);
    ORRERY_ASSIGN_OR_RETURN(const Expr* e2, FirstItem(again.value()));
    if (ExprToSql(*e2) != once) return Status::Corruption("round trip changed " + once);
    if (ExprToSql(*e->Clone()) != once) return Status::Corruption("Clone changed " + once);
    return once;
}

void AppendSpans(const Expr& e, std::string_view text, int indent, std::string* out) {
    *out += std::string(static_cast<size_t>(indent) * 2, ' ');
    *out += fmt::format("{}+{} [{}]\n", e.span.offset, e.span.length,
                        text.substr(e.span.offset, e.span.length));
    for (const ExprPtr& arg : e.args) AppendSpans(*arg, text, indent + 1, out);
}

Result<std::string> Spans(const GoldenCommand& cmd) {
    std::string sql = Text(cmd);
    SqlResult<Statement> parsed = ParseStatement(sql);
    if (!parsed.ok()) return ToStatus(parsed.error());
    const Statement& s = parsed.value();
    std::string out = fmt::format("statement {}+{}\n", s.span.offset, s.span.length);
    const auto* select = std::get_if<SelectStatement>(&s.body);
    if (select == nullptr || !select->query->first.core) {
        return Status::InvalidArgument("spans needs a SELECT");
    }
    for (const SelectItem& item : select->query->first.core->items) {
        AppendSpans(*item.expr, sql, 0, &out);
    }
    return out;
}

std::string_view KindName(TokenKind kind) {
    switch (kind) {
        case TokenKind::kEnd: return "end";
        case TokenKind::kIdentifier: return "ident";
        case TokenKind::kQuotedIdentifier: return "quoted";
        case TokenKind::kKeyword: return "keyword";
        case TokenKind::kString: return "string";
        case TokenKind::kBlob: return "blob";
        case TokenKind::kInteger: return "integer";
        case TokenKind::kFloat: return "float";
        case TokenKind::kParameter: return "param";
        case TokenKind::kSymbol: return "symbol";
    }
    return "?";
}

Result<std::string> LexCommand(const GoldenCommand& cmd) {
    std::string sql = Text(cmd);
    SqlResult<std::vector<Token>> tokens = Lex(sql);
    if (!tokens.ok()) return ToStatus(tokens.error());
    std::string out;
    for (const Token& t : tokens.value()) {
        std::string detail;
        if (t.kind == TokenKind::kInteger) detail = fmt::format(" = {}", t.integer);
        if (t.kind == TokenKind::kFloat) detail = fmt::format(" = {}", t.floating);
        if (t.kind == TokenKind::kParameter) detail = fmt::format(" = {}", t.parameter_index);
        std::string text = t.text;
        if (t.kind == TokenKind::kBlob) {
            text.clear();
            for (char c : t.text) text += fmt::format("{:02x}", static_cast<unsigned char>(c));
        }
        out += fmt::format("{} {}+{} [{}]{}\n", KindName(t.kind), t.span.offset, t.span.length,
                           text, detail);
    }
    return out;
}

Result<std::string> Split(const GoldenCommand& cmd) {
    std::string script = Text(cmd);
    std::string out;
    for (const StatementText& piece : SplitStatements(script)) {
        std::string shown;
        for (char c : piece.text) shown += c == '\n' ? std::string("\\n") : std::string(1, c);
        out += fmt::format("{}: [{}]\n", piece.offset, shown);
    }
    return out.empty() ? std::string("(no statements)") : out;
}

Result<std::string> Run(const GoldenCommand& cmd) {
    if (cmd.name == "parse") return Parse(cmd);
    if (cmd.name == "expr") return Expression(cmd);
    if (cmd.name == "spans") return Spans(cmd);
    if (cmd.name == "lex") return LexCommand(cmd);
    if (cmd.name == "split") return Split(cmd);
    return Status::InvalidArgument("unknown command " + cmd.name);
}

TEST_CASE("parser golden scripts", "[sql][parser]") {
    std::vector<std::string> files = testkit::ListGoldenFiles("testdata/parser", ".txt");
    REQUIRE(!files.empty());
    for (const std::string& file : files) {
        INFO(file);
        testkit::RunGoldenFile(file, Run);
    }
}

}  // namespace
}  // namespace orrery::sql
