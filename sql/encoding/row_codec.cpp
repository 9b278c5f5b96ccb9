// Row value encoding (row_codec.h).
#include "sql/encoding/row_codec.h"

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

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

namespace {

// A cursor over encoded values with the varint reads inlined: a scan decodes every value of
// every row through here, and Decoder's out-of-line calls were a fifth of a full scan's time.
// Each read means exactly what the Decoder call of the same name means (core/coding.h) and
// returns false where it does.
class ValueReader {
public:
    explicit ValueReader(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}

    bool empty() const { return p_ == end_; }
    size_t remaining() const { return static_cast<size_t>(end_ - p_); }

    bool GetU8(uint8_t* v) {
        if (p_ == end_) return false;
        *v = static_cast<uint8_t>(*p_++);
        return true;
    }
    bool GetVarint64(uint64_t* v) {
        // Most values (column ids, small integers, lengths) fit in one byte.
        if (p_ != end_ && (static_cast<uint8_t>(*p_) & 0x80) == 0) {
            *v = static_cast<uint8_t>(*p_++);
            return true;
        }
        uint64_t result = 0;
        constexpr int kMaxBytes = 10;
        for (int i = 0; i < kMaxBytes && i < static_cast<int>(remaining()); ++i) {
            uint64_t byte = static_cast<uint8_t>(p_[i]);
            if (i == kMaxBytes - 1 && byte > 1) return false;  // Would overflow 64 bits.
            result |= (byte & 0x7f) << (7 * i);
            if ((byte & 0x80) == 0) {
                *v = result;
                p_ += i + 1;
                return true;
            }
        }
        return false;
    }
    bool GetVarint32(uint32_t* v) {
        const char* saved = p_;
        uint64_t wide = 0;
        if (!GetVarint64(&wide) || wide > UINT32_MAX) {
            p_ = saved;
            return false;
        }
        *v = static_cast<uint32_t>(wide);
        return true;
    }
    bool GetVarsint64(int64_t* v) {
        uint64_t zz = 0;
        if (!GetVarint64(&zz)) return false;
        *v = static_cast<int64_t>(zz >> 1) ^ -static_cast<int64_t>(zz & 1);
        return true;
    }
    bool GetFixed64(uint64_t* v) {
        if (remaining() < 8) return false;
        *v = DecodeFixed64(p_);
        p_ += 8;
        return true;
    }
    bool GetLengthPrefixed(std::string_view* s) {
        const char* saved = p_;
        uint64_t n = 0;
        if (!GetVarint64(&n) || n > remaining()) {
            p_ = saved;
            return false;
        }
        *s = std::string_view(p_, n);
        p_ += n;
        return true;
    }

private:
    const char* p_;
    const char* end_;
};

bool ReadValue(ValueReader* in, Value* v) {
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

// ReadValue without the value: the same checks, nothing materialized.
bool SkipOne(ValueReader* in) {
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

// Advances `in` past what `r`, a reader over in's remaining bytes, consumed.
bool Advance(Decoder* in, const ValueReader& r) {
    std::string_view consumed;
    return in->GetBytes(in->remaining() - r.remaining(), &consumed);
}

}  // namespace

bool DecodeValue(Decoder* in, Value* v) {
    ValueReader r(in->rest());
    return ReadValue(&r, v) && Advance(in, r);
}

bool SkipValue(Decoder* in) {
    ValueReader r(in->rest());
    return SkipOne(&r) && Advance(in, r);
}

std::string EncodeRow(const TableSchema& table, const Row& row) {
    ORRERY_ASSERT(row.size() == StoredRowWidth(table), "row width {} for table {}", row.size(),
                  table.name);
    // Column-id order: the hidden row id (id 0) first, then the columns by id. Ids are unique
    // (schema.h), so sorting (id, value) pairs gives that order; one small vector per row
    // instead of a tree node per column (every inserted row is encoded here).
    std::vector<std::pair<uint32_t, const Value*>> by_id;
    by_id.reserve(row.size());
    if (table.has_hidden_rowid()) by_id.emplace_back(0, &row.back());
    for (size_t i = 0; i < table.columns.size(); ++i) {
        // A NULL is stored only where absence would read as something else: a column added
        // with a DEFAULT reads its missing_value when absent.
        if (!row[i].is_null() || !table.columns[i].missing_value.is_null()) {
            by_id.emplace_back(table.columns[i].id, &row[i]);
        }
    }
    std::sort(by_id.begin(), by_id.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out;
    PutVarint32(&out, static_cast<uint32_t>(by_id.size()));
    for (size_t i = 0; i < by_id.size(); ++i) {
        ORRERY_ASSERT(i == 0 || by_id[i - 1].first < by_id[i].first, "column id {} twice",
                      by_id[i].first);
        PutVarint32(&out, by_id[i].first);
        EncodeValue(&out, *by_id[i].second);
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
    ValueReader in(bytes);
    uint32_t n = 0;
    if (!in.GetVarint32(&n)) return Status::Corruption("row: bad column count");
    // Values are stored in id order, and columns are usually in id order too (ALTER TABLE
    // appends), so the column after the last one found is tried before searching them all.
    size_t guess = 0;
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
        } else if (guess < table.columns.size() && table.columns[guess].id == id) {
            pos = static_cast<int>(guess);
        } else {
            pos = table.ColumnIndex(id);
        }
        if (id != 0 && pos >= 0) guess = static_cast<size_t>(pos) + 1;
        bool ok = pos >= 0 && is_wanted(static_cast<size_t>(pos))
                      ? ReadValue(&in, &row[static_cast<size_t>(pos)])
                      : SkipOne(&in);
        if (!ok) return Status::Corruption("row of " + table.name + ": malformed value");
    }
    if (!in.empty()) return Status::Corruption("row of " + table.name + ": trailing bytes");
    return Status::Ok();
}

}  // namespace orrery::sql
