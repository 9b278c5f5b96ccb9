// Queries: set operations, SELECT cores, VALUES, FROM with joins, ORDER BY, LIMIT and OFFSET.
//
//   query      := term { (UNION [ALL|DISTINCT] | EXCEPT [DISTINCT]) term }
//                 [ORDER BY order_item {, order_item}] [LIMIT expr|ALL] [OFFSET expr]
//   term       := operand { INTERSECT [DISTINCT] operand }      (INTERSECT binds tighter)
//   operand    := select_core | VALUES rows | ( query )
//   select_core:= SELECT [DISTINCT|ALL] item {, item} [FROM from_item {, from_item}]
//                 [WHERE expr] [GROUP BY expr {, expr}] [HAVING expr]
//   from_item  := table_primary { join }
//   join       := [NATURAL] [INNER | LEFT [OUTER] | RIGHT [OUTER] | FULL [OUTER] | CROSS] JOIN
//                 table_primary [ON expr | USING ( name {, name} )]
//   table_primary := name [[AS] alias] | ( query ) [AS] alias
//
// A query of several terms stores each multi-operand INTERSECT term as a parenthesised Query
// operand (ast.h), so `a UNION b INTERSECT c` is a UNION of a and (b INTERSECT c).
#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {
namespace {

// Words that may follow a table or a select item without being reserved: never a bare alias.
bool FollowsAsClauseWord(std::string_view lower) { return lower == "if" || lower == "set"; }

Query::Operand WrapTerm(Query::Operand first, std::vector<std::pair<SetOp, Query::Operand>> rest,
                        Span span) {
    if (rest.empty()) return first;
    auto q = std::make_unique<Query>();
    q->span = span;
    q->first = std::move(first);
    q->rest = std::move(rest);
    Query::Operand wrapped;
    wrapped.query = std::move(q);
    return wrapped;
}

}  // namespace

bool Parser::StartsQuery(size_t ahead) const {
    // Skips a run of '(' (bounded by the token count), then needs SELECT or VALUES.
    while (IsSymbol("(", ahead)) ++ahead;
    return IsWord("select", ahead) || IsWord("values", ahead);
}

QueryPtr Parser::ParseQuery() {
    NestingScope scope(this);
    if (!scope.ok()) return nullptr;
    auto q = std::make_unique<Query>();
    uint32_t start = NextOffset();
    Query::Operand first;
    std::vector<std::pair<SetOp, Query::Operand>> rest;
    Span span;
    if (!ParseIntersectTerm(&first, &rest, &span)) return nullptr;
    if (!IsWord("union") && !IsWord("except")) {
        q->first = std::move(first);
        q->rest = std::move(rest);
    } else {
        q->first = WrapTerm(std::move(first), std::move(rest), span);
        // One UNION/EXCEPT term per iteration.
        while (IsWord("union") || IsWord("except")) {
            bool is_union = Advance().text == "union";
            SetOp op = SetOp::kExcept;
            if (is_union) {
                op = AcceptWord("all") ? SetOp::kUnionAll : SetOp::kUnion;
                if (op == SetOp::kUnion) AcceptWord("distinct");
            } else if (IsWord("all")) {
                Fail(SqlError{ErrorKind::kFeatureNotSupported, "EXCEPT ALL is not supported",
                              NextOffset() + 1});
                return nullptr;
            } else {
                AcceptWord("distinct");
            }
            Query::Operand term_first;
            std::vector<std::pair<SetOp, Query::Operand>> term_rest;
            if (!ParseIntersectTerm(&term_first, &term_rest, &span)) return nullptr;
            q->rest.emplace_back(op, WrapTerm(std::move(term_first), std::move(term_rest), span));
        }
    }
    if (AcceptWord("order") && !(ExpectWord("by") && ParseOrderBy(&q->order_by))) return nullptr;
    if (!ParseLimitOffset(q.get())) return nullptr;
    q->span = SpanFrom(start);
    return q;
}

bool Parser::ParseIntersectTerm(Query::Operand* first,
                                std::vector<std::pair<SetOp, Query::Operand>>* rest, Span* span) {
    uint32_t start = NextOffset();
    if (!ParseSetOperand(first)) return false;
    // One INTERSECT operand per iteration.
    while (AcceptWord("intersect")) {
        if (IsWord("all")) {
            return Fail(SqlError{ErrorKind::kFeatureNotSupported, "INTERSECT ALL is not supported",
                                 NextOffset() + 1});
        }
        AcceptWord("distinct");
        Query::Operand operand;
        if (!ParseSetOperand(&operand)) return false;
        rest->emplace_back(SetOp::kIntersect, std::move(operand));
    }
    *span = SpanFrom(start);
    return true;
}

bool Parser::ParseSetOperand(Query::Operand* out) {
    if (failed()) return false;
    if (AcceptSymbol("(")) {
        out->query = ParseQuery();
        return out->query != nullptr && ExpectSymbol(")");
    }
    if (IsWord("select")) {
        out->core = ParseSelectCore();
    } else if (IsWord("values")) {
        out->core = ParseValuesCore();
    } else {
        return FailExpected("SELECT or VALUES");
    }
    return out->core != nullptr;
}

std::unique_ptr<SelectCore> Parser::ParseSelectCore() {
    auto core = std::make_unique<SelectCore>();
    uint32_t start = NextOffset();
    Advance();  // SELECT
    if (AcceptWord("distinct")) {
        core->distinct = true;
    } else {
        AcceptWord("all");
    }
    if (!ParseSelectItems(&core->items)) return nullptr;
    if (AcceptWord("from") && !ParseFrom(&core->from)) return nullptr;
    if (AcceptWord("where") && !(core->where = ParseExpr())) return nullptr;
    if (AcceptWord("group")) {
        if (!ExpectWord("by") || !ParseExprList(&core->group_by)) return nullptr;
    }
    if (AcceptWord("having") && !(core->having = ParseExpr())) return nullptr;
    core->span = SpanFrom(start);
    return core;
}

std::unique_ptr<SelectCore> Parser::ParseValuesCore() {
    auto core = std::make_unique<SelectCore>();
    uint32_t start = NextOffset();
    Advance();  // VALUES
    core->is_values = true;
    if (!ParseValuesRows(&core->values)) return nullptr;
    core->span = SpanFrom(start);
    return core;
}

bool Parser::ParseValuesRows(std::vector<std::vector<ExprPtr>>* rows, bool allow_default) {
    // One parenthesised row per iteration.
    do {
        uint32_t row_start = NextOffset();
        if (!ExpectSymbol("(")) return false;
        std::vector<ExprPtr> row;
        if (allow_default) {
            // One item per iteration, separated by commas; each consumes tokens.
            do {
                ExprPtr e = ParseExprOrDefault();
                if (!e) return false;
                row.push_back(std::move(e));
            } while (AcceptSymbol(","));
        } else if (!ParseExprList(&row)) {
            return false;
        }
        if (!ExpectSymbol(")")) return false;
        if (!rows->empty() && row.size() != rows->front().size()) {
            return FailAt(row_start, "VALUES lists must all be the same length");
        }
        rows->push_back(std::move(row));
    } while (AcceptSymbol(","));
    return true;
}

bool Parser::ParseSelectItems(std::vector<SelectItem>* out) {
    do {
        SelectItem item;
        if (!ParseSelectItem(&item)) return false;
        out->push_back(std::move(item));
    } while (AcceptSymbol(","));
    return true;
}

bool Parser::ParseSelectItem(SelectItem* out) {
    uint32_t start = NextOffset();
    bool qualified_star = (Peek().kind == TokenKind::kIdentifier ||
                           Peek().kind == TokenKind::kQuotedIdentifier) &&
                          IsSymbol(".", 1) && IsSymbol("*", 2);
    if (IsSymbol("*") || qualified_star) {
        out->expr = MakeExpr(ExprKind::kStar, {start, 0});
        if (qualified_star) {
            out->expr->table = Advance().text;
            Advance();  // .
        }
        Advance();  // *
        out->expr->span = SpanFrom(start);
        out->span = out->expr->span;
        return true;
    }
    out->expr = ParseExpr();
    if (!out->expr) return false;
    std::optional<std::string> alias = ParseOptionalAlias(/*allow_bare=*/true);
    if (failed()) return false;
    if (alias) out->alias = std::move(*alias);
    out->span = SpanFrom(start);
    return true;
}

std::optional<std::string> Parser::ParseOptionalAlias(bool allow_bare) {
    if (AcceptWord("as")) return ParseName("alias");
    const Token& t = Peek();
    bool bare = t.kind == TokenKind::kQuotedIdentifier ||
                (t.kind == TokenKind::kIdentifier && !FollowsAsClauseWord(t.text));
    if (allow_bare && bare) return Advance().text;
    return std::nullopt;
}

bool Parser::ParseFrom(std::vector<TableRefPtr>* out) {
    do {
        TableRefPtr item = ParseFromItem();
        if (!item) return false;
        out->push_back(std::move(item));
    } while (AcceptSymbol(","));
    return true;
}

TableRefPtr Parser::ParseFromItem() {
    ChainScope chain(this);
    TableRefPtr left = ParseTablePrimary();
    // One join per iteration; the chain limit bounds the left-deep tree.
    while (left && (IsWord("join") || IsWord("inner") || IsWord("left") || IsWord("right") ||
                    IsWord("full") || IsWord("cross") || IsWord("natural"))) {
        if (!CountChainLink()) return nullptr;
        left = ParseJoin(std::move(left));
    }
    return left;
}

TableRefPtr Parser::ParseJoin(TableRefPtr left) {
    auto join = std::make_unique<TableRef>();
    join->kind = TableRef::Kind::kJoin;
    join->natural = AcceptWord("natural");
    join->join_type = JoinType::kInner;
    if (!join->natural && AcceptWord("cross")) {
        join->join_type = JoinType::kCross;
    } else if (AcceptWord("left")) {
        join->join_type = JoinType::kLeft;
    } else if (AcceptWord("right")) {
        join->join_type = JoinType::kRight;
    } else if (AcceptWord("full")) {
        join->join_type = JoinType::kFull;
    } else {
        AcceptWord("inner");
    }
    if (join->join_type == JoinType::kLeft || join->join_type == JoinType::kRight ||
        join->join_type == JoinType::kFull) {
        AcceptWord("outer");
    }
    if (!ExpectWord("join")) return nullptr;
    join->right = ParseTablePrimary();
    if (!join->right) return nullptr;
    if (join->join_type != JoinType::kCross && !join->natural) {
        if (AcceptWord("on")) {
            join->on = ParseExpr();
            if (!join->on) return nullptr;
        } else if (AcceptWord("using")) {
            if (!ParseNameList("column name", &join->using_columns)) return nullptr;
        } else {
            FailExpected("ON or USING");
            return nullptr;
        }
    }
    join->span = SpanFrom(left->span.offset);
    join->left = std::move(left);
    return join;
}

TableRefPtr Parser::ParseTablePrimary() {
    if (failed()) return nullptr;
    auto ref = std::make_unique<TableRef>();
    uint32_t start = NextOffset();
    if (IsSymbol("(")) {
        if (!StartsQuery(1)) {
            Advance();
            FailExpected("SELECT or VALUES");
            return nullptr;
        }
        Advance();  // (
        ref->kind = TableRef::Kind::kSubquery;
        ref->subquery = ParseQuery();
        if (!ref->subquery || !ExpectSymbol(")")) return nullptr;
        std::optional<std::string> alias = ParseOptionalAlias(/*allow_bare=*/true);
        if (failed()) return nullptr;
        if (!alias) {
            FailAt(NextOffset(), "a subquery in FROM must have an alias");
            return nullptr;
        }
        ref->alias = std::move(*alias);
    } else {
        std::optional<std::string> name = ParseName("table name");
        if (!name) return nullptr;
        ref->kind = TableRef::Kind::kTable;
        ref->name = std::move(*name);
        std::optional<std::string> alias = ParseOptionalAlias(/*allow_bare=*/true);
        if (failed()) return nullptr;
        if (alias) ref->alias = std::move(*alias);
    }
    ref->span = SpanFrom(start);
    return ref;
}

bool Parser::ParseOrderBy(std::vector<OrderItem>* out) {
    do {
        OrderItem item;
        uint32_t start = NextOffset();
        item.expr = ParseExpr();
        if (!item.expr) return false;
        if (AcceptWord("desc")) {
            item.descending = true;
        } else {
            AcceptWord("asc");
        }
        if (AcceptWord("nulls")) {
            if (AcceptWord("first")) {
                item.nulls_first = true;
            } else if (AcceptWord("last")) {
                item.nulls_first = false;
            } else {
                return FailExpected("FIRST or LAST");
            }
        }
        item.span = SpanFrom(start);
        out->push_back(std::move(item));
    } while (AcceptSymbol(","));
    return true;
}

bool Parser::ParseLimitOffset(Query* query) {
    // LIMIT and OFFSET in either order, each at most once: at most two iterations.
    bool seen_limit = false;
    bool seen_offset = false;
    for (int i = 0; i < 2 && !failed(); ++i) {
        if (!seen_limit && AcceptWord("limit")) {
            seen_limit = true;
            if (AcceptWord("all")) continue;
            query->limit = ParseExpr();
            if (!query->limit) return false;
            if (IsSymbol(",")) {
                return FailAt(NextOffset(),
                              "LIMIT n, m is not supported; write LIMIT m OFFSET n");
            }
        } else if (!seen_offset && AcceptWord("offset")) {
            seen_offset = true;
            query->offset = ParseExpr();
            if (!query->offset) return false;
            if (!AcceptWord("rows")) AcceptWord("row");
        }
    }
    return !failed();
}

}  // namespace orrery::sql
