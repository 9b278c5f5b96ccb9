// Row values: how a row's column values are stored under its key (encoding/keys.h).
//
//   varint n, then n x { varint column_id, value }
//   value: u8 type (data_type.h's number), then BOOLEAN u8 | INTEGER/TIMESTAMP varsint64 |
//          FLOAT fixed64 bits | STRING/BLOB length-prefixed bytes
//
// Only non-NULL columns are stored (plus NULLs of columns whose missing_value is not NULL),
// in column-id order. Storing by id (not position) is what lets
// ADD/DROP COLUMN skip rewriting rows (catalog/schema.h). Column id 0 carries the hidden row id
// of a table without a primary key.
//
// A decoded row lists the table's columns in schema order; for a table with a hidden row id the
// row id follows as one extra INTEGER value (the scan's hidden last column).
//
// Column pruning. A reader that needs only some of those values passes the positions it wants
// (`wanted`, one flag per position of the decoded row; empty means all). The others are skipped
// in the bytes without being materialized and read as NULL; they are still checked for
// well-formedness, so a corrupt row is reported whichever columns a query reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/status.h"
#include "sql/catalog/schema.h"
#include "sql/value.h"

namespace orrery::sql {

void EncodeValue(std::string* dst, const Value& v);
bool DecodeValue(Decoder* in, Value* v);
// Reads past one value as DecodeValue would, without materializing it; false when malformed.
bool SkipValue(Decoder* in);

// REQUIRES: row.size() == columns (+1 with a hidden row id).
std::string EncodeRow(const TableSchema& table, const Row& row);
Result<Row> DecodeRow(const TableSchema& table, std::string_view bytes);
// DecodeRow into *row, reusing its storage (a scan decodes every row into one buffer). On an
// error *row holds some of the values. Only the positions flagged in `wanted` are decoded (all
// when it is empty); the rest are NULL.
// REQUIRES: wanted is empty or has StoredRowWidth(table) flags.
Status DecodeRowInto(const TableSchema& table, std::string_view bytes, Row* row,
                     const std::vector<bool>& wanted = {});

// The number of values in a decoded row of `table`.
inline size_t StoredRowWidth(const TableSchema& table) {
    return table.columns.size() + (table.has_hidden_rowid() ? 1 : 0);
}

}  // namespace orrery::sql
