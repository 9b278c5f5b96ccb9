// Rows and index entries of one table in the key space of encoding/keys.h, as the executor's
// operators and table_ops.h read and write them.
//
// A stored row (the scan's output) is the table's columns in schema order, plus the hidden row
// id last for a table without a primary key (row_codec.h). Its key is the primary-key values in
// key order, or the row id. An index entry's key is IndexKey(values of the index's columns, the
// row's key) with an empty value, so entries are unique even for equal values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/catalog/schema.h"
#include "sql/session.h"
#include "sql/txn.h"

namespace orrery::sql::exec {

// Positions in the stored row of the key columns (the row id's slot for a hidden key).
std::vector<int> KeySlots(const TableSchema& table);
// Types of the key columns (INTEGER for a hidden row id).
std::vector<DataType> KeyTypes(const TableSchema& table);
std::vector<Value> ValuesAt(const Row& row, const std::vector<int>& slots);
std::vector<Value> RowKeyValues(const TableSchema& table, const Row& row);
std::string StoredRowKey(const TableSchema& table, const Row& row);
std::string IndexEntryKey(const TableSchema& table, const IndexSchema& index, const Row& row);

// The row with key `key_values`, if there is one.
SqlResult<std::optional<Row>> GetRowByKey(Txn& txn, const TableSchema& table,
                                          const std::vector<Value>& key_values);
// The row stored at `row_key` as the statement's reads see it (Txn::GetAtStatementStart), with
// only the `wanted` positions decoded (row_codec.h; empty: all).
SqlResult<std::optional<Row>> GetRowAtStatementStart(Txn& txn, const TableSchema& table,
                                                     std::string_view row_key,
                                                     const std::vector<bool>& wanted = {});
SqlResult<Row> DecodeStoredRow(const TableSchema& table, std::string_view bytes);
// The same into *row, reusing its storage, with only the `wanted` positions decoded.
SqlResult<bool> DecodeStoredRowInto(const TableSchema& table, std::string_view bytes, Row* row,
                                    const std::vector<bool>& wanted = {});
// The row key held in an index entry's key.
SqlResult<std::vector<Value>> IndexEntryRowKey(const TableSchema& table, const IndexSchema& index,
                                               std::string_view entry_key);

// The key range of every entry of `index` whose leading values are `values`.
mvcc::KeyRange IndexValuesRange(const TableSchema& table, const IndexSchema& index,
                                const std::vector<Value>& values);
// True iff the range holds a key other than `except` ("" for none).
SqlResult<bool> AnyKeyIn(Txn& txn, const mvcc::KeyRange& range, std::string_view except);

// Writes the row and every index entry (the caller checked the constraints).
SqlResult<bool> PutRowAndEntries(Txn& txn, const TableSchema& table, const Row& row);
// The same for a caller that already encoded the row's key (an INSERT checked it is free).
// REQUIRES: row_key == StoredRowKey(table, row).
SqlResult<bool> PutRowAndEntries(Txn& txn, const TableSchema& table, const Row& row,
                                 std::string_view row_key);
// Deletes the row and every index entry.
SqlResult<bool> DeleteRowAndEntries(Txn& txn, const TableSchema& table, const Row& row);

// A value converted for a key column of `type`: exactly, or nullopt when it cannot be (a NULL,
// 1.5 for an INTEGER column, a type with no assignment). *exact is false when the conversion
// rounded (2^53 + 1 into a FLOAT).
std::optional<Value> KeyValueFor(const Value& v, const TypeSpec& type, bool* exact);

// "(a, b)=(1, 'x')": the key of a constraint message, as PostgreSQL's detail line.
std::string KeyDetail(const TableSchema& table, const std::vector<int>& slots,
                      const std::vector<Value>& values);

SqlError StatusError(const Status& status);

}  // namespace orrery::sql::exec
