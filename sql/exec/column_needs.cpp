// Column needs (column_needs.h): the top-down walk's one step, node by node.
#include "sql/exec/column_needs.h"

#include "core/assert.h"

namespace orrery::sql::exec {
namespace {

// An expression tree is walked with an explicit stack (no recursion); its depth is bounded by
// the parser's nesting limits, and this bound only guards against a malformed tree.
constexpr size_t kExprNodesMax = 1'000'000;

// Marks in *used the columns of the evaluated-on row that `e` reads. Returns false when every
// column must count as read: `e` holds a subquery (whose outer references may read any column
// of this row), or reads a position outside the row (left for the evaluator to report).
bool MarkColumns(const BExpr& e, ColumnSet* used) {
    if (!e) return true;
    std::vector<const BoundExpr*> stack{e.get()};
    size_t visited = 0;
    while (!stack.empty()) {
        const BoundExpr* x = stack.back();
        stack.pop_back();
        if (++visited > kExprNodesMax) return false;
        if (x->kind == BKind::kSubquery) return false;
        if (x->kind == BKind::kColumn) {
            if (x->column >= used->size()) return false;
            (*used)[x->column] = true;
        }
        for (const BExpr& a : x->args) {
            if (a) stack.push_back(a.get());
        }
    }
    return true;
}

// Marks every expression of `exprs`; false as MarkColumns.
bool MarkAll(const std::vector<BExpr>& exprs, ColumnSet* used) {
    for (const BExpr& e : exprs) {
        if (!MarkColumns(e, used)) return false;
    }
    return true;
}

ColumnSet Full(size_t width) { return ColumnSet(width, true); }

// `needed` as a set over the child (pass-through nodes output the child's row unchanged).
ColumnSet PassThrough(const ColumnSet& needed, size_t child_width) {
    if (needed.size() != child_width) return Full(child_width);
    return needed;
}

std::vector<ColumnSet> JoinNeeds(const PlanNode& n, const ColumnSet& needed) {
    const size_t lw = n.children[0]->columns.size();
    const size_t rw = n.children[1]->columns.size();
    // The condition is over left ++ right; semi and anti joins output the left row only.
    ColumnSet both(lw + rw, false);
    for (size_t i = 0; i < needed.size() && i < both.size(); ++i) both[i] = needed[i];
    if (!MarkColumns(n.condition, &both)) both = Full(lw + rw);
    ColumnSet left(both.begin(), both.begin() + static_cast<std::ptrdiff_t>(lw));
    ColumnSet right(both.begin() + static_cast<std::ptrdiff_t>(lw), both.end());
    if (!MarkAll(n.left_keys, &left)) left = Full(lw);
    if (!MarkAll(n.right_keys, &right)) right = Full(rw);
    return {left, right};
}

}  // namespace

ColumnSet AllColumns(const PlanNode& node) { return Full(node.columns.size()); }

std::vector<ColumnSet> ChildNeeds(const PlanNode& node, const ColumnSet& needed_in) {
    std::vector<ColumnSet> out;
    if (node.children.empty()) return out;
    const ColumnSet needed =
        needed_in.size() == node.columns.size() ? needed_in : AllColumns(node);
    const size_t width0 = node.children[0]->columns.size();
    switch (node.kind) {
        case PlanKind::kFilter: {
            ColumnSet c = PassThrough(needed, width0);
            if (!MarkColumns(node.predicate, &c)) c = Full(width0);
            return {c};
        }
        case PlanKind::kLimit: return {PassThrough(needed, width0)};
        case PlanKind::kSort: {
            ColumnSet c = PassThrough(needed, width0);
            for (const SortKey& k : node.sort_keys) {
                if (!MarkColumns(k.expr, &c)) c = Full(width0);
            }
            return {c};
        }
        case PlanKind::kProject: {
            ColumnSet c(width0, false);
            if (!MarkAll(node.exprs, &c)) c = Full(width0);
            return {c};
        }
        case PlanKind::kAggregate: {
            ColumnSet c(width0, false);
            bool ok = MarkAll(node.group_by, &c);
            for (const AggregateCall& a : node.aggregates) ok = ok && MarkColumns(a.arg, &c);
            if (!ok) c = Full(width0);
            return {c};
        }
        case PlanKind::kJoin:
            if (node.children.size() == 2) return JoinNeeds(node, needed);
            break;
        case PlanKind::kValues:
        case PlanKind::kEmpty:
        case PlanKind::kScan:
        case PlanKind::kDistinct:
        case PlanKind::kSetOp:
        case PlanKind::kInsert:
        case PlanKind::kUpdate:
        case PlanKind::kDelete: break;
    }
    // Every column of every child.
    for (const PlanPtr& c : node.children) out.push_back(AllColumns(*c));
    return out;
}

ColumnSet ScanReads(const PlanNode& scan, const ColumnSet& needed) {
    ORRERY_ASSERT(scan.kind == PlanKind::kScan, "ScanReads of a non-scan node");
    const size_t width = scan.columns.size();
    ColumnSet reads = needed.size() == width ? needed : Full(width);
    // The access path's keys read no column of the row (they are row-independent), so the
    // filter is all that the scan itself evaluates.
    if (!MarkColumns(scan.filter, &reads)) reads = Full(width);
    return reads;
}

}  // namespace orrery::sql::exec
