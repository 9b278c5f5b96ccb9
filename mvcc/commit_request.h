// CommitRequest: a transaction's commit as one self-contained, replicable message.
//
// A read-write transaction executes at the leader against a snapshot and touches the engine only
// to read. Its commit is this request: the snapshot version, the buffered writes, and the read
// set (point keys and scanned ranges). Mvcc::ApplyCommit decides commit or abort from the request
// and the engine's state alone, so every replica that applies the same requests in the same
// order reaches the same decisions and the same bytes. The request travels as one Raft log entry
// (Encode/Decode below; the log checksums entries, so the encoding carries no checksum).
//
// Wire format (coding.h varints, "lp" = varint length then bytes):
//
//   u8      format version (1)
//   varint  txn_id              leader-assigned, informational (messages, traces)
//   varint  snapshot_version
//   u8      isolation           0 serializable, 1 snapshot
//   u8      flags               bit 0: read-only
//   varint  n_writes,    then n_writes  x { u8 kind (1 set, 0 delete), lp key, [lp value] }
//   varint  n_read_keys, then n_read_keys x lp key
//   varint  n_ranges,    then n_ranges  x { lp start, lp end }     ("" end = unbounded)
//
// Invariants (checked by Decode and by ApplyCommit): writes and read keys are sorted by key
// without duplicates; every key is valid (key_codec.h); a read-only request has no writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/coding.h"
#include "core/status.h"
#include "mvcc/key_codec.h"

namespace orrery::mvcc {

// Per-transaction isolation level.
enum class Isolation : uint8_t {
    kSerializable = 0,  // Serializable snapshot isolation (the default).
    kSnapshot = 1,      // Plain snapshot isolation: allows write skew, phantoms, read-only anomaly.
};

// "serializable" or "snapshot".
std::string_view IsolationName(Isolation isolation);

// A half-open range [start, end) of user keys. An empty `end` means "to the end of the key
// space"; an empty `start` means "from the first key".
struct KeyRange {
    std::string start;
    std::string end;

    // Returns true iff start <= key < end (end unbounded when empty).
    bool Contains(std::string_view key) const;
    // The range of every key beginning with prefix.
    static KeyRange Prefix(std::string_view prefix);
    // The range [start, end] with an inclusive end: [start, end + 0x00).
    static KeyRange Closed(std::string_view start, std::string_view end);

    friend bool operator==(const KeyRange&, const KeyRange&) = default;
};

// One buffered write: a value to set, or nullopt to delete.
struct Write {
    std::string key;
    std::optional<std::string> value;

    friend bool operator==(const Write&, const Write&) = default;
};

struct CommitRequest {
    uint64_t txn_id = 0;
    Version snapshot_version = 0;
    Isolation isolation = Isolation::kSerializable;
    bool read_only = false;
    std::vector<Write> writes;            // Sorted by key, unique.
    std::vector<std::string> read_keys;   // Sorted, unique. Empty under kSnapshot.
    std::vector<KeyRange> read_ranges;    // In scan order. Empty under kSnapshot.

    friend bool operator==(const CommitRequest&, const CommitRequest&) = default;
};

// What a successful ApplyCommit decided. An abort is not an outcome: ApplyCommit returns
// Status::Aborted, which is just as deterministic (no state changes).
struct CommitOutcome {
    Version commit_version = 0;  // The version this commit created (read-only: its validation).
    Version earliest_out_conflict = 0;  // See txn_record.h; 0 if none. Informational.
};

// The read set of a request, made to fit in `budget_bytes` of encoded keys and ranges by
// widening it: when the keys and ranges take more, they become ranges (a key k is [k, k+0x00)),
// overlapping ones merge, and then runs of neighbouring ranges merge into one covering range
// until the set fits. Widening a read set is always safe for SSI: a commit then conflicts with
// every write a precise read set would have conflicted with, and with some more (more aborts,
// never fewer). It exists because the read set is stored in one TxnRecord value, which the
// storage engine bounds (a million-row INSERT checks a million keys for uniqueness).
// Deterministic: a function of the read set alone.
void CoarsenReadSet(CommitRequest* req, size_t budget_bytes);

// The budget Transaction::BuildCommitRequest coarsens to (well below the 1 MiB value bound,
// leaving room for the record's other fields).
inline constexpr size_t kReadSetBudgetBytes = 256 << 10;

// Serialises a request as described above.
std::string EncodeCommitRequest(const CommitRequest& req);

// Parses bytes made by EncodeCommitRequest. Corruption if they are malformed, truncated, carry
// trailing bytes, or break the invariants above.
Result<CommitRequest> DecodeCommitRequest(std::string_view bytes);

// Returns InvalidArgument unless the request keeps the invariants above.
Status ValidateCommitRequest(const CommitRequest& req);

// Appends / reads the read-set part of the format (keys then ranges); shared with txn_record.
void AppendReadSet(std::string* dst, const std::vector<std::string>& keys,
                   const std::vector<KeyRange>& ranges);
bool GetReadSet(Decoder* in, std::vector<std::string>* keys, std::vector<KeyRange>* ranges);

}  // namespace orrery::mvcc
