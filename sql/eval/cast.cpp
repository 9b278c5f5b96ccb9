// CAST and assignment conversions (ops.h).
//
// FLOAT -> INTEGER rounds to the nearest integer, halves away from zero, as PostgreSQL does for
// its NUMERIC literals (CAST(2.5 AS INTEGER) = 3, CAST(-2.5 AS INTEGER) = -3; SQLite truncates,
// sql/testdata/slt/handwritten/differences.test), and is 22003 outside INTEGER's range.
// A difference from PostgreSQL, on purpose: INTEGER <-> TIMESTAMP converts microseconds since
// the epoch.
#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "core/assert.h"
#include "sql/datetime.h"
#include "sql/eval/ops.h"

namespace orrery::sql {
namespace {

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string Lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return out;
}

SqlError InvalidText(std::string_view type, std::string_view text) {
    return MakeSqlError(ErrorKind::kInvalidText,
                        fmt::format("invalid input syntax for type {}: \"{}\"", type,
                                    text.substr(0, 100)));
}

ValueResult TextToInteger(const std::string& text) {
    std::string_view t = Trim(text);
    std::string_view digits = t;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    int64_t out = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (ec == std::errc::result_out_of_range) {
        return MakeSqlError(ErrorKind::kNumericOutOfRange,
                            fmt::format("value \"{}\" is out of range for type INTEGER", t));
    }
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
        return InvalidText("INTEGER", text);
    }
    return Value::Integer(out);
}

ValueResult TextToFloat(const std::string& text) {
    std::string_view t = Trim(text);
    std::string low = Lower(t);
    if (low == "nan") return Value::Float(std::nan(""));
    if (low == "infinity" || low == "inf" || low == "+infinity" || low == "+inf") {
        return Value::Float(HUGE_VAL);
    }
    if (low == "-infinity" || low == "-inf") return Value::Float(-HUGE_VAL);
    std::string_view digits = t;
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    double out = 0;
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
    if (ec == std::errc::result_out_of_range) {
        return MakeSqlError(ErrorKind::kNumericOutOfRange,
                            fmt::format("\"{}\" is out of range for type FLOAT", t));
    }
    if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
        return InvalidText("FLOAT", text);
    }
    return Value::Float(out);
}

ValueResult TextToBoolean(const std::string& text) {
    std::string low = Lower(Trim(text));
    if (low == "true" || low == "t" || low == "yes" || low == "y" || low == "on" || low == "1") {
        return Value::Boolean(true);
    }
    if (low == "false" || low == "f" || low == "no" || low == "n" || low == "off" || low == "0") {
        return Value::Boolean(false);
    }
    return InvalidText("BOOLEAN", text);
}

ValueResult FloatToInteger(double d) {
    // std::round rounds halves away from zero. The range check is on the rounded value: every
    // double in [-2^63, 2^63) converts exactly, and 2^63 itself (INT64_MAX + 1) does not fit.
    constexpr double kTwo63 = 9223372036854775808.0;
    double r = std::round(d);
    if (std::isnan(r) || r >= kTwo63 || r < -kTwo63) {
        return MakeSqlError(ErrorKind::kNumericOutOfRange, "integer out of range");
    }
    return Value::Integer(static_cast<int64_t>(r));
}

ValueResult ToInteger(const Value& v) {
    switch (v.type()) {
        case DataType::kBoolean: return Value::Integer(v.boolean() ? 1 : 0);
        case DataType::kInteger: return v;
        case DataType::kFloat: return FloatToInteger(v.floating());
        case DataType::kString: return TextToInteger(v.string());
        case DataType::kTimestamp: return Value::Integer(v.timestamp());
        default: break;
    }
    return Value();
}

ValueResult ToFloat(const Value& v) {
    switch (v.type()) {
        case DataType::kInteger: return Value::Float(static_cast<double>(v.integer()));
        case DataType::kFloat: return v;
        case DataType::kString: return TextToFloat(v.string());
        default: break;
    }
    return Value();
}

ValueResult ToTimestamp(const Value& v) {
    switch (v.type()) {
        case DataType::kInteger: return Value::Timestamp(v.integer());
        case DataType::kTimestamp: return v;
        case DataType::kString: {
            auto t = ParseTimestamp(v.string());
            if (!t) return InvalidText("TIMESTAMP", v.string());
            return Value::Timestamp(*t);
        }
        default: break;
    }
    return Value();
}

// Counts UTF-8 characters (bytes that are not continuation bytes).
size_t CharCount(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

ValueResult CheckLength(Value v, const TypeSpec& type) {
    if (type.max_length && v.type() == DataType::kString &&
        CharCount(v.string()) > *type.max_length) {
        return MakeSqlError(ErrorKind::kStringTooLong,
                            fmt::format("value too long for type {}", type.ToString()));
    }
    return v;
}

}  // namespace

bool CastDefined(DataType from, DataType to) {
    if (from == DataType::kNull || from == to || to == DataType::kString) return true;
    if (from == DataType::kString) return true;  // Parsed, and an error if malformed.
    switch (to) {
        case DataType::kBoolean: return from == DataType::kInteger;
        case DataType::kInteger:
            return from == DataType::kBoolean || from == DataType::kFloat ||
                   from == DataType::kTimestamp;
        case DataType::kFloat: return from == DataType::kInteger;
        case DataType::kTimestamp: return from == DataType::kInteger;
        case DataType::kBlob: return false;
        default: return false;
    }
}

ValueResult CastValue(const Value& value, const TypeSpec& type) {
    ORRERY_ASSERT(type.type != DataType::kNull, "a cast needs a target type");
    if (value.is_null()) return Value::Null();
    if (!CastDefined(value.type(), type.type)) {
        return MakeSqlError(ErrorKind::kDatatypeMismatch,
                            fmt::format("cannot cast type {} to {}", DataTypeName(value.type()),
                                        DataTypeName(type.type)));
    }
    switch (type.type) {
        case DataType::kBoolean:
            if (value.type() == DataType::kInteger) return Value::Boolean(value.integer() != 0);
            if (value.type() == DataType::kString) return TextToBoolean(value.string());
            return value;
        case DataType::kInteger: return ToInteger(value);
        case DataType::kFloat: return ToFloat(value);
        case DataType::kString:
            if (value.type() == DataType::kString) return CheckLength(value, type);
            return CheckLength(Value::String(value.ToString()), type);
        case DataType::kTimestamp: return ToTimestamp(value);
        case DataType::kBlob:
            if (value.type() == DataType::kString) return Value::Blob(value.string());
            return value;
        case DataType::kNull: break;
    }
    return Value();
}

ValueResult AssignValue(const Value& value, const TypeSpec& type, std::string_view column) {
    if (value.is_null() || value.type() == type.type) return CheckLength(value, type);
    DataType from = value.type();
    bool allowed = (from == DataType::kInteger && type.type == DataType::kFloat) ||
                   (from == DataType::kFloat && type.type == DataType::kInteger &&
                    value.floating() == std::trunc(value.floating())) ||
                   (from == DataType::kString &&
                    (type.type == DataType::kTimestamp || type.type == DataType::kBlob));
    if (!allowed) {
        return MakeSqlError(ErrorKind::kDatatypeMismatch,
                            fmt::format("column \"{}\" is of type {} but expression is of type {}",
                                        column, DataTypeName(type.type), DataTypeName(from)));
    }
    return CastValue(value, type);
}

}  // namespace orrery::sql
