// The seam of the CQL front end (docs/21-cql.md): what the wire protocol (cql_protocol.h,
// cql_server.h: frames, the connection state machine) asks of the part that understands CQL
// statements (cql_translate.h: CQL onto the node's SQL sessions, the CQL schema, system tables).
//
// The protocol side knows frames and the byte layout of [bytes], [string], metadata and error
// bodies; it never looks inside a value. The statement side knows CQL text, the CQL types and
// how each value is serialized (cql_values.h); it never sees a frame. So a value crosses this
// seam as its serialized CQL bytes (std::nullopt for null), typed by the column or bind-marker
// metadata that travels with it.
//
// Both sides are state machines driven by callbacks, as PgConnection is: every call gets exactly
// one `done`, possibly later (a statement goes through Raft), possibly inline.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <memory>
#include <vector>

#include "node/sql_client.h"
#include "sql/value.h"

namespace orrery::node::cql {

// [consistency] of the native protocol (v4 §3).
enum class Consistency : uint16_t {
    kAny = 0x0000,
    kOne = 0x0001,
    kTwo = 0x0002,
    kThree = 0x0003,
    kQuorum = 0x0004,
    kAll = 0x0005,
    kLocalQuorum = 0x0006,
    kEachQuorum = 0x0007,
    kSerial = 0x0008,
    kLocalSerial = 0x0009,
    kLocalOne = 0x000A,
};

// [option] type ids of column metadata (v4 §4.2.5.2).
enum class TypeId : uint16_t {
    kCustom = 0x0000,
    kAscii = 0x0001,
    kBigint = 0x0002,
    kBlob = 0x0003,
    kBoolean = 0x0004,
    kCounter = 0x0005,
    kDecimal = 0x0006,
    kDouble = 0x0007,
    kFloat = 0x0008,
    kInt = 0x0009,
    kTimestamp = 0x000B,
    kUuid = 0x000C,
    kVarchar = 0x000D,  // text is varchar on the wire.
    kVarint = 0x000E,
    kTimeuuid = 0x000F,
    kInet = 0x0010,
    kDate = 0x0011,
    kTime = 0x0012,
    kSmallint = 0x0013,
    kTinyint = 0x0014,
    kList = 0x0020,
    kMap = 0x0021,
    kSet = 0x0022,
};

// A CQL type: a native type, or list<T> / set<T> (one parameter) / map<K, V> (two).
struct Type {
    TypeId id = TypeId::kVarchar;
    std::vector<Type> params;

    static Type Native(TypeId id) { return Type{id, {}}; }
    static Type List(Type t) { return Type{TypeId::kList, {std::move(t)}}; }
    static Type Set(Type t) { return Type{TypeId::kSet, {std::move(t)}}; }
    static Type Map(Type k, Type v) { return Type{TypeId::kMap, {std::move(k), std::move(v)}}; }
};

// One column of a Rows result, or one bind marker of a prepared statement.
struct ColumnSpec {
    std::string keyspace;
    std::string table;
    std::string name;
    Type type;
};

// A serialized value: the bytes of one [bytes] cell, std::nullopt for null.
using Cell = std::optional<std::string>;

// What the client sent with a QUERY or EXECUTE (v4 §4.1.4), already decoded by the protocol.
struct QueryParams {
    Consistency consistency = Consistency::kOne;
    std::vector<Cell> values;            // Bound values, in marker order.
    std::vector<bool> unset;             // Parallel to values: true for an "unset" value (-2).
    std::vector<std::string> names;      // Non-empty iff values were sent with names.
    std::optional<Consistency> serial;   // serial_consistency, if sent.
    std::optional<int64_t> timestamp;    // default timestamp (microseconds), if sent.
};

// One statement to run: a QUERY (text) or an EXECUTE (the prepared statement's text).
struct Request {
    std::string keyspace;  // The connection's current keyspace (USE), "" if none.
    std::string query;
    QueryParams params;
};

// RESULT bodies (v4 §4.2.5). Paging is the protocol's business: Rows carries every row.
struct Result {
    enum class Kind : uint8_t { kVoid, kRows, kSetKeyspace, kSchemaChange };
    Kind kind = Kind::kVoid;
    // kRows:
    std::vector<ColumnSpec> columns;
    std::vector<std::vector<Cell>> rows;  // Each row has columns.size() cells.
    // kSetKeyspace: the keyspace. kSchemaChange: its keyspace.
    std::string keyspace;
    // kSchemaChange (v4 §4.2.5.5): "CREATED" | "UPDATED" | "DROPPED"; "KEYSPACE" | "TABLE";
    // the table name for TABLE.
    std::string change_type;
    std::string target;
    std::string name;
};

// ERROR bodies (v4 §9). The code decides which of the optional fields are written.
struct Error {
    int32_t code = 0x0000;  // 0x0000 server error, 0x2000 syntax, 0x2200 invalid, ...
    std::string message;
    // 0x1000 unavailable: consistency, required, alive.
    // 0x1100 write timeout: consistency, received, block_for, write_type.
    // 0x1200 read timeout: consistency, received, block_for, data_present.
    Consistency consistency = Consistency::kOne;
    int32_t required = 0;
    int32_t alive = 0;
    int32_t received = 0;
    int32_t block_for = 0;
    std::string write_type;  // "SIMPLE", "BATCH", "CAS", ...
    bool data_present = false;
    // 0x2400 already exists: keyspace and table ("" for a keyspace).
    std::string keyspace;
    std::string table;
    // 0x2500 unprepared: the unknown id.
    std::string unprepared_id;
};

namespace error_code {
inline constexpr int32_t kServer = 0x0000;
inline constexpr int32_t kProtocol = 0x000A;
inline constexpr int32_t kBadCredentials = 0x0100;
inline constexpr int32_t kUnavailable = 0x1000;
inline constexpr int32_t kOverloaded = 0x1001;
inline constexpr int32_t kIsBootstrapping = 0x1002;
inline constexpr int32_t kTruncate = 0x1003;
inline constexpr int32_t kWriteTimeout = 0x1100;
inline constexpr int32_t kReadTimeout = 0x1200;
inline constexpr int32_t kReadFailure = 0x1300;
inline constexpr int32_t kSyntax = 0x2000;
inline constexpr int32_t kUnauthorized = 0x2100;
inline constexpr int32_t kInvalid = 0x2200;
inline constexpr int32_t kConfig = 0x2300;
inline constexpr int32_t kAlreadyExists = 0x2400;
inline constexpr int32_t kUnprepared = 0x2500;
}  // namespace error_code

// Exactly one of result / error.
struct Outcome {
    std::optional<Result> result;
    std::optional<Error> error;

    static Outcome Ok(Result r) { return Outcome{std::move(r), std::nullopt}; }
    static Outcome Fail(Error e) { return Outcome{std::nullopt, std::move(e)}; }
    static Outcome Fail(int32_t code, std::string message) {
        Error e;
        e.code = code;
        e.message = std::move(message);
        return Fail(std::move(e));
    }
};

// What PREPARE answers (v4 §4.2.5.4): the bind markers and, for a SELECT, the columns.
struct Prepared {
    std::vector<ColumnSpec> markers;
    std::vector<uint16_t> partition_key_indexes;  // Markers that bind the partition key, in
                                                  // partition-key order (may be empty).
    std::optional<std::vector<ColumnSpec>> result_columns;  // Rows-returning statements.
};

struct PrepareOutcome {
    std::optional<Prepared> prepared;
    std::optional<Error> error;
};

// One statement of a BATCH (v4 §4.1.7): text or the text of a prepared id, with its values.
struct BatchStatement {
    std::string query;
    std::vector<Cell> values;
};

struct BatchRequest {
    std::string keyspace;
    uint8_t type = 0;  // 0 logged, 1 unlogged, 2 counter.
    std::vector<BatchStatement> statements;
    Consistency consistency = Consistency::kOne;
    std::optional<Consistency> serial;
    std::optional<int64_t> timestamp;
};

// The statement side, as the connection sees it. Implemented by cql_translate.h; tests may
// script it.
class Backend {
public:
    virtual ~Backend() = default;
    virtual void Execute(Request request, std::function<void(Outcome)> done) = 0;
    virtual void Prepare(std::string keyspace, std::string query,
                         std::function<void(PrepareOutcome)> done) = 0;
    virtual void Batch(BatchRequest request, std::function<void(Outcome)> done) = 0;
};

// Who this node is and who its peers are, for system.local and system.peers (the driver learns
// the cluster's topology from them). Filled by the listener from the cluster config.
struct NodeInfo {
    std::string host_id;        // A UUID in text form, stable per node.
    std::string rpc_address;    // The IPv4 address clients reach this node's CQL port on.
    uint16_t rpc_port = 9042;
    std::string data_center = "datacenter1";
    std::string rack = "rack1";
    std::vector<std::string> tokens;  // Murmur3 tokens as decimal text; non-empty.
};

struct Topology {
    std::string cluster_name = "orrery";
    NodeInfo self;
    std::vector<NodeInfo> peers;  // Every other node, in node-id order.
};

// The SQL side the statement side runs on: one session of the node's SqlServer (a SqlClient, in
// tools/cql_listener.h), or an embedded engine session in tests. One statement at a time.
class SqlRunner {
public:
    virtual ~SqlRunner() = default;
    virtual void Execute(std::string text, std::vector<sql::Value> params,
                         std::function<void(const SqlOutcome&)> done) = 0;
};

// The statement side (cql_translate.cpp): CQL onto one SQL session. `sql` outlives it.
std::unique_ptr<Backend> NewTranslator(SqlRunner& sql, Topology topology);

}  // namespace orrery::node::cql
