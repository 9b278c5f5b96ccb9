// The snapshot iterator: a root-to-leaf path that walks leaves in either direction.
// See btree_iterator.h.
#include "storage/btree/btree_iterator.h"

#include <fmt/format.h>

#include <vector>

namespace orrery::storage::btree {
namespace {

// Leaves stepped over without finding an entry before giving up (empty leaves never exist in a
// healthy tree; this only bounds the work a corrupt one can cause).
constexpr size_t kMaxEmptyLeaves = 1 << 20;

class TreeIterator final : public Iterator {
public:
    TreeIterator(Pager& pager, PageId root, uint32_t height, uint64_t epoch, ScanOptions opts)
        : pager_(pager), root_(root), height_(height), epoch_(epoch), opts_(std::move(opts)) {
        status_ = Seek();
        Settle();
    }
    ~TreeIterator() override { pager_.ReleaseSnapshot(epoch_); }

    bool Valid() const override { return valid_; }
    void Next() override {
        ORRERY_ASSERT(valid_);
        Frame& leaf = stack_.back();
        if (!opts_.reverse && ++leaf.index == leaf.node->size()) {
            status_ = StepLeaf();
        } else if (opts_.reverse) {
            if (leaf.index == 0) {
                status_ = StepLeaf();
            } else {
                --leaf.index;
            }
        }
        Settle();
    }
    std::string_view key() const override {
        ORRERY_ASSERT(valid_);
        return stack_.back().node->key(stack_.back().index);
    }
    std::string_view value() const override {
        ORRERY_ASSERT(valid_);
        const Frame& leaf = stack_.back();
        if (leaf.node->value_loaded(leaf.index)) return leaf.node->value(leaf.index);
        return value_buffer_;
    }
    Status status() const override { return status_; }

private:
    struct Frame {
        std::shared_ptr<Node> node;
        size_t index;  // Interior: the child on the path. Leaf: the current entry.
    };

    Result<std::shared_ptr<Node>> FetchLevel(PageId id, uint32_t level) {
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, pager_.Fetch(id));
        if (node->level() != level) {
            return Status::Corruption(fmt::format("page {} is at the wrong level", id));
        }
        return node;
    }

    // Descends from the root to the leaf where the scan starts.
    Status Seek() {
        if (root_ == kNoPage) return Status::Ok();
        const Bound& bound = opts_.reverse ? opts_.upper : opts_.lower;
        PageId id = root_;
        for (uint32_t level = height_; level-- > 0;) {
            ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, FetchLevel(id, level));
            size_t n = node->is_leaf() ? node->size() : node->child_count() - 1;
            size_t index = opts_.reverse ? n : 0;
            if (bound.kind != Bound::Kind::kUnbounded) {
                bool upper_bound = (bound.kind == Bound::Kind::kInclusive) == opts_.reverse;
                index = node->is_leaf() && !upper_bound ? node->LowerBound(bound.key)
                                                        : node->UpperBound(bound.key);
            }
            if (!node->is_leaf()) id = node->child(index);
            stack_.push_back({std::move(node), index});
        }
        // The leaf index is the first entry at or after the start (forward), or one past the
        // last entry at or before it (reverse).
        Frame& leaf = stack_.back();
        if (!opts_.reverse) {
            return leaf.index == leaf.node->size() ? StepLeaf() : Status::Ok();
        }
        if (leaf.index == 0) return StepLeaf();
        --leaf.index;
        return Status::Ok();
    }

    // Moves to the first (forward) or last (reverse) entry of the next non-empty leaf in scan
    // order, or empties the stack at the end.
    Status StepLeaf() {
        for (size_t skipped = 0; skipped < kMaxEmptyLeaves; ++skipped) {
            stack_.pop_back();
            while (!stack_.empty()) {
                Frame& f = stack_.back();
                bool more = opts_.reverse ? f.index > 0 : f.index + 1 < f.node->child_count();
                if (more) break;
                stack_.pop_back();
            }
            if (stack_.empty()) return Status::Ok();
            Frame& f = stack_.back();
            if (opts_.reverse) {
                --f.index;
            } else {
                ++f.index;
            }
            PageId id = f.node->child(f.index);
            for (uint32_t level = f.node->level(); level-- > 0;) {
                ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, FetchLevel(id, level));
                size_t n = node->is_leaf() ? node->size() : node->child_count();
                size_t index = opts_.reverse && n > 0 ? n - 1 : 0;
                if (!node->is_leaf()) id = node->child(index);
                stack_.push_back({std::move(node), index});
            }
            if (!stack_.back().node->empty()) return Status::Ok();
        }
        return Status::Corruption("too many empty leaves");
    }

    // Ends the scan past the far bound or on an error; loads an overflowed value.
    void Settle() {
        valid_ = false;
        if (!status_.ok() || stack_.empty()) return;
        const Frame& leaf = stack_.back();
        if (!InRange(leaf.node->key(leaf.index), opts_)) return;
        if (!leaf.node->value_loaded(leaf.index)) {
            const Slot& s = leaf.node->slot(leaf.index);
            Result<std::string> v = pager_.ReadChain(s.val_chain, s.val_len);
            if (!v.ok()) {
                status_ = v.status();
                return;
            }
            value_buffer_ = std::move(*v);
        }
        valid_ = true;
    }

    Pager& pager_;
    PageId root_;
    uint32_t height_;
    uint64_t epoch_;
    ScanOptions opts_;
    std::vector<Frame> stack_;
    std::string value_buffer_;
    bool valid_ = false;
    Status status_;
};

}  // namespace

std::unique_ptr<Iterator> NewTreeIterator(Pager& pager, PageId root, uint32_t height,
                                          uint64_t epoch, ScanOptions opts) {
    return std::make_unique<TreeIterator>(pager, root, height, epoch, std::move(opts));
}

}  // namespace orrery::storage::btree
