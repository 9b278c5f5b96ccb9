// CQL values: how each CQL type is written on the wire (native protocol v4 §6), how it is
// stored in the SQL engine, and how its literals are read from CQL text.
//
// The SQL engine has six types (docs/sql.md §2), so every CQL type is stored as one of them:
//
//   CQL type                          SQL type    stored value
//   int, bigint, smallint, tinyint    INTEGER     the number (range-checked on the way in)
//   boolean                           BOOLEAN
//   double, float                     FLOAT       a double (a float is widened, exactly)
//   text, varchar, ascii              STRING      UTF-8 (ascii is checked to be 7-bit)
//   timestamp                         TIMESTAMP   microseconds (CQL carries milliseconds; x1000)
//   blob                              BLOB
//   uuid, timeuuid                    STRING      the canonical lower-case 36-character form,
//                                                 so the SQL shell shows a readable key; it
//                                                 sorts as text, not as Cassandra's uuid order
//   inet                              BLOB        the 4 or 16 address bytes
//   list<T>, set<T>, map<K,V>         BLOB        the value's own v4 serialization
//
// A collection kept as its serialized bytes round-trips exactly and needs no new engine type;
// the price is that SQL cannot look inside it (a WHERE on a collection column is refused by
// the translator). A set's or map's elements are sorted by their serialized bytes on the way in,
// so two equal sets are equal BLOBs (Cassandra sorts them by the element type's order; for text
// and non-negative numbers the two orders agree).
//
// Invariants: Decode never crashes on hostile bytes (every length is checked against what is
// left, every collection count against kMaxCollectionElements); Encode(Decode(b)) == b for
// every b Decode accepts (sets and maps: once their elements are in canonical order).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "node/cql_backend.h"
#include "sql/data_type.h"
#include "sql/value.h"

namespace orrery::node::cql {

// A bound on one collection's elements, so a hostile count cannot make us loop or allocate.
inline constexpr int32_t kMaxCollectionElements = 65536;
// Nesting of collection types (list<map<int, list<int>>> is depth 3).
inline constexpr int kMaxTypeDepth = 8;

// Parses a CQL type name: "int", "TEXT", "list<int>", "map<text, frozen<list<int>>>".
// frozen<> is accepted and dropped (a frozen collection is stored like any other here).
// Returns InvalidArgument naming the type for unknown or unsupported types (counter, decimal,
// varint, date, time, duration, tuples, UDTs).
orrery::Result<Type> ParseType(std::string_view text);

// The CQL name of a type, as system_schema.columns.type writes it: "int", "text",
// "list<int>", "map<text, int>".
std::string TypeName(const Type& type);

// The SQL column type a CQL type is stored in (the table of the header comment).
sql::DataType SqlTypeOf(const Type& type);
// Its name in a SQL CREATE TABLE: "INTEGER", "STRING", ...
std::string SqlTypeName(const Type& type);

// Whether the type is a list, set or map.
bool IsCollection(const Type& type);

// Converts a stored SQL value into the wire bytes of `type`. NULL gives std::nullopt.
// Returns Corruption when the stored value does not fit the type (it cannot, unless the SQL
// table was changed behind the translator's back).
orrery::Result<Cell> Encode(const Type& type, const sql::Value& value);

// Converts wire bytes of `type` into the SQL value to store. std::nullopt gives NULL; so does an
// empty value of a non-text, non-blob type (Cassandra's "empty" value). Returns
// InvalidArgument with Cassandra-like wording ("Expected 4 or 0 byte int (3)") for bad bytes.
orrery::Result<sql::Value> Decode(const Type& type, const Cell& cell);

// Serializes a native value directly (for the system tables, which are not stored in SQL).
std::string EncodeText(std::string_view text);
std::string EncodeInt(int32_t v);
std::string EncodeBigint(int64_t v);
std::string EncodeBoolean(bool v);
// A uuid's 16 bytes from its text form; InvalidArgument when it is not one.
orrery::Result<std::string> EncodeUuidText(std::string_view text);
// An IPv4 "a.b.c.d" or IPv6 text address's 4 or 16 bytes.
orrery::Result<std::string> EncodeInetText(std::string_view text);
// A set<text> or list<text> (the same layout in v4).
std::string EncodeTextCollection(const std::vector<std::string>& items);
// A map<text, text>.
std::string EncodeTextMap(const std::vector<std::pair<std::string, std::string>>& entries);

// Whether text is a uuid in 8-4-4-4-12 hex form.
bool IsUuidText(std::string_view text);
// The canonical text of 16 uuid bytes. REQUIRES: bytes.size() == 16.
std::string UuidToText(std::string_view bytes);

}  // namespace orrery::node::cql
