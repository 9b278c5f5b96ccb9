// The CQL schema statements (cql_translate.h, "Design"): USE, CREATE/DROP KEYSPACE and
// CREATE/DROP TABLE, each a script over the catalog tables of cql_schema.cpp. A CREATE TABLE
// writes its catalog rows and creates its SQL table in one transaction, so a failure leaves
// neither; DROP KEYSPACE drops every table of the keyspace in the same way.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/assert.h"
#include "node/cql_bind.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {
namespace {

// Table options Cassandra 3.11 accepts that only tune its storage engine: accepted and ignored,
// because they change no answer.
const std::set<std::string> kIgnoredTableOptions = {
    "bloom_filter_fp_chance", "caching", "cdc", "comment", "compaction", "compression",
    "crc_check_chance", "dclocal_read_repair_chance", "gc_grace_seconds", "max_index_interval",
    "memtable_flush_period_in_ms", "min_index_interval", "read_repair_chance",
    "speculative_retry", "id", "extensions",
};

Outcome SchemaChange(std::string change, std::string target, std::string keyspace,
                     std::string name) {
    Result r;
    r.kind = Result::Kind::kSchemaChange;
    r.change_type = std::move(change);
    r.target = std::move(target);
    r.keyspace = std::move(keyspace);
    r.name = std::move(name);
    return Outcome::Ok(std::move(r));
}

bool Applied(const sql::StatementResult& r) {
    return !r.rows.empty() && !r.rows[0].empty() &&
           r.rows[0][0].type() == sql::DataType::kBoolean && r.rows[0][0].boolean();
}

std::string TermText(const Term& t) { return t.text; }

// The replication map of CREATE KEYSPACE, with Cassandra's full class names.
orrery::Result<std::string> ReplicationBytes(const Term& term) {
    if (term.kind != Term::Kind::kMap) {
        return Status::InvalidArgument("replication must be a map, e.g. {'class': 'SimpleStrategy', "
                                       "'replication_factor': 1}");
    }
    std::vector<std::pair<std::string, std::string>> entries;
    bool has_class = false;
    for (size_t i = 0; i + 1 < term.items.size(); i += 2) {
        std::string k = TermText(term.items[i]);
        std::string v = TermText(term.items[i + 1]);
        if (k == "class") {
            has_class = true;
            if (v.find('.') == std::string::npos) v = "org.apache.cassandra.locator." + v;
        }
        entries.emplace_back(std::move(k), std::move(v));
    }
    if (!has_class) return Status::InvalidArgument("Missing replication strategy class");
    std::sort(entries.begin(), entries.end());
    return EncodeTextMap(entries);
}

// Checks CREATE TABLE and builds its schema.
orrery::Result<TableSchema> BuildTable(const Statement& s, const std::string& keyspace) {
    TableSchema t;
    t.keyspace = keyspace;
    t.table = s.table.table;
    std::vector<std::string> pk = s.partition_key;
    std::vector<std::string> ck = s.clustering_key;
    for (const ColumnDef& d : s.columns) {
        if (!d.primary_key) continue;
        if (!pk.empty()) return Status::InvalidArgument("Multiple PRIMARY KEYs specified (exactly one required)");
        pk.push_back(d.name);
    }
    if (pk.empty()) return Status::InvalidArgument("No PRIMARY KEY specifed (exactly one required)");
    std::set<std::string> seen;
    for (const ColumnDef& d : s.columns) {
        if (!seen.insert(d.name).second) {
            return Status::InvalidArgument(fmt::format("Multiple definition of identifier {}", d.name));
        }
        orrery::Result<Type> type = ParseType(d.type);
        if (!type.ok()) return type.status();
        ColumnInfo c;
        c.name = d.name;
        c.type = type.value();
        t.columns.push_back(std::move(c));
    }
    auto mark = [&](const std::vector<std::string>& names, ColumnInfo::Kind kind) -> Status {
        for (size_t i = 0; i < names.size(); ++i) {
            ColumnInfo* c = nullptr;
            for (ColumnInfo& x : t.columns) c = x.name == names[i] ? &x : c;
            if (c == nullptr) {
                return Status::InvalidArgument(
                    fmt::format("Unknown definition {} referenced in PRIMARY KEY", names[i]));
            }
            if (c->kind != ColumnInfo::Kind::kRegular) {
                return Status::InvalidArgument(fmt::format("Duplicate column {} in PRIMARY KEY", names[i]));
            }
            if (IsCollection(c->type)) {
                return Status::InvalidArgument(fmt::format(
                    "Invalid collection type for PRIMARY KEY component {}", names[i]));
            }
            c->kind = kind;
            c->position = static_cast<int>(i);
        }
        return Status::Ok();
    };
    Status st = mark(pk, ColumnInfo::Kind::kPartitionKey);
    if (st.ok()) st = mark(ck, ColumnInfo::Kind::kClustering);
    if (!st.ok()) return st;
    if (!s.clustering_order.empty()) {
        if (s.clustering_order.size() > ck.size()) {
            return Status::InvalidArgument("Only clustering key columns can be defined in CLUSTERING ORDER directive");
        }
        for (size_t i = 0; i < s.clustering_order.size(); ++i) {
            if (s.clustering_order[i].first != ck[i]) {
                return Status::InvalidArgument(
                    "The order of columns in the CLUSTERING ORDER directive must be the one of the clustering key");
            }
            for (ColumnInfo& x : t.columns) {
                if (x.name == ck[i]) x.descending = s.clustering_order[i].second;
            }
        }
    }
    for (const auto& [name, value] : s.properties) {
        if (name == "default_time_to_live") {
            if (value.text != "0") return Status::InvalidArgument("TTL is not supported (default_time_to_live)");
        } else if (kIgnoredTableOptions.count(name) == 0) {
            return Status::InvalidArgument(fmt::format("Unknown property '{}'", name));
        }
    }
    SortColumns(t.columns);
    return t;
}

std::string CreateTableSql(const TableSchema& t) {
    std::string out = "CREATE TABLE " + SqlName(t.keyspace, t.table) + " (";
    for (const ColumnInfo& c : t.columns) out += Quote(c.name) + " " + SqlTypeName(c.type) + ", ";
    // PRIMARY KEY ((p1, p2), c1, c2): the engine records the partition key (docs/12 §12.3).
    std::string partition, clustering;
    for (const ColumnInfo* c : t.KeyColumns()) {
        std::string& part = c->kind == ColumnInfo::Kind::kPartitionKey ? partition : clustering;
        part += (part.empty() ? "" : ", ") + Quote(c->name);
    }
    ORRERY_ASSERT(!partition.empty(), "table {} without a partition key", t.table);
    out += "PRIMARY KEY ((" + partition + ")";
    if (!clustering.empty()) out += ", " + clustering;
    return out + "))";
}


// Each *Script function fills `script` (already carrying its error context) with the SQL of one
// schema statement on keyspace `ks`, or returns the answer at once (a refused statement).
std::optional<Outcome> KeyspaceMustExist(const std::string& ks, const sql::StatementResult& r) {
    if (!r.rows.empty()) return std::nullopt;
    return Outcome::Fail(error_code::kInvalid, fmt::format("Keyspace '{}' does not exist", ks));
}

std::optional<Outcome> UseScript(const Statement&, const std::string& ks, Script& script) {
    const std::vector<sql::Value> ks_param = {sql::Value::String(ks)};
    auto keyspace_must_exist = [ks](const sql::StatementResult& r, std::vector<SqlStep>&) {
        return KeyspaceMustExist(ks, r);
    };
    SqlStep step{"SELECT keyspace_name FROM cql_keyspaces WHERE keyspace_name = ?", ks_param,
                 keyspace_must_exist};
    step.missing_table_is_empty = true;
    script.steps.push_back(std::move(step));
    script.errors.write = false;
    script.finish = [ks](std::vector<sql::StatementResult>&) {
        Result r;
        r.kind = Result::Kind::kSetKeyspace;
        r.keyspace = ks;
        return Outcome::Ok(std::move(r));
    };
    return std::nullopt;
}

std::optional<Outcome> CreateKeyspaceScript(const Statement& s, const std::string& ks, Script& script) {
    std::optional<std::string> replication;
    bool durable = true;
    for (const auto& [name, value] : s.properties) {
        if (name == "replication") {
            orrery::Result<std::string> r = ReplicationBytes(value);
            if (!r.ok()) return (Outcome::Fail(error_code::kConfig, r.status().message()));
            replication = r.value();
        } else if (name == "durable_writes" && value.kind == Term::Kind::kBoolean) {
            durable = value.text == "true";
        } else {
            return (Outcome::Fail(error_code::kSyntax, fmt::format("Unknown property '{}'", name)));
        }
    }
    if (!replication) {
        return (Outcome::Fail(error_code::kConfig, "Missing mandatory replication strategy class"));
    }
    const bool if_not_exists = s.if_not_exists;
    script.steps.push_back(SqlStep{
        "INSERT INTO cql_keyspaces (keyspace_name, durable_writes, replication) "
        "VALUES (?, ?, ?) IF NOT EXISTS",
        {sql::Value::String(ks), sql::Value::Boolean(durable), sql::Value::Blob(*replication)},
        [ks, if_not_exists](const sql::StatementResult& r, std::vector<SqlStep>&) -> std::optional<Outcome> {
            if (Applied(r)) return std::nullopt;
            if (if_not_exists) return Outcome::Ok(Result{});
            Error e;
            e.code = error_code::kAlreadyExists;
            e.keyspace = ks;
            e.message = fmt::format("Cannot add existing keyspace \"{}\"", ks);
            return Outcome::Fail(std::move(e));
        }});
    script.finish = [ks](std::vector<sql::StatementResult>&) {
        return SchemaChange("CREATED", "KEYSPACE", ks, "");
    };
    return std::nullopt;
}

std::optional<Outcome> DropKeyspaceScript(const Statement& s, const std::string& ks, Script& script) {
    const std::vector<sql::Value> ks_param = {sql::Value::String(ks)};
    script.transaction = true;
    const bool if_exists = s.if_exists;
    script.steps.push_back(SqlStep{
        "DELETE FROM cql_keyspaces WHERE keyspace_name = ?", ks_param,
        [ks, if_exists](const sql::StatementResult& r, std::vector<SqlStep>&) -> std::optional<Outcome> {
            if (r.rows_affected > 0) return std::nullopt;
            if (if_exists) return Outcome::Ok(Result{});
            return Outcome::Fail(error_code::kConfig,
                                 fmt::format("Cannot drop non existing keyspace '{}'.", ks));
        }});
    script.steps.push_back(SqlStep{
        "SELECT table_name FROM cql_tables WHERE keyspace_name = ?", ks_param,
        [ks](const sql::StatementResult& r, std::vector<SqlStep>& next) -> std::optional<Outcome> {
            for (const sql::Row& row : r.rows) {
                next.push_back(SqlStep{"DROP TABLE " + SqlName(ks, row[0].string()), {}, nullptr});
            }
            return std::nullopt;
        }});
    script.steps.push_back(SqlStep{"DELETE FROM cql_tables WHERE keyspace_name = ?", ks_param, nullptr});
    script.steps.push_back(SqlStep{"DELETE FROM cql_columns WHERE keyspace_name = ?", ks_param, nullptr});
    script.finish = [ks](std::vector<sql::StatementResult>&) {
        return SchemaChange("DROPPED", "KEYSPACE", ks, "");
    };
    return std::nullopt;
}

std::optional<Outcome> CreateTableScript(const Statement& s, const std::string& ks, Script& script) {
    const std::vector<sql::Value> ks_param = {sql::Value::String(ks)};
    const std::vector<sql::Value> table_params = {sql::Value::String(ks),
                                                  sql::Value::String(s.table.table)};
    auto keyspace_must_exist = [ks](const sql::StatementResult& r, std::vector<SqlStep>&) {
        return KeyspaceMustExist(ks, r);
    };
    orrery::Result<TableSchema> table = BuildTable(s, ks);
    if (!table.ok()) return (Outcome::Fail(error_code::kInvalid, table.status().message()));
    script.transaction = true;
    script.steps.push_back(SqlStep{"SELECT keyspace_name FROM cql_keyspaces WHERE keyspace_name = ?",
                                   ks_param, keyspace_must_exist});
    const bool if_not_exists = s.if_not_exists;
    const std::string name = s.table.table;
    script.steps.push_back(SqlStep{
        "INSERT INTO cql_tables (keyspace_name, table_name) VALUES (?, ?) IF NOT EXISTS",
        table_params,
        [ks, name, if_not_exists](const sql::StatementResult& r, std::vector<SqlStep>&) -> std::optional<Outcome> {
            if (Applied(r)) return std::nullopt;
            if (if_not_exists) return Outcome::Ok(Result{});
            Error e;
            e.code = error_code::kAlreadyExists;
            e.keyspace = ks;
            e.table = name;
            e.message = fmt::format("Cannot add already existing table \"{}\" to keyspace \"{}\"", name, ks);
            return Outcome::Fail(std::move(e));
        }});
    SqlStep columns{"INSERT INTO cql_columns (keyspace_name, table_name, column_name, kind, "
                    "position, type, clustering_order) VALUES ", {}, nullptr};
    for (size_t i = 0; i < table.value().columns.size(); ++i) {
        const ColumnInfo& c = table.value().columns[i];
        columns.text += (i == 0 ? "" : ", ") + std::string("(?, ?, ?, ?, ?, ?, ?)");
        const char* order = c.kind != ColumnInfo::Kind::kClustering ? "none" : c.descending ? "desc" : "asc";
        for (sql::Value v : {sql::Value::String(ks), sql::Value::String(name), sql::Value::String(c.name),
                             sql::Value::String(KindName(c.kind)), sql::Value::Integer(c.position),
                             sql::Value::String(TypeName(c.type)), sql::Value::String(order)}) {
            columns.params.push_back(std::move(v));
        }
    }
    script.steps.push_back(std::move(columns));
    script.steps.push_back(SqlStep{CreateTableSql(table.value()), {}, nullptr});
    script.finish = [ks, name](std::vector<sql::StatementResult>&) {
        return SchemaChange("CREATED", "TABLE", ks, name);
    };
    return std::nullopt;
}

std::optional<Outcome> DropTableScript(const Statement& s, const std::string& ks, Script& script) {
    const std::vector<sql::Value> table_params = {sql::Value::String(ks),
                                                  sql::Value::String(s.table.table)};
    script.transaction = true;
    const bool if_exists = s.if_exists;
    const std::string name = s.table.table;
    script.steps.push_back(SqlStep{
        "DELETE FROM cql_tables WHERE keyspace_name = ? AND table_name = ?", table_params,
        [ks, name, if_exists](const sql::StatementResult& r, std::vector<SqlStep>& next) -> std::optional<Outcome> {
            if (r.rows_affected > 0) {
                next.push_back(SqlStep{"DROP TABLE " + SqlName(ks, name), {}, nullptr});
                return std::nullopt;
            }
            if (if_exists) return Outcome::Ok(Result{});
            return Outcome::Fail(error_code::kConfig, fmt::format(
                "Cannot drop non existing table '{}' in keyspace '{}'.", name, ks));
        }});
    script.steps.push_back(SqlStep{"DELETE FROM cql_columns WHERE keyspace_name = ? AND table_name = ?",
                                   table_params, nullptr});
    script.finish = [ks, name](std::vector<sql::StatementResult>&) {
        return SchemaChange("DROPPED", "TABLE", ks, name);
    };
    return std::nullopt;
}

}  // namespace

void Translator::RunDdl(const Request& request, Statement s, std::function<void(Outcome)> done) {
    using SK = Statement::Kind;
    const bool keyspace_level = s.kind == SK::kUse || s.kind == SK::kCreateKeyspace ||
                                s.kind == SK::kDropKeyspace;
    const std::string ks = keyspace_level ? s.keyspace
                           : s.table.keyspace.empty() ? request.keyspace : s.table.keyspace;
    if (ks.empty()) {
        return done(Outcome::Fail(error_code::kInvalid,
                                  "No keyspace has been specified. USE a keyspace, or explicitly "
                                  "specify keyspace.tablename"));
    }
    if (s.kind == SK::kUse && IsSystemKeyspace(ks)) {
        Result r;
        r.kind = Result::Kind::kSetKeyspace;
        r.keyspace = ks;
        return done(Outcome::Ok(std::move(r)));
    }
    if (IsSystemKeyspace(ks)) {
        return done(Outcome::Fail(error_code::kUnauthorized,
                                  fmt::format("{} keyspace is not user-modifiable", ks)));
    }
    if (!ValidSchemaName(ks) || (!keyspace_level && !ValidSchemaName(s.table.table))) {
        return done(Outcome::Fail(error_code::kInvalid,
                                  fmt::format("\"{}\" is not a valid name (1 to 48 of [A-Za-z0-9_])",
                                              keyspace_level ? ks : s.table.table)));
    }
    Script script;
    script.errors.write = true;
    script.errors.keyspace = ks;
    script.errors.table = s.table.table;
    script.errors.consistency = request.params.consistency;
    using Build = std::optional<Outcome> (*)(const Statement&, const std::string&, Script&);
    Build build = nullptr;
    switch (s.kind) {
    case SK::kUse: build = UseScript; break;
    case SK::kCreateKeyspace: build = CreateKeyspaceScript; break;
    case SK::kDropKeyspace: build = DropKeyspaceScript; break;
    case SK::kCreateTable: build = CreateTableScript; break;
    case SK::kDropTable: build = DropTableScript; break;
    case SK::kTruncate: return Truncate(ks, s.table.table, std::move(done));
    default: ORRERY_ASSERT(false, "RunDdl of statement kind {}", static_cast<int>(s.kind));
    }
    if (std::optional<Outcome> answer = build(s, ks, script)) return done(std::move(*answer));
    if (s.kind == SK::kUse) return RunScript(std::move(script), std::move(done));  // A read.
    EnsureCatalog([this, script = std::move(script), done](std::optional<Error> e) mutable {
        if (e) return done(Outcome::Fail(*e));
        RunScript(std::move(script), std::move(done));
    });
}

}  // namespace orrery::node::cql
