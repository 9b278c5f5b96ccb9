// SELECT onto SQL, its result rows, and PREPARE's metadata (cql_dml.h).
//
// Row order: Cassandra returns partitions in token order and rows in clustering order. Here
// partitions come in primary-key order (the SQL table's key), and rows within a partition in
// the table's clustering order (ASC/DESC per column) or its reverse when ORDER BY asks, as
// Cassandra does. Restrictions Cassandra would refuse without ALLOW FILTERING (a regular column,
// no partition key) are answered anyway: a correct answer to a query Cassandra refuses.
#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_dml.h"

namespace orrery::node::cql {
namespace {

std::string OrderBySql(const TableSchema& t, const Statement& s, orrery::Status* error) {
    std::vector<const ColumnInfo*> clustering;
    std::string out;
    for (const ColumnInfo& c : t.columns) {
        if (c.kind == ColumnInfo::Kind::kPartitionKey) {
            out += (out.empty() ? "" : ", ") + Quote(c.name);
        } else if (c.kind == ColumnInfo::Kind::kClustering) {
            clustering.push_back(&c);
        }
    }
    if (s.distinct) return out;
    bool reversed = false;
    for (size_t i = 0; i < s.order_by.size(); ++i) {
        const auto& [name, desc] = s.order_by[i];
        if (i >= clustering.size() || clustering[i]->name != name) {
            *error = Status::InvalidArgument(fmt::format(
                "Order by is currently only supported on the clustered columns of the PRIMARY KEY, "
                "in their order (got {})", name));
            return "";
        }
        const bool flips = desc != clustering[i]->descending;
        if (i == 0) reversed = flips;
        if (flips != reversed) {
            *error = Status::InvalidArgument("Unsupported order by relation");
            return "";
        }
    }
    for (const ColumnInfo* c : clustering) {
        out += ", " + Quote(c->name) + ((c->descending != reversed) ? " DESC" : "");
    }
    return out;
}

}  // namespace

orrery::Result<std::vector<ColumnSpec>> SelectColumns(const TableSchema& t, const Statement& s) {
    std::vector<ColumnSpec> out;
    if (s.select_star) {
        for (const ColumnInfo& c : t.columns) {
            if (!s.distinct || c.kind == ColumnInfo::Kind::kPartitionKey) {
                out.push_back(ColumnSpec{t.keyspace, t.table, c.name, c.type});
            }
        }
        return out;
    }
    bool count = false;
    size_t partition_columns = 0;
    for (const Selector& sel : s.selectors) {
        if (sel.count) {
            count = true;
            out.push_back(ColumnSpec{t.keyspace, t.table, sel.alias.empty() ? "count" : sel.alias,
                                     Type::Native(TypeId::kBigint)});
            continue;
        }
        const ColumnInfo* c = t.Find(sel.column);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + sel.column);
        if (s.distinct && c->kind != ColumnInfo::Kind::kPartitionKey) {
            return Status::InvalidArgument(fmt::format(
                "SELECT DISTINCT queries must only request partition key columns and/or static "
                "columns (not {})", c->name));
        }
        partition_columns += c->kind == ColumnInfo::Kind::kPartitionKey ? 1 : 0;
        out.push_back(ColumnSpec{t.keyspace, t.table, sel.alias.empty() ? c->name : sel.alias, c->type});
    }
    if (count && out.size() != 1) {
        return Status::InvalidArgument("COUNT(*) together with columns is not supported");
    }
    if (s.distinct && partition_columns < t.partition_key_size()) {
        return Status::InvalidArgument("SELECT DISTINCT queries must request all the partition key columns");
    }
    return out;
}

orrery::Result<SelectPlan> PlanSelect(const TableSchema& t, const Statement& s, const Binder& b) {
    orrery::Result<std::vector<ColumnSpec>> columns = SelectColumns(t, s);
    if (!columns.ok()) return columns.status();
    SelectPlan plan;
    plan.columns = columns.value();
    const bool count = !s.select_star && s.selectors.size() == 1 && s.selectors[0].count;
    std::string text = s.distinct ? "SELECT DISTINCT " : "SELECT ";
    if (count) {
        text += "count(*)";
    } else {
        std::vector<std::string> names;
        if (s.select_star) {
            for (const ColumnSpec& c : plan.columns) names.push_back(c.name);
        } else {
            for (const Selector& sel : s.selectors) names.push_back(sel.column);
        }
        for (size_t i = 0; i < names.size(); ++i) text += (i ? ", " : "") + Quote(names[i]);
    }
    text += " FROM " + SqlName(t.keyspace, t.table);
    std::vector<sql::Value> params;
    if (!s.where.empty()) {
        orrery::Result<std::string> where = WhereSqlFor(t, s.where, b, params);
        if (!where.ok()) return where.status();
        text += " WHERE " + where.value();
    }
    if (!count) {
        Status order_error;
        const std::string order = OrderBySql(t, s, &order_error);
        if (!order_error.ok()) return order_error;
        text += " ORDER BY " + order;
    }
    if (s.limit) {
        orrery::Result<std::optional<sql::Value>> n = b.Bind(*s.limit, Type::Native(TypeId::kInt), "[limit]");
        if (!n.ok()) return n.status();
        if (!n.value() || n.value()->is_null() || n.value()->integer() <= 0) {
            return Status::InvalidArgument("LIMIT must be strictly positive");
        }
        text += " LIMIT ?";
        params.push_back(*n.value());
    }
    plan.step = SqlStep{std::move(text), std::move(params), nullptr};
    return plan;
}

Outcome RowsResult(const std::vector<ColumnSpec>& columns, const sql::StatementResult& r) {
    Result out;
    out.kind = Result::Kind::kRows;
    out.columns = columns;
    for (const sql::Row& row : r.rows) {
        ORRERY_ASSERT(row.size() == columns.size(), "a row of {} values for {} columns", row.size(),
                      columns.size());
        std::vector<Cell> cells;
        for (size_t i = 0; i < row.size(); ++i) {
            orrery::Result<Cell> cell = Encode(columns[i].type, row[i]);
            if (!cell.ok()) return Outcome::Fail(error_code::kServer, cell.status().message());
            cells.push_back(std::move(cell).value());
        }
        out.rows.push_back(std::move(cells));
    }
    return Outcome::Ok(std::move(out));
}

namespace {

struct MarkerWalk {
    const std::string& keyspace;
    const std::string& table;
    const std::vector<ColumnSpec>& columns;
    const std::vector<std::string>& marker_names;  // A :name marker is named by its name.
    std::vector<std::optional<ColumnSpec>> specs;

    const ColumnSpec* Column(const std::string& name) const {
        for (const ColumnSpec& c : columns) {
            if (c.name == name) return &c;
        }
        return nullptr;
    }
    void Mark(const Term& term, const Type& type, const std::string& name, int depth) {
        if (depth > kMaxTermDepth) return;
        if (term.kind == Term::Kind::kMarker) {
            const std::string& given = marker_names[static_cast<size_t>(term.marker)];
            specs[static_cast<size_t>(term.marker)] =
                ColumnSpec{keyspace, table, given.empty() ? name : given, type};
            return;
        }
        if (!IsCollection(type)) return;
        for (size_t i = 0; i < term.items.size(); ++i) {
            const bool is_map = type.id == TypeId::kMap;
            const Type& et = type.params[is_map ? i % 2 : 0];
            Mark(term.items[i], et, is_map ? (i % 2 ? "value(" : "key(") + name + ")" : name, depth + 1);
        }
    }
    Status Relations(const std::vector<Relation>& rels) {
        for (const Relation& rel : rels) {
            const ColumnSpec* c = Column(rel.column);
            if (c == nullptr) return Status::InvalidArgument("Undefined column name " + rel.column);
            if (rel.op == "IN" && rel.terms.size() == 1 && rel.terms[0].kind == Term::Kind::kMarker) {
                Mark(rel.terms[0], Type::List(c->type), "in(" + rel.column + ")", 0);
                continue;
            }
            for (const Term& t : rel.terms) Mark(t, c->type, rel.column, 0);
        }
        return Status::Ok();
    }
};

// The marker bound to `column` by `=` (or an INSERT value), or -1.
int KeyMarker(const Statement& s, const std::string& column) {
    for (size_t i = 0; i < s.insert_columns.size(); ++i) {
        if (s.insert_columns[i] == column && s.insert_values[i].kind == Term::Kind::kMarker) {
            return s.insert_values[i].marker;
        }
    }
    for (const Relation& r : s.where) {
        if (r.column == column && r.op == "=" && r.terms[0].kind == Term::Kind::kMarker) {
            return r.terms[0].marker;
        }
    }
    return -1;
}

}  // namespace

orrery::Result<Prepared> PrepareMetadata(const Statement& s, const std::string& keyspace,
                                         const std::string& table,
                                         const std::vector<ColumnSpec>& columns,
                                         const std::vector<std::string>& partition_key) {
    MarkerWalk walk{keyspace, table, columns, s.marker_names, {}};
    walk.specs.resize(static_cast<size_t>(s.marker_count));
    for (size_t i = 0; i < s.insert_columns.size(); ++i) {
        const ColumnSpec* c = walk.Column(s.insert_columns[i]);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + s.insert_columns[i]);
        walk.Mark(s.insert_values[i], c->type, c->name, 0);
    }
    for (const auto& [name, term] : s.assignments) {
        const ColumnSpec* c = walk.Column(name);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + name);
        walk.Mark(term, c->type, c->name, 0);
    }
    Status st = walk.Relations(s.where);
    if (st.ok()) st = walk.Relations(s.conditions);
    if (!st.ok()) return st;
    if (s.limit) walk.Mark(*s.limit, Type::Native(TypeId::kInt), "[limit]", 0);
    Prepared p;
    for (size_t i = 0; i < walk.specs.size(); ++i) {
        if (!walk.specs[i]) {
            return Status::InvalidArgument(fmt::format("bind marker {} is in a position that cannot be prepared", i));
        }
        p.markers.push_back(*walk.specs[i]);
    }
    for (const std::string& pk : partition_key) {
        const int m = KeyMarker(s, pk);
        if (m < 0) {
            p.partition_key_indexes.clear();
            break;
        }
        p.partition_key_indexes.push_back(static_cast<uint16_t>(m));
    }
    return p;
}

}  // namespace orrery::node::cql
