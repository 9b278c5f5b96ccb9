// The optimizer's driver: the rule table, and the row estimates EXPLAIN prints (optimizer.h).
#include "sql/optimizer/optimizer.h"

#include <algorithm>

#include "sql/optimizer/rules.h"

namespace orrery::sql {
namespace {

struct Rule {
    const char* name;
    PlanPtr (*run)(PlanPtr);
};

// The order matters: folding first (so later rules see constants and dropped filters);
// decorrelation before pushdown (the filter it leaves behind is pushed like any other);
// pushdown before access paths and join algorithms (which read the conjuncts pushdown put into
// scans and join conditions); limit_pushdown after folding (it needs constant counts);
// project_merge last (it tidies what the others leave).
constexpr Rule kRules[] = {
    {"constant_folding", opt::FoldConstants},
    {"decorrelate", opt::Decorrelate},
    {"predicate_pushdown", opt::PushDownPredicates},
    {"access_path", opt::ChooseAccessPaths},
    {"join_algorithm", opt::ChooseJoinAlgorithms},
    {"limit_pushdown", opt::PushDownLimits},
    {"project_merge", opt::MergeProjections},
};

// plan.h's estimates: a full scan 1000, a point lookup 1 per key of a whole unique key (else
// 10), a range 250 (5 within a key prefix), a filter keeps a third, an equi-join the larger
// side, a cross join the product, a group per ten rows.
constexpr double kScanRows = 1000;
constexpr double kFilterKeeps = 1.0 / 3;

double ScanRows(const PlanNode& n) {
    const ScanAccess& a = n.access;
    switch (a.kind) {
        case ScanAccess::Kind::kFull: return n.filter ? kScanRows * kFilterKeeps : kScanRows;
        case ScanAccess::Kind::kPoint: {
            const TableSchema& t = *n.table;
            size_t width = a.index < 0
                               ? (t.has_hidden_rowid() ? 1 : t.primary_key.size())
                               : t.indexes[static_cast<size_t>(a.index)].column_ids.size();
            bool unique = a.index < 0 || t.indexes[static_cast<size_t>(a.index)].unique;
            bool whole = !a.keys.empty() && a.keys[0].size() == width;
            return static_cast<double>(a.keys.size()) * (whole && unique ? 1 : 10);
        }
        case ScanAccess::Kind::kRange:
            return a.keys.empty() || a.keys[0].empty() ? 250 : 5;
    }
    return kScanRows;
}

double ConstantLimit(const BExpr& e) {
    if (e && e->kind == BKind::kConstant && e->constant.type() == DataType::kInteger) {
        return static_cast<double>(std::max<int64_t>(0, e->constant.integer()));
    }
    return -1;
}

}  // namespace

std::vector<std::string> OptimizerRules() {
    std::vector<std::string> names;
    for (const Rule& r : kRules) names.emplace_back(r.name);
    return names;
}

PlanPtr Optimize(PlanPtr plan, const OptimizeOptions& options) {
    bool changed = false;
    for (const Rule& r : kRules) {
        if (options.disabled_rules.count(r.name) != 0) continue;
        plan = r.run(std::move(plan));
        changed = true;
    }
    // With every rule off the plan is the binder's, estimates included.
    if (changed) opt::Reestimate(plan.get());
    return plan;
}

namespace opt {

void Reestimate(PlanNode* n) {
    for (const PlanPtr& c : n->children) Reestimate(c.get());
    for (const BoundExpr* s : NodeSubqueries(*n)) Reestimate(s->subquery.get());
    auto child = [&](size_t i) { return n->children[i]->estimated_rows; };
    switch (n->kind) {
        case PlanKind::kValues: n->estimated_rows = static_cast<double>(n->rows.size()); break;
        case PlanKind::kEmpty: n->estimated_rows = 0; break;
        case PlanKind::kScan: n->estimated_rows = ScanRows(*n); break;
        case PlanKind::kFilter:
            // A third, but not below one row of a non-empty input (one group's HAVING).
            n->estimated_rows = std::max(child(0) * kFilterKeeps, std::min(child(0), 1.0));
            break;
        case PlanKind::kJoin: {
            double l = child(0);
            double r = child(1);
            bool equi = n->hash || n->condition;
            double rows = equi ? std::max(l, r) : l * r;
            if (n->join == JoinKind::kSemi || n->join == JoinKind::kAnti) rows = l;
            n->estimated_rows = rows;
            break;
        }
        case PlanKind::kAggregate:
            n->estimated_rows = n->group_by.empty() ? 1 : std::max(1.0, child(0) / 10);
            break;
        case PlanKind::kLimit: {
            double limit = ConstantLimit(n->limit);
            n->estimated_rows = limit < 0 ? child(0) : std::min(child(0), limit);
            break;
        }
        case PlanKind::kSetOp: n->estimated_rows = child(0) + child(1); break;
        case PlanKind::kUpdate:
        case PlanKind::kDelete:
        case PlanKind::kInsert:
        case PlanKind::kProject:
        case PlanKind::kSort: {
            // A top-N sort (limit_pushdown) returns at most limit+offset rows.
            double limit = ConstantLimit(n->limit);
            double offset = std::max(0.0, ConstantLimit(n->offset));
            n->estimated_rows = limit < 0 ? child(0) : std::min(child(0), limit + offset);
            break;
        }
        case PlanKind::kDistinct: n->estimated_rows = child(0); break;
    }
}

}  // namespace opt
}  // namespace orrery::sql
