// Schema objects: what the catalog stores about a table, its columns, indexes and constraints.
//
// Identity. A table has a numeric id from a counter (never reused), and every column a stable
// id within its table (never reused either). Rows store their values by column id
// (encoding/row_codec.h), so:
//  - ADD COLUMN rewrites no row: rows written before it lack the id and read as the column's
//    `missing_value` (its DEFAULT at the time it was added, else NULL), as PostgreSQL 11's
//    attmissingval does;
//  - DROP COLUMN rewrites no row: the id disappears from the schema, and the bytes stored under
//    it are ignored (and dropped when the row is next written);
//  - RENAME (table or column) changes the catalog only.
//
// Keys. primary_key lists column ids in key order. For PRIMARY KEY ((p1, p2), c) the
// partition_key_columns = 2 leading entries are the partition key the leaderless mode hashes on.
// An empty primary_key means the table has none: rows are keyed by a hidden row id drawn from a
// per-table counter (encoding/keys.h), which any two concurrent inserters both read and write,
// so they conflict and one retries: simple and serializable, not scalable (docs/sql.md).
//
// Invariants: column names are unique (case-sensitive, as folded by the parser); every id in
// primary_key, indexes and foreign keys names a column of the table; primary-key columns are
// NOT NULL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "sql/data_type.h"
#include "sql/value.h"

namespace orrery::sql {

struct ColumnSchema {
    uint32_t id = 0;  // >= 1; 0 is the hidden row id's slot in stored rows.
    std::string name;
    TypeSpec type;
    bool not_null = false;
    std::optional<Value> default_value;  // DEFAULT, already converted to the column's type.
    Value missing_value;                 // What rows older than the column hold (see above).
};

struct IndexSchema {
    uint32_t id = 0;
    std::string name;
    std::vector<uint32_t> column_ids;
    bool unique = false;
};

struct ForeignKeySchema {
    std::string name;
    std::vector<uint32_t> column_ids;          // In this (the child) table.
    uint64_t parent_table_id = 0;
    std::vector<uint32_t> parent_column_ids;   // The parent's primary key or a unique index.
};

struct CheckSchema {
    std::string name;
    std::string sql;  // The expression as written; bound against the table when used.
};

struct TableSchema {
    uint64_t id = 0;
    std::string name;
    std::vector<ColumnSchema> columns;
    std::vector<uint32_t> primary_key;
    uint32_t partition_key_columns = 0;
    std::vector<IndexSchema> indexes;
    std::vector<ForeignKeySchema> foreign_keys;
    std::vector<CheckSchema> checks;
    uint32_t next_column_id = 1;
    uint32_t next_index_id = 1;

    bool has_hidden_rowid() const { return primary_key.empty(); }
    // The position of column `id` in `columns`, or -1.
    int ColumnIndex(uint32_t column_id) const;
    // The position of the column named `name`, or -1.
    int ColumnIndexByName(const std::string& name) const;
    // Positions (in `columns`) of the primary-key columns.
    std::vector<int> KeyPositions() const;
    std::vector<int> Positions(const std::vector<uint32_t>& column_ids) const;
};

// Binary encoding of a schema (the catalog's value bytes) and its inverse.
std::string EncodeTableSchema(const TableSchema& schema);
Result<TableSchema> DecodeTableSchema(std::string_view bytes);

}  // namespace orrery::sql
