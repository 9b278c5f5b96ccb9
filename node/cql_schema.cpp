// The CQL catalog in SQL (cql_translate.h, "Design"): creating it, reading one table's schema or
// the whole catalog, and TRUNCATE. The schema statements that change it are in cql_ddl.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/assert.h"
#include "node/cql_bind.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {
namespace {

// All three in one transaction, so the catalog exists entirely or not at all.
const char* const kCatalogDdl[] = {
    "CREATE TABLE IF NOT EXISTS cql_keyspaces (keyspace_name TEXT PRIMARY KEY, "
    "durable_writes BOOLEAN NOT NULL, replication BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS cql_tables (keyspace_name TEXT, table_name TEXT, "
    "PRIMARY KEY (keyspace_name, table_name))",
    "CREATE TABLE IF NOT EXISTS cql_columns (keyspace_name TEXT, table_name TEXT, "
    "column_name TEXT, kind TEXT NOT NULL, position INTEGER NOT NULL, type TEXT NOT NULL, "
    "clustering_order TEXT NOT NULL, PRIMARY KEY (keyspace_name, table_name, column_name))",
};

}  // namespace

ColumnInfo::Kind KindOf(const std::string& s) {
    if (s == "partition_key") return ColumnInfo::Kind::kPartitionKey;
    if (s == "clustering") return ColumnInfo::Kind::kClustering;
    return ColumnInfo::Kind::kRegular;
}

const char* KindName(ColumnInfo::Kind k) {
    switch (k) {
    case ColumnInfo::Kind::kPartitionKey: return "partition_key";
    case ColumnInfo::Kind::kClustering: return "clustering";
    default: return "regular";
    }
}

// Cassandra's column order: partition key, clustering key (by position), regular by name.
void SortColumns(std::vector<ColumnInfo>& cols) {
    std::sort(cols.begin(), cols.end(), [](const ColumnInfo& a, const ColumnInfo& b) {
        if (a.kind != b.kind) return a.kind < b.kind;
        if (a.kind != ColumnInfo::Kind::kRegular) return a.position < b.position;
        return a.name < b.name;
    });
}

bool ValidSchemaName(const std::string& name) {
    if (name.empty() || name.size() > 48) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) return false;
    }
    return true;
}

void Translator::EnsureCatalog(std::function<void(std::optional<Error>)> done) {
    if (catalog_ready_) return done(std::nullopt);
    Script script;
    script.transaction = true;
    script.errors.write = true;
    for (const char* ddl : kCatalogDdl) script.steps.push_back(SqlStep{ddl, {}, nullptr});
    RunScript(std::move(script), [this, done](Outcome o) {
        if (o.error) return done(o.error);
        catalog_ready_ = true;
        done(std::nullopt);
    });
}

void Translator::LoadTable(const std::string& keyspace, const std::string& table,
                           std::function<void(std::optional<TableSchema>, std::optional<Error>)> done) {
    Sql("SELECT column_name, kind, position, type, clustering_order FROM cql_columns "
        "WHERE keyspace_name = ? AND table_name = ?",
        {sql::Value::String(keyspace), sql::Value::String(table)},
        [keyspace, table, done](const SqlOutcome& o) {
            Error missing;
            missing.code = error_code::kInvalid;
            missing.message = "unconfigured table " + table;
            if (!o.ok()) {
                if (o.error && o.error->kind == sql::ErrorKind::kUndefinedTable) {
                    return done(std::nullopt, missing);
                }
                ErrorContext c;
                return done(std::nullopt, MapSqlError(o, c));
            }
            TableSchema t;
            t.keyspace = keyspace;
            t.table = table;
            for (const sql::Row& row : o.result->rows) {
                ORRERY_ASSERT(row.size() == 5, "cql_columns row of {} values", row.size());
                ColumnInfo c;
                c.name = row[0].string();
                c.kind = KindOf(row[1].string());
                c.position = static_cast<int>(row[2].integer());
                orrery::Result<Type> type = ParseType(row[3].string());
                if (!type.ok()) {
                    Error e;
                    e.code = error_code::kServer;
                    e.message = "bad type in the CQL catalog: " + type.status().message();
                    return done(std::nullopt, e);
                }
                c.type = type.value();
                c.descending = row[4].string() == "desc";
                t.columns.push_back(std::move(c));
            }
            if (t.columns.empty()) return done(std::nullopt, missing);
            SortColumns(t.columns);
            done(std::move(t), std::nullopt);
        });
}

void Translator::LoadCatalog(std::function<void(std::optional<Catalog>, std::optional<Error>)> done) {
    Script script;
    for (const char* q :
         {"SELECT keyspace_name, durable_writes, replication FROM cql_keyspaces "
          "ORDER BY keyspace_name",
          "SELECT keyspace_name, table_name FROM cql_tables ORDER BY keyspace_name, table_name",
          "SELECT keyspace_name, table_name, column_name, kind, position, type, clustering_order "
          "FROM cql_columns ORDER BY keyspace_name, table_name, column_name"}) {
        SqlStep step{q, {}, nullptr};
        step.missing_table_is_empty = true;
        script.steps.push_back(std::move(step));
    }
    auto catalog = std::make_shared<Catalog>();
    script.finish = [catalog](std::vector<sql::StatementResult>& r) {
        ORRERY_ASSERT(r.size() == 3, "catalog read of {} results", r.size());
        catalog->keyspaces = std::move(r[0].rows);
        catalog->tables = std::move(r[1].rows);
        catalog->columns = std::move(r[2].rows);
        return Outcome::Ok(Result{});
    };
    RunScript(std::move(script), [catalog, done](Outcome o) {
        if (o.error) return done(std::nullopt, o.error);
        done(std::move(*catalog), std::nullopt);
    });
}

void Translator::Truncate(const std::string& ks, const std::string& table,
                          std::function<void(Outcome)> done) {
    LoadTable(ks, table, [this, ks, table, done](std::optional<TableSchema> t, std::optional<Error> e) {
        if (!t) return done(Outcome::Fail(*e));
        Script truncate;
        truncate.errors.write = true;
        truncate.errors.table = table;
        truncate.steps.push_back(SqlStep{"TRUNCATE " + SqlName(ks, table), {}, nullptr});
        RunScript(std::move(truncate), done);
    });
}

}  // namespace orrery::node::cql
