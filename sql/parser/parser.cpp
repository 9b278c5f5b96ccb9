// The parser's entry point (ParseStatement), its token helpers and error forms, and the dispatch
// from a statement's first word to the rule that parses it. The rules live in parse_*.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/assert.h"
#include "sql/parser.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {
namespace {

// A token quoted in an error message is cut to this many bytes ("..." marks the cut), so a
// 1 MB string literal does not make a 1 MB message.
constexpr size_t kMaxQuotedTokenBytes = 40;

std::string Upper(std::string_view word) {
    std::string out(word);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

}  // namespace

ExprPtr MakeExpr(ExprKind kind, Span span) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->span = span;
    return e;
}

Span JoinSpans(Span a, Span b) {
    uint32_t start = std::min(a.offset, b.offset);
    uint32_t end = std::max(a.offset + a.length, b.offset + b.length);
    return {start, end - start};
}

ExprPtr MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs) {
    ORRERY_ASSERT(lhs != nullptr);
    ORRERY_ASSERT(rhs != nullptr);
    ExprPtr e = MakeExpr(ExprKind::kBinary, JoinSpans(lhs->span, rhs->span));
    e->binary_op = op;
    e->args.push_back(std::move(lhs));
    e->args.push_back(std::move(rhs));
    return e;
}

Parser::Parser(std::string_view text, std::vector<Token> tokens)
    : text_(text), tokens_(std::move(tokens)) {
    ORRERY_ASSERT(!tokens_.empty());
    ORRERY_ASSERT(tokens_.back().kind == TokenKind::kEnd);
}

const Token& Parser::Peek(size_t ahead) const {
    size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
}

const Token& Parser::Advance() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;  // kEnd is never consumed past.
    return t;
}

bool Parser::IsWord(std::string_view lower, size_t ahead) const {
    const Token& t = Peek(ahead);
    return (t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kKeyword) && t.text == lower;
}

bool Parser::IsSymbol(std::string_view symbol, size_t ahead) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kSymbol && t.text == symbol;
}

bool Parser::AcceptWord(std::string_view lower) {
    if (failed() || !IsWord(lower)) return false;
    Advance();
    return true;
}

bool Parser::AcceptSymbol(std::string_view symbol) {
    if (failed() || !IsSymbol(symbol)) return false;
    Advance();
    return true;
}

bool Parser::ExpectWord(std::string_view lower) {
    if (failed()) return false;
    if (AcceptWord(lower)) return true;
    return FailExpected(Upper(lower));
}

bool Parser::ExpectSymbol(std::string_view symbol) {
    if (failed()) return false;
    if (AcceptSymbol(symbol)) return true;
    return FailExpected(fmt::format("'{}'", symbol));
}

std::string Parser::TokenForMessage(const Token& token) const {
    if (token.kind == TokenKind::kEnd) return "end of input";
    std::string_view raw = text_.substr(token.span.offset, token.span.length);
    std::string shown(raw.substr(0, kMaxQuotedTokenBytes));
    if (raw.size() > kMaxQuotedTokenBytes) shown += "...";
    if (token.kind == TokenKind::kKeyword) return fmt::format("keyword '{}'", shown);
    return fmt::format("'{}'", shown);
}

bool Parser::FailExpected(std::string_view what) {
    const Token& t = Peek();
    return FailAt(t.span.offset, fmt::format("expected {}, found {}", what, TokenForMessage(t)));
}

bool Parser::FailAt(uint32_t offset, std::string_view detail) {
    return Fail(SyntaxErrorAt(text_, offset, detail));
}

bool Parser::Fail(SqlError error) {
    if (!error_) error_ = std::move(error);
    return false;
}

std::optional<std::string> Parser::ParseName(std::string_view what) {
    if (failed()) return std::nullopt;
    const Token& t = Peek();
    if (t.kind == TokenKind::kIdentifier || t.kind == TokenKind::kQuotedIdentifier) {
        return Advance().text;
    }
    FailExpected(what);
    return std::nullopt;
}

bool Parser::ParseNameList(std::string_view what, std::vector<std::string>* out) {
    if (!ExpectSymbol("(")) return false;
    do {
        std::optional<std::string> name = ParseName(what);
        if (!name) return false;
        out->push_back(std::move(*name));
    } while (AcceptSymbol(","));
    return ExpectSymbol(")");
}

Span Parser::SpanFrom(uint32_t start) const {
    // The end of the last consumed token; before any token is consumed the span is empty.
    uint32_t end = start;
    if (pos_ > 0) {
        const Token& last = tokens_[pos_ - 1];
        end = std::max(start, last.span.offset + last.span.length);
    }
    return {start, end - start};
}

Parser::NestingScope::NestingScope(Parser* parser) : parser_(parser), ok_(true) {
    ++parser_->depth_;
    if (parser_->depth_ > kMaxNestingDepth) {
        ok_ = false;
        parser_->Fail(SqlError{
            ErrorKind::kProgramLimitExceeded,
            fmt::format("statement too deeply nested (more than {} levels)", kMaxNestingDepth),
            parser_->NextOffset() + 1});
    }
}

Parser::NestingScope::~NestingScope() { --parser_->depth_; }

bool Parser::CountChainLink() {
    ++chain_;
    if (chain_ <= kMaxOperatorChain) return true;
    return Fail(SqlError{
        ErrorKind::kProgramLimitExceeded,
        fmt::format("statement too complex (more than {} chained operators or joins)",
                    kMaxOperatorChain),
        NextOffset() + 1});
}

// --- statements ------------------------------------------------------------------------------

bool Parser::ParseStatementBody(Statement* out) {
    if (StartsQuery()) {
        QueryPtr query = ParseQuery();
        if (!query) return false;
        out->body = SelectStatement{std::move(query)};
        return true;
    }
    auto parse_into = [&]<typename T>(bool (Parser::*rule)(T*)) {
        T body;
        if (!(this->*rule)(&body)) return false;
        out->body = std::move(body);
        return true;
    };
    if (IsWord("insert")) return parse_into(&Parser::ParseInsert);
    if (IsWord("update")) return parse_into(&Parser::ParseUpdate);
    if (IsWord("delete")) return parse_into(&Parser::ParseDelete);
    if (IsWord("create")) return ParseCreate(&out->body);
    if (IsWord("drop")) return ParseDrop(&out->body);
    if (IsWord("alter")) return parse_into(&Parser::ParseAlter);
    if (IsWord("truncate")) return parse_into(&Parser::ParseTruncate);
    if (IsWord("show")) return ParseShow(&out->body);
    if (IsWord("describe")) return parse_into(&Parser::ParseDescribe);
    if (IsWord("begin") || IsWord("start")) return parse_into(&Parser::ParseBegin);
    if (IsWord("commit") || IsWord("end") || IsWord("rollback") || IsWord("abort")) {
        return ParseEndTransaction(&out->body);
    }
    if (IsWord("set")) return parse_into(&Parser::ParseSet);
    if (IsWord("explain")) return ParseExplain(&out->body);
    return FailExpected("statement");
}

SqlResult<Statement> Parser::ParseWhole() {
    Statement statement;
    uint32_t start = NextOffset();
    if (Peek().kind == TokenKind::kEnd || IsSymbol(";")) {
        return SqlError{ErrorKind::kSyntax, "empty statement", std::nullopt};
    }
    if (ParseStatementBody(&statement)) {
        statement.span = SpanFrom(start);
        AcceptSymbol(";");
        if (Peek().kind != TokenKind::kEnd) FailExpected("end of statement");
    }
    if (error_) return std::move(*error_);
    // At most one of the two forms is in use (ParseParameter refuses a mix).
    statement.parameter_count = question_marks_ > 0 ? question_marks_ : max_dollar_;
    if (auto* explain = std::get_if<std::unique_ptr<Explain>>(&statement.body)) {
        (*explain)->statement.parameter_count = statement.parameter_count;
    }
    return statement;
}

SqlResult<Statement> ParseStatement(std::string_view text) {
    if (text.size() > kMaxStatementBytes) {
        return SqlError{ErrorKind::kProgramLimitExceeded,
                        fmt::format("statement too long ({} bytes; the limit is {})",
                                    text.size(), kMaxStatementBytes),
                        std::nullopt};
    }
    SqlResult<std::vector<Token>> tokens = Lex(text);
    if (!tokens.ok()) return tokens.error();
    Parser parser(text, std::move(tokens).value());
    return parser.ParseWhole();
}

}  // namespace orrery::sql
