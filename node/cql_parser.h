// The CQL statement parser: CQL text -> a Statement, the subset of CQL 3.4 (Cassandra 3.11)
// the translator runs (cql_translate.h lists it). Pure: no schema, no I/O. The translator binds
// names and types against the CQL schema afterwards.
//
// Lexical rules follow Cassandra's: unquoted identifiers and keywords are case-insensitive and
// folded to lower case; "quoted" identifiers keep their case ("" is one quote); strings are
// 'single quoted' ('' is one quote) or $$dollar quoted$$; numbers may carry a sign, a fraction
// and an exponent; 0x... is a blob; 8-4-4-4-12 hex is a uuid; true/false in any case are
// booleans; ? and :name are bind markers, numbered left to right from 0.
//
// What the grammar does not cover (TTL, USING TIMESTAMP, counters, collection element updates,
// functions, JSON, secondary indexes, views, UDTs, ALTER) gives a syntax error that names it, so
// nothing unsupported is silently misread.
//
// Invariants: Parse never crashes on any input; nesting of collection literals is bounded by
// kMaxTermDepth; a statement has at most kMaxMarkers bind markers; a BATCH holds at most
// kMaxBatchStatements statements and no nested BATCH.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace orrery::node::cql {

inline constexpr int kMaxTermDepth = 8;
inline constexpr int kMaxMarkers = 65535;
inline constexpr size_t kMaxBatchStatements = 65535;

// A value in CQL text: a literal, a bind marker or a collection literal.
struct Term {
    enum class Kind : uint8_t {
        kNull, kString, kInteger, kFloat, kBoolean, kUuid, kBlob, kMarker,
        kList, kSet, kMap,  // items; a map's items alternate key, value.
    };
    Kind kind = Kind::kNull;
    std::string text;     // The literal's text (a string without quotes, a blob without 0x,
                          // a number with its sign); a named marker's name.
    int marker = -1;      // kMarker: its index in the statement.
    std::vector<Term> items;
};

// A table reference: [keyspace.]table ("" keyspace: the connection's current one).
struct TableRef {
    std::string keyspace;
    std::string table;
};

// column op term, or column IN (terms).
struct Relation {
    std::string column;
    std::string op;  // "=", "<", "<=", ">", ">=", "IN", "!=".
    std::vector<Term> terms;  // One, or the IN list (one marker term for IN ?).
};

struct ColumnDef {
    std::string name;
    std::string type;  // As written; cql_values.h ParseType reads it.
    bool primary_key = false;  // `k int PRIMARY KEY`.
};

struct Selector {
    std::string column;  // "" for COUNT(*).
    std::string alias;
    bool count = false;
};

struct Statement {
    enum class Kind : uint8_t {
        kUse, kCreateKeyspace, kDropKeyspace, kCreateTable, kDropTable, kTruncate,
        kInsert, kUpdate, kDelete, kSelect, kBatch,
    };
    Kind kind = Kind::kUse;
    bool if_not_exists = false;  // CREATE ... IF NOT EXISTS, INSERT ... IF NOT EXISTS.
    bool if_exists = false;      // DROP ... IF EXISTS, UPDATE/DELETE ... IF EXISTS.
    std::string keyspace;        // USE, CREATE/DROP KEYSPACE.
    TableRef table;
    // WITH properties of CREATE KEYSPACE / TABLE (name -> term; replication is a map term).
    std::vector<std::pair<std::string, Term>> properties;
    // CREATE TABLE.
    std::vector<ColumnDef> columns;
    std::vector<std::string> partition_key;
    std::vector<std::string> clustering_key;
    std::vector<std::pair<std::string, bool>> clustering_order;  // (column, descending).
    // INSERT.
    std::vector<std::string> insert_columns;
    std::vector<Term> insert_values;
    // UPDATE: column = term.
    std::vector<std::pair<std::string, Term>> assignments;
    // DELETE col, ... FROM (empty: the whole row).
    std::vector<std::string> delete_columns;
    // UPDATE, DELETE, SELECT.
    std::vector<Relation> where;
    // UPDATE, DELETE: IF c = v AND ... (ops as in Relation, no IN).
    std::vector<Relation> conditions;
    // SELECT.
    bool select_star = false;
    bool distinct = false;
    std::vector<Selector> selectors;
    std::vector<std::pair<std::string, bool>> order_by;  // (column, descending).
    std::optional<Term> limit;
    bool allow_filtering = false;
    // BATCH.
    bool batch_logged = true;
    std::vector<Statement> batch;
    // Every statement: how many bind markers, and their names (for :name markers; "" for ?).
    int marker_count = 0;
    std::vector<std::string> marker_names;

    // Whether the statement is a conditional write (Cassandra's LWT).
    bool conditional() const {
        return (kind == Kind::kInsert && if_not_exists) ||
               ((kind == Kind::kUpdate || kind == Kind::kDelete) &&
                (if_exists || !conditions.empty()));
    }
};

// Parses one statement (a trailing ';' is fine). A syntax error is InvalidArgument whose
// message says what was expected and what was found (Cassandra's ANTLR wording is not copied).
orrery::Result<Statement> ParseStatement(std::string_view text);

}  // namespace orrery::node::cql
