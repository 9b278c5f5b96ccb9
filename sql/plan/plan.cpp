// Plan printing, copying and walking (plan.h).
#include "sql/plan/plan.h"

#include <fmt/format.h>

#include <cmath>

#include "core/assert.h"

namespace orrery::sql {
namespace {

std::string List(const std::vector<BExpr>& exprs) {
    std::string out;
    for (size_t i = 0; i < exprs.size(); ++i) {
        if (i > 0) out += ", ";
        out += ExprString(exprs[i]);
    }
    return out;
}

std::string_view JoinName(JoinKind kind) {
    switch (kind) {
        case JoinKind::kInner: return "inner";
        case JoinKind::kLeft: return "left";
        case JoinKind::kRight: return "right";
        case JoinKind::kFull: return "full";
        case JoinKind::kSemi: return "semi";
        case JoinKind::kAnti: return "anti";
    }
    return "?";
}

std::string_view SetOpName(SetOp op) {
    switch (op) {
        case SetOp::kUnion: return "Union";
        case SetOp::kUnionAll: return "UnionAll";
        case SetOp::kIntersect: return "Intersect";
        case SetOp::kExcept: return "Except";
    }
    return "?";
}

std::string AccessString(const PlanNode& n) {
    const ScanAccess& a = n.access;
    if (a.kind == ScanAccess::Kind::kFull) return "";
    std::string on = a.index < 0 ? "primary key"
                                 : "index " + n.table->indexes[static_cast<size_t>(a.index)].name;
    if (a.kind == ScanAccess::Kind::kPoint) {
        std::string keys;
        for (size_t i = 0; i < a.keys.size(); ++i) {
            if (i > 0) keys += ", ";
            keys += "(" + List(a.keys[i]) + ")";
        }
        return fmt::format(" {} = {}", on, keys);
    }
    std::string range;
    if (!a.keys.empty() && !a.keys[0].empty()) range += "(" + List(a.keys[0]) + ") ";
    range += a.lower ? (a.lower_inclusive ? "[" : "(") + ExprString(a.lower) : "(-inf";
    range += ", ";
    range += a.upper ? ExprString(a.upper) + (a.upper_inclusive ? "]" : ")") : "+inf)";
    return fmt::format(" {} range {}", on, range);
}

// The IF clause, RETURNING list and CHECK constraints of a write.
std::string WriteSuffix(const PlanNode& n) {
    std::string out;
    switch (n.condition_kind) {
        case WriteCondition::Kind::kNone: break;
        case WriteCondition::Kind::kNotExists: out += " if not exists"; break;
        case WriteCondition::Kind::kExists: out += " if exists"; break;
        case WriteCondition::Kind::kColumns: {
            out += " if ";
            for (size_t i = 0; i < n.write_conditions.size(); ++i) {
                out += (i > 0 ? " and " : "") + ExprString(n.write_conditions[i]);
            }
            break;
        }
    }
    if (!n.returning.empty()) out += " returning " + List(n.returning);
    for (const auto& [name, e] : n.checks) out += fmt::format(" check {}={}", name, ExprString(e));
    return out;
}

std::string Describe(const PlanNode& n) {
    switch (n.kind) {
        case PlanKind::kValues: return fmt::format("Values: {} rows", n.rows.size());
        case PlanKind::kEmpty: return "Empty";
        case PlanKind::kScan: {
            std::string out = "Scan " + n.table->name;
            if (!n.alias.empty() && n.alias != n.table->name) out += " AS " + n.alias;
            out += AccessString(n);
            if (n.filter) out += " filter=" + ExprString(n.filter);
            return out;
        }
        case PlanKind::kFilter: return "Filter: " + ExprString(n.predicate);
        case PlanKind::kProject: return "Project: " + List(n.exprs);
        case PlanKind::kJoin: {
            std::string out = fmt::format("{} {}", n.hash ? "HashJoin" : "NestedLoopJoin",
                                          JoinName(n.join));
            if (n.hash) out += ": (" + List(n.left_keys) + ") = (" + List(n.right_keys) + ")";
            if (n.condition) out += (n.hash ? " on " : ": ") + ExprString(n.condition);
            return out;
        }
        case PlanKind::kAggregate: {
            std::string out = "Aggregate";
            if (!n.group_by.empty()) out += " by " + List(n.group_by);
            std::string aggs;
            for (size_t i = 0; i < n.aggregates.size(); ++i) {
                aggs += (i > 0 ? ", " : "") + n.aggregates[i].display;
            }
            if (!aggs.empty()) out += ": " + aggs;
            return out;
        }
        case PlanKind::kSort: {
            std::string out = "Sort: ";
            for (size_t i = 0; i < n.sort_keys.size(); ++i) {
                const SortKey& k = n.sort_keys[i];
                out += (i > 0 ? ", " : "") + ExprString(k.expr) + (k.descending ? " DESC" : "");
            }
            // A top-N sort keeps only the first limit+offset rows (limit_pushdown).
            if (n.limit) out += " (top " + ExprString(n.limit);
            if (n.limit && n.offset) out += " + " + ExprString(n.offset);
            if (n.limit) out += ")";
            return out;
        }
        case PlanKind::kDistinct: return "Distinct";
        case PlanKind::kLimit: {
            std::string out = "Limit:";
            if (n.limit) out += " " + ExprString(n.limit);
            if (n.offset) out += " offset " + ExprString(n.offset);
            return out;
        }
        case PlanKind::kSetOp: return std::string(SetOpName(n.set_op));
        case PlanKind::kInsert: {
            std::string out = "Insert into " + n.table->name + " (";
            for (size_t i = 0; i < n.insert_columns.size(); ++i) {
                out += (i > 0 ? ", " : "") +
                       n.table->columns[static_cast<size_t>(n.insert_columns[i])].name;
            }
            return out + ")" + WriteSuffix(n);
        }
        case PlanKind::kUpdate: {
            std::string out = "Update " + n.table->name + ":";
            for (size_t i = 0; i < n.assignments.size(); ++i) {
                const auto& [pos, e] = n.assignments[i];
                out += fmt::format("{} {} = {}", i > 0 ? "," : "",
                                   n.table->columns[static_cast<size_t>(pos)].name,
                                   ExprString(e));
            }
            return out + WriteSuffix(n);
        }
        case PlanKind::kDelete: return "Delete from " + n.table->name + WriteSuffix(n);
    }
    return "?";
}

// The expressions of a node, to find subqueries in.
std::vector<BExpr> NodeExprs(const PlanNode& n) {
    std::vector<BExpr> out;
    auto add = [&](const BExpr& e) {
        if (e) out.push_back(e);
    };
    for (const auto& row : n.rows) for (const BExpr& e : row) add(e);
    add(n.filter);
    add(n.predicate);
    for (const BExpr& e : n.exprs) add(e);
    add(n.condition);
    for (const BExpr& e : n.group_by) add(e);
    for (const AggregateCall& a : n.aggregates) add(a.arg);
    for (const SortKey& k : n.sort_keys) add(k.expr);
    for (const auto& [pos, e] : n.assignments) add(e);
    for (const BExpr& e : n.write_conditions) add(e);
    for (const BExpr& e : n.returning) add(e);
    for (const auto& [name, e] : n.checks) add(e);
    return out;
}

void CollectSubqueries(const BExpr& e, std::vector<const BoundExpr*>* out) {
    if (e->kind == BKind::kSubquery) out->push_back(e.get());
    for (const BExpr& a : e->args) CollectSubqueries(a, out);
}

void Print(const PlanNode& n, int indent, std::string* out) {
    std::string pad(static_cast<size_t>(indent) * 2, ' ');
    *out += fmt::format("{}{} (rows={})\n", pad, Describe(n),
                        static_cast<int64_t>(std::llround(n.estimated_rows)));
    std::vector<const BoundExpr*> subs;
    for (const BExpr& e : NodeExprs(n)) CollectSubqueries(e, &subs);
    for (const BoundExpr* s : subs) {
        *out += fmt::format("{}  Subquery{}:\n", pad, s->correlated ? " (correlated)" : "");
        Print(*s->subquery, indent + 2, out);
    }
    for (const PlanPtr& c : n.children) Print(*c, indent + 1, out);
}

}  // namespace

std::string PlanToString(const PlanNode& plan) {
    std::string out;
    Print(plan, 0, &out);
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

PlanPtr ClonePlan(const PlanNode& plan) {
    auto copy = std::make_shared<PlanNode>(plan);
    for (PlanPtr& c : copy->children) c = ClonePlan(*c);
    return copy;
}

void ForEachPlan(const PlanPtr& plan, const std::function<void(const PlanPtr&)>& f) {
    ORRERY_ASSERT(plan != nullptr, "walking a null plan");
    f(plan);
    std::vector<const BoundExpr*> subs;
    for (const BExpr& e : NodeExprs(*plan)) CollectSubqueries(e, &subs);
    for (const BoundExpr* s : subs) ForEachPlan(s->subquery, f);
    for (const PlanPtr& c : plan->children) ForEachPlan(c, f);
}

}  // namespace orrery::sql
