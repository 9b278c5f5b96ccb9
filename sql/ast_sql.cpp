// Rendering the AST back as SQL text (ExprToSql, QueryToSql in ast.h).
//
// The form is canonical: every operator application is parenthesised, keywords are upper case,
// names are quoted only when they must be (upper-case letters, odd characters, reserved words),
// and parameters are written $n. The parser's round-trip property rests on it: for any tree T
// the parser can produce, ExprToSql(Parse(ExprToSql(T))) == ExprToSql(T) (parser tests).
#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/assert.h"
#include "sql/ast.h"
#include "sql/parser/lexer.h"

namespace orrery::sql {
namespace {

void AppendQuery(const Query& query, std::string* out);
void AppendExpr(const Expr& e, std::string* out);

// True iff `name` reads back as itself unquoted: a lower-case word that is not reserved.
bool IsPlainName(std::string_view name) {
    if (name.empty() || IsReservedKeyword(name) || name == "current_timestamp") return false;
    auto letter = [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_' || static_cast<unsigned char>(c) >= 0x80;
    };
    if (!letter(name[0])) return false;
    for (char c : name) {
        if (!letter(c) && !(c >= '0' && c <= '9') && c != '$') return false;
    }
    return true;
}

std::string QuoteName(std::string_view name) {
    if (IsPlainName(name)) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        out += c;
        if (c == '"') out += '"';
    }
    return out + "\"";
}

void AppendString(std::string_view text, std::string* out) {
    *out += '\'';
    for (char c : text) {
        *out += c;
        if (c == '\'') *out += '\'';
    }
    *out += '\'';
}

void AppendFloat(double d, std::string* out) {
    if (std::isnan(d) || std::isinf(d)) {
        *out += std::isnan(d) ? "CAST('NaN' AS FLOAT)"
                              : (d > 0 ? "CAST('Infinity' AS FLOAT)" : "CAST('-Infinity' AS FLOAT)");
        return;
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
    ORRERY_ASSERT(ec == std::errc());
    std::string_view text(buf, static_cast<size_t>(end - buf));
    *out += text;
    // Keep it a FLOAT literal when it reads back: 2 -> 2.0.
    if (text.find_first_of(".e") == std::string_view::npos) *out += ".0";
}

void AppendLiteral(const Literal& lit, std::string* out) {
    switch (lit.kind) {
        case Literal::Kind::kNull: *out += "NULL"; return;
        case Literal::Kind::kBoolean: *out += lit.boolean ? "TRUE" : "FALSE"; return;
        case Literal::Kind::kInteger: *out += std::to_string(lit.integer); return;
        case Literal::Kind::kFloat: AppendFloat(lit.floating, out); return;
        case Literal::Kind::kString: AppendString(lit.text, out); return;
        case Literal::Kind::kBlob:
            *out += "x'";
            for (char c : lit.text) *out += fmt::format("{:02x}", static_cast<unsigned char>(c));
            *out += '\'';
            return;
    }
    ORRERY_ASSERT(false, "unknown literal kind {}", static_cast<int>(lit.kind));
}

void AppendList(const std::vector<ExprPtr>& list, size_t from, size_t to, std::string* out) {
    for (size_t i = from; i < to; ++i) {
        if (i > from) *out += ", ";
        AppendExpr(*list[i], out);
    }
}

void AppendSubquery(const Expr& e, std::string* out) {
    ORRERY_ASSERT(e.subquery != nullptr, "a subquery expression without its query");
    *out += '(';
    AppendQuery(*e.subquery, out);
    *out += ')';
}

void AppendCase(const Expr& e, std::string* out) {
    *out += "CASE";
    size_t i = 0;
    if (e.has_operand) {
        *out += ' ';
        AppendExpr(*e.args[i++], out);
    }
    size_t whens_end = e.args.size() - (e.has_else ? 1 : 0);
    ORRERY_ASSERT((whens_end - i) % 2 == 0, "CASE arms come in WHEN/THEN pairs");
    for (; i < whens_end; i += 2) {
        *out += " WHEN ";
        AppendExpr(*e.args[i], out);
        *out += " THEN ";
        AppendExpr(*e.args[i + 1], out);
    }
    if (e.has_else) {
        *out += " ELSE ";
        AppendExpr(*e.args.back(), out);
    }
    *out += " END";
}

void AppendFunction(const Expr& e, std::string* out) {
    // CURRENT_TIMESTAMP is written without parentheses, as the standard spells it.
    if (e.name == "current_timestamp" && e.args.empty() && !e.star && !e.distinct) {
        *out += "current_timestamp";
        return;
    }
    // LEFT and RIGHT are reserved, yet the parser reads them as function names before '('.
    *out += (e.name == "left" || e.name == "right") ? e.name : QuoteName(e.name);
    *out += '(';
    if (e.distinct) *out += "DISTINCT ";
    if (e.star) *out += '*';
    AppendList(e.args, 0, e.args.size(), out);
    *out += ')';
}

// The operator forms: "(x IS NOT NULL)", "(x NOT BETWEEN a AND b)", ...
void AppendPredicate(const Expr& e, std::string* out) {
    const char* no = e.negated ? "NOT " : "";
    *out += '(';
    AppendExpr(*e.args[0], out);
    switch (e.kind) {
        case ExprKind::kIsNull: *out += fmt::format(" IS {}NULL", no); break;
        case ExprKind::kIsBool:
            *out += fmt::format(" IS {}{}", no, e.bool_value ? "TRUE" : "FALSE");
            break;
        case ExprKind::kBetween:
            *out += fmt::format(" {}BETWEEN ", no);
            AppendExpr(*e.args[1], out);
            *out += " AND ";
            AppendExpr(*e.args[2], out);
            break;
        case ExprKind::kInList:
            *out += fmt::format(" {}IN (", no);
            AppendList(e.args, 1, e.args.size(), out);
            *out += ')';
            break;
        case ExprKind::kInSubquery:
            *out += fmt::format(" {}IN ", no);
            AppendSubquery(e, out);
            break;
        case ExprKind::kLike:
            *out += fmt::format(" {}LIKE ", no);
            AppendExpr(*e.args[1], out);
            if (e.args.size() > 2) {
                *out += " ESCAPE ";
                AppendExpr(*e.args[2], out);
            }
            break;
        default: ORRERY_ASSERT(false, "not a predicate kind {}", static_cast<int>(e.kind));
    }
    *out += ')';
}

void AppendExpr(const Expr& e, std::string* out) {
    switch (e.kind) {
        case ExprKind::kLiteral: AppendLiteral(e.literal, out); return;
        case ExprKind::kColumn:
            if (!e.table.empty()) *out += QuoteName(e.table) + ".";
            *out += QuoteName(e.name);
            return;
        case ExprKind::kStar:
            if (!e.table.empty()) *out += QuoteName(e.table) + ".";
            *out += '*';
            return;
        case ExprKind::kParameter: *out += fmt::format("${}", e.parameter_index); return;
        case ExprKind::kDefault: *out += "DEFAULT"; return;
        case ExprKind::kUnary:
            // "(- x)": the space keeps "- -1" from reading as a comment.
            *out += fmt::format("({} ", UnaryOpName(e.unary_op));
            AppendExpr(*e.args[0], out);
            *out += ')';
            return;
        case ExprKind::kBinary:
            *out += '(';
            AppendExpr(*e.args[0], out);
            *out += fmt::format(" {} ", BinaryOpName(e.binary_op));
            AppendExpr(*e.args[1], out);
            *out += ')';
            return;
        case ExprKind::kIsNull:
        case ExprKind::kIsBool:
        case ExprKind::kBetween:
        case ExprKind::kInList:
        case ExprKind::kInSubquery:
        case ExprKind::kLike: AppendPredicate(e, out); return;
        case ExprKind::kCase: AppendCase(e, out); return;
        case ExprKind::kCast:
            *out += "CAST(";
            AppendExpr(*e.args[0], out);
            *out += " AS " + e.cast_type.ToString() + ")";
            return;
        case ExprKind::kFunction: AppendFunction(e, out); return;
        case ExprKind::kScalarSubquery: AppendSubquery(e, out); return;
        case ExprKind::kExists:
            // Negated: "(NOT EXISTS (...))", the same text as NOT applied to EXISTS, which the
            // parser reads back as this node.
            *out += e.negated ? "(NOT EXISTS " : "EXISTS ";
            AppendSubquery(e, out);
            if (e.negated) *out += ')';
            return;
    }
    ORRERY_ASSERT(false, "unknown ExprKind {}", static_cast<int>(e.kind));
}

// --- queries -----------------------------------------------------------------------------

void AppendItems(const std::vector<SelectItem>& items, std::string* out) {
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) *out += ", ";
        AppendExpr(*items[i].expr, out);
        if (!items[i].alias.empty()) *out += " AS " + QuoteName(items[i].alias);
    }
}

std::string_view JoinWords(const TableRef& join) {
    switch (join.join_type) {
        case JoinType::kCross: return "CROSS JOIN";
        case JoinType::kInner: return "INNER JOIN";
        case JoinType::kLeft: return "LEFT JOIN";
        case JoinType::kRight: return "RIGHT JOIN";
        case JoinType::kFull: return "FULL JOIN";
    }
    ORRERY_ASSERT(false, "unknown JoinType {}", static_cast<int>(join.join_type));
    return "";
}

void AppendTableRef(const TableRef& ref, std::string* out) {
    switch (ref.kind) {
        case TableRef::Kind::kTable:
            *out += QuoteName(ref.name);
            if (!ref.alias.empty()) *out += " AS " + QuoteName(ref.alias);
            return;
        case TableRef::Kind::kSubquery:
            *out += '(';
            AppendQuery(*ref.subquery, out);
            *out += ") AS " + QuoteName(ref.alias);
            return;
        case TableRef::Kind::kJoin:
            AppendTableRef(*ref.left, out);
            *out += ref.natural ? " NATURAL " : " ";
            *out += JoinWords(ref);
            *out += ' ';
            AppendTableRef(*ref.right, out);
            if (ref.on) {
                *out += " ON ";
                AppendExpr(*ref.on, out);
            } else if (!ref.using_columns.empty()) {
                *out += " USING (";
                for (size_t i = 0; i < ref.using_columns.size(); ++i) {
                    if (i > 0) *out += ", ";
                    *out += QuoteName(ref.using_columns[i]);
                }
                *out += ')';
            }
            return;
    }
}

void AppendCore(const SelectCore& core, std::string* out) {
    if (core.is_values) {
        *out += "VALUES ";
        for (size_t i = 0; i < core.values.size(); ++i) {
            if (i > 0) *out += ", ";
            *out += '(';
            AppendList(core.values[i], 0, core.values[i].size(), out);
            *out += ')';
        }
        return;
    }
    *out += core.distinct ? "SELECT DISTINCT " : "SELECT ";
    AppendItems(core.items, out);
    for (size_t i = 0; i < core.from.size(); ++i) {
        *out += i == 0 ? " FROM " : ", ";
        AppendTableRef(*core.from[i], out);
    }
    if (core.where) *out += " WHERE " + ExprToSql(*core.where);
    if (!core.group_by.empty()) {
        *out += " GROUP BY ";
        AppendList(core.group_by, 0, core.group_by.size(), out);
    }
    if (core.having) *out += " HAVING " + ExprToSql(*core.having);
}

void AppendOperand(const Query::Operand& operand, std::string* out) {
    if (operand.core) return AppendCore(*operand.core, out);
    ORRERY_ASSERT(operand.query != nullptr, "a set operand without a core or a query");
    *out += '(';
    AppendQuery(*operand.query, out);
    *out += ')';
}

std::string_view SetOpWords(SetOp op) {
    switch (op) {
        case SetOp::kUnion: return "UNION";
        case SetOp::kUnionAll: return "UNION ALL";
        case SetOp::kIntersect: return "INTERSECT";
        case SetOp::kExcept: return "EXCEPT";
    }
    ORRERY_ASSERT(false, "unknown SetOp {}", static_cast<int>(op));
    return "";
}

void AppendQuery(const Query& query, std::string* out) {
    AppendOperand(query.first, out);
    for (const auto& [op, operand] : query.rest) {
        *out += fmt::format(" {} ", SetOpWords(op));
        AppendOperand(operand, out);
    }
    for (size_t i = 0; i < query.order_by.size(); ++i) {
        const OrderItem& item = query.order_by[i];
        *out += i == 0 ? " ORDER BY " : ", ";
        AppendExpr(*item.expr, out);
        if (item.descending) *out += " DESC";
        if (item.nulls_first) *out += *item.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    }
    if (query.limit) *out += " LIMIT " + ExprToSql(*query.limit);
    if (query.offset) *out += " OFFSET " + ExprToSql(*query.offset);
}

}  // namespace

std::string ExprToSql(const Expr& expr) {
    std::string out;
    AppendExpr(expr, &out);
    return out;
}

std::string QueryToSql(const Query& query) {
    std::string out;
    AppendQuery(query, &out);
    return out;
}

std::string SqlName(std::string_view name) { return QuoteName(name); }

}  // namespace orrery::sql
