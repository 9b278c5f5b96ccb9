// Raft's messages and their wire format.
//
// Every message Raft sends is one of the types below, encoded as bytes with core/coding.h. The
// same bytes cross the simulated network (where bits flip) and TCP, so decoding trusts nothing:
//
//   | bytes | field                                                              |
//   |-------|--------------------------------------------------------------------|
//   | 4     | masked CRC32C of every byte after it                               |
//   | 1     | format version (kMessageVersion)                                   |
//   | 1     | type (MsgType)                                                     |
//   | var   | term (varint)                                                      |
//   | ...   | the type's fields, in the order EncodeMessage writes them          |
//
// A message whose checksum, version, type, field bounds or length is wrong decodes to
// kCorruption and is dropped by the receiver: a flipped bit is never misapplied.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/status.h"
#include "raft/membership.h"
#include "raft/raft.h"

namespace orrery::raft {

inline constexpr uint8_t kMessageVersion = 1;
// Bounds for decoding untrusted bytes.
inline constexpr size_t kMaxEntriesPerMessage = 4096;

enum class MsgType : uint8_t {
    kPreVote = 1,    // Thesis §9.6: "would you vote for me in term+1?" (no state change).
    kPreVoteResp,
    kVote,           // RequestVote (§5.2).
    kVoteResp,
    kAppend,         // AppendEntries with entries (§5.3).
    kAppendResp,
    kHeartbeat,      // AppendEntries without entries: leadership, commit, ReadIndex rounds.
    kHeartbeatResp,
    kSnapshot,       // One chunk of InstallSnapshot (§7).
    kSnapshotResp,
    kTimeoutNow,     // Leadership transfer: "campaign now" (thesis §3.10).
};
inline constexpr uint8_t kMaxMsgType = static_cast<uint8_t>(MsgType::kTimeoutNow);

// One message. Only the fields of its type are encoded; the rest stay at their defaults.
struct Message {
    MsgType type = MsgType::kHeartbeat;
    Term term;
    // kPreVote, kVote: the candidate's last log entry (§5.4.1); transfer = sent after TimeoutNow,
    // so voters skip the leader-lease check (thesis §3.10).
    LogIndex last_index;
    Term last_term;
    bool transfer = false;
    // kPreVoteResp, kVoteResp, kAppendResp, kSnapshotResp.
    bool granted = false;  // Votes: granted; appends: success; snapshots: accepted.
    // kAppend: the entry before `entries`, the entries, the leader's commit index.
    // kHeartbeat: commit (capped at the follower's match).
    LogIndex prev_index;
    Term prev_term;
    std::vector<Entry> entries;
    LogIndex commit;
    // kAppendResp. Success: match = last index known to match the leader's log. Reject:
    // reject_index = the rejected prev_index; hint_index/hint_term = the conflict hint (the
    // follower's term at prev_index and the first index of that term, or last_index+1 and term 0
    // when its log is too short) so the leader skips a whole term per round trip (§5.3).
    LogIndex match;
    LogIndex reject_index;
    LogIndex hint_index;
    Term hint_term;
    // kHeartbeat, kHeartbeatResp: the ReadIndex round being confirmed (thesis §6.4), 0 = none.
    uint64_t read_ctx = 0;
    // kSnapshot: which snapshot, its configuration, this chunk's place in it. kSnapshotResp:
    // snap_index, and offset = the next byte the follower expects.
    LogIndex snap_index;
    Term snap_term;
    Membership snap_config;
    uint64_t total_bytes = 0;
    uint64_t offset = 0;
    uint32_t snap_crc = 0;  // CRC32C of the whole snapshot data.
    uint32_t chunk_no = 0;     // 0-based number of this chunk.
    uint32_t chunk_count = 0;  // Chunks in the whole snapshot.
    std::string chunk;
};

// Returns a message of `type` with every other field at its default.
inline Message MakeMessage(MsgType type, bool granted = false) {
    Message m;
    m.type = type;
    m.granted = granted;
    return m;
}

// Encodes m into bytes (with checksum and version).
std::string EncodeMessage(const Message& m);
// Decodes bytes; kCorruption describing the first problem found.
Result<Message> DecodeMessage(std::string_view bytes);
// Renders a decoded message as one compact line (see DescribeMessage in raft.h).
std::string DescribeDecoded(const Message& m);
// The message type's short name ("Append", "VoteResp", ...).
std::string_view MsgTypeName(MsgType type);

// Entry encoding shared by messages and the log store: index, term, type, data.
void EncodeEntry(std::string* dst, const Entry& e);
bool DecodeEntry(Decoder* in, Entry* e);
// "5@3".
std::string EntryId(LogIndex index, Term term);

}  // namespace orrery::raft
