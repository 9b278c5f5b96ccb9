// Key layout of the SQL layer (keys.h).
#include "sql/encoding/keys.h"

#include "core/assert.h"
#include "core/coding.h"

namespace orrery::sql {
namespace {

std::string Space(char space) { return std::string{kSqlKeyPrefix, space}; }

KeyValue ToKeyValue(const Value& v) {
    switch (v.type()) {
        case DataType::kNull: return std::monostate{};
        case DataType::kBoolean: return v.boolean();
        case DataType::kInteger: return v.integer();
        case DataType::kFloat: return v.floating();
        case DataType::kString: return v.string();
        case DataType::kTimestamp: return v.timestamp();
        case DataType::kBlob: return v.blob();
    }
    return std::monostate{};
}

}  // namespace

std::string CatalogVersionKey() { return Space('\x01'); }
std::string TableIdCounterKey() { return Space('\x02'); }

std::string TableSchemaKey(std::string_view name) {
    std::string key = Space('\x03');
    AppendKeyValue(&key, std::string(name));
    return key;
}

mvcc::KeyRange TableSchemaRange() { return mvcc::KeyRange::Prefix(Space('\x03')); }

std::string RowIdCounterKey(uint64_t table_id) {
    std::string key = Space('\x04');
    AppendKeyValue(&key, static_cast<int64_t>(table_id));
    return key;
}

std::string RowPrefix(uint64_t table_id) {
    std::string key = Space('\x10');
    AppendKeyValue(&key, static_cast<int64_t>(table_id));
    return key;
}

std::string RowKey(uint64_t table_id, const std::vector<Value>& key) {
    std::string out = RowPrefix(table_id);
    for (const Value& v : key) AppendKeyPart(&out, v);
    return out;
}

std::string IndexPrefix(uint64_t table_id, uint32_t index_id) {
    std::string key = Space('\x11');
    AppendKeyValue(&key, static_cast<int64_t>(table_id));
    AppendKeyValue(&key, static_cast<int64_t>(index_id));
    return key;
}

std::string IndexKey(uint64_t table_id, uint32_t index_id, const std::vector<Value>& values,
                     const std::vector<Value>& row_key) {
    std::string out = IndexPrefix(table_id, index_id);
    for (const Value& v : values) AppendKeyPart(&out, v);
    for (const Value& v : row_key) AppendKeyPart(&out, v);
    return out;
}

void AppendKeyPart(std::string* dst, const Value& v) { AppendKeyValue(dst, ToKeyValue(v)); }

Result<std::vector<Value>> DecodeKeyParts(std::string_view bytes,
                                          const std::vector<DataType>& types) {
    ORRERY_ASSIGN_OR_RETURN(KeyTuple tuple, DecodeKey(bytes));
    if (tuple.size() < types.size()) return Status::Corruption("sql key has too few parts");
    std::vector<Value> out;
    out.reserve(types.size());
    for (size_t i = 0; i < types.size(); ++i) {
        const KeyValue& kv = tuple[i];
        if (std::holds_alternative<std::monostate>(kv)) {
            out.push_back(Value::Null());
            continue;
        }
        switch (types[i]) {
            case DataType::kBoolean:
                if (!std::holds_alternative<bool>(kv)) break;
                out.push_back(Value::Boolean(std::get<bool>(kv)));
                continue;
            case DataType::kInteger:
            case DataType::kTimestamp:
                if (!std::holds_alternative<int64_t>(kv)) break;
                out.push_back(types[i] == DataType::kInteger
                                  ? Value::Integer(std::get<int64_t>(kv))
                                  : Value::Timestamp(std::get<int64_t>(kv)));
                continue;
            case DataType::kFloat:
                if (!std::holds_alternative<double>(kv)) break;
                out.push_back(Value::Float(std::get<double>(kv)));
                continue;
            case DataType::kString:
            case DataType::kBlob:
                if (!std::holds_alternative<std::string>(kv)) break;
                out.push_back(types[i] == DataType::kString
                                  ? Value::String(std::get<std::string>(kv))
                                  : Value::Blob(std::get<std::string>(kv)));
                continue;
            case DataType::kNull: break;
        }
        return Status::Corruption("sql key part does not match its column type");
    }
    return out;
}

}  // namespace orrery::sql
