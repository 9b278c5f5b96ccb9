// PosixDisk: core/disk.h's Disk contract over one real directory, with pread/pwrite and fsync.
//
// This is the real world's disk. The simulator's SimDisk models what a crash may keep; this class
// is what actually keeps it, so its job is to make every promise of the contract hold on Linux:
//
//  - File::Sync() is fdatasync(2), or fsync(2) when the file's size changed since the last sync
//    (fdatasync flushes the metadata needed to read the data back, but we do not lean on that
//    reading of POSIX for the one change that matters most: the length of a log).
//  - Create, Rename and Remove become durable only through SyncDir(), which is fsync(2) of the
//    directory's own file descriptor (the classic "fsync the parent" rule of ext4 and XFS).
//  - Every name is checked with ValidateFileName and resolved relative to the directory's file
//    descriptor (openat/renameat/unlinkat), so no path outside the directory is ever touched.
//  - OS errors come back as Status with the operation, the path and strerror in the message:
//    ENOENT -> kNotFound, EEXIST -> kAlreadyExists, ENOSPC/EDQUOT -> kNoSpace, the rest
//    (EIO, EROFS, EACCES, ...) -> kIOError. Nothing throws.
//
// A PosixDisk and its files are used from one thread (the node's event loop); they hold no locks.
// File handles must not outlive the PosixDisk that opened them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/disk.h"

namespace orrery::storage {

// Maps an errno value from operation `op` on `path` to a Status (see the table above).
// REQUIRES: err != 0.
Status StatusFromErrno(int err, std::string_view op, std::string_view path);

class PosixDisk final : public Disk {
public:
    // Opens the directory `dir` (creating it and its parents if create_if_missing is true).
    // kNotFound if it is missing and may not be created; kIOError if it is not a directory.
    static Result<std::unique_ptr<PosixDisk>> Open(std::string dir, bool create_if_missing);

    ~PosixDisk() override;
    PosixDisk(const PosixDisk&) = delete;
    PosixDisk& operator=(const PosixDisk&) = delete;

    Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) override;
    Status Rename(std::string_view from, std::string_view to) override;
    Status Remove(std::string_view name) override;
    Status SyncDir() override;
    Result<std::vector<std::string>> List() override;
    bool Exists(std::string_view name) override;

    // The directory this disk lives in, as given to Open.
    const std::string& dir() const { return dir_; }

private:
    PosixDisk(std::string dir, int dir_fd) : dir_(std::move(dir)), dir_fd_(dir_fd) {}

    // "<dir>/<name>", for error messages.
    std::string PathOf(std::string_view name) const;

    std::string dir_;
    int dir_fd_;  // O_RDONLY|O_DIRECTORY descriptor; the anchor of every *at() call and SyncDir.
};

}  // namespace orrery::storage
