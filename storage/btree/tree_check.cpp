// Whole-tree walks: the invariant checker and the golden-test dump. See tree.h.
// Both walk with an explicit stack (no recursion); the depth is bounded by the tree's height.
#include <fmt/format.h>

#include <optional>

#include "storage/btree/tree.h"

namespace orrery::storage::btree {
namespace {

struct Visit {
    PageId id;
    uint32_t level;
    std::optional<std::string> lo;  // Every key is >= lo ...
    std::optional<std::string> hi;  // ... and < hi.
    int depth;
};

}  // namespace

Result<TreeShape> Tree::Check() {
    TreeShape shape;
    shape.height = height_;
    if (root_ == kNoPage) {
        if (height_ != 0) return Status::Corruption("empty tree with a height");
        return shape;
    }
    std::vector<Visit> stack{{root_, height_ - 1, std::nullopt, std::nullopt, 0}};
    auto bad = [](PageId id, std::string_view what) {
        return Status::Corruption(fmt::format("page {}: {}", id, what));
    };
    while (!stack.empty()) {
        Visit v = std::move(stack.back());
        stack.pop_back();
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, pager_.Fetch(v.id));
        if (node->level() != v.level) return bad(v.id, "wrong level");
        if (node->Overfull()) return bad(v.id, "overfull");
        if (v.id == root_ && node->is_leaf() && node->empty()) return bad(v.id, "empty root leaf");
        if (node->is_leaf() && node->empty()) return bad(v.id, "empty leaf");
        if (!node->is_leaf() && node->child_count() != node->size() + 1)
            return bad(v.id, "children");
        if (v.id == root_ && !node->is_leaf() && node->child_count() < 2)
            return bad(v.id, "thin root");
        shape.pages.push_back(v.id);
        for (size_t i = 0; i < node->size(); ++i) {
            std::string_view k = node->key(i);
            if (i > 0 && !(node->key(i - 1) < k)) return bad(v.id, "keys out of order");
            if ((v.lo && k < *v.lo) || (v.hi && k >= *v.hi)) return bad(v.id, "key outside bounds");
            for (PageId chain :
                 {node->slot(i).key_chain, node->is_leaf() ? node->slot(i).val_chain : kNoPage}) {
                if (chain == kNoPage) continue;
                ORRERY_ASSIGN_OR_RETURN(std::vector<PageId> pages, pager_.ChainPages(chain));
                shape.overflow_pages += pages.size();
                shape.pages.insert(shape.pages.end(), pages.begin(), pages.end());
            }
        }
        if (node->is_leaf()) {
            ++shape.leaf_pages;
            shape.keys += node->size();
            continue;
        }
        ++shape.interior_pages;
        for (size_t c = node->child_count(); c-- > 0;) {
            std::optional<std::string> lo = c == 0 ? v.lo : std::string(node->key(c - 1));
            std::optional<std::string> hi = c == node->size() ? v.hi : std::string(node->key(c));
            stack.push_back(
                {node->child(c), v.level - 1, std::move(lo), std::move(hi), v.depth + 1});
        }
    }
    return shape;
}

Result<std::string> Tree::Dump() {
    if (root_ == kNoPage) return std::string("(empty tree)");
    std::string out;
    std::vector<Visit> stack{{root_, height_ - 1, std::nullopt, std::nullopt, 0}};
    while (!stack.empty()) {
        Visit v = std::move(stack.back());
        stack.pop_back();
        ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, pager_.Fetch(v.id));
        std::string indent(2 * static_cast<size_t>(v.depth), ' ');
        if (node->is_leaf()) {
            out += fmt::format("{}leaf {}: {} keys {}..{}\n", indent, v.id, node->size(),
                               node->empty() ? "" : node->key(0),
                               node->empty() ? "" : node->key(node->size() - 1));
            continue;
        }
        std::string seps;
        for (size_t i = 0; i < node->size(); ++i) seps += fmt::format(" [{}]", node->key(i));
        out += fmt::format("{}interior {} level={}:{}\n", indent, v.id, node->level(), seps);
        for (size_t c = node->child_count(); c-- > 0;) {
            stack.push_back({node->child(c), v.level - 1, std::nullopt, std::nullopt, v.depth + 1});
        }
    }
    if (!out.empty()) out.pop_back();
    return out;
}

}  // namespace orrery::storage::btree
