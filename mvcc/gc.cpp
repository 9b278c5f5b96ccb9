// Garbage collection of versions and SSI records that no remaining snapshot can need.
//
// Given a low-water mark L (no transaction that may still read or commit has a snapshot below
// L), for each user key:
//  - versions newer than L are kept (some snapshot >= L may see them, and commits check them);
//  - the newest version <= L is kept (snapshot L sees it), unless it is a tombstone: then it
//    and everything older are deleted, since "no version" reads the same as "deleted";
//  - every older version is shadowed for all snapshots >= L and is deleted.
// TxnRecords committed at or below L are deleted: SSI only looks at records committed after a
// committing transaction's snapshot, which is >= L.
//
// The horizon is raised *first*, in its own write, so that a crash in the middle leaves a state
// in which reads below L are refused and the remaining garbage is merely uncollected. The work is
// done in chunks of kGcEntriesPerChunk engine entries; each chunk's scan is closed before its
// deletions are written, so no iterator is open across a write.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "mvcc/key_codec.h"
#include "mvcc/mvcc.h"

namespace orrery::mvcc {
namespace {

constexpr size_t kGcEntriesPerChunk = 1024;

// Where one chunk stopped, and the per-key state that carries into the next chunk.
struct GcCursor {
    std::string resume_after;   // Empty: start at the first data key.
    std::string group;          // The user-key group (DataKeyPrefix) being walked.
    bool kept_visible = false;  // Whether the group's newest version <= L was seen already.
    bool done = false;
};

// Decides for one data entry whether it is garbage, updating the cursor's per-key state.
bool IsGarbage(const DecodedDataKey& key, std::string_view engine_key, std::string_view value,
               Version low_water_mark, GcCursor* cursor) {
    std::string_view group = engine_key.substr(0, key.group_bytes);
    if (group != cursor->group) {
        cursor->group.assign(group);
        cursor->kept_visible = false;
    }
    if (key.version > low_water_mark) return false;
    if (cursor->kept_visible) return true;
    cursor->kept_visible = true;
    return value.size() == 1 && value[0] == '\x00';  // The newest visible is a tombstone.
}

// Runs one chunk of the data pass and writes its deletions.
Status CollectDataChunk(storage::Engine& engine, Version low_water_mark, GcCursor* cursor,
                        GcStats* stats) {
    storage::ScanOptions opts = DataScan("", "");
    if (!cursor->resume_after.empty()) opts.lower = storage::Bound::Exclusive(cursor->resume_after);
    storage::WriteBatch batch;
    {
        std::unique_ptr<storage::Iterator> it = engine.Scan(opts);
        size_t seen = 0;
        for (; it->Valid() && seen < kGcEntriesPerChunk; it->Next(), ++seen) {
            ORRERY_ASSIGN_OR_RETURN(DecodedDataKey key, DecodeDataKey(it->key()));
            if (IsGarbage(key, it->key(), it->value(), low_water_mark, cursor)) {
                batch.Delete(it->key());
            }
            cursor->resume_after.assign(it->key());
        }
        ORRERY_RETURN_IF_ERROR(it->status());
        cursor->done = !it->Valid();
    }
    stats->versions_deleted += batch.size();
    if (batch.empty()) return Status::Ok();
    return engine.Write(batch);
}

// Deletes the records committed at or below the mark, one chunk per call; true when finished.
Result<bool> CollectRecordChunk(storage::Engine& engine, Version low_water_mark,
                                GcStats* stats) {
    storage::ScanOptions opts;
    opts.lower = storage::Bound::Inclusive(std::string(1, kRecordPrefix));
    opts.upper = storage::Bound::Inclusive(RecordKey(low_water_mark));
    storage::WriteBatch batch;
    bool finished = false;
    {
        std::unique_ptr<storage::Iterator> it = engine.Scan(opts);
        for (; it->Valid() && batch.size() < kGcEntriesPerChunk; it->Next()) {
            batch.Delete(it->key());
        }
        ORRERY_RETURN_IF_ERROR(it->status());
        finished = !it->Valid();
    }
    stats->records_deleted += batch.size();
    if (!batch.empty()) ORRERY_RETURN_IF_ERROR(engine.Write(batch));
    return finished;
}

}  // namespace

Result<GcStats> Mvcc::CollectGarbage(Version low_water_mark) {
    if (low_water_mark > last_version_) {
        return Status::InvalidArgument(fmt::format(
            "low-water mark v{} is above the last version v{}", low_water_mark, last_version_));
    }
    GcStats stats;
    stats.horizon = gc_horizon_;
    if (low_water_mark <= gc_horizon_) return stats;
    storage::WriteBatch batch;
    ORRERY_RETURN_IF_ERROR(StageHorizon(low_water_mark, &batch));
    ORRERY_RETURN_IF_ERROR(engine_.Write(batch));
    CommitStagedHorizon(low_water_mark);
    return CollectBelowHorizon();
}

Status Mvcc::StageHorizon(Version horizon, storage::WriteBatch* batch) const {
    if (horizon > last_version_ || horizon <= gc_horizon_) {
        return Status::InvalidArgument(fmt::format("horizon v{} outside (v{}, v{}]", horizon,
                                                   gc_horizon_, last_version_));
    }
    std::string value;
    PutBigEndian64(&value, horizon);
    batch->Set(GcHorizonKey(), value);
    return Status::Ok();
}

void Mvcc::CommitStagedHorizon(Version horizon) {
    ORRERY_ASSERT(horizon > gc_horizon_ && horizon <= last_version_, "staged horizon v{}",
                  horizon);
    gc_horizon_ = horizon;
}

Result<GcStats> Mvcc::CollectBelowHorizon() {
    GcStats stats;
    stats.horizon = gc_horizon_;
    GcCursor cursor;
    while (!cursor.done) {  // Each chunk advances resume_after, so this ends.
        ORRERY_RETURN_IF_ERROR(CollectDataChunk(engine_, gc_horizon_, &cursor, &stats));
    }
    bool finished = false;
    while (!finished) {  // Each chunk deletes what it saw, so this ends.
        ORRERY_ASSIGN_OR_RETURN(finished, CollectRecordChunk(engine_, gc_horizon_, &stats));
    }
    return stats;
}

}  // namespace orrery::mvcc
