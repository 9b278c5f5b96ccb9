// Memtable: the LSM's in-memory write buffer, a skiplist of versioned entries in an arena.
//
// Why a skiplist with sequence numbers: an iterator must see the engine as of its creation while
// writes go on. Every write adds a *new* node (key, seq) and never changes an old one, so an
// iterator that remembers the sequence number current at its creation simply ignores nodes with a
// larger one. Nodes live in an arena and are freed all at once with the memtable, which a
// shared_ptr keeps alive for as long as any iterator reads it.
//
// Order ("internal order"): by user key (memcmp), then by sequence number *descending*, so the
// newest version of a key comes first. A hash index from key to newest node serves Get, which
// always reads the newest version, without walking the skiplist. Invariants: sequence numbers added are strictly increasing;
// nodes are immutable once linked; the structure is single-threaded.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/lsm/entry_iterator.h"

namespace orrery::storage::lsm {

// Bump allocator: hands out memory that lives until the arena dies.
class Arena {
public:
    // Returns `bytes` of memory aligned to 8 bytes.
    char* Allocate(size_t bytes);
    // Total bytes reserved from the heap (what the memtable costs).
    size_t reserved_bytes() const { return reserved_; }
    // Total bytes handed out (what the memtable holds; grows smoothly, unlike reserved_bytes).
    size_t allocated_bytes() const { return allocated_; }

private:
    static constexpr size_t kBlockBytes = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* ptr_ = nullptr;
    size_t remaining_ = 0;
    size_t reserved_ = 0;
    size_t allocated_ = 0;
};

class Memtable {
public:
    static constexpr int kMaxHeight = 16;

    struct Node {
        uint64_t seq;
        uint32_t key_size;
        uint32_t value_size;
        bool is_delete;
        int height;
        const char* data;  // key bytes then value bytes
        std::string_view key() const { return {data, key_size}; }
        std::string_view value() const { return {data + key_size, value_size}; }
        Node* next[1];  // `height` pointers in fact.
    };

    Memtable();

    // Adds a version. REQUIRES: seq greater than every seq added before.
    void Add(uint64_t seq, bool is_delete, std::string_view key, std::string_view value);

    // The newest version of key with seq <= snapshot, or nullptr.
    const Node* FindVisible(std::string_view key, uint64_t snapshot) const;
    // The newest version of key, or nullptr: one hash lookup (the Get path).
    const Node* FindNewest(std::string_view key) const {
        auto it = newest_.find(key);
        return it == newest_.end() ? nullptr : it->second;
    }

    // Returns the first node whose user key is >= key (> key if strict), or nullptr.
    const Node* FirstAtOrAfter(std::string_view key, bool strict) const;
    // Returns the last node whose user key is < key (<= key if inclusive), or nullptr.
    const Node* LastBefore(std::string_view key, bool inclusive) const;
    // Returns the last node of the list, or nullptr.
    const Node* Last() const;
    const Node* First() const { return head_->next[0]; }

    size_t ApproximateBytes() const { return arena_.allocated_bytes(); }
    uint64_t entries() const { return entries_; }
    uint64_t deletes() const { return deletes_; }
    bool empty() const { return entries_ == 0; }

private:
    int RandomHeight();
    // The last node at each level that sorts before (key, seq) in internal order.
    const Node* FindLess(std::string_view key, uint64_t seq, Node** prev) const;
    // The last node whose key is < key (<= key if or_equal), ignoring sequence numbers; head_
    // if there is none.
    const Node* LastLess(std::string_view key, bool or_equal) const;

    Arena arena_;
    Node* head_;
    // Key -> its newest node. A point lookup for the latest version needs no skiplist walk;
    // the map is only ever probed, never iterated, so its order cannot leak anywhere.
    std::unordered_map<std::string_view, const Node*> newest_;
    int height_ = 1;
    uint64_t rng_state_ = 0x9e3779b97f4a7c15ull;
    uint64_t entries_ = 0;
    uint64_t deletes_ = 0;
};

// Streams the versions visible at `snapshot` (one per key, tombstones included), from the
// scan's near bound outwards. The far bound is the caller's business (the merging iterator).
std::unique_ptr<EntryIterator> NewMemtableIterator(std::shared_ptr<const Memtable> mem,
                                                   uint64_t snapshot, const ScanOptions& opts);

}  // namespace orrery::storage::lsm
