// Rule access_path: a scan whose filter fixes a prefix of the primary key or of an index reads
// only the matching keys (plan.h's ScanAccess) instead of the whole table.
//
// Usable conjuncts of the scan's filter: `col = v`, `col IN (v1, ...)` and `col <, <=, >, >= v`
// (either operand order), where v is fixed for the execution (constants, parameters, now(),
// columns of an enclosing query: rules.h's IsRowIndependent). For each key (the primary key,
// the hidden row id of a table without one, every index) the equalities on its leading columns
// form a prefix; then:
//   - a point lookup for each combination of the prefix's values (at most kMaxPoints);
//   - or, when the prefix has one value per column and the next key column has bounds, a range
//     over that column within the prefix.
// The estimated rows decide (plan.h): a whole unique key 1 per lookup, a partial prefix 10 per
// lookup, a range within a prefix 5, a range alone 250; an index costs twice its rows (each
// entry is followed by a row fetch); the primary key wins ties, then the first index. The filter
// stays as it is: the scan re-checks it, so a path that returns extra rows (a value converted
// inexactly, a bound widened) is still exact. A path never misses a row: a row failing a used
// conjunct fails the filter too.
#include <map>

#include "sql/optimizer/rules.h"

namespace orrery::sql::opt {
namespace {

constexpr size_t kMaxPoints = 64;

struct Bound {
    BExpr value;
    bool inclusive = true;
};

struct ColumnFacts {
    std::vector<BExpr> eq;  // The smallest set of values the column must equal one of.
    bool has_eq = false;
    std::optional<Bound> lower;
    std::optional<Bound> upper;
};

BinaryOp Flip(BinaryOp op) {
    switch (op) {
        case BinaryOp::kLess: return BinaryOp::kGreater;
        case BinaryOp::kLessEq: return BinaryOp::kGreaterEq;
        case BinaryOp::kGreater: return BinaryOp::kLess;
        case BinaryOp::kGreaterEq: return BinaryOp::kLessEq;
        default: return op;
    }
}

void Note(std::map<uint32_t, ColumnFacts>* facts, uint32_t column, std::vector<BExpr> eq) {
    ColumnFacts& f = (*facts)[column];
    if (!f.has_eq || eq.size() < f.eq.size()) {
        f.eq = std::move(eq);
        f.has_eq = true;
    }
}

void Learn(const BExpr& c, std::map<uint32_t, ColumnFacts>* facts) {
    if (c->kind == BKind::kInList && !c->negated && c->args[0]->kind == BKind::kColumn) {
        std::vector<BExpr> values(c->args.begin() + 1, c->args.end());
        for (const BExpr& v : values) {
            if (!IsRowIndependent(v)) return;
        }
        Note(facts, c->args[0]->column, std::move(values));
        return;
    }
    if (c->kind != BKind::kBinary) return;
    BinaryOp op = c->binary_op;
    BExpr column = c->args[0];
    BExpr value = c->args[1];
    if (column->kind != BKind::kColumn) {
        std::swap(column, value);
        op = Flip(op);
    }
    if (column->kind != BKind::kColumn || !IsRowIndependent(value)) return;
    switch (op) {
        case BinaryOp::kEq: Note(facts, column->column, {value}); return;
        case BinaryOp::kGreater:
        case BinaryOp::kGreaterEq: {
            ColumnFacts& f = (*facts)[column->column];
            if (!f.lower) f.lower = Bound{value, op == BinaryOp::kGreaterEq};
            return;
        }
        case BinaryOp::kLess:
        case BinaryOp::kLessEq: {
            ColumnFacts& f = (*facts)[column->column];
            if (!f.upper) f.upper = Bound{value, op == BinaryOp::kLessEq};
            return;
        }
        default: return;
    }
}

struct Candidate {
    ScanAccess access;
    double rows = 0;
    double cost = 0;
};

// Every combination of one value per prefix column.
std::vector<std::vector<BExpr>> Combinations(const std::vector<const std::vector<BExpr>*>& sets) {
    std::vector<std::vector<BExpr>> out{{}};
    for (const std::vector<BExpr>* set : sets) {
        std::vector<std::vector<BExpr>> next;
        for (const auto& partial : out) {
            for (const BExpr& v : *set) {
                next.push_back(partial);
                next.back().push_back(v);
            }
        }
        out = std::move(next);
    }
    return out;
}

std::optional<Candidate> ForKey(const std::vector<int>& slots, bool unique, int index,
                                const std::map<uint32_t, ColumnFacts>& facts) {
    std::vector<const std::vector<BExpr>*> prefix;
    size_t combinations = 1;
    bool single_values = true;
    for (int slot : slots) {
        auto it = facts.find(static_cast<uint32_t>(slot));
        if (it == facts.end() || !it->second.has_eq) break;
        if (combinations * it->second.eq.size() > kMaxPoints) break;
        combinations *= it->second.eq.size();
        single_values = single_values && it->second.eq.size() == 1;
        prefix.push_back(&it->second.eq);
    }
    double penalty = index >= 0 ? 2 : 1;
    std::optional<Candidate> best;
    if (!prefix.empty()) {
        Candidate c;
        c.access.kind = ScanAccess::Kind::kPoint;
        c.access.index = index;
        c.access.keys = Combinations(prefix);
        bool whole = prefix.size() == slots.size();
        c.rows = static_cast<double>(combinations) * (whole && unique ? 1 : 10);
        c.cost = c.rows * penalty;
        best = c;
    }
    if (prefix.size() < slots.size() && single_values) {
        auto it = facts.find(static_cast<uint32_t>(slots[prefix.size()]));
        if (it != facts.end() && (it->second.lower || it->second.upper)) {
            Candidate c;
            c.access.kind = ScanAccess::Kind::kRange;
            c.access.index = index;
            c.access.keys = Combinations(prefix);
            if (it->second.lower) {
                c.access.lower = it->second.lower->value;
                c.access.lower_inclusive = it->second.lower->inclusive;
            }
            if (it->second.upper) {
                c.access.upper = it->second.upper->value;
                c.access.upper_inclusive = it->second.upper->inclusive;
            }
            c.rows = prefix.empty() ? 250 : 5;
            c.cost = c.rows * penalty;
            if (!best || c.cost < best->cost) best = c;
        }
    }
    return best;
}

void Choose(PlanNode* scan) {
    if (!scan->filter || scan->access.kind != ScanAccess::Kind::kFull) return;
    std::vector<BExpr> conjuncts;
    SplitConjuncts(scan->filter, &conjuncts);
    std::map<uint32_t, ColumnFacts> facts;
    for (const BExpr& c : conjuncts) Learn(c, &facts);
    if (facts.empty()) return;
    const TableSchema& t = *scan->table;
    std::vector<int> pk = t.has_hidden_rowid()
                              ? std::vector<int>{static_cast<int>(t.columns.size())}
                              : t.KeyPositions();
    std::optional<Candidate> best = ForKey(pk, true, -1, facts);
    for (size_t i = 0; i < t.indexes.size(); ++i) {
        auto c = ForKey(t.Positions(t.indexes[i].column_ids), t.indexes[i].unique,
                        static_cast<int>(i), facts);
        if (c && (!best || c->cost < best->cost)) best = c;
    }
    if (best) scan->access = best->access;
}

PlanPtr Visit(PlanPtr n) {
    for (PlanPtr& c : n->children) c = Visit(c);
    RewriteSubqueries(n.get(), Visit);
    if (n->kind == PlanKind::kScan) Choose(n.get());
    return n;
}

}  // namespace

PlanPtr ChooseAccessPaths(PlanPtr plan) { return Visit(std::move(plan)); }

}  // namespace orrery::sql::opt
