// The leaderless wire. See leaderless_message.h.
#include "node/leaderless_message.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/checksum.h"
#include "core/coding.h"
#include "gossip/message.h"
#include "node/client_protocol.h"
#include "paxos/message.h"

namespace orrery::node {

std::string_view ConsistencyName(Consistency c) {
    switch (c) {
        case Consistency::kDefault: return "default";
        case Consistency::kOne: return "one";
        case Consistency::kQuorum: return "quorum";
        case Consistency::kAll: return "all";
        case Consistency::kSerial: return "serial";
    }
    return "?";
}

Result<Consistency> ParseConsistency(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    for (Consistency c : {Consistency::kOne, Consistency::kQuorum, Consistency::kAll,
                          Consistency::kSerial}) {
        if (lower == ConsistencyName(c)) return c;
    }
    return Status::InvalidArgument(
        fmt::format("unknown consistency level \"{}\" (one, quorum, all, serial)", text));
}

uint32_t RequiredAcks(Consistency c, uint32_t rf) {
    ORRERY_ASSERT(rf >= 1);
    switch (c) {
        case Consistency::kOne: return 1;
        case Consistency::kQuorum: return rf / 2 + 1;
        case Consistency::kAll: return rf;
        default: break;
    }
    ORRERY_ASSERT(false, "no ack count for consistency {}", ConsistencyName(c));
    return rf;
}

namespace {

void PutCell(std::string* out, const Cell& c) { PutLengthPrefixed(out, EncodeCell(c)); }

bool GetCell(Decoder* in, Cell* c) {
    std::string_view raw;
    if (!in->GetLengthPrefixed(&raw)) return false;
    Result<Cell> r = DecodeCell(raw);
    if (!r.ok()) return false;
    *c = std::move(r).value();
    return true;
}

void EncodeBody(std::string* out, const ReplicaMessage& m) {
    switch (m.type) {
        case ReplicaMsgType::kWrite:
            ORRERY_ASSERT(m.cell.has_value());
            PutLengthPrefixed(out, m.key);
            PutCell(out, *m.cell);
            out->push_back(m.hinted ? 1 : 0);
            return;
        case ReplicaMsgType::kWriteAck: return;
        case ReplicaMsgType::kRead: PutLengthPrefixed(out, m.key); return;
        case ReplicaMsgType::kReadReply:
            PutLengthPrefixed(out, m.key);
            out->push_back(m.cell ? 1 : 0);
            if (m.cell) PutCell(out, *m.cell);
            return;
        case ReplicaMsgType::kTreeReq:
        case ReplicaMsgType::kTreeReply:
        case ReplicaMsgType::kRangeReq:
            PutFixed64(out, m.lo);
            PutFixed64(out, m.hi);
            if (m.type == ReplicaMsgType::kTreeReply) {
                ORRERY_ASSERT(m.hashes.size() == kMerkleLeaves);
                for (uint64_t h : m.hashes) PutFixed64(out, h);
            }
            if (m.type == ReplicaMsgType::kRangeReq) {
                PutVarint32(out, static_cast<uint32_t>(m.leaves.size()));
                for (uint32_t l : m.leaves) PutVarint32(out, l);
            }
            return;
        case ReplicaMsgType::kRangeReply:
            ORRERY_ASSERT(m.cells.size() <= kMaxRangeCells);
            PutVarint32(out, static_cast<uint32_t>(m.cells.size()));
            for (const auto& [key, cell] : m.cells) {
                PutLengthPrefixed(out, key);
                PutCell(out, cell);
            }
            return;
    }
}

bool DecodeRanges(Decoder* in, ReplicaMessage* m) {
    if (!in->GetFixed64(&m->lo) || !in->GetFixed64(&m->hi)) return false;
    if (m->type == ReplicaMsgType::kTreeReply) {
        m->hashes.resize(kMerkleLeaves);
        for (uint64_t& h : m->hashes) {
            if (!in->GetFixed64(&h)) return false;
        }
    }
    if (m->type == ReplicaMsgType::kRangeReq) {
        uint32_t n = 0;
        if (!in->GetVarint32(&n) || n > kMerkleLeaves) return false;
        m->leaves.resize(n);
        for (uint32_t& l : m->leaves) {
            if (!in->GetVarint32(&l) || l >= kMerkleLeaves) return false;
        }
    }
    return true;
}

bool DecodeBody(Decoder* in, ReplicaMessage* m) {
    std::string_view key;
    uint8_t flag = 0;
    switch (m->type) {
        case ReplicaMsgType::kWrite: {
            Cell c;
            if (!in->GetLengthPrefixed(&key) || !GetCell(in, &c) || !in->GetU8(&flag) || flag > 1) {
                return false;
            }
            m->key = std::string(key);
            m->cell = std::move(c);
            m->hinted = flag == 1;
            return true;
        }
        case ReplicaMsgType::kWriteAck: return true;
        case ReplicaMsgType::kRead:
            if (!in->GetLengthPrefixed(&key)) return false;
            m->key = std::string(key);
            return true;
        case ReplicaMsgType::kReadReply: {
            if (!in->GetLengthPrefixed(&key) || !in->GetU8(&flag) || flag > 1) return false;
            m->key = std::string(key);
            if (flag == 0) return true;
            Cell c;
            if (!GetCell(in, &c)) return false;
            m->cell = std::move(c);
            return true;
        }
        case ReplicaMsgType::kTreeReq:
        case ReplicaMsgType::kTreeReply:
        case ReplicaMsgType::kRangeReq: return DecodeRanges(in, m);
        case ReplicaMsgType::kRangeReply: {
            uint32_t n = 0;
            if (!in->GetVarint32(&n) || n > kMaxRangeCells || n > in->remaining() / 2) return false;
            for (uint32_t i = 0; i < n; ++i) {
                Cell c;
                if (!in->GetLengthPrefixed(&key) || !GetCell(in, &c)) return false;
                m->cells.emplace_back(std::string(key), std::move(c));
            }
            return true;
        }
    }
    return false;
}

}  // namespace

std::string EncodeReplicaMessage(const ReplicaMessage& m) {
    std::string out(1, static_cast<char>(kReplicaChannel));
    out.append(4, '\0');
    out.push_back(1);  // Version.
    out.push_back(static_cast<char>(m.type));
    PutVarint64(&out, m.id);
    EncodeBody(&out, m);
    EncodeFixed32(out.data() + 1, MaskCrc(Crc32c(std::string_view(out).substr(5))));
    return out;
}

Result<ReplicaMessage> DecodeReplicaMessage(std::string_view payload) {
    if (payload.size() < 7) return Status::Corruption("replica message too short");
    if (UnmaskCrc(DecodeFixed32(payload.data())) != Crc32c(payload.substr(4))) {
        return Status::Corruption("replica message checksum mismatch");
    }
    Decoder in(payload.substr(4));
    uint8_t version = 0, type = 0;
    ReplicaMessage m;
    if (!in.GetU8(&version) || version != 1 || !in.GetU8(&type) || type < 1 ||
        type > static_cast<uint8_t>(ReplicaMsgType::kRangeReply) || !in.GetVarint64(&m.id)) {
        return Status::Corruption("replica message header malformed");
    }
    m.type = static_cast<ReplicaMsgType>(type);
    if (!DecodeBody(&in, &m)) return Status::Corruption("replica message body malformed");
    if (!in.empty()) return Status::Corruption("replica message has trailing bytes");
    return m;
}

namespace {

std::string DescribeReplica(std::string_view payload) {
    Result<ReplicaMessage> r = DecodeReplicaMessage(payload);
    if (!r.ok()) return fmt::format("<corrupt: {}>", r.status().message());
    const ReplicaMessage& m = *r;
    switch (m.type) {
        case ReplicaMsgType::kWrite:
            return fmt::format("Write #{} {}={}{}", m.id, m.key, CellText(*m.cell),
                               m.hinted ? " (hint)" : "");
        case ReplicaMsgType::kWriteAck: return fmt::format("WriteAck #{}", m.id);
        case ReplicaMsgType::kRead: return fmt::format("Read #{} {}", m.id, m.key);
        case ReplicaMsgType::kReadReply:
            return fmt::format("ReadReply #{} {}={}", m.id, m.key,
                               m.cell ? CellText(*m.cell) : "none");
        case ReplicaMsgType::kTreeReq: return fmt::format("TreeReq #{} ({:x},{:x}]", m.id, m.lo, m.hi);
        case ReplicaMsgType::kTreeReply: return fmt::format("TreeReply #{}", m.id);
        case ReplicaMsgType::kRangeReq:
            return fmt::format("RangeReq #{} leaves={}", m.id, m.leaves.size());
        case ReplicaMsgType::kRangeReply:
            return fmt::format("RangeReply #{} cells={}", m.id, m.cells.size());
    }
    return "?";
}

}  // namespace

std::string DescribeLeaderlessDatagram(std::string_view datagram) {
    if (datagram.empty()) return "<empty>";
    std::string_view rest = datagram.substr(1);
    switch (static_cast<uint8_t>(datagram[0])) {
        case kClientChannelByte: return DescribeDatagram(datagram);
        case kGossipChannel: return gossip::DescribeMessage(rest);
        case kPaxosChannel: return paxos::DescribeMessage(rest);
        case kReplicaChannel: return DescribeReplica(rest);
        default: return "<unknown channel>";
    }
}

}  // namespace orrery::node
