// The two small durable records of a Raft node besides its log: the hard state and the snapshot.
//
// Hard state (§5, Figure 2: currentTerm and votedFor "updated on stable storage before responding
// to RPCs") lives in the file "hardstate" as two 512-byte slots, each alone in its own sector:
//
//   | bytes | field                                             |
//   |-------|---------------------------------------------------|
//   | 4     | masked CRC32C of the rest of the slot's record    |
//   | 1     | version (kDurableVersion)                         |
//   | var   | seq: a write counter; the valid slot with the highest seq wins |
//   | var   | term                                              |
//   | var   | voted_for (0 = none)                              |
//   | var   | commit index                                      |
//   | var   | durable index: the last log index known synced    |
//
// Write n goes to slot n % 2 and is synced, so the previous write is never overwritten while the
// new one is in flight: a torn write leaves the other slot intact (an atomic update, one fsync,
// no rename). The durable index is how recovery tells a torn tail (entries after it may be cut)
// from corruption of synced entries (the node refuses to start).
//
// Snapshot (§7) lives in the file "snapshot", replaced atomically (write, sync, rename, sync dir):
//
//   | bytes | field                                             |
//   |-------|---------------------------------------------------|
//   | 4     | masked CRC32C of everything after it              |
//   | 1     | version                                           |
//   | var   | last included index                               |
//   | var   | last included term                                |
//   | var   | membership at that index (see membership.h)       |
//   | var   | state machine bytes (length-prefixed)             |
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/disk.h"
#include "core/status.h"
#include "raft/membership.h"

namespace orrery::raft {

inline constexpr uint8_t kDurableVersion = 1;
inline constexpr const char* kHardStateFile = "hardstate";
inline constexpr const char* kSnapshotFile = "snapshot";

struct HardState {
    Term term;
    uint32_t voted_for = 0;  // 0 = none.
    LogIndex commit;
    LogIndex durable_index;

    friend bool operator==(const HardState&, const HardState&) = default;
};

struct SnapshotMeta {
    LogIndex index;  // Last included index (0: no snapshot yet).
    Term term;       // Term of that entry.
    Membership config;
};

// Reads the hard state. nullopt when the file does not exist or holds no valid slot (a first
// boot that crashed before its first sync); *seq is the winning slot's sequence number.
Result<std::optional<HardState>> ReadHardState(Disk& disk, uint64_t* seq);
// Writes hs as write number seq (slot seq % 2) and syncs it.
Status WriteHardState(File& file, const HardState& hs, uint64_t seq);

// Encodes / decodes the snapshot file. Decoding returns kCorruption on any mismatch.
std::string EncodeSnapshotFile(const SnapshotMeta& meta, std::string_view data);
Result<SnapshotMeta> DecodeSnapshotFile(std::string_view bytes, std::string* data);

}  // namespace orrery::raft
