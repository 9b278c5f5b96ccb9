// Scalar functions (functions.h).
#include "sql/eval/functions.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "core/assert.h"

namespace orrery::sql {
namespace {

constexpr std::array<FunctionSignature, 17> kFunctions = {{
    {ScalarFunction::kAbs, "abs", 1, 1},
    {ScalarFunction::kCoalesce, "coalesce", 1, 64},
    {ScalarFunction::kIfnull, "ifnull", 2, 2},
    {ScalarFunction::kNullif, "nullif", 2, 2},
    {ScalarFunction::kLength, "length", 1, 1},
    {ScalarFunction::kLength, "char_length", 1, 1},
    {ScalarFunction::kLower, "lower", 1, 1},
    {ScalarFunction::kUpper, "upper", 1, 1},
    {ScalarFunction::kSubstr, "substr", 2, 3},
    {ScalarFunction::kRound, "round", 1, 2},
    {ScalarFunction::kTrim, "trim", 1, 1},
    {ScalarFunction::kLtrim, "ltrim", 1, 1},
    {ScalarFunction::kRtrim, "rtrim", 1, 1},
    {ScalarFunction::kReplace, "replace", 3, 3},
    {ScalarFunction::kTypeof, "typeof", 1, 1},
    {ScalarFunction::kConcat, "concat", 1, 64},
    {ScalarFunction::kNow, "now", 0, 0},
}};

SqlError ArgError(const FunctionSignature& sig, const std::vector<DataType>& types) {
    std::string list;
    for (size_t i = 0; i < types.size(); ++i) {
        if (i > 0) list += ", ";
        list += DataTypeName(types[i]);
    }
    return MakeSqlError(ErrorKind::kDatatypeMismatch,
                        fmt::format("function {}({}) does not exist", sig.name, list));
}

bool IsNumberOrNull(DataType t) {
    return t == DataType::kInteger || t == DataType::kFloat || t == DataType::kNull;
}

bool IsTextOrNull(DataType t) { return t == DataType::kString || t == DataType::kNull; }

// The common type of coalesce-like arguments: the first non-NULL one; numbers widen to FLOAT.
SqlResult<DataType> CommonType(const FunctionSignature& sig, const std::vector<DataType>& types) {
    DataType out = DataType::kNull;
    for (DataType t : types) {
        if (t == DataType::kNull) continue;
        if (out == DataType::kNull || out == t) {
            out = t;
        } else if (IsNumberOrNull(out) && IsNumberOrNull(t)) {
            out = DataType::kFloat;
        } else {
            return ArgError(sig, types);
        }
    }
    return out;
}

std::vector<std::string_view> Utf8Chars(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

std::string MapAscii(const std::string& s, bool upper) {
    std::string out = s;
    for (char& c : out) {
        if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// substr(s, start[, count]) with PostgreSQL's rule: characters at 1-based positions
// [start, start + count) that exist.
ValueResult Substr(const std::vector<Value>& args) {
    std::vector<std::string_view> chars = Utf8Chars(args[0].string());
    int64_t start = args[1].integer();
    int64_t end = INT64_MAX;
    if (args.size() == 3) {
        int64_t count = args[2].integer();
        if (count < 0) {
            return MakeSqlError(ErrorKind::kInvalidText, "negative substring length not allowed");
        }
        if (__builtin_add_overflow(start, count, &end)) end = INT64_MAX;
    }
    int64_t n = static_cast<int64_t>(chars.size());
    int64_t lo = std::max<int64_t>(start, 1);
    int64_t hi = std::min<int64_t>(end, n + 1);
    std::string out;
    for (int64_t i = lo; i < hi; ++i) out += chars[static_cast<size_t>(i - 1)];
    return Value::String(std::move(out));
}

ValueResult Round(const std::vector<Value>& args) {
    const Value& x = args[0];
    int64_t digits = args.size() == 2 ? args[1].integer() : 0;
    if (x.type() == DataType::kInteger && digits >= 0) return x;
    double d = x.type() == DataType::kInteger ? static_cast<double>(x.integer()) : x.floating();
    if (digits < -308 || digits > 308) return Value::Float(digits > 0 ? d : 0.0);
    double scale = std::pow(10.0, static_cast<double>(digits));
    double r = std::round(d * scale) / scale;  // Half away from zero, as SQLite and numeric.
    if (std::isinf(d * scale)) r = d;          // Too many digits to matter.
    return Value::Float(r);
}

ValueResult Replace(const std::vector<Value>& args) {
    const std::string& s = args[0].string();
    const std::string& from = args[1].string();
    const std::string& to = args[2].string();
    if (from.empty()) return args[0];
    std::string out;
    size_t pos = 0;
    for (size_t hit = s.find(from); hit != std::string::npos; hit = s.find(from, pos)) {
        out.append(s, pos, hit - pos);
        out += to;
        pos = hit + from.size();
    }
    out.append(s, pos);
    return Value::String(std::move(out));
}

ValueResult Trim(const std::string& s, bool left, bool right) {
    size_t b = 0;
    size_t e = s.size();
    if (left) while (b < e && s[b] == ' ') ++b;
    if (right) while (e > b && s[e - 1] == ' ') --e;
    return Value::String(s.substr(b, e - b));
}

ValueResult Abs(const Value& x) {
    if (x.type() == DataType::kFloat) return Value::Float(std::fabs(x.floating()));
    if (x.integer() == INT64_MIN) {
        return MakeSqlError(ErrorKind::kNumericOutOfRange, "integer out of range");
    }
    return Value::Integer(x.integer() < 0 ? -x.integer() : x.integer());
}

std::string TypeofName(DataType t) {
    std::string out(DataTypeName(t));
    for (char& c : out) c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::optional<FunctionSignature> LookupScalarFunction(std::string_view name) {
    for (const FunctionSignature& sig : kFunctions) {
        if (sig.name == name) return sig;
    }
    return std::nullopt;
}

SqlResult<DataType> ScalarResultType(const FunctionSignature& sig,
                                     const std::vector<DataType>& types) {
    auto need = [&](size_t i, bool ok) { return i >= types.size() || ok; };
    switch (sig.function) {
        case ScalarFunction::kAbs:
            if (!IsNumberOrNull(types[0])) return ArgError(sig, types);
            return types[0] == DataType::kNull ? DataType::kInteger : types[0];
        case ScalarFunction::kCoalesce:
        case ScalarFunction::kIfnull:
        case ScalarFunction::kNullif: return CommonType(sig, types);
        case ScalarFunction::kLength:
            if (types[0] != DataType::kBlob && !IsTextOrNull(types[0])) return ArgError(sig, types);
            return DataType::kInteger;
        case ScalarFunction::kLower:
        case ScalarFunction::kUpper:
        case ScalarFunction::kTrim:
        case ScalarFunction::kLtrim:
        case ScalarFunction::kRtrim:
            if (!IsTextOrNull(types[0])) return ArgError(sig, types);
            return DataType::kString;
        case ScalarFunction::kSubstr: {
            bool ok = IsTextOrNull(types[0]) &&
                      (types[1] == DataType::kInteger || types[1] == DataType::kNull) &&
                      need(2, types.size() < 3 || types[2] == DataType::kInteger ||
                                  types[2] == DataType::kNull);
            if (!ok) return ArgError(sig, types);
            return DataType::kString;
        }
        case ScalarFunction::kRound: {
            bool ok = IsNumberOrNull(types[0]) &&
                      (types.size() < 2 || types[1] == DataType::kInteger ||
                       types[1] == DataType::kNull);
            if (!ok) return ArgError(sig, types);
            return types[0] == DataType::kInteger && types.size() == 1 ? DataType::kInteger
                                                                      : DataType::kFloat;
        }
        case ScalarFunction::kReplace:
            for (DataType t : types) {
                if (!IsTextOrNull(t)) return ArgError(sig, types);
            }
            return DataType::kString;
        case ScalarFunction::kTypeof:
        case ScalarFunction::kConcat: return DataType::kString;
        case ScalarFunction::kNow: return DataType::kTimestamp;
    }
    return ArgError(sig, types);
}

ValueResult EvalScalarFunction(ScalarFunction function, const std::vector<Value>& args) {
    ORRERY_ASSERT(function != ScalarFunction::kNow, "now() is the evaluator's");
    ORRERY_ASSERT(!args.empty(), "every function but now() takes arguments");
    switch (function) {
        case ScalarFunction::kCoalesce:
        case ScalarFunction::kIfnull:
            for (const Value& v : args) {
                if (!v.is_null()) return v;
            }
            return Value::Null();
        case ScalarFunction::kNullif: {
            if (args[0].is_null() || args[1].is_null()) return args[0];
            auto c = CompareSql(args[0], args[1]);
            if (!c.ok()) return c.error();
            return *c.value() == 0 ? Value::Null() : args[0];
        }
        case ScalarFunction::kTypeof: return Value::String(TypeofName(args[0].type()));
        case ScalarFunction::kConcat: {
            std::string out;
            for (const Value& v : args) {
                if (!v.is_null()) out += v.ToString();
            }
            return Value::String(std::move(out));
        }
        default: break;
    }
    for (const Value& v : args) {
        if (v.is_null()) return Value::Null();
    }
    // Parameters are typed only now: check the actual types before the accessors assert them.
    std::vector<DataType> types;
    for (const Value& v : args) types.push_back(v.type());
    for (const FunctionSignature& sig : kFunctions) {
        if (sig.function != function) continue;
        auto type = ScalarResultType(sig, types);
        if (!type.ok()) return type.error();
        break;
    }
    switch (function) {
        case ScalarFunction::kAbs: return Abs(args[0]);
        case ScalarFunction::kLength:
            if (args[0].type() == DataType::kBlob) {
                return Value::Integer(static_cast<int64_t>(args[0].blob().size()));
            }
            return Value::Integer(static_cast<int64_t>(Utf8Chars(args[0].string()).size()));
        case ScalarFunction::kLower: return Value::String(MapAscii(args[0].string(), false));
        case ScalarFunction::kUpper: return Value::String(MapAscii(args[0].string(), true));
        case ScalarFunction::kSubstr: return Substr(args);
        case ScalarFunction::kRound: return Round(args);
        case ScalarFunction::kTrim: return Trim(args[0].string(), true, true);
        case ScalarFunction::kLtrim: return Trim(args[0].string(), true, false);
        case ScalarFunction::kRtrim: return Trim(args[0].string(), false, true);
        case ScalarFunction::kReplace: return Replace(args);
        default: break;
    }
    ORRERY_ASSERT(false, "unhandled scalar function {}", static_cast<int>(function));
    return Value();
}

}  // namespace orrery::sql
