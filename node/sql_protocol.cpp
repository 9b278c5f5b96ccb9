// The SQL protocol codec. See sql_protocol.h for the layout and the bounds.
#include "node/sql_protocol.h"

#include <fmt/format.h>

#include <bit>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::node {
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kKindRequest = 1;
constexpr uint8_t kKindReply = 2;
constexpr size_t kCrcBytes = 4;
constexpr uint8_t kMaxRole = 4;  // raft::Role::kLearner.
constexpr uint8_t kBodyNone = 0, kBodyResult = 1, kBodyError = 2, kBodyStatus = 3;
constexpr auto kMaxErrorKind = static_cast<uint8_t>(sql::kLastErrorKind);
constexpr auto kMaxDataType = static_cast<uint8_t>(sql::DataType::kBlob);
constexpr auto kMaxTxnStatus = static_cast<uint8_t>(sql::TxnStatus::kFailed);

Status Malformed(std::string_view what) {
    return Status::Corruption(fmt::format("sql message: {}", what));
}

void PutValue(std::string* out, const sql::Value& v) {
    out->push_back(static_cast<char>(v.type()));
    switch (v.type()) {
        case sql::DataType::kNull: return;
        case sql::DataType::kBoolean: out->push_back(v.boolean() ? 1 : 0); return;
        case sql::DataType::kInteger: PutVarsint64(out, v.integer()); return;
        case sql::DataType::kFloat: PutFixed64(out, std::bit_cast<uint64_t>(v.floating())); return;
        case sql::DataType::kString: PutLengthPrefixed(out, v.string()); return;
        case sql::DataType::kTimestamp: PutVarsint64(out, v.timestamp()); return;
        case sql::DataType::kBlob: PutLengthPrefixed(out, v.blob()); return;
    }
    ORRERY_ASSERT(false, "unknown DataType {}", static_cast<int>(v.type()));
}

bool GetValue(Decoder& d, sql::Value* v) {
    uint8_t type = 0;
    if (!d.GetU8(&type) || type > kMaxDataType) return false;
    int64_t i = 0;
    uint64_t bits = 0;
    uint8_t b = 0;
    std::string_view s;
    switch (static_cast<sql::DataType>(type)) {
        case sql::DataType::kNull: *v = sql::Value::Null(); return true;
        case sql::DataType::kBoolean:
            if (!d.GetU8(&b) || b > 1) return false;
            *v = sql::Value::Boolean(b == 1);
            return true;
        case sql::DataType::kInteger:
            if (!d.GetVarsint64(&i)) return false;
            *v = sql::Value::Integer(i);
            return true;
        case sql::DataType::kFloat:
            if (!d.GetFixed64(&bits)) return false;
            *v = sql::Value::Float(std::bit_cast<double>(bits));
            return true;
        case sql::DataType::kString:
            if (!d.GetLengthPrefixed(&s)) return false;
            *v = sql::Value::String(std::string(s));
            return true;
        case sql::DataType::kTimestamp:
            if (!d.GetVarsint64(&i)) return false;
            *v = sql::Value::Timestamp(i);
            return true;
        case sql::DataType::kBlob:
            if (!d.GetLengthPrefixed(&s)) return false;
            *v = sql::Value::Blob(std::string(s));
            return true;
    }
    return false;
}

void PutResult(std::string* out, const sql::StatementResult& r) {
    PutVarint32(out, static_cast<uint32_t>(r.columns.size()));
    for (const auto& c : r.columns) {
        PutLengthPrefixed(out, c.name);
        out->push_back(static_cast<char>(c.type));
    }
    PutVarint32(out, static_cast<uint32_t>(r.rows.size()));
    for (const auto& row : r.rows) {
        ORRERY_ASSERT(row.size() == r.columns.size(), "row of {} values, {} columns", row.size(),
                      r.columns.size());
        for (const auto& v : row) PutValue(out, v);
    }
    PutLengthPrefixed(out, r.tag);
    PutVarint64(out, r.rows_affected);
    PutVarint32(out, static_cast<uint32_t>(r.notices.size()));
    for (const auto& n : r.notices) PutLengthPrefixed(out, n);
}

// Every count is checked against the bytes left before anything is stored for it: a column
// takes at least 2 bytes, a value 1, a notice 1, so a lying count fails within those bytes.
bool GetResult(Decoder& d, sql::StatementResult* r) {
    uint32_t ncols = 0, nrows = 0, nnotices = 0;
    if (!d.GetVarint32(&ncols) || ncols > d.remaining() / 2) return false;
    for (uint32_t i = 0; i < ncols; ++i) {
        std::string_view name;
        uint8_t type = 0;
        if (!d.GetLengthPrefixed(&name) || !d.GetU8(&type) || type > kMaxDataType) return false;
        r->columns.push_back({std::string(name), static_cast<sql::DataType>(type)});
    }
    if (!d.GetVarint32(&nrows)) return false;
    if (ncols == 0 ? nrows != 0 : nrows > d.remaining() / ncols) return false;
    for (uint32_t i = 0; i < nrows; ++i) {
        sql::Row row(ncols);
        for (auto& v : row) {
            if (!GetValue(d, &v)) return false;
        }
        r->rows.push_back(std::move(row));
    }
    std::string_view tag;
    if (!d.GetLengthPrefixed(&tag) || !d.GetVarint64(&r->rows_affected)) return false;
    r->tag = tag;
    if (!d.GetVarint32(&nnotices) || nnotices > d.remaining()) return false;
    for (uint32_t i = 0; i < nnotices; ++i) {
        std::string_view n;
        if (!d.GetLengthPrefixed(&n)) return false;
        r->notices.emplace_back(n);
    }
    return true;
}

void PutError(std::string* out, const sql::SqlError& e) {
    out->push_back(static_cast<char>(e.kind));
    PutLengthPrefixed(out, e.message);
    out->push_back(static_cast<char>(e.position ? 1 : 0));
    if (e.position) PutVarint32(out, *e.position);
}

bool GetError(Decoder& d, sql::SqlError* e) {
    uint8_t kind = 0, has_position = 0;
    std::string_view message;
    if (!d.GetU8(&kind) || kind > kMaxErrorKind || !d.GetLengthPrefixed(&message) ||
        !d.GetU8(&has_position) || has_position > 1) {
        return false;
    }
    e->kind = static_cast<sql::ErrorKind>(kind);
    e->message = message;
    if (has_position == 1) {
        uint32_t p = 0;
        if (!d.GetVarint32(&p)) return false;
        e->position = p;
    }
    return true;
}

void PutStatus(std::string* out, const SqlNodeStatus& s) {
    PutVarint32(out, s.node);
    PutVarint32(out, s.leader);
    out->push_back(static_cast<char>(s.role));
    for (uint64_t v : {s.term, s.commit, s.applied, s.mvcc_version, s.sessions,
                       s.open_transactions}) {
        PutVarint64(out, v);
    }
    PutVarint32(out, static_cast<uint32_t>(s.client_addresses.size()));
    for (const auto& [id, address] : s.client_addresses) {
        PutVarint32(out, id);
        PutLengthPrefixed(out, address);
    }
}

bool GetStatus(Decoder& d, SqlNodeStatus* s) {
    uint32_t naddrs = 0;
    if (!d.GetVarint32(&s->node) || !d.GetVarint32(&s->leader) || !d.GetU8(&s->role) ||
        s->role > kMaxRole) {
        return false;
    }
    for (uint64_t* v : {&s->term, &s->commit, &s->applied, &s->mvcc_version, &s->sessions,
                        &s->open_transactions}) {
        if (!d.GetVarint64(v)) return false;
    }
    if (!d.GetVarint32(&naddrs) || naddrs > d.remaining() / 2) return false;
    for (uint32_t i = 0; i < naddrs; ++i) {
        uint32_t id = 0;
        std::string_view address;
        if (!d.GetVarint32(&id) || !d.GetLengthPrefixed(&address)) return false;
        s->client_addresses.emplace_back(id, std::string(address));
    }
    return true;
}

void PutHeader(std::string* out, uint8_t kind, uint64_t client_id, uint64_t seq) {
    out->push_back(static_cast<char>(kVersion));
    out->push_back(static_cast<char>(kind));
    PutVarint64(out, client_id);
    PutVarint64(out, seq);
}

void Seal(std::string* out) { PutFixed32(out, MaskCrc(Crc32c(*out))); }

Result<SqlRequest> DecodeRequestBody(Decoder& d) {
    SqlRequest r;
    uint8_t op = 0, believed = 0;
    uint32_t nparams = 0;
    std::string_view text;
    if (!d.GetU8(&op) || !d.GetU8(&believed) || !d.GetVarint64(&r.txn_token) ||
        !d.GetLengthPrefixed(&text) ||
        !d.GetVarint32(&nparams)) {
        return Malformed("truncated request");
    }
    if (op < 1 || op > static_cast<uint8_t>(SqlOp::kCancel)) return Malformed("unknown op");
    if (believed > kMaxTxnStatus) return Malformed("unknown transaction status");
    if (text.size() > kMaxSqlTextBytes) return Malformed("statement text too long");
    if (nparams > kMaxSqlParams || nparams > d.remaining()) return Malformed("bad param count");
    r.op = static_cast<SqlOp>(op);
    r.believed = static_cast<sql::TxnStatus>(believed);
    r.text = text;
    for (uint32_t i = 0; i < nparams; ++i) {
        sql::Value v;
        if (!GetValue(d, &v)) return Malformed("bad parameter");
        r.params.push_back(std::move(v));
    }
    return r;
}

Result<SqlReply> DecodeReplyBody(Decoder& d) {
    SqlReply r;
    uint8_t code = 0, txn = 0, body = 0;
    std::string_view address;
    if (!d.GetU8(&code) || !d.GetVarint32(&r.leader_hint) || !d.GetLengthPrefixed(&address) ||
        !d.GetU8(&txn) || !d.GetVarint64(&r.txn_token) || !d.GetU8(&body)) {
        return Malformed("truncated reply");
    }
    if (code > static_cast<uint8_t>(SqlReplyCode::kBusy)) return Malformed("unknown code");
    if (txn > kMaxTxnStatus) return Malformed("unknown transaction status");
    r.code = static_cast<SqlReplyCode>(code);
    r.leader_address = address;
    r.txn_status = static_cast<sql::TxnStatus>(txn);
    bool ok = true;
    switch (body) {
        case kBodyNone: break;
        case kBodyResult: ok = GetResult(d, &r.result.emplace()); break;
        case kBodyError: ok = GetError(d, &r.error.emplace()); break;
        case kBodyStatus: ok = GetStatus(d, &r.status.emplace()); break;
        default: return Malformed("unknown body");
    }
    if (!ok) return Malformed("bad reply body");
    return r;
}

}  // namespace

std::string_view SqlReplyCodeName(SqlReplyCode code) {
    switch (code) {
        case SqlReplyCode::kOk: return "ok";
        case SqlReplyCode::kError: return "error";
        case SqlReplyCode::kNotLeader: return "not-leader";
        case SqlReplyCode::kBusy: return "busy";
    }
    return "?";
}

Status CheckSqlRequestBounds(std::string_view text, const std::vector<sql::Value>& params) {
    if (text.size() > kMaxSqlTextBytes) {
        return Status::InvalidArgument(fmt::format(
            "statement of {} bytes is longer than the protocol's bound of {} bytes", text.size(),
            kMaxSqlTextBytes));
    }
    if (params.size() > kMaxSqlParams) {
        return Status::InvalidArgument(
            fmt::format("{} parameters, more than the bound of {}", params.size(), kMaxSqlParams));
    }
    size_t bytes = text.size();
    for (const auto& p : params) bytes += p.MemoryBytes();
    if (bytes > kMaxSqlTextBytes) {
        return Status::InvalidArgument(fmt::format(
            "statement and parameters exceed the protocol's bound of {} bytes", kMaxSqlTextBytes));
    }
    return Status::Ok();
}

std::string EncodeSqlRequest(const SqlRequest& r) {
    ORRERY_ASSERT(r.text.size() <= kMaxSqlTextBytes, "statement text of {} bytes", r.text.size());
    ORRERY_ASSERT(r.params.size() <= kMaxSqlParams, "{} parameters", r.params.size());
    std::string out;
    PutHeader(&out, kKindRequest, r.client_id, r.seq);
    out.push_back(static_cast<char>(r.op));
    out.push_back(static_cast<char>(r.believed));
    PutVarint64(&out, r.txn_token);
    PutLengthPrefixed(&out, r.text);
    PutVarint32(&out, static_cast<uint32_t>(r.params.size()));
    for (const auto& p : r.params) PutValue(&out, p);
    Seal(&out);
    return out;
}

std::string EncodeSqlReply(const SqlReply& r) {
    ORRERY_ASSERT(!(r.result && r.error), "a reply with both a result and an error");
    std::string out;
    PutHeader(&out, kKindReply, r.client_id, r.seq);
    out.push_back(static_cast<char>(r.code));
    PutVarint32(&out, r.leader_hint);
    PutLengthPrefixed(&out, r.leader_address);
    out.push_back(static_cast<char>(r.txn_status));
    PutVarint64(&out, r.txn_token);
    if (r.result) {
        out.push_back(static_cast<char>(kBodyResult));
        PutResult(&out, *r.result);
    } else if (r.error) {
        out.push_back(static_cast<char>(kBodyError));
        PutError(&out, *r.error);
    } else if (r.status) {
        out.push_back(static_cast<char>(kBodyStatus));
        PutStatus(&out, *r.status);
    } else {
        out.push_back(static_cast<char>(kBodyNone));
    }
    Seal(&out);
    return out;
}

Result<SqlMessage> DecodeSqlMessage(std::string_view payload) {
    if (payload.size() < 2 + kCrcBytes) return Malformed("truncated");
    std::string_view body = payload.substr(0, payload.size() - kCrcBytes);
    if (UnmaskCrc(DecodeFixed32(payload.data() + body.size())) != Crc32c(body)) {
        return Malformed("bad checksum");
    }
    Decoder d(body);
    uint8_t version = 0, kind = 0;
    uint64_t client_id = 0, seq = 0;
    if (!d.GetU8(&version)) return Malformed("truncated");
    if (version != kVersion) return Status::NotSupported(fmt::format("sql message: version {}", version));
    if (!d.GetU8(&kind) || !d.GetVarint64(&client_id) || !d.GetVarint64(&seq)) {
        return Malformed("truncated header");
    }
    SqlMessage m;
    if (kind == kKindRequest) {
        ORRERY_ASSIGN_OR_RETURN(m.request, DecodeRequestBody(d));
        m.request->client_id = client_id;
        m.request->seq = seq;
    } else if (kind == kKindReply) {
        ORRERY_ASSIGN_OR_RETURN(m.reply, DecodeReplyBody(d));
        m.reply->client_id = client_id;
        m.reply->seq = seq;
    } else {
        return Malformed("unknown kind");
    }
    if (!d.empty()) return Malformed("trailing bytes");
    return m;
}

namespace {

constexpr size_t kDescribeTextBytes = 60;
constexpr std::string_view kStatusLetters = "ITE";

std::string DescribeRequest(const SqlRequest& r) {
    std::string head = fmt::format("Sql c{}#{}", r.client_id, r.seq);
    if (r.op == SqlOp::kStatus) return head + " status";
    if (r.op == SqlOp::kClose) return head + " close";
    if (r.op == SqlOp::kCancel) return head + " cancel";
    std::string text = r.text.substr(0, kDescribeTextBytes);
    for (char& c : text) {
        if (c == '\n' || c == '\t') c = ' ';
    }
    if (r.text.size() > kDescribeTextBytes) text += "...";
    head += fmt::format(" \"{}\"", text);
    if (!r.params.empty()) head += fmt::format(" ({} params)", r.params.size());
    return head;
}

std::string DescribeReply(const SqlReply& r) {
    std::string text = fmt::format("SqlReply c{}#{} {}", r.client_id, r.seq,
                                   SqlReplyCodeName(r.code));
    if (r.code == SqlReplyCode::kNotLeader && r.leader_hint != 0) {
        text += fmt::format(" leader=n{}", r.leader_hint);
    }
    if (r.result) text += " " + r.result->tag;
    if (r.error) text += fmt::format(" {} {}", sql::SqlState(r.error->kind), r.error->message);
    if (r.status) text += fmt::format(" n{} t{}", r.status->node, r.status->term);
    text += fmt::format(" [{}]", kStatusLetters[static_cast<size_t>(r.txn_status)]);
    return text;
}

}  // namespace

std::string DescribeSqlPayload(std::string_view payload) {
    auto m = DecodeSqlMessage(payload);
    if (!m.ok()) return fmt::format("<{}>", m.status().ToString());
    return m->request ? DescribeRequest(*m->request) : DescribeReply(*m->reply);
}

}  // namespace orrery::node
