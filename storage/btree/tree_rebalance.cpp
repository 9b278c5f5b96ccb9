// Deletes and the bottom-up rebalancing shared by inserts and deletes: splits of overfull
// nodes, and merges or redistribution of underfull ones. See tree.h and docs/04-storage.md.
//
// Rules. A node is overfull when its encoding exceeds a page: it splits in two by bytes and
// its parent gains a separator. A node is underfull when its encoding is under a quarter of a
// page: it merges with a sibling (preferring the right one) if the two fit in one page, and
// otherwise borrows entries from that sibling until the two are about even. Redistribution
// changes the parent's separator, which may lengthen it and overfill the parent; the loop then
// splits the parent at the next level up, so one pass handles every case.
#include <fmt/format.h>

#include "storage/btree/tree.h"

namespace orrery::storage::btree {
namespace {

constexpr size_t kUnderfullBytes = kPagePayloadBytes / 4;

}  // namespace

Result<bool> Tree::Delete(std::string_view key) {
    if (root_ == kNoPage) return false;
    Path path;
    ORRERY_RETURN_IF_ERROR(Descend(key, &path));
    size_t i = path.back().node->LowerBound(key);
    if (i == path.back().node->size() || path.back().node->key(i) != key) return false;
    MakeWritable(&path);
    Slot old = path.back().node->EraseEntry(i);
    ORRERY_RETURN_IF_ERROR(RetireSlot(old, /*key_chain=*/true, /*val_chain=*/true));
    ORRERY_RETURN_IF_ERROR(Rebalance(&path, /*shrank=*/true, /*append=*/false));
    return true;
}

Status Tree::Rebalance(Path* path, bool shrank, bool append) {
    // Level by level from the leaf up, while the level below changed its parent.
    bool changed = true;
    for (size_t level = path->size(); level-- > 0 && changed;) {
        Node& node = *(*path)[level].node;
        changed = false;
        if (node.Overfull()) {
            Split(path, level, append);
            changed = true;
            shrank = false;  // The parent gained a separator.
        } else if (shrank && level > 0 && node.encoded_bytes() < kUnderfullBytes) {
            // Only a node that shrank is rebalanced, so a fresh right node of a sequential load
            // is left to fill up rather than pulling entries back from its full neighbour.
            ORRERY_ASSIGN_OR_RETURN(changed, MergeOrRedistribute(path, level));
            shrank = changed;  // The parent lost or replaced a separator.
        }
    }
    return CollapseRoot();
}

Result<bool> Tree::MergeOrRedistribute(Path* path, size_t level) {
    Node& parent = *(*path)[level - 1].node;
    size_t ci = (*path)[level - 1].child_index;
    if (parent.child_count() < 2) return false;
    // The pair is (left_index, left_index + 1) in the parent; prefer the right sibling.
    size_t left_index = ci + 1 < parent.child_count() ? ci : ci - 1;
    size_t sibling_index = left_index == ci ? ci + 1 : ci - 1;
    ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> sibling, WritableChild(parent, sibling_index));
    std::shared_ptr<Node> self = (*path)[level].node;
    Node& left = left_index == ci ? *self : *sibling;
    Node& right = left_index == ci ? *sibling : *self;
    bool leaf = left.is_leaf();
    // Merging interior nodes pulls the parent's separator down between them.
    size_t merged =
        leaf ? left.encoded_bytes() + right.encoded_bytes()
             : left.encoded_bytes() + right.encoded_bytes() - 4 + parent.EntryBytes(left_index);
    if (merged > kPagePayloadBytes) {
        return Redistribute(parent, left_index, left, right, /*to_left=*/&left == self.get());
    }
    PageId right_id = parent.child(left_index + 1);
    if (leaf) {
        left.AppendFrom(right, 0, right.size());
        Slot separator = parent.EraseSeparator(left_index);
        ORRERY_RETURN_IF_ERROR(RetireSlot(separator, /*key_chain=*/true, /*val_chain=*/false));
    } else {
        left.InsertSeparator(left.size(), parent.key(left_index), parent.slot(left_index).key_chain,
                             right.child(0));
        left.AppendFrom(right, 0, right.size());
        parent.EraseSeparator(left_index);  // Its chain (if any) moved into left.
    }
    ORRERY_ASSERT(!left.Overfull());
    pager_.Retire(right_id, epoch_);
    return true;
}

Result<bool> Tree::Redistribute(Node& parent, size_t left_index, Node& left, Node& right,
                                bool to_left) {
    Node& giver = to_left ? right : left;
    Node& taker = to_left ? left : right;
    size_t limit = giver.size();
    size_t moved = 0;
    for (; moved < limit && giver.size() > 1; ++moved) {
        size_t boundary = to_left ? 0 : giver.size() - 1;
        size_t incoming =
            giver.is_leaf() ? giver.EntryBytes(boundary) : parent.EntryBytes(left_index);
        if (taker.encoded_bytes() + incoming > giver.encoded_bytes() - giver.EntryBytes(boundary)) {
            break;
        }
        if (giver.is_leaf()) {
            if (to_left) {
                left.AppendFrom(right, 0, 1);
                right.DropFront(1);
            } else {
                right.InsertEntryFrom(0, left, left.size() - 1);
                left.TruncateTo(left.size() - 1);
            }
            continue;
        }
        // Interior: rotate through the parent's separator.
        std::string down(parent.key(left_index));
        PageId down_chain = parent.slot(left_index).key_chain;
        if (to_left) {
            left.InsertSeparator(left.size(), down, down_chain, right.child(0));
            parent.ReplaceSeparator(left_index, right.key(0), right.slot(0).key_chain);
            right.DropFront(1);
        } else {
            size_t last = left.size() - 1;
            right.PrependChild(left.child(last + 1), down, down_chain);
            parent.ReplaceSeparator(left_index, left.key(last), left.slot(last).key_chain);
            left.TruncateTo(last);
        }
    }
    if (moved > 0 && left.is_leaf()) {
        std::string separator = ShortestSeparator(left.key(left.size() - 1), right.key(0));
        Slot old = parent.ReplaceSeparator(left_index, separator, kNoPage);
        ORRERY_RETURN_IF_ERROR(RetireSlot(old, /*key_chain=*/true, /*val_chain=*/false));
    }
    return moved > 0;
}

Status Tree::CollapseRoot() {
    for (uint32_t guard = 0; guard < 64 && root_ != kNoPage; ++guard) {
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> root, pager_.Fetch(root_));
        const Node& node = *root;
        if (node.is_leaf() && node.empty()) {
            pager_.Retire(root_, epoch_);
            root_ = kNoPage;
            height_ = 0;
        } else if (!node.is_leaf() && node.child_count() == 1) {
            pager_.Retire(root_, epoch_);
            root_ = node.child(0);
            --height_;
        } else {
            break;
        }
    }
    return Status::Ok();
}

}  // namespace orrery::storage::btree
