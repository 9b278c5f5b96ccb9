// Engine: an ordered key-value store of byte strings. Raft's state machines, MVCC and SQL all sit
// on one. Three engines implement it: memory (the reference), LSM and B+-tree.
//
// Contract:
//  - Keys are non-empty byte strings of at most kMaxKeyBytes, ordered by memcmp; values are at
//    most kMaxValueBytes. Violations return kInvalidArgument and change nothing.
//  - A WriteBatch is atomic: after a crash either all of it is present or none of it.
//  - Writes acknowledged by Write() are durable only after Sync() (or a Write with sync=true)
//    returns OK. After a crash the state equals the state after some prefix of the acknowledged
//    batches, and that prefix contains every batch acknowledged before the last successful sync.
//  - Iterators stream: a scan never materialises the table. An iterator sees a consistent
//    snapshot of the engine as of its creation, is invalidated by nothing, and must be destroyed
//    before the engine.
//  - Stored bytes that fail a checksum are reported as kCorruption; wrong data is never returned.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::storage {

inline constexpr size_t kMaxKeyBytes = 4096;
inline constexpr size_t kMaxValueBytes = 1 << 20;

// An ordered list of sets and deletes applied atomically.
class WriteBatch {
public:
    struct Op {
        bool is_delete;
        std::string key;
        std::string value;  // Empty for deletes.
    };

    void Set(std::string_view key, std::string_view value) {
        ops_.push_back({false, std::string(key), std::string(value)});
        bytes_ += key.size() + value.size();
    }
    void Delete(std::string_view key) {
        ops_.push_back({true, std::string(key), {}});
        bytes_ += key.size();
    }
    void Clear() {
        ops_.clear();
        bytes_ = 0;
    }

    const std::vector<Op>& ops() const { return ops_; }
    size_t size() const { return ops_.size(); }
    bool empty() const { return ops_.empty(); }
    // Sum of key and value bytes in the batch (user bytes, for write amplification).
    uint64_t bytes() const { return bytes_; }

private:
    std::vector<Op> ops_;
    uint64_t bytes_ = 0;
};

// Returns InvalidArgument unless every key and value in the batch respects the size limits.
Status ValidateBatch(const WriteBatch& batch);
Status ValidateKey(std::string_view key);

// One end of a scan range.
struct Bound {
    enum class Kind : uint8_t { kUnbounded, kInclusive, kExclusive };
    Kind kind = Kind::kUnbounded;
    std::string key;

    static Bound Unbounded() { return {}; }
    static Bound Inclusive(std::string_view k) { return {Kind::kInclusive, std::string(k)}; }
    static Bound Exclusive(std::string_view k) { return {Kind::kExclusive, std::string(k)}; }
};

struct ScanOptions {
    Bound lower;
    Bound upper;
    bool reverse = false;
};

// Returns scan options covering every key that starts with prefix.
ScanOptions PrefixScan(std::string_view prefix, bool reverse = false);

// Returns true iff key lies within [lower, upper] as the bounds' kinds say.
bool InRange(std::string_view key, const ScanOptions& opts);

// A streaming cursor over a range, in key order (or reverse order).
// Usage: for (; it->Valid(); it->Next()) { it->key(); it->value(); }  then check it->status().
class Iterator {
public:
    virtual ~Iterator() = default;
    // True while positioned on an entry. False at the end *or* after an error.
    virtual bool Valid() const = 0;
    // REQUIRES: Valid(). Moves to the next entry in scan order.
    virtual void Next() = 0;
    // REQUIRES: Valid().
    virtual std::string_view key() const = 0;
    virtual std::string_view value() const = 0;
    // OK unless the scan stopped on an error (e.g. kCorruption in a block).
    virtual Status status() const = 0;
};

struct EngineStatus {
    std::string engine;          // "memory", "lsm" or "btree".
    uint64_t live_keys = 0;      // Keys currently present.
    uint64_t disk_bytes = 0;     // Bytes in the engine's files.
    uint64_t garbage_bytes = 0;  // Bytes on disk that hold no live data (shadowed, deleted, free).
    uint64_t user_bytes_written = 0;  // Key+value bytes written through Write().
    uint64_t disk_bytes_written = 0;  // Bytes the engine wrote to disk (for write amplification).
};

class Engine {
public:
    virtual ~Engine() = default;

    // Returns the value, or kNotFound.
    virtual Result<std::string> Get(std::string_view key) = 0;

    // Applies a batch atomically. With sync=true, returns only once it is durable.
    virtual Status Write(const WriteBatch& batch, bool sync = false) = 0;

    // Single-key conveniences built on Write.
    Status Set(std::string_view key, std::string_view value, bool sync = false);
    Status Delete(std::string_view key, bool sync = false);

    // Returns a streaming iterator over the range.
    virtual std::unique_ptr<Iterator> Scan(const ScanOptions& opts) = 0;

    // Makes every acknowledged write durable (group commit: one sync covers many batches).
    virtual Status Sync() = 0;

    // Engine-specific maintenance: the LSM flushes its memtable and compacts; the B+-tree
    // checkpoints. Tests call these to reach states that would otherwise take many writes.
    virtual Status Flush() { return Status::Ok(); }
    virtual Status Compact() { return Status::Ok(); }

    virtual EngineStatus GetStatus() = 0;
};

}  // namespace orrery::storage
