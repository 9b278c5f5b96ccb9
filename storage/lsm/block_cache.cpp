// The LRU block cache. See block_cache.h.
#include "storage/lsm/block_cache.h"

namespace orrery::storage::lsm {

std::shared_ptr<const Block> BlockCache::Lookup(uint64_t file, uint64_t offset) {
    auto it = map_.find(Key{file, offset});
    if (it == map_.end()) return nullptr;
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->block;
}

void BlockCache::Insert(uint64_t file, uint64_t offset, std::shared_ptr<const Block> block) {
    if (capacity_bytes_ == 0 || block->size_bytes() > capacity_bytes_) return;
    Key key{file, offset};
    auto it = map_.find(key);
    if (it != map_.end()) {
        used_bytes_ -= it->second->block->size_bytes();
        lru_.erase(it->second);
        map_.erase(it);
    }
    used_bytes_ += block->size_bytes();
    lru_.push_front(Entry{key, std::move(block)});
    map_.emplace(key, lru_.begin());
    while (used_bytes_ > capacity_bytes_) {
        const Entry& victim = lru_.back();
        used_bytes_ -= victim.block->size_bytes();
        map_.erase(victim.key);
        lru_.pop_back();
    }
}

}  // namespace orrery::storage::lsm
