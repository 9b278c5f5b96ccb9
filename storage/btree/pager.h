// Pager: the page file, the cache of decoded nodes, page allocation and the free list.
//
// Pages are never overwritten while anything may still need their old contents: the durable
// checkpoint (the meta page names its tree) or a live iterator's snapshot. A page the tree stops
// using is *retired*: it waits in a FIFO until (a) a checkpoint that no longer references it is
// durable, and (b) no iterator whose snapshot is older than the retirement is alive. Only then
// does it join the ready free set, from which Allocate() takes the lowest id. This is what makes
// copy-on-write shadow paging safe against both crashes and concurrent scans.
//
// The cache maps page ids to decoded nodes. Dirty nodes (created since the last checkpoint and
// still in the tree) and retired nodes that were never written are pinned in memory; clean nodes
// are evicted by a CLOCK hand when the cache exceeds its page budget.
//
// Invariants: every page id in [kFirstDataPage, page_count) is in exactly one of: the tree
// (including overflow chains), the ready set, the retired FIFO, or the current free-list chain.
// page_state_ records which, and every transition asserts the state it leaves.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/disk.h"
#include "core/status.h"
#include "storage/btree/format.h"
#include "storage/btree/node.h"

namespace orrery::storage::btree {

class Pager {
public:
    // Takes the open page file. cache_pages bounds the clean pages kept in memory.
    Pager(std::unique_ptr<File> file, size_t cache_pages);

    // Adopts a checkpoint's meta: page count and the free list it names.
    Status Load(const Meta& meta);

    // Returns the node stored at id (leaf or interior), from the cache or the file.
    Result<std::shared_ptr<Node>> Fetch(PageId id);
    // Like Fetch, for a read-only descent: the pointer stays valid only until the next Fetch
    // (which may evict the node). Saves the reference counting on the hot lookup path.
    Result<const Node*> FetchForRead(PageId id);
    // Takes a free page id (lowest ready id, else grows the file).
    PageId Allocate();
    // Puts a new node, created in the current epoch, at a freshly allocated id. It is dirty.
    void Install(PageId id, std::shared_ptr<Node> node);
    // The tree no longer uses page id, as of epoch.
    void Retire(PageId id, uint64_t epoch);

    // Reads len bytes stored in the overflow chain that starts at first.
    Result<std::string> ReadChain(PageId first, uint32_t len);
    // Retires every page of the chain that starts at first.
    Status RetireChain(PageId first, uint64_t epoch);

    // Checkpoint steps, in order: write every dirty node (and the chains of its long keys and
    // values), write the free list into m's fields, sync, write the meta page (and sync).
    Status WriteDirty(uint64_t generation);
    Status WriteFreeList(uint64_t generation, Meta* m);
    Status Sync();
    Status WriteMeta(const Meta& m);
    // The checkpoint `generation` is durable: retired pages it no longer names may be reused.
    void CheckpointDone(uint64_t generation);

    // Iterator snapshots pin the pages retired after their epoch.
    void AcquireSnapshot(uint64_t epoch);
    void ReleaseSnapshot(uint64_t epoch);

    // Accounting.
    PageId page_count() const { return page_count_; }
    size_t dirty_pages() const { return dirty_.size(); }
    size_t ready_pages() const { return ready_.size(); }
    size_t retired_pages() const { return retired_.size(); }
    size_t freelist_chain_pages() const { return freelist_chain_.size(); }
    uint64_t bytes_written() const { return bytes_written_; }
    uint64_t generation() const { return durable_generation_; }
    // The overflow pages of the chain starting at first (reads only its head page).
    Result<std::vector<PageId>> ChainPages(PageId first);
    // Checks that every page id is accounted for exactly once, given the pages the tree uses.
    Status CheckAccounting(const std::vector<PageId>& tree_pages) const;

private:
    enum class PageState : uint8_t { kUsed, kReady, kRetired };
    struct Frame {
        std::shared_ptr<Node> node;
        bool dirty = false;       // Not yet written: must stay in memory.
        bool referenced = false;  // CLOCK bit.
    };
    struct RetiredPage {
        PageId id;
        uint64_t epoch;                // When the tree let go of it.
        uint64_t reusable_generation;  // The checkpoint after which no meta names it.
    };

    // Reads and verifies page id (checksum, id, generation); fills *h.
    Result<std::string> ReadPage(PageId id, PageHeader* h);
    Status WritePage(PageId id, const std::string& page);
    Result<PageId> WriteChain(std::string_view data, uint64_t generation);
    Status WriteNode(PageId id, Node& node, uint64_t generation);
    void CacheInsert(PageId id, std::shared_ptr<Node> node, bool dirty);
    void EvictIfNeeded();
    void Reclaim();
    void Grow(PageId count);

    std::unique_ptr<File> file_;
    size_t cache_pages_;
    PageId page_count_ = kFirstDataPage;
    std::vector<Frame> frames_;
    std::vector<PageState> page_state_;
    size_t cached_ = 0;  // Frames holding a node.
    size_t pinned_ = 0;  // Frames holding an unwritten (dirty) node.
    size_t clock_hand_ = 0;
    std::set<PageId> dirty_;
    std::set<PageId> ready_;
    std::deque<RetiredPage> retired_;
    std::vector<PageId> freelist_chain_;      // Pages holding the durable free list.
    std::map<uint64_t, uint32_t> snapshots_;  // epoch -> live iterators.
    uint64_t durable_generation_ = 0;
    uint64_t bytes_written_ = 0;
};

}  // namespace orrery::storage::btree
