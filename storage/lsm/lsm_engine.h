// LsmEngine: a log-structured merge tree behind the Engine interface.
//
// Writes go to the write-ahead log (wal.h) and the memtable (memtable.h). When the memtable
// outgrows memtable_bytes it is written out as an SSTable (table.h), the newest *run*; a fresh WAL
// replaces the old one in the same manifest update. Runs are merged size-tiered: once the newest
// runs hold tier_width runs of the same size tier, they are merged into one. A read looks at the
// memtable and then at each run from the newest to the oldest, and stops at the first version
// found, which is why merges only ever combine *adjacent* runs (the newest ones).
//
// Why size-tiered and not leveled: this engine is single-threaded (determinism forbids background
// threads outside sim/, net/ and storage/posix), so every byte a compaction rewrites is paid for
// inside a Write call. Tiering rewrites each byte about log_T(data / memtable) times, leveling
// about T times per level. Reads pay for the extra runs, but a Bloom filter per run makes a Get
// touch one data block in the common case. docs/04-storage.md has the numbers.
//
// Invariants:
//  - runs_ is ordered newest first, and every key's newest version lives in the newest source
//    (memtable first) that holds it;
//  - the manifest on disk names exactly runs_ and the live WAL, and is replaced atomically;
//  - a file is deleted only once no manifest and no open iterator refers to it;
//  - after any error from the disk on the write path the engine refuses further writes (the
//    error is sticky): reopening recovers from what is durable.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/disk.h"
#include "storage/engine.h"
#include "storage/lsm/block_cache.h"
#include "storage/lsm/manifest.h"
#include "storage/lsm/memtable.h"
#include "storage/lsm/table.h"
#include "storage/lsm/wal.h"

namespace orrery::storage {

struct LsmOptions {
    // The memtable is flushed to a table once its arena reaches this size.
    size_t memtable_bytes = 8 << 20;
    lsm::TableOptions table;
    // Verified data blocks kept in memory (0: no cache).
    size_t block_cache_bytes = 32 << 20;
    // Runs per size tier before the tier is merged (T above). At least 2.
    int tier_width = 4;
    // Unsynced WAL bytes buffered in memory before they are written out.
    size_t wal_buffer_bytes = 64 << 10;
};

// Counters for tests, benchmarks and the docs' traces.
struct LsmStats {
    uint64_t flushes = 0;      // Memtables written as tables.
    uint64_t merges = 0;       // Runs merged into one (automatic or Compact()).
    uint64_t runs = 0;         // Live runs now.
    uint64_t wal_replayed_batches = 0;  // Batches recovered from the WAL at open.
    bool wal_torn_tail = false;         // Recovery dropped a torn, unsynced WAL tail.
};

class LsmEngine final : public Engine {
public:
    // Opens (creating if empty) the LSM in `disk`, recovering from the manifest and the WAL.
    // kInvalidArgument if the directory holds another engine's files, kNotSupported for a newer
    // format version, kCorruption if synced data is damaged. `disk` must outlive the engine.
    static Result<std::unique_ptr<LsmEngine>> Open(Disk& disk, LsmOptions opts = {});
    ~LsmEngine() override;

    Result<std::string> Get(std::string_view key) override;
    Status Write(const WriteBatch& batch, bool sync = false) override;
    std::unique_ptr<Iterator> Scan(const ScanOptions& opts) override;
    Status Sync() override;
    // Writes the memtable out as a table (if not empty) and runs any due tier merges.
    Status Flush() override;
    // Flushes, then merges every run into one, dropping shadowed versions and tombstones.
    Status Compact() override;
    // live_keys and garbage_bytes are estimates (exact after Compact()): see docs/04-storage.md.
    EngineStatus GetStatus() override;

    LsmStats stats() const;
    // Table numbers of the live runs, newest first (tests use them to damage a table).
    std::vector<uint64_t> RunNumbers() const;

private:
    LsmEngine(Disk& disk, LsmOptions opts);

    // Recovery (lsm_open.cpp).
    Status Recover();
    Status CheckIdentityOrCreate(const std::vector<std::string>& files);
    void RemoveOrphans(const lsm::Manifest& m, const std::vector<std::string>& files);
    Status ReplayLog(uint64_t number);

    // Flushes and merges (lsm_compaction.cpp).
    Status SwitchMemtable();
    Status MaybeCompact();
    size_t PickMerge() const;
    Status MergeRuns(size_t count);
    Result<std::shared_ptr<lsm::TableReader>> WriteTable(lsm::EntryIterator& source,
                                                        uint64_t number, bool drop_tombstones);
    Status InstallManifest(const std::vector<std::shared_ptr<lsm::TableReader>>& runs,
                           uint64_t wal_number);
    void RemoveObsoleteTables();
    Status Fail(const Status& s);

    Disk& disk_;
    LsmOptions opts_;
    lsm::BlockCache cache_;
    std::shared_ptr<lsm::Memtable> mem_;
    std::unique_ptr<lsm::WalWriter> wal_;
    uint64_t wal_number_ = 0;
    std::vector<std::shared_ptr<lsm::TableReader>> runs_;      // Newest first.
    std::vector<std::shared_ptr<lsm::TableReader>> obsolete_;  // Merged away; maybe still read.
    uint64_t next_file_ = 1;
    uint64_t last_seq_ = 0;
    Status failed_;  // Sticky write-path error.

    uint64_t user_bytes_written_ = 0;
    uint64_t disk_bytes_written_ = 0;  // Tables and manifests; WAL bytes are added on read.
    uint64_t retired_wal_bytes_ = 0;   // Bytes written to WALs already retired.
    uint64_t last_flush_bytes_ = 0;    // Size of the last flushed table: tier 0's size.
    LsmStats stats_;
};

}  // namespace orrery::storage
