// NoSyncDisk: the `storage.no-sync` bug switch. A view of a Disk on which Sync() and SyncDir()
// succeed without doing anything, as if a storage engine or Raft's log "forgot" to fsync, or ran
// on a disk that lies about its write cache.
//
// Everything still works until a crash: then the simulated disk keeps only what was durable,
// which on this view is whatever the node had synced before the switch (nothing, from boot).
// A node that acknowledged votes and log entries restarts without them; the Raft invariants or
// the history checker must notice. It exists to prove they do (jepsen/runner bug-switch tests).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/disk.h"
#include "core/forwarding_file.h"

namespace orrery::jepsen::runner {

class NoSyncDisk final : public Disk {
public:
    // `base` outlives this object.
    explicit NoSyncDisk(Disk& base) : base_(base) {}

    Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) override {
        ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<File> file, base_.Open(name, mode));
        return std::unique_ptr<File>(std::make_unique<NoSyncFile>(std::move(file)));
    }
    Status Rename(std::string_view from, std::string_view to) override {
        return base_.Rename(from, to);
    }
    Status Remove(std::string_view name) override { return base_.Remove(name); }
    Status SyncDir() override { return Status::Ok(); }
    Result<std::vector<std::string>> List() override { return base_.List(); }
    bool Exists(std::string_view name) override { return base_.Exists(name); }

private:
    class NoSyncFile final : public ForwardingFile {
    public:
        using ForwardingFile::ForwardingFile;
        Status Sync() override { return Status::Ok(); }  // The bug.
    };

    Disk& base_;
};

}  // namespace orrery::jepsen::runner
