// BTreeEngine: opening, recovery, the write path and checkpoints. See btree_engine.h.
#include "storage/btree/btree_engine.h"

#include <fmt/format.h>

#include "storage/btree/btree_iterator.h"

namespace orrery::storage {

using btree::kPageBytes;
using btree::Meta;

BTreeEngine::BTreeEngine(Disk& disk, BTreeOptions opts) : disk_(disk), opts_(opts) {
    // Dirty pages are pinned on top of the clean budget; keep them within the same order.
    size_t cache_pages = opts_.cache_bytes / kPageBytes;
    opts_.checkpoint_dirty_pages = std::max<size_t>(
        16, std::min(opts_.checkpoint_dirty_pages, std::max<size_t>(cache_pages, 16)));
}

BTreeEngine::~BTreeEngine() {
    if (wal_ && error_.ok()) wal_->Flush().IgnoreError();
}

Result<std::unique_ptr<BTreeEngine>> BTreeEngine::Open(Disk& disk, BTreeOptions opts) {
    std::unique_ptr<BTreeEngine> engine(new BTreeEngine(disk, opts));
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> files, disk.List());
    bool exists = disk.Exists(btree::kPagesFile);
    if (!exists) {
        for (const std::string& f : files) {
            if (!f.starts_with(btree::kFilePrefix)) {
                return Status::InvalidArgument(fmt::format(
                    "directory holds '{}' and no {}: it belongs to another engine, not the B+-tree",
                    f, btree::kPagesFile));
            }
        }
        ORRERY_RETURN_IF_ERROR(engine->Create());
    }
    ORRERY_RETURN_IF_ERROR(engine->Recover());
    return engine;
}

// Creates an empty tree: checkpoint 1 with no root, and log 1. The page file appears under its
// real name only once complete (rename, then directory sync), so a crash mid-way leaves no
// btree.pages and the next Open starts over.
Status BTreeEngine::Create() {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> files, disk_.List());
    for (const std::string& f : files) ORRERY_RETURN_IF_ERROR(disk_.Remove(f));  // Leftovers.
    {
        ORRERY_ASSIGN_OR_RETURN(auto wal,
                                disk_.Open(btree::WalFileName(1), OpenMode::kCreateTruncate));
        ORRERY_RETURN_IF_ERROR(wal->Sync());
    }
    {
        ORRERY_ASSIGN_OR_RETURN(auto file,
                                disk_.Open(btree::kPagesTmpFile, OpenMode::kCreateTruncate));
        Meta meta;
        meta.generation = 1;
        ORRERY_RETURN_IF_ERROR(file->Write(0, std::string(kPageBytes, '\0')));
        ORRERY_RETURN_IF_ERROR(file->Write(kPageBytes, btree::EncodeMeta(meta)));
        ORRERY_RETURN_IF_ERROR(file->Sync());
    }
    ORRERY_RETURN_IF_ERROR(disk_.Rename(btree::kPagesTmpFile, btree::kPagesFile));
    return disk_.SyncDir();
}

// Picks the newer intact meta slot. A slot that fails its checksum is a torn write of the
// newest checkpoint (or rot): the other slot is the checkpoint before it.
Result<Meta> BTreeEngine::ReadMeta(File& file) {
    std::optional<Meta> best;
    Status failure = Status::InvalidArgument(
        fmt::format("{} is not a B+-tree page file (no ORRBTREE marker)", btree::kPagesFile));
    for (uint64_t slot = 0; slot < 2; ++slot) {
        std::string page;
        ORRERY_RETURN_IF_ERROR(file.Read(slot * kPageBytes, kPageBytes, &page));
        Result<Meta> meta = btree::DecodeMeta(page);
        if (meta.ok()) {
            if (meta->generation % 2 != slot)
                return Status::Corruption("meta page in the wrong slot");
            if (!best || meta->generation > best->generation) best = *meta;
        } else if (meta.status().Is(Code::kNotSupported)) {
            return meta.status();
        } else if (meta.status().Is(Code::kCorruption)) {
            failure = meta.status();
        }
    }
    if (!best) return failure;
    return *best;
}

Status BTreeEngine::Recover() {
    ORRERY_ASSIGN_OR_RETURN(auto file, disk_.Open(btree::kPagesFile, OpenMode::kReadWrite));
    ORRERY_ASSIGN_OR_RETURN(Meta meta, ReadMeta(*file));
    pager_ = std::make_unique<btree::Pager>(std::move(file), opts_.cache_bytes / kPageBytes);
    ORRERY_RETURN_IF_ERROR(pager_->Load(meta));
    tree_ = std::make_unique<btree::Tree>(*pager_, meta.root, meta.height);
    generation_ = meta.generation;
    last_seq_ = checkpoint_seq_ = meta.last_seq;
    live_keys_ = meta.live_keys;
    Result<std::unique_ptr<File>> wal =
        disk_.Open(btree::WalFileName(generation_), OpenMode::kRead);
    if (!wal.ok()) {
        return Status::Corruption(fmt::format("log {} of checkpoint {} is missing: {}",
                                              btree::WalFileName(generation_), generation_,
                                              wal.status().ToString()));
    }
    bool any_bytes = false;
    ORRERY_RETURN_IF_ERROR(Replay(**wal, &any_bytes));
    wal->reset();
    ORRERY_RETURN_IF_ERROR(RemoveStaleFiles());
    if (any_bytes) return Checkpoint();  // Starts a fresh log after the (possibly torn) old one.
    ORRERY_ASSIGN_OR_RETURN(auto log,
                            disk_.Open(btree::WalFileName(generation_), OpenMode::kReadWrite));
    wal_ = std::make_unique<btree::WalWriter>(std::move(log), opts_.log_buffer_bytes);
    return Status::Ok();
}

Status BTreeEngine::Replay(File& wal, bool* any_bytes) {
    *any_bytes = wal.Size() > 0;
    btree::WalReader reader(wal);
    std::string payload;
    WriteBatch batch;
    for (;;) {
        uint64_t offset = reader.offset();
        ORRERY_ASSIGN_OR_RETURN(bool more, reader.Next(&payload));
        if (!more) return reader.CheckTail(reader.offset());
        uint64_t seq = 0;
        if (!btree::DecodeBatchRecord(payload, &seq, &batch).ok() || seq != last_seq_ + 1) {
            return reader.CheckTail(offset);
        }
        ORRERY_RETURN_IF_ERROR(Apply(batch));
        last_seq_ = seq;
    }
}

Status BTreeEngine::RemoveStaleFiles() {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> files, disk_.List());
    std::string current = btree::WalFileName(generation_);
    for (const std::string& f : files) {
        bool stale_wal = f.starts_with("btree.wal.") && f != current;
        if (stale_wal || f == btree::kPagesTmpFile) ORRERY_RETURN_IF_ERROR(disk_.Remove(f));
    }
    return Status::Ok();
}

Status BTreeEngine::Apply(const WriteBatch& batch) {
    for (const auto& op : batch.ops()) {
        if (op.is_delete) {
            ORRERY_ASSIGN_OR_RETURN(bool existed, tree_->Delete(op.key));
            live_keys_ -= existed ? 1 : 0;
        } else {
            ORRERY_ASSIGN_OR_RETURN(bool inserted, tree_->Put(op.key, op.value));
            live_keys_ += inserted ? 1 : 0;
        }
    }
    return Status::Ok();
}

Status BTreeEngine::Fail(Status s) {
    if (error_.ok()) error_ = s.WithContext("b+-tree stopped accepting writes after");
    return s;
}

Result<std::string> BTreeEngine::Get(std::string_view key) {
    ORRERY_RETURN_IF_ERROR(ValidateKey(key));
    return tree_->Get(key);
}

Status BTreeEngine::Write(const WriteBatch& batch, bool sync) {
    ORRERY_RETURN_IF_ERROR(error_);
    ORRERY_RETURN_IF_ERROR(ValidateBatch(batch));
    if (NeedCheckpoint()) ORRERY_RETURN_IF_ERROR(Checkpoint());
    if (!batch.empty()) {
        Status s = wal_->Append(btree::EncodeBatchRecord(last_seq_ + 1, batch));
        if (!s.ok()) return Fail(s);
        ++last_seq_;
        s = Apply(batch);
        if (!s.ok()) return Fail(s);
        user_bytes_written_ += batch.bytes();
    }
    return sync ? Sync() : Status::Ok();
}

Status BTreeEngine::Sync() {
    ORRERY_RETURN_IF_ERROR(error_);
    Status s = wal_->Sync();
    return s.ok() ? s : Fail(s);
}

Status BTreeEngine::Flush() {
    ORRERY_RETURN_IF_ERROR(error_);
    return Checkpoint();
}

bool BTreeEngine::NeedCheckpoint() const {
    return wal_->size() >= opts_.checkpoint_log_bytes ||
           pager_->dirty_pages() >= opts_.checkpoint_dirty_pages;
}

// Writes every changed node to pages the durable meta does not reference, the free list, a
// fresh empty log, and then the meta page naming all of them. Each step is synced before the
// next begins; the meta write is the commit point.
Status BTreeEngine::Checkpoint() {
    if (wal_ && wal_->size() == 0 && pager_->dirty_pages() == 0 && last_seq_ == checkpoint_seq_) {
        return Status::Ok();
    }
    uint64_t generation = generation_ + 1;
    Meta meta;
    meta.generation = generation;
    meta.root = tree_->root();
    meta.height = tree_->height();
    meta.last_seq = last_seq_;
    meta.live_keys = live_keys_;
    Status s = pager_->WriteDirty(generation);
    if (s.ok()) s = pager_->WriteFreeList(generation, &meta);
    if (s.ok()) s = pager_->Sync();
    Result<std::unique_ptr<File>> log =
        disk_.Open(btree::WalFileName(generation), OpenMode::kCreateTruncate);
    if (s.ok()) s = log.status();
    if (s.ok()) s = (*log)->Sync();
    if (s.ok()) s = disk_.SyncDir();
    if (s.ok()) s = pager_->WriteMeta(meta);
    if (!s.ok()) return Fail(s.WithContext("checkpoint"));
    if (wal_) log_bytes_written_ += wal_->bytes_written();
    wal_ = std::make_unique<btree::WalWriter>(std::move(*log), opts_.log_buffer_bytes);
    disk_.Remove(btree::WalFileName(generation_)).IgnoreError();  // Reopen removes it otherwise.
    generation_ = generation;
    checkpoint_seq_ = last_seq_;
    pager_->CheckpointDone(generation);
    tree_->FreezeAfterCheckpoint();
    return Status::Ok();
}

std::unique_ptr<Iterator> BTreeEngine::Scan(const ScanOptions& opts) {
    uint64_t epoch = tree_->FreezeForSnapshot();
    pager_->AcquireSnapshot(epoch);
    return btree::NewTreeIterator(*pager_, tree_->root(), tree_->height(), epoch, opts);
}

EngineStatus BTreeEngine::GetStatus() {
    EngineStatus s;
    s.engine = "btree";
    s.live_keys = live_keys_;
    s.disk_bytes = uint64_t{pager_->page_count()} * kPageBytes + (wal_ ? wal_->size() : 0);
    s.garbage_bytes =
        (pager_->ready_pages() + pager_->retired_pages() + pager_->freelist_chain_pages()) *
        kPageBytes;
    s.user_bytes_written = user_bytes_written_;
    s.disk_bytes_written =
        pager_->bytes_written() + log_bytes_written_ + (wal_ ? wal_->bytes_written() : 0);
    return s;
}

Result<BTreeStats> BTreeEngine::Check() {
    ORRERY_ASSIGN_OR_RETURN(btree::TreeShape shape, tree_->Check());
    ORRERY_RETURN_IF_ERROR(pager_->CheckAccounting(shape.pages));
    if (shape.keys != live_keys_) {
        return Status::Corruption(
            fmt::format("tree holds {} keys, count says {}", shape.keys, live_keys_));
    }
    BTreeStats st;
    st.height = shape.height;
    st.keys = shape.keys;
    st.leaf_pages = shape.leaf_pages;
    st.interior_pages = shape.interior_pages;
    st.overflow_pages = shape.overflow_pages;
    st.free_pages = pager_->ready_pages();
    st.retired_pages = pager_->retired_pages();
    st.freelist_pages = pager_->freelist_chain_pages();
    st.page_count = pager_->page_count();
    st.generation = generation_;
    return st;
}

Result<std::string> BTreeEngine::Dump() { return tree_->Dump(); }

}  // namespace orrery::storage
