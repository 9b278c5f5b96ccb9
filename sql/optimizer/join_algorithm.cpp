// Rule join_algorithm: a join whose condition holds equalities between a left and a right
// expression becomes a hash join on them; an inner hash join builds its table on the smaller
// input.
//
// Equivalence. The executor's hash join (exec/join.cpp) pairs a left row with the right rows
// whose keys compare equal (CompareValues, with equal Values hashing alike: 1 and 1.0 too), and
// never pairs a NULL key: exactly the pairs for which every `l = r` is TRUE (SQL = is NULL on a
// NULL side, and otherwise the same comparison). So the equalities move from the condition into
// the keys and the rest of the condition is still tested on each pair. Key expressions hold no
// subquery (they are evaluated on one side's row only).
//
// Build side. The executor builds on the right input. For an inner join whose right input is
// estimated larger than the left, the inputs swap and a Project on top restores the column
// order the parents expect; outer, semi and anti joins keep their sides (their kind says which
// side is kept).
#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

// The join with its sides swapped, under a Project giving the original column order.
PlanPtr Swap(const PlanPtr& join) {
    uint32_t lw = static_cast<uint32_t>(join->children[0]->columns.size());
    uint32_t rw = static_cast<uint32_t>(join->children[1]->columns.size());
    // Column c of the original row: left columns now come after the right ones.
    std::vector<uint32_t> to_swapped(lw + rw);
    for (uint32_t c = 0; c < lw; ++c) to_swapped[c] = rw + c;
    for (uint32_t c = 0; c < rw; ++c) to_swapped[lw + c] = c;
    auto swapped = std::make_shared<PlanNode>(*join);
    swapped->children = {join->children[1], join->children[0]};
    swapped->columns = join->children[1]->columns;
    swapped->columns.insert(swapped->columns.end(), join->children[0]->columns.begin(),
                            join->children[0]->columns.end());
    if (swapped->condition) swapped->condition = RemapColumns(swapped->condition, to_swapped);
    std::swap(swapped->left_keys, swapped->right_keys);
    PlanPtr project = MakeNode(PlanKind::kProject, join->columns, {swapped});
    for (uint32_t c = 0; c < lw + rw; ++c) {
        const PlanColumn& col = join->columns[c];
        project->exprs.push_back(MakeColumn(to_swapped[c], col.type,
                                            col.table.empty() ? col.name
                                                              : col.table + "." + col.name));
    }
    return project;
}

PlanPtr Visit(PlanPtr n) {
    for (PlanPtr& c : n->children) c = Visit(c);
    RewriteSubqueries(n.get(), Visit);
    if (n->kind != PlanKind::kJoin || n->hash || !n->condition) return n;
    uint32_t lw = static_cast<uint32_t>(n->children[0]->columns.size());
    std::vector<BExpr> conjuncts;
    SplitConjuncts(n->condition, &conjuncts);
    std::vector<BExpr> rest;
    for (const BExpr& c : conjuncts) {
        if (c->kind != BKind::kBinary || c->binary_op != BinaryOp::kEq) {
            rest.push_back(c);
            continue;
        }
        ColumnUse a = AnalyzeColumns(c->args[0]);
        ColumnUse b = AnalyzeColumns(c->args[1]);
        bool plain = !a.has_subquery && !b.has_subquery && a.any_column && b.any_column;
        if (plain && a.max_column < lw && b.min_column >= lw) {
            n->left_keys.push_back(c->args[0]);
            n->right_keys.push_back(ShiftColumns(c->args[1], -static_cast<int64_t>(lw)));
        } else if (plain && b.max_column < lw && a.min_column >= lw) {
            n->left_keys.push_back(c->args[1]);
            n->right_keys.push_back(ShiftColumns(c->args[0], -static_cast<int64_t>(lw)));
        } else {
            rest.push_back(c);
        }
    }
    if (n->left_keys.empty()) return n;
    n->hash = true;
    n->condition = JoinConjuncts(rest);
    Reestimate(n->children[0].get());
    Reestimate(n->children[1].get());
    // A subquery left in the condition reads the join's row by position: no swap then.
    bool movable = !n->condition || !AnalyzeColumns(n->condition).has_subquery;
    if (n->join == JoinKind::kInner && movable &&
        n->children[1]->estimated_rows > n->children[0]->estimated_rows) {
        return Swap(n);
    }
    return n;
}

}  // namespace

PlanPtr ChooseJoinAlgorithms(PlanPtr plan) { return Visit(std::move(plan)); }

}  // namespace orrery::sql::opt
