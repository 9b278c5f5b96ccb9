// The CASPaxos message codec. See message.h for the layout.
#include "paxos/message.h"

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::paxos {
namespace {

void PutBallot(std::string* out, const Ballot& b) {
    PutVarint64(out, b.counter);
    PutVarint32(out, b.node.value());
}

bool GetBallot(Decoder* in, Ballot* b) {
    uint32_t node = 0;
    if (!in->GetVarint64(&b->counter) || !in->GetVarint32(&node)) return false;
    b->node = NodeId(node);
    return true;
}

void PutValue(std::string* out, const std::optional<std::string>& v) {
    out->push_back(v ? 1 : 0);
    if (v) PutLengthPrefixed(out, *v);
}

bool GetValue(Decoder* in, std::optional<std::string>* v) {
    uint8_t has = 0;
    if (!in->GetU8(&has) || has > 1) return false;
    if (has == 0) {
        v->reset();
        return true;
    }
    std::string_view s;
    if (!in->GetLengthPrefixed(&s) || s.size() > kMaxValueBytes) return false;
    *v = std::string(s);
    return true;
}

bool GetBool(Decoder* in, bool* b) {
    uint8_t v = 0;
    if (!in->GetU8(&v) || v > 1) return false;
    *b = v == 1;
    return true;
}

bool DecodeBody(Decoder* in, Message* m) {
    switch (m->type) {
        case MsgType::kPrepare: return true;
        case MsgType::kPromise:
            return GetBool(in, &m->ok) && GetBallot(in, &m->seen) && GetBallot(in, &m->accepted) &&
                   GetValue(in, &m->value);
        case MsgType::kAccept:
            return GetValue(in, &m->value) && GetBallot(in, &m->base) && GetBallot(in, &m->next);
        case MsgType::kAccepted: return GetBool(in, &m->ok) && GetBallot(in, &m->seen);
    }
    return false;
}

}  // namespace

std::string EncodeMessage(const Message& m) {
    ORRERY_ASSERT(m.key.size() <= kMaxKeyBytes);
    ORRERY_ASSERT(!m.value || m.value->size() <= kMaxValueBytes);
    std::string out(4, '\0');
    out.push_back(static_cast<char>(kMessageVersion));
    out.push_back(static_cast<char>(m.type));
    PutLengthPrefixed(&out, m.key);
    PutBallot(&out, m.ballot);
    switch (m.type) {
        case MsgType::kPrepare: break;
        case MsgType::kPromise:
            out.push_back(m.ok ? 1 : 0);
            PutBallot(&out, m.seen);
            PutBallot(&out, m.accepted);
            PutValue(&out, m.value);
            break;
        case MsgType::kAccept:
            PutValue(&out, m.value);
            PutBallot(&out, m.base);
            PutBallot(&out, m.next);
            break;
        case MsgType::kAccepted:
            out.push_back(m.ok ? 1 : 0);
            PutBallot(&out, m.seen);
            break;
    }
    EncodeFixed32(out.data(), MaskCrc(Crc32c(std::string_view(out).substr(4))));
    return out;
}

Result<Message> DecodeMessage(std::string_view bytes) {
    if (bytes.size() < 6) return Status::Corruption("paxos message too short");
    if (UnmaskCrc(DecodeFixed32(bytes.data())) != Crc32c(bytes.substr(4))) {
        return Status::Corruption("paxos checksum mismatch");
    }
    Decoder in(bytes.substr(4));
    uint8_t version = 0, type = 0;
    if (!in.GetU8(&version) || version != kMessageVersion) {
        return Status::Corruption("paxos version unknown");
    }
    if (!in.GetU8(&type) || type < 1 || type > static_cast<uint8_t>(MsgType::kAccepted)) {
        return Status::Corruption("paxos message type unknown");
    }
    Message m;
    m.type = static_cast<MsgType>(type);
    std::string_view key;
    if (!in.GetLengthPrefixed(&key) || key.size() > kMaxKeyBytes || !GetBallot(&in, &m.ballot)) {
        return Status::Corruption("paxos header malformed");
    }
    m.key = std::string(key);
    if (!DecodeBody(&in, &m)) return Status::Corruption("paxos message body malformed");
    if (!in.empty()) return Status::Corruption("paxos message has trailing bytes");
    return m;
}

std::string ValueText(const std::optional<std::string>& v) {
    if (!v) return "∅";
    if (v->size() <= 24) return *v;
    return v->substr(0, 24) + "…";
}

std::string DescribeMessage(std::string_view bytes) {
    Result<Message> r = DecodeMessage(bytes);
    if (!r.ok()) return fmt::format("<corrupt: {}>", r.status().message());
    const Message& m = *r;
    switch (m.type) {
        case MsgType::kPrepare: return fmt::format("Prepare {} b={}", m.key, m.ballot);
        case MsgType::kPromise:
            if (!m.ok) return fmt::format("Promise {} b={} reject seen={}", m.key, m.ballot, m.seen);
            return fmt::format("Promise {} b={} ok accepted={} value={}", m.key, m.ballot,
                               m.accepted, ValueText(m.value));
        case MsgType::kAccept: {
            std::string out = fmt::format("Accept {} b={} value={} base={}", m.key, m.ballot,
                                          ValueText(m.value), m.base);
            if (!m.next.none()) out += fmt::format(" next={}", m.next);
            return out;
        }
        case MsgType::kAccepted:
            if (!m.ok) return fmt::format("Accepted {} b={} reject seen={}", m.key, m.ballot, m.seen);
            return fmt::format("Accepted {} b={} ok", m.key, m.ballot);
    }
    return "?";
}

}  // namespace orrery::paxos
