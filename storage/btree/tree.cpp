// Lookup, insert and splits, copy-on-write paths. See tree.h; deletes are in tree_rebalance.cpp.
#include "storage/btree/tree.h"

#include <fmt/format.h>

namespace orrery::storage::btree {

Status Tree::Descend(std::string_view key, Path* path) {
    path->clear();
    PageId id = root_;
    for (uint32_t depth = 0; depth < height_; ++depth) {
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, pager_.Fetch(id));
        if (node->level() != height_ - 1 - depth) {
            return Status::Corruption(fmt::format("page {} has level {}, expected {}", id,
                                                  node->level(), height_ - 1 - depth));
        }
        size_t ci = node->is_leaf() ? 0 : node->ChildIndex(key);
        PageId next = node->is_leaf() ? kNoPage : node->child(ci);
        path->push_back({id, std::move(node), ci});
        id = next;
    }
    return Status::Ok();
}

Result<std::string> Tree::Get(std::string_view key) {
    PageId id = root_;
    for (uint32_t depth = 0; depth < height_; ++depth) {
        ORRERY_ASSIGN_OR_RETURN(const Node* node, pager_.FetchForRead(id));
        if (node->level() != height_ - 1 - depth) {
            return Status::Corruption(fmt::format("page {} is at the wrong level", id));
        }
        if (!node->is_leaf()) {
            id = node->child(node->ChildIndex(key));
            continue;
        }
        size_t i = node->LowerBound(key);
        if (i == node->size() || node->key(i) != key) break;
        if (node->value_loaded(i)) return std::string(node->value(i));
        return pager_.ReadChain(node->slot(i).val_chain, node->slot(i).val_len);
    }
    return Status::NotFound("key not found");
}

PageId Tree::AddNode(std::shared_ptr<Node> node) {
    node->epoch = epoch_;
    PageId id = pager_.Allocate();
    pager_.Install(id, std::move(node));
    return id;
}

void Tree::MakeWritable(Path* path) {
    changed_in_epoch_ = true;
    for (size_t level = 0; level < path->size(); ++level) {
        Step& step = (*path)[level];
        if (step.node->epoch == epoch_) continue;
        std::shared_ptr<Node> copy = step.node->Clone(epoch_);
        PageId id = AddNode(copy);
        pager_.Retire(step.id, epoch_);
        if (level == 0) {
            root_ = id;
        } else {
            (*path)[level - 1].node->set_child((*path)[level - 1].child_index, id);
        }
        step.id = id;
        step.node = std::move(copy);
    }
}

Result<std::shared_ptr<Node>> Tree::WritableChild(Node& parent, size_t index) {
    ORRERY_ASSERT(parent.epoch == epoch_, "parent must be writable");
    ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> child, pager_.Fetch(parent.child(index)));
    if (child->level() + 1 != parent.level()) {
        return Status::Corruption(
            fmt::format("page {} is at the wrong level", parent.child(index)));
    }
    if (child->epoch == epoch_) return child;
    std::shared_ptr<Node> copy = child->Clone(epoch_);
    pager_.Retire(parent.child(index), epoch_);
    parent.set_child(index, AddNode(copy));
    return copy;
}

Status Tree::RetireSlot(const Slot& slot, bool key_chain, bool val_chain) {
    if (key_chain && slot.key_chain != kNoPage) {
        ORRERY_RETURN_IF_ERROR(pager_.RetireChain(slot.key_chain, epoch_));
    }
    if (val_chain && slot.val_chain != kNoPage) {
        ORRERY_RETURN_IF_ERROR(pager_.RetireChain(slot.val_chain, epoch_));
    }
    return Status::Ok();
}

Result<bool> Tree::Put(std::string_view key, std::string_view value) {
    if (root_ == kNoPage) {
        auto leaf = std::make_shared<Node>(0);
        leaf->InsertEntry(0, key, value);
        root_ = AddNode(std::move(leaf));
        height_ = 1;
        changed_in_epoch_ = true;
        return true;
    }
    Path path;
    ORRERY_RETURN_IF_ERROR(Descend(key, &path));
    MakeWritable(&path);
    Node& leaf = *path.back().node;
    size_t i = leaf.LowerBound(key);
    size_t bytes_before = leaf.encoded_bytes();
    bool inserted = i == leaf.size() || leaf.key(i) != key;
    bool append = false;  // A new largest key: sequential loads split unevenly (see Split).
    if (inserted) {
        append = i == leaf.size();
        for (const Step& step : path) {
            append = append &&
                     (step.node->is_leaf() || step.child_index + 1 == step.node->child_count());
        }
        leaf.InsertEntry(i, key, value);
    } else {
        Slot old = leaf.SetValue(i, value);
        ORRERY_RETURN_IF_ERROR(RetireSlot(old, /*key_chain=*/false, /*val_chain=*/true));
    }
    ORRERY_RETURN_IF_ERROR(Rebalance(&path, leaf.encoded_bytes() < bytes_before, append));
    return inserted;
}

namespace {

// Picks where to split an overfull node so both halves fit: the first index at which the bytes
// before it reach half the total. For an interior node the separator at that index moves up.
size_t SplitPoint(const Node& node) {
    size_t total = node.encoded_bytes();
    size_t acc = node.is_leaf() ? 0 : 4;
    size_t m = 0;
    while (m < node.size() && acc + node.EntryBytes(m) <= total / 2) acc += node.EntryBytes(m++);
    size_t lo = 1;
    size_t hi = node.is_leaf() ? node.size() - 1 : node.size() - 2;
    return std::clamp(m, lo, hi);
}

}  // namespace

void Tree::Split(Path* path, size_t level, bool append) {
    Node& node = *(*path)[level].node;
    ORRERY_ASSERT(node.epoch == epoch_ && node.size() >= 4, "split of {} entries", node.size());
    // Appending a new largest key (a sequential load): leave the left node full and start the
    // right one nearly empty, so sequential loads fill pages instead of leaving them half full.
    size_t m = append ? node.size() - (node.is_leaf() ? 1 : 2) : SplitPoint(node);
    auto right = std::make_shared<Node>(node.level());
    std::string separator;
    PageId separator_chain = kNoPage;
    if (node.is_leaf()) {
        right->AppendFrom(node, m, node.size());
        separator = ShortestSeparator(node.key(m - 1), node.key(m));
        node.TruncateTo(m);
    } else {
        // Separator m moves up; the right node starts with the child to its right.
        separator = std::string(node.key(m));
        separator_chain = node.slot(m).key_chain;
        right->SetOnlyChild(node.child(m + 1));
        right->AppendFrom(node, m + 1, node.size());
        node.TruncateTo(m);
    }
    ORRERY_ASSERT(!node.Overfull() && !right->Overfull(), "split halves must fit");
    PageId right_id = AddNode(right);
    if (level == 0) {
        auto root = std::make_shared<Node>(node.level() + 1);
        root->SetOnlyChild((*path)[0].id);
        root->InsertSeparator(0, separator, separator_chain, right_id);
        root_ = AddNode(std::move(root));
        ++height_;
        return;
    }
    Step& parent = (*path)[level - 1];
    parent.node->InsertSeparator(parent.child_index, separator, separator_chain, right_id);
}

uint64_t Tree::FreezeForSnapshot() {
    if (changed_in_epoch_) {
        ++epoch_;
        changed_in_epoch_ = false;
    }
    return epoch_ - 1;
}

void Tree::FreezeAfterCheckpoint() {
    ++epoch_;
    changed_in_epoch_ = false;
}

}  // namespace orrery::storage::btree
