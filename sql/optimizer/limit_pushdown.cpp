// Rule limit_pushdown: tells the operators below a LIMIT how few rows are wanted.
//   - Limit over Sort: the Sort becomes a top-N sort. It keeps only the first limit+offset rows
//     of its order in a bounded heap instead of materialising the whole input (the Sort takes a
//     copy of the Limit's limit and offset; plan.h). The Limit stays above it: it still skips
//     the OFFSET rows and owns the errors of a bad count (2201W, 2201X, 42804), which it raises
//     before pulling a single row, so the Sort never sees a count the Limit would reject.
//   - Limit over UNION ALL with constant counts: each branch gets a Limit of limit+offset rows,
//     since no more of either branch can reach the output. The outer Limit stays.
//   - LIMIT 0 with no OFFSET or a constant non-negative one: the branch is Empty. Nothing of the
//     input is read, which is also what the executor's Limit does (it stops before its first
//     pull), so no error or read is lost.
// Counts that are parameters ($1) work for the top-N sort (it evaluates them at run time) but
// not for the other two cases, which need constants now.
#include <limits>

#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

// The value of a count known now: an integer constant >= 0; nullopt otherwise (absent counts
// included: the caller says what an absent one means).
std::optional<int64_t> ConstantCount(const BExpr& e) {
    if (!e || e->kind != BKind::kConstant) return std::nullopt;
    if (e->constant.type() != DataType::kInteger || e->constant.integer() < 0) return std::nullopt;
    return e->constant.integer();
}

bool IsLimitZero(const PlanNode& n) {
    std::optional<int64_t> limit = ConstantCount(n.limit);
    if (!limit || *limit != 0) return false;
    return !n.offset || ConstantCount(n.offset).has_value();
}

// limit+offset of a Limit whose counts are constants (an absent OFFSET is 0), saturated.
std::optional<int64_t> ConstantWanted(const PlanNode& n) {
    std::optional<int64_t> limit = ConstantCount(n.limit);
    std::optional<int64_t> offset = n.offset ? ConstantCount(n.offset) : std::optional<int64_t>(0);
    if (!limit || !offset) return std::nullopt;
    if (*limit > std::numeric_limits<int64_t>::max() - *offset) {
        return std::numeric_limits<int64_t>::max();
    }
    return *limit + *offset;
}

PlanPtr LimitOver(PlanPtr child, int64_t wanted) {
    PlanPtr limit = MakeNode(PlanKind::kLimit, child->columns, {child});
    limit->limit = MakeConstant(Value::Integer(wanted));
    return limit;
}

PlanPtr Visit(PlanPtr n) {
    for (PlanPtr& c : n->children) c = Visit(c);
    RewriteSubqueries(n.get(), Visit);
    if (n->kind != PlanKind::kLimit || !n->limit) return n;
    if (IsLimitZero(*n)) return MakeNode(PlanKind::kEmpty, n->columns, {});
    PlanNode& below = *n->children[0];
    if (below.kind == PlanKind::kSort && !below.limit) {
        below.limit = n->limit;
        below.offset = n->offset;
    } else if (below.kind == PlanKind::kSetOp && below.set_op == SetOp::kUnionAll) {
        std::optional<int64_t> wanted = ConstantWanted(*n);
        if (!wanted) return n;
        for (PlanPtr& branch : below.children) {
            // Idempotent: a branch already limited to `wanted` (a second pass) is left alone.
            std::optional<int64_t> existing =
                branch->kind == PlanKind::kLimit && !branch->offset
                    ? ConstantCount(branch->limit) : std::nullopt;
            if (existing && *existing <= *wanted) continue;
            branch = LimitOver(branch, *wanted);
        }
    }
    return n;
}

}  // namespace

PlanPtr PushDownLimits(PlanPtr plan) { return Visit(std::move(plan)); }

}  // namespace orrery::sql::opt
