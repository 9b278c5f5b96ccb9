// BlockCache: a byte-bounded LRU of verified data blocks, shared by every table of one engine.
//
// Blocks are keyed by (file number, offset); file numbers are never reused, so a key can never
// name two different blocks. A cached block has already passed its CRC check, which is why a hot
// Get costs no checksum. Lookup order never reaches any output: the hash map only finds entries,
// and eviction follows the recency list.
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <unordered_map>

#include "storage/lsm/block.h"

namespace orrery::storage::lsm {

class BlockCache {
public:
    // capacity_bytes 0 disables the cache.
    explicit BlockCache(size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

    // Returns the cached block, or nullptr.
    std::shared_ptr<const Block> Lookup(uint64_t file, uint64_t offset);
    // Inserts (or refreshes) a block, evicting the least recently used ones beyond capacity.
    void Insert(uint64_t file, uint64_t offset, std::shared_ptr<const Block> block);

    size_t used_bytes() const { return used_bytes_; }

private:
    struct Key {
        uint64_t file, offset;
        bool operator==(const Key&) const = default;
    };
    struct KeyHash {
        size_t operator()(const Key& k) const {
            return static_cast<size_t>(k.file * 0x9e3779b97f4a7c15ull ^ k.offset);
        }
    };
    struct Entry {
        Key key;
        std::shared_ptr<const Block> block;
    };

    size_t capacity_bytes_;
    size_t used_bytes_ = 0;
    std::list<Entry> lru_;  // Most recently used first.
    std::unordered_map<Key, std::list<Entry>::iterator, KeyHash> map_;
};

}  // namespace orrery::storage::lsm
