// The Raft message codec and its one-line rendering. See message.h for the layout.
#include "raft/message.h"

#include <fmt/format.h>

#include "core/checksum.h"

namespace orrery::raft {
namespace {

void PutBool(std::string* dst, bool b) { dst->push_back(b ? 1 : 0); }

bool GetBool(Decoder* in, bool* b) {
    uint8_t v = 0;
    if (!in->GetU8(&v) || v > 1) return false;
    *b = v == 1;
    return true;
}

bool GetIndex(Decoder* in, LogIndex* i) {
    uint64_t v = 0;
    if (!in->GetVarint64(&v)) return false;
    *i = LogIndex(v);
    return true;
}

bool GetTerm(Decoder* in, Term* t) {
    uint64_t v = 0;
    if (!in->GetVarint64(&v)) return false;
    *t = Term(v);
    return true;
}

void EncodeBody(std::string* dst, const Message& m) {
    switch (m.type) {
        case MsgType::kPreVote:
        case MsgType::kVote:
            PutVarint64(dst, m.last_index.value());
            PutVarint64(dst, m.last_term.value());
            PutBool(dst, m.transfer);
            return;
        case MsgType::kPreVoteResp:
        case MsgType::kVoteResp:
            PutBool(dst, m.granted);
            return;
        case MsgType::kAppend:
            PutVarint64(dst, m.prev_index.value());
            PutVarint64(dst, m.prev_term.value());
            PutVarint64(dst, m.commit.value());
            PutVarint32(dst, static_cast<uint32_t>(m.entries.size()));
            for (const Entry& e : m.entries) EncodeEntry(dst, e);
            return;
        case MsgType::kAppendResp:
            PutBool(dst, m.granted);
            PutVarint64(dst, m.match.value());
            PutVarint64(dst, m.reject_index.value());
            PutVarint64(dst, m.hint_index.value());
            PutVarint64(dst, m.hint_term.value());
            return;
        case MsgType::kHeartbeat:
            PutVarint64(dst, m.commit.value());
            PutVarint64(dst, m.read_ctx);
            return;
        case MsgType::kHeartbeatResp:
            PutVarint64(dst, m.read_ctx);
            return;
        case MsgType::kSnapshot:
            PutVarint64(dst, m.snap_index.value());
            PutVarint64(dst, m.snap_term.value());
            EncodeMembership(dst, m.snap_config);
            PutVarint64(dst, m.total_bytes);
            PutVarint64(dst, m.offset);
            PutFixed32(dst, m.snap_crc);
            PutVarint32(dst, m.chunk_no);
            PutVarint32(dst, m.chunk_count);
            PutLengthPrefixed(dst, m.chunk);
            return;
        case MsgType::kSnapshotResp:
            PutBool(dst, m.granted);
            PutVarint64(dst, m.snap_index.value());
            PutVarint64(dst, m.offset);
            return;
        case MsgType::kTimeoutNow:
            return;
    }
}

bool DecodeAppend(Decoder* in, Message* m) {
    uint32_t n = 0;
    if (!GetIndex(in, &m->prev_index) || !GetTerm(in, &m->prev_term) ||
        !GetIndex(in, &m->commit) || !in->GetVarint32(&n) || n > kMaxEntriesPerMessage) {
        return false;
    }
    m->entries.resize(n);
    for (uint32_t i = 0; i < n; ++i) {
        if (!DecodeEntry(in, &m->entries[i])) return false;
        // Entries must follow prev_index one by one with terms that never decrease.
        if (m->entries[i].index != m->prev_index + (i + 1)) return false;
        Term before = i == 0 ? m->prev_term : m->entries[i - 1].term;
        if (m->entries[i].term < before || m->entries[i].term > m->term) return false;
    }
    return true;
}

bool DecodeSnapshot(Decoder* in, Message* m) {
    std::string_view chunk;
    if (!GetIndex(in, &m->snap_index) || !GetTerm(in, &m->snap_term) ||
        !DecodeMembership(in, &m->snap_config) || !in->GetVarint64(&m->total_bytes) ||
        !in->GetVarint64(&m->offset) || !in->GetFixed32(&m->snap_crc) ||
        !in->GetVarint32(&m->chunk_no) || !in->GetVarint32(&m->chunk_count) ||
        !in->GetLengthPrefixed(&chunk) || m->chunk_no >= m->chunk_count) {
        return false;
    }
    m->chunk = std::string(chunk);
    return m->offset <= m->total_bytes && chunk.size() <= m->total_bytes - m->offset;
}

bool DecodeBody(Decoder* in, Message* m) {
    switch (m->type) {
        case MsgType::kPreVote:
        case MsgType::kVote:
            return GetIndex(in, &m->last_index) && GetTerm(in, &m->last_term) &&
                   GetBool(in, &m->transfer);
        case MsgType::kPreVoteResp:
        case MsgType::kVoteResp:
            return GetBool(in, &m->granted);
        case MsgType::kAppend:
            return DecodeAppend(in, m);
        case MsgType::kAppendResp:
            return GetBool(in, &m->granted) && GetIndex(in, &m->match) &&
                   GetIndex(in, &m->reject_index) && GetIndex(in, &m->hint_index) &&
                   GetTerm(in, &m->hint_term);
        case MsgType::kHeartbeat:
            return GetIndex(in, &m->commit) && in->GetVarint64(&m->read_ctx);
        case MsgType::kHeartbeatResp:
            return in->GetVarint64(&m->read_ctx);
        case MsgType::kSnapshot:
            return DecodeSnapshot(in, m);
        case MsgType::kSnapshotResp:
            return GetBool(in, &m->granted) && GetIndex(in, &m->snap_index) &&
                   in->GetVarint64(&m->offset);
        case MsgType::kTimeoutNow:
            return true;
    }
    return false;
}

std::string DescribeEntries(const std::vector<Entry>& entries) {
    constexpr size_t kShown = 4;  // Longer batches show the first two and the last one.
    std::string out = "[";
    for (size_t i = 0; i < entries.size(); ++i) {
        if (entries.size() > kShown && i == 2) {
            out += " …";
            i = entries.size() - 1;
        }
        out += (i == 0 ? "" : " ") + EntryId(entries[i].index, entries[i].term);
    }
    out += "]";
    if (entries.size() > kShown) out += fmt::format(" ({} entries)", entries.size());
    return out;
}

}  // namespace

std::string EntryId(LogIndex index, Term term) { return fmt::format("{}@{}", index, term); }

void EncodeEntry(std::string* dst, const Entry& e) {
    PutVarint64(dst, e.index.value());
    PutVarint64(dst, e.term.value());
    dst->push_back(static_cast<char>(e.type));
    PutLengthPrefixed(dst, e.data);
}

bool DecodeEntry(Decoder* in, Entry* e) {
    uint8_t type = 0;
    std::string_view data;
    if (!GetIndex(in, &e->index) || !GetTerm(in, &e->term) || !in->GetU8(&type) ||
        type > static_cast<uint8_t>(EntryType::kConfig) || !in->GetLengthPrefixed(&data)) {
        return false;
    }
    e->type = static_cast<EntryType>(type);
    e->data = std::string(data);
    return true;
}

std::string EncodeMessage(const Message& m) {
    std::string out(4, '\0');
    out.push_back(static_cast<char>(kMessageVersion));
    out.push_back(static_cast<char>(m.type));
    PutVarint64(&out, m.term.value());
    EncodeBody(&out, m);
    EncodeFixed32(out.data(), MaskCrc(Crc32c(std::string_view(out).substr(4))));
    return out;
}

Result<Message> DecodeMessage(std::string_view bytes) {
    if (bytes.size() < 7) return Status::Corruption("raft message too short");
    uint32_t crc = UnmaskCrc(DecodeFixed32(bytes.data()));
    if (crc != Crc32c(bytes.substr(4))) return Status::Corruption("raft message checksum mismatch");
    Decoder in(bytes.substr(4));
    uint8_t version = 0;
    uint8_t type = 0;
    Message m;
    if (!in.GetU8(&version) || version != kMessageVersion) {
        return Status::Corruption(fmt::format("raft message version {} unsupported", version));
    }
    if (!in.GetU8(&type) || type == 0 || type > kMaxMsgType) {
        return Status::Corruption(fmt::format("raft message type {} unknown", type));
    }
    m.type = static_cast<MsgType>(type);
    if (!GetTerm(&in, &m.term) || !DecodeBody(&in, &m)) {
        return Status::Corruption(fmt::format("malformed raft {} message", MsgTypeName(m.type)));
    }
    if (!in.empty()) return Status::Corruption("trailing bytes after raft message");
    return m;
}

std::string_view MsgTypeName(MsgType type) {
    switch (type) {
        case MsgType::kPreVote: return "PreVote";
        case MsgType::kPreVoteResp: return "PreVoteResp";
        case MsgType::kVote: return "Vote";
        case MsgType::kVoteResp: return "VoteResp";
        case MsgType::kAppend: return "Append";
        case MsgType::kAppendResp: return "AppendResp";
        case MsgType::kHeartbeat: return "Heartbeat";
        case MsgType::kHeartbeatResp: return "HeartbeatResp";
        case MsgType::kSnapshot: return "Snapshot";
        case MsgType::kSnapshotResp: return "SnapshotResp";
        case MsgType::kTimeoutNow: return "TimeoutNow";
    }
    return "Unknown";
}

std::string DescribeDecoded(const Message& m) {
    std::string head = fmt::format("{} t{}", MsgTypeName(m.type), m.term);
    switch (m.type) {
        case MsgType::kPreVote:
        case MsgType::kVote:
            return fmt::format("{} last={}{}", head, EntryId(m.last_index, m.last_term),
                               m.transfer ? " transfer" : "");
        case MsgType::kPreVoteResp:
        case MsgType::kVoteResp:
            return fmt::format("{} {}", head, m.granted ? "granted" : "rejected");
        case MsgType::kAppend:
            return fmt::format("{} prev={} {} commit={}", head, EntryId(m.prev_index, m.prev_term),
                               DescribeEntries(m.entries), m.commit);
        case MsgType::kAppendResp:
            if (m.granted) return fmt::format("{} ok match={}", head, m.match);
            // No hint at all: the answer of a node with a newer term to a stale leader
            // (election.cpp), whose only news is that term.
            if (m.hint_index == LogIndex(0)) {
                return fmt::format("{} reject prev={} stale term", head, m.reject_index);
            }
            if (m.hint_term == Term(0)) {
                return fmt::format("{} reject prev={} last={}", head, m.reject_index,
                                   m.hint_index - 1);
            }
            return fmt::format("{} reject prev={} conflict={}", head, m.reject_index,
                               EntryId(m.hint_index, m.hint_term));
        case MsgType::kHeartbeat:
            return fmt::format("{} commit={}{}", head, m.commit,
                               m.read_ctx ? fmt::format(" read={}", m.read_ctx) : "");
        case MsgType::kHeartbeatResp:
            return m.read_ctx ? fmt::format("{} read={}", head, m.read_ctx) : head;
        case MsgType::kSnapshot:
            return fmt::format("{} idx={} chunk {}/{}", head, EntryId(m.snap_index, m.snap_term),
                               m.chunk_no + 1, m.chunk_count);
        case MsgType::kSnapshotResp:
            return fmt::format("{} idx={} {} next={}", head, m.snap_index,
                               m.granted ? "ok" : "reject", m.offset);
        case MsgType::kTimeoutNow:
            return head;
    }
    return head;
}

std::string DescribeMessage(std::string_view bytes) {
    Result<Message> m = DecodeMessage(bytes);
    if (!m.ok()) return fmt::format("<corrupt: {}>", m.status().message());
    return DescribeDecoded(*m);
}

}  // namespace orrery::raft
