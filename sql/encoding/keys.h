// The SQL layer's key space inside MVCC. Every key starts with kSqlKeyPrefix (txn.h), then a
// one-byte space, then order-preserving tuples of core/key_encoding.h:
//
//   90 01                                -> catalog version (varint), bumped by every DDL
//   90 02                                -> next table id (varint)
//   90 03 str(table name)                -> TableSchema (catalog/schema.h's encoding)
//   90 04 int(table id)                  -> next hidden row id of that table (varint)
//   90 10 int(table id) key...           -> a row (encoding/row_codec.h), key = the primary-key
//                                           values in key order, or int(hidden row id)
//   90 11 int(table id) int(index id) v... key...
//                                        -> "" (a secondary-index entry: the indexed values,
//                                           then the row's key, so entries are unique)
//
// Values map onto key_encoding's kinds by column type; columns are type-homogeneous, so the
// mixed-kind order of key_encoding never decides anything: BOOLEAN -> bool, INTEGER -> int64,
// FLOAT -> double (NaN one value above +inf, -0.0 = 0.0), STRING -> string, TIMESTAMP -> its
// int64 microseconds, BLOB -> its bytes as a string. NULL (secondary indexes only) sorts first.
//
// Why DDL bumps one version key: every statement reads it (recording it in its read set), so a
// DDL that commits concurrently with a transaction that planned against the old schema is a
// serialization conflict, and a session's cached plans are valid exactly while it is unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/key_encoding.h"
#include "mvcc/commit_request.h"
#include "sql/txn.h"
#include "sql/value.h"

namespace orrery::sql {

std::string CatalogVersionKey();
std::string TableIdCounterKey();
std::string TableSchemaKey(std::string_view name);
// The range holding every table schema.
mvcc::KeyRange TableSchemaRange();
std::string RowIdCounterKey(uint64_t table_id);

// 90 10 int(table id): every row of the table starts with it.
std::string RowPrefix(uint64_t table_id);
// RowPrefix + the key values.
std::string RowKey(uint64_t table_id, const std::vector<Value>& key);
// 90 11 int(table) int(index): every entry of the index starts with it.
std::string IndexPrefix(uint64_t table_id, uint32_t index_id);
std::string IndexKey(uint64_t table_id, uint32_t index_id, const std::vector<Value>& values,
                     const std::vector<Value>& row_key);

// Appends the key encoding of v (see the mapping above).
void AppendKeyPart(std::string* dst, const Value& v);
// Decodes key parts written by AppendKeyPart, typed by `types` (one per part); Corruption if
// the bytes do not hold that many parts of those kinds.
Result<std::vector<Value>> DecodeKeyParts(std::string_view bytes, const std::vector<DataType>& types);

}  // namespace orrery::sql
