// Rendering, sorting and hashing of results (render.h). The rules are SQLite's runner's, so the
// conversions below mirror what sqlite3_column_int64 / _double / _text do to a value of another
// type; that keeps a file's expected values engine-independent.
#include "sql/slt/render.h"

#include <fmt/format.h>
#include <md5.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "core/assert.h"

namespace orrery::sql::slt {
namespace {

// sqlite3_column_int64 of a REAL: truncation toward zero, saturating at the int64 range, NaN 0.
int64_t FloatToInt(double d) {
    if (std::isnan(d)) return 0;
    if (d <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
    if (d >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
    return static_cast<int64_t>(d);
}

// The leading integer of a text ("12abc" -> 12, "abc" -> 0), as SQLite reads one.
int64_t TextToInt(const std::string& s) {
    return static_cast<int64_t>(std::strtoll(s.c_str(), nullptr, 10));
}

// The leading number of a text ("2.5x" -> 2.5, "x" -> 0).
double TextToFloat(const std::string& s) { return std::strtod(s.c_str(), nullptr); }

// A REAL as SQLite's text: %.15g, and ".0" where the result would read as an integer
// ("2.0", "1.0e+20").
std::string FloatText(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Inf" : "-Inf";
    std::string s = fmt::format("{:.15g}", d);
    if (s.find('.') != std::string::npos) return s;
    size_t e = s.find('e');
    if (e == std::string::npos) return s + ".0";
    return s.substr(0, e) + ".0" + s.substr(e);
}

// Empty strings and non-printable bytes, the way SQLite's runner writes text.
std::string PrintableText(std::string s) {
    if (s.empty()) return "(empty)";
    for (char& c : s) {
        auto byte = static_cast<unsigned char>(c);
        if (byte < ' ' || byte > '~') c = '@';
    }
    return s;
}

// The sign of a zero is not compared: IEEE arithmetic (Orrery, PostgreSQL) gives -(0.0) = -0.0
// and abs(-0.0) = 0.0, SQLite computes unary minus as 0 - x (+0.0) and its abs() keeps -0.0.
// Both are zero; rendering either as +0.0 keeps the expected values engine-independent.
double UnsignedZero(double d) { return d == 0.0 ? 0.0 : d; }

}  // namespace

std::string RenderCell(const Cell& cell, char type) {
    ORRERY_ASSERT(type == 'I' || type == 'R' || type == 'T', "bad type letter {}", type);
    if (cell.is_null()) return "NULL";
    switch (type) {
        case 'I':
            switch (cell.kind) {
                case Cell::Kind::kInteger: return fmt::format("{}", cell.integer);
                case Cell::Kind::kFloat: return fmt::format("{}", FloatToInt(cell.floating));
                default: return fmt::format("{}", TextToInt(cell.text));
            }
        case 'R':
            switch (cell.kind) {
                case Cell::Kind::kInteger:
                    return fmt::format("{:.3f}", static_cast<double>(cell.integer));
                case Cell::Kind::kFloat: return fmt::format("{:.3f}", UnsignedZero(cell.floating));
                default: return fmt::format("{:.3f}", TextToFloat(cell.text));
            }
        default:
            switch (cell.kind) {
                case Cell::Kind::kInteger: return fmt::format("{}", cell.integer);
                case Cell::Kind::kFloat:
                    return PrintableText(FloatText(UnsignedZero(cell.floating)));
                default: return PrintableText(cell.text);
            }
    }
}

std::vector<std::string> RenderResult(const ResultSet& result, const std::string& types,
                                      SortMode sort) {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(result.rows.size());
    for (const CellRow& row : result.rows) {
        ORRERY_ASSERT(row.size() == result.columns, "a row of {} cells in a {}-column result",
                      row.size(), result.columns);
        std::vector<std::string> rendered;
        rendered.reserve(row.size());
        for (size_t c = 0; c < row.size(); ++c) {
            rendered.push_back(RenderCell(row[c], c < types.size() ? types[c] : 'T'));
        }
        rows.push_back(std::move(rendered));
    }
    if (sort == SortMode::kRowSort) std::sort(rows.begin(), rows.end());
    std::vector<std::string> values;
    values.reserve(rows.size() * result.columns);
    for (auto& row : rows) {
        for (auto& v : row) values.push_back(std::move(v));
    }
    if (sort == SortMode::kValueSort) std::sort(values.begin(), values.end());
    return values;
}

std::string HashValues(const std::vector<std::string>& values) {
    MD5_CTX ctx;
    MD5Init(&ctx);
    for (const std::string& v : values) {
        MD5Update(&ctx, reinterpret_cast<const uint8_t*>(v.data()), v.size());
        MD5Update(&ctx, reinterpret_cast<const uint8_t*>("\n"), 1);
    }
    uint8_t digest[MD5_DIGEST_LENGTH];
    MD5Final(digest, &ctx);
    std::string hex;
    hex.reserve(2 * MD5_DIGEST_LENGTH);
    for (uint8_t b : digest) hex += fmt::format("{:02x}", b);
    return hex;
}

std::string HashLine(const std::vector<std::string>& values) {
    return fmt::format("{} values hashing to {}", values.size(), HashValues(values));
}

}  // namespace orrery::sql::slt
