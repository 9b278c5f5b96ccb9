// DataType names and spellings (see data_type.h for the table of accepted words).
#include "sql/data_type.h"

#include <array>
#include <utility>

#include "core/assert.h"

namespace orrery::sql {

std::string_view DataTypeName(DataType type) {
    switch (type) {
        case DataType::kNull: return "NULL";
        case DataType::kBoolean: return "BOOLEAN";
        case DataType::kInteger: return "INTEGER";
        case DataType::kFloat: return "FLOAT";
        case DataType::kString: return "STRING";
        case DataType::kTimestamp: return "TIMESTAMP";
        case DataType::kBlob: return "BLOB";
    }
    ORRERY_ASSERT(false, "unknown DataType {}", static_cast<int>(type));
    return "";
}

std::string TypeSpec::ToString() const {
    std::string out(DataTypeName(type));
    if (max_length) out += "(" + std::to_string(*max_length) + ")";
    return out;
}

std::optional<DataType> DataTypeFromName(std::string_view name) {
    // One table, looked up case-insensitively: the spellings of data_type.h in order.
    static constexpr std::array<std::pair<std::string_view, DataType>, 26> kNames = {{
        {"boolean", DataType::kBoolean},   {"bool", DataType::kBoolean},
        {"integer", DataType::kInteger},   {"int", DataType::kInteger},
        {"bigint", DataType::kInteger},    {"smallint", DataType::kInteger},
        {"int2", DataType::kInteger},      {"int4", DataType::kInteger},
        {"int8", DataType::kInteger},      {"float", DataType::kFloat},
        {"double", DataType::kFloat},      {"double precision", DataType::kFloat},
        {"real", DataType::kFloat},        {"float4", DataType::kFloat},
        {"float8", DataType::kFloat},      {"numeric", DataType::kFloat},
        {"decimal", DataType::kFloat},     {"string", DataType::kString},
        {"text", DataType::kString},       {"varchar", DataType::kString},
        {"char", DataType::kString},       {"character varying", DataType::kString},
        {"timestamp", DataType::kTimestamp}, {"datetime", DataType::kTimestamp},
        {"blob", DataType::kBlob},         {"bytea", DataType::kBlob},
    }};
    std::string lower;
    lower.reserve(name.size());
    for (char c : name) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (lower == "bytes") return DataType::kBlob;
    if (lower == "character") return DataType::kString;
    for (const auto& [word, type] : kNames) {
        if (word == lower) return type;
    }
    return std::nullopt;
}

}  // namespace orrery::sql
