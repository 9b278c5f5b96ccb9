// Binding one SELECT block: select list, grouping, ORDER BY and LIMIT (binder.h).
#include <fmt/format.h>

#include "core/assert.h"
#include "sql/plan/binder.h"

namespace orrery::sql {
namespace {

constexpr double kFilterSelectivity = 1.0 / 3;

PlanPtr Node(PlanKind kind, std::vector<PlanColumn> columns, double rows,
             std::vector<PlanPtr> children = {}) {
    auto n = std::make_shared<PlanNode>();
    n->kind = kind;
    n->columns = std::move(columns);
    n->estimated_rows = rows;
    n->children = std::move(children);
    return n;
}

bool IsGrouped(const SelectCore& core) {
    if (!core.group_by.empty() || core.having) return true;
    for (const SelectItem& item : core.items) {
        if (item.expr->kind != ExprKind::kStar && ContainsAggregate(*item.expr)) return true;
    }
    return false;
}

// The select list being built: expressions, output columns, and fingerprints for ORDER BY.
struct Projection {
    std::vector<BExpr> exprs;
    std::vector<PlanColumn> columns;
    std::vector<std::string> fingerprints;
    size_t visible = 0;
};

void AddOutput(Projection* p, BExpr e, PlanColumn column) {
    p->fingerprints.push_back(ExprFingerprint(e));
    p->exprs.push_back(std::move(e));
    p->columns.push_back(std::move(column));
}

}  // namespace

// Expands * and t.* into column references, bound like written names (so grouping rules apply).
static SqlResult<bool> ExpandStar(Binder& binder, const Expr& star, Scope& scope, Scope& from,
                                  Projection* out) {
    bool any = false;
    for (const PlanColumn& c : from.columns) {
        if (c.hidden) continue;
        if (star.table.empty() ? c.merged : c.table != star.table) continue;
        any = true;
        Expr col;
        col.kind = ExprKind::kColumn;
        col.span = star.span;
        col.table = c.table;
        col.name = c.name;
        // A merged (USING) column is reachable only qualified; its left twin is not merged.
        auto e = binder.BindExpr(col, scope);
        if (!e.ok()) return e.error();
        AddOutput(out, e.value(), {c.name, c.table, c.type});
    }
    if (!any && !star.table.empty()) {
        return ErrorAt(ErrorKind::kUndefinedTable,
                       fmt::format("missing FROM-clause entry for table \"{}\"", star.table),
                       star.span);
    }
    if (!any) return ErrorAt(ErrorKind::kSyntax, "SELECT * with no tables specified", star.span);
    return true;
}

SqlResult<PlanPtr> Binder::BindCore(const SelectCore& core, const Query* query, Scope* outer,
                                    bool* correlated) {
    if (core.is_values) {
        auto values = BindValues(core, outer, correlated);
        if (!values.ok() || query == nullptr) return values;
        return BindOrderLimit(*query, values.value(), values.value()->columns.size(), nullptr);
    }
    auto from = BindFrom(core, outer, correlated);
    if (!from.ok()) return from;
    PlanPtr plan = from.value();
    Scope from_scope;
    from_scope.columns = plan->columns;
    from_scope.outer = outer;
    from_scope.correlated = correlated;
    if (core.where) {
        from_scope.clause = "WHERE";
        auto where = BindCondition(*core.where, from_scope, "WHERE");
        if (!where.ok()) return where.error();
        auto f = Node(PlanKind::kFilter, plan->columns, plan->estimated_rows * kFilterSelectivity,
                      {plan});
        f->predicate = where.value();
        plan = f;
    }
    bool grouped = IsGrouped(core);
    AggContext agg;
    agg.from_scope = &from_scope;
    for (const ExprPtr& g : core.group_by) {
        from_scope.clause = "GROUP BY";
        const Expr* key = g.get();
        if (g->kind == ExprKind::kLiteral && g->literal.kind == Literal::Kind::kInteger) {
            int64_t k = g->literal.integer;
            if (k < 1 || k > static_cast<int64_t>(core.items.size()) ||
                core.items[static_cast<size_t>(k - 1)].expr->kind == ExprKind::kStar) {
                return ErrorAt(ErrorKind::kInvalidColumnReference,
                               fmt::format("GROUP BY position {} is not in select list", k),
                               g->span);
            }
            key = core.items[static_cast<size_t>(k - 1)].expr.get();
        }
        auto e = BindExpr(*key, from_scope);
        // As in PostgreSQL, a bare name that is no input column may name an output column
        // (GROUP BY i for `item AS i`); an input column of that name wins.
        if (!e.ok() && e.error().kind == ErrorKind::kUndefinedColumn &&
            key->kind == ExprKind::kColumn && key->table.empty()) {
            const Expr* named = nullptr;
            for (const SelectItem& item : core.items) {
                if (item.alias == key->name) {
                    if (named != nullptr) {
                        return ErrorAt(ErrorKind::kAmbiguousColumn,
                                       fmt::format("GROUP BY \"{}\" is ambiguous", key->name),
                                       g->span);
                    }
                    named = item.expr.get();
                }
            }
            if (named != nullptr) e = BindExpr(*named, from_scope);
        }
        if (!e.ok()) return e.error();
        agg.group_keys.push_back(e.value());
        agg.group_fingerprints.push_back(ExprFingerprint(e.value()));
        const BExpr& b = e.value();
        PlanColumn col{ExprString(b), "", b->type};
        if (b->kind == BKind::kColumn) col = plan->columns[b->column];
        agg.group_columns.push_back(col);
    }
    Scope post = from_scope;
    if (grouped) post.agg = &agg;
    Scope& items_scope = grouped ? post : from_scope;
    items_scope.clause = "SELECT";
    Projection proj;
    for (const SelectItem& item : core.items) {
        if (item.expr->kind == ExprKind::kStar) {
            auto ok = ExpandStar(*this, *item.expr, items_scope, from_scope, &proj);
            if (!ok.ok()) return ok.error();
            continue;
        }
        auto e = BindExpr(*item.expr, items_scope);
        if (!e.ok()) return e.error();
        std::string table;
        if (e.value()->kind == BKind::kColumn && item.alias.empty() &&
            item.expr->kind == ExprKind::kColumn) {
            table = (grouped ? agg.group_columns : plan->columns)[e.value()->column].table;
        }
        AddOutput(&proj, e.value(), {SelectItemName(item), table, e.value()->type});
    }
    proj.visible = proj.exprs.size();
    BExpr having;
    if (core.having) {
        post.clause = "HAVING";
        auto h = BindCondition(*core.having, grouped ? post : from_scope, "HAVING");
        if (!h.ok()) return h.error();
        having = h.value();
    }
    // ORDER BY of a single block: output columns, or expressions over the block.
    std::vector<SortKey> keys;
    if (query != nullptr) {
        for (const OrderItem& o : query->order_by) {
            SortKey key;
            key.descending = o.descending;
            key.nulls_first = o.nulls_first.value_or(!o.descending);
            int found = -1;
            const Expr& e = *o.expr;
            if (e.kind == ExprKind::kLiteral && e.literal.kind == Literal::Kind::kInteger) {
                if (e.literal.integer < 1 ||
                    e.literal.integer > static_cast<int64_t>(proj.visible)) {
                    return ErrorAt(ErrorKind::kInvalidColumnReference,
                                   fmt::format("ORDER BY position {} is not in select list",
                                               e.literal.integer),
                                   e.span);
                }
                found = static_cast<int>(e.literal.integer - 1);
            } else if (e.kind == ExprKind::kColumn && e.table.empty()) {
                for (size_t i = 0; i < proj.visible; ++i) {
                    if (proj.columns[i].name != e.name) continue;
                    if (found >= 0 && proj.fingerprints[i] != proj.fingerprints[static_cast<size_t>(found)]) {
                        return ErrorAt(ErrorKind::kAmbiguousColumn,
                                       fmt::format("ORDER BY \"{}\" is ambiguous", e.name),
                                       e.span);
                    }
                    if (found < 0) found = static_cast<int>(i);
                }
            }
            if (found < 0) {
                items_scope.clause = "ORDER BY";
                auto b = BindExpr(e, items_scope);
                if (!b.ok()) return b.error();
                std::string fp = ExprFingerprint(b.value());
                for (size_t i = 0; i < proj.exprs.size() && found < 0; ++i) {
                    if (proj.fingerprints[i] == fp) found = static_cast<int>(i);
                }
                if (found < 0) {
                    if (core.distinct) {
                        return ErrorAt(ErrorKind::kInvalidColumnReference,
                                       "for SELECT DISTINCT, ORDER BY expressions must appear in "
                                       "select list",
                                       e.span);
                    }
                    found = static_cast<int>(proj.exprs.size());
                    AddOutput(&proj, b.value(), {ExprString(b.value()), "", b.value()->type});
                }
            }
            const PlanColumn& c = proj.columns[static_cast<size_t>(found)];
            key.expr = MakeColumn(static_cast<uint32_t>(found), c.type, c.name);
            keys.push_back(key);
        }
    }
    // Assemble: Aggregate, HAVING, Project, DISTINCT, Sort, Limit, trim.
    if (grouped) {
        std::vector<PlanColumn> cols = agg.group_columns;
        for (const AggregateCall& c : agg.calls) cols.push_back({c.display, "", c.type});
        double rows = agg.group_keys.empty() ? 1 : std::max(1.0, plan->estimated_rows / 10);
        auto a = Node(PlanKind::kAggregate, cols, rows, {plan});
        a->group_by = agg.group_keys;
        a->aggregates = agg.calls;
        plan = a;
        if (having) {
            auto f = Node(PlanKind::kFilter, plan->columns,
                          plan->estimated_rows * kFilterSelectivity, {plan});
            f->predicate = having;
            plan = f;
        }
    }
    auto project = Node(PlanKind::kProject, proj.columns, plan->estimated_rows, {plan});
    project->exprs = proj.exprs;
    plan = project;
    if (core.distinct) plan = Node(PlanKind::kDistinct, plan->columns, plan->estimated_rows, {plan});
    if (!keys.empty()) {
        auto s = Node(PlanKind::kSort, plan->columns, plan->estimated_rows, {plan});
        s->sort_keys = keys;
        plan = s;
    }
    if (query == nullptr) return plan;
    return BindOrderLimit(*query, plan, proj.visible, &post);
}

SqlResult<PlanPtr> Binder::BindOrderLimit(const Query& query, PlanPtr plan, size_t visible,
                                          Scope* order_scope) {
    // order_scope set: BindCore already sorted; only LIMIT/OFFSET and the trim remain.
    if (order_scope == nullptr && !query.order_by.empty()) {
        std::vector<SortKey> keys;
        for (const OrderItem& o : query.order_by) {
            const Expr& e = *o.expr;
            int found = -1;
            if (e.kind == ExprKind::kLiteral && e.literal.kind == Literal::Kind::kInteger &&
                e.literal.integer >= 1 && e.literal.integer <= static_cast<int64_t>(visible)) {
                found = static_cast<int>(e.literal.integer - 1);
            } else if (e.kind == ExprKind::kColumn && e.table.empty()) {
                for (size_t i = 0; i < visible && found < 0; ++i) {
                    if (plan->columns[i].name == e.name) found = static_cast<int>(i);
                }
            }
            if (found < 0) {
                return ErrorAt(ErrorKind::kInvalidColumnReference,
                               "ORDER BY on a UNION/INTERSECT/EXCEPT result must be an output "
                               "column name or position",
                               e.span);
            }
            SortKey key;
            key.descending = o.descending;
            key.nulls_first = o.nulls_first.value_or(!o.descending);
            const PlanColumn& c = plan->columns[static_cast<size_t>(found)];
            key.expr = MakeColumn(static_cast<uint32_t>(found), c.type, c.name);
            keys.push_back(key);
        }
        auto s = Node(PlanKind::kSort, plan->columns, plan->estimated_rows, {plan});
        s->sort_keys = keys;
        plan = s;
    }
    if (query.limit || query.offset) {
        auto l = Node(PlanKind::kLimit, plan->columns, plan->estimated_rows, {plan});
        for (const auto& [src, dst] : {std::pair{&query.limit, &l->limit},
                                       std::pair{&query.offset, &l->offset}}) {
            if (!*src) continue;
            auto e = BindConstant(**src);
            if (!e.ok()) return e.error();
            if (e.value()->kind == BKind::kParameter) {
                InferParameter(e.value(), DataType::kInteger);
            } else if (e.value()->type != DataType::kInteger && e.value()->type != DataType::kNull) {
                return ErrorAt(ErrorKind::kDatatypeMismatch,
                               fmt::format("argument of LIMIT/OFFSET must be type INTEGER, not "
                                           "type {}", DataTypeName(e.value()->type)),
                               (*src)->span);
            }
            *dst = e.value();
        }
        if (l->limit && l->limit->kind == BKind::kConstant && !l->limit->constant.is_null()) {
            l->estimated_rows = std::min(l->estimated_rows,
                                         static_cast<double>(l->limit->constant.integer()));
        }
        plan = l;
    }
    if (plan->columns.size() > visible) {
        std::vector<PlanColumn> cols(plan->columns.begin(),
                                     plan->columns.begin() + static_cast<long>(visible));
        auto trim = Node(PlanKind::kProject, cols, plan->estimated_rows, {plan});
        for (size_t i = 0; i < visible; ++i) {
            trim->exprs.push_back(MakeColumn(static_cast<uint32_t>(i), cols[i].type, cols[i].name));
        }
        plan = trim;
    }
    return plan;
}

}  // namespace orrery::sql
