// PrefixDisk: a view of a Disk that shows only the files whose names start with a prefix.
//
// One node has one directory, but several components keep files in it (Raft's log, the storage
// engine). Each gets a PrefixDisk("raft-"), PrefixDisk("kv-"), so that an engine that lists its
// directory and removes files it does not recognise never sees another component's files.
// SyncDir syncs the whole underlying directory, which is what every component wants anyway.
#pragma once

#include <string>

#include "core/disk.h"

namespace orrery {

class PrefixDisk final : public Disk {
public:
    // REQUIRES: prefix is non-empty and a valid file-name fragment. `base` outlives this object.
    PrefixDisk(Disk& base, std::string prefix);

    Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) override;
    Status Rename(std::string_view from, std::string_view to) override;
    Status Remove(std::string_view name) override;
    Status SyncDir() override { return base_.SyncDir(); }
    Result<std::vector<std::string>> List() override;
    bool Exists(std::string_view name) override;

private:
    std::string Full(std::string_view name) const { return prefix_ + std::string(name); }

    Disk& base_;
    std::string prefix_;
};

}  // namespace orrery
