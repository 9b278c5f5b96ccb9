// Binding writes: INSERT, UPDATE, DELETE, their RETURNING lists, the conditional-write IF
// clauses (the LWT syntax) and the table's CHECK constraints (binder.h; plan.h documents the
// nodes built here).
//
// Rows the expressions of a write see:
//   - INSERT's VALUES rows see no row at all (like a SELECT without FROM); INSERT ... SELECT is
//     an ordinary query;
//   - UPDATE and DELETE read the table through a Scan (its filter is the WHERE clause), and
//     their assignments, IF conditions and DELETE's RETURNING see the scanned (old) row;
//   - RETURNING of INSERT and UPDATE, and CHECK constraints, see the written (new) row.
// The old and new rows have the same layout: the table's columns in order, then the hidden
// row id for a table without a declared primary key.
#include <fmt/format.h>

#include <set>

#include "core/assert.h"
#include "sql/eval/ops.h"
#include "sql/parser.h"
#include "sql/plan/binder.h"

namespace orrery::sql {
namespace {

constexpr double kScanRows = 1000;
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

bool IsNumeric(DataType t) { return t == DataType::kInteger || t == DataType::kFloat; }

// Whether a value of static type `from` may be assigned to a column of type `to`, following
// AssignValue (eval/ops.h): NULL/unknown into anything, a type into itself, numbers into
// numbers, a STRING into TIMESTAMP or BLOB (parsed when written).
bool Assignable(DataType from, DataType to) {
    if (from == DataType::kNull || from == to) return true;
    if (IsNumeric(from) && IsNumeric(to)) return true;
    return from == DataType::kString && (to == DataType::kTimestamp || to == DataType::kBlob);
}

SqlError NotAssignable(const ColumnSchema& column, DataType from, std::optional<Span> span) {
    std::string message = fmt::format("column \"{}\" is of type {} but expression is of type {}",
                                      column.name, DataTypeName(column.type.type),
                                      DataTypeName(from));
    if (span) return ErrorAt(ErrorKind::kDatatypeMismatch, std::move(message), *span);
    return MakeSqlError(ErrorKind::kDatatypeMismatch, std::move(message));
}

// What DEFAULT stands for in INSERT's VALUES and UPDATE's SET: the column's default (a constant
// of the column's type, schema.h), else NULL; the same value an INSERT gives an unlisted column.
BExpr DefaultOf(const ColumnSchema& column) {
    return MakeConstant(column.default_value.value_or(Value::Null()));
}

// The columns of the table's row (old or new), qualified by `qualifier`.
std::vector<PlanColumn> RowColumns(const TableSchema& t, const std::string& qualifier) {
    std::vector<PlanColumn> cols;
    for (const ColumnSchema& c : t.columns) cols.push_back({c.name, qualifier, c.type.type});
    if (t.has_hidden_rowid()) cols.push_back({"rowid", qualifier, DataType::kInteger, true});
    return cols;
}

// Appends the distinct kColumn positions e reads, in order of first appearance (subqueries
// included only through their outer references, which name other rows: not collected).
void CollectColumns(const BExpr& e, std::vector<int>* out) {
    if (e->kind == BKind::kColumn) {
        int c = static_cast<int>(e->column);
        bool seen = false;
        for (int x : *out) seen = seen || x == c;
        if (!seen) out->push_back(c);
    }
    for (const BExpr& a : e->args) CollectColumns(a, out);
}

}  // namespace

std::string SelectItemName(const SelectItem& item) {
    if (!item.alias.empty()) return item.alias;
    const Expr& e = *item.expr;
    if (e.kind == ExprKind::kColumn) return e.name;
    if (e.kind == ExprKind::kFunction) return e.star ? "count" : e.name;
    if (e.kind == ExprKind::kCast && e.args[0]->kind == ExprKind::kColumn) return e.args[0]->name;
    if (e.kind == ExprKind::kExists) return "exists";
    if (e.kind == ExprKind::kCase) return "case";
    if (e.kind == ExprKind::kScalarSubquery) {
        // PostgreSQL names a scalar subquery after its one output column, which a set
        // operation takes from its leftmost operand: (SELECT max(v) FROM t) is "max",
        // (SELECT a FROM t UNION SELECT 1) is "a", (VALUES (1)) is "column1".
        const Query* q = e.subquery.get();
        while (q != nullptr && !q->first.core) q = q->first.query.get();
        if (q != nullptr && q->first.core->is_values) return "column1";
        if (q != nullptr && !q->first.core->items.empty() && q->first.core->items[0].expr) {
            return SelectItemName(q->first.core->items[0]);
        }
    }
    return "?column?";
}

SqlResult<std::vector<std::pair<std::string, BExpr>>> Binder::BindChecks(
    const TableSchema& table) {
    std::vector<std::pair<std::string, BExpr>> out;
    for (const CheckSchema& check : table.checks) {
        // The catalog keeps the expression as written; it parses as a select item.
        std::string text = "SELECT " + check.sql;
        auto parsed = ParseStatement(text);
        const SelectStatement* select =
            parsed.ok() ? std::get_if<SelectStatement>(&parsed.value().body) : nullptr;
        if (select == nullptr || !select->query->first.core ||
            select->query->first.core->items.size() != 1) {
            return MakeSqlError(ErrorKind::kInternal,
                                fmt::format("check constraint \"{}\" of table \"{}\" is stored "
                                            "as unreadable text: {}",
                                            check.name, table.name, check.sql));
        }
        auto bound = BindOverTable(*select->query->first.core->items[0].expr, table);
        if (!bound.ok()) {
            // Positions would point into the stored text, not the statement: drop them.
            SqlError e = bound.error();
            e.message = fmt::format("check constraint \"{}\": {}", check.name, e.message);
            e.position.reset();
            return e;
        }
        out.emplace_back(check.name, bound.value());
    }
    return out;
}

SqlResult<TablePtr> Binder::WriteTarget(const std::string& name) {
    auto table = catalog_.Lookup(name);
    if (!table.ok()) return table.error();
    if (!table.value()) {
        return MakeSqlError(ErrorKind::kUndefinedTable,
                            fmt::format("relation \"{}\" does not exist", name));
    }
    return table.value();
}

SqlResult<bool> Binder::BindReturning(const std::vector<SelectItem>& items, Scope& row,
                                      PlanNode* node) {
    row.clause = "RETURNING";
    for (const SelectItem& item : items) {
        if (item.expr->kind == ExprKind::kStar) {
            const std::string& qualifier = item.expr->table;
            bool any = false;
            for (size_t i = 0; i < row.columns.size(); ++i) {
                const PlanColumn& c = row.columns[i];
                if (c.hidden || (!qualifier.empty() && c.table != qualifier)) continue;
                any = true;
                node->returning.push_back(MakeColumn(static_cast<uint32_t>(i), c.type,
                                                     c.table + "." + c.name));
                node->columns.push_back(c);
            }
            if (!any) {
                return ErrorAt(ErrorKind::kUndefinedTable,
                               fmt::format("missing FROM-clause entry for table \"{}\"",
                                           qualifier),
                               item.expr->span);
            }
            continue;
        }
        auto e = BindExpr(*item.expr, row);
        if (!e.ok()) return e.error();
        std::string table;
        if (e.value()->kind == BKind::kColumn && item.alias.empty()) {
            table = row.columns[e.value()->column].table;
        }
        node->returning.push_back(e.value());
        node->columns.push_back({SelectItemName(item), table, e.value()->type});
    }
    return true;
}

SqlResult<bool> Binder::BindWriteCondition(const WriteCondition& condition,
                                           const std::vector<SelectItem>& returning,
                                           Scope& row, const TableSchema& table,
                                           PlanNode* node) {
    node->condition_kind = condition.kind;
    if (condition.kind == WriteCondition::Kind::kNone) return true;
    if (!returning.empty()) {
        return ErrorAt(ErrorKind::kFeatureNotSupported,
                       "RETURNING cannot be combined with an IF condition", condition.span);
    }
    row.clause = "IF conditions";
    std::vector<int> named;
    if (condition.kind == WriteCondition::Kind::kNotExists) {
        // Not applied: the row that is in the way is reported whole, as Cassandra does.
        for (size_t i = 0; i < table.columns.size(); ++i) named.push_back(static_cast<int>(i));
    }
    for (const ExprPtr& c : condition.conditions) {
        auto e = BindCondition(*c, row, "IF");
        if (!e.ok()) return e.error();
        node->write_conditions.push_back(e.value());
        CollectColumns(e.value(), &named);
    }
    node->write_condition_columns = named;
    node->columns.push_back({"[applied]", "", DataType::kBoolean});
    for (int c : named) node->columns.push_back(row.columns[static_cast<size_t>(c)]);
    return true;
}

SqlResult<PlanPtr> Binder::BindInsert(const Insert& insert) {
    auto target = WriteTarget(insert.table);
    if (!target.ok()) return target.error();
    const TablePtr& table = target.value();
    const TableSchema& t = *table;

    // Target positions, one per source column.
    std::vector<int> targets;
    if (insert.default_values && !insert.columns.empty()) {
        return MakeSqlError(ErrorKind::kSyntax, "INSERT ... DEFAULT VALUES takes no column list");
    }
    if (insert.columns.empty()) {
        if (!insert.default_values) {
            for (size_t i = 0; i < t.columns.size(); ++i) targets.push_back(static_cast<int>(i));
        }
    } else {
        for (const std::string& name : insert.columns) {
            int pos = t.ColumnIndexByName(name);
            if (pos < 0) {
                return MakeSqlError(ErrorKind::kUndefinedColumn,
                                    fmt::format("column \"{}\" of relation \"{}\" does not exist",
                                                name, t.name));
            }
            for (int p : targets) {
                if (p == pos) {
                    return MakeSqlError(ErrorKind::kDuplicateColumn,
                                        fmt::format("column \"{}\" specified more than once",
                                                    name));
                }
            }
            targets.push_back(pos);
        }
    }
    // Without a column list fewer values than columns fill the leading columns (PostgreSQL's
    // rule); more is an error either way.
    bool explicit_list = !insert.columns.empty();
    auto check_width = [&](size_t width) -> std::optional<SqlError> {
        if (width > targets.size()) {
            return MakeSqlError(ErrorKind::kSyntax,
                                explicit_list ? "INSERT has more expressions than target columns"
                                              : fmt::format("INSERT has more expressions than "
                                                            "table \"{}\" has columns",
                                                            t.name));
        }
        if (width < targets.size() && explicit_list) {
            return MakeSqlError(ErrorKind::kSyntax,
                                "INSERT has more target columns than expressions");
        }
        return std::nullopt;
    };

    PlanPtr source;
    if (insert.default_values) {
        source = Node(PlanKind::kValues, {}, 1);
        source->rows.emplace_back();
    } else if (insert.select) {
        auto q = BindSelect(*insert.select);
        if (!q.ok()) return q;
        source = q.value();
        if (auto err = check_width(source->columns.size())) return *err;
        targets.resize(source->columns.size());
        for (size_t i = 0; i < targets.size(); ++i) {
            const ColumnSchema& col = t.columns[static_cast<size_t>(targets[i])];
            if (!Assignable(source->columns[i].type, col.type.type)) {
                return NotAssignable(col, source->columns[i].type, std::nullopt);
            }
        }
    } else {
        ORRERY_ASSERT(!insert.values.empty(), "INSERT without a source");
        size_t width = insert.values[0].size();
        if (auto err = check_width(width)) return *err;
        targets.resize(width);
        Scope none;
        none.clause = "VALUES";
        source = Node(PlanKind::kValues, {}, static_cast<double>(insert.values.size()));
        std::vector<DataType> types(width, DataType::kNull);
        std::vector<bool> mixed(width, false);
        for (const auto& row : insert.values) {
            if (row.size() != width) {
                return ErrorAt(ErrorKind::kSyntax, "VALUES lists must all be the same length",
                               row.empty() ? Span{} : row[0]->span);
            }
            std::vector<BExpr> bound;
            for (size_t i = 0; i < width; ++i) {
                const ColumnSchema& col = t.columns[static_cast<size_t>(targets[i])];
                auto e = row[i]->kind == ExprKind::kDefault ? DefaultOf(col)
                                                            : BindExpr(*row[i], none);
                if (!e.ok()) return e.error();
                InferParameter(e.value(), col.type.type);
                DataType ty = e.value()->kind == BKind::kParameter
                                  ? parameter_types_[e.value()->parameter - 1]
                                  : e.value()->type;
                if (!Assignable(ty, col.type.type)) return NotAssignable(col, ty, row[i]->span);
                // The Values column's type: the one type its rows share (numbers widen to
                // FLOAT), else unknown.
                if (!mixed[i] && ty != DataType::kNull && ty != types[i]) {
                    if (types[i] == DataType::kNull) {
                        types[i] = ty;
                    } else if (IsNumeric(ty) && IsNumeric(types[i])) {
                        types[i] = DataType::kFloat;
                    } else {
                        types[i] = DataType::kNull;
                        mixed[i] = true;
                    }
                }
                bound.push_back(e.value());
            }
            source->rows.push_back(std::move(bound));
        }
        for (size_t i = 0; i < width; ++i) {
            source->columns.push_back(
                {t.columns[static_cast<size_t>(targets[i])].name, "", types[i]});
        }
    }

    auto node = Node(PlanKind::kInsert, {}, source->estimated_rows, {source});
    node->table = table;
    node->alias = insert.alias.empty() ? t.name : insert.alias;
    node->insert_columns = targets;
    Scope row;
    row.columns = RowColumns(t, node->alias);
    auto cond = BindWriteCondition(insert.condition, insert.returning, row, t, node.get());
    if (!cond.ok()) return cond.error();
    auto ret = BindReturning(insert.returning, row, node.get());
    if (!ret.ok()) return ret.error();
    auto checks = BindChecks(t);
    if (!checks.ok()) return checks.error();
    node->checks = checks.value();
    return node;
}

SqlResult<PlanPtr> Binder::BindUpdate(const Update& update) {
    auto scan = ScanOf(update.table, update.alias, Span{});
    if (!scan.ok()) {
        SqlError e = scan.error();
        e.position.reset();  // The statement carries no span for the table name.
        return e;
    }
    PlanPtr child = scan.value();
    const TableSchema& t = *child->table;
    Scope row;
    row.columns = child->columns;
    if (update.where) {
        row.clause = "WHERE";
        auto where = BindCondition(*update.where, row, "WHERE");
        if (!where.ok()) return where.error();
        child->filter = where.value();
        child->estimated_rows *= kFilterSelectivity;
    }
    auto node = Node(PlanKind::kUpdate, {}, child->estimated_rows, {child});
    node->table = child->table;
    node->alias = child->alias;
    row.clause = "UPDATE";
    for (const Assignment& a : update.assignments) {
        int pos = t.ColumnIndexByName(a.column);
        if (pos < 0) {
            return ErrorAt(ErrorKind::kUndefinedColumn,
                           fmt::format("column \"{}\" of relation \"{}\" does not exist",
                                       a.column, t.name),
                           a.span);
        }
        for (const auto& [p, e] : node->assignments) {
            if (p == pos) {
                return ErrorAt(ErrorKind::kSyntax,
                               fmt::format("multiple assignments to same column \"{}\"",
                                           a.column),
                               a.span);
            }
        }
        const ColumnSchema& col = t.columns[static_cast<size_t>(pos)];
        auto e = a.value->kind == ExprKind::kDefault ? DefaultOf(col) : BindExpr(*a.value, row);
        if (!e.ok()) return e.error();
        InferParameter(e.value(), col.type.type);
        DataType ty = e.value()->kind == BKind::kParameter
                          ? parameter_types_[e.value()->parameter - 1]
                          : e.value()->type;
        if (!Assignable(ty, col.type.type)) return NotAssignable(col, ty, a.value->span);
        node->assignments.emplace_back(pos, e.value());
    }
    auto cond = BindWriteCondition(update.condition, update.returning, row, t, node.get());
    if (!cond.ok()) return cond.error();
    auto ret = BindReturning(update.returning, row, node.get());
    if (!ret.ok()) return ret.error();
    auto checks = BindChecks(t);
    if (!checks.ok()) return checks.error();
    node->checks = checks.value();
    return node;
}

SqlResult<PlanPtr> Binder::BindDelete(const Delete& del) {
    auto scan = ScanOf(del.table, del.alias, Span{});
    if (!scan.ok()) {
        SqlError e = scan.error();
        e.position.reset();
        return e;
    }
    PlanPtr child = scan.value();
    const TableSchema& t = *child->table;
    Scope row;
    row.columns = child->columns;
    if (del.where) {
        row.clause = "WHERE";
        auto where = BindCondition(*del.where, row, "WHERE");
        if (!where.ok()) return where.error();
        child->filter = where.value();
        child->estimated_rows *= kFilterSelectivity;
    }
    auto node = Node(PlanKind::kDelete, {}, child->estimated_rows, {child});
    node->table = child->table;
    node->alias = child->alias;
    auto cond = BindWriteCondition(del.condition, del.returning, row, t, node.get());
    if (!cond.ok()) return cond.error();
    auto ret = BindReturning(del.returning, row, node.get());
    if (!ret.ok()) return ret.error();
    return node;
}

}  // namespace orrery::sql
