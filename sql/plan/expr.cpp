// Bound expression helpers (expr.h). The walks recurse: expression depth is bounded by the
// parser's kMaxNestingDepth (parser.h), so the stack is too.
#include "sql/plan/expr.h"

#include <fmt/format.h>

#include <functional>

#include "core/assert.h"
#include "sql/eval/ops.h"

namespace orrery::sql {

BExpr MakeConstant(Value v) {
    auto e = std::make_shared<BoundExpr>();
    e->kind = BKind::kConstant;
    e->type = v.type();
    e->constant = std::move(v);
    return e;
}

BExpr MakeColumn(uint32_t column, DataType type, std::string name) {
    auto e = std::make_shared<BoundExpr>();
    e->kind = BKind::kColumn;
    e->column = column;
    e->type = type;
    e->name = std::move(name);
    return e;
}

BExpr MakeBinary(BinaryOp op, BExpr a, BExpr b, DataType type) {
    auto e = std::make_shared<BoundExpr>();
    e->kind = BKind::kBinary;
    e->binary_op = op;
    e->type = type;
    e->args = {std::move(a), std::move(b)};
    return e;
}

BExpr MakeNot(BExpr a) {
    auto e = std::make_shared<BoundExpr>();
    e->kind = BKind::kUnary;
    e->unary_op = UnaryOp::kNot;
    e->type = DataType::kBoolean;
    e->args = {std::move(a)};
    return e;
}

BExpr MakeAnd(BExpr a, BExpr b) {
    if (!a) return b;
    if (!b) return a;
    return MakeBinary(BinaryOp::kAnd, std::move(a), std::move(b), DataType::kBoolean);
}

namespace {

std::string Join(const std::vector<BExpr>& args, size_t from, bool fingerprint);

std::string Render(const BExpr& e, bool fp) {
    ORRERY_ASSERT(e != nullptr, "rendering a null expression");
    auto arg = [&](size_t i) { return Render(e->args[i], fp); };
    switch (e->kind) {
        case BKind::kConstant:
            return fp ? fmt::format("{}:{}", DataTypeName(e->type), e->constant.ToSqlLiteral())
                      : e->constant.ToSqlLiteral();
        case BKind::kColumn: return fp ? fmt::format("#{}", e->column) : e->name;
        case BKind::kOuterColumn:
            return fp ? fmt::format("^{}#{}", e->depth, e->column) : "outer." + e->name;
        case BKind::kParameter: return fmt::format("${}", e->parameter);
        case BKind::kUnary:
            if (e->unary_op == UnaryOp::kNot) return "(NOT " + arg(0) + ")";
            return std::string(e->unary_op == UnaryOp::kNegate ? "(-" : "(+") + arg(0) + ")";
        case BKind::kBinary:
            return "(" + arg(0) + " " + std::string(BinaryOpSymbol(e->binary_op)) + " " + arg(1) +
                   ")";
        case BKind::kIsNull: return "(" + arg(0) + (e->negated ? " IS NOT NULL)" : " IS NULL)");
        case BKind::kIsBool:
            return "(" + arg(0) + (e->negated ? " IS NOT " : " IS ") +
                   (e->bool_value ? "TRUE)" : "FALSE)");
        case BKind::kInList:
            return "(" + arg(0) + (e->negated ? " NOT IN (" : " IN (") + Join(e->args, 1, fp) +
                   "))";
        case BKind::kLike:
            return "(" + arg(0) + (e->negated ? " NOT LIKE " : " LIKE ") + arg(1) +
                   (fp ? " ESCAPE " + arg(2) : "") + ")";
        case BKind::kCase: {
            std::string out = "CASE";
            size_t i = 0;
            if (e->has_operand) out += " " + arg(i++);
            size_t pairs_end = e->args.size() - (e->has_else ? 1 : 0);
            for (; i < pairs_end; i += 2) {
                out += " WHEN " + arg(i) + " THEN " + arg(i + 1);
            }
            if (e->has_else) out += " ELSE " + arg(e->args.size() - 1);
            return out + " END";
        }
        case BKind::kCast: return "CAST(" + arg(0) + " AS " + e->cast_type.ToString() + ")";
        case BKind::kFunction: return e->name + "(" + Join(e->args, 0, fp) + ")";
        case BKind::kNow: return (e->name.empty() ? std::string("now") : e->name) + "()";
        case BKind::kSubquery: {
            // A subquery's identity is its plan object: two subqueries never share a fingerprint.
            std::string id = fp ? fmt::format("@{}", static_cast<const void*>(e->subquery.get()))
                                : "";
            switch (e->subquery_kind) {
                case SubqueryKind::kScalar: return "(subquery" + id + ")";
                case SubqueryKind::kExists:
                    return std::string(e->negated ? "NOT " : "") + "EXISTS (subquery" + id + ")";
                case SubqueryKind::kIn:
                    return "(" + arg(0) + (e->negated ? " NOT IN " : " IN ") + "(subquery" + id +
                           "))";
            }
        }
    }
    return "?";
}

std::string Join(const std::vector<BExpr>& args, size_t from, bool fingerprint) {
    std::string out;
    for (size_t i = from; i < args.size(); ++i) {
        if (i > from) out += ", ";
        out += Render(args[i], fingerprint);
    }
    return out;
}

void Analyze(const BExpr& e, ColumnUse* use) {
    switch (e->kind) {
        case BKind::kColumn:
            use->any_column = true;
            use->min_column = std::min(use->min_column, e->column);
            use->max_column = std::max(use->max_column, e->column);
            break;
        case BKind::kOuterColumn: use->has_outer = true; break;
        case BKind::kParameter: use->has_parameter = true; break;
        case BKind::kNow: use->has_now = true; break;
        case BKind::kSubquery: use->has_subquery = true; break;
        default: break;
    }
    for (const BExpr& a : e->args) Analyze(a, use);
}

BExpr Rewrite(const BExpr& e, const std::function<uint32_t(uint32_t)>& f) {
    if (e->kind == BKind::kColumn) {
        auto copy = std::make_shared<BoundExpr>(*e);
        copy->column = f(e->column);
        return copy;
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<BoundExpr>(*e);
    for (BExpr& a : copy->args) a = Rewrite(a, f);
    return copy;
}

}  // namespace

std::string ExprString(const BExpr& e) { return Render(e, false); }
std::string ExprFingerprint(const BExpr& e) { return Render(e, true); }

void SplitConjuncts(const BExpr& e, std::vector<BExpr>* out) {
    if (!e) return;
    if (e->kind == BKind::kBinary && e->binary_op == BinaryOp::kAnd) {
        SplitConjuncts(e->args[0], out);
        SplitConjuncts(e->args[1], out);
        return;
    }
    out->push_back(e);
}

BExpr JoinConjuncts(const std::vector<BExpr>& conjuncts) {
    BExpr out;
    for (const BExpr& c : conjuncts) out = MakeAnd(out, c);
    return out;
}

ColumnUse AnalyzeColumns(const BExpr& e) {
    ColumnUse use;
    Analyze(e, &use);
    return use;
}

bool IsConstantExpr(const BExpr& e) {
    ColumnUse use = AnalyzeColumns(e);
    return !use.any_column && !use.has_outer && !use.has_parameter && !use.has_now &&
           !use.has_subquery;
}

BExpr ShiftColumns(const BExpr& e, int64_t delta) {
    return Rewrite(e, [delta](uint32_t c) {
        int64_t shifted = static_cast<int64_t>(c) + delta;
        ORRERY_ASSERT(shifted >= 0, "column shift below zero");
        return static_cast<uint32_t>(shifted);
    });
}

BExpr RemapColumns(const BExpr& e, const std::vector<uint32_t>& map) {
    return Rewrite(e, [&map](uint32_t c) {
        ORRERY_ASSERT(c < map.size(), "column {} outside the remap", c);
        return map[c];
    });
}

}  // namespace orrery::sql
