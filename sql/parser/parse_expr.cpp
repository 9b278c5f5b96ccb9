// Expressions: precedence climbing over the binding levels of parser_impl.h, then the unary,
// postfix (::) and primary rules.
//
//   expr       := binary(OR)
//   binary(L)  := (L <= NOT and NOT ahead ? not : unary) { op binary(level(op)+1) | predicate }
//   not        := NOT binary(NOT)                         (right-associative: NOT NOT x)
//   predicate  := IS [NOT] NULL|TRUE|FALSE | IS [NOT] DISTINCT FROM binary(||)
//               | [NOT] BETWEEN binary(||) AND binary(||) | [NOT] IN ( list | query )
//               | [NOT] LIKE binary(||) [ESCAPE binary(||)]
//   unary      := - unary | + unary | postfix
//   postfix    := primary { :: type }
//   primary    := literal | param | name | name.name | f(...) | CASE | CAST | [NOT] EXISTS (q)
//               | ( expr ) | ( query ) | TIMESTAMP 'text'
//
// Every binary operator is left-associative, the comparison level included (a < b < c parses
// as (a < b) < c and the binder rejects comparing a BOOLEAN with a number).
#include <fmt/format.h>

#include <cstdint>
#include <limits>
#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {
namespace {

struct BinaryOperator {
    BinaryOp op;
    int level;
};

// The binary operator the token spells, if any (AND and OR are words, the rest symbols).
std::optional<BinaryOperator> BinaryOperatorOf(const Token& t) {
    if (t.kind == TokenKind::kKeyword) {
        if (t.text == "or") return BinaryOperator{BinaryOp::kOr, kOrLevel};
        if (t.text == "and") return BinaryOperator{BinaryOp::kAnd, kAndLevel};
        return std::nullopt;
    }
    if (t.kind != TokenKind::kSymbol) return std::nullopt;
    static constexpr std::pair<std::string_view, BinaryOperator> kSymbols[] = {
        {"=", {BinaryOp::kEq, kComparisonLevel}},
        {"<>", {BinaryOp::kNotEq, kComparisonLevel}},
        {"!=", {BinaryOp::kNotEq, kComparisonLevel}},
        {"<", {BinaryOp::kLess, kComparisonLevel}},
        {"<=", {BinaryOp::kLessEq, kComparisonLevel}},
        {">", {BinaryOp::kGreater, kComparisonLevel}},
        {">=", {BinaryOp::kGreaterEq, kComparisonLevel}},
        {"||", {BinaryOp::kConcat, kConcatLevel}},
        {"+", {BinaryOp::kAdd, kAdditiveLevel}},
        {"-", {BinaryOp::kSubtract, kAdditiveLevel}},
        {"*", {BinaryOp::kMultiply, kMultiplicativeLevel}},
        {"/", {BinaryOp::kDivide, kMultiplicativeLevel}},
        {"%", {BinaryOp::kModulo, kMultiplicativeLevel}},
    };
    for (const auto& [symbol, op] : kSymbols) {
        if (t.text == symbol) return op;
    }
    return std::nullopt;
}

}  // namespace

ExprPtr Parser::ParseExpr() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    return ParseBinary(kOrLevel);
}

ExprPtr Parser::ParseBinary(int min_level) {
    if (failed()) return nullptr;
    ChainScope chain(this);
    ExprPtr lhs = (min_level <= kNotLevel && IsWord("not")) ? ParseNot() : ParseUnary();
    // Each iteration folds one operator into lhs; the chain limit bounds the iterations.
    while (lhs) {
        bool predicate = IsWord("is") || IsWord("between") || IsWord("in") || IsWord("like") ||
                         (IsWord("not") && (IsWord("between", 1) || IsWord("in", 1) ||
                                            IsWord("like", 1)));
        if (predicate) {
            if (min_level > kComparisonLevel) break;
            if (!CountChainLink()) return nullptr;
            lhs = ParsePredicate(std::move(lhs));
            continue;
        }
        std::optional<BinaryOperator> op = BinaryOperatorOf(Peek());
        if (!op || op->level < min_level) break;
        if (!CountChainLink()) return nullptr;
        Advance();
        ExprPtr rhs = ParseBinary(op->level + 1);
        if (!rhs) return nullptr;
        lhs = MakeBinary(op->op, std::move(lhs), std::move(rhs));
    }
    return lhs;
}

ExprPtr Parser::ParseNot() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    ORRERY_ASSERT(IsWord("not"));
    Advance();
    bool exists_follows = IsWord("exists");
    ExprPtr operand = ParseBinary(kNotLevel);
    if (!operand) return nullptr;
    // NOT EXISTS (q) is the negated EXISTS node (ast.h), not NOT applied to EXISTS.
    if (exists_follows && operand->kind == ExprKind::kExists && !operand->negated) {
        operand->negated = true;
        operand->span = SpanFrom(start);
        return operand;
    }
    ExprPtr e = MakeExpr(ExprKind::kUnary, SpanFrom(start));
    e->unary_op = UnaryOp::kNot;
    e->args.push_back(std::move(operand));
    return e;
}

ExprPtr Parser::ParsePredicate(ExprPtr lhs) {
    if (IsWord("is")) return ParseIs(std::move(lhs));
    bool negated = AcceptWord("not");
    if (AcceptWord("in")) return ParseIn(std::move(lhs), negated);
    ExprKind kind = IsWord("between") ? ExprKind::kBetween : ExprKind::kLike;
    Advance();  // BETWEEN or LIKE.
    ExprPtr e = MakeExpr(kind, lhs->span);
    e->negated = negated;
    e->args.push_back(std::move(lhs));
    ExprPtr second = ParseBinary(kConcatLevel);
    if (!second) return nullptr;
    e->args.push_back(std::move(second));
    if (kind == ExprKind::kBetween && !ExpectWord("and")) return nullptr;
    if (kind == ExprKind::kBetween || AcceptWord("escape")) {
        ExprPtr third = ParseBinary(kConcatLevel);
        if (!third) return nullptr;
        e->args.push_back(std::move(third));
    }
    e->span = SpanFrom(e->span.offset);
    return e;
}

ExprPtr Parser::ParseIs(ExprPtr lhs) {
    Advance();  // IS
    bool negated = AcceptWord("not");
    if (AcceptWord("distinct")) {
        if (!ExpectWord("from")) return nullptr;
        ExprPtr rhs = ParseBinary(kConcatLevel);
        if (!rhs) return nullptr;
        BinaryOp op = negated ? BinaryOp::kIsNotDistinctFrom : BinaryOp::kIsDistinctFrom;
        return MakeBinary(op, std::move(lhs), std::move(rhs));
    }
    ExprPtr e;
    if (AcceptWord("null")) {
        e = MakeExpr(ExprKind::kIsNull, lhs->span);
    } else if (IsWord("true") || IsWord("false")) {
        e = MakeExpr(ExprKind::kIsBool, lhs->span);
        e->bool_value = Advance().text == "true";
    } else {
        FailExpected("NULL, TRUE, FALSE or DISTINCT FROM after IS");
        return nullptr;
    }
    e->negated = negated;
    e->args.push_back(std::move(lhs));
    e->span = SpanFrom(e->span.offset);
    return e;
}

ExprPtr Parser::ParseIn(ExprPtr lhs, bool negated) {
    if (!ExpectSymbol("(")) return nullptr;
    ExprPtr e;
    if (IsWord("select") || IsWord("values")) {
        e = MakeExpr(ExprKind::kInSubquery, lhs->span);
        e->subquery = ParseQuery();
        if (!e->subquery) return nullptr;
        e->args.push_back(std::move(lhs));
    } else {
        e = MakeExpr(ExprKind::kInList, lhs->span);
        e->args.push_back(std::move(lhs));
        NestingScope scope(this);
        if (!scope.ok() || !ParseExprList(&e->args)) return nullptr;
    }
    if (!ExpectSymbol(")")) return nullptr;
    e->negated = negated;
    e->span = SpanFrom(e->span.offset);
    return e;
}

ExprPtr Parser::ParseUnary() {
    if (failed()) return nullptr;
    if (!IsSymbol("-") && !IsSymbol("+")) return ParsePostfix();
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    bool minus = Advance().text == "-";
    // -9223372036854775808 is the one integer literal whose magnitude does not fit int64: the
    // minus is folded into the literal (unless a :: cast binds the digits first).
    const Token& next = Peek();
    constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
    if (minus && next.kind == TokenKind::kInteger && next.integer == kMinMagnitude &&
        !IsSymbol("::", 1)) {
        Advance();
        ExprPtr lit = MakeExpr(ExprKind::kLiteral, SpanFrom(start));
        lit->literal.kind = Literal::Kind::kInteger;
        lit->literal.integer = std::numeric_limits<int64_t>::min();
        return lit;
    }
    ExprPtr operand = ParseUnary();
    if (!operand) return nullptr;
    ExprPtr e = MakeExpr(ExprKind::kUnary, SpanFrom(start));
    e->unary_op = minus ? UnaryOp::kNegate : UnaryOp::kPlus;
    e->args.push_back(std::move(operand));
    return e;
}

ExprPtr Parser::ParsePostfix() {
    ChainScope chain(this);
    ExprPtr e = ParsePrimary();
    // Each :: wraps the expression so far; the chain limit bounds the loop.
    while (e && IsSymbol("::")) {
        if (!CountChainLink()) return nullptr;
        Advance();
        std::optional<TypeSpec> type = ParseType();
        if (!type) return nullptr;
        ExprPtr cast = MakeExpr(ExprKind::kCast, SpanFrom(e->span.offset));
        cast->cast_type = *type;
        cast->args.push_back(std::move(e));
        e = std::move(cast);
    }
    return e;
}

ExprPtr Parser::ParsePrimary() {
    if (failed()) return nullptr;
    const Token& t = Peek();
    switch (t.kind) {
        case TokenKind::kInteger:
        case TokenKind::kFloat:
        case TokenKind::kString:
        case TokenKind::kBlob: return ParseLiteral();
        case TokenKind::kParameter: return ParseParameter();
        case TokenKind::kIdentifier:
        case TokenKind::kQuotedIdentifier: return ParseNameExpression();
        case TokenKind::kSymbol:
            if (t.text == "(") return ParseParenthesized();
            break;
        case TokenKind::kKeyword:
            if (t.text == "null" || t.text == "true" || t.text == "false") return ParseLiteral();
            if (t.text == "case") return ParseCase();
            if (t.text == "cast") return ParseCast();
            if (t.text == "exists") return ParseExists();
            // LEFT and RIGHT are join words, and also string functions.
            if ((t.text == "left" || t.text == "right") && IsSymbol("(", 1)) {
                uint32_t start = t.span.offset;
                return ParseFunctionCall(Advance().text, start);
            }
            break;
        case TokenKind::kEnd: break;
    }
    FailExpected("expression");
    return nullptr;
}

ExprPtr Parser::ParseLiteral() {
    const Token& t = Advance();
    ExprPtr e = MakeExpr(ExprKind::kLiteral, t.span);
    Literal& lit = e->literal;
    switch (t.kind) {
        case TokenKind::kInteger:
            if (t.integer > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
                Fail(SqlError{ErrorKind::kNumericOutOfRange,
                              fmt::format("integer literal {} is out of range for INTEGER", t.text),
                              t.span.offset + 1});
                return nullptr;
            }
            lit.kind = Literal::Kind::kInteger;
            lit.integer = static_cast<int64_t>(t.integer);
            break;
        case TokenKind::kFloat:
            lit.kind = Literal::Kind::kFloat;
            lit.floating = t.floating;
            break;
        case TokenKind::kString:
            lit.kind = Literal::Kind::kString;
            lit.text = t.text;
            break;
        case TokenKind::kBlob:
            lit.kind = Literal::Kind::kBlob;
            lit.text = t.text;
            break;
        default:
            ORRERY_ASSERT(t.kind == TokenKind::kKeyword);
            if (t.text == "null") {
                lit.kind = Literal::Kind::kNull;
            } else {
                lit.kind = Literal::Kind::kBoolean;
                lit.boolean = t.text == "true";
            }
    }
    return e;
}

ExprPtr Parser::ParseParameter() {
    const Token& t = Advance();
    bool question = t.parameter_index == 0;
    if ((question && max_dollar_ > 0) || (!question && question_marks_ > 0)) {
        FailAt(t.span.offset, "cannot mix ? and $n parameters in one statement");
        return nullptr;
    }
    ExprPtr e = MakeExpr(ExprKind::kParameter, t.span);
    if (question) {
        e->parameter_index = ++question_marks_;
    } else {
        e->parameter_index = t.parameter_index;
        max_dollar_ = std::max(max_dollar_, t.parameter_index);
    }
    ORRERY_ASSERT(e->parameter_index >= 1);
    return e;
}

ExprPtr Parser::ParseParenthesized() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    uint32_t start = NextOffset();
    Advance();  // (
    if (IsWord("select") || IsWord("values")) {
        ExprPtr e = MakeExpr(ExprKind::kScalarSubquery, {start, 0});
        e->subquery = ParseQuery();
        if (!e->subquery || !ExpectSymbol(")")) return nullptr;
        e->span = SpanFrom(start);
        return e;
    }
    ExprPtr inner = ParseExpr();
    if (!inner || !ExpectSymbol(")")) return nullptr;
    return inner;
}

}  // namespace orrery::sql
