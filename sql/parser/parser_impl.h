// The parser's internals: one class whose member functions are the grammar's rules, split by
// concern over parse_expr.cpp, parse_query.cpp, parse_ddl.cpp, parse_dml.cpp, parse_txn.cpp and
// parser.cpp (token helpers and the statement dispatch). Only sql/parser/ includes this header.
//
// Error handling: the first error is kept in error_ and every rule returns "nothing" (nullptr,
// false, nullopt) from then on, so a failure unwinds through plain returns. No rule looks at the
// tokens once error_ is set, and ParseStatement reports error_ alone.
//
// Limits (parser.h): depth_ counts the nested rules open right now (parenthesised expressions,
// NOT/unary chains, subqueries, function arguments, CASE arms); past kMaxNestingDepth the parse
// fails with kProgramLimitExceeded. chain_ counts operators folded into left-deep chains
// (a + b + c, a JOIN b JOIN c, x::t::u) along the current path; past kMaxOperatorChain it fails
// too. Together they bound the height of every tree the parser builds, so the later stages'
// recursive walks (Clone, ExprToSql, the binder) cannot overflow the stack.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/error.h"
#include "sql/parser/lexer.h"

namespace orrery::sql {

// How many operators a left-deep chain may hold along one path of the tree (SQLite's
// SQLITE_MAX_EXPR_DEPTH is the same figure).
inline constexpr uint32_t kMaxOperatorChain = 1000;

// The binding levels of binary operators (parser.h's table), lowest first. The predicate forms
// (IS, BETWEEN, IN, LIKE) sit at kComparisonLevel with the comparison operators.
enum BindingLevel : int {
    kOrLevel = 1,
    kAndLevel = 2,
    kNotLevel = 3,
    kComparisonLevel = 4,
    kConcatLevel = 5,
    kAdditiveLevel = 6,
    kMultiplicativeLevel = 7,
};

class Parser {
public:
    Parser(std::string_view text, std::vector<Token> tokens);

    // Parses the whole token vector as one statement (a trailing ';' allowed).
    SqlResult<Statement> ParseWhole();

    // --- parser.cpp: tokens, errors, names ---
    const Token& Peek(size_t ahead = 0) const;
    const Token& Advance();
    bool failed() const { return error_.has_value(); }
    // True iff token `ahead` is the word `lower` (reserved or not; never a quoted identifier).
    bool IsWord(std::string_view lower, size_t ahead = 0) const;
    bool IsSymbol(std::string_view symbol, size_t ahead = 0) const;
    bool AcceptWord(std::string_view lower);
    bool AcceptSymbol(std::string_view symbol);
    // Consume the word/symbol or fail with "expected <WORD>, found ...".
    bool ExpectWord(std::string_view lower);
    bool ExpectSymbol(std::string_view symbol);
    // Sets the error "expected <what>, found <the next token>" at the next token; returns false.
    bool FailExpected(std::string_view what);
    // Sets the error "<detail>" (a syntax error) at `offset`; returns false.
    bool FailAt(uint32_t offset, std::string_view detail);
    bool Fail(SqlError error);
    // A name: an unquoted non-reserved word or a "quoted identifier". A reserved word fails
    // with "expected <what>, found keyword '<word>'".
    std::optional<std::string> ParseName(std::string_view what);
    bool ParseNameList(std::string_view what, std::vector<std::string>* out);  // ( a, b, ... )
    // The offset where the next token starts / where the last consumed one ended.
    uint32_t NextOffset() const { return Peek().span.offset; }
    Span SpanFrom(uint32_t start) const;

    // Nesting (see the header comment). A scope that fails to enter has set the error.
    class NestingScope {
    public:
        explicit NestingScope(Parser* parser);
        ~NestingScope();
        NestingScope(const NestingScope&) = delete;
        NestingScope& operator=(const NestingScope&) = delete;
        bool ok() const { return ok_; }

    private:
        Parser* parser_;
        bool ok_;
    };
    // Counts one more operator in the chain being folded; false (error set) past the limit.
    bool CountChainLink();

    // --- parse_expr.cpp ---
    ExprPtr ParseExpr();                      // A full expression (OR level).
    ExprPtr ParseBinary(int min_level);       // Precedence climbing from `min_level` up.
    ExprPtr ParseNot();
    ExprPtr ParsePredicate(ExprPtr lhs);      // IS ..., [NOT] BETWEEN / IN / LIKE after lhs.
    ExprPtr ParseIs(ExprPtr lhs);
    ExprPtr ParseIn(ExprPtr lhs, bool negated);
    ExprPtr ParseUnary();
    ExprPtr ParsePostfix();                   // primary [:: type]...
    ExprPtr ParsePrimary();
    ExprPtr ParseLiteral();
    ExprPtr ParseParameter();
    ExprPtr ParseParenthesized();             // ( expr ) or ( subquery )
    ExprPtr ParseNameExpression();            // column, t.c, f(...), TIMESTAMP '...'
    ExprPtr ParseFunctionCall(std::string name, uint32_t start);
    ExprPtr ParseCase();
    ExprPtr ParseCast();
    ExprPtr ParseExists();
    std::optional<TypeSpec> ParseType();
    bool ParseExprList(std::vector<ExprPtr>* out);  // expr, expr, ... (at least one)

    // --- parse_query.cpp ---
    QueryPtr ParseQuery();                    // set operations, ORDER BY, LIMIT, OFFSET
    bool StartsQuery(size_t ahead = 0) const; // SELECT, VALUES, or ( leading to one
    bool ParseIntersectTerm(Query::Operand* first,
                            std::vector<std::pair<SetOp, Query::Operand>>* rest, Span* span);
    bool ParseSetOperand(Query::Operand* out);
    std::unique_ptr<SelectCore> ParseSelectCore();
    std::unique_ptr<SelectCore> ParseValuesCore();
    // allow_default: INSERT's VALUES, where an item may be DEFAULT (ExprKind::kDefault).
    bool ParseValuesRows(std::vector<std::vector<ExprPtr>>* rows, bool allow_default = false);
    // An expression, or DEFAULT (a reserved word, so it never starts an expression).
    ExprPtr ParseExprOrDefault();
    bool ParseSelectItems(std::vector<SelectItem>* out);
    bool ParseSelectItem(SelectItem* out);
    bool ParseFrom(std::vector<TableRefPtr>* out);
    TableRefPtr ParseFromItem();              // a primary followed by JOINs
    TableRefPtr ParseJoin(TableRefPtr left);
    TableRefPtr ParseTablePrimary();
    // [AS] alias; a bare alias must be a name that cannot start the next clause.
    std::optional<std::string> ParseOptionalAlias(bool allow_bare);
    bool ParseOrderBy(std::vector<OrderItem>* out);
    bool ParseLimitOffset(Query* query);

    // --- parse_ddl.cpp ---
    bool ParseCreate(StatementBody* out);
    bool ParseCreateTable(CreateTable* out);
    bool ParseTableElement(CreateTable* out);
    bool ParseColumnDef(ColumnDef* out);
    bool ParseColumnConstraint(ColumnDef* column);
    bool ParseTableConstraint(TableConstraint* out);
    bool ParsePrimaryKeyColumns(TableConstraint* out);
    bool ParseReferences(ForeignKeyRef* out);
    bool ParseCreateIndex(CreateIndex* out);
    bool ParseDrop(StatementBody* out);
    bool ParseAlter(AlterTable* out);
    bool ParseTruncate(Truncate* out);
    bool ParseShow(StatementBody* out);
    bool ParseDescribe(Describe* out);
    bool ParseIfNotExists();                  // consumes IF NOT EXISTS; true if present
    bool ParseIfExists();                     // consumes IF EXISTS (not IF NOT EXISTS)

    // --- parse_dml.cpp ---
    bool ParseInsert(Insert* out);
    bool ParseUpdate(Update* out);
    bool ParseDelete(Delete* out);
    bool ParseWriteCondition(WriteCondition* out, bool allow_not_exists, bool allow_columns);
    bool ParseReturning(std::vector<SelectItem>* out);

    // --- parse_txn.cpp ---
    bool ParseBegin(Begin* out);
    bool ParseTransactionModes(Begin* out);
    bool ParseEndTransaction(StatementBody* out);  // COMMIT / END / ROLLBACK / ABORT
    bool ParseSet(SetVariable* out);
    bool ParseSetValue(std::string* out);
    bool ParseExplain(StatementBody* out);

    // --- parser.cpp: statements ---
    bool ParseStatementBody(Statement* out);
    bool ParseExplainedStatement(Statement* out);  // the statement after EXPLAIN [(...)]

    std::string_view text() const { return text_; }

private:
    friend class NestingScope;
    std::string TokenForMessage(const Token& token) const;

    std::string_view text_;
    std::vector<Token> tokens_;
    size_t pos_ = 0;
    std::optional<SqlError> error_;
    int depth_ = 0;
    uint32_t chain_ = 0;
    // Parameters: '?' are numbered in order; '$n' name their index; one statement uses one form.
    uint32_t question_marks_ = 0;
    uint32_t max_dollar_ = 0;

    friend class ChainScope;

public:
    // Restores chain_ when a rule that folded a chain returns (the chain ends there).
    class ChainScope {
    public:
        explicit ChainScope(Parser* parser) : parser_(parser), saved_(parser->chain_) {}
        ~ChainScope() { parser_->chain_ = saved_; }
        ChainScope(const ChainScope&) = delete;
        ChainScope& operator=(const ChainScope&) = delete;

    private:
        Parser* parser_;
        uint32_t saved_;
    };
};

// Builders shared by the rule files.
ExprPtr MakeExpr(ExprKind kind, Span span);
ExprPtr MakeBinary(BinaryOp op, ExprPtr lhs, ExprPtr rhs);
Span JoinSpans(Span a, Span b);

}  // namespace orrery::sql
