// key_codec: how MVCC lays out its state in the bytes of an ordered storage::Engine.
//
// MVCC owns the whole key space of its engine and splits it by the first byte:
//
//   0x00 meta       0x00 0x01            -> last committed version (fixed64)
//                   0x00 0x02            -> GC horizon: no snapshot below it may be read (fixed64)
//   0x01 txn record 0x01 BE64(commit)    -> the SSI record of the transaction committed at
//                                           `commit` (see txn_record.h)
//   0x02 data       0x02 esc(key) 0x00 0x00 BE64(~version)
//                                        -> 0x01 value  (a write)  |  0x00  (a delete: tombstone)
//   0x03..0xFF      never used by MVCC (reserved for an embedder, e.g. Raft's applied index)
//
// esc(key) copies the user key and turns every 0x00 byte into 0x00 0xFF. The terminator 0x00 0x00
// sorts below both an escaped 0x00 (0x00 0xFF) and any other byte, so user keys keep their memcmp
// order and no key's versions interleave with another key's. The version is stored inverted
// (~version, big-endian), so for one key the *newest* version comes first. Reading "the newest
// version <= snapshot" is therefore a single seek to esc(key) 0x00 0x00 BE64(~snapshot): the first
// entry at or after it, if it still belongs to the key, is the answer.
//
// Invariants: DecodeDataKey(EncodeDataKey(k, v)) == (k, v); for all keys a, b and versions:
// (a, v) sorts before (b, w) iff a < b, or a == b and v > w.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/engine.h"

namespace orrery::mvcc {

// Commit versions count committed transactions: 1, 2, 3, ... Version 0 is "before the first
// commit" and is the snapshot of a transaction that began on an empty database.
using Version = uint64_t;

inline constexpr char kMetaPrefix = '\x00';
inline constexpr char kRecordPrefix = '\x01';
inline constexpr char kDataPrefix = '\x02';
inline constexpr char kEndOfMvccPrefix = '\x03';

// The engine keys of the two meta values.
std::string LastVersionKey();
std::string GcHorizonKey();

// 0x01 BE64(commit): the record of the transaction that committed at `commit`.
std::string RecordKey(Version commit);
// Returns the commit version of a record key; Corruption if the key is not one.
Result<Version> DecodeRecordKey(std::string_view engine_key);

// esc(user_key) 0x00 0x00 with the data prefix: every version of user_key starts with it.
std::string DataKeyPrefix(std::string_view user_key);
// The engine key of one version of user_key.
std::string EncodeDataKey(std::string_view user_key, Version version);

struct DecodedDataKey {
    std::string user_key;
    Version version = 0;
    // Length of the engine key's prefix shared by every version of user_key (DataKeyPrefix).
    size_t group_bytes = 0;
};
// Splits an engine data key; Corruption if it is malformed.
Result<DecodedDataKey> DecodeDataKey(std::string_view engine_key);

// Returns the engine key bound that sorts at or before every version of user keys >= user_key:
// 0x02 esc(user_key) (no terminator). Used for inclusive lower / exclusive upper range bounds.
std::string DataRangeBound(std::string_view user_key);

// Engine scan options covering every version of every user key in [start, end) ("" end: no
// upper bound, i.e. up to the end of the data prefix).
storage::ScanOptions DataScan(std::string_view start, std::string_view end);

// Data values: 0x01 then the bytes for a write, a lone 0x00 for a delete.
std::string EncodeDataValue(const std::optional<std::string>& value);
Result<std::optional<std::string>> DecodeDataValue(std::string_view stored);
// The same without a copy: the bytes are a view of `stored`.
Result<std::optional<std::string_view>> DataValueView(std::string_view stored);

// Returns InvalidArgument unless user_key can be stored: non-empty, and short enough that its
// escaped, versioned engine key fits storage::kMaxKeyBytes.
Status ValidateUserKey(std::string_view user_key);
Status ValidateUserValue(std::string_view value);

// Returns key with bytes outside printable ASCII (and the backslash) as \xNN, for messages.
std::string PrintableKey(std::string_view key);

// Big-endian fixed 64-bit helpers (order-preserving, unlike core's little-endian fixed64).
void PutBigEndian64(std::string* dst, uint64_t v);
uint64_t GetBigEndian64(std::string_view eight_bytes);

}  // namespace orrery::mvcc
