// Client protocol codec and datagram rendering. See client_protocol.h for the layout.
#include "node/client_protocol.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"
#include "node/sql_protocol.h"
#include "raft/raft.h"

namespace orrery::node {
namespace {

constexpr uint8_t kVersion = 1;
constexpr uint8_t kKindRequest = 1;
constexpr uint8_t kKindReply = 2;
constexpr size_t kCrcBytes = 4;
constexpr uint8_t kMaxRole = 4;  // raft::Role::kLearner.

void Seal(std::string* out) { PutFixed32(out, MaskCrc(Crc32c(*out))); }

Status Malformed(std::string_view what) {
    return Status::Corruption(fmt::format("client message: {}", what));
}

Result<ClientRequest> DecodeRequestBody(Decoder& d, uint64_t client_id, uint64_t seq) {
    ClientRequest r;
    r.client_id = client_id;
    r.seq = seq;
    uint8_t op = 0;
    std::string_view key, value, expected, end;
    if (!d.GetU8(&op) || !d.GetLengthPrefixed(&key) || !d.GetLengthPrefixed(&value) ||
        !d.GetLengthPrefixed(&expected) || !d.GetLengthPrefixed(&end) || !d.GetVarint32(&r.limit)) {
        return Malformed("truncated request");
    }
    if (op < 1 || op > static_cast<uint8_t>(RequestOp::kRepair)) {
        return Malformed("unknown op");
    }
    if (r.limit > kMaxScanLimit) return Malformed("scan limit too large");
    r.op = static_cast<RequestOp>(op);
    if (r.has_snapshot() && !d.GetVarint64(&r.snapshot)) return Malformed("truncated request");
    r.key = key;
    r.value = value;
    r.expected = expected;
    r.end = end;
    return r;
}

bool DecodeStatus(Decoder& d, ServerStatus* s) {
    return d.GetU8(&s->role) && s->role <= kMaxRole && d.GetVarint64(&s->term) &&
           d.GetVarint64(&s->commit) && d.GetVarint64(&s->applied) &&
           d.GetVarint64(&s->last_index) && d.GetVarint32(&s->leader) &&
           d.GetVarint64(&s->state_hash);
}

Result<ClientReply> DecodeReplyBody(Decoder& d, uint64_t client_id, uint64_t seq) {
    ClientReply r;
    r.client_id = client_id;
    r.seq = seq;
    uint8_t code = 0;
    uint32_t npairs = 0;
    std::string_view value, message;
    if (!d.GetU8(&code) || !d.GetVarint32(&r.leader_hint) || !d.GetLengthPrefixed(&value) ||
        !d.GetLengthPrefixed(&message) || !d.GetVarint32(&npairs)) {
        return Malformed("truncated reply");
    }
    if (code > static_cast<uint8_t>(ReplyCode::kAborted)) return Malformed("unknown reply code");
    if (npairs > kMaxScanLimit) return Malformed("too many pairs");
    r.code = static_cast<ReplyCode>(code);
    r.value = value;
    r.message = message;
    for (uint32_t i = 0; i < npairs; ++i) {
        std::string_view k, v;
        if (!d.GetLengthPrefixed(&k) || !d.GetLengthPrefixed(&v)) return Malformed("truncated pair");
        r.pairs.emplace_back(std::string(k), std::string(v));
    }
    uint8_t has_status = 0;
    if (!d.GetU8(&has_status) || has_status > 1) return Malformed("bad status flag");
    if (has_status == 1) {
        ServerStatus s;
        if (!DecodeStatus(d, &s)) return Malformed("bad status");
        r.status = s;
    }
    return r;
}

}  // namespace

std::string Frame(Channel channel, std::string_view payload) {
    std::string out;
    out.reserve(payload.size() + 1);
    out.push_back(static_cast<char>(channel));
    out.append(payload);
    return out;
}

Result<std::pair<Channel, std::string_view>> Unframe(std::string_view datagram) {
    if (datagram.empty()) return Status::Corruption("empty datagram");
    auto tag = static_cast<uint8_t>(datagram[0]);
    if (tag != static_cast<uint8_t>(Channel::kRaft) && tag != static_cast<uint8_t>(Channel::kClient) &&
        tag != static_cast<uint8_t>(Channel::kSql)) {
        return Status::Corruption(fmt::format("unknown channel {}", tag));
    }
    return std::pair{static_cast<Channel>(tag), datagram.substr(1)};
}

std::string_view RequestOpName(RequestOp op) {
    switch (op) {
        case RequestOp::kGet: return "get";
        case RequestOp::kPut: return "put";
        case RequestOp::kDelete: return "delete";
        case RequestOp::kCas: return "cas";
        case RequestOp::kScan: return "scan";
        case RequestOp::kStatus: return "status";
        case RequestOp::kTxnBegin: return "txn-begin";
        case RequestOp::kTxnGet: return "txn-get";
        case RequestOp::kTxnScan: return "txn-scan";
        case RequestOp::kTxnCommit: return "txn-commit";
        case RequestOp::kTxnAutocommit: return "txn-autocommit";
        case RequestOp::kRepair: return "repair";
    }
    return "?";
}

std::string EncodeRequest(const ClientRequest& r) {
    ORRERY_ASSERT(r.limit <= kMaxScanLimit, "scan limit {} too large", r.limit);
    std::string out;
    out.push_back(static_cast<char>(kVersion));
    out.push_back(static_cast<char>(kKindRequest));
    PutVarint64(&out, r.client_id);
    PutVarint64(&out, r.seq);
    out.push_back(static_cast<char>(r.op));
    PutLengthPrefixed(&out, r.key);
    PutLengthPrefixed(&out, r.value);
    PutLengthPrefixed(&out, r.expected);
    PutLengthPrefixed(&out, r.end);
    PutVarint32(&out, r.limit);
    if (r.has_snapshot()) PutVarint64(&out, r.snapshot);
    Seal(&out);
    return out;
}

std::string EncodeReply(const ClientReply& r) {
    ORRERY_ASSERT(r.pairs.size() <= kMaxScanLimit, "too many pairs in a reply");
    std::string out;
    out.push_back(static_cast<char>(kVersion));
    out.push_back(static_cast<char>(kKindReply));
    PutVarint64(&out, r.client_id);
    PutVarint64(&out, r.seq);
    out.push_back(static_cast<char>(r.code));
    PutVarint32(&out, r.leader_hint);
    PutLengthPrefixed(&out, r.value);
    PutLengthPrefixed(&out, r.message);
    PutVarint32(&out, static_cast<uint32_t>(r.pairs.size()));
    for (const auto& [k, v] : r.pairs) {
        PutLengthPrefixed(&out, k);
        PutLengthPrefixed(&out, v);
    }
    out.push_back(static_cast<char>(r.status.has_value() ? 1 : 0));
    if (r.status) {
        out.push_back(static_cast<char>(r.status->role));
        PutVarint64(&out, r.status->term);
        PutVarint64(&out, r.status->commit);
        PutVarint64(&out, r.status->applied);
        PutVarint64(&out, r.status->last_index);
        PutVarint32(&out, r.status->leader);
        PutVarint64(&out, r.status->state_hash);
    }
    Seal(&out);
    return out;
}

Result<ClientMessage> DecodeClientMessage(std::string_view payload) {
    if (payload.size() < 2 + kCrcBytes) return Malformed("truncated");
    std::string_view body = payload.substr(0, payload.size() - kCrcBytes);
    if (UnmaskCrc(DecodeFixed32(payload.data() + body.size())) != Crc32c(body)) {
        return Malformed("bad checksum");
    }
    Decoder d(body);
    uint8_t version = 0, kind = 0;
    uint64_t client_id = 0, seq = 0;
    if (!d.GetU8(&version)) return Malformed("truncated");
    if (version != kVersion) {
        return Status::NotSupported(fmt::format("client message: version {}", version));
    }
    if (!d.GetU8(&kind) || !d.GetVarint64(&client_id) || !d.GetVarint64(&seq)) {
        return Malformed("truncated header");
    }
    ClientMessage m;
    if (kind == kKindRequest) {
        ORRERY_ASSIGN_OR_RETURN(m.request, DecodeRequestBody(d, client_id, seq));
    } else if (kind == kKindReply) {
        ORRERY_ASSIGN_OR_RETURN(m.reply, DecodeReplyBody(d, client_id, seq));
    } else {
        return Malformed("unknown kind");
    }
    if (!d.empty()) return Malformed("trailing bytes");
    return m;
}

namespace {

std::string DescribeRequest(const ClientRequest& r) {
    std::string name(RequestOpName(r.op));
    name[0] = static_cast<char>(name[0] - 'a' + 'A');  // "put" -> "Put", as Raft's "Append".
    std::string head = fmt::format("{} c{}#{}", name, r.client_id, r.seq);
    switch (r.op) {
        case RequestOp::kGet:
        case RequestOp::kDelete: return fmt::format("{} {}", head, r.key);
        case RequestOp::kPut: return fmt::format("{} {}={}", head, r.key, r.value);
        case RequestOp::kCas: return fmt::format("{} {} {}->{}", head, r.key, r.expected, r.value);
        case RequestOp::kScan:
            return fmt::format("{} [{},{}) limit={}", head, r.key, r.end, r.limit);
        case RequestOp::kStatus:
        case RequestOp::kRepair:
        case RequestOp::kTxnBegin: return head;
        case RequestOp::kTxnGet: return fmt::format("{} {}@v{}", head, r.key, r.snapshot);
        case RequestOp::kTxnScan:
            return fmt::format("{} [{},{})@v{} limit={}", head, r.key, r.end, r.snapshot, r.limit);
        case RequestOp::kTxnCommit:
        case RequestOp::kTxnAutocommit: return fmt::format("{} {}B", head, r.value.size());
    }
    return head;
}

std::string DescribeReply(const ClientReply& r) {
    std::string text = fmt::format("Reply c{}#{} {}", r.client_id, r.seq, ReplyCodeName(r.code));
    if (r.code == ReplyCode::kNotLeader && r.leader_hint != 0) {
        text += fmt::format(" leader=n{}", r.leader_hint);
    }
    if (!r.value.empty()) text += fmt::format(" {}", r.value);
    if (!r.pairs.empty()) text += fmt::format(" ({} pairs)", r.pairs.size());
    if (!r.message.empty()) text += fmt::format(" \"{}\"", r.message);
    if (r.status) text += fmt::format(" t{} commit={}", r.status->term, r.status->commit);
    return text;
}

}  // namespace

std::string DescribeDatagram(std::string_view datagram) {
    auto framed = Unframe(datagram);
    if (!framed.ok()) return fmt::format("<{}>", framed.status().ToString());
    auto [channel, payload] = *framed;
    if (channel == Channel::kRaft) return raft::DescribeMessage(payload);
    if (channel == Channel::kSql) return DescribeSqlPayload(payload);
    auto m = DecodeClientMessage(payload);
    if (!m.ok()) return fmt::format("<{}>", m.status().ToString());
    return m->request ? DescribeRequest(*m->request) : DescribeReply(*m->reply);
}

}  // namespace orrery::node
