// The PostgreSQL v3 protocol's frames and messages. See pg_protocol.h.
#include "node/pg_protocol.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace orrery::node::pg {
namespace {

int32_t GetInt32(std::string_view b, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return static_cast<int32_t>(v);
}

void PutInt32(std::string& out, int32_t value) {
    auto v = static_cast<uint32_t>(value);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void PutInt16(std::string& out, int16_t value) {
    auto v = static_cast<uint16_t>(value);
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v & 0xff));
}

void PutCString(std::string& out, std::string_view s) {
    out.append(s);
    out.push_back('\0');
}

// Wraps a body into a frame: type, length (itself + body), body.
std::string Message(char type, std::string_view body) {
    std::string out;
    out.reserve(body.size() + 5);
    out.push_back(type);
    PutInt32(out, static_cast<int32_t>(body.size() + 4));
    out.append(body);
    return out;
}

// Reads a body front to back; every read checks what remains, and the first failure sticks.
class Reader {
public:
    explicit Reader(std::string_view body) : rest_(body) {}

    int32_t Int32() {
        if (!Need(4)) return 0;
        int32_t v = GetInt32(rest_, 0);
        rest_.remove_prefix(4);
        return v;
    }
    int16_t Int16() {
        if (!Need(2)) return 0;
        auto v = static_cast<int16_t>((static_cast<uint8_t>(rest_[0]) << 8) |
                                      static_cast<uint8_t>(rest_[1]));
        rest_.remove_prefix(2);
        return v;
    }
    char Byte() {
        if (!Need(1)) return 0;
        char c = rest_[0];
        rest_.remove_prefix(1);
        return c;
    }
    std::string CString() {
        size_t nul = rest_.find('\0');
        if (nul == std::string_view::npos) {
            Fail("a string without its terminating zero");
            return {};
        }
        std::string s(rest_.substr(0, nul));
        rest_.remove_prefix(nul + 1);
        return s;
    }
    std::string Bytes(size_t n) {
        if (!Need(n)) return {};
        std::string s(rest_.substr(0, n));
        rest_.remove_prefix(n);
        return s;
    }
    // A non-negative int16 count whose items take at least `min_item` bytes each: a count the
    // remaining bytes cannot hold is an error before anything is reserved for it.
    size_t Count(size_t min_item) {
        int16_t n = Int16();
        if (n < 0) {
            Fail("a negative count");
            return 0;
        }
        if (static_cast<size_t>(n) * min_item > rest_.size()) {
            Fail(fmt::format("a count of {} that the message cannot hold", n));
            return 0;
        }
        return static_cast<size_t>(n);
    }
    size_t remaining() const { return rest_.size(); }
    bool ok() const { return error_.empty(); }
    void Fail(std::string why) {
        if (error_.empty()) error_ = std::move(why);
        rest_ = {};
    }
    // Ok iff every read succeeded and nothing is left over.
    Status Finish(std::string_view what) {
        if (ok() && !rest_.empty()) Fail(fmt::format("{} trailing bytes", rest_.size()));
        if (ok()) return Status::Ok();
        return Status::Corruption(fmt::format("malformed {} message: {}", what, error_));
    }

private:
    bool Need(size_t n) {
        if (rest_.size() >= n) return true;
        Fail("a field runs past the end of the message");
        return false;
    }

    std::string_view rest_;
    std::string error_;
};

}  // namespace

Result<std::optional<Frame>> CutFrame(std::string_view buffer, bool startup, size_t* consumed) {
    *consumed = 0;
    size_t header = startup ? 4 : 5;
    if (buffer.size() < header) return std::optional<Frame>();
    int32_t length = GetInt32(buffer, startup ? 0 : 1);
    size_t max = startup ? kMaxPgStartupBytes : kMaxPgMessageBytes;
    if (length < 4 || static_cast<size_t>(length) > max) {
        return Status::Corruption(fmt::format("invalid {} length {} (4 to {} bytes)",
                                              startup ? "startup packet" : "message", length, max));
    }
    size_t total = static_cast<size_t>(length) + (startup ? 0 : 1);
    if (buffer.size() < total) return std::optional<Frame>();
    Frame frame;
    frame.type = startup ? '\0' : buffer[0];
    frame.body = std::string(buffer.substr(header, total - header));
    *consumed = total;
    return std::optional<Frame>(std::move(frame));
}

Result<StartupPacket> ParseStartup(std::string_view body) {
    Reader r(body);
    int32_t code = r.Int32();
    StartupPacket p;
    if (!r.ok()) return r.Finish("startup");
    if (code == kSslRequestCode || code == kGssEncRequestCode) {
        p.kind = code == kSslRequestCode ? StartupPacket::Kind::kSslRequest
                                         : StartupPacket::Kind::kGssEncRequest;
        ORRERY_RETURN_IF_ERROR(r.Finish("SSLRequest"));
        return p;
    }
    if (code == kCancelRequestCode) {
        p.kind = StartupPacket::Kind::kCancel;
        p.process_id = r.Int32();
        p.secret_key = r.Int32();
        ORRERY_RETURN_IF_ERROR(r.Finish("CancelRequest"));
        return p;
    }
    if (code != kProtocol30) {
        return Status::NotSupported(fmt::format("unsupported frontend protocol {}.{}: the server "
                                                "speaks 3.0", code >> 16, code & 0xffff));
    }
    // name, value pairs, then one terminating zero.
    while (r.ok() && r.remaining() > 1) {
        std::string name = r.CString();
        std::string value = r.CString();
        if (r.ok()) p.parameters[name] = std::move(value);
    }
    if (r.ok() && r.Byte() != '\0') r.Fail("the parameter list does not end with a zero");
    ORRERY_RETURN_IF_ERROR(r.Finish("StartupMessage"));
    return p;
}

Result<std::string> ParseQuery(std::string_view body) {
    Reader r(body);
    std::string query = r.CString();
    ORRERY_RETURN_IF_ERROR(r.Finish("Query"));
    return query;
}

Result<ParseMessage> ParseParse(std::string_view body) {
    Reader r(body);
    ParseMessage m;
    m.statement = r.CString();
    m.query = r.CString();
    size_t n = r.Count(4);
    m.parameter_types.reserve(n);
    for (size_t i = 0; i < n && r.ok(); ++i) m.parameter_types.push_back(r.Int32());
    ORRERY_RETURN_IF_ERROR(r.Finish("Parse"));
    return m;
}

Result<BindMessage> ParseBind(std::string_view body) {
    Reader r(body);
    BindMessage m;
    m.portal = r.CString();
    m.statement = r.CString();
    size_t nformats = r.Count(2);
    m.parameter_formats.reserve(nformats);
    for (size_t i = 0; i < nformats && r.ok(); ++i) m.parameter_formats.push_back(r.Int16());
    size_t nparams = r.Count(4);
    m.parameters.reserve(nparams);
    for (size_t i = 0; i < nparams && r.ok(); ++i) {
        int32_t length = r.Int32();
        if (length == -1) {
            m.parameters.emplace_back(std::nullopt);
        } else if (length < 0 || static_cast<size_t>(length) > r.remaining()) {
            r.Fail(fmt::format("parameter {} has length {}", i + 1, length));
        } else {
            m.parameters.emplace_back(r.Bytes(static_cast<size_t>(length)));
        }
    }
    size_t nresults = r.Count(2);
    m.result_formats.reserve(nresults);
    for (size_t i = 0; i < nresults && r.ok(); ++i) m.result_formats.push_back(r.Int16());
    ORRERY_RETURN_IF_ERROR(r.Finish("Bind"));
    return m;
}

Result<DescribeMessage> ParseDescribe(std::string_view body) {
    Reader r(body);
    DescribeMessage m;
    m.what = r.Byte();
    if (r.ok() && m.what != 'S' && m.what != 'P') {
        r.Fail(fmt::format("'{}' is neither S (statement) nor P (portal)",
                           static_cast<unsigned char>(m.what) < 0x20 ? '?' : m.what));
    }
    m.name = r.CString();
    ORRERY_RETURN_IF_ERROR(r.Finish("Describe/Close"));
    return m;
}

Result<ExecuteMessage> ParseExecute(std::string_view body) {
    Reader r(body);
    ExecuteMessage m;
    m.portal = r.CString();
    m.max_rows = r.Int32();
    if (r.ok() && m.max_rows < 0) r.Fail("a negative row limit");
    ORRERY_RETURN_IF_ERROR(r.Finish("Execute"));
    return m;
}

std::string AuthenticationOk() {
    std::string body;
    PutInt32(body, 0);
    return Message('R', body);
}

std::string ParameterStatus(std::string_view name, std::string_view value) {
    std::string body;
    PutCString(body, name);
    PutCString(body, value);
    return Message('S', body);
}

std::string BackendKeyData(int32_t process_id, int32_t secret_key) {
    std::string body;
    PutInt32(body, process_id);
    PutInt32(body, secret_key);
    return Message('K', body);
}

std::string ReadyForQuery(sql::TxnStatus status) {
    char c = status == sql::TxnStatus::kIdle            ? 'I'
             : status == sql::TxnStatus::kInTransaction ? 'T'
                                                        : 'E';
    return Message('Z', std::string_view(&c, 1));
}

int32_t TypeOid(sql::DataType type) {
    switch (type) {
        case sql::DataType::kBoolean: return kOidBool;
        case sql::DataType::kInteger: return kOidInt8;
        case sql::DataType::kFloat: return kOidFloat8;
        case sql::DataType::kTimestamp: return kOidTimestamp;
        case sql::DataType::kBlob: return kOidBytea;
        case sql::DataType::kString:
        case sql::DataType::kNull: return kOidText;
    }
    return kOidText;
}

namespace {
int16_t TypeLength(sql::DataType type) {
    switch (type) {
        case sql::DataType::kBoolean: return 1;
        case sql::DataType::kInteger:
        case sql::DataType::kFloat:
        case sql::DataType::kTimestamp: return 8;
        default: return -1;  // Variable length.
    }
}
}  // namespace

std::string RowDescription(const std::vector<sql::ResultColumn>& columns) {
    std::string body;
    PutInt16(body, static_cast<int16_t>(columns.size()));
    for (const sql::ResultColumn& c : columns) {
        PutCString(body, c.name);
        PutInt32(body, 0);  // Not a column of a table (no table OID)...
        PutInt16(body, 0);  // ...so no attribute number.
        PutInt32(body, TypeOid(c.type));
        PutInt16(body, TypeLength(c.type));
        PutInt32(body, -1);  // No type modifier.
        PutInt16(body, 0);   // Text format.
    }
    return Message('T', body);
}

std::optional<std::string> TextValue(const sql::Value& value) {
    switch (value.type()) {
        case sql::DataType::kNull: return std::nullopt;
        case sql::DataType::kBoolean: return std::string(value.boolean() ? "t" : "f");
        case sql::DataType::kFloat: {
            std::string s = value.ToString();
            if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
            return s;
        }
        default: return value.ToString();
    }
}

std::string DataRow(const sql::Row& row) {
    std::string body;
    PutInt16(body, static_cast<int16_t>(row.size()));
    for (const sql::Value& v : row) {
        std::optional<std::string> text = TextValue(v);
        if (!text) {
            PutInt32(body, -1);
            continue;
        }
        PutInt32(body, static_cast<int32_t>(text->size()));
        body.append(*text);
    }
    return Message('D', body);
}

std::string CommandComplete(std::string_view tag) {
    std::string body;
    PutCString(body, tag);
    return Message('C', body);
}

std::string EmptyQueryResponse() { return Message('I', ""); }
std::string ParseComplete() { return Message('1', ""); }
std::string BindComplete() { return Message('2', ""); }
std::string CloseComplete() { return Message('3', ""); }
std::string NoData() { return Message('n', ""); }
std::string PortalSuspended() { return Message('s', ""); }

std::string ParameterDescription(const std::vector<int32_t>& types) {
    std::string body;
    PutInt16(body, static_cast<int16_t>(types.size()));
    for (int32_t oid : types) PutInt32(body, oid);
    return Message('t', body);
}

std::string ErrorResponse(std::string_view sqlstate, std::string_view message,
                          std::optional<uint32_t> position, bool fatal) {
    std::string body;
    std::string_view severity = fatal ? "FATAL" : "ERROR";
    body.push_back('S');
    PutCString(body, severity);
    body.push_back('V');
    PutCString(body, severity);
    body.push_back('C');
    PutCString(body, sqlstate);
    body.push_back('M');
    PutCString(body, message);
    if (position) {
        body.push_back('P');
        PutCString(body, std::to_string(*position));
    }
    body.push_back('\0');
    return Message('E', body);
}

std::string ErrorResponse(const sql::SqlError& error) {
    return ErrorResponse(sql::SqlState(error.kind), error.message, error.position);
}

std::string NoticeResponse(std::string_view message) {
    std::string body;
    for (auto [field, value] : {std::pair{'S', std::string_view("NOTICE")},
                                std::pair{'V', std::string_view("NOTICE")},
                                std::pair{'C', std::string_view("00000")},
                                std::pair{'M', message}}) {
        body.push_back(field);
        PutCString(body, value);
    }
    body.push_back('\0');
    return Message('N', body);
}

namespace {

std::optional<int64_t> ParseInt(std::string_view text) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return v;
}

std::optional<double> ParseFloat(std::string_view text) {
    if (text == "NaN") return std::nan("");
    if (text == "Infinity") return HUGE_VAL;
    if (text == "-Infinity") return -HUGE_VAL;
    std::string s(text);
    if (s.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size() || errno == ERANGE) return std::nullopt;
    return v;
}

bool LooksNumeric(std::string_view text) {
    size_t i = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    bool digit = false;
    for (; i < text.size(); ++i) {
        char c = text[i];
        if (c >= '0' && c <= '9') {
            digit = true;
        } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
            return false;
        }
    }
    return digit;
}

int HexDigit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

Result<sql::Value> ParameterValue(int32_t oid, std::string_view text, size_t index) {
    auto bad = [&](std::string_view type) {
        return Status::InvalidArgument(fmt::format("parameter ${}: invalid input for type {}: "
                                                   "\"{}\"", index + 1, type,
                                                   text.substr(0, 64)));
    };
    switch (oid) {
        case kOidInt2:
        case kOidInt4:
        case kOidInt8: {
            auto v = ParseInt(text);
            if (!v) return bad("bigint");
            return sql::Value::Integer(*v);
        }
        case kOidFloat4:
        case kOidFloat8:
        case kOidNumeric: {
            auto v = ParseFloat(text);
            if (!v) return bad("double precision");
            return sql::Value::Float(*v);
        }
        case kOidBool: {
            std::string t(text);
            for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (t == "t" || t == "true" || t == "on" || t == "yes" || t == "1") {
                return sql::Value::Boolean(true);
            }
            if (t == "f" || t == "false" || t == "off" || t == "no" || t == "0") {
                return sql::Value::Boolean(false);
            }
            return bad("boolean");
        }
        case kOidBytea: {
            if (text.substr(0, 2) != "\\x" || text.size() % 2 != 0) return bad("bytea");
            std::string bytes;
            for (size_t i = 2; i < text.size(); i += 2) {
                int hi = HexDigit(text[i]);
                int lo = HexDigit(text[i + 1]);
                if (hi < 0 || lo < 0) return bad("bytea");
                bytes.push_back(static_cast<char>(hi * 16 + lo));
            }
            return sql::Value::Blob(std::move(bytes));
        }
        case kOidText:
        case kOidVarchar: return sql::Value::String(std::string(text));
        default: break;  // Unspecified (0), unknown, timestamp: guess below.
    }
    if (LooksNumeric(text)) {
        if (auto i = ParseInt(text)) return sql::Value::Integer(*i);
        if (auto f = ParseFloat(text)) return sql::Value::Float(*f);
    }
    return sql::Value::String(std::string(text));
}

std::string CommandTag(const sql::StatementResult& result) {
    std::string_view tag = result.tag;
    if (tag.substr(0, 7) == "INSERT " && tag.find(' ', 7) == std::string_view::npos) {
        return fmt::format("INSERT 0 {}", tag.substr(7));
    }
    if (tag == "COMMITTED") return "COMMIT";
    return std::string(tag);
}

}  // namespace orrery::node::pg
