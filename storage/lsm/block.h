// Data blocks of an SSTable: sorted entries with prefix-compressed keys and restart points.
//
// Layout of a block's contents (then a 4-byte masked CRC32C of the contents on disk):
//   entry*      varint shared | varint unshared | varint (value_len << 1 | is_delete)
//               | key bytes [shared, shared+unshared) | value bytes
//   restart*    fixed32 offset of every kRestartInterval-th entry (whose shared is 0)
//   fixed32     number of restarts (at least 1 for a non-empty block)
// Keys are stored in strictly increasing order. Restart points let Get binary-search a block
// without decoding it all; iterators decode a block once into a flat array, which makes both
// directions equally cheap.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::storage::lsm {

class BlockBuilder {
public:
    explicit BlockBuilder(int restart_interval = 16) : restart_interval_(restart_interval) {}

    // Adds an entry. REQUIRES: key greater than every key added since the last Reset.
    void Add(std::string_view key, std::string_view value, bool is_delete);
    // Finishes the block: returns contents followed by the CRC trailer. Reset() to reuse.
    std::string_view Finish();
    void Reset();

    // Bytes the finished block would take, trailer included.
    size_t EstimatedBytes() const;
    bool empty() const { return count_ == 0; }
    std::string_view last_key() const { return last_key_; }

private:
    int restart_interval_;
    std::string buf_;
    std::vector<uint32_t> restarts_;
    std::string last_key_;
    int since_restart_ = 0;
    uint64_t count_ = 0;
    bool finished_ = false;
};

// One decoded entry of a block; views point into the owning Block and DecodedBlock.
struct BlockEntry {
    std::string_view key;
    std::string_view value;
    bool is_delete;
};

// A verified block: contents whose CRC matched. Immutable and shared (the block cache holds it).
class Block {
public:
    // Verifies the CRC trailer of `raw` (contents + trailer) and the restart array. Returns
    // kCorruption naming `where` on any mismatch.
    static Result<std::shared_ptr<const Block>> Parse(std::string raw, std::string_view where);

    enum class Found : uint8_t { kAbsent, kValue, kDeleted };
    // Looks key up. kCorruption if the entries are malformed despite a good CRC.
    Result<Found> Get(std::string_view key, std::string* value) const;

    // Decodes every entry, in order, into out (whose keys live in *key_bytes).
    Status DecodeAll(std::vector<BlockEntry>* out, std::string* key_bytes) const;

    // Forward decoding one entry at a time, for cursors that need not decode the whole block.
    // Offset of the last restart point whose key is < key, or 0: every entry before that offset
    // is < key, so a forward seek to key may start there. kCorruption if a restart is malformed.
    Result<uint32_t> SeekOffset(std::string_view key) const;
    // Decodes the entry at *offset and moves *offset past it. *key holds the previous entry's key
    // (its prefix is shared) and receives this entry's; first = no previous entry (at a restart
    // point). The value views the block. kCorruption if the entry is malformed or its key does
    // not increase, the checks DecodeAll makes.
    Status DecodeNext(uint32_t* offset, bool first, std::string* key, std::string_view* value,
                      bool* is_delete) const;
    // The offset where the entries end; an entry's offset is below it.
    uint32_t entries_end() const { return restarts_offset_; }

    size_t size_bytes() const { return data_.size(); }

private:
    Block(std::string data, uint32_t restarts_offset, uint32_t num_restarts)
        : data_(std::move(data)), restarts_offset_(restarts_offset), num_restarts_(num_restarts) {}
    // Key of the entry at restart point i (its shared length is 0), or nullopt if malformed.
    bool RestartKey(uint32_t i, std::string_view* key) const;
    // The index of the last restart point whose key is < key, or 0 (Get and SeekOffset).
    Result<uint32_t> LastRestartBefore(std::string_view key) const;

    std::string data_;  // Contents without the trailer.
    uint32_t restarts_offset_;
    uint32_t num_restarts_;
};

}  // namespace orrery::storage::lsm
