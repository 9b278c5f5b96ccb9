// Tree: the B+-tree algorithms (lookup, insert with splits, delete with merges and
// redistribution) over the Pager, with copy-on-write.
//
// Copy-on-write by epochs. Every node remembers the epoch it was created in. The tree mutates a
// node in place only if it was created in the current epoch; otherwise it first copies the node
// to a fresh page and points the (already copied) parent at the copy, retiring the old page.
// Two events end an epoch: a checkpoint (the written nodes now belong to the durable tree) and
// the creation of an iterator (its snapshot must stay frozen). So the durable tree and every
// snapshot are immutable, while a run of writes between those events touches each node once.
//
// Structure invariants (checked by Check()): all leaves are at level 0 and the root at level
// height - 1; keys in a node strictly increase and lie within the bounds the parent's separators
// give; no node's encoding exceeds a page; the root is never an interior node with one child nor
// an empty leaf (an empty tree has root kNoPage and height 0).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "storage/btree/node.h"
#include "storage/btree/pager.h"

namespace orrery::storage::btree {

// Counts from a full walk of the tree.
struct TreeShape {
    uint32_t height = 0;
    uint64_t keys = 0;
    uint64_t leaf_pages = 0;
    uint64_t interior_pages = 0;
    uint64_t overflow_pages = 0;
    std::vector<PageId> pages;  // Every page the tree uses, chains included.
};

class Tree {
public:
    Tree(Pager& pager, PageId root, uint32_t height)
        : pager_(pager), root_(root), height_(height) {}

    PageId root() const { return root_; }
    uint32_t height() const { return height_; }

    // Returns the value of key, or kNotFound.
    Result<std::string> Get(std::string_view key);
    // Sets key to value. Returns true iff the key is new.
    Result<bool> Put(std::string_view key, std::string_view value);
    // Removes key. Returns true iff it was present.
    Result<bool> Delete(std::string_view key);

    // Ends the current epoch if anything changed in it, and returns the epoch a new snapshot
    // reads (every node it can reach is frozen from now on).
    uint64_t FreezeForSnapshot();
    // Ends the current epoch after a checkpoint wrote every dirty node.
    void FreezeAfterCheckpoint();

    // Walks the whole tree, checks the structure invariants, and counts pages and keys.
    Result<TreeShape> Check();
    // Renders the tree, one node per line, for golden tests (small trees only).
    Result<std::string> Dump();

private:
    struct Step {
        PageId id;
        std::shared_ptr<Node> node;
        size_t child_index;  // Interior: the child the path continues into.
    };
    using Path = std::vector<Step>;

    Status Descend(std::string_view key, Path* path);
    void MakeWritable(Path* path);
    Result<std::shared_ptr<Node>> WritableChild(Node& parent, size_t index);
    PageId AddNode(std::shared_ptr<Node> node);
    // Fixes the path bottom-up after the leaf changed. `shrank`: the leaf got smaller (only then
    // can it be underfull); `append`: a new largest key was added (see Split).
    Status Rebalance(Path* path, bool shrank, bool append);
    void Split(Path* path, size_t level, bool append);
    Result<bool> MergeOrRedistribute(Path* path, size_t level);
    Result<bool> Redistribute(Node& parent, size_t left_index, Node& left, Node& right,
                              bool to_left);
    Status CollapseRoot();
    Status RetireSlot(const Slot& slot, bool key_chain, bool val_chain);

    Pager& pager_;
    PageId root_;
    uint32_t height_;
    uint64_t epoch_ = 1;  // Nodes read from disk have epoch 0, so they are always copied.
    bool changed_in_epoch_ = false;
};

}  // namespace orrery::storage::btree
