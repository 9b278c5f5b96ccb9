// The statement side of the CQL front end: CQL statements onto one SQL session (a SqlRunner),
// behind the seam of cql_backend.h. NewTranslator (declared there) builds a Translator.
//
// Design.
//
//  * The CQL schema lives in three SQL tables the translator creates on first DDL, so it is
//    transactional and replicated through Raft like any write, and every node sees one catalog:
//      cql_keyspaces (keyspace_name PK, durable_writes, replication: a map<text,text> as bytes)
//      cql_tables    (keyspace_name, table_name; PK both)
//      cql_columns   (keyspace_name, table_name, column_name; kind partition_key | clustering |
//                     regular, position, type (CQL text, e.g. "list<int>"), clustering_order)
//    A CQL table ks.t is the SQL table "ks.t" (quoted; Cassandra names are \w{1,48}, so the
//    dot cannot collide). Columns keep their CQL names, quoted; CQL types map onto SQL types as
//    cql_values.h says. The SQL table's primary key is (partition key..., clustering key...), so
//    a CQL partition is a contiguous key range and a clustering range a key-prefix scan.
//  * Each statement reads the schema of its table first (one SQL SELECT), then runs. A DDL on
//    another connection between the two is seen by the second statement as an SQL error
//    (unconfigured table), never as a silent misreading: the SQL statement names its columns.
//  * CQL writes are upserts. INSERT / UPDATE without IF is "UPDATE ... WHERE key; if no row
//    was updated, INSERT"; when a concurrent INSERT wins between the two (a unique violation),
//    the pair is retried (kMaxAttempts). Each SQL statement is atomic and linearizable, so the
//    pair is an upsert. An INSERT of key columns only is the engine's INSERT ... IF NOT EXISTS.
//  * Conditional writes (INSERT IF NOT EXISTS, UPDATE/DELETE IF EXISTS | IF cond) are the
//    engine's LWT syntax (docs/sql.md §13): one serializable SQL statement, committed as one
//    Raft entry. The [applied] row is reshaped as Cassandra's: only [applied] when true; the
//    current values too when false.
//  * BATCH (logged or unlogged) is one SQL transaction (BEGIN ... COMMIT), retried whole on a
//    serialization failure (it certainly had no effect). Unlogged batches get the same
//    atomicity, which is stronger than Cassandra's, never weaker.
//  * Consistency levels are accepted and change nothing: in the Raft mode every statement is
//    linearizable through the leader. The client's default timestamp is ignored for the same
//    reason: writes are ordered by the Raft log, not by timestamps (USING TIMESTAMP, which
//    would ask for another order, is refused).
//  * System tables are answered here, not stored: system.local and system.peers from the
//    Topology; system.peers_v2 is "unconfigured table peers_v2" as in Cassandra 3.11 (the
//    driver then falls back to system.peers); system_schema.keyspaces / tables / columns from
//    the catalog, and the other system_schema tables empty with their columns. schema_version
//    is a UUID derived from a hash of the catalog's rows, so it changes on DDL and is the same
//    on every node; peers' rows report the same value, because there is one catalog.
//  * Errors map as Cassandra's: syntax 0x2000; unknown table or column, bad values 0x2200;
//    already exists 0x2400; serialization failure after retries, unknown outcome, no answer:
//    write timeout 0x1100 (write type CAS for LWT, BATCH, SIMPLE) or read timeout 0x1200;
//    unavailable 0x1000; storage failures 0x0000.
//
// Not supported (a clear error, never a wrong answer): TTL, USING TIMESTAMP, counters,
// collection element updates, secondary indexes, materialized views, UDTs, functions, ALTER,
// JSON, static columns, COMPACT STORAGE, IN on the key of an UPDATE or a conditional write,
// restrictions on collection columns, preparing a BATCH text.
//
// Known differences from Cassandra 3.11, none of them a wrong value:
//  * Queries Cassandra refuses without ALLOW FILTERING (a regular column, no partition key) are
//    answered; partitions come in key order, not token order.
//  * Row liveness: Cassandra's UPDATE creates no row marker, so a row made only by UPDATE
//    vanishes when its last cell is deleted; here a row lives until DELETE. An UPDATE that
//    writes only nulls creates no row, as in Cassandra.
//  * A false conditional UPDATE/DELETE on a missing row answers [applied] with the condition's
//    columns as null (Cassandra answers [applied] alone).
//  * A prepared statement is bound to its table at EXECUTE, with the keyspace the request
//    carries (Cassandra binds at PREPARE).
//  * Timestamp literals without a zone are UTC (Cassandra uses the server's zone).
//  * durable_writes is stored and reported but changes nothing: every write goes through Raft.
//  * system.peers has no port column (3.11 has none): the driver then reaches every peer on the
//    port it was given, so nodes on one host need distinct addresses (127.0.0.x), or a port each
//    and the driver's whitelist policy. host_id must be uuid text (otherwise it reads as null and
//    the driver ignores the peer).
//
// Files: cql_translate.cpp (queue, scripts, errors, dispatch), cql_schema.cpp (the catalog),
// cql_ddl.cpp (schema statements), cql_dml.cpp / cql_select.cpp (planning data statements),
// cql_run.cpp (running them, BATCH, PREPARE), cql_system.cpp (system tables), cql_bind.h
// (literals and markers -> SQL values), cql_parser.h (the grammar), cql_values.h (the types).
//
// Invariants: one SQL statement at a time on the runner; requests are answered in arrival
// order, each exactly once; a transaction the translator opened is committed or rolled back
// before the next request starts; a callback arriving after the translator is destroyed is
// dropped.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "node/cql_backend.h"
#include "node/cql_parser.h"
#include "node/cql_values.h"

namespace orrery::node::cql {

// Attempts of one write (serialization failures, lost upsert races) before it is reported.
inline constexpr int kMaxAttempts = 4;
// Steps a script may add while it runs (DROP KEYSPACE's tables, an upsert's INSERTs).
inline constexpr size_t kMaxScriptSteps = 1 << 20;

// One column of a CQL table, as the catalog stores it.
struct ColumnInfo {
    enum class Kind : uint8_t { kPartitionKey, kClustering, kRegular };
    std::string name;
    Type type;
    Kind kind = Kind::kRegular;
    int position = -1;     // Within the partition or clustering key; -1 for regular columns.
    bool descending = false;
};

// A CQL table: columns in Cassandra's order (partition key, clustering key, then the regular
// columns by name).
struct TableSchema {
    std::string keyspace;
    std::string table;
    std::vector<ColumnInfo> columns;

    const ColumnInfo* Find(const std::string& name) const;
    std::vector<const ColumnInfo*> KeyColumns() const;  // Partition then clustering.
    size_t partition_key_size() const;
};

// The catalog's names of column kinds ("partition_key", "clustering", "regular") and back.
ColumnInfo::Kind KindOf(const std::string& name);
const char* KindName(ColumnInfo::Kind kind);
// Puts columns in Cassandra's order (TableSchema's comment).
void SortColumns(std::vector<ColumnInfo>& columns);

// The whole catalog, for the system_schema tables and schema_version.
struct Catalog {
    std::vector<sql::Row> keyspaces;  // keyspace_name, durable_writes, replication.
    std::vector<sql::Row> tables;     // keyspace_name, table_name.
    std::vector<sql::Row> columns;    // keyspace_name, table_name, column_name, kind, position,
                                      // type, clustering_order.
};

// The SQL name of a CQL table or column, quoted: "ks.t", "Col".
std::string SqlName(const std::string& keyspace, const std::string& table);
std::string Quote(const std::string& name);
// Whether a keyspace is one of Cassandra's own (answered by cql_system.cpp, never stored).
bool IsSystemKeyspace(const std::string& keyspace);
// Whether a keyspace or table name is one Cassandra accepts: 1 to 48 of [A-Za-z0-9_].
bool ValidSchemaName(const std::string& name);

// One SQL statement of a script, and what to do with its result.
struct SqlStep {
    std::string text;
    std::vector<sql::Value> params;
    // Called with the step's result: returns an Outcome to end the script with (the transaction,
    // if any, is rolled back), or nullopt to go on. `next` may receive steps to run right after
    // this one. May be empty.
    std::function<std::optional<Outcome>(const sql::StatementResult&, std::vector<SqlStep>& next)>
        check;
    // 42P01 (a catalog table not created yet) counts as an empty result.
    bool missing_table_is_empty = false;
    // A unique violation restarts the script (the upsert race); see the header comment.
    bool retry_on_unique = false;
};

// How errors of a script are reported (cql_backend.h Error fields).
struct ErrorContext {
    bool write = false;
    std::string write_type = "SIMPLE";
    Consistency consistency = Consistency::kOne;
    std::string table;  // For "unconfigured table t".
    std::string keyspace;
};

// A list of SQL steps, run in order, optionally inside one transaction.
struct Script {
    std::vector<SqlStep> steps;
    bool transaction = false;
    ErrorContext errors;
    // Builds the CQL result from every step's result (in run order). Called after COMMIT.
    std::function<Outcome(std::vector<sql::StatementResult>&)> finish;
};

// Maps an SQL failure onto a CQL error.
Error MapSqlError(const SqlOutcome& outcome, const ErrorContext& context);

class Translator final : public Backend {
public:
    Translator(SqlRunner& sql, Topology topology);
    ~Translator() override;

    void Execute(Request request, std::function<void(Outcome)> done) override;
    void Prepare(std::string keyspace, std::string query,
                 std::function<void(PrepareOutcome)> done) override;
    void Batch(BatchRequest request, std::function<void(Outcome)> done) override;

private:
    using Job = std::function<void(std::function<void()> finished)>;
    struct ScriptRun;

    // The request queue: one job at a time, in arrival order.
    void Enqueue(Job job);
    void Pump();

    // Runs one SQL statement; the callback is dropped if the translator is gone.
    void Sql(std::string text, std::vector<sql::Value> params,
             std::function<void(const SqlOutcome&)> done);
    void RunScript(Script script, std::function<void(Outcome)> done);
    void ScriptStep(std::shared_ptr<ScriptRun> run);
    void ScriptFail(std::shared_ptr<ScriptRun> run, const SqlOutcome& failure);
    void ScriptEnd(std::shared_ptr<ScriptRun> run, Outcome outcome);

    // Creates the catalog tables once per translator (CREATE TABLE IF NOT EXISTS).
    void EnsureCatalog(std::function<void(std::optional<Error>)> done);
    void LoadTable(const std::string& keyspace, const std::string& table,
                   std::function<void(std::optional<TableSchema>, std::optional<Error>)> done);
    void LoadCatalog(std::function<void(std::optional<Catalog>, std::optional<Error>)> done);

    // One statement (already parsed) of a request.
    void Run(const Request& request, Statement statement, std::function<void(Outcome)> done);
    void RunDdl(const Request& request, Statement statement, std::function<void(Outcome)> done);
    void Truncate(const std::string& keyspace, const std::string& table,
                  std::function<void(Outcome)> done);
    void RunSystem(const Request& request, const Statement& statement,
                   std::function<void(Outcome)> done);
    void RunDml(const Request& request, Statement statement, std::function<void(Outcome)> done);
    void RunBatch(std::string keyspace, std::vector<std::pair<Statement, QueryParams>> items,
                  Consistency consistency, std::function<void(Outcome)> done);
    void DoPrepare(const std::string& keyspace, Statement statement,
                   std::function<void(PrepareOutcome)> done);

    SqlRunner& sql_;
    Topology topology_;
    std::deque<Job> queue_;
    bool busy_ = false;
    bool pumping_ = false;
    bool catalog_ready_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace orrery::node::cql
