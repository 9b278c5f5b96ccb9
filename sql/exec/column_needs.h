// Column needs: which columns of a plan node's output its consumers read, worked out top-down
// as the operators are built, so that a Scan decodes only those (column pruning).
//
// Why here and not as an optimizer rule: the analysis changes no node of the plan, only how
// much of each stored row a scan materializes, so EXPLAIN's plan is the same with and without
// it; the executor computes it once per operator tree (exec/executor.cpp, BuildOperator).
//
// The rule each node follows (a ColumnSet has one flag per position of a node's output row):
//   - every expression a node evaluates has all the columns it reads available, whether or not
//     the node's own consumer reads the result (a Project computes every item: reading a
//     pruned NULL instead of the value could turn an error into none, or none into one);
//   - pass-through nodes (Filter, Sort, Limit) need what their consumer needs, plus the columns
//     of their predicate or sort keys; a Join splits its consumer's needs between its sides;
//   - nodes whose output depends on the whole row (Distinct, set operations, writes, which store
//     or compare every value) need every column of their children;
//   - an expression holding a subquery needs every column of the row it is evaluated on: the
//     subquery's outer references (exec/operator.h) may read any of them.
// So pruning is conservative: a column is dropped only when no expression and no consumer can
// observe it, and the rows a query returns are the rows it returned unpruned.
#pragma once

#include <vector>

#include "sql/plan/plan.h"

namespace orrery::sql::exec {

// One flag per position of a node's output row: true iff something reads that column.
using ColumnSet = std::vector<bool>;

// Every column of `node`'s output.
ColumnSet AllColumns(const PlanNode& node);

// The columns each child of `node` must produce, given that `node`'s consumer reads `needed`
// (REQUIRES: needed.size() == node.columns.size(); a mismatch is treated as "all"). One set per
// child, in child order.
std::vector<ColumnSet> ChildNeeds(const PlanNode& node, const ColumnSet& needed);

// The positions of a Scan's stored row (row_codec.h) it must decode: what its consumer reads
// plus what its filter reads. REQUIRES: scan.kind == kScan.
ColumnSet ScanReads(const PlanNode& scan, const ColumnSet& needed);

}  // namespace orrery::sql::exec
