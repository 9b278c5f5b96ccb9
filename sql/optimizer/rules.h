// The optimizer's rules and the tree-rewriting helpers they share (internal to optimizer/).
//
// Each rule is a function from a plan to an equivalent plan and visits the whole tree itself,
// subquery plans included. A subquery's plan is owned by the (immutable) expression holding it,
// so a rule that replaces a subquery's root node copies the new root into the old node
// (ReplaceInPlace) rather than rebuilding the expression.
#pragma once

#include <functional>
#include <vector>

#include "sql/plan/plan.h"

namespace orrery::sql::opt {

// The rules, in the order OptimizerRules() lists them (optimizer.cpp has the table).
PlanPtr FoldConstants(PlanPtr plan);        // fold.cpp
PlanPtr Decorrelate(PlanPtr plan);          // decorrelate.cpp
PlanPtr PushDownPredicates(PlanPtr plan);   // pushdown.cpp
PlanPtr ChooseAccessPaths(PlanPtr plan);    // access_path.cpp
PlanPtr ChooseJoinAlgorithms(PlanPtr plan); // join_algorithm.cpp
PlanPtr PushDownLimits(PlanPtr plan);       // limit_pushdown.cpp
PlanPtr MergeProjections(PlanPtr plan);     // project_merge.cpp

// Recomputes every node's estimated_rows from plan.h's heuristics (optimizer.cpp).
void Reestimate(PlanNode* plan);

// --- helpers (rewrite.cpp) -------------------------------------------------------------------

// Applies f to every expression a node holds (filter, predicate, projections, join condition and
// keys, group keys, aggregate arguments, sort keys, limits, access-path keys, write
// expressions), replacing each by f's result. Subquery plans inside are not visited.
void MapNodeExprs(PlanNode* node, const std::function<BExpr(const BExpr&)>& f);

// The subquery expressions a node holds (directly or nested inside its expressions, but not
// inside the subqueries' own plans).
std::vector<const BoundExpr*> NodeSubqueries(const PlanNode& node);

// Runs `rule` on the plan of every subquery the node holds and installs the result in place.
void RewriteSubqueries(PlanNode* node, const std::function<PlanPtr(PlanPtr)>& rule);

// Makes *target the node `replacement` (a copy of its fields), so that every holder of `target`
// sees the replacement. No-op when they are the same node.
void ReplaceInPlace(const PlanPtr& target, const PlanPtr& replacement);

// e with every kColumn p replaced by exprs[p] (REQUIRES: p < exprs.size()).
BExpr SubstituteColumns(const BExpr& e, const std::vector<BExpr>& exprs);

// True iff e is a constant or an expression whose value is fixed for one execution of the
// query block holding it: no column of the row, no subquery (parameters, now() and columns of
// enclosing queries are fixed). Access-path keys must be such values.
bool IsRowIndependent(const BExpr& e);

// True iff something in `plan` (its nodes and, one level deeper per nesting, its subqueries)
// reads a column of a query outside `plan`: a kOuterColumn whose depth exceeds its nesting.
bool ReachesOutside(const PlanNode& plan);
// The same question for an expression evaluated at nesting `level` (0: plan's own nodes).
bool ExprReachesOutside(const BExpr& e, uint32_t level);

// A new node of `kind` over `children`, with `columns`.
PlanPtr MakeNode(PlanKind kind, std::vector<PlanColumn> columns, std::vector<PlanPtr> children);

}  // namespace orrery::sql::opt
