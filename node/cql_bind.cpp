// Binding CQL terms to SQL values (cql_bind.h).
#include "node/cql_bind.h"

#include <fmt/format.h>

#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/assert.h"

namespace orrery::node::cql {
namespace {

std::string PutBE32(uint32_t v) {
    std::string out(4, '\0');
    for (int i = 3; i >= 0; --i) {
        out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    return out;
}

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

Status BadLiteral(const Term& term, const Type& type) {
    std::string shown = term.text;
    if (term.kind == Term::Kind::kString) shown = "'" + term.text + "'";
    if (term.kind == Term::Kind::kList || term.kind == Term::Kind::kSet ||
        term.kind == Term::Kind::kMap) {
        shown = "a collection literal";
    }
    return Status::InvalidArgument(
        fmt::format("Invalid {} constant ({}) for a column of type {}",
                    term.kind == Term::Kind::kString ? "STRING" : "literal", shown,
                    TypeName(type)));
}

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Reads exactly `n` digits at text[*i].
bool Digits(const std::string& text, size_t* i, size_t n, int64_t* out) {
    if (*i + n > text.size()) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
        const char c = text[*i + k];
        if (c < '0' || c > '9') return false;
        v = v * 10 + (c - '0');
    }
    *i += n;
    *out = v;
    return true;
}

}  // namespace

orrery::Result<int64_t> ParseTimestampLiteral(const std::string& text) {
    const Status bad = Status::InvalidArgument(
        fmt::format("Unable to coerce '{}' to a formatted date (long)", text));
    size_t i = 0;
    int64_t y, mo, d, h = 0, mi = 0, s = 0, frac_us = 0, zone_min = 0;
    if (!Digits(text, &i, 4, &y) || i >= text.size() || text[i++] != '-' ||
        !Digits(text, &i, 2, &mo) || i >= text.size() || text[i++] != '-' ||
        !Digits(text, &i, 2, &d)) {
        return bad;
    }
    static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || (mo == 2 && d == 29 && !leap)) {
        return bad;
    }
    if (i < text.size() && (text[i] == ' ' || text[i] == 'T')) {
        ++i;
        if (!Digits(text, &i, 2, &h) || i >= text.size() || text[i++] != ':' ||
            !Digits(text, &i, 2, &mi)) {
            return bad;
        }
        if (i < text.size() && text[i] == ':') {
            ++i;
            if (!Digits(text, &i, 2, &s)) return bad;
            if (i < text.size() && text[i] == '.') {
                ++i;
                int64_t scale = 100000;
                size_t n = 0;
                while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 6) {
                    frac_us += (text[i] - '0') * scale;
                    scale /= 10;
                    ++i;
                    ++n;
                }
                if (n == 0) return bad;
            }
        }
        if (h > 23 || mi > 59 || s > 59) return bad;
    }
    if (i < text.size() && text[i] == 'Z') {
        ++i;
    } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
        const int sign = text[i++] == '-' ? -1 : 1;
        int64_t zh, zm;
        if (!Digits(text, &i, 2, &zh)) return bad;
        if (i < text.size() && text[i] == ':') ++i;
        if (!Digits(text, &i, 2, &zm)) return bad;
        zone_min = sign * (zh * 60 + zm);
    }
    if (i != text.size()) return bad;
    const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - zone_min * 60;
    return secs * 1000000 + frac_us;
}

orrery::Result<std::vector<std::string>> SplitCollection(std::string_view b) {
    auto get32 = [](std::string_view v) {
        uint32_t x = 0;
        for (int k = 0; k < 4; ++k) x = (x << 8) | static_cast<unsigned char>(v[static_cast<size_t>(k)]);
        return static_cast<int32_t>(x);
    };
    if (b.size() < 4) return Status::InvalidArgument("collection value shorter than its count");
    const int32_t n = get32(b);
    if (n < 0 || n > kMaxCollectionElements) return Status::InvalidArgument("bad collection count");
    b.remove_prefix(4);
    std::vector<std::string> out;
    for (int32_t i = 0; i < n; ++i) {
        if (b.size() < 4) return Status::InvalidArgument("collection element truncated");
        const int32_t len = get32(b);
        b.remove_prefix(4);
        if (len < 0 || static_cast<size_t>(len) > b.size()) {
            return Status::InvalidArgument("bad collection element length");
        }
        out.emplace_back(b.substr(0, static_cast<size_t>(len)));
        b.remove_prefix(static_cast<size_t>(len));
    }
    if (!b.empty()) return Status::InvalidArgument("trailing bytes after a collection");
    return out;
}

Status Binder::CheckCount() const {
    const size_t want = static_cast<size_t>(statement_.marker_count);
    if (params_.names.empty() && params_.values.size() != want) {
        return Status::InvalidArgument(fmt::format(
            "There were {} markers(?) in CQL but {} bound variables", want, params_.values.size()));
    }
    return Status::Ok();
}

orrery::Result<std::optional<Cell>> Binder::MarkerCell(const Term& term,
                                                       const std::string& column) const {
    ORRERY_ASSERT(term.kind == Term::Kind::kMarker, "MarkerCell of a literal");
    size_t index = static_cast<size_t>(term.marker);
    if (!params_.names.empty()) {
        std::string name = statement_.marker_names[index];
        if (name.empty()) name = column;
        index = params_.names.size();
        for (size_t i = 0; i < params_.names.size(); ++i) {
            if (params_.names[i] == name) index = i;
        }
        if (index == params_.names.size() || index >= params_.values.size()) {
            return Status::InvalidArgument(fmt::format("Missing value for bind marker {}", name));
        }
    }
    if (index >= params_.values.size()) {
        return Status::InvalidArgument(fmt::format("No value bound for marker {}", index));
    }
    if (index < params_.unset.size() && params_.unset[index]) return std::optional<Cell>();
    return std::optional<Cell>(params_.values[index]);
}

orrery::Result<std::optional<sql::Value>> Binder::Bind(const Term& term, const Type& type,
                                                       const std::string& column) const {
    if (term.kind == Term::Kind::kMarker) {
        orrery::Result<std::optional<Cell>> cell = MarkerCell(term, column);
        if (!cell.ok()) return cell.status();
        if (!cell.value()) return std::optional<sql::Value>();
        orrery::Result<sql::Value> v = Decode(type, *cell.value());
        if (!v.ok()) {
            return Status::InvalidArgument(
                fmt::format("Invalid value for column {}: {}", column, v.status().message()));
        }
        return std::optional<sql::Value>(std::move(v).value());
    }
    orrery::Result<sql::Value> v = Literal(term, type, 0);
    if (!v.ok()) return v.status();
    return std::optional<sql::Value>(std::move(v).value());
}

// [..], {..} or {k: v, ..}: each element bound by its type, serialized, then canonicalized by
// Decode (a set's or map's order, one entry per key).
orrery::Result<sql::Value> Binder::CollectionLiteral(const Term& term, const Type& type, int depth) const {
    using TK = Term::Kind;
    const bool is_map = type.id == TypeId::kMap;
    const bool empty_braces = term.kind == TK::kSet && term.items.empty();
    const TK want = type.id == TypeId::kList ? TK::kList : is_map ? TK::kMap : TK::kSet;
    if (term.kind != want && !(empty_braces && type.id != TypeId::kList)) {
        return BadLiteral(term, type);
    }
    ORRERY_ASSERT(!is_map || term.items.size() % 2 == 0, "odd map literal");
    const size_t per = is_map ? 2 : 1;
    std::string out = PutBE32(static_cast<uint32_t>(term.items.size() / per));
    for (size_t i = 0; i < term.items.size(); ++i) {
        const Type& et = type.params[is_map ? i % 2 : 0];
        orrery::Result<sql::Value> v = Literal(term.items[i], et, depth + 1);
        if (!v.ok()) return v.status();
        if (v.value().is_null()) {
            return Status::InvalidArgument("null is not supported inside collections");
        }
        orrery::Result<Cell> cell = Encode(et, v.value());
        if (!cell.ok()) return cell.status();
        out += PutBE32(static_cast<uint32_t>(cell.value()->size())) + *cell.value();
    }
    return Decode(type, Cell(std::move(out)));  // Canonical order for sets and maps.
}

orrery::Result<sql::Value> Binder::Literal(const Term& term, const Type& type, int depth) const {
    if (depth > kMaxTypeDepth) return Status::InvalidArgument("value nested too deeply");
    using TK = Term::Kind;
    if (term.kind == TK::kNull) return sql::Value::Null();
    if (term.kind == TK::kMarker) {
        orrery::Result<std::optional<Cell>> cell = MarkerCell(term, "");
        if (!cell.ok()) return cell.status();
        if (!cell.value() || !*cell.value()) {
            return Status::InvalidArgument("null or unset value inside a collection");
        }
        return Decode(type, *cell.value());
    }
    switch (type.id) {
    case TypeId::kInt:
    case TypeId::kBigint:
    case TypeId::kSmallint:
    case TypeId::kTinyint: {
        if (term.kind != TK::kInteger) return BadLiteral(term, type);
        int64_t v = 0;
        const char* end = term.text.data() + term.text.size();
        auto [p, ec] = std::from_chars(term.text.data(), end, v);
        const int bits = type.id == TypeId::kInt ? 32 : type.id == TypeId::kBigint ? 64
                       : type.id == TypeId::kSmallint ? 16 : 8;
        const bool fits = bits == 64 || (v >= -(int64_t{1} << (bits - 1)) &&
                                         v < (int64_t{1} << (bits - 1)));
        if (ec != std::errc() || p != end || !fits) {
            return Status::InvalidArgument(
                fmt::format("Unable to make {} from '{}'", TypeName(type), term.text));
        }
        return sql::Value::Integer(v);
    }
    case TypeId::kBoolean:
        if (term.kind != TK::kBoolean) return BadLiteral(term, type);
        return sql::Value::Boolean(term.text == "true");
    case TypeId::kDouble:
    case TypeId::kFloat: {
        if (term.kind != TK::kInteger && term.kind != TK::kFloat) return BadLiteral(term, type);
        double d;
        if (term.text == "nan") {
            d = std::nan("");
        } else if (term.text == "infinity" || term.text == "-infinity") {
            d = term.text[0] == '-' ? -HUGE_VAL : HUGE_VAL;
        } else {
            d = std::strtod(term.text.c_str(), nullptr);
            if (std::isinf(d) || (type.id == TypeId::kFloat && std::fabs(d) > FLT_MAX)) {
                return Status::InvalidArgument(
                    fmt::format("Unable to make {} from '{}'", TypeName(type), term.text));
            }
        }
        if (type.id == TypeId::kFloat) d = static_cast<double>(static_cast<float>(d));
        return sql::Value::Float(d);
    }
    case TypeId::kVarchar:
    case TypeId::kAscii:
        if (term.kind != TK::kString) return BadLiteral(term, type);
        return Decode(type, Cell(term.text));
    case TypeId::kTimestamp: {
        if (term.kind == TK::kInteger) {
            Term t = term;
            orrery::Result<sql::Value> ms = Literal(t, Type::Native(TypeId::kBigint), depth);
            if (!ms.ok()) return ms.status();
            const int64_t v = ms.value().integer();
            if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000) return BadLiteral(term, type);
            return sql::Value::Timestamp(v * 1000);
        }
        if (term.kind != TK::kString) return BadLiteral(term, type);
        orrery::Result<int64_t> us = ParseTimestampLiteral(term.text);
        if (!us.ok()) return us.status();
        return sql::Value::Timestamp(us.value() / 1000 * 1000);  // CQL keeps milliseconds.
    }
    case TypeId::kUuid:
    case TypeId::kTimeuuid: {
        if (term.kind != TK::kUuid) return BadLiteral(term, type);
        orrery::Result<std::string> bytes = EncodeUuidText(term.text);
        if (!bytes.ok()) return bytes.status();
        return Decode(type, Cell(bytes.value()));
    }
    case TypeId::kBlob: {
        if (term.kind != TK::kBlob) return BadLiteral(term, type);
        std::string out;
        for (size_t i = 0; i + 1 < term.text.size(); i += 2) {
            out.push_back(static_cast<char>(HexValue(term.text[i]) * 16 + HexValue(term.text[i + 1])));
        }
        return sql::Value::Blob(std::move(out));
    }
    case TypeId::kInet: {
        if (term.kind != TK::kString) return BadLiteral(term, type);
        orrery::Result<std::string> bytes = EncodeInetText(term.text);
        if (!bytes.ok()) return bytes.status();
        return sql::Value::Blob(std::move(bytes).value());
    }
    case TypeId::kList:
    case TypeId::kSet:
    case TypeId::kMap:
        return CollectionLiteral(term, type, depth);
    default:
        return Status::InvalidArgument(fmt::format("unsupported type {}", TypeName(type)));
    }
}

}  // namespace orrery::node::cql
