// BTreeEngine: the B+-tree storage engine. Copy-on-write pages with a double-buffered meta page
// (shadow paging), plus a redo log of batches between checkpoints.
//
// Why both. Shadow paging alone makes every durable write cost a checkpoint: rewrite the path
// from leaf to root and switch the meta page, two fsyncs per batch. A redo log alone needs
// in-place page writes, and so a careful undo/redo story for torn pages. Together they are
// simple: a Write appends the batch to the log (one buffered append; Sync is one fsync that
// covers every batch since the last, i.e. group commit) and applies it to the in-memory tree;
// a checkpoint writes the changed nodes to pages no durable meta references, fsyncs, then
// writes the meta page naming the new root and a fresh log. A crash at any moment leaves the
// last durable meta's tree untouched, and replaying its log from the start yields a prefix of
// the batches (see wal.h). See docs/04-storage.md, "The B+-tree", for the layout and the rules.
//
// Files: btree.pages (meta pages 0 and 1, then tree, overflow and free-list pages) and
// btree.wal.N, the log that follows checkpoint N.
//
// Iterators pin a snapshot: the root as of their creation plus an epoch (see tree.h and
// pager.h); pages they can reach are neither changed in place nor reused while they live.
//
// Errors. A failure while writing (log append, sync, checkpoint, a page read in the middle of a
// batch) leaves the in-memory state unknown, so the engine refuses further writes with that
// error; reopening recovers from the disk. Reads keep working.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/disk.h"
#include "storage/btree/pager.h"
#include "storage/btree/tree.h"
#include "storage/btree/wal.h"
#include "storage/engine.h"

namespace orrery::storage {

struct BTreeOptions {
    // Budget for clean cached pages. Dirty pages are pinned on top of it until a checkpoint.
    size_t cache_bytes = size_t{256} << 20;
    // A checkpoint starts once the log holds this many bytes ...
    uint64_t checkpoint_log_bytes = uint64_t{64} << 20;
    // ... or this many pages are dirty (random writes dirty a page each, and every checkpoint
    // rewrites every dirty page, so this bounds both memory and write amplification).
    size_t checkpoint_dirty_pages = 65536;
    // Log records are buffered up to this size before being written.
    size_t log_buffer_bytes = 256 << 10;
};

// What a full walk of the tree finds, for tests and the golden `stats` command.
struct BTreeStats {
    uint32_t height = 0;
    uint64_t keys = 0;
    uint64_t leaf_pages = 0;
    uint64_t interior_pages = 0;
    uint64_t overflow_pages = 0;
    uint64_t free_pages = 0;      // Ready for reuse.
    uint64_t retired_pages = 0;   // Waiting for a checkpoint or an iterator to let go.
    uint64_t freelist_pages = 0;  // Holding the durable free list.
    uint64_t page_count = 0;      // Pages in the file, meta pages included.
    uint64_t generation = 0;      // The durable checkpoint.
};

class BTreeEngine final : public Engine {
public:
    // Opens the B+-tree in disk's directory, creating it if the directory is empty. Returns
    // kInvalidArgument if the directory holds another engine's files, kNotSupported for a newer
    // format version, kCorruption if no intact checkpoint exists.
    static Result<std::unique_ptr<BTreeEngine>> Open(Disk& disk, BTreeOptions opts = {});
    // Writes (without syncing) any buffered log records, as a clean shutdown should.
    ~BTreeEngine() override;

    Result<std::string> Get(std::string_view key) override;
    Status Write(const WriteBatch& batch, bool sync = false) override;
    std::unique_ptr<Iterator> Scan(const ScanOptions& opts) override;
    Status Sync() override;
    // Checkpoints: writes every changed page and switches the meta page.
    Status Flush() override;
    // The B+-tree has nothing to merge: Compact() is a checkpoint too.
    Status Compact() override { return Flush(); }
    EngineStatus GetStatus() override;

    // Walks the whole tree, checks its invariants and the page accounting, and counts.
    Result<BTreeStats> Check();
    // Renders the tree structure (for golden tests of small trees).
    Result<std::string> Dump();

private:
    BTreeEngine(Disk& disk, BTreeOptions opts);
    Status Create();
    Status Recover();
    Result<btree::Meta> ReadMeta(File& file);
    Status Replay(File& wal, bool* any_bytes);
    Status RemoveStaleFiles();
    Status Apply(const WriteBatch& batch);
    Status Checkpoint();
    bool NeedCheckpoint() const;
    Status Fail(Status s);

    Disk& disk_;
    BTreeOptions opts_;
    std::unique_ptr<btree::Pager> pager_;
    std::unique_ptr<btree::Tree> tree_;
    std::unique_ptr<btree::WalWriter> wal_;
    uint64_t generation_ = 0;  // The durable checkpoint (and the number of the current log).
    uint64_t last_seq_ = 0;    // Sequence number of the last applied batch.
    uint64_t checkpoint_seq_ = 0;
    uint64_t live_keys_ = 0;
    uint64_t user_bytes_written_ = 0;
    uint64_t log_bytes_written_ = 0;  // By logs already closed.
    Status error_;                    // Sticky write-path failure.
};

}  // namespace orrery::storage
