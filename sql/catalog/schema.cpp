// TableSchema helpers and its binary encoding (schema.h).
//
//   u8 format (1), varint id, lp name, varint next_column_id, varint next_index_id,
//   varint partition_key_columns,
//   varint n_columns x { varint id, lp name, u8 type, u8 has_len, [varint len], u8 not_null,
//                        u8 has_default, [value], value missing }
//   varint n_pk x varint column id
//   varint n_indexes x { varint id, lp name, u8 unique, varint n x varint column id }
//   varint n_fks x { lp name, varint parent table, varint n x (varint col, varint parent col) }
//   varint n_checks x { lp name, lp sql }
#include "sql/catalog/schema.h"

#include "core/coding.h"
#include "sql/encoding/row_codec.h"

namespace orrery::sql {

int TableSchema::ColumnIndex(uint32_t column_id) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].id == column_id) return static_cast<int>(i);
    }
    return -1;
}

int TableSchema::ColumnIndexByName(const std::string& column_name) const {
    for (size_t i = 0; i < columns.size(); ++i) {
        if (columns[i].name == column_name) return static_cast<int>(i);
    }
    return -1;
}

std::vector<int> TableSchema::Positions(const std::vector<uint32_t>& column_ids) const {
    std::vector<int> out;
    out.reserve(column_ids.size());
    for (uint32_t id : column_ids) out.push_back(ColumnIndex(id));
    return out;
}

std::vector<int> TableSchema::KeyPositions() const { return Positions(primary_key); }

namespace {

void PutIds(std::string* out, const std::vector<uint32_t>& ids) {
    PutVarint32(out, static_cast<uint32_t>(ids.size()));
    for (uint32_t id : ids) PutVarint32(out, id);
}

bool GetIds(Decoder* in, std::vector<uint32_t>* ids) {
    uint32_t n = 0;
    if (!in->GetVarint32(&n) || n > 4096) return false;
    ids->resize(n);
    for (uint32_t& id : *ids) {
        if (!in->GetVarint32(&id)) return false;
    }
    return true;
}

bool GetString(Decoder* in, std::string* s) {
    std::string_view v;
    if (!in->GetLengthPrefixed(&v)) return false;
    *s = std::string(v);
    return true;
}

void PutColumn(std::string* out, const ColumnSchema& c) {
    PutVarint32(out, c.id);
    PutLengthPrefixed(out, c.name);
    out->push_back(static_cast<char>(c.type.type));
    out->push_back(c.type.max_length ? 1 : 0);
    if (c.type.max_length) PutVarint32(out, *c.type.max_length);
    out->push_back(c.not_null ? 1 : 0);
    out->push_back(c.default_value ? 1 : 0);
    if (c.default_value) EncodeValue(out, *c.default_value);
    EncodeValue(out, c.missing_value);
}

bool GetColumn(Decoder* in, ColumnSchema* c) {
    uint8_t type = 0, has_len = 0, not_null = 0, has_default = 0;
    if (!in->GetVarint32(&c->id) || !GetString(in, &c->name) || !in->GetU8(&type) ||
        !in->GetU8(&has_len) || type > static_cast<uint8_t>(DataType::kBlob)) {
        return false;
    }
    c->type.type = static_cast<DataType>(type);
    if (has_len) {
        uint32_t len = 0;
        if (!in->GetVarint32(&len)) return false;
        c->type.max_length = len;
    }
    if (!in->GetU8(&not_null) || !in->GetU8(&has_default)) return false;
    c->not_null = not_null != 0;
    if (has_default) {
        Value v;
        if (!DecodeValue(in, &v)) return false;
        c->default_value = std::move(v);
    }
    return DecodeValue(in, &c->missing_value);
}

}  // namespace

std::string EncodeTableSchema(const TableSchema& t) {
    std::string out;
    out.push_back(1);
    PutVarint64(&out, t.id);
    PutLengthPrefixed(&out, t.name);
    PutVarint32(&out, t.next_column_id);
    PutVarint32(&out, t.next_index_id);
    PutVarint32(&out, t.partition_key_columns);
    PutVarint32(&out, static_cast<uint32_t>(t.columns.size()));
    for (const ColumnSchema& c : t.columns) PutColumn(&out, c);
    PutIds(&out, t.primary_key);
    PutVarint32(&out, static_cast<uint32_t>(t.indexes.size()));
    for (const IndexSchema& ix : t.indexes) {
        PutVarint32(&out, ix.id);
        PutLengthPrefixed(&out, ix.name);
        out.push_back(ix.unique ? 1 : 0);
        PutIds(&out, ix.column_ids);
    }
    PutVarint32(&out, static_cast<uint32_t>(t.foreign_keys.size()));
    for (const ForeignKeySchema& fk : t.foreign_keys) {
        PutLengthPrefixed(&out, fk.name);
        PutVarint64(&out, fk.parent_table_id);
        PutIds(&out, fk.column_ids);
        PutIds(&out, fk.parent_column_ids);
    }
    PutVarint32(&out, static_cast<uint32_t>(t.checks.size()));
    for (const CheckSchema& ck : t.checks) {
        PutLengthPrefixed(&out, ck.name);
        PutLengthPrefixed(&out, ck.sql);
    }
    return out;
}

Result<TableSchema> DecodeTableSchema(std::string_view bytes) {
    Decoder in(bytes);
    TableSchema t;
    uint8_t format = 0;
    uint32_t n = 0;
    auto bad = [] { return Status::Corruption("malformed table schema"); };
    if (!in.GetU8(&format) || format != 1 || !in.GetVarint64(&t.id) || !GetString(&in, &t.name) ||
        !in.GetVarint32(&t.next_column_id) || !in.GetVarint32(&t.next_index_id) ||
        !in.GetVarint32(&t.partition_key_columns) || !in.GetVarint32(&n) || n > 4096) {
        return bad();
    }
    t.columns.resize(n);
    for (ColumnSchema& c : t.columns) {
        if (!GetColumn(&in, &c)) return bad();
    }
    if (!GetIds(&in, &t.primary_key) || !in.GetVarint32(&n) || n > 4096) return bad();
    t.indexes.resize(n);
    for (IndexSchema& ix : t.indexes) {
        uint8_t unique = 0;
        if (!in.GetVarint32(&ix.id) || !GetString(&in, &ix.name) || !in.GetU8(&unique) ||
            !GetIds(&in, &ix.column_ids)) {
            return bad();
        }
        ix.unique = unique != 0;
    }
    if (!in.GetVarint32(&n) || n > 4096) return bad();
    t.foreign_keys.resize(n);
    for (ForeignKeySchema& fk : t.foreign_keys) {
        if (!GetString(&in, &fk.name) || !in.GetVarint64(&fk.parent_table_id) ||
            !GetIds(&in, &fk.column_ids) || !GetIds(&in, &fk.parent_column_ids)) {
            return bad();
        }
    }
    if (!in.GetVarint32(&n) || n > 4096) return bad();
    t.checks.resize(n);
    for (CheckSchema& ck : t.checks) {
        if (!GetString(&in, &ck.name) || !GetString(&in, &ck.sql)) return bad();
    }
    if (!in.empty()) return bad();
    return t;
}

}  // namespace orrery::sql
