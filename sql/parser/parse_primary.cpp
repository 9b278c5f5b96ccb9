// The primaries that start with a word: column references, function calls, the typed literal
// TIMESTAMP '...', CASE, CAST, EXISTS; and type names (CAST, ::, column definitions).
//
//   name_expr := name [ . name ] | name ( [DISTINCT|ALL] args | * ) | TIMESTAMP 'text'
//              | CURRENT_TIMESTAMP
//   case      := CASE [expr] WHEN expr THEN expr { WHEN expr THEN expr } [ELSE expr] END
//   cast      := CAST ( expr AS type )
//   exists    := EXISTS ( query )
//   type      := word [word] [ ( integer [, integer] ) ]    (data_type.h's spellings)
#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {
namespace {

bool IsStringType(DataType type) { return type == DataType::kString; }

// NUMERIC(p, s), DECIMAL(p, s) and FLOAT(p) take a precision that Orrery ignores (data_type.h).
bool TakesIgnoredPrecision(std::string_view word) {
    return word == "numeric" || word == "decimal" || word == "float";
}

}  // namespace

ExprPtr Parser::ParseNameExpression() {
    const Token& first = Peek();
    uint32_t start = first.span.offset;
    bool quoted = first.kind == TokenKind::kQuotedIdentifier;
    // TIMESTAMP '2026-01-02 03:04:05' is CAST('...' AS TIMESTAMP).
    if (!quoted && first.text == "timestamp" && Peek(1).kind == TokenKind::kString) {
        Advance();
        ExprPtr text = ParseLiteral();
        ExprPtr cast = MakeExpr(ExprKind::kCast, SpanFrom(start));
        cast->cast_type = TypeSpec{DataType::kTimestamp, std::nullopt};
        cast->args.push_back(std::move(text));
        return cast;
    }
    std::string name = Advance().text;
    if (IsSymbol("(")) return ParseFunctionCall(std::move(name), start);
    if (!quoted && name == "current_timestamp") {
        ExprPtr e = MakeExpr(ExprKind::kFunction, SpanFrom(start));
        e->name = std::move(name);
        return e;
    }
    ExprPtr e = MakeExpr(ExprKind::kColumn, {start, 0});
    if (AcceptSymbol(".")) {
        std::optional<std::string> column = ParseName("column name");
        if (!column) return nullptr;
        e->table = std::move(name);
        e->name = std::move(*column);
    } else {
        e->name = std::move(name);
    }
    e->span = SpanFrom(start);
    return e;
}

ExprPtr Parser::ParseFunctionCall(std::string name, uint32_t start) {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    ExprPtr e = MakeExpr(ExprKind::kFunction, {start, 0});
    e->name = std::move(name);
    Advance();  // (
    if (AcceptWord("distinct")) {
        e->distinct = true;
    } else {
        AcceptWord("all");
    }
    if (IsSymbol("*") && IsSymbol(")", 1)) {
        if (e->distinct) {
            FailExpected("expression");
            return nullptr;
        }
        Advance();
        e->star = true;
    } else if (!IsSymbol(")") || e->distinct) {
        if (!ParseExprList(&e->args)) return nullptr;
    }
    if (!ExpectSymbol(")")) return nullptr;
    e->span = SpanFrom(start);
    return e;
}

ExprPtr Parser::ParseCase() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    Advance();  // CASE
    ExprPtr e = MakeExpr(ExprKind::kCase, {start, 0});
    if (!IsWord("when")) {
        ExprPtr operand = ParseExpr();
        if (!operand) return nullptr;
        e->has_operand = true;
        e->args.push_back(std::move(operand));
    }
    if (!IsWord("when")) {
        FailExpected("WHEN");
        return nullptr;
    }
    // One WHEN ... THEN ... pair per iteration; each consumes tokens, so the loop ends.
    while (AcceptWord("when")) {
        ExprPtr when = ParseExpr();
        if (!when || !ExpectWord("then")) return nullptr;
        ExprPtr then = ParseExpr();
        if (!then) return nullptr;
        e->args.push_back(std::move(when));
        e->args.push_back(std::move(then));
    }
    if (AcceptWord("else")) {
        ExprPtr otherwise = ParseExpr();
        if (!otherwise) return nullptr;
        e->has_else = true;
        e->args.push_back(std::move(otherwise));
    }
    if (!ExpectWord("end")) return nullptr;
    e->span = SpanFrom(start);
    return e;
}

ExprPtr Parser::ParseCast() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    Advance();  // CAST
    if (!ExpectSymbol("(")) return nullptr;
    ExprPtr operand = ParseExpr();
    if (!operand || !ExpectWord("as")) return nullptr;
    std::optional<TypeSpec> type = ParseType();
    if (!type || !ExpectSymbol(")")) return nullptr;
    ExprPtr e = MakeExpr(ExprKind::kCast, SpanFrom(start));
    e->cast_type = *type;
    e->args.push_back(std::move(operand));
    return e;
}

ExprPtr Parser::ParseExists() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    Advance();  // EXISTS
    if (!ExpectSymbol("(")) return nullptr;
    if (!IsWord("select") && !IsWord("values")) {
        FailExpected("SELECT or VALUES");
        return nullptr;
    }
    ExprPtr e = MakeExpr(ExprKind::kExists, {start, 0});
    e->subquery = ParseQuery();
    if (!e->subquery || !ExpectSymbol(")")) return nullptr;
    e->span = SpanFrom(start);
    return e;
}

std::optional<TypeSpec> Parser::ParseType() {
    if (failed()) return std::nullopt;
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdentifier) {
        FailExpected("type name");
        return std::nullopt;
    }
    uint32_t start = t.span.offset;
    std::string word = Advance().text;
    // The two-word spellings of data_type.h.
    if (word == "double" && AcceptWord("precision")) word = "double precision";
    if (word == "character" && AcceptWord("varying")) word = "character varying";
    std::optional<DataType> type = DataTypeFromName(word);
    if (!type) {
        Fail(SqlError{ErrorKind::kUndefinedObject, fmt::format("type \"{}\" does not exist", word),
                      start + 1});
        return std::nullopt;
    }
    TypeSpec spec{*type, std::nullopt};
    if (!IsSymbol("(")) return spec;
    if (!IsStringType(*type) && !TakesIgnoredPrecision(word)) {
        FailAt(NextOffset(), fmt::format("type {} takes no length", DataTypeName(*type)));
        return std::nullopt;
    }
    Advance();  // (
    const Token& n = Peek();
    if (n.kind != TokenKind::kInteger || n.integer < 1 || n.integer > UINT32_MAX) {
        FailExpected("a positive length");
        return std::nullopt;
    }
    uint64_t length = Advance().integer;
    if (IsStringType(*type)) {
        spec.max_length = static_cast<uint32_t>(length);
    } else if (AcceptSymbol(",")) {
        if (Peek().kind != TokenKind::kInteger) {
            FailExpected("a scale");
            return std::nullopt;
        }
        Advance();
    }
    if (!ExpectSymbol(")")) return std::nullopt;
    return spec;
}

bool Parser::ParseExprList(std::vector<ExprPtr>* out) {
    // One expression per iteration, separated by commas; each consumes tokens.
    do {
        ExprPtr e = ParseExpr();
        if (!e) return false;
        out->push_back(std::move(e));
    } while (AcceptSymbol(","));
    return true;
}

}  // namespace orrery::sql
