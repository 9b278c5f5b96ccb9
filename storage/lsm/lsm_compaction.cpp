// Memtable flushes and size-tiered merges. See lsm_engine.h for the policy and its reasons.
//
// Every change to the set of live files follows one order, so that a crash at any point leaves
// either the old or the new state on disk: (1) write and sync the new files; (2) replace the
// manifest atomically (which also syncs the directory, making the new files' names durable);
// (3) only then switch in memory and delete what the new manifest no longer names.
#include <fmt/format.h>

#include "storage/lsm/format.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/lsm/merging_iterator.h"

namespace orrery::storage {
namespace {

// A flush runs at most this many merges (each makes the newest tier one step larger).
constexpr int kMaxMergesPerFlush = 16;
// With more runs than this, the newest tier_width runs are merged whatever their sizes.
constexpr size_t kMaxRuns = 32;

}  // namespace

Status LsmEngine::SwitchMemtable() {
    uint64_t table_number = next_file_++;
    uint64_t wal_number = next_file_++;
    std::shared_ptr<lsm::TableReader> table;
    if (!mem_->empty()) {
        auto source = lsm::NewMemtableIterator(mem_, last_seq_, ScanOptions{});
        // With no older run, a tombstone shadows nothing and need not be written.
        ORRERY_ASSIGN_OR_RETURN(table, WriteTable(*source, table_number, runs_.empty()));
        ++stats_.flushes;
        if (table != nullptr) last_flush_bytes_ = table->file_bytes();
    }
    ORRERY_ASSIGN_OR_RETURN(auto file,
                            disk_.Open(lsm::FileName(lsm::FileKind::kWal, wal_number),
                                       OpenMode::kCreateTruncate));
    std::vector<std::shared_ptr<lsm::TableReader>> runs;
    if (table != nullptr) runs.push_back(table);
    runs.insert(runs.end(), runs_.begin(), runs_.end());
    ORRERY_RETURN_IF_ERROR(InstallManifest(runs, wal_number));

    uint64_t old_wal = wal_number_;
    if (wal_ != nullptr) {
        wal_->Abandon();
        retired_wal_bytes_ += wal_->bytes_written();
    }
    wal_ = std::make_unique<lsm::WalWriter>(std::move(file), opts_.wal_buffer_bytes);
    wal_number_ = wal_number;
    runs_ = std::move(runs);
    mem_ = std::make_shared<lsm::Memtable>();
    if (old_wal != 0) {
        // Best effort: a WAL that survives is an orphan, removed at the next open.
        disk_.Remove(lsm::FileName(lsm::FileKind::kWal, old_wal)).IgnoreError();
    }
    return Status::Ok();
}

size_t LsmEngine::PickMerge() const {
    size_t width = static_cast<size_t>(opts_.tier_width);
    if (runs_.size() < width) return 0;
    // Tier of a run: log_T(bytes / flush size), rounded at the geometric midpoints (a run
    // of T flushes' worth, less what overwrites saved, is one tier up).
    uint64_t base = last_flush_bytes_ > 0 ? last_flush_bytes_ : opts_.memtable_bytes;
    auto tier = [&](const std::shared_ptr<lsm::TableReader>& run) {
        int t = 0;
        for (uint64_t limit = base * width / 2; run->file_bytes() >= limit && t < 32; ++t) {
            limit *= width;
        }
        return t;
    };
    int newest = tier(runs_[0]);
    size_t same = 0;
    while (same < runs_.size() && tier(runs_[same]) <= newest) ++same;
    if (same >= width) return same;
    return runs_.size() > kMaxRuns ? width : 0;
}

Status LsmEngine::MaybeCompact() {
    for (int round = 0; round < kMaxMergesPerFlush; ++round) {
        size_t count = PickMerge();
        if (count < 2) return Status::Ok();
        ORRERY_RETURN_IF_ERROR(MergeRuns(count));
    }
    return Status::Ok();
}

Status LsmEngine::MergeRuns(size_t count) {
    ORRERY_ASSERT(count >= 1 && count <= runs_.size());
    // Only a merge that includes the oldest run may drop tombstones: nothing older remains for
    // them to hide.
    bool bottom = count == runs_.size();
    std::vector<std::unique_ptr<lsm::EntryIterator>> sources;
    for (size_t i = 0; i < count; ++i) {
        sources.push_back(lsm::NewTableIterator(runs_[i], ScanOptions{}, /*readahead=*/true));
    }
    auto merged = lsm::NewMergingIterator(std::move(sources), false);
    uint64_t number = next_file_++;
    ORRERY_ASSIGN_OR_RETURN(auto table, WriteTable(*merged, number, bottom));

    std::vector<std::shared_ptr<lsm::TableReader>> runs;
    if (table != nullptr) runs.push_back(table);
    runs.insert(runs.end(), runs_.begin() + static_cast<ptrdiff_t>(count), runs_.end());
    ORRERY_RETURN_IF_ERROR(InstallManifest(runs, wal_number_));
    obsolete_.insert(obsolete_.end(), runs_.begin(), runs_.begin() + static_cast<ptrdiff_t>(count));
    runs_ = std::move(runs);
    ++stats_.merges;
    RemoveObsoleteTables();
    return Status::Ok();
}

Result<std::shared_ptr<lsm::TableReader>> LsmEngine::WriteTable(lsm::EntryIterator& source,
                                                                uint64_t number,
                                                                bool drop_tombstones) {
    std::string name = lsm::FileName(lsm::FileKind::kTable, number);
    ORRERY_ASSIGN_OR_RETURN(auto file, disk_.Open(name, OpenMode::kCreateTruncate));
    lsm::TableBuilder builder(std::move(file), opts_.table);
    for (; source.Valid(); source.Next()) {
        if (drop_tombstones && source.is_delete()) continue;
        ORRERY_RETURN_IF_ERROR(builder.Add(source.key(), source.value(), source.is_delete()));
    }
    ORRERY_RETURN_IF_ERROR(source.status());
    if (builder.props().entries == 0) {
        // Everything cancelled out: no table. The empty file is an orphan if removal fails.
        disk_.Remove(name).IgnoreError();
        return std::shared_ptr<lsm::TableReader>();
    }
    ORRERY_RETURN_IF_ERROR(builder.Finish().status());
    disk_bytes_written_ += builder.bytes_written();
    return lsm::TableReader::Open(disk_, number, &cache_);
}

Status LsmEngine::InstallManifest(const std::vector<std::shared_ptr<lsm::TableReader>>& runs,
                                  uint64_t wal_number) {
    lsm::Manifest m;
    m.next_file = next_file_;
    m.wal_number = wal_number;
    for (const auto& run : runs) m.runs.push_back({run->number(), run->file_bytes()});
    std::string bytes = lsm::EncodeManifest(m);
    ORRERY_RETURN_IF_ERROR(disk_.WriteAtomically(lsm::kManifestFile, bytes));
    disk_bytes_written_ += bytes.size();
    return Status::Ok();
}

void LsmEngine::RemoveObsoleteTables() {
    std::vector<std::shared_ptr<lsm::TableReader>> still_read;
    for (auto& table : obsolete_) {
        if (table.use_count() > 1) {  // An iterator still streams it.
            still_read.push_back(std::move(table));
            continue;
        }
        std::string name = lsm::FileName(lsm::FileKind::kTable, table->number());
        table.reset();  // Closes the file before it is removed.
        disk_.Remove(name).IgnoreError();  // A survivor is an orphan, removed at the next open.
    }
    obsolete_ = std::move(still_read);
}

}  // namespace orrery::storage
