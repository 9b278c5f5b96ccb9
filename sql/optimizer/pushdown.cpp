// Rule predicate_pushdown: moves each conjunct of a WHERE/HAVING filter, and of a join's ON
// condition, as far down the tree as it stays equivalent, so fewer rows travel up and the
// conjunct reaches a scan (where access_path can use it).
//
// Where a conjunct may go (L: it reads only the join's left columns; R: only the right ones):
//
//   from above a join     inner: L to the left input, R to the right, both to the condition;
//                         left: L to the left; right: R to the right; full: nowhere;
//                         semi/anti (their output is the left row): everything to the left.
//   from the ON condition inner and semi: L left, R right; left and anti: R right;
//                         right: L left; full: nowhere.
//
// A WHERE conjunct on the side an outer join pads with NULLs would be wrong below it (the NULL
// row would reappear), unless the conjunct rejects NULLs: then no padded row survives it and
// the outer join is first simplified (LEFT becomes INNER, FULL becomes LEFT or RIGHT). A
// conjunct rejects NULLs here when it is a comparison (=, <>, <, <=, >, >=, LIKE) or IS NOT NULL
// with a column of that side as a direct operand: NULL in, not TRUE out.
//
// Through other nodes: a Filter merges; a scan takes everything into its filter; Sort and
// Distinct pass conjuncts through; a Project passes a conjunct rewritten over its input (each
// column replaced by the projected expression); an Aggregate with GROUP BY passes a conjunct
// that reads group keys only, rewritten over the keys (a group is kept or dropped whole). Limit,
// set operations and writes stop conjuncts (a filter below a LIMIT changes which rows it keeps).
//
// A conjunct holding a subquery never moves past the node right below it: the subquery's outer
// references are positions in the row it is evaluated on, which moving would change. It may
// still merge into a scan's filter directly below (the same row).
#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

enum class Side : uint8_t { kNone, kLeft, kRight, kBoth };

Side SideOf(const BExpr& e, uint32_t left_width) {
    ColumnUse use = AnalyzeColumns(e);
    if (!use.any_column) return Side::kNone;
    if (use.max_column < left_width) return Side::kLeft;
    if (use.min_column >= left_width) return Side::kRight;
    return Side::kBoth;
}

bool IsNullRejectingOp(const BoundExpr& e) {
    if (e.kind == BKind::kLike) return true;
    if (e.kind == BKind::kIsNull) return e.negated;
    if (e.kind != BKind::kBinary) return false;
    switch (e.binary_op) {
        case BinaryOp::kEq: case BinaryOp::kNotEq: case BinaryOp::kLess:
        case BinaryOp::kLessEq: case BinaryOp::kGreater: case BinaryOp::kGreaterEq:
            return true;
        default: return false;
    }
}

// True iff `e` is never TRUE when the columns [from, to) are all NULL.
bool RejectsNullsOf(const BExpr& e, uint32_t from, uint32_t to) {
    if (!IsNullRejectingOp(*e)) return false;
    for (const BExpr& a : e->args) {
        if (a->kind == BKind::kColumn && a->column >= from && a->column < to) return true;
    }
    return false;
}

// Outer join simplification from the WHERE conjuncts above the join (see the header).
void Simplify(PlanNode* join, const std::vector<BExpr>& preds) {
    uint32_t lw = static_cast<uint32_t>(join->children[0]->columns.size());
    uint32_t width = static_cast<uint32_t>(join->columns.size());
    bool left_padded = join->join == JoinKind::kRight || join->join == JoinKind::kFull;
    bool right_padded = join->join == JoinKind::kLeft || join->join == JoinKind::kFull;
    bool rejects_left = false;
    bool rejects_right = false;
    for (const BExpr& p : preds) {
        if (left_padded && RejectsNullsOf(p, 0, lw)) rejects_left = true;
        if (right_padded && RejectsNullsOf(p, lw, width)) rejects_right = true;
    }
    if (rejects_left) {
        join->join = join->join == JoinKind::kFull ? JoinKind::kLeft : JoinKind::kInner;
    }
    if (rejects_right) {
        join->join = join->join == JoinKind::kFull ? JoinKind::kRight : JoinKind::kInner;
    }
    // FULL rejected on both sides became LEFT in the first step and INNER in the second.
}

PlanPtr Push(PlanPtr n, std::vector<BExpr> preds);

// Puts the conjuncts that could not move into a Filter on top of `n`.
PlanPtr Stay(PlanPtr n, const std::vector<BExpr>& preds) {
    if (preds.empty()) return n;
    PlanPtr f = MakeNode(PlanKind::kFilter, n->columns, {n});
    f->predicate = JoinConjuncts(preds);
    return f;
}

PlanPtr PushJoin(PlanPtr n, std::vector<BExpr> preds) {
    uint32_t lw = static_cast<uint32_t>(n->children[0]->columns.size());
    std::vector<BExpr> stay;
    std::vector<BExpr> to_left;
    std::vector<BExpr> to_right;
    std::vector<BExpr> to_condition;
    if (n->join != JoinKind::kSemi && n->join != JoinKind::kAnti) Simplify(n.get(), preds);
    JoinKind k = n->join;
    for (const BExpr& p : preds) {
        if (AnalyzeColumns(p).has_subquery) {
            stay.push_back(p);
            continue;
        }
        Side s = SideOf(p, lw);
        if (k == JoinKind::kSemi || k == JoinKind::kAnti) {
            to_left.push_back(p);  // The output is the left row.
        } else if (k == JoinKind::kInner) {
            if (s == Side::kLeft || s == Side::kNone) {
                to_left.push_back(p);
            } else if (s == Side::kRight) {
                to_right.push_back(p);
            } else {
                to_condition.push_back(p);
            }
        } else if (k == JoinKind::kLeft && s == Side::kLeft) {
            to_left.push_back(p);
        } else if (k == JoinKind::kRight && s == Side::kRight) {
            to_right.push_back(p);
        } else {
            stay.push_back(p);
        }
    }
    // The ON condition's own conjuncts.
    std::vector<BExpr> condition;
    SplitConjuncts(n->condition, &condition);
    condition.insert(condition.end(), to_condition.begin(), to_condition.end());
    std::vector<BExpr> keep;
    for (const BExpr& c : condition) {
        Side s = SideOf(c, lw);
        bool plain = !AnalyzeColumns(c).has_subquery;
        bool left_ok = k == JoinKind::kInner || k == JoinKind::kSemi || k == JoinKind::kRight;
        bool right_ok = k == JoinKind::kInner || k == JoinKind::kSemi || k == JoinKind::kLeft ||
                        k == JoinKind::kAnti;
        if (plain && s == Side::kLeft && left_ok) {
            to_left.push_back(c);
        } else if (plain && s == Side::kRight && right_ok) {
            to_right.push_back(c);
        } else {
            keep.push_back(c);
        }
    }
    n->condition = JoinConjuncts(keep);
    std::vector<BExpr> shifted;
    for (const BExpr& p : to_right) shifted.push_back(ShiftColumns(p, -static_cast<int64_t>(lw)));
    n->children[0] = Push(n->children[0], std::move(to_left));
    n->children[1] = Push(n->children[1], std::move(shifted));
    return Stay(n, stay);
}

// Conjuncts that a Project or Aggregate can pass: no subquery in them or in the expressions
// they are rewritten with.
bool CanRewriteThrough(const BExpr& p, const std::vector<BExpr>& exprs, size_t usable) {
    ColumnUse use = AnalyzeColumns(p);
    if (use.has_subquery) return false;
    if (!use.any_column) return true;
    if (use.max_column >= usable) return false;
    for (uint32_t c = use.min_column; c <= use.max_column; ++c) {
        if (AnalyzeColumns(exprs[c]).has_subquery) return false;
    }
    return true;
}

PlanPtr Push(PlanPtr n, std::vector<BExpr> preds) {
    RewriteSubqueries(n.get(), [](PlanPtr p) { return Push(std::move(p), {}); });
    switch (n->kind) {
        case PlanKind::kFilter: {
            SplitConjuncts(n->predicate, &preds);
            return Push(n->children[0], std::move(preds));
        }
        case PlanKind::kScan: {
            std::vector<BExpr> all;
            SplitConjuncts(n->filter, &all);
            all.insert(all.end(), preds.begin(), preds.end());
            n->filter = JoinConjuncts(all);
            return n;
        }
        case PlanKind::kJoin: return PushJoin(n, std::move(preds));
        case PlanKind::kSort:
        case PlanKind::kDistinct: {
            std::vector<BExpr> down;
            std::vector<BExpr> stay;
            for (const BExpr& p : preds) {
                (AnalyzeColumns(p).has_subquery ? stay : down).push_back(p);
            }
            n->children[0] = Push(n->children[0], std::move(down));
            return Stay(n, stay);
        }
        case PlanKind::kProject: {
            std::vector<BExpr> down;
            std::vector<BExpr> stay;
            for (const BExpr& p : preds) {
                if (CanRewriteThrough(p, n->exprs, n->exprs.size())) {
                    down.push_back(SubstituteColumns(p, n->exprs));
                } else {
                    stay.push_back(p);
                }
            }
            n->children[0] = Push(n->children[0], std::move(down));
            return Stay(n, stay);
        }
        case PlanKind::kAggregate: {
            std::vector<BExpr> down;
            std::vector<BExpr> stay;
            for (const BExpr& p : preds) {
                if (!n->group_by.empty() && CanRewriteThrough(p, n->group_by, n->group_by.size())) {
                    down.push_back(SubstituteColumns(p, n->group_by));
                } else {
                    stay.push_back(p);
                }
            }
            n->children[0] = Push(n->children[0], std::move(down));
            return Stay(n, stay);
        }
        default: {
            for (PlanPtr& c : n->children) c = Push(c, {});
            return Stay(n, preds);
        }
    }
}

}  // namespace

PlanPtr PushDownPredicates(PlanPtr plan) { return Push(std::move(plan), {}); }

}  // namespace orrery::sql::opt
