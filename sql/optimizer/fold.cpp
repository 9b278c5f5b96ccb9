// Rule constant_folding: computes what needs no row, and simplifies what that leaves.
//
//  - A subexpression with no column, parameter, clock or subquery is evaluated once, here, by
//    the functions the executor uses (plan/const_eval.h), and becomes a constant of the same
//    static type. One that fails (1/0) is left alone: the error stays the executor's, raised
//    only if the row ever reaches it (CASE WHEN false THEN 1/0 END must not fail).
//  - AND/OR with a constant side: TRUE AND x = x, FALSE AND x = FALSE, FALSE OR x = x,
//    TRUE OR x = TRUE, from either side. The executor short-circuits left to right, so folding
//    may skip an error the executor would have raised (x AND FALSE with x = 1/0 = 1); it never
//    adds one. NULL sides are left alone (NULL AND x is FALSE or NULL, depending on x).
//  - A Filter whose predicate became TRUE disappears; FALSE or NULL makes it Empty (no rows,
//    same columns). A scan filter or join condition that became TRUE is dropped.
#include "sql/optimizer/rules.h"
#include "sql/plan/const_eval.h"

namespace orrery::sql::opt {
namespace {

bool IsBoolConstant(const BExpr& e, bool value) {
    return e->kind == BKind::kConstant && e->constant.type() == DataType::kBoolean &&
           e->constant.boolean() == value;
}

BExpr Fold(const BExpr& e) {
    if (e->kind == BKind::kConstant || e->kind == BKind::kSubquery) return e;
    BExpr folded = e;
    if (!e->args.empty()) {
        auto copy = std::make_shared<BoundExpr>(*e);
        for (BExpr& a : copy->args) a = Fold(a);
        folded = copy;
    }
    if (folded->kind == BKind::kBinary &&
        (folded->binary_op == BinaryOp::kAnd || folded->binary_op == BinaryOp::kOr)) {
        bool is_and = folded->binary_op == BinaryOp::kAnd;
        const BExpr& a = folded->args[0];
        const BExpr& b = folded->args[1];
        // The absorbing element wins; the neutral one disappears.
        if (IsBoolConstant(a, !is_and) || IsBoolConstant(b, !is_and)) {
            return MakeConstant(Value::Boolean(!is_and));
        }
        if (IsBoolConstant(a, is_and)) return b;
        if (IsBoolConstant(b, is_and)) return a;
    }
    if (!IsConstantExpr(folded)) return folded;
    auto v = EvalConstantExpr(folded);
    if (!v.ok()) return folded;  // Unsupported here, or an error left for run time.
    auto constant = std::make_shared<BoundExpr>();
    constant->kind = BKind::kConstant;
    constant->constant = std::move(v).value();
    constant->type = folded->type;
    return constant;
}

bool IsTrue(const BExpr& e) { return e && IsBoolConstant(e, true); }

// FALSE or NULL: a predicate no row passes.
bool RejectsAll(const BExpr& e) {
    return e && e->kind == BKind::kConstant &&
           (e->constant.is_null() || IsBoolConstant(e, false));
}

PlanPtr FoldNode(PlanPtr n) {
    for (PlanPtr& c : n->children) c = FoldNode(c);
    RewriteSubqueries(n.get(), FoldNode);
    MapNodeExprs(n.get(), Fold);
    switch (n->kind) {
        case PlanKind::kFilter:
            if (IsTrue(n->predicate)) return n->children[0];
            if (RejectsAll(n->predicate)) {
                PlanPtr empty = MakeNode(PlanKind::kEmpty, n->columns, {});
                return empty;
            }
            break;
        case PlanKind::kScan:
            if (IsTrue(n->filter)) n->filter = nullptr;
            break;
        case PlanKind::kJoin:
            if (IsTrue(n->condition)) n->condition = nullptr;
            break;
        default: break;
    }
    return n;
}

}  // namespace

PlanPtr FoldConstants(PlanPtr plan) { return FoldNode(std::move(plan)); }

}  // namespace orrery::sql::opt
