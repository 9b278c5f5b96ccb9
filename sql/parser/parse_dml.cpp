// Writes: INSERT, UPDATE, DELETE, with the conditional-write IF clauses and RETURNING.
//
//   insert := INSERT INTO name [AS alias] [( names )]
//             ( VALUES rows | query | DEFAULT VALUES ) [IF NOT EXISTS] [RETURNING items]
//             (an item of a VALUES row may be DEFAULT: the column's default)
//   update := UPDATE name [[AS] alias] SET name = value {, name = value} [WHERE expr]
//             (value := expr | DEFAULT)
//             [IF EXISTS | IF cond {AND cond}] [RETURNING items]
//   delete := DELETE FROM name [[AS] alias] [WHERE expr]
//             [IF EXISTS | IF cond {AND cond}] [RETURNING items]
//
// An IF condition is parsed at the NOT level, above AND, so `IF a = 1 AND b = 2` gives the two
// conditions of WriteCondition::conditions rather than one AND tree (the LWT form is a
// conjunction; an OR there is a syntax error).
#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {

bool Parser::ParseInsert(Insert* out) {
    Advance();  // INSERT
    if (!ExpectWord("into")) return false;
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    if (AcceptWord("as")) {
        std::optional<std::string> alias = ParseName("alias");
        if (!alias) return false;
        out->alias = std::move(*alias);
    }
    // A '(' here is a column list unless a query starts inside it: INSERT INTO t (SELECT ...).
    if (IsSymbol("(") && !StartsQuery(1) && !ParseNameList("column name", &out->columns)) {
        return false;
    }
    if (IsWord("default") && IsWord("values", 1)) {
        Advance();
        Advance();
        out->default_values = true;
    } else if (IsWord("values") && !IsSymbol("(", 1)) {
        Advance();
        return FailExpected("'('");
    } else if (IsWord("values")) {
        Advance();
        if (!ParseValuesRows(&out->values, /*allow_default=*/true)) return false;
    } else if (StartsQuery()) {
        out->select = ParseQuery();
        if (!out->select) return false;
    } else {
        return FailExpected("VALUES, SELECT or DEFAULT VALUES");
    }
    if (!ParseWriteCondition(&out->condition, /*allow_not_exists=*/true,
                             /*allow_columns=*/false)) {
        return false;
    }
    return ParseReturning(&out->returning);
}

bool Parser::ParseUpdate(Update* out) {
    Advance();  // UPDATE
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    std::optional<std::string> alias = ParseOptionalAlias(/*allow_bare=*/true);
    if (failed()) return false;
    if (alias) out->alias = std::move(*alias);
    if (!ExpectWord("set")) return false;
    // One assignment per iteration.
    do {
        Assignment a;
        uint32_t start = NextOffset();
        std::optional<std::string> column = ParseName("column name");
        if (!column || !ExpectSymbol("=")) return false;
        a.column = std::move(*column);
        a.value = ParseExprOrDefault();
        if (!a.value) return false;
        a.span = SpanFrom(start);
        out->assignments.push_back(std::move(a));
    } while (AcceptSymbol(","));
    if (AcceptWord("where") && !(out->where = ParseExpr())) return false;
    if (!ParseWriteCondition(&out->condition, /*allow_not_exists=*/false,
                             /*allow_columns=*/true)) {
        return false;
    }
    return ParseReturning(&out->returning);
}

bool Parser::ParseDelete(Delete* out) {
    Advance();  // DELETE
    if (!ExpectWord("from")) return false;
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    std::optional<std::string> alias = ParseOptionalAlias(/*allow_bare=*/true);
    if (failed()) return false;
    if (alias) out->alias = std::move(*alias);
    if (AcceptWord("where") && !(out->where = ParseExpr())) return false;
    if (!ParseWriteCondition(&out->condition, /*allow_not_exists=*/false,
                             /*allow_columns=*/true)) {
        return false;
    }
    return ParseReturning(&out->returning);
}

ExprPtr Parser::ParseExprOrDefault() {
    if (failed()) return nullptr;
    if (!IsWord("default")) return ParseExpr();
    uint32_t start = NextOffset();
    Advance();  // DEFAULT
    ExprPtr e = MakeExpr(ExprKind::kDefault, {start, 0});
    e->span = SpanFrom(start);
    return e;
}

bool Parser::ParseWriteCondition(WriteCondition* out, bool allow_not_exists, bool allow_columns) {
    if (failed()) return false;
    if (!IsWord("if")) return true;
    uint32_t start = NextOffset();
    Advance();  // IF
    if ((IsWord("not") && IsWord("exists", 1)) || (!allow_columns && IsWord("not"))) {
        if (!allow_not_exists) return FailAt(start, "IF NOT EXISTS applies only to INSERT");
        Advance();
        if (!ExpectWord("exists")) return false;
        out->kind = WriteCondition::Kind::kNotExists;
    } else if (!allow_columns) {
        return FailExpected("NOT EXISTS");
    } else if (AcceptWord("exists")) {
        out->kind = WriteCondition::Kind::kExists;
    } else {
        out->kind = WriteCondition::Kind::kColumns;
        // One condition per iteration, separated by AND.
        do {
            NestingScope scope(this);
            if (!scope.ok()) return false;
            ExprPtr condition = ParseBinary(kNotLevel);
            if (!condition) return false;
            out->conditions.push_back(std::move(condition));
        } while (AcceptWord("and"));
    }
    out->span = SpanFrom(start);
    return true;
}

bool Parser::ParseReturning(std::vector<SelectItem>* out) {
    if (failed()) return false;
    if (!AcceptWord("returning")) return true;
    return ParseSelectItems(out);
}

}  // namespace orrery::sql
