// Opening an LSM directory: identity check, manifest, tables, WAL replay, orphan removal.
//
// Recovery never writes into old files. The replayed memtable is flushed to a new table and a new
// WAL is started, all in one manifest update, so a WAL with a dropped torn tail is never appended
// to (its garbage would otherwise sit in the middle of a live log).
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "storage/lsm/format.h"
#include "storage/lsm/lsm_engine.h"

namespace orrery::storage {

Status LsmEngine::CheckIdentityOrCreate(const std::vector<std::string>& files) {
    std::string engine_tmp = std::string(lsm::kEngineFile) + ".tmp";
    if (std::find(files.begin(), files.end(), lsm::kEngineFile) != files.end()) {
        ORRERY_ASSIGN_OR_RETURN(std::string marker, disk_.ReadAll(lsm::kEngineFile));
        return lsm::CheckIdentity(marker);
    }
    // No marker: the directory must be empty but for a marker half-written by a crash.
    for (const std::string& f : files) {
        if (f != engine_tmp) {
            return Status::InvalidArgument(fmt::format(
                "directory holds {} file(s) (such as '{}') but no {} marker: it is not an Orrery "
                "LSM directory",
                files.size(), f, lsm::kEngineFile));
        }
    }
    std::string marker = lsm::EncodeIdentity();
    ORRERY_RETURN_IF_ERROR(disk_.WriteAtomically(lsm::kEngineFile, marker));
    disk_bytes_written_ += marker.size();
    return Status::Ok();
}

void LsmEngine::RemoveOrphans(const lsm::Manifest& m, const std::vector<std::string>& files) {
    std::set<uint64_t> live_tables;
    for (const auto& r : m.runs) live_tables.insert(r.number);
    for (const std::string& f : files) {
        bool orphan = false;
        if (auto parsed = lsm::ParseFileName(f)) {
            orphan = parsed->kind == lsm::FileKind::kTable ? live_tables.count(parsed->number) == 0
                                                           : parsed->number != m.wal_number;
        } else {
            orphan = f.size() > 4 && f.ends_with(".tmp");
        }
        // Unknown names are left alone: the engine deletes only what it could have written.
        if (orphan) disk_.Remove(f).IgnoreError();
    }
}

Status LsmEngine::ReplayLog(uint64_t number) {
    Result<std::string> contents = disk_.ReadAll(lsm::FileName(lsm::FileKind::kWal, number));
    if (!contents.ok()) {
        if (contents.status().Is(Code::kNotFound)) {
            return Status::Corruption(fmt::format("live WAL {} is missing", number));
        }
        return contents.status();
    }
    auto apply = [this](const WriteBatch& batch) {
        for (const auto& op : batch.ops()) mem_->Add(++last_seq_, op.is_delete, op.key, op.value);
    };
    ORRERY_ASSIGN_OR_RETURN(lsm::WalReplay replay, lsm::ReplayWal(contents.value(), apply));
    stats_.wal_replayed_batches = replay.batches;
    stats_.wal_torn_tail = replay.torn_tail;
    return Status::Ok();
}

Status LsmEngine::Recover() {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> files, disk_.List());
    ORRERY_RETURN_IF_ERROR(CheckIdentityOrCreate(files));
    lsm::Manifest manifest;
    if (std::find(files.begin(), files.end(), lsm::kManifestFile) != files.end()) {
        ORRERY_ASSIGN_OR_RETURN(std::string bytes, disk_.ReadAll(lsm::kManifestFile));
        ORRERY_ASSIGN_OR_RETURN(manifest, lsm::DecodeManifest(bytes));
    }
    next_file_ = manifest.next_file;
    for (const lsm::RunMeta& r : manifest.runs) {
        Result<std::shared_ptr<lsm::TableReader>> table = lsm::TableReader::Open(disk_, r.number, &cache_);
        if (!table.ok()) {
            if (table.status().Is(Code::kNotFound)) {
                return Status::Corruption(fmt::format("live table {} is missing", r.number));
            }
            return table.status();
        }
        if (table.value()->file_bytes() != r.file_bytes) {
            return Status::Corruption(fmt::format("table {} has {} bytes, the manifest says {}",
                                                  r.number, table.value()->file_bytes(), r.file_bytes));
        }
        runs_.push_back(std::move(table).value());
    }
    RemoveOrphans(manifest, files);
    wal_number_ = manifest.wal_number;
    if (wal_number_ != 0) ORRERY_RETURN_IF_ERROR(ReplayLog(wal_number_));
    // Always start a fresh WAL (flushing whatever was replayed): see the file comment.
    return SwitchMemtable();
}

}  // namespace orrery::storage
