// Value: construction, the total order, hashing and display forms (value.h has the semantics).
//
// The one subtle part is comparing an INTEGER with a FLOAT without converting the int64 to a
// double (which rounds above 2^53: 9007199254740993 would "equal" 9007199254740992.0). The
// comparison splits the double into its integral part, which fits an int64 whenever the double
// lies strictly inside (-2^63, 2^63), and its fraction; see CompareIntFloat.
#include "sql/value.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <functional>

#include "core/assert.h"
#include "sql/datetime.h"

namespace orrery::sql {

Value Value::Boolean(bool b) { return Value(Rep(b)); }
Value Value::Integer(int64_t i) { return Value(Rep(i)); }
Value Value::Float(double d) { return Value(Rep(d)); }
Value Value::String(std::string s) { return Value(Rep(std::move(s))); }
Value Value::Timestamp(int64_t micros_since_epoch) {
    return Value(Rep(TimestampRep{micros_since_epoch}));
}
Value Value::Blob(std::string bytes) { return Value(Rep(BlobRep{std::move(bytes)})); }

DataType Value::type() const {
    switch (rep_.index()) {
        case 0: return DataType::kNull;
        case 1: return DataType::kBoolean;
        case 2: return DataType::kInteger;
        case 3: return DataType::kFloat;
        case 4: return DataType::kString;
        case 5: return DataType::kTimestamp;
        case 6: return DataType::kBlob;
    }
    ORRERY_ASSERT(false, "Value holds an unknown alternative {}", rep_.index());
    return DataType::kNull;
}

bool Value::boolean() const {
    ORRERY_ASSERT(type() == DataType::kBoolean, "boolean() of a {}", DataTypeName(type()));
    return std::get<bool>(rep_);
}
int64_t Value::integer() const {
    ORRERY_ASSERT(type() == DataType::kInteger, "integer() of a {}", DataTypeName(type()));
    return std::get<int64_t>(rep_);
}
double Value::floating() const {
    ORRERY_ASSERT(type() == DataType::kFloat, "floating() of a {}", DataTypeName(type()));
    return std::get<double>(rep_);
}
const std::string& Value::string() const {
    ORRERY_ASSERT(type() == DataType::kString, "string() of a {}", DataTypeName(type()));
    return std::get<std::string>(rep_);
}
int64_t Value::timestamp() const {
    ORRERY_ASSERT(type() == DataType::kTimestamp, "timestamp() of a {}", DataTypeName(type()));
    return std::get<TimestampRep>(rep_).micros;
}
const std::string& Value::blob() const {
    ORRERY_ASSERT(type() == DataType::kBlob, "blob() of a {}", DataTypeName(type()));
    return std::get<BlobRep>(rep_).bytes;
}

namespace {

// The shortest text that reads back as d; integral values keep ".0" so a FLOAT never prints
// like an INTEGER.
std::string FormatFloat(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    if (d == 0) d = 0;  // -0.0 displays as 0.0: it equals 0.0 everywhere else too.
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
    ORRERY_ASSERT(ec == std::errc(), "to_chars of a double cannot fail with 64 bytes");
    std::string out(buf, end);
    if (out.find_first_of(".e") == std::string::npos) out += ".0";
    return out;
}

std::string HexBytes(const std::string& bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
}

int Sign(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Compares a double with a double in the order of value.h: NaN above everything, equal to
// itself; -0.0 == 0.0 (the IEEE comparison already says so).
int CompareFloats(double a, double b) {
    bool an = std::isnan(a);
    bool bn = std::isnan(b);
    if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
    return a < b ? -1 : (a > b ? 1 : 0);
}

// Compares an int64 with a double exactly. 2^63 is exactly representable, so d >= 2^63 is
// above every int64 and d < -2^63 below every one; in between, trunc(d) is an exact int64.
int CompareIntFloat(int64_t i, double d) {
    constexpr double kTwo63 = 9223372036854775808.0;
    if (std::isnan(d) || d >= kTwo63) return -1;
    if (d < -kTwo63) return 1;
    double whole = std::trunc(d);
    auto w = static_cast<int64_t>(whole);  // Exact: -2^63 <= whole < 2^63.
    if (i != w) return Sign(i, w);
    double frac = d - whole;  // Exact (Sterbenz); its sign says where d lies around w.
    return frac > 0 ? -1 : (frac < 0 ? 1 : 0);
}

// Rank of a type in the cross-type order: numbers share one rank.
int TypeRank(DataType t) {
    switch (t) {
        case DataType::kNull: return 0;
        case DataType::kBoolean: return 1;
        case DataType::kInteger:
        case DataType::kFloat: return 2;
        case DataType::kString: return 3;
        case DataType::kTimestamp: return 4;
        case DataType::kBlob: return 5;
    }
    return 6;
}

int CompareBytes(const std::string& a, const std::string& b) {
    int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
    DataType ta = a.type();
    DataType tb = b.type();
    int ra = TypeRank(ta);
    int rb = TypeRank(tb);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (ta) {
        case DataType::kNull: return 0;
        case DataType::kBoolean: return Sign(a.boolean(), b.boolean());
        case DataType::kInteger:
            if (tb == DataType::kInteger) return Sign(a.integer(), b.integer());
            return CompareIntFloat(a.integer(), b.floating());
        case DataType::kFloat:
            if (tb == DataType::kFloat) return CompareFloats(a.floating(), b.floating());
            return -CompareIntFloat(b.integer(), a.floating());
        case DataType::kString: return CompareBytes(a.string(), b.string());
        case DataType::kTimestamp: return Sign(a.timestamp(), b.timestamp());
        case DataType::kBlob: return CompareBytes(a.blob(), b.blob());
    }
    ORRERY_ASSERT(false, "unreachable");
    return 0;
}

size_t Value::Hash() const {
    // Mixes a type tag into the payload hash, except that numbers share one tag: an integral
    // double within int64 hashes as that int64, so 1 and 1.0 (equal) hash alike.
    auto mix = [](size_t tag, size_t h) { return h ^ (tag * 0x9e3779b97f4a7c15ULL); };
    switch (type()) {
        case DataType::kNull: return 0x51ed;
        case DataType::kBoolean: return mix(1, boolean() ? 1 : 2);
        case DataType::kInteger: return mix(2, std::hash<int64_t>{}(integer()));
        case DataType::kFloat: {
            double d = floating();
            if (std::isnan(d)) return mix(2, 0x7ff8);
            constexpr double kTwo63 = 9223372036854775808.0;
            if (d == std::trunc(d) && d >= -kTwo63 && d < kTwo63) {
                return mix(2, std::hash<int64_t>{}(static_cast<int64_t>(d)));
            }
            return mix(2, std::hash<double>{}(d));
        }
        case DataType::kString: return mix(3, std::hash<std::string>{}(string()));
        case DataType::kTimestamp: return mix(4, std::hash<int64_t>{}(timestamp()));
        case DataType::kBlob: return mix(5, std::hash<std::string>{}(blob()));
    }
    return 0;
}

size_t Value::MemoryBytes() const {
    size_t bytes = sizeof(Value);
    // Strings past the small-string buffer own a heap block of about their capacity.
    constexpr size_t kInlineChars = 15;
    if (type() == DataType::kString && string().capacity() > kInlineChars) {
        bytes += string().capacity();
    }
    if (type() == DataType::kBlob && blob().capacity() > kInlineChars) bytes += blob().capacity();
    return bytes;
}

std::string Value::ToString() const {
    switch (type()) {
        case DataType::kNull: return "NULL";
        case DataType::kBoolean: return boolean() ? "true" : "false";
        case DataType::kInteger: return std::to_string(integer());
        case DataType::kFloat: return FormatFloat(floating());
        case DataType::kString: return string();
        case DataType::kTimestamp: return FormatTimestamp(timestamp());
        case DataType::kBlob: return "\\x" + HexBytes(blob());
    }
    return "";
}

std::string Value::ToSqlLiteral() const {
    switch (type()) {
        case DataType::kNull: return "NULL";
        case DataType::kBoolean: return boolean() ? "TRUE" : "FALSE";
        case DataType::kInteger:
            // -9223372036854775808 would parse as the negation of an out-of-range literal.
            if (integer() == INT64_MIN) return "(-9223372036854775807 - 1)";
            return std::to_string(integer());
        case DataType::kFloat: {
            double d = floating();
            if (std::isnan(d) || std::isinf(d)) return "CAST('" + FormatFloat(d) + "' AS FLOAT)";
            return FormatFloat(d);
        }
        case DataType::kString: {
            std::string out = "'";
            for (char c : string()) {
                if (c == '\'') out += '\'';
                out += c;
            }
            return out + "'";
        }
        case DataType::kTimestamp: return "TIMESTAMP '" + FormatTimestamp(timestamp()) + "'";
        case DataType::kBlob: return "x'" + HexBytes(blob()) + "'";
    }
    return "";
}

}  // namespace orrery::sql
