// Rule decorrelate: WHERE/HAVING conjuncts EXISTS (q), NOT EXISTS (q) and x IN (q) become semi
// and anti joins, so the subquery's table is read once instead of once per outer row (and a
// later rule can make the join a hash join).
//
// Why it is equivalent. A conjunct of a Filter keeps a row iff it is TRUE. EXISTS (q) is TRUE
// iff q has a row; when q is "[Project] [Filter p_corr AND p_rest] Scan t", its rows for an
// outer row o are the rows r of t with p_corr(o, r) and p_rest(r) — exactly the right rows a
// semi join of (input, Scan t filter p_rest) on p_corr finds for o. NOT EXISTS is the anti
// join (no such r). x IN (q) is TRUE iff some row of q equals x (NULL and FALSE both reject),
// the semi join on x = q's value. NOT IN is left alone: with a NULL among q's values it is
// never TRUE, which an anti join would not see.
//
// Preconditions checked, else the conjunct stays a subquery:
//  - the subquery holds no Limit, Aggregate, set operation, or anything but Project, Distinct
//    and Sort above the Filter/Scan that carries the correlation (those change which rows q
//    has: EXISTS (SELECT count(*) ...) is always TRUE);
//  - the correlated conjuncts name only the scan's row and the outer row directly above (depth
//    1), hold no subquery, and after they move nothing left in the subquery reaches outside it;
//  - x holds no subquery (it moves from the Filter's row into the join condition; the left
//    side of the join is that same row, so its columns keep their positions).
#include "core/assert.h"
#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

struct Correlation {
    PlanPtr right;                 // The subquery's rows, without the correlated conjuncts.
    std::vector<BExpr> condition;  // Over the scan's row (columns) and the outer row (depth 1).
    BExpr value;                   // IN: the subquery's value, over the scan's row.
};

// A conjunct's expression with the outer row (depth 1) becoming the join's left columns and the
// subquery's own columns shifted past them.
BExpr ToJoinCondition(const BExpr& e, uint32_t left_width) {
    if (e->kind == BKind::kColumn) return ShiftColumns(e, left_width);
    if (e->kind == BKind::kOuterColumn) {
        ORRERY_ASSERT(e->depth == 1, "a deeper outer reference reached the join condition");
        return MakeColumn(e->column, e->type, e->name);
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<BoundExpr>(*e);
    for (BExpr& a : copy->args) a = ToJoinCondition(a, left_width);
    return copy;
}

bool MovableCorrelated(const BExpr& e) {
    ColumnUse use = AnalyzeColumns(e);
    if (use.has_subquery) return false;
    // Every outer reference must be to the row right above (depth 1).
    std::function<bool(const BExpr&)> only_depth1 = [&](const BExpr& x) {
        if (x->kind == BKind::kOuterColumn && x->depth != 1) return false;
        for (const BExpr& a : x->args) {
            if (!only_depth1(a)) return false;
        }
        return true;
    };
    return only_depth1(e);
}

// Splits the subquery `q` into rows and correlation, or nullopt when its shape is not one the
// header allows. `want_value`: IN, whose value is the first output column.
std::optional<Correlation> Analyze(const PlanPtr& q, bool want_value) {
    PlanPtr node = q;
    BExpr value;
    std::vector<BExpr> project;  // The outermost Project's expressions, for IN's value.
    bool seen_project = false;
    while (node->kind == PlanKind::kProject || node->kind == PlanKind::kDistinct ||
           node->kind == PlanKind::kSort) {
        if (node->kind == PlanKind::kProject) {
            // Projections compose: the value is the first expression, rewritten through every
            // Project below it.
            if (!seen_project) {
                value = node->exprs.empty() ? nullptr : node->exprs[0];
                seen_project = true;
            } else if (value) {
                if (AnalyzeColumns(value).has_subquery) return std::nullopt;
                value = SubstituteColumns(value, node->exprs);
            }
        }
        node = node->children[0];
    }
    if (want_value && !value) return std::nullopt;
    if (value && AnalyzeColumns(value).has_subquery) return std::nullopt;

    // The conjuncts at the bottom: a Filter's, and a Scan's filter under it (same row).
    std::vector<BExpr> conjuncts;
    PlanPtr rows = node;
    if (rows->kind == PlanKind::kFilter) {
        SplitConjuncts(rows->predicate, &conjuncts);
        rows = rows->children[0];
    }
    PlanPtr scan_copy;
    if (rows->kind == PlanKind::kScan) {
        scan_copy = std::make_shared<PlanNode>(*rows);
        SplitConjuncts(rows->filter, &conjuncts);
        scan_copy->filter = nullptr;
        rows = scan_copy;
    }
    Correlation out;
    std::vector<BExpr> rest;
    for (const BExpr& c : conjuncts) {
        if (AnalyzeColumns(c).has_outer || ExprReachesOutside(c, 0)) {
            if (!MovableCorrelated(c)) return std::nullopt;
            out.condition.push_back(c);
        } else {
            rest.push_back(c);
        }
    }
    if (value && ExprReachesOutside(value, 0)) return std::nullopt;
    if (ReachesOutside(*rows)) return std::nullopt;
    for (const BExpr& c : rest) {
        if (ExprReachesOutside(c, 0)) return std::nullopt;
    }
    if (!rest.empty()) {
        if (rows->kind == PlanKind::kScan) {
            rows->filter = JoinConjuncts(rest);
        } else {
            PlanPtr f = MakeNode(PlanKind::kFilter, rows->columns, {rows});
            f->predicate = JoinConjuncts(rest);
            rows = f;
        }
    }
    out.right = rows;
    out.value = value;
    return out;
}

// The semi or anti join replacing conjunct `c` over `input`, or null when c is not one.
PlanPtr JoinFor(const BExpr& c, const PlanPtr& input) {
    if (c->kind != BKind::kSubquery) return nullptr;
    uint32_t width = static_cast<uint32_t>(input->columns.size());
    bool in = c->subquery_kind == SubqueryKind::kIn;
    if (c->subquery_kind == SubqueryKind::kScalar) return nullptr;
    if (in && c->negated) return nullptr;  // NOT IN: see the header.
    if (in && AnalyzeColumns(c->args[0]).has_subquery) return nullptr;
    std::optional<Correlation> cor;
    if (in && !c->correlated) {
        // Uncorrelated IN: the whole subquery is the right side, its first column the value.
        if (ReachesOutside(*c->subquery)) return nullptr;
        const PlanColumn& col = c->subquery->columns[0];
        cor = Correlation{c->subquery, {},
                          MakeColumn(0, col.type,
                                     col.table.empty() ? col.name : col.table + "." + col.name)};
    } else {
        if (!c->correlated) return nullptr;  // Uncorrelated EXISTS runs once anyway.
        cor = Analyze(c->subquery, in);
        if (!cor) return nullptr;
    }
    std::vector<BExpr> condition;
    if (in) {
        BExpr v = ToJoinCondition(cor->value, width);
        condition.push_back(MakeBinary(BinaryOp::kEq, c->args[0], v, DataType::kBoolean));
    }
    for (const BExpr& e : cor->condition) condition.push_back(ToJoinCondition(e, width));
    if (condition.empty()) return nullptr;
    PlanPtr join = MakeNode(PlanKind::kJoin, input->columns, {input, cor->right});
    join->join = (!in && c->negated) ? JoinKind::kAnti : JoinKind::kSemi;
    join->condition = JoinConjuncts(condition);
    return join;
}

PlanPtr DecorrelateNode(PlanPtr n) {
    for (PlanPtr& c : n->children) c = DecorrelateNode(c);
    RewriteSubqueries(n.get(), DecorrelateNode);
    if (n->kind != PlanKind::kFilter) return n;
    std::vector<BExpr> conjuncts;
    SplitConjuncts(n->predicate, &conjuncts);
    PlanPtr input = n->children[0];
    std::vector<BExpr> rest;
    for (const BExpr& c : conjuncts) {
        PlanPtr join = JoinFor(c, input);
        if (join) {
            input = join;
        } else {
            rest.push_back(c);
        }
    }
    if (input == n->children[0]) return n;
    if (rest.empty()) return input;
    n->children[0] = input;
    n->predicate = JoinConjuncts(rest);
    return n;
}

}  // namespace

PlanPtr Decorrelate(PlanPtr plan) { return DecorrelateNode(std::move(plan)); }

}  // namespace orrery::sql::opt
