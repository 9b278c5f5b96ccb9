// Binding queries: FROM, WHERE, GROUP BY/HAVING, the select list, DISTINCT, set operations,
// ORDER BY and LIMIT (binder.h has the plan shape).
#include "sql/plan/binder.h"

#include <fmt/format.h>

#include <set>

#include "core/assert.h"
#include "sql/eval/functions.h"
#include "sql/eval/ops.h"

namespace orrery::sql {
namespace {

// Heuristic row estimates (docs/11-sql-planner.md).
constexpr double kScanRows = 1000;

PlanPtr Node(PlanKind kind, std::vector<PlanColumn> columns, double rows,
             std::vector<PlanPtr> children = {}) {
    auto n = std::make_shared<PlanNode>();
    n->kind = kind;
    n->columns = std::move(columns);
    n->estimated_rows = rows;
    n->children = std::move(children);
    return n;
}

// The display name of a column reference ("d.city", or "city" for a computed column).
std::string ColumnDisplay(const PlanColumn& c) {
    return c.table.empty() ? c.name : c.table + "." + c.name;
}

// The joined column of USING (c) in a RIGHT or FULL join (SQL:2016 7.10, PostgreSQL): right.c
// for RIGHT, COALESCE(left.c, right.c) for FULL, since the left copy is NULL on a right row
// that found no partner (and, for FULL, the right copy on an unmatched left row). An INNER or
// LEFT join needs none of this: its left copy is never NULL-extended, so it is the joined
// column itself. `pairs` holds the (left, right) positions in the join's row of each USING
// column; the Project puts the joined column just before its left copy, so * keeps the left
// copy's place, and hides both copies from unqualified names (they stay reachable qualified).
SqlResult<PlanPtr> MergeOuterUsingColumns(PlanPtr join,
                                          const std::vector<std::pair<uint32_t, uint32_t>>& pairs) {
    ORRERY_ASSERT(join->join == JoinKind::kRight || join->join == JoinKind::kFull);
    ORRERY_ASSERT(!pairs.empty());
    auto coalesce = LookupScalarFunction("coalesce");
    ORRERY_ASSERT(coalesce.has_value());
    const std::vector<PlanColumn>& in = join->columns;
    auto project = Node(PlanKind::kProject, {}, join->estimated_rows, {join});
    for (uint32_t i = 0; i < in.size(); ++i) {
        PlanColumn copy = in[i];
        for (const auto& [li, ri] : pairs) {
            if (li != i) continue;
            ORRERY_ASSERT(ri < in.size() && in[ri].merged);
            BExpr right = MakeColumn(ri, in[ri].type, ColumnDisplay(in[ri]));
            BExpr joined = right;
            if (join->join == JoinKind::kFull) {
                auto type = ScalarResultType(*coalesce, {in[li].type, in[ri].type});
                if (!type.ok()) return type.error();
                auto call = std::make_shared<BoundExpr>();
                call->kind = BKind::kFunction;
                call->type = type.value();
                call->function = coalesce->function;
                call->name = std::string(coalesce->name);
                call->args = {MakeColumn(li, in[li].type, ColumnDisplay(in[li])), right};
                joined = call;
            }
            project->exprs.push_back(joined);
            project->columns.push_back({in[i].name, "", joined->type});
            copy.merged = true;
        }
        project->exprs.push_back(MakeColumn(i, in[i].type, ColumnDisplay(in[i])));
        project->columns.push_back(copy);
    }
    return project;
}

// The FROM items of one block may not share a name (SQL:2016 7.6, PostgreSQL's 42712): each
// named table or derived table is known by its alias, else by its table name, and two items
// known by the same name would make every qualified reference to it ambiguous. `FROM t, t` and
// `FROM t JOIN t ON ...` therefore need an alias on one side. The walk is left to right, so the
// error points at the second occurrence, as PostgreSQL's does. It uses an explicit stack (no
// recursion); the parser's nesting limit bounds its depth.
SqlResult<bool> CheckDistinctFromNames(const std::vector<TableRefPtr>& from) {
    std::set<std::string> seen;
    std::vector<const TableRef*> stack;
    for (auto it = from.rbegin(); it != from.rend(); ++it) stack.push_back(it->get());
    while (!stack.empty()) {
        const TableRef* ref = stack.back();
        stack.pop_back();
        ORRERY_ASSERT(ref != nullptr, "a FROM item is null");
        if (ref->kind == TableRef::Kind::kJoin) {
            stack.push_back(ref->right.get());  // Popped after the left: left-to-right order.
            stack.push_back(ref->left.get());
            continue;
        }
        const std::string& name = ref->alias.empty() ? ref->name : ref->alias;
        if (!seen.insert(name).second) {
            return ErrorAt(ErrorKind::kDuplicateAlias,
                           fmt::format("table name \"{}\" specified more than once", name),
                           ref->span);
        }
    }
    return true;
}

}  // namespace

Binder::Binder(Catalog& catalog, uint32_t parameter_count)
    : catalog_(catalog), parameter_types_(parameter_count, DataType::kNull) {}

SqlResult<BExpr> Binder::BindConstant(const Expr& expr) {
    Scope empty;
    empty.clause = "this context";
    return BindExpr(expr, empty);
}

SqlResult<BExpr> Binder::BindOverTable(const Expr& expr, const TableSchema& table) {
    Scope scope;
    scope.clause = "check constraints";
    for (const ColumnSchema& c : table.columns) scope.columns.push_back({c.name, table.name, c.type.type});
    return BindCondition(expr, scope, "CHECK");
}

SqlResult<PlanPtr> Binder::BindSelect(const Query& query) {
    bool correlated = false;
    return BindQuery(query, nullptr, &correlated);
}

SqlResult<PlanPtr> Binder::BindQuery(const Query& query, Scope* outer, bool* correlated) {
    if (query.rest.empty()) {
        // A single block: ORDER BY may use the block's expressions.
        if (query.first.core) return BindCore(*query.first.core, &query, outer, correlated);
        auto inner = BindQuery(*query.first.query, outer, correlated);
        if (!inner.ok()) return inner;
        return BindOrderLimit(query, inner.value(), inner.value()->columns.size(), nullptr);
    }
    auto left = BindOperand(query.first, outer, correlated);
    if (!left.ok()) return left;
    PlanPtr plan = left.value();
    for (const auto& [op, operand] : query.rest) {
        auto right = BindOperand(operand, outer, correlated);
        if (!right.ok()) return right;
        const PlanPtr& r = right.value();
        if (r->columns.size() != plan->columns.size()) {
            return ErrorAt(ErrorKind::kSyntax,
                           "each UNION/INTERSECT/EXCEPT query must have the same number of columns",
                           query.span);
        }
        std::vector<PlanColumn> cols = plan->columns;
        for (size_t i = 0; i < cols.size(); ++i) {
            DataType a = cols[i].type;
            DataType b = r->columns[i].type;
            if (!Comparable(a, b)) {
                return ErrorAt(ErrorKind::kDatatypeMismatch,
                               fmt::format("set operation types {} and {} cannot be matched",
                                           DataTypeName(a), DataTypeName(b)),
                               query.span);
            }
            cols[i].table = "";
            if (a == DataType::kNull) cols[i].type = b;
            if (a != b && a != DataType::kNull && b != DataType::kNull) cols[i].type = DataType::kFloat;
        }
        double rows = plan->estimated_rows + r->estimated_rows;
        auto node = Node(PlanKind::kSetOp, cols, rows, {plan, r});
        node->set_op = op;
        plan = node;
    }
    return BindOrderLimit(query, plan, plan->columns.size(), nullptr);
}

SqlResult<PlanPtr> Binder::BindOperand(const Query::Operand& operand, Scope* outer,
                                       bool* correlated) {
    if (operand.core) return BindCore(*operand.core, nullptr, outer, correlated);
    return BindQuery(*operand.query, outer, correlated);
}

SqlResult<PlanPtr> Binder::ScanOf(const std::string& name, const std::string& alias, Span span) {
    auto table = catalog_.Lookup(name);
    if (!table.ok()) return table.error();
    if (!table.value()) {
        return ErrorAt(ErrorKind::kUndefinedTable,
                       fmt::format("relation \"{}\" does not exist", name), span);
    }
    const TableSchema& t = *table.value();
    std::string qualifier = alias.empty() ? name : alias;
    std::vector<PlanColumn> cols;
    for (const ColumnSchema& c : t.columns) cols.push_back({c.name, qualifier, c.type.type});
    if (t.has_hidden_rowid()) cols.push_back({"rowid", qualifier, DataType::kInteger, true});
    auto n = Node(PlanKind::kScan, cols, kScanRows);
    n->table = table.value();
    n->alias = qualifier;
    return n;
}

SqlResult<PlanPtr> Binder::BindTableRef(const TableRef& ref, Scope* outer, bool* correlated) {
    switch (ref.kind) {
        case TableRef::Kind::kTable: return ScanOf(ref.name, ref.alias, ref.span);
        case TableRef::Kind::kSubquery: {
            // A derived table cannot see its siblings (no LATERAL), only the enclosing blocks.
            auto plan = BindQuery(*ref.subquery, outer, correlated);
            if (!plan.ok()) return plan;
            PlanPtr p = ClonePlan(*plan.value());
            for (PlanColumn& c : p->columns) c.table = ref.alias;
            return p;
        }
        case TableRef::Kind::kJoin: return BindJoin(ref, outer, correlated);
    }
    return ErrorAt(ErrorKind::kInternal, "unknown table reference", ref.span);
}

SqlResult<PlanPtr> Binder::BindJoin(const TableRef& ref, Scope* outer, bool* correlated) {
    auto left = BindTableRef(*ref.left, outer, correlated);
    if (!left.ok()) return left;
    auto right = BindTableRef(*ref.right, outer, correlated);
    if (!right.ok()) return right;
    PlanPtr l = left.value();
    PlanPtr r = right.value();
    std::vector<PlanColumn> cols = l->columns;
    cols.insert(cols.end(), r->columns.begin(), r->columns.end());
    size_t width = l->columns.size();
    JoinKind kind = JoinKind::kInner;
    switch (ref.join_type) {
        case JoinType::kCross:
        case JoinType::kInner: kind = JoinKind::kInner; break;
        case JoinType::kLeft: kind = JoinKind::kLeft; break;
        case JoinType::kRight: kind = JoinKind::kRight; break;
        case JoinType::kFull: kind = JoinKind::kFull; break;
    }
    std::vector<std::string> using_cols = ref.using_columns;
    if (ref.natural) {
        for (const PlanColumn& a : l->columns) {
            for (const PlanColumn& b : r->columns) {
                if (!a.hidden && !b.hidden && !a.merged && a.name == b.name) {
                    using_cols.push_back(a.name);
                }
            }
        }
    }
    BExpr condition;
    std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (left, right) of each USING column.
    for (const std::string& name : using_cols) {
        int li = -1;
        int ri = -1;
        for (size_t i = 0; i < cols.size(); ++i) {
            if (cols[i].name != name || cols[i].merged || cols[i].hidden) continue;
            int& slot = i < width ? li : ri;
            if (slot >= 0) {
                return ErrorAt(ErrorKind::kAmbiguousColumn,
                               fmt::format("common column name \"{}\" appears more than once",
                                           name),
                               ref.span);
            }
            slot = static_cast<int>(i);
        }
        if (li < 0 || ri < 0) {
            return ErrorAt(ErrorKind::kUndefinedColumn,
                           fmt::format("column \"{}\" specified in USING clause does not exist "
                                       "in {} table", name, li < 0 ? "left" : "right"),
                           ref.span);
        }
        const PlanColumn& a = cols[static_cast<size_t>(li)];
        const PlanColumn& b = cols[static_cast<size_t>(ri)];
        if (!Comparable(a.type, b.type)) {
            return ErrorAt(ErrorKind::kDatatypeMismatch,
                           fmt::format("JOIN/USING types {} and {} cannot be matched",
                                       DataTypeName(a.type), DataTypeName(b.type)),
                           ref.span);
        }
        BExpr eq = MakeBinary(BinaryOp::kEq,
                              MakeColumn(static_cast<uint32_t>(li), a.type, ColumnDisplay(a)),
                              MakeColumn(static_cast<uint32_t>(ri), b.type, ColumnDisplay(b)),
                              DataType::kBoolean);
        condition = MakeAnd(condition, eq);
        cols[static_cast<size_t>(ri)].merged = true;
        pairs.emplace_back(static_cast<uint32_t>(li), static_cast<uint32_t>(ri));
    }
    double rows = std::max(l->estimated_rows, r->estimated_rows);
    if (!condition && !ref.on) rows = l->estimated_rows * r->estimated_rows;
    auto node = Node(PlanKind::kJoin, cols, rows, {l, r});
    node->join = kind;
    if (ref.on) {
        Scope scope;
        scope.columns = cols;
        scope.outer = outer;
        scope.correlated = correlated;
        scope.clause = "JOIN conditions";
        auto on = BindCondition(*ref.on, scope, "JOIN/ON");
        if (!on.ok()) return on.error();
        condition = MakeAnd(condition, on.value());
    }
    node->condition = condition;
    if ((kind == JoinKind::kRight || kind == JoinKind::kFull) && !pairs.empty()) {
        return MergeOuterUsingColumns(node, pairs);
    }
    return node;
}

SqlResult<PlanPtr> Binder::BindFrom(const SelectCore& core, Scope* outer, bool* correlated) {
    if (core.from.empty()) {
        auto n = Node(PlanKind::kValues, {}, 1);
        n->rows.emplace_back();
        return n;
    }
    auto distinct = CheckDistinctFromNames(core.from);
    if (!distinct.ok()) return distinct.error();
    PlanPtr plan;
    for (const TableRefPtr& ref : core.from) {
        auto item = BindTableRef(*ref, outer, correlated);
        if (!item.ok()) return item;
        if (!plan) {
            plan = item.value();
            continue;
        }
        std::vector<PlanColumn> cols = plan->columns;
        cols.insert(cols.end(), item.value()->columns.begin(), item.value()->columns.end());
        double rows = plan->estimated_rows * item.value()->estimated_rows;
        auto join = Node(PlanKind::kJoin, cols, rows, {plan, item.value()});
        join->join = JoinKind::kInner;
        plan = join;
    }
    return plan;
}

SqlResult<PlanPtr> Binder::BindValues(const SelectCore& core, Scope* outer, bool* correlated) {
    Scope scope;
    scope.outer = outer;
    scope.correlated = correlated;
    scope.clause = "VALUES";
    auto n = Node(PlanKind::kValues, {}, static_cast<double>(core.values.size()));
    size_t width = core.values.empty() ? 0 : core.values[0].size();
    std::vector<DataType> types(width, DataType::kNull);
    for (const auto& row : core.values) {
        if (row.size() != width) {
            return ErrorAt(ErrorKind::kSyntax, "VALUES lists must all be the same length",
                           core.span);
        }
        std::vector<BExpr> bound;
        for (size_t i = 0; i < row.size(); ++i) {
            auto e = BindExpr(*row[i], scope);
            if (!e.ok()) return e.error();
            DataType t = e.value()->type;
            if (types[i] == DataType::kNull) {
                types[i] = t;
            } else if (t != DataType::kNull && t != types[i]) {
                bool numbers = (t == DataType::kInteger || t == DataType::kFloat) &&
                               (types[i] == DataType::kInteger || types[i] == DataType::kFloat);
                if (!numbers) {
                    return ErrorAt(ErrorKind::kDatatypeMismatch,
                                   fmt::format("VALUES types {} and {} cannot be matched",
                                               DataTypeName(types[i]), DataTypeName(t)),
                                   row[i]->span);
                }
                types[i] = DataType::kFloat;
            }
            bound.push_back(e.value());
        }
        n->rows.push_back(std::move(bound));
    }
    for (size_t i = 0; i < width; ++i) {
        n->columns.push_back({fmt::format("column{}", i + 1), "", types[i]});
    }
    return n;
}

}  // namespace orrery::sql
