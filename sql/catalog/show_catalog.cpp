// SHOW CATALOG. See show_catalog.h.
#include "sql/catalog/show_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/assert.h"

namespace orrery::sql {
namespace {

constexpr size_t kColumnCount = 12;

// "2,3": the 1-based positions of `ids` among the table's columns.
std::string PositionList(const TableSchema& table, const std::vector<uint32_t>& ids) {
    std::string out;
    for (uint32_t id : ids) {
        int pos = table.ColumnIndex(id);
        ORRERY_ASSERT(pos >= 0, "table {} has no column id {}", table.name, id);
        if (!out.empty()) out += ',';
        out += std::to_string(pos + 1);
    }
    return out;
}

// A row with the first four columns set and the rest NULL.
Row ObjectRow(const TableSchema& table, std::string_view kind, int64_t position) {
    Row row(kColumnCount, Value::Null());
    row[0] = Value::Integer(static_cast<int64_t>(table.id));
    row[1] = Value::String(table.name);
    row[2] = Value::String(std::string(kind));
    row[3] = Value::Integer(position);
    return row;
}

// Appends the rows of one table (a foreign key names its parent by id: looked up).
SqlResult<bool> AppendTable(Catalog& catalog, const TableSchema& t, std::vector<Row>* rows) {
    rows->push_back(ObjectRow(t, "table", 0));
    rows->back()[4] = Value::String(t.name);
    for (size_t i = 0; i < t.columns.size(); ++i) {
        const ColumnSchema& c = t.columns[i];
        Row row = ObjectRow(t, "column", static_cast<int64_t>(i + 1));
        row[4] = Value::String(c.name);
        row[5] = Value::String(c.type.ToString());
        row[6] = Value::Boolean(c.not_null);
        if (c.default_value) row[7] = Value::String(c.default_value->ToSqlLiteral());
        rows->push_back(std::move(row));
    }
    if (!t.primary_key.empty()) {
        Row row = ObjectRow(t, "primary key", 0);
        row[8] = Value::String(PositionList(t, t.primary_key));
        rows->push_back(std::move(row));
    }
    for (size_t i = 0; i < t.indexes.size(); ++i) {
        Row row = ObjectRow(t, "index", static_cast<int64_t>(i + 1));
        row[4] = Value::String(t.indexes[i].name);
        row[6] = Value::Boolean(t.indexes[i].unique);
        row[8] = Value::String(PositionList(t, t.indexes[i].column_ids));
        rows->push_back(std::move(row));
    }
    for (size_t i = 0; i < t.foreign_keys.size(); ++i) {
        const ForeignKeySchema& fk = t.foreign_keys[i];
        auto parent = catalog.LookupById(fk.parent_table_id);
        if (!parent.ok()) return parent.error();
        // A parent is never dropped while a child refers to it (DROP TABLE refuses).
        ORRERY_ASSERT(parent.value() != nullptr, "foreign key {} names a missing table", fk.name);
        Row row = ObjectRow(t, "foreign key", static_cast<int64_t>(i + 1));
        row[4] = Value::String(fk.name);
        row[8] = Value::String(PositionList(t, fk.column_ids));
        row[9] = Value::String(parent.value()->name);
        row[10] = Value::String(PositionList(*parent.value(), fk.parent_column_ids));
        rows->push_back(std::move(row));
    }
    for (size_t i = 0; i < t.checks.size(); ++i) {
        Row row = ObjectRow(t, "check", static_cast<int64_t>(i + 1));
        row[4] = Value::String(t.checks[i].name);
        row[11] = Value::String(t.checks[i].sql);
        rows->push_back(std::move(row));
    }
    return true;
}

}  // namespace

SqlResult<StatementResult> ShowCatalog(Catalog& catalog) {
    auto all = catalog.List();
    if (!all.ok()) return all.error();
    std::vector<TablePtr> tables = all.value();
    std::sort(tables.begin(), tables.end(),
              [](const TablePtr& a, const TablePtr& b) { return a->name < b->name; });
    StatementResult r;
    r.tag = "SHOW";
    r.columns = {{"table_id", DataType::kInteger},      {"table", DataType::kString},
                 {"kind", DataType::kString},           {"position", DataType::kInteger},
                 {"name", DataType::kString},           {"type", DataType::kString},
                 {"not_null", DataType::kBoolean},      {"default", DataType::kString},
                 {"columns", DataType::kString},        {"parent", DataType::kString},
                 {"parent_columns", DataType::kString}, {"expression", DataType::kString}};
    ORRERY_ASSERT(r.columns.size() == kColumnCount, "one name per column");
    for (const TablePtr& t : tables) {
        auto appended = AppendTable(catalog, *t, &r.rows);
        if (!appended.ok()) return appended.error();
    }
    return r;
}

}  // namespace orrery::sql
