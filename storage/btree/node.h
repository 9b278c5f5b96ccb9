// Node: one B+-tree page, decoded in memory.
//
// A node keeps its key and value bytes in one arena string and a small slot per entry that
// points into it, so a leaf costs about what its page costs and a binary search touches only the
// slots and the key bytes. Edits append to the arena; the bytes they orphan are counted and
// dropped when the node is compacted (every Clone compacts).
//
// A leaf holds entries (key, value). An interior node at level L >= 1 holds n separators and
// n + 1 children; child i covers keys k with sep[i-1] <= k < sep[i] (the missing ends are
// unbounded), so ChildIndex(k) is the number of separators <= k.
//
// Keys longer than kInlineKeyMax and values longer than kInlineValueMax are written to overflow
// chains at checkpoint time; the slot remembers the chain once written (key_chain, val_chain) so
// unchanged entries are never rewritten. Keys are always in memory (they are compared); a value
// read back from disk may stay on disk (value_loaded() == false) until someone asks for it.
//
// Invariants: keys strictly increase; interior nodes have size() + 1 children; encoded_bytes()
// is the exact payload size EncodeTo writes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "storage/btree/format.h"

namespace orrery::storage::btree {

// Where an entry's bytes are, and which overflow chains it owns.
struct Slot {
    static constexpr uint32_t kOnDisk = UINT32_MAX;  // val_off: the value is only in val_chain.
    uint32_t key_off = 0;
    uint32_t key_len = 0;
    uint32_t val_off = 0;
    uint32_t val_len = 0;
    uint64_t prefix = 0;         // The key's first 8 bytes, big-endian, zero-padded (see below).
    PageId key_chain = kNoPage;  // Overflow chain holding the key (long keys, once written).
    PageId val_chain = kNoPage;  // Overflow chain holding the value (long values, once written).
};

// Returns the first 8 bytes of key as a big-endian number, zero-padded. Two keys whose prefixes
// differ compare like their prefixes, so a binary search settles most probes on the slots alone,
// without touching the key bytes (one cache miss fewer per probe).
inline uint64_t KeyPrefix(std::string_view key) {
    uint64_t v = 0;
    size_t n = key.size() < 8 ? key.size() : 8;
    for (size_t i = 0; i < n; ++i) v |= uint64_t{static_cast<uint8_t>(key[i])} << (56 - 8 * i);
    return v;
}

// Reads `len` bytes from the overflow chain starting at `first`.
using ChainReader = std::function<Result<std::string>(PageId first, uint32_t len)>;

class Node {
public:
    explicit Node(uint8_t level) : level_(level) {}

    uint8_t level() const { return level_; }
    bool is_leaf() const { return level_ == 0; }
    // Entries of a leaf, separators of an interior node.
    size_t size() const { return slots_.size(); }
    bool empty() const { return slots_.empty(); }

    std::string_view key(size_t i) const {
        return {arena_.data() + slots_[i].key_off, slots_[i].key_len};
    }
    const Slot& slot(size_t i) const { return slots_[i]; }
    bool value_loaded(size_t i) const { return slots_[i].val_off != Slot::kOnDisk; }
    // REQUIRES: value_loaded(i).
    std::string_view value(size_t i) const;

    size_t child_count() const { return children_.size(); }
    PageId child(size_t i) const { return children_[i]; }
    void set_child(size_t i, PageId id) { children_[i] = id; }

    // First index whose key is >= key (resp. > key).
    size_t LowerBound(std::string_view key) const;
    size_t UpperBound(std::string_view key) const;
    // The child of an interior node that covers key.
    size_t ChildIndex(std::string_view key) const { return UpperBound(key); }

    // Leaf edits. InsertEntry places a new entry at i. SetValue returns the old slot, whose
    // val_chain the caller frees (the key keeps its chain); EraseEntry returns the erased slot,
    // both of whose chains the caller frees.
    void InsertEntry(size_t i, std::string_view key, std::string_view value);
    Slot SetValue(size_t i, std::string_view value);
    Slot EraseEntry(size_t i);

    // Interior edits. A separator travels with the overflow chain that holds it (if any).
    // InsertSeparator puts key at separator i and right_child at child i + 1.
    void InsertSeparator(size_t i, std::string_view key, PageId key_chain, PageId right_child);
    // Removes separator i and child i + 1; returns the removed separator's slot.
    Slot EraseSeparator(size_t i);
    // Replaces separator i; returns the old slot.
    Slot ReplaceSeparator(size_t i, std::string_view key, PageId key_chain);
    // Sets the children of a fresh interior node to {only}.
    void SetOnlyChild(PageId only);

    // Moves for split, merge and redistribution. Entries (or separators) keep their chains.
    // Appends src's entries [begin, end) (leaf) or separators [begin, end) with the child to the
    // right of each (interior).
    void AppendFrom(const Node& src, size_t begin, size_t end);
    // Leaf: inserts a copy of src's entry i at position pos.
    void InsertEntryFrom(size_t pos, const Node& src, size_t i);
    // Removes entries [begin, size()) (leaf) or separators [begin, size()) and their right
    // children (interior).
    void TruncateTo(size_t begin);
    // Removes the first n entries (leaf) or the first n separators and the children to their
    // left (interior).
    void DropFront(size_t n);
    // Interior: puts child in front and key as the new separator 0.
    void PrependChild(PageId child, std::string_view key, PageId key_chain);

    // Records chains written at checkpoint time (the node's logical content does not change).
    void set_key_chain(size_t i, PageId chain) { slots_[i].key_chain = chain; }
    void set_val_chain(size_t i, PageId chain) { slots_[i].val_chain = chain; }

    // Exact bytes of the encoded payload, and of entry i's encoding.
    size_t encoded_bytes() const { return encoded_bytes_; }
    size_t EntryBytes(size_t i) const;
    bool Overfull() const { return encoded_bytes_ > kPagePayloadBytes; }

    // Returns a compacted copy with the given epoch.
    std::shared_ptr<Node> Clone(uint64_t epoch) const;

    // Writes the payload (entries after the page header) into page. Every long key or value must
    // already have its chain (see set_key_chain / set_val_chain). REQUIRES: !Overfull().
    void EncodeTo(std::string* page) const;
    // Decodes a leaf or interior page payload; long keys are fetched through read_chain.
    static Result<std::shared_ptr<Node>> Decode(const PageHeader& h, std::string_view payload,
                                                const ChainReader& read_chain);

    // The epoch the node was created in; the tree mutates a node in place only in that epoch.
    uint64_t epoch = 0;

private:
    uint32_t AppendBytes(std::string_view bytes);
    size_t SlotBytes(const Slot& s) const;
    void Orphan(const Slot& s);
    void MaybeCompact();

    uint8_t level_;
    std::string arena_;
    size_t garbage_bytes_ = 0;
    std::vector<Slot> slots_;
    std::vector<PageId> children_;  // Interior only: size() + 1 entries.
    size_t encoded_bytes_ = 0;
};

// Returns the shortest string s with a < s <= b. REQUIRES: a < b.
std::string ShortestSeparator(std::string_view a, std::string_view b);

}  // namespace orrery::storage::btree
