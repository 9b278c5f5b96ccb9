// CQL data statements onto SQL (cql_translate.h, "Design"): INSERT, UPDATE and DELETE as
// write plans (the SQL steps of one statement, run alone or inside a BATCH's transaction), and
// SELECT. Every value travels as a SQL parameter; names are always quoted.
#include <fmt/format.h>

#include <map>
#include <set>

#include "core/assert.h"
#include "node/cql_bind.h"
#include "node/cql_dml.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {
namespace {

// One `col = value` of a write.
struct Assignment {
    const ColumnInfo* column;
    sql::Value value;
};

// The primary key of a write's WHERE: every key column with `=`, nothing else.
orrery::Result<std::vector<Assignment>> KeyOf(const TableSchema& t, const std::vector<Relation>& rels,
                                              const Binder& b) {
    std::map<std::string, sql::Value> bound;
    for (const Relation& rel : rels) {
        const ColumnInfo* c = t.Find(rel.column);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + rel.column);
        if (c->kind == ColumnInfo::Kind::kRegular) {
            return Status::InvalidArgument("Non PRIMARY KEY columns found in where clause: " + rel.column);
        }
        if (rel.op != "=") {
            return Status::InvalidArgument(fmt::format(
                "only = restrictions on primary key columns are supported in writes ({} {})",
                rel.column, rel.op));
        }
        orrery::Result<std::optional<sql::Value>> v = b.Bind(rel.terms[0], c->type, rel.column);
        if (!v.ok()) return v.status();
        if (!v.value()) return Status::InvalidArgument("Invalid unset value for column " + rel.column);
        if (v.value()->is_null()) return Status::InvalidArgument("Invalid null value in condition for column " + rel.column);
        bound[c->name] = std::move(*v.value());
    }
    std::vector<Assignment> key;
    std::string missing_pk, missing_ck;
    for (const ColumnInfo* c : t.KeyColumns()) {
        auto it = bound.find(c->name);
        if (it == bound.end()) {
            std::string& m = c->kind == ColumnInfo::Kind::kPartitionKey ? missing_pk : missing_ck;
            m += (m.empty() ? "" : ", ") + c->name;
            continue;
        }
        key.push_back(Assignment{c, it->second});
    }
    if (!missing_pk.empty()) return Status::InvalidArgument("Some partition key parts are missing: " + missing_pk);
    if (!missing_ck.empty()) return Status::InvalidArgument("Some clustering keys are missing: " + missing_ck);
    return key;
}

// IF EXISTS | IF cond AND ... in the engine's LWT syntax.
orrery::Result<std::string> ConditionsSql(const TableSchema& t, const Statement& s, const Binder& b,
                                          std::vector<sql::Value>& params) {
    if (s.if_exists) return std::string(" IF EXISTS");
    if (s.conditions.empty()) return std::string();
    std::string out = " IF ";
    for (size_t i = 0; i < s.conditions.size(); ++i) {
        const Relation& rel = s.conditions[i];
        const ColumnInfo* c = t.Find(rel.column);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + rel.column);
        if (c->kind != ColumnInfo::Kind::kRegular) {
            return Status::InvalidArgument(fmt::format("PRIMARY KEY column '{}' cannot have IF conditions", rel.column));
        }
        if (IsCollection(c->type) && rel.op != "=" && rel.op != "!=") {
            return Status::InvalidArgument("only = and != conditions on collections are supported");
        }
        orrery::Result<std::optional<sql::Value>> v = b.Bind(rel.terms[0], c->type, rel.column);
        if (!v.ok()) return v.status();
        if (!v.value()) return Status::InvalidArgument("Invalid unset value for column " + rel.column);
        out += i ? " AND " : "";
        if (v.value()->is_null()) {
            // Cassandra reads `IF c = null` as "c has no value".
            if (rel.op != "=" && rel.op != "!=") {
                return Status::InvalidArgument("Invalid comparison with null for operator " + rel.op);
            }
            out += Quote(c->name) + (rel.op == "=" ? " IS NULL" : " IS NOT NULL");
            continue;
        }
        out += Quote(c->name) + " " + rel.op + " ?";
        params.push_back(std::move(*v.value()));
    }
    return out;
}

// The upsert (see the header): UPDATE by key; if no row was there, INSERT.
std::vector<SqlStep> UpsertSteps(const TableSchema& t, const std::vector<Assignment>& key,
                                 const std::vector<Assignment>& set, bool insert_if_missing) {
    const std::string table = SqlName(t.keyspace, t.table);
    std::string cols, marks;
    std::vector<sql::Value> insert_params;
    for (const auto* part : {&key, &set}) {
        for (const Assignment& a : *part) {
            cols += (cols.empty() ? "" : ", ") + Quote(a.column->name);
            marks += marks.empty() ? "?" : ", ?";
            insert_params.push_back(a.value);
        }
    }
    SqlStep insert{fmt::format("INSERT INTO {} ({}) VALUES ({})", table, cols, marks), insert_params, nullptr};
    insert.retry_on_unique = true;
    if (set.empty()) {
        insert.text += " IF NOT EXISTS";  // Only the key: the row exists afterwards either way.
        return {insert};
    }
    std::string assigns, where;
    std::vector<sql::Value> update_params;
    for (const Assignment& a : set) {
        assigns += (assigns.empty() ? "" : ", ") + Quote(a.column->name) + " = ?";
        update_params.push_back(a.value);
    }
    for (const Assignment& a : key) {
        where += (where.empty() ? "" : " AND ") + Quote(a.column->name) + " = ?";
        update_params.push_back(a.value);
    }
    SqlStep update{fmt::format("UPDATE {} SET {} WHERE {}", table, assigns, where), update_params, nullptr};
    if (insert_if_missing) {
        update.check = [insert](const sql::StatementResult& r, std::vector<SqlStep>& next) -> std::optional<Outcome> {
            if (r.rows_affected == 0) next.push_back(insert);
            return std::nullopt;
        };
    }
    return {update};
}

}  // namespace

// The SQL of WHERE relations, appending their values to params.
orrery::Result<std::string> WhereSqlFor(const TableSchema& t, const std::vector<Relation>& rels,
                                     const Binder& b, std::vector<sql::Value>& params) {
    std::string out;
    for (const Relation& rel : rels) {
        const ColumnInfo* c = t.Find(rel.column);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + rel.column);
        if (IsCollection(c->type)) {
            return Status::InvalidArgument(
                fmt::format("restrictions on collection column {} are not supported", rel.column));
        }
        if (rel.op == "!=") {
            return Status::InvalidArgument(fmt::format("Unsupported \"!=\" relation: {} != ...", rel.column));
        }
        std::vector<sql::Value> values;
        const bool list_marker = rel.op == "IN" && rel.terms.size() == 1 &&
                                 rel.terms[0].kind == Term::Kind::kMarker;
        if (list_marker) {
            orrery::Result<std::optional<Cell>> cell = b.MarkerCell(rel.terms[0], "in(" + rel.column + ")");
            if (!cell.ok()) return cell.status();
            if (!cell.value() || !*cell.value()) {
                return Status::InvalidArgument("Invalid null or unset value for IN list of " + rel.column);
            }
            orrery::Result<std::vector<std::string>> items = SplitCollection(**cell.value());
            if (!items.ok()) return items.status();
            for (const std::string& item : items.value()) {
                orrery::Result<sql::Value> v = Decode(c->type, Cell(item));
                if (!v.ok()) return v.status();
                values.push_back(std::move(v).value());
            }
        } else {
            for (const Term& term : rel.terms) {
                orrery::Result<std::optional<sql::Value>> v = b.Bind(term, c->type, rel.column);
                if (!v.ok()) return v.status();
                if (!v.value()) return Status::InvalidArgument("Invalid unset value for column " + rel.column);
                values.push_back(std::move(*v.value()));
            }
        }
        for (const sql::Value& v : values) {
            if (v.is_null()) return Status::InvalidArgument("Invalid null value in condition for column " + rel.column);
        }
        out += out.empty() ? "" : " AND ";
        if (rel.op == "IN") {
            if (values.empty()) {
                out += "FALSE";
                continue;
            }
            out += Quote(c->name) + " IN (";
            for (size_t i = 0; i < values.size(); ++i) out += i ? ", ?" : "?";
            out += ")";
        } else {
            out += Quote(c->name) + " " + rel.op + " ?";
        }
        for (sql::Value& v : values) params.push_back(std::move(v));
    }
    return out;
}

Outcome ReshapeApplied(const TableSchema& t, const sql::StatementResult& r) {
    Result out;
    out.kind = Result::Kind::kRows;
    // The engine answers a conditional write with one row, [applied] first (docs/sql.md §13).
    if (r.columns.empty() || r.columns[0].name != "[applied]" || r.rows.size() != 1) {
        return Outcome::Fail(error_code::kServer, "the SQL engine's answer to a conditional write has no [applied] row");
    }
    const bool applied = r.rows[0][0].type() == sql::DataType::kBoolean && r.rows[0][0].boolean();
    out.columns.push_back(ColumnSpec{t.keyspace, t.table, "[applied]", Type::Native(TypeId::kBoolean)});
    out.rows.push_back({EncodeBoolean(applied)});
    if (applied) return Outcome::Ok(std::move(out));
    for (size_t i = 1; i < r.columns.size(); ++i) {
        const ColumnInfo* c = t.Find(r.columns[i].name);
        if (c == nullptr) continue;
        orrery::Result<Cell> cell = Encode(c->type, r.rows[0][i]);
        if (!cell.ok()) return Outcome::Fail(error_code::kServer, cell.status().message());
        out.columns.push_back(ColumnSpec{t.keyspace, t.table, c->name, c->type});
        out.rows[0].push_back(cell.value());
    }
    return Outcome::Ok(std::move(out));
}

namespace {

// INSERT: every key column, the others as given (unset ones left alone); an upsert, or the
// engine's INSERT ... IF NOT EXISTS.
orrery::Result<WritePlan> PlanInsert(const TableSchema& t, const Statement& s, const Binder& b) {
    WritePlan plan;
    plan.conditional = s.conditional();
    const std::string table = SqlName(t.keyspace, t.table);
    std::vector<sql::Value> params;
    std::vector<Assignment> key, set;
    std::set<std::string> seen;
    for (size_t i = 0; i < s.insert_columns.size(); ++i) {
        const std::string& name = s.insert_columns[i];
        const ColumnInfo* c = t.Find(name);
        if (c == nullptr) return Status::InvalidArgument("Undefined column name " + name);
        if (!seen.insert(name).second) return Status::InvalidArgument("Multiple definitions found for column " + name);
        orrery::Result<std::optional<sql::Value>> v = b.Bind(s.insert_values[i], c->type, name);
        if (!v.ok()) return v.status();
        const bool is_key = c->kind != ColumnInfo::Kind::kRegular;
        if (!v.value()) {
            if (is_key) return Status::InvalidArgument("Invalid unset value for column " + name);
            continue;  // Unset: leave the column as it is.
        }
        if (is_key && v.value()->is_null()) return Status::InvalidArgument("Invalid null value for column " + name);
        (is_key ? key : set).push_back(Assignment{c, std::move(*v.value())});
    }
    std::string missing_pk, missing_ck;
    for (const ColumnInfo* c : t.KeyColumns()) {
        if (seen.count(c->name)) continue;
        std::string& m = c->kind == ColumnInfo::Kind::kPartitionKey ? missing_pk : missing_ck;
        m += (m.empty() ? "" : ", ") + c->name;
    }
    if (!missing_pk.empty()) return Status::InvalidArgument("Some partition key parts are missing: " + missing_pk);
    if (!missing_ck.empty()) return Status::InvalidArgument("Some clustering keys are missing: " + missing_ck);
    if (!s.if_not_exists) {
        plan.steps = UpsertSteps(t, key, set, true);
        return plan;
    }
    std::string cols, marks;
    for (const auto* part : {&key, &set}) {
        for (const Assignment& a : *part) {
            cols += (cols.empty() ? "" : ", ") + Quote(a.column->name);
            marks += marks.empty() ? "?" : ", ?";
            params.push_back(a.value);
        }
    }
    plan.steps.push_back(SqlStep{fmt::format("INSERT INTO {} ({}) VALUES ({}) IF NOT EXISTS", table, cols, marks),
                                 params, nullptr});
    return plan;
}

// UPDATE, DELETE of columns (an UPDATE to NULL) or DELETE of rows.
orrery::Result<WritePlan> PlanUpdateOrDelete(const TableSchema& t, const Statement& s, const Binder& b) {
    WritePlan plan;
    plan.conditional = s.conditional();
    const std::string table = SqlName(t.keyspace, t.table);
    std::vector<sql::Value> params;
    std::vector<Assignment> set;
    if (s.kind == Statement::Kind::kUpdate) {
        for (const auto& [name, term] : s.assignments) {
            const ColumnInfo* c = t.Find(name);
            if (c == nullptr) return Status::InvalidArgument("Undefined column name " + name);
            if (c->kind != ColumnInfo::Kind::kRegular) {
                return Status::InvalidArgument(fmt::format("PRIMARY KEY part {} found in SET part", name));
            }
            orrery::Result<std::optional<sql::Value>> v = b.Bind(term, c->type, name);
            if (!v.ok()) return v.status();
            if (v.value()) set.push_back(Assignment{c, std::move(*v.value())});
        }
    } else {
        for (const std::string& name : s.delete_columns) {
            const ColumnInfo* c = t.Find(name);
            if (c == nullptr) return Status::InvalidArgument("Undefined column name " + name);
            if (c->kind != ColumnInfo::Kind::kRegular) {
                return Status::InvalidArgument(fmt::format("Invalid identifier {} for deletion (should not be a PRIMARY KEY part)", name));
            }
            set.push_back(Assignment{c, sql::Value::Null()});
        }
    }
    const bool row_delete = s.kind == Statement::Kind::kDelete && s.delete_columns.empty();
    if (!plan.conditional && !row_delete) {
        orrery::Result<std::vector<Assignment>> key = KeyOf(t, s.where, b);
        if (!key.ok()) return key.status();
        if (set.empty()) return plan;  // Every value unset: nothing to do.
        // An UPDATE that only writes nulls creates no row in Cassandra (no cell is live).
        bool any_value = false;
        for (const Assignment& a : set) any_value = any_value || !a.value.is_null();
        const bool insert = s.kind == Statement::Kind::kUpdate && any_value;
        plan.steps = UpsertSteps(t, key.value(), set, insert);
        return plan;
    }
    // A conditional write or a row delete: one SQL statement with the CQL WHERE.
    if (plan.conditional) {
        orrery::Result<std::vector<Assignment>> key = KeyOf(t, s.where, b);
        if (!key.ok()) return key.status();
    } else {
        std::string missing;
        for (const ColumnInfo& c : t.columns) {
            if (c.kind != ColumnInfo::Kind::kPartitionKey) continue;
            bool found = false;
            for (const Relation& r : s.where) found = found || (r.column == c.name && (r.op == "=" || r.op == "IN"));
            if (!found) missing += (missing.empty() ? "" : ", ") + c.name;
        }
        if (!missing.empty()) return Status::InvalidArgument("Some partition key parts are missing: " + missing);
    }
    std::string head;
    if (row_delete) {
        head = "DELETE FROM " + table;
    } else {
        if (set.empty()) return Status::InvalidArgument("every value of the conditional UPDATE is unset");
        head = "UPDATE " + table + " SET ";
        for (size_t i = 0; i < set.size(); ++i) {
            head += (i ? ", " : "") + Quote(set[i].column->name) + " = ?";
            params.push_back(set[i].value);
        }
    }
    orrery::Result<std::string> where = WhereSqlFor(t, s.where, b, params);
    if (!where.ok()) return where.status();
    orrery::Result<std::string> cond = ConditionsSql(t, s, b, params);
    if (!cond.ok()) return cond.status();
    plan.steps.push_back(SqlStep{head + " WHERE " + where.value() + cond.value(), params, nullptr});
    return plan;
}

}  // namespace

orrery::Result<WritePlan> PlanWrite(const TableSchema& t, const Statement& s, const Binder& b) {
    ORRERY_ASSERT(s.kind == Statement::Kind::kInsert || s.kind == Statement::Kind::kUpdate ||
                      s.kind == Statement::Kind::kDelete,
                  "PlanWrite of statement kind {}", static_cast<int>(s.kind));
    orrery::Result<WritePlan> plan =
        s.kind == Statement::Kind::kInsert ? PlanInsert(t, s, b) : PlanUpdateOrDelete(t, s, b);
    // A conditional write is exactly one statement: its result is the [applied] row.
    ORRERY_ASSERT(!plan.ok() || !plan.value().conditional || plan.value().steps.size() == 1,
                  "a conditional write of {} steps", plan.ok() ? plan.value().steps.size() : 0);
    return plan;
}

}  // namespace orrery::node::cql
