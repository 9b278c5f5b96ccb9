// The embedded database (embedded.h).
#include "sql/embedded.h"

#include "storage/lsm/lsm_engine.h"
#include "storage/memory_engine.h"
#include "storage/posix/posix_disk.h"

namespace orrery::sql {

EmbeddedDatabase::~EmbeddedDatabase() = default;

Result<std::unique_ptr<EmbeddedDatabase>> EmbeddedDatabase::Open(const std::string& dir) {
    std::unique_ptr<EmbeddedDatabase> db(new EmbeddedDatabase());
    ORRERY_ASSIGN_OR_RETURN(auto disk, storage::PosixDisk::Open(dir, /*create_if_missing=*/true));
    db->disk_ = std::move(disk);
    ORRERY_ASSIGN_OR_RETURN(auto engine, storage::LsmEngine::Open(*db->disk_));
    db->engine_ = std::move(engine);
    ORRERY_RETURN_IF_ERROR(db->Init());
    return db;
}

Result<std::unique_ptr<EmbeddedDatabase>> EmbeddedDatabase::OpenInMemory() {
    std::unique_ptr<EmbeddedDatabase> db(new EmbeddedDatabase());
    db->engine_ = std::make_unique<storage::MemoryEngine>();
    ORRERY_RETURN_IF_ERROR(db->Init());
    return db;
}

Status EmbeddedDatabase::Init() {
    ORRERY_ASSIGN_OR_RETURN(auto mvcc, mvcc::Mvcc::Open(*engine_));
    mvcc_ = std::move(mvcc);
    store_ = std::make_unique<MvccTxnStore>(*mvcc_, /*unlogged_readers=*/true);
    return Status::Ok();
}

std::unique_ptr<Session> EmbeddedDatabase::NewSession(SessionOptions options) {
    return std::make_unique<Session>(*store_, options);
}

Result<mvcc::CommitOutcome> EmbeddedDatabase::Commit(const mvcc::CommitRequest& request) {
    if (failed_) return Status::IOError("database stopped after a failed write; reopen it");
    mvcc::CommitRules rules;
    rules.unlogged_readers = store_->unlogged_readers();
    storage::WriteBatch batch;
    ORRERY_ASSIGN_OR_RETURN(mvcc::CommitOutcome outcome,
                            mvcc_->StageCommit(request, rules, &batch));
    Status written = engine_->Write(batch, /*sync=*/disk_ != nullptr);
    if (!written.ok()) {
        failed_ = true;  // Fail-stop: the Mvcc no longer matches the engine (mvcc.h).
        return written;
    }
    mvcc_->CommitStaged(outcome);
    return outcome;
}

}  // namespace orrery::sql
