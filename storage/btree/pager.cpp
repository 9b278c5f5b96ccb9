// The page file, node cache, allocation and free list. See pager.h.
#include "storage/btree/pager.h"

#include <fmt/format.h>

#include <limits>

#include "core/coding.h"

namespace orrery::storage::btree {
namespace {

// Overflow chains: a head page (level 1) holds [u32 n][n continuation ids][data...]; each
// continuation page (level 0) holds data. Every extra page therefore adds kChainUnit bytes.
constexpr size_t kChainUnit = kPagePayloadBytes - 4;
constexpr uint8_t kChainHead = 1;

size_t ChainExtraPages(size_t len) { return (len + kChainUnit - 1) / kChainUnit - 1; }

}  // namespace

Pager::Pager(std::unique_ptr<File> file, size_t cache_pages)
    : file_(std::move(file)), cache_pages_(std::max<size_t>(cache_pages, 16)) {
    Grow(kFirstDataPage);
}

void Pager::Grow(PageId count) {
    ORRERY_ASSERT(count <= kMaxPages, "page file full ({} pages)", count);
    page_count_ = std::max(page_count_, count);
    frames_.resize(page_count_);
    page_state_.resize(page_count_, PageState::kUsed);
}

Result<std::string> Pager::ReadPage(PageId id, PageHeader* h) {
    if (id < kFirstDataPage || id >= page_count_) {
        return Status::Corruption(fmt::format("page id {} out of range [2, {})", id, page_count_));
    }
    std::string page;
    ORRERY_RETURN_IF_ERROR(file_->Read(uint64_t{id} * kPageBytes, kPageBytes, &page));
    ORRERY_ASSIGN_OR_RETURN(*h, VerifyPage(page, id));
    if (h->generation > durable_generation_) {
        return Status::Corruption(
            fmt::format("page {} was written by checkpoint {}, after the "
                        "current one ({})",
                        id, h->generation, durable_generation_));
    }
    return page;
}

Status Pager::WritePage(PageId id, const std::string& page) {
    ORRERY_ASSERT(page.size() == kPageBytes && id < page_count_);
    bytes_written_ += kPageBytes;
    return file_->Write(uint64_t{id} * kPageBytes, page);
}

Status Pager::Load(const Meta& meta) {
    durable_generation_ = meta.generation;
    Grow(meta.page_count);
    PageId id = meta.freelist_head;
    for (uint32_t k = 0; k < meta.freelist_pages; ++k) {
        PageHeader h;
        ORRERY_ASSIGN_OR_RETURN(std::string page, ReadPage(id, &h));
        if (h.type != PageType::kFreeList || h.count > kFreeListIdsPerPage) {
            return Status::Corruption(fmt::format("page {} is not a free-list page", id));
        }
        freelist_chain_.push_back(id);
        for (uint32_t i = 0; i < h.count; ++i) {
            PageId free_id = DecodeFixed32(page.data() + kPageHeaderBytes + 4 * i);
            if (free_id < kFirstDataPage || free_id >= page_count_ ||
                page_state_[free_id] != PageState::kUsed) {
                return Status::Corruption(fmt::format("free list names page {} wrongly", free_id));
            }
            page_state_[free_id] = PageState::kReady;
            ready_.insert(free_id);
        }
        id = h.next;
    }
    for (PageId chain_page : freelist_chain_) {
        if (page_state_[chain_page] != PageState::kUsed) {
            return Status::Corruption("a free-list page lists itself as free");
        }
    }
    if (id != kNoPage || ready_.size() != meta.free_count) {
        return Status::Corruption("free list length disagrees with the meta page");
    }
    return Status::Ok();
}

Result<std::shared_ptr<Node>> Pager::Fetch(PageId id) {
    if (id < page_count_ && frames_[id].node) {
        frames_[id].referenced = true;
        return frames_[id].node;
    }
    if (id < page_count_ && page_state_[id] == PageState::kReady) {
        return Status::Corruption(fmt::format("tree points at free page {}", id));
    }
    PageHeader h;
    ORRERY_ASSIGN_OR_RETURN(std::string page, ReadPage(id, &h));
    if (h.type != PageType::kLeaf && h.type != PageType::kInterior) {
        return Status::Corruption(fmt::format("page {} is not a tree page", id));
    }
    auto read_chain = [this](PageId first, uint32_t len) { return ReadChain(first, len); };
    std::string_view payload(page.data() + kPageHeaderBytes, h.payload_bytes);
    ORRERY_ASSIGN_OR_RETURN(auto node, Node::Decode(h, payload, read_chain));
    node->epoch = 0;  // Nodes read from disk are never mutated in place.
    CacheInsert(id, node, /*dirty=*/false);
    return node;
}

Result<const Node*> Pager::FetchForRead(PageId id) {
    if (id < page_count_ && frames_[id].node) {
        frames_[id].referenced = true;
        return frames_[id].node.get();
    }
    ORRERY_ASSIGN_OR_RETURN(std::shared_ptr<Node> node, Fetch(id));
    return node.get();  // The cache holds it until the next insertion.
}

PageId Pager::Allocate() {
    PageId id;
    if (!ready_.empty()) {
        id = *ready_.begin();
        ready_.erase(ready_.begin());
        ORRERY_ASSERT(page_state_[id] == PageState::kReady && !frames_[id].node);
        page_state_[id] = PageState::kUsed;
    } else {
        id = page_count_;
        Grow(page_count_ + 1);
    }
    return id;
}

void Pager::Install(PageId id, std::shared_ptr<Node> node) {
    ORRERY_ASSERT(page_state_[id] == PageState::kUsed && !frames_[id].node, "page {}", id);
    dirty_.insert(id);
    CacheInsert(id, std::move(node), /*dirty=*/true);
}

void Pager::Retire(PageId id, uint64_t epoch) {
    ORRERY_ASSERT(id >= kFirstDataPage && id < page_count_ && page_state_[id] == PageState::kUsed,
                  "retiring page {} that is not in use", id);
    page_state_[id] = PageState::kRetired;
    dirty_.erase(id);  // A retired node is never written; if dirty it stays pinned until reuse.
    retired_.push_back({id, epoch, durable_generation_ + 1});
}

void Pager::CacheInsert(PageId id, std::shared_ptr<Node> node, bool dirty) {
    Frame& f = frames_[id];
    ORRERY_ASSERT(!f.node);
    f.node = std::move(node);
    f.dirty = dirty;
    f.referenced = true;
    ++cached_;
    if (dirty) ++pinned_;
    EvictIfNeeded();
}

void Pager::EvictIfNeeded() {
    // Only clean frames count against the budget, so the hand always finds one within two turns.
    size_t limit = 2 * frames_.size() + 2;
    for (size_t step = 0; cached_ - pinned_ > cache_pages_ && step < limit; ++step) {
        if (clock_hand_ >= frames_.size()) clock_hand_ = 0;
        Frame& f = frames_[clock_hand_++];
        if (!f.node || f.dirty) continue;
        if (f.referenced) {
            f.referenced = false;
            continue;
        }
        f.node.reset();
        --cached_;
    }
}

void Pager::Reclaim() {
    uint64_t min_epoch =
        snapshots_.empty() ? std::numeric_limits<uint64_t>::max() : snapshots_.begin()->first;
    while (!retired_.empty()) {
        const RetiredPage& r = retired_.front();
        if (r.reusable_generation > durable_generation_ || r.epoch > min_epoch) break;
        Frame& f = frames_[r.id];
        if (f.node) {
            if (f.dirty) --pinned_;
            f = Frame{};
            --cached_;
        }
        ORRERY_ASSERT(page_state_[r.id] == PageState::kRetired);
        page_state_[r.id] = PageState::kReady;
        ready_.insert(r.id);
        retired_.pop_front();
    }
}

void Pager::CheckpointDone(uint64_t generation) {
    ORRERY_ASSERT(generation == durable_generation_ + 1);
    durable_generation_ = generation;
    Reclaim();
}

void Pager::AcquireSnapshot(uint64_t epoch) { ++snapshots_[epoch]; }

void Pager::ReleaseSnapshot(uint64_t epoch) {
    auto it = snapshots_.find(epoch);
    ORRERY_ASSERT(it != snapshots_.end() && it->second > 0);
    if (--it->second == 0) snapshots_.erase(it);
    Reclaim();
}

Result<std::vector<PageId>> Pager::ChainPages(PageId first) {
    PageHeader h;
    ORRERY_ASSIGN_OR_RETURN(std::string page, ReadPage(first, &h));
    Decoder d(std::string_view(page).substr(kPageHeaderBytes, h.payload_bytes));
    uint32_t n = 0;
    if (h.type != PageType::kOverflow || h.level != kChainHead || !d.GetFixed32(&n) ||
        n > kMaxValueChainPages) {
        return Status::Corruption(fmt::format("page {} is not an overflow chain head", first));
    }
    std::vector<PageId> pages{first};
    for (uint32_t i = 0; i < n; ++i) {
        PageId id = kNoPage;
        if (!d.GetFixed32(&id)) return Status::Corruption("overflow head truncated");
        pages.push_back(id);
    }
    return pages;
}

Result<std::string> Pager::ReadChain(PageId first, uint32_t len) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<PageId> pages, ChainPages(first));
    if (pages.size() != ChainExtraPages(len) + 1) {
        return Status::Corruption(fmt::format("overflow chain {} has the wrong length", first));
    }
    std::string out;
    out.reserve(len);
    for (size_t i = 0; i < pages.size(); ++i) {
        PageHeader h;
        ORRERY_ASSIGN_OR_RETURN(std::string page, ReadPage(pages[i], &h));
        size_t skip = i == 0 ? 4 + 4 * (pages.size() - 1) : 0;
        if (h.type != PageType::kOverflow || h.level != (i == 0 ? kChainHead : 0) ||
            h.payload_bytes < skip) {
            return Status::Corruption(
                fmt::format("page {} is not part of chain {}", pages[i], first));
        }
        out.append(page, kPageHeaderBytes + skip, h.payload_bytes - skip);
    }
    if (out.size() != len) {
        return Status::Corruption(
            fmt::format("overflow chain {} holds {} bytes, not {}", first, out.size(), len));
    }
    return out;
}

Status Pager::RetireChain(PageId first, uint64_t epoch) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<PageId> pages, ChainPages(first));
    for (PageId id : pages) {
        if (id < kFirstDataPage || id >= page_count_ || page_state_[id] != PageState::kUsed) {
            return Status::Corruption(
                fmt::format("overflow chain {} names page {} wrongly", first, id));
        }
    }
    for (PageId id : pages) Retire(id, epoch);
    return Status::Ok();
}

Result<PageId> Pager::WriteChain(std::string_view data, uint64_t generation) {
    size_t extra = ChainExtraPages(data.size());
    std::vector<PageId> pages;
    for (size_t i = 0; i <= extra; ++i) pages.push_back(Allocate());
    for (size_t i = 0; i < pages.size(); ++i) {
        std::string page(kPageBytes, '\0');
        std::string payload;
        if (i == 0) {
            PutFixed32(&payload, static_cast<uint32_t>(extra));
            for (size_t j = 1; j < pages.size(); ++j) PutFixed32(&payload, pages[j]);
        }
        size_t take = std::min(data.size(), kPagePayloadBytes - payload.size());
        payload.append(data.substr(0, take));
        data.remove_prefix(take);
        page.replace(kPageHeaderBytes, payload.size(), payload);
        PageHeader h{
            PageType::kOverflow, i == 0 ? kChainHead : uint8_t{0},     0, pages[i], kNoPage,
            generation,          static_cast<uint16_t>(payload.size())};
        SealPage(&page, h);
        ORRERY_RETURN_IF_ERROR(WritePage(pages[i], page));
    }
    ORRERY_ASSERT(data.empty());
    return pages[0];
}

Status Pager::WriteNode(PageId id, Node& node, uint64_t generation) {
    for (size_t i = 0; i < node.size(); ++i) {
        const Slot& s = node.slot(i);
        if (s.key_len > kInlineKeyMax && s.key_chain == kNoPage) {
            ORRERY_ASSIGN_OR_RETURN(PageId chain, WriteChain(node.key(i), generation));
            node.set_key_chain(i, chain);
        }
        if (node.is_leaf() && s.val_len > kInlineValueMax && s.val_chain == kNoPage) {
            ORRERY_ASSIGN_OR_RETURN(PageId chain, WriteChain(node.value(i), generation));
            node.set_val_chain(i, chain);
        }
    }
    std::string page(kPageBytes, '\0');
    node.EncodeTo(&page);
    PageHeader h{node.is_leaf() ? PageType::kLeaf : PageType::kInterior,
                 node.level(),
                 static_cast<uint16_t>(node.size()),
                 id,
                 kNoPage,
                 generation,
                 static_cast<uint16_t>(node.encoded_bytes())};
    SealPage(&page, h);
    return WritePage(id, page);
}

Status Pager::WriteDirty(uint64_t generation) {
    for (PageId id : dirty_) {
        // No reference into frames_ across WriteNode: writing chains may grow the vector.
        std::shared_ptr<Node> node = frames_[id].node;
        ORRERY_ASSERT(node && frames_[id].dirty);
        ORRERY_RETURN_IF_ERROR(WriteNode(id, *node, generation));
        frames_[id].dirty = false;
        --pinned_;
    }
    dirty_.clear();
    return Status::Ok();
}

Status Pager::WriteFreeList(uint64_t generation, Meta* m) {
    // The previous list's pages are free as of this checkpoint (once it is durable).
    for (PageId id : freelist_chain_) {
        page_state_[id] = PageState::kUsed;
        Retire(id, 0);
    }
    freelist_chain_.clear();
    size_t listed = ready_.size() + retired_.size();
    size_t chain_pages = (listed + kFreeListIdsPerPage - 1) / kFreeListIdsPerPage;
    for (size_t i = 0; i < chain_pages; ++i) freelist_chain_.push_back(Allocate());
    std::vector<PageId> ids(ready_.begin(), ready_.end());
    for (const RetiredPage& r : retired_) ids.push_back(r.id);
    for (size_t k = 0; k < chain_pages; ++k) {
        size_t begin = k * kFreeListIdsPerPage;
        size_t end = std::min(ids.size(), begin + kFreeListIdsPerPage);
        begin = std::min(begin, end);
        std::string page(kPageBytes, '\0');
        for (size_t i = begin; i < end; ++i) {
            EncodeFixed32(page.data() + kPageHeaderBytes + 4 * (i - begin), ids[i]);
        }
        PageId next = k + 1 < chain_pages ? freelist_chain_[k + 1] : kNoPage;
        PageHeader h{PageType::kFreeList,
                     0,
                     static_cast<uint16_t>(end - begin),
                     freelist_chain_[k],
                     next,
                     generation,
                     static_cast<uint16_t>(4 * (end - begin))};
        SealPage(&page, h);
        ORRERY_RETURN_IF_ERROR(WritePage(freelist_chain_[k], page));
    }
    m->freelist_head = freelist_chain_.empty() ? kNoPage : freelist_chain_[0];
    m->freelist_pages = static_cast<uint32_t>(freelist_chain_.size());
    m->free_count = ids.size();
    m->page_count = page_count_;
    return Status::Ok();
}

Status Pager::Sync() { return file_->Sync(); }

Status Pager::WriteMeta(const Meta& m) {
    std::string page = EncodeMeta(m);
    bytes_written_ += kPageBytes;
    ORRERY_RETURN_IF_ERROR(file_->Write((m.generation % 2) * kPageBytes, page));
    return file_->Sync();
}

Status Pager::CheckAccounting(const std::vector<PageId>& tree_pages) const {
    std::vector<uint8_t> seen(page_count_, 0);
    auto mark = [&](PageId id, PageState want, std::string_view what) -> Status {
        if (id < kFirstDataPage || id >= page_count_ || seen[id] || page_state_[id] != want) {
            return Status::Corruption(
                fmt::format("page {} ({}) accounted twice or wrongly", id, what));
        }
        seen[id] = 1;
        return Status::Ok();
    };
    for (PageId id : tree_pages) ORRERY_RETURN_IF_ERROR(mark(id, PageState::kUsed, "tree"));
    for (PageId id : freelist_chain_)
        ORRERY_RETURN_IF_ERROR(mark(id, PageState::kUsed, "free list"));
    for (PageId id : ready_) ORRERY_RETURN_IF_ERROR(mark(id, PageState::kReady, "ready"));
    for (const RetiredPage& r : retired_)
        ORRERY_RETURN_IF_ERROR(mark(r.id, PageState::kRetired, "retired"));
    for (PageId id = kFirstDataPage; id < page_count_; ++id) {
        if (!seen[id]) return Status::Corruption(fmt::format("page {} is leaked", id));
    }
    return Status::Ok();
}

}  // namespace orrery::storage::btree
