// The gossip message codec and its one-line rendering. See message.h for the layout.
#include "gossip/message.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::gossip {

std::string_view StateName(State s) {
    switch (s) {
        case State::kAlive: return "alive";
        case State::kSuspect: return "suspect";
        case State::kDead: return "dead";
        case State::kLeft: return "left";
    }
    return "?";
}

std::string_view MsgTypeName(MsgType t) {
    switch (t) {
        case MsgType::kPing: return "Ping";
        case MsgType::kAck: return "Ack";
        case MsgType::kPingReq: return "PingReq";
        case MsgType::kJoin: return "Join";
        case MsgType::kJoinAck: return "JoinAck";
        case MsgType::kGossip: return "Gossip";
    }
    return "?";
}

std::string EncodeMessage(const Message& m) {
    ORRERY_ASSERT(m.updates.size() <= kMaxUpdatesPerMessage, "{} updates", m.updates.size());
    std::string out(4, '\0');  // The checksum, filled in last.
    out.push_back(static_cast<char>(kMessageVersion));
    out.push_back(static_cast<char>(m.type));
    PutVarint64(&out, m.incarnation);
    PutVarint64(&out, m.seq);
    PutVarint32(&out, m.target.value());
    PutVarint32(&out, static_cast<uint32_t>(m.updates.size()));
    for (const Update& u : m.updates) {
        PutVarint32(&out, u.member.value());
        out.push_back(static_cast<char>(u.state));
        PutVarint64(&out, u.incarnation);
    }
    EncodeFixed32(out.data(), MaskCrc(Crc32c(std::string_view(out).substr(4))));
    return out;
}

namespace {

bool GetUpdate(Decoder* in, Update* u) {
    uint32_t member = 0;
    uint8_t state = 0;
    if (!in->GetVarint32(&member) || !in->GetU8(&state) || !in->GetVarint64(&u->incarnation)) {
        return false;
    }
    if (member == 0 || state > static_cast<uint8_t>(State::kLeft)) return false;
    u->member = NodeId(member);
    u->state = static_cast<State>(state);
    return true;
}

}  // namespace

Result<Message> DecodeMessage(std::string_view bytes) {
    if (bytes.size() < 6) return Status::Corruption("gossip message too short");
    uint32_t crc = UnmaskCrc(DecodeFixed32(bytes.data()));
    if (crc != Crc32c(bytes.substr(4))) return Status::Corruption("gossip checksum mismatch");
    Decoder in(bytes.substr(4));
    uint8_t version = 0, type = 0;
    if (!in.GetU8(&version) || version != kMessageVersion) {
        return Status::Corruption(fmt::format("gossip version {} unknown", version));
    }
    if (!in.GetU8(&type) || type < static_cast<uint8_t>(MsgType::kPing) ||
        type > static_cast<uint8_t>(MsgType::kGossip)) {
        return Status::Corruption(fmt::format("gossip message type {} unknown", type));
    }
    Message m;
    m.type = static_cast<MsgType>(type);
    uint32_t target = 0, count = 0;
    if (!in.GetVarint64(&m.incarnation) || !in.GetVarint64(&m.seq) ||
        !in.GetVarint32(&target) || !in.GetVarint32(&count)) {
        return Status::Corruption("gossip header truncated");
    }
    // Each update takes at least 3 bytes, so a count larger than what remains is a lie.
    if (count > kMaxUpdatesPerMessage || count > in.remaining() / 3) {
        return Status::Corruption(fmt::format("gossip update count {} too large", count));
    }
    m.target = NodeId(target);
    m.updates.resize(count);
    for (Update& u : m.updates) {
        if (!GetUpdate(&in, &u)) return Status::Corruption("gossip update malformed");
    }
    if (!in.empty()) return Status::Corruption("gossip message has trailing bytes");
    return m;
}

std::string DescribeMessage(std::string_view bytes) {
    Result<Message> r = DecodeMessage(bytes);
    if (!r.ok()) return fmt::format("<corrupt: {}>", r.status().message());
    const Message& m = *r;
    std::string out = fmt::format("{} i{}", MsgTypeName(m.type), m.incarnation);
    if (m.seq != 0) out += fmt::format(" seq={}", m.seq);
    if (m.target.value() != 0) out += fmt::format(" target={}", m.target);
    if (!m.updates.empty()) {
        out += " [";
        for (size_t i = 0; i < m.updates.size(); ++i) {
            const Update& u = m.updates[i];
            out += fmt::format("{}{} {} i{}", i ? ", " : "", u.member, StateName(u.state),
                               u.incarnation);
        }
        out += "]";
    }
    return out;
}

}  // namespace orrery::gossip
