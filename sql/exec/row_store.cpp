// Stored rows and index entries (row_store.h).
#include "sql/exec/row_store.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "core/key_encoding.h"
#include "sql/encoding/keys.h"
#include "sql/encoding/row_codec.h"
#include "sql/eval/ops.h"

namespace orrery::sql::exec {

SqlError StatusError(const Status& status) { return ErrorFromStatus(status); }

std::vector<int> KeySlots(const TableSchema& table) {
    if (table.has_hidden_rowid()) return {static_cast<int>(table.columns.size())};
    return table.KeyPositions();
}

std::vector<DataType> KeyTypes(const TableSchema& table) {
    if (table.has_hidden_rowid()) return {DataType::kInteger};
    std::vector<DataType> out;
    for (int p : table.KeyPositions()) out.push_back(table.columns[static_cast<size_t>(p)].type.type);
    return out;
}

std::vector<Value> ValuesAt(const Row& row, const std::vector<int>& slots) {
    std::vector<Value> out;
    out.reserve(slots.size());
    for (int s : slots) {
        ORRERY_ASSERT(s >= 0 && static_cast<size_t>(s) < row.size(), "slot {} of a row of {}", s,
                      row.size());
        out.push_back(row[static_cast<size_t>(s)]);
    }
    return out;
}

std::vector<Value> RowKeyValues(const TableSchema& table, const Row& row) {
    return ValuesAt(row, KeySlots(table));
}

std::string StoredRowKey(const TableSchema& table, const Row& row) {
    return RowKey(table.id, RowKeyValues(table, row));
}

std::string IndexEntryKey(const TableSchema& table, const IndexSchema& index, const Row& row) {
    return IndexKey(table.id, index.id, ValuesAt(row, table.Positions(index.column_ids)),
                    RowKeyValues(table, row));
}

SqlResult<Row> DecodeStoredRow(const TableSchema& table, std::string_view bytes) {
    auto row = DecodeRow(table, bytes);
    if (!row.ok()) return StatusError(row.status());
    return std::move(row).value();
}

namespace {

// A Get's answer as a row: an error, no row, or the decoded row (its `wanted` positions).
SqlResult<std::optional<Row>> RowFromGet(const TableSchema& table,
                                         const Result<std::optional<std::string>>& got,
                                         const std::vector<bool>& wanted = {}) {
    if (!got.ok()) return StatusError(got.status());
    if (!got.value()) return std::optional<Row>();
    Row row;
    Status s = DecodeRowInto(table, *got.value(), &row, wanted);
    if (!s.ok()) return StatusError(s);
    return std::optional<Row>(std::move(row));
}

}  // namespace

SqlResult<std::optional<Row>> GetRowAtStatementStart(Txn& txn, const TableSchema& table,
                                                     std::string_view row_key,
                                                     const std::vector<bool>& wanted) {
    return RowFromGet(table, txn.GetAtStatementStart(row_key), wanted);
}

SqlResult<bool> DecodeStoredRowInto(const TableSchema& table, std::string_view bytes, Row* row,
                                    const std::vector<bool>& wanted) {
    Status s = DecodeRowInto(table, bytes, row, wanted);
    if (!s.ok()) return StatusError(s);
    return true;
}

SqlResult<std::optional<Row>> GetRowByKey(Txn& txn, const TableSchema& table,
                                          const std::vector<Value>& key_values) {
    return RowFromGet(table, txn.Get(RowKey(table.id, key_values)));
}

SqlResult<std::vector<Value>> IndexEntryRowKey(const TableSchema& table, const IndexSchema& index,
                                               std::string_view entry_key) {
    std::string prefix = IndexPrefix(table.id, index.id);
    if (entry_key.substr(0, prefix.size()) != prefix) {
        return MakeSqlError(ErrorKind::kInternal, "index entry outside its index");
    }
    std::vector<DataType> types;
    for (int p : table.Positions(index.column_ids)) {
        types.push_back(table.columns[static_cast<size_t>(p)].type.type);
    }
    std::vector<DataType> key_types = KeyTypes(table);
    types.insert(types.end(), key_types.begin(), key_types.end());
    auto parts = DecodeKeyParts(entry_key.substr(prefix.size()), types);
    if (!parts.ok()) return StatusError(parts.status());
    std::vector<Value> all = std::move(parts).value();
    return std::vector<Value>(all.end() - static_cast<std::ptrdiff_t>(key_types.size()), all.end());
}

mvcc::KeyRange IndexValuesRange(const TableSchema& table, const IndexSchema& index,
                                const std::vector<Value>& values) {
    std::string prefix = IndexPrefix(table.id, index.id);
    for (const Value& v : values) AppendKeyPart(&prefix, v);
    return mvcc::KeyRange::Prefix(prefix);
}

SqlResult<bool> AnyKeyIn(Txn& txn, const mvcc::KeyRange& range, std::string_view except) {
    auto scan = txn.Scan(range);
    if (!scan.ok()) return StatusError(scan.status());
    auto& it = scan.value();
    for (; it->Valid(); it->Next()) {
        if (it->key() != except) return true;
    }
    if (!it->status().ok()) return StatusError(it->status());
    return false;
}

SqlResult<bool> PutRowAndEntries(Txn& txn, const TableSchema& table, const Row& row) {
    return PutRowAndEntries(txn, table, row, StoredRowKey(table, row));
}

SqlResult<bool> PutRowAndEntries(Txn& txn, const TableSchema& table, const Row& row,
                                 std::string_view row_key) {
    Status s = txn.Put(row_key, EncodeRow(table, row));
    if (!s.ok()) return StatusError(s);
    for (const IndexSchema& index : table.indexes) {
        s = txn.Put(IndexEntryKey(table, index, row), "");
        if (!s.ok()) return StatusError(s);
    }
    return true;
}

SqlResult<bool> DeleteRowAndEntries(Txn& txn, const TableSchema& table, const Row& row) {
    Status s = txn.Delete(StoredRowKey(table, row));
    if (!s.ok()) return StatusError(s);
    for (const IndexSchema& index : table.indexes) {
        s = txn.Delete(IndexEntryKey(table, index, row));
        if (!s.ok()) return StatusError(s);
    }
    return true;
}

std::optional<Value> KeyValueFor(const Value& v, const TypeSpec& type, bool* exact) {
    *exact = true;
    if (v.is_null()) return std::nullopt;
    TypeSpec unbounded{type.type, std::nullopt};  // A key never needs the length check.
    auto converted = AssignValue(v, unbounded, "");
    if (!converted.ok()) return std::nullopt;
    bool numbers = v.type() == DataType::kInteger || v.type() == DataType::kFloat;
    if (numbers && CompareValues(converted.value(), v) != 0) *exact = false;
    return converted.value();
}

std::string KeyDetail(const TableSchema& table, const std::vector<int>& slots,
                      const std::vector<Value>& values) {
    std::string names;
    std::string vals;
    for (size_t i = 0; i < slots.size(); ++i) {
        size_t s = static_cast<size_t>(slots[i]);
        if (i > 0) {
            names += ", ";
            vals += ", ";
        }
        names += s < table.columns.size() ? table.columns[s].name : "rowid";
        vals += i < values.size() ? values[i].ToString() : "?";
    }
    return fmt::format("({})=({})", names, vals);
}

}  // namespace orrery::sql::exec
