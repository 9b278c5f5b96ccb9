// Tree-rewriting helpers of the optimizer (rules.h).
#include "core/assert.h"
#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

void MapOne(BExpr* e, const std::function<BExpr(const BExpr&)>& f) {
    if (*e) *e = f(*e);
}

void Collect(const BExpr& e, std::vector<const BoundExpr*>* out) {
    if (e->kind == BKind::kSubquery) out->push_back(e.get());
    for (const BExpr& a : e->args) Collect(a, out);
}

bool PlanReaches(const PlanNode& plan, uint32_t level);

bool Reaches(const BExpr& e, uint32_t level) {
    // An outer reference from inside `level` nested blocks leaves the plan we started from when
    // it climbs more blocks than that.
    if (e->kind == BKind::kOuterColumn && e->depth > level) return true;
    if (e->kind == BKind::kSubquery && PlanReaches(*e->subquery, level + 1)) return true;
    for (const BExpr& a : e->args) {
        if (Reaches(a, level)) return true;
    }
    return false;
}

bool PlanReaches(const PlanNode& plan, uint32_t level) {
    bool found = false;
    // MapNodeExprs takes a mutable node only to replace expressions; the identity map leaves it
    // as it was.
    MapNodeExprs(const_cast<PlanNode*>(&plan), [&](const BExpr& e) {
        if (!found && Reaches(e, level)) found = true;
        return e;
    });
    if (found) return true;
    for (const PlanPtr& c : plan.children) {
        if (PlanReaches(*c, level)) return true;
    }
    return false;
}

}  // namespace

void MapNodeExprs(PlanNode* n, const std::function<BExpr(const BExpr&)>& f) {
    for (auto& row : n->rows) for (BExpr& e : row) MapOne(&e, f);
    MapOne(&n->filter, f);
    for (auto& key : n->access.keys) for (BExpr& e : key) MapOne(&e, f);
    MapOne(&n->access.lower, f);
    MapOne(&n->access.upper, f);
    MapOne(&n->predicate, f);
    for (BExpr& e : n->exprs) MapOne(&e, f);
    MapOne(&n->condition, f);
    for (BExpr& e : n->left_keys) MapOne(&e, f);
    for (BExpr& e : n->right_keys) MapOne(&e, f);
    for (BExpr& e : n->group_by) MapOne(&e, f);
    for (AggregateCall& a : n->aggregates) MapOne(&a.arg, f);
    for (SortKey& k : n->sort_keys) MapOne(&k.expr, f);
    MapOne(&n->limit, f);
    MapOne(&n->offset, f);
    for (auto& [pos, e] : n->assignments) MapOne(&e, f);
    for (BExpr& e : n->returning) MapOne(&e, f);
    for (BExpr& e : n->write_conditions) MapOne(&e, f);
    for (auto& [name, e] : n->checks) MapOne(&e, f);
}

std::vector<const BoundExpr*> NodeSubqueries(const PlanNode& node) {
    std::vector<const BoundExpr*> out;
    MapNodeExprs(const_cast<PlanNode*>(&node), [&](const BExpr& e) {
        Collect(e, &out);
        return e;
    });
    return out;
}

void RewriteSubqueries(PlanNode* node, const std::function<PlanPtr(PlanPtr)>& rule) {
    for (const BoundExpr* s : NodeSubqueries(*node)) {
        ReplaceInPlace(s->subquery, rule(s->subquery));
    }
}

void ReplaceInPlace(const PlanPtr& target, const PlanPtr& replacement) {
    ORRERY_ASSERT(target != nullptr, "replacing a null plan");
    ORRERY_ASSERT(replacement != nullptr, "replacing a plan by null");
    if (target == replacement) return;
    // The replacement may hold `target` as a descendant (a rule that put a node on top);
    // copying first keeps that child intact: the child pointer then refers to a copy.
    PlanNode copy = *replacement;
    for (PlanPtr& c : copy.children) {
        if (c == target) c = std::make_shared<PlanNode>(*target);
    }
    *target = std::move(copy);
}

BExpr SubstituteColumns(const BExpr& e, const std::vector<BExpr>& exprs) {
    if (e->kind == BKind::kColumn) {
        ORRERY_ASSERT(e->column < exprs.size(), "column {} outside {} expressions", e->column,
                      exprs.size());
        return exprs[e->column];
    }
    if (e->args.empty()) return e;
    auto copy = std::make_shared<BoundExpr>(*e);
    for (BExpr& a : copy->args) a = SubstituteColumns(a, exprs);
    return copy;
}

bool IsRowIndependent(const BExpr& e) {
    ColumnUse use = AnalyzeColumns(e);
    return !use.any_column && !use.has_subquery;
}

bool ReachesOutside(const PlanNode& plan) { return PlanReaches(plan, 0); }

bool ExprReachesOutside(const BExpr& e, uint32_t level) { return Reaches(e, level); }

PlanPtr MakeNode(PlanKind kind, std::vector<PlanColumn> columns, std::vector<PlanPtr> children) {
    auto n = std::make_shared<PlanNode>();
    n->kind = kind;
    n->columns = std::move(columns);
    n->children = std::move(children);
    n->estimated_rows = n->children.empty() ? 1 : n->children[0]->estimated_rows;
    return n;
}

}  // namespace orrery::sql::opt
