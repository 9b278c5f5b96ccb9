// Mvcc: opening, beginning transactions, snapshot reads, and applying commits. See mvcc.h.
// The conflict rules live in conflicts.cpp and garbage collection in gc.cpp.
#include "mvcc/mvcc.h"

#include <fmt/format.h>

#include "mvcc/conflicts.h"
#include "mvcc/transaction.h"
#include "mvcc/txn_record.h"

namespace orrery::mvcc {
namespace {

Result<Version> LoadVersion(storage::Engine& engine, const std::string& key) {
    Result<std::string> stored = engine.Get(key);
    if (!stored.ok()) {
        if (stored.status().Is(Code::kNotFound)) return Version{0};
        return stored.status();
    }
    if (stored->size() != 8) return Status::Corruption("malformed MVCC meta value");
    return GetBigEndian64(*stored);
}

std::string VersionValue(Version v) {
    std::string out;
    PutBigEndian64(&out, v);
    return out;
}

Status BelowHorizon(Version snapshot, Version horizon) {
    return Status::Aborted(fmt::format(
        "snapshot v{} is below the GC horizon v{}: retry the transaction", snapshot, horizon));
}

}  // namespace

TxnOptions TxnOptions::ReadWrite(Isolation isolation) {
    return TxnOptions{TxnMode::kReadWrite, isolation, std::nullopt};
}
TxnOptions TxnOptions::ReadOnly(Isolation isolation) {
    return TxnOptions{TxnMode::kReadOnly, isolation, std::nullopt};
}
TxnOptions TxnOptions::AsOf(Version version) {
    return TxnOptions{TxnMode::kReadOnly, Isolation::kSnapshot, version};
}

Result<std::unique_ptr<Mvcc>> Mvcc::Open(storage::Engine& engine) {
    std::unique_ptr<Mvcc> mvcc(new Mvcc(engine));
    ORRERY_RETURN_IF_ERROR(mvcc->LoadMeta());
    return mvcc;
}

Mvcc::~Mvcc() {
    ORRERY_ASSERT(active_snapshots_.empty(), "an Mvcc destroyed before its transactions");
}

Status Mvcc::LoadMeta() {
    ORRERY_ASSIGN_OR_RETURN(last_version_, LoadVersion(engine_, LastVersionKey()));
    ORRERY_ASSIGN_OR_RETURN(gc_horizon_, LoadVersion(engine_, GcHorizonKey()));
    if (gc_horizon_ > last_version_) return Status::Corruption("GC horizon above last version");
    return Status::Ok();
}

Result<Transaction> Mvcc::Begin(const TxnOptions& options) {
    Version snapshot = last_version_;
    if (options.as_of) {
        if (options.mode != TxnMode::kReadOnly || options.isolation != Isolation::kSnapshot) {
            return Status::InvalidArgument(
                "time travel (as of a version) is read-only snapshot isolation only");
        }
        if (*options.as_of > last_version_) {
            return Status::InvalidArgument(fmt::format(
                "version v{} is in the future (last committed: v{})", *options.as_of,
                last_version_));
        }
        if (*options.as_of < gc_horizon_) return BelowHorizon(*options.as_of, gc_horizon_);
        snapshot = *options.as_of;
    }
    return Transaction(this, next_txn_id_++, snapshot, options);
}

Result<std::optional<std::string>> Mvcc::ReadAt(std::string_view key, Version snapshot) {
    if (snapshot < gc_horizon_) return BelowHorizon(snapshot, gc_horizon_);
    ORRERY_ASSERT(snapshot <= last_version_, "read at future snapshot v{}", snapshot);
    // One seek: the first entry at or after (key, snapshot) is the newest version <= snapshot,
    // provided it still belongs to key.
    std::string group = DataKeyPrefix(key);
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(EncodeDataKey(key, snapshot));
    opts.upper = storage::Bound::Inclusive(EncodeDataKey(key, 0));
    std::unique_ptr<storage::Iterator> it = engine_.Scan(opts);
    if (!it->Valid()) {
        ORRERY_RETURN_IF_ERROR(it->status());
        return std::optional<std::string>();
    }
    ORRERY_ASSERT(it->key().starts_with(group));
    return DecodeDataValue(it->value());
}

Version Mvcc::OldestActiveSnapshot() const {
    return active_snapshots_.empty() ? last_version_ : active_snapshots_.begin()->first;
}

void Mvcc::RegisterSnapshot(Version snapshot) { ++active_snapshots_[snapshot]; }

void Mvcc::UnregisterSnapshot(Version snapshot) {
    auto it = active_snapshots_.find(snapshot);
    ORRERY_ASSERT(it != active_snapshots_.end() && it->second > 0, "unknown snapshot v{}",
                  snapshot);
    if (--it->second == 0) active_snapshots_.erase(it);
}

Result<CommitOutcome> Mvcc::ApplyCommit(const CommitRequest& req) {
    storage::WriteBatch batch;
    ORRERY_ASSIGN_OR_RETURN(CommitOutcome outcome, StageCommit(req, CommitRules{}, &batch));
    ORRERY_RETURN_IF_ERROR(engine_.Write(batch));
    CommitStaged(outcome);
    return outcome;
}

Status Mvcc::Reload() {
    ORRERY_ASSERT(active_snapshots_.empty(), "Reload with active transactions");
    return LoadMeta();
}

void Mvcc::CommitStaged(const CommitOutcome& outcome) {
    ORRERY_ASSERT(outcome.commit_version == last_version_ + 1, "staged v{} after v{}",
                  outcome.commit_version, last_version_);
    last_version_ = outcome.commit_version;
}

Result<CommitOutcome> Mvcc::StageCommit(const CommitRequest& req, const CommitRules& rules,
                                        storage::WriteBatch* batch) {
    ORRERY_RETURN_IF_ERROR(ValidateCommitRequest(req));
    if (req.snapshot_version > last_version_) {
        return Status::InvalidArgument(fmt::format("snapshot v{} is in the future (last v{})",
                                                   req.snapshot_version, last_version_));
    }
    if (req.read_only && req.isolation == Isolation::kSnapshot) {
        return Status::InvalidArgument("a snapshot-isolation read-only transaction has no commit");
    }
    if (req.snapshot_version < gc_horizon_) {
        return BelowHorizon(req.snapshot_version, gc_horizon_);
    }
    const Version commit = last_version_ + 1;
    ORRERY_RETURN_IF_ERROR(CheckWriteWrite(engine_, req));
    Version earliest_out = 0;
    if (req.isolation == Isolation::kSerializable) {
        ORRERY_ASSIGN_OR_RETURN(earliest_out, CheckSerializable(engine_, req));
        if (rules.unlogged_readers && earliest_out != 0 && !req.writes.empty()) {
            return Status::Aborted(fmt::format(
                "serialization failure: v{} overwrote what this transaction read after its "
                "snapshot v{}, and an unlogged read-only transaction may have seen v{} but not "
                "this one; retry the transaction",
                earliest_out, req.snapshot_version, earliest_out));
        }
    }
    for (const Write& w : req.writes) {
        batch->Set(EncodeDataKey(w.key, commit), EncodeDataValue(w.value));
    }
    TxnRecord record;
    record.commit_version = commit;
    record.snapshot_version = req.snapshot_version;
    record.txn_id = req.txn_id;
    record.read_only = req.read_only;
    record.serializable = req.isolation == Isolation::kSerializable;
    record.earliest_out_conflict = earliest_out;
    record.read_keys = req.read_keys;
    record.read_ranges = req.read_ranges;
    batch->Set(RecordKey(commit), EncodeTxnRecord(record));
    batch->Set(LastVersionKey(), VersionValue(commit));
    return CommitOutcome{commit, earliest_out};
}

}  // namespace orrery::mvcc
