// The system tables (cql_translate.h, "Design"): system.local and system.peers from the
// Topology, system_schema.* from the CQL catalog, evaluated here as small in-memory tables
// (= and IN filters, a column list or *, COUNT(*), LIMIT).
#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "core/checksum.h"
#include "node/cql_bind.h"
#include "node/cql_dml.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {
namespace {

struct VirtualTable {
    std::vector<ColumnSpec> columns;
    std::vector<std::vector<Cell>> rows;
};

Type T(TypeId id) { return Type::Native(id); }
const Type kText = Type::Native(TypeId::kVarchar);
const Type kInetT = Type::Native(TypeId::kInet);
const Type kUuidT = Type::Native(TypeId::kUuid);
const Type kTextMap = Type::Map(Type::Native(TypeId::kVarchar), Type::Native(TypeId::kVarchar));
const Type kTextSet = Type::Set(Type::Native(TypeId::kVarchar));
const Type kTextList = Type::List(Type::Native(TypeId::kVarchar));

VirtualTable Columns(const std::string& ks, const std::string& table,
                     std::vector<std::pair<std::string, Type>> cols) {
    VirtualTable v;
    for (auto& [name, type] : cols) v.columns.push_back(ColumnSpec{ks, table, name, type});
    return v;
}

Cell Inet(const std::string& text) {
    orrery::Result<std::string> b = EncodeInetText(text);
    return b.ok() ? Cell(b.value()) : Cell(std::nullopt);
}

Cell Uuid(const std::string& text) {
    orrery::Result<std::string> b = EncodeUuidText(text);
    return b.ok() ? Cell(b.value()) : Cell(std::nullopt);
}

Cell Tokens(std::vector<std::string> tokens) {
    std::sort(tokens.begin(), tokens.end());
    return EncodeTextCollection(tokens);
}

// A name-based (version 3 layout) UUID from a hash, for schema_version and table ids.
std::string HashUuid(std::string_view data) {
    std::string bytes;
    for (uint64_t seed : {uint64_t{0x6f7272657279}, uint64_t{0x63716c}}) {
        uint64_t h = Hash64(data, seed);
        for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>((h >> (56 - 8 * i)) & 0xff));
    }
    bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x30);
    bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);
    return UuidToText(bytes);
}

std::string SchemaVersion(const Catalog& c) {
    std::string data;
    for (const auto* rows : {&c.keyspaces, &c.tables, &c.columns}) {
        for (const sql::Row& row : *rows) {
            for (const sql::Value& v : row) data += v.ToSqlLiteral() + ",";
            data += ";";
        }
        data += "|";
    }
    return HashUuid(data);
}

VirtualTable Local(const Topology& t, const std::string& version) {
    VirtualTable v = Columns("system", "local",
        {{"key", kText}, {"bootstrapped", kText}, {"broadcast_address", kInetT},
         {"cluster_name", kText}, {"cql_version", kText}, {"data_center", kText},
         {"host_id", kUuidT}, {"listen_address", kInetT}, {"native_protocol_version", kText},
         {"partitioner", kText}, {"rack", kText}, {"release_version", kText},
         {"rpc_address", kInetT}, {"schema_version", kUuidT}, {"tokens", kTextSet}});
    const NodeInfo& n = t.self;
    v.rows.push_back({EncodeText("local"), EncodeText("COMPLETED"), Inet(n.rpc_address),
                      EncodeText(t.cluster_name), EncodeText("3.4.4"), EncodeText(n.data_center),
                      Uuid(n.host_id), Inet(n.rpc_address), EncodeText("4"),
                      EncodeText("org.apache.cassandra.dht.Murmur3Partitioner"), EncodeText(n.rack),
                      EncodeText("3.11.10"), Inet(n.rpc_address), Uuid(version), Tokens(n.tokens)});
    return v;
}

VirtualTable Peers(const Topology& t, const std::string& version) {
    VirtualTable v = Columns("system", "peers",
        {{"peer", kInetT}, {"data_center", kText}, {"host_id", kUuidT}, {"preferred_ip", kInetT},
         {"rack", kText}, {"release_version", kText}, {"rpc_address", kInetT},
         {"schema_version", kUuidT}, {"tokens", kTextSet}});
    for (const NodeInfo& n : t.peers) {
        v.rows.push_back({Inet(n.rpc_address), EncodeText(n.data_center), Uuid(n.host_id),
                          Inet(n.rpc_address), EncodeText(n.rack), EncodeText("3.11.10"),
                          Inet(n.rpc_address), Uuid(version), Tokens(n.tokens)});
    }
    return v;
}

Cell TextMap(std::vector<std::pair<std::string, std::string>> m) {
    std::sort(m.begin(), m.end());
    return EncodeTextMap(m);
}

VirtualTable Keyspaces(const Catalog& c) {
    VirtualTable v = Columns("system_schema", "keyspaces",
        {{"keyspace_name", kText}, {"durable_writes", T(TypeId::kBoolean)}, {"replication", kTextMap}});
    const Cell local = TextMap({{"class", "org.apache.cassandra.locator.LocalStrategy"}});
    for (const char* ks : {"system", "system_schema"}) {
        v.rows.push_back({EncodeText(ks), EncodeBoolean(true), local});
    }
    for (const sql::Row& row : c.keyspaces) {
        v.rows.push_back({EncodeText(row[0].string()), EncodeBoolean(row[1].boolean()), row[2].blob()});
    }
    return v;
}

VirtualTable Tables(const Catalog& c) {
    const Type kDouble = T(TypeId::kDouble), kInt = T(TypeId::kInt);
    VirtualTable v = Columns("system_schema", "tables",
        {{"keyspace_name", kText}, {"table_name", kText}, {"bloom_filter_fp_chance", kDouble},
         {"caching", kTextMap}, {"cdc", T(TypeId::kBoolean)}, {"comment", kText},
         {"compaction", kTextMap}, {"compression", kTextMap}, {"crc_check_chance", kDouble},
         {"dclocal_read_repair_chance", kDouble}, {"default_time_to_live", kInt},
         {"extensions", Type::Map(kText, T(TypeId::kBlob))}, {"flags", kTextSet},
         {"gc_grace_seconds", kInt}, {"id", kUuidT}, {"max_index_interval", kInt},
         {"memtable_flush_period_in_ms", kInt}, {"min_index_interval", kInt},
         {"read_repair_chance", kDouble}, {"speculative_retry", kText}});
    auto dbl = [](double d) {
        return Encode(Type::Native(TypeId::kDouble), sql::Value::Float(d)).value();
    };
    for (const sql::Row& row : c.tables) {
        const std::string& ks = row[0].string();
        const std::string& t = row[1].string();
        v.rows.push_back({EncodeText(ks), EncodeText(t), dbl(0.01),
                          TextMap({{"keys", "ALL"}, {"rows_per_partition", "NONE"}}),
                          EncodeBoolean(false), EncodeText(""),
                          TextMap({{"class", "org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy"},
                                   {"max_threshold", "32"}, {"min_threshold", "4"}}),
                          TextMap({{"chunk_length_in_kb", "64"},
                                   {"class", "org.apache.cassandra.io.compress.LZ4Compressor"}}),
                          dbl(1.0), dbl(0.1), EncodeInt(0), TextMap({}),
                          EncodeTextCollection({"compound"}), EncodeInt(864000),
                          Uuid(HashUuid(ks + "." + t)), EncodeInt(2048), EncodeInt(0), EncodeInt(128),
                          dbl(0.0), EncodeText("99PERCENTILE")});
    }
    return v;
}

VirtualTable SchemaColumns(const Catalog& c) {
    VirtualTable v = Columns("system_schema", "columns",
        {{"keyspace_name", kText}, {"table_name", kText}, {"column_name", kText},
         {"clustering_order", kText}, {"column_name_bytes", T(TypeId::kBlob)}, {"kind", kText},
         {"position", T(TypeId::kInt)}, {"type", kText}});
    for (const sql::Row& row : c.columns) {
        // cql_columns: keyspace_name, table_name, column_name, kind, position, type, order.
        v.rows.push_back({EncodeText(row[0].string()), EncodeText(row[1].string()),
                          EncodeText(row[2].string()), EncodeText(row[6].string()),
                          std::string(row[2].string()), EncodeText(row[3].string()),
                          EncodeInt(static_cast<int32_t>(row[4].integer())),
                          EncodeText(row[5].string())});
    }
    return v;
}

// The system table ks.table, or nullopt when Cassandra 3.11 has no such table (here).
std::optional<VirtualTable> SystemTable(const std::string& ks, const std::string& table,
                                        const Topology& topo, const Catalog& c) {
    const std::string version = SchemaVersion(c);
    if (ks == "system" && table == "local") return Local(topo, version);
    if (ks == "system" && table == "peers") return Peers(topo, version);
    if (ks != "system_schema") return std::nullopt;
    if (table == "keyspaces") return Keyspaces(c);
    if (table == "tables") return Tables(c);
    if (table == "columns") return SchemaColumns(c);
    const Type kTs = T(TypeId::kTimestamp);
    if (table == "types") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"type_name", kText},
                                   {"field_names", kTextList}, {"field_types", kTextList}});
    }
    if (table == "functions") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"function_name", kText},
                                   {"argument_types", kTextList}, {"argument_names", kTextList},
                                   {"body", kText}, {"called_on_null_input", T(TypeId::kBoolean)},
                                   {"language", kText}, {"return_type", kText}});
    }
    if (table == "aggregates") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"aggregate_name", kText},
                                   {"argument_types", kTextList}, {"final_func", kText},
                                   {"initcond", kText}, {"return_type", kText},
                                   {"state_func", kText}, {"state_type", kText}});
    }
    if (table == "triggers") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"table_name", kText},
                                   {"trigger_name", kText}, {"options", kTextMap}});
    }
    if (table == "indexes") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"table_name", kText},
                                   {"index_name", kText}, {"kind", kText}, {"options", kTextMap}});
    }
    if (table == "views") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"view_name", kText},
                                   {"base_table_id", kUuidT}, {"base_table_name", kText},
                                   {"include_all_columns", T(TypeId::kBoolean)},
                                   {"where_clause", kText}, {"id", kUuidT}});
    }
    if (table == "dropped_columns") {
        return Columns(ks, table, {{"keyspace_name", kText}, {"table_name", kText},
                                   {"column_name", kText}, {"dropped_time", kTs}, {"type", kText}});
    }
    return std::nullopt;
}

int ColumnIndex(const VirtualTable& v, const std::string& name) {
    for (size_t i = 0; i < v.columns.size(); ++i) {
        if (v.columns[i].name == name) return static_cast<int>(i);
    }
    return -1;
}

// WHERE (= and IN), the selection and LIMIT over a virtual table.
Outcome Query(const VirtualTable& v, const Statement& s, const Binder& binder) {
    std::vector<std::vector<Cell>> rows = v.rows;
    for (const Relation& rel : s.where) {
        const int col = ColumnIndex(v, rel.column);
        if (col < 0) return Outcome::Fail(error_code::kInvalid, "Undefined column name " + rel.column);
        if (rel.op != "=" && rel.op != "IN") {
            return Outcome::Fail(error_code::kInvalid, "only = and IN restrictions are supported on system tables");
        }
        const Type& type = v.columns[static_cast<size_t>(col)].type;
        std::vector<Cell> wanted;
        for (const Term& term : rel.terms) {
            orrery::Result<std::optional<sql::Value>> value = binder.Bind(term, type, rel.column);
            if (!value.ok()) return Outcome::Fail(error_code::kInvalid, value.status().message());
            if (!value.value()) continue;
            orrery::Result<Cell> cell = Encode(type, *value.value());
            if (cell.ok()) wanted.push_back(cell.value());
        }
        std::vector<std::vector<Cell>> kept;
        for (auto& row : rows) {
            if (std::find(wanted.begin(), wanted.end(), row[static_cast<size_t>(col)]) != wanted.end()) {
                kept.push_back(std::move(row));
            }
        }
        rows = std::move(kept);
    }
    Result r;
    r.kind = Result::Kind::kRows;
    std::vector<int> picks;
    bool count = false;
    if (s.select_star) {
        for (size_t i = 0; i < v.columns.size(); ++i) picks.push_back(static_cast<int>(i));
        r.columns = v.columns;
    } else {
        for (const Selector& sel : s.selectors) {
            if (sel.count) {
                count = true;
                ColumnSpec spec{v.columns[0].keyspace, v.columns[0].table,
                                sel.alias.empty() ? "count" : sel.alias, T(TypeId::kBigint)};
                r.columns.push_back(spec);
                continue;
            }
            const int col = ColumnIndex(v, sel.column);
            if (col < 0) return Outcome::Fail(error_code::kInvalid, "Undefined column name " + sel.column);
            picks.push_back(col);
            ColumnSpec spec = v.columns[static_cast<size_t>(col)];
            if (!sel.alias.empty()) spec.name = sel.alias;
            r.columns.push_back(spec);
        }
    }
    if (count) {
        if (r.columns.size() != 1) {
            return Outcome::Fail(error_code::kInvalid, "COUNT(*) cannot be mixed with columns here");
        }
        r.rows.push_back({EncodeBigint(static_cast<int64_t>(rows.size()))});
        return Outcome::Ok(std::move(r));
    }
    size_t limit = rows.size();
    if (s.limit) {
        orrery::Result<std::optional<sql::Value>> n = binder.Bind(*s.limit, T(TypeId::kInt), "[limit]");
        if (!n.ok() || !n.value() || n.value()->is_null() || n.value()->integer() <= 0) {
            return Outcome::Fail(error_code::kInvalid, "LIMIT must be strictly positive");
        }
        limit = std::min(limit, static_cast<size_t>(n.value()->integer()));
    }
    for (size_t i = 0; i < limit; ++i) {
        std::vector<Cell> out;
        for (int p : picks) out.push_back(rows[i][static_cast<size_t>(p)]);
        r.rows.push_back(std::move(out));
    }
    return Outcome::Ok(std::move(r));
}

}  // namespace

std::optional<std::vector<ColumnSpec>> SystemTableColumns(const std::string& keyspace,
                                                          const std::string& table,
                                                          const Topology& topology) {
    std::optional<VirtualTable> v = SystemTable(keyspace, table, topology, Catalog{});
    if (!v) return std::nullopt;
    return v->columns;
}

void Translator::RunSystem(const Request& request, const Statement& s,
                           std::function<void(Outcome)> done) {
    const std::string ks = s.table.keyspace.empty() ? request.keyspace : s.table.keyspace;
    const std::string table = s.table.table;
    if (ks == "system" && table == "peers_v2") {
        return done(Outcome::Fail(error_code::kInvalid, "unconfigured table peers_v2"));
    }
    Binder binder(s, request.params);
    Status count = binder.CheckCount();
    if (!count.ok()) return done(Outcome::Fail(error_code::kInvalid, count.message()));
    LoadCatalog([this, s, ks, table, params = request.params, done](std::optional<Catalog> c,
                                                                  std::optional<Error> e) {
        if (!c) return done(Outcome::Fail(*e));
        std::optional<VirtualTable> v = SystemTable(ks, table, topology_, *c);
        if (!v) return done(Outcome::Fail(error_code::kInvalid, "unconfigured table " + table));
        Binder binder(s, params);
        done(Query(*v, s, binder));
    });
}

}  // namespace orrery::node::cql
