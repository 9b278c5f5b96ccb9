// Row value encoding (row_codec.h).
#include "sql/encoding/row_codec.h"

#include <cstring>
#include <map>

#include "core/assert.h"

namespace orrery::sql {

void EncodeValue(std::string* dst, const Value& v) {
    dst->push_back(static_cast<char>(v.type()));
    switch (v.type()) {
        case DataType::kNull: break;
        case DataType::kBoolean: dst->push_back(v.boolean() ? 1 : 0); break;
        case DataType::kInteger: PutVarsint64(dst, v.integer()); break;
        case DataType::kTimestamp: PutVarsint64(dst, v.timestamp()); break;
        case DataType::kFloat: {
            uint64_t bits = 0;
            double d = v.floating();
            std::memcpy(&bits, &d, sizeof bits);
            PutFixed64(dst, bits);
            break;
        }
        case DataType::kString: PutLengthPrefixed(dst, v.string()); break;
        case DataType::kBlob: PutLengthPrefixed(dst, v.blob()); break;
    }
}

bool DecodeValue(Decoder* in, Value* v) {
    uint8_t tag = 0;
    if (!in->GetU8(&tag)) return false;
    switch (static_cast<DataType>(tag)) {
        case DataType::kNull: *v = Value::Null(); return true;
        case DataType::kBoolean: {
            uint8_t b = 0;
            if (!in->GetU8(&b) || b > 1) return false;
            *v = Value::Boolean(b == 1);
            return true;
        }
        case DataType::kInteger:
        case DataType::kTimestamp: {
            int64_t i = 0;
            if (!in->GetVarsint64(&i)) return false;
            *v = tag == static_cast<uint8_t>(DataType::kInteger) ? Value::Integer(i)
                                                                 : Value::Timestamp(i);
            return true;
        }
        case DataType::kFloat: {
            uint64_t bits = 0;
            if (!in->GetFixed64(&bits)) return false;
            double d = 0;
            std::memcpy(&d, &bits, sizeof d);
            *v = Value::Float(d);
            return true;
        }
        case DataType::kString:
        case DataType::kBlob: {
            std::string_view s;
            if (!in->GetLengthPrefixed(&s)) return false;
            *v = tag == static_cast<uint8_t>(DataType::kString) ? Value::String(std::string(s))
                                                                : Value::Blob(std::string(s));
            return true;
        }
    }
    return false;
}

bool SkipValue(Decoder* in) {
    uint8_t tag = 0;
    if (!in->GetU8(&tag)) return false;
    switch (static_cast<DataType>(tag)) {
        case DataType::kNull: return true;
        case DataType::kBoolean: {
            uint8_t b = 0;
            return in->GetU8(&b) && b <= 1;
        }
        case DataType::kInteger:
        case DataType::kTimestamp: {
            int64_t i = 0;
            return in->GetVarsint64(&i);
        }
        case DataType::kFloat: {
            uint64_t bits = 0;
            return in->GetFixed64(&bits);
        }
        case DataType::kString:
        case DataType::kBlob: {
            std::string_view s;
            return in->GetLengthPrefixed(&s);
        }
    }
    return false;
}

std::string EncodeRow(const TableSchema& table, const Row& row) {
    ORRERY_ASSERT(row.size() == StoredRowWidth(table), "row width {} for table {}", row.size(),
                  table.name);
    // Column-id order: the hidden row id (id 0) first, then the columns by id.
    std::map<uint32_t, const Value*> by_id;
    for (size_t i = 0; i < table.columns.size(); ++i) {
        // A NULL is stored only where absence would read as something else: a column added
        // with a DEFAULT reads its missing_value when absent.
        if (!row[i].is_null() || !table.columns[i].missing_value.is_null()) {
            by_id[table.columns[i].id] = &row[i];
        }
    }
    if (table.has_hidden_rowid()) by_id[0] = &row.back();
    std::string out;
    PutVarint32(&out, static_cast<uint32_t>(by_id.size()));
    for (const auto& [id, value] : by_id) {
        PutVarint32(&out, id);
        EncodeValue(&out, *value);
    }
    return out;
}

Result<Row> DecodeRow(const TableSchema& table, std::string_view bytes) {
    Row row;
    ORRERY_RETURN_IF_ERROR(DecodeRowInto(table, bytes, &row));
    return row;
}

Status DecodeRowInto(const TableSchema& table, std::string_view bytes, Row* out,
                     const std::vector<bool>& wanted) {
    const size_t width = StoredRowWidth(table);
    ORRERY_ASSERT(wanted.empty() || wanted.size() == width, "{} wanted flags for a row of {}",
                  wanted.size(), width);
    auto is_wanted = [&wanted](size_t pos) { return wanted.empty() || wanted[pos]; };
    Row& row = *out;
    row.resize(width);
    // Every slot starts as what an absent column reads: its missing_value if wanted, else NULL.
    // The buffer is reused across rows, so a slot is only assigned when it would change
    // (assigning a NULL over a NULL still costs a variant copy per column per row).
    for (size_t i = 0; i < width; ++i) {
        const bool column = i < table.columns.size();
        if (column && is_wanted(i) && !table.columns[i].missing_value.is_null()) {
            row[i] = table.columns[i].missing_value;
        } else if (!row[i].is_null()) {
            row[i] = Value::Null();
        }
    }
    Decoder in(bytes);
    uint32_t n = 0;
    if (!in.GetVarint32(&n)) return Status::Corruption("row: bad column count");
    for (uint32_t k = 0; k < n; ++k) {
        uint32_t id = 0;
        if (!in.GetVarint32(&id)) {
            return Status::Corruption("row of " + table.name + ": malformed value");
        }
        // A dropped column's value (no position) and an unwanted one are skipped.
        int pos = -1;
        if (id == 0) {
            if (!table.has_hidden_rowid()) return Status::Corruption("row: unexpected row id");
            pos = static_cast<int>(width - 1);
        } else {
            pos = table.ColumnIndex(id);
        }
        bool ok = pos >= 0 && is_wanted(static_cast<size_t>(pos))
                      ? DecodeValue(&in, &row[static_cast<size_t>(pos)])
                      : SkipValue(&in);
        if (!ok) return Status::Corruption("row of " + table.name + ": malformed value");
    }
    if (!in.empty()) return Status::Corruption("row of " + table.name + ": trailing bytes");
    return Status::Ok();
}

}  // namespace orrery::sql
