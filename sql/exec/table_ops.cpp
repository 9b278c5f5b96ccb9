// DeleteTableData and BuildIndex (table_ops.h).
#include "sql/exec/table_ops.h"

#include <fmt/format.h>

#include <set>
#include <string>
#include <vector>

#include "core/assert.h"
#include "sql/encoding/keys.h"
#include "sql/eval/aggregate.h"
#include "sql/exec/row_store.h"

namespace orrery::sql {
namespace {

// Every key of `range`. Collected before deleting, which keeps the scan independent of the
// transaction's later writes (a scan sees none anyway, scan_iterator.h, but this says so).
SqlResult<std::vector<std::string>> KeysIn(Txn& txn, const mvcc::KeyRange& range) {
    auto scan = txn.Scan(range);
    if (!scan.ok()) return exec::StatusError(scan.status());
    std::vector<std::string> keys;
    auto& it = scan.value();
    for (; it->Valid(); it->Next()) keys.emplace_back(it->key());
    if (!it->status().ok()) return exec::StatusError(it->status());
    return keys;
}

SqlResult<uint64_t> DeleteRange(Txn& txn, const mvcc::KeyRange& range) {
    auto keys = KeysIn(txn, range);
    if (!keys.ok()) return keys.error();
    for (const std::string& k : keys.value()) {
        Status s = txn.Delete(k);
        if (!s.ok()) return exec::StatusError(s);
    }
    return static_cast<uint64_t>(keys.value().size());
}

}  // namespace

SqlResult<uint64_t> DeleteTableData(Txn& txn, const TableSchema& table) {
    auto rows = DeleteRange(txn, mvcc::KeyRange::Prefix(RowPrefix(table.id)));
    if (!rows.ok()) return rows;
    for (const IndexSchema& index : table.indexes) {
        auto entries = DeleteRange(txn, mvcc::KeyRange::Prefix(IndexPrefix(table.id, index.id)));
        if (!entries.ok()) return entries;
        // Every row has exactly one entry in every index.
        if (entries.value() != rows.value()) {
            return MakeSqlError(ErrorKind::kInternal,
                                fmt::format("index \"{}\" of \"{}\" held {} entries for {} rows",
                                            index.name, table.name, entries.value(),
                                            rows.value()));
        }
    }
    return rows;
}

SqlResult<bool> BuildIndex(Txn& txn, const TableSchema& table, size_t index) {
    ORRERY_ASSERT(index < table.indexes.size(), "index {} of {} indexes", index,
                  table.indexes.size());
    const IndexSchema& ix = table.indexes[index];
    std::vector<int> slots = table.Positions(ix.column_ids);
    for (int s : slots) {
        if (s < 0) {
            return MakeSqlError(ErrorKind::kInternal,
                                fmt::format("index \"{}\" names a column \"{}\" does not have",
                                            ix.name, table.name));
        }
    }
    auto scan = txn.Scan(mvcc::KeyRange::Prefix(RowPrefix(table.id)));
    if (!scan.ok()) return exec::StatusError(scan.status());
    // The distinct non-NULL value tuples seen so far (a UNIQUE index only).
    std::set<std::vector<Value>, bool (*)(const std::vector<Value>&, const std::vector<Value>&)>
        seen([](const std::vector<Value>& a, const std::vector<Value>& b) {
            return std::lexicographical_compare(
                a.begin(), a.end(), b.begin(), b.end(),
                [](const Value& x, const Value& y) { return CompareValues(x, y) < 0; });
        });
    std::vector<std::string> entries;
    auto& it = scan.value();
    for (; it->Valid(); it->Next()) {
        auto row = exec::DecodeStoredRow(table, it->value());
        if (!row.ok()) return row.error();
        std::vector<Value> values = exec::ValuesAt(row.value(), slots);
        bool has_null = false;
        for (const Value& v : values) has_null = has_null || v.is_null();
        if (ix.unique && !has_null && !seen.insert(values).second) {
            return MakeSqlError(ErrorKind::kUniqueViolation,
                                fmt::format("could not create unique index \"{}\": key {} is "
                                            "duplicated",
                                            ix.name, exec::KeyDetail(table, slots, values)));
        }
        entries.push_back(exec::IndexEntryKey(table, ix, row.value()));
    }
    if (!it->status().ok()) return exec::StatusError(it->status());
    for (const std::string& k : entries) {
        Status s = txn.Put(k, "");
        if (!s.ok()) return exec::StatusError(s);
    }
    return true;
}

}  // namespace orrery::sql
