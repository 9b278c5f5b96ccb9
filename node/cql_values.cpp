// CQL value serialization (native protocol v4 §6) and its mapping onto SQL values. The type
// table and the invariants are in cql_values.h.
#include "node/cql_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "core/assert.h"

namespace orrery::node::cql {
namespace {

std::string ToLower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string_view Trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

// Big-endian fixed-width integers.
std::string PutBE(uint64_t v, int bytes) {
    std::string out(static_cast<size_t>(bytes), '\0');
    for (int i = bytes - 1; i >= 0; --i) {
        out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
        v >>= 8;
    }
    return out;
}

uint64_t GetBE(std::string_view b) {
    ORRERY_ASSERT(b.size() <= 8, "GetBE of {} bytes", b.size());
    uint64_t v = 0;
    for (unsigned char c : b) v = (v << 8) | c;
    return v;
}

// Sign-extends the low `bytes` bytes of v.
int64_t SignExtend(uint64_t v, size_t bytes) {
    if (bytes == 8) return static_cast<int64_t>(v);
    const uint64_t sign = uint64_t{1} << (bytes * 8 - 1);
    return static_cast<int64_t>((v ^ sign) - sign);
}

const std::map<std::string, TypeId, std::less<>>& NativeNames() {
    static const std::map<std::string, TypeId, std::less<>> kNames = {
        {"ascii", TypeId::kAscii},     {"bigint", TypeId::kBigint},
        {"blob", TypeId::kBlob},       {"boolean", TypeId::kBoolean},
        {"double", TypeId::kDouble},   {"float", TypeId::kFloat},
        {"int", TypeId::kInt},         {"timestamp", TypeId::kTimestamp},
        {"uuid", TypeId::kUuid},       {"varchar", TypeId::kVarchar},
        {"text", TypeId::kVarchar},    {"timeuuid", TypeId::kTimeuuid},
        {"inet", TypeId::kInet},       {"smallint", TypeId::kSmallint},
        {"tinyint", TypeId::kTinyint},
    };
    return kNames;
}

// Splits "a, map<b, c>" at top-level commas.
std::vector<std::string_view> SplitParams(std::string_view s) {
    std::vector<std::string_view> out;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '<') ++depth;
        if (s[i] == '>') --depth;
        if (s[i] == ',' && depth == 0) {
            out.push_back(Trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    out.push_back(Trim(s.substr(start)));
    return out;
}

orrery::Result<Type> ParseTypeAt(std::string_view text, int depth) {
    if (depth > kMaxTypeDepth) {
        return Status::InvalidArgument(fmt::format("type nested more than {} levels", kMaxTypeDepth));
    }
    text = Trim(text);
    const size_t lt = text.find('<');
    const std::string base = ToLower(Trim(text.substr(0, lt)));
    if (lt == std::string_view::npos) {
        auto it = NativeNames().find(base);
        if (it != NativeNames().end()) return Type::Native(it->second);
        if (base == "counter") return Status::InvalidArgument("counter columns are not supported");
        return Status::InvalidArgument(fmt::format("unsupported or unknown type {}", text));
    }
    if (text.back() != '>') return Status::InvalidArgument(fmt::format("bad type {}", text));
    const std::string_view inner = text.substr(lt + 1, text.size() - lt - 2);
    std::vector<std::string_view> parts = SplitParams(inner);
    std::vector<Type> params;
    for (std::string_view p : parts) {
        orrery::Result<Type> t = ParseTypeAt(p, depth + 1);
        if (!t.ok()) return t.status();
        params.push_back(std::move(t).value());
    }
    if (base == "frozen" && params.size() == 1) return params[0];
    if (base == "list" && params.size() == 1) return Type::List(params[0]);
    if (base == "set" && params.size() == 1) return Type::Set(params[0]);
    if (base == "map" && params.size() == 2) return Type::Map(params[0], params[1]);
    if (base == "tuple") return Status::InvalidArgument("tuple types are not supported");
    return Status::InvalidArgument(fmt::format("unsupported or unknown type {}", text));
}

bool ValidUtf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k) {
            if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
        }
        i += n;
    }
    return true;
}

Status BadSize(std::string_view what, size_t want, size_t got) {
    return Status::InvalidArgument(
        fmt::format("Expected {} or 0 byte {} ({})", want, what, got));
}

orrery::Result<sql::Value> DecodeAt(const Type& type, std::string_view b, int depth);

// A v4 collection body: [int n] then n (or 2n for a map) [int]-length elements.
orrery::Result<sql::Value> DecodeCollection(const Type& type, std::string_view b, int depth) {
    const bool is_map = type.id == TypeId::kMap;
    ORRERY_ASSERT(type.params.size() == (is_map ? 2u : 1u), "collection params");
    if (b.size() < 4) return Status::InvalidArgument("collection value shorter than its count");
    const int64_t n = SignExtend(GetBE(b.substr(0, 4)), 4);
    if (n < 0 || n > kMaxCollectionElements) {
        return Status::InvalidArgument(fmt::format("bad collection element count {}", n));
    }
    b.remove_prefix(4);
    // (key bytes, value bytes); value empty for lists and sets.
    std::vector<std::pair<std::string, std::string>> items;
    const int per = is_map ? 2 : 1;
    for (int64_t i = 0; i < n; ++i) {
        std::string parts[2];
        for (int p = 0; p < per; ++p) {
            if (b.size() < 4) return Status::InvalidArgument("collection element truncated");
            const int64_t len = SignExtend(GetBE(b.substr(0, 4)), 4);
            b.remove_prefix(4);
            if (len < 0) return Status::InvalidArgument("null inside a collection");
            if (static_cast<uint64_t>(len) > b.size()) {
                return Status::InvalidArgument("collection element longer than the value");
            }
            parts[p] = std::string(b.substr(0, static_cast<size_t>(len)));
            b.remove_prefix(static_cast<size_t>(len));
            orrery::Result<sql::Value> elem = DecodeAt(type.params[static_cast<size_t>(p)], parts[p], depth + 1);
            if (!elem.ok()) return elem.status();
        }
        items.emplace_back(std::move(parts[0]), std::move(parts[1]));
    }
    if (!b.empty()) return Status::InvalidArgument("trailing bytes after a collection");
    if (type.id != TypeId::kList) {
        // Canonical order: sorted by key bytes, one entry per key (the last one given wins).
        std::stable_sort(items.begin(), items.end(),
                         [](const auto& x, const auto& y) { return x.first < y.first; });
        std::vector<std::pair<std::string, std::string>> unique;
        for (auto& it : items) {
            if (!unique.empty() && unique.back().first == it.first) {
                unique.back() = std::move(it);
            } else {
                unique.push_back(std::move(it));
            }
        }
        items = std::move(unique);
    }
    std::string out = PutBE(items.size(), 4);
    for (const auto& [k, v] : items) {
        out += PutBE(k.size(), 4) + k;
        if (is_map) out += PutBE(v.size(), 4) + v;
    }
    return sql::Value::Blob(std::move(out));
}

orrery::Result<sql::Value> DecodeAt(const Type& type, std::string_view b, int depth) {
    if (depth > kMaxTypeDepth) return Status::InvalidArgument("value nested too deeply");
    switch (type.id) {
    case TypeId::kVarchar:
        if (!ValidUtf8(b)) return Status::InvalidArgument("Invalid UTF-8 bytes");
        return sql::Value::String(std::string(b));
    case TypeId::kAscii:
        for (char c : b) {
            if (static_cast<unsigned char>(c) >= 0x80) {
                return Status::InvalidArgument("Invalid byte for ascii");
            }
        }
        return sql::Value::String(std::string(b));
    case TypeId::kBlob:
        return sql::Value::Blob(std::string(b));
    default:
        break;
    }
    if (b.empty() && !IsCollection(type)) return sql::Value::Null();  // Cassandra's empty value.
    switch (type.id) {
    case TypeId::kInt:
        if (b.size() != 4) return BadSize("int", 4, b.size());
        return sql::Value::Integer(SignExtend(GetBE(b), 4));
    case TypeId::kBigint:
        if (b.size() != 8) return BadSize("long", 8, b.size());
        return sql::Value::Integer(SignExtend(GetBE(b), 8));
    case TypeId::kSmallint:
        if (b.size() != 2) return BadSize("short", 2, b.size());
        return sql::Value::Integer(SignExtend(GetBE(b), 2));
    case TypeId::kTinyint:
        if (b.size() != 1) return BadSize("byte", 1, b.size());
        return sql::Value::Integer(SignExtend(GetBE(b), 1));
    case TypeId::kBoolean:
        if (b.size() != 1) return BadSize("boolean", 1, b.size());
        return sql::Value::Boolean(b[0] != 0);
    case TypeId::kDouble: {
        if (b.size() != 8) return BadSize("double", 8, b.size());
        const uint64_t bits = GetBE(b);
        double d;
        std::memcpy(&d, &bits, 8);
        return sql::Value::Float(d);
    }
    case TypeId::kFloat: {
        if (b.size() != 4) return BadSize("float", 4, b.size());
        const auto bits = static_cast<uint32_t>(GetBE(b));
        float f;
        std::memcpy(&f, &bits, 4);
        return sql::Value::Float(static_cast<double>(f));
    }
    case TypeId::kTimestamp: {
        if (b.size() != 8) return BadSize("timestamp", 8, b.size());
        const int64_t ms = SignExtend(GetBE(b), 8);
        if (ms > INT64_MAX / 1000 || ms < INT64_MIN / 1000) {
            return Status::InvalidArgument(fmt::format("timestamp {} ms is out of range", ms));
        }
        return sql::Value::Timestamp(ms * 1000);
    }
    case TypeId::kUuid:
    case TypeId::kTimeuuid:
        if (b.size() != 16) return BadSize("uuid", 16, b.size());
        if (type.id == TypeId::kTimeuuid && (static_cast<unsigned char>(b[6]) >> 4) != 1) {
            return Status::InvalidArgument("Unsupported UUID version for timeuuid");
        }
        return sql::Value::String(UuidToText(b));
    case TypeId::kInet:
        if (b.size() != 4 && b.size() != 16) {
            return Status::InvalidArgument(fmt::format("Invalid inet of {} bytes", b.size()));
        }
        return sql::Value::Blob(std::string(b));
    case TypeId::kList:
    case TypeId::kSet:
    case TypeId::kMap:
        return DecodeCollection(type, b, depth);
    default:
        return Status::InvalidArgument(fmt::format("unsupported type id {}",
                                                   static_cast<int>(type.id)));
    }
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

orrery::Result<Type> ParseType(std::string_view text) { return ParseTypeAt(text, 0); }

std::string TypeName(const Type& type) {
    switch (type.id) {
    case TypeId::kList: return "list<" + TypeName(type.params[0]) + ">";
    case TypeId::kSet: return "set<" + TypeName(type.params[0]) + ">";
    case TypeId::kMap:
        return "map<" + TypeName(type.params[0]) + ", " + TypeName(type.params[1]) + ">";
    case TypeId::kVarchar: return "text";
    default: break;
    }
    for (const auto& [name, id] : NativeNames()) {
        if (id == type.id && name != "varchar") return name;
    }
    ORRERY_ASSERT(false, "TypeName of type id {}", static_cast<int>(type.id));
    return "";
}

sql::DataType SqlTypeOf(const Type& type) {
    switch (type.id) {
    case TypeId::kInt:
    case TypeId::kBigint:
    case TypeId::kSmallint:
    case TypeId::kTinyint: return sql::DataType::kInteger;
    case TypeId::kBoolean: return sql::DataType::kBoolean;
    case TypeId::kDouble:
    case TypeId::kFloat: return sql::DataType::kFloat;
    case TypeId::kVarchar:
    case TypeId::kAscii:
    case TypeId::kUuid:
    case TypeId::kTimeuuid: return sql::DataType::kString;
    case TypeId::kTimestamp: return sql::DataType::kTimestamp;
    default: return sql::DataType::kBlob;  // blob, inet, collections.
    }
}

std::string SqlTypeName(const Type& type) {
    switch (SqlTypeOf(type)) {
    case sql::DataType::kInteger: return "INTEGER";
    case sql::DataType::kBoolean: return "BOOLEAN";
    case sql::DataType::kFloat: return "FLOAT";
    case sql::DataType::kString: return "TEXT";
    case sql::DataType::kTimestamp: return "TIMESTAMP";
    default: return "BLOB";
    }
}

bool IsCollection(const Type& type) {
    return type.id == TypeId::kList || type.id == TypeId::kSet || type.id == TypeId::kMap;
}

orrery::Result<Cell> Encode(const Type& type, const sql::Value& v) {
    if (v.is_null()) return Cell(std::nullopt);
    if (v.type() != SqlTypeOf(type)) {
        return Status::Corruption(fmt::format("stored {} value for a {} column",
                                              sql::DataTypeName(v.type()), TypeName(type)));
    }
    auto ranged = [&](int bytes, const char* name) -> orrery::Result<Cell> {
        const int64_t i = v.integer();
        const int64_t lim = int64_t{1} << (bytes * 8 - 1);
        if (bytes < 8 && (i < -lim || i >= lim)) {
            return Status::Corruption(fmt::format("stored {} does not fit a {}", i, name));
        }
        return Cell(PutBE(static_cast<uint64_t>(i), bytes));
    };
    switch (type.id) {
    case TypeId::kInt: return ranged(4, "int");
    case TypeId::kBigint: return ranged(8, "bigint");
    case TypeId::kSmallint: return ranged(2, "smallint");
    case TypeId::kTinyint: return ranged(1, "tinyint");
    case TypeId::kBoolean: return Cell(EncodeBoolean(v.boolean()));
    case TypeId::kDouble: {
        uint64_t bits;
        const double d = v.floating();
        std::memcpy(&bits, &d, 8);
        return Cell(PutBE(bits, 8));
    }
    case TypeId::kFloat: {
        uint32_t bits;
        const auto f = static_cast<float>(v.floating());
        std::memcpy(&bits, &f, 4);
        return Cell(PutBE(bits, 4));
    }
    case TypeId::kVarchar:
    case TypeId::kAscii: return Cell(v.string());
    case TypeId::kTimestamp: {
        int64_t us = v.timestamp();
        int64_t ms = us / 1000 - ((us % 1000) < 0 ? 1 : 0);  // Floor, for times before 1970.
        return Cell(PutBE(static_cast<uint64_t>(ms), 8));
    }
    case TypeId::kUuid:
    case TypeId::kTimeuuid: {
        orrery::Result<std::string> b = EncodeUuidText(v.string());
        if (!b.ok()) return Status::Corruption(b.status().message());
        return Cell(std::move(b).value());
    }
    default: return Cell(v.blob());  // blob, inet, collections: the bytes themselves.
    }
}

orrery::Result<sql::Value> Decode(const Type& type, const Cell& cell) {
    if (!cell) return sql::Value::Null();
    return DecodeAt(type, *cell, 0);
}

std::string EncodeText(std::string_view text) { return std::string(text); }
std::string EncodeInt(int32_t v) { return PutBE(static_cast<uint32_t>(v), 4); }
std::string EncodeBigint(int64_t v) { return PutBE(static_cast<uint64_t>(v), 8); }
std::string EncodeBoolean(bool v) { return std::string(1, v ? '\1' : '\0'); }

bool IsUuidText(std::string_view t) {
    if (t.size() != 36) return false;
    for (size_t i = 0; i < t.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? t[i] != '-' : HexDigit(t[i]) < 0) return false;
    }
    return true;
}

orrery::Result<std::string> EncodeUuidText(std::string_view t) {
    if (!IsUuidText(t)) return Status::InvalidArgument(fmt::format("Invalid UUID {}", t));
    std::string out;
    int hi = -1;
    for (char c : t) {
        if (c == '-') continue;
        if (hi < 0) {
            hi = HexDigit(c);
        } else {
            out.push_back(static_cast<char>(hi * 16 + HexDigit(c)));
            hi = -1;
        }
    }
    ORRERY_ASSERT(out.size() == 16, "uuid of {} bytes", out.size());
    return out;
}

std::string UuidToText(std::string_view b) {
    ORRERY_ASSERT(b.size() == 16, "uuid of {} bytes", b.size());
    std::string out;
    static const char kHex[] = "0123456789abcdef";
    for (size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        out.push_back(kHex[static_cast<unsigned char>(b[i]) >> 4]);
        out.push_back(kHex[static_cast<unsigned char>(b[i]) & 0xf]);
    }
    return out;
}

orrery::Result<std::string> EncodeInetText(std::string_view t) {
    std::string out;
    if (t.find(':') == std::string_view::npos) {
        // IPv4: four decimal octets.
        size_t pos = 0;
        for (int part = 0; part < 4; ++part) {
            size_t end = pos;
            int v = 0;
            while (end < t.size() && t[end] >= '0' && t[end] <= '9' && end - pos < 3) {
                v = v * 10 + (t[end] - '0');
                ++end;
            }
            if (end == pos || v > 255) break;
            out.push_back(static_cast<char>(v));
            pos = end;
            if (part < 3) {
                if (pos >= t.size() || t[pos] != '.') break;
                ++pos;
            }
            if (part == 3 && pos == t.size()) return out;
        }
        return Status::InvalidArgument(fmt::format("Unable to make inet address from '{}'", t));
    }
    // IPv6: up to eight groups, one "::" allowed.
    std::vector<uint16_t> head, tail;
    bool gap = false;
    std::vector<uint16_t>* cur = &head;
    size_t i = 0;
    if (t.substr(0, 2) == "::") {
        gap = true;
        cur = &tail;
        i = 2;
    }
    while (i < t.size()) {
        uint32_t v = 0;
        size_t start = i;
        while (i < t.size() && HexDigit(t[i]) >= 0 && i - start < 4) v = v * 16 + HexDigit(t[i++]);
        if (i == start) return Status::InvalidArgument(fmt::format("Unable to make inet address from '{}'", t));
        cur->push_back(static_cast<uint16_t>(v));
        if (i == t.size()) break;
        if (t[i] != ':') return Status::InvalidArgument(fmt::format("Unable to make inet address from '{}'", t));
        ++i;
        if (i < t.size() && t[i] == ':') {
            if (gap) return Status::InvalidArgument(fmt::format("Unable to make inet address from '{}'", t));
            gap = true;
            cur = &tail;
            ++i;
        }
    }
    const size_t groups = head.size() + tail.size();
    if (groups > 8 || (!gap && groups != 8)) {
        return Status::InvalidArgument(fmt::format("Unable to make inet address from '{}'", t));
    }
    head.resize(8 - tail.size(), 0);
    head.insert(head.end(), tail.begin(), tail.end());
    for (uint16_t g : head) out += PutBE(g, 2);
    return out;
}

std::string EncodeTextCollection(const std::vector<std::string>& items) {
    std::string out = PutBE(items.size(), 4);
    for (const std::string& s : items) out += PutBE(s.size(), 4) + s;
    return out;
}

std::string EncodeTextMap(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out = PutBE(entries.size(), 4);
    for (const auto& [k, v] : entries) out += PutBE(k.size(), 4) + k + PutBE(v.size(), 4) + v;
    return out;
}

}  // namespace orrery::node::cql
