// The LSM engine's read and write paths. Recovery is in lsm_open.cpp, flushes and merges in
// lsm_compaction.cpp. See lsm_engine.h.
#include "storage/lsm/lsm_engine.h"

#include <fmt/format.h>

#include "storage/lsm/format.h"
#include "storage/lsm/merging_iterator.h"

namespace orrery::storage {

using lsm::Block;

LsmEngine::LsmEngine(Disk& disk, LsmOptions opts)
    : disk_(disk),
      opts_(opts),
      cache_(opts.block_cache_bytes),
      mem_(std::make_shared<lsm::Memtable>()) {
    ORRERY_ASSERT(opts_.tier_width >= 2, "tier_width must be at least 2");
    ORRERY_ASSERT(opts_.memtable_bytes > 0 && opts_.table.block_bytes > 0);
}

LsmEngine::~LsmEngine() = default;

Result<std::unique_ptr<LsmEngine>> LsmEngine::Open(Disk& disk, LsmOptions opts) {
    if (opts.tier_width < 2 || opts.memtable_bytes == 0 || opts.table.block_bytes == 0 ||
        opts.table.restart_interval < 1 || opts.table.bloom_bits_per_key < 1) {
        return Status::InvalidArgument("LsmOptions out of range");
    }
    std::unique_ptr<LsmEngine> engine(new LsmEngine(disk, opts));
    ORRERY_RETURN_IF_ERROR(engine->Recover());
    return engine;
}

Status LsmEngine::Fail(const Status& s) {
    if (failed_.ok()) failed_ = s.WithContext("lsm engine stopped writing after a disk error");
    return failed_;
}

Result<std::string> LsmEngine::Get(std::string_view key) {
    ORRERY_RETURN_IF_ERROR(ValidateKey(key));
    if (const lsm::Memtable::Node* node = mem_->FindNewest(key)) {
        if (node->is_delete) return Status::NotFound("key not found");
        return std::string(node->value());
    }
    std::string value;
    uint64_t hash = lsm::BloomHash(key);
    for (const auto& run : runs_) {
        ORRERY_ASSIGN_OR_RETURN(Block::Found found, run->Get(key, hash, &value));
        if (found == Block::Found::kValue) return value;
        if (found == Block::Found::kDeleted) break;
    }
    return Status::NotFound("key not found");
}

Status LsmEngine::Write(const WriteBatch& batch, bool sync) {
    ORRERY_RETURN_IF_ERROR(ValidateBatch(batch));
    if (batch.bytes() > lsm::kMaxBatchBytes) {
        return Status::InvalidArgument(fmt::format("batch of {} bytes exceeds the {}-byte limit",
                                                   batch.bytes(), lsm::kMaxBatchBytes));
    }
    if (!failed_.ok()) return failed_;
    if (!batch.empty()) {
        Status s = wal_->AddBatch(batch);
        if (!s.ok()) return Fail(s);
        for (const auto& op : batch.ops()) mem_->Add(++last_seq_, op.is_delete, op.key, op.value);
        user_bytes_written_ += batch.bytes();
    }
    if (sync) {
        Status s = wal_->Sync();
        if (!s.ok()) return Fail(s);
    }
    if (mem_->ApproximateBytes() >= opts_.memtable_bytes) return Flush();
    return Status::Ok();
}

std::unique_ptr<Iterator> LsmEngine::Scan(const ScanOptions& opts) {
    std::vector<std::unique_ptr<lsm::EntryIterator>> sources;
    sources.reserve(runs_.size() + 1);
    sources.push_back(lsm::NewMemtableIterator(mem_, last_seq_, opts));
    for (const auto& run : runs_) sources.push_back(lsm::NewTableIterator(run, opts, false));
    return lsm::NewEngineIterator(lsm::NewMergingIterator(std::move(sources), opts.reverse), opts);
}

Status LsmEngine::Sync() {
    if (!failed_.ok()) return failed_;
    Status s = wal_->Sync();
    return s.ok() ? s : Fail(s);
}

Status LsmEngine::Flush() {
    if (!failed_.ok()) return failed_;
    Status s = mem_->empty() ? Status::Ok() : SwitchMemtable();
    if (s.ok()) s = MaybeCompact();
    RemoveObsoleteTables();
    return s.ok() ? s : Fail(s);
}

Status LsmEngine::Compact() {
    if (!failed_.ok()) return failed_;
    Status s = mem_->empty() ? Status::Ok() : SwitchMemtable();
    bool needed = runs_.size() > 1 || (runs_.size() == 1 && runs_[0]->props().tombstones > 0);
    if (s.ok() && needed) s = MergeRuns(runs_.size());
    RemoveObsoleteTables();
    return s.ok() ? s : Fail(s);
}

EngineStatus LsmEngine::GetStatus() {
    EngineStatus s;
    s.engine = "lsm";
    // Estimate: every set adds a key and every tombstone removes one. Exact when no key is
    // written twice between merges; exact after Compact() (one run, no tombstones).
    uint64_t sets = mem_->entries() - mem_->deletes(), deletes = mem_->deletes();
    uint64_t table_entries = 0, table_sets = 0, table_deletes = 0, table_bytes = 0;
    for (const auto& run : runs_) {
        table_entries += run->props().entries;
        table_deletes += run->props().tombstones;
        table_sets += run->props().entries - run->props().tombstones;
        table_bytes += run->file_bytes();
    }
    sets += table_sets;
    deletes += table_deletes;
    s.live_keys = sets > deletes ? sets - deletes : 0;
    uint64_t obsolete_bytes = 0;
    for (const auto& t : obsolete_) obsolete_bytes += t->file_bytes();
    uint64_t live_table = table_sets > table_deletes ? table_sets - table_deletes : 0;
    s.garbage_bytes = obsolete_bytes;
    if (table_entries > 0) {
        s.garbage_bytes += static_cast<uint64_t>(
            static_cast<double>(table_bytes) * static_cast<double>(table_entries - live_table) /
            static_cast<double>(table_entries));
    }
    s.disk_bytes = table_bytes + obsolete_bytes + wal_->size();
    s.user_bytes_written = user_bytes_written_;
    s.disk_bytes_written = disk_bytes_written_ + retired_wal_bytes_ + wal_->bytes_written();
    return s;
}

LsmStats LsmEngine::stats() const {
    LsmStats s = stats_;
    s.runs = runs_.size();
    return s;
}

std::vector<uint64_t> LsmEngine::RunNumbers() const {
    std::vector<uint64_t> out;
    for (const auto& run : runs_) out.push_back(run->number());
    return out;
}

}  // namespace orrery::storage
