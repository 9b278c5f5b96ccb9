// Rule project_merge: a Project directly over another Project becomes one, its expressions
// rewritten over the lower one's input (each column replaced by the expression it projected).
// The plans it cleans up come from derived tables (SELECT ... FROM (SELECT ...) s) and from
// join_algorithm's side swap. Skipped when either Project holds a subquery: a subquery's outer
// references are positions in the row it is evaluated on, which merging would change.
#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

bool HoldsSubquery(const std::vector<BExpr>& exprs) {
    for (const BExpr& e : exprs) {
        if (AnalyzeColumns(e).has_subquery) return true;
    }
    return false;
}

PlanPtr Visit(PlanPtr n) {
    for (PlanPtr& c : n->children) c = Visit(c);
    RewriteSubqueries(n.get(), Visit);
    if (n->kind != PlanKind::kProject) return n;
    const PlanPtr& below = n->children[0];
    if (below->kind != PlanKind::kProject) return n;
    if (HoldsSubquery(n->exprs) || HoldsSubquery(below->exprs)) return n;
    for (BExpr& e : n->exprs) e = SubstituteColumns(e, below->exprs);
    n->children = below->children;
    return n;
}

}  // namespace

PlanPtr MergeProjections(PlanPtr plan) { return Visit(std::move(plan)); }

}  // namespace orrery::sql::opt
