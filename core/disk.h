// Disk: one directory of files, the only way components persist anything.
//
// Contract (the simulator enforces it, and the POSIX disk implements it with fsync):
//  - File names are flat: no '/', not empty, not "." or "..", at most kMaxFileNameBytes bytes.
//  - Writes and appends are *volatile* until File::Sync() returns OK.
//  - Create, Rename and Remove change the directory; such a change is durable only after
//    SyncDir() returns OK. Rename atomically replaces an existing target.
//  - A crash keeps exactly what was synced. Of the rest the fault plan decides: each 512-byte
//    sector of an unsynced write may survive, vanish, or become garbage, and unsynced directory
//    changes may be lost. Code must therefore checksum everything it reads back.
//  - Reads may fail with kIOError (injected read errors) and bytes may rot silently on the
//    medium; writes may fail with kNoSpace. All come back as Status; nothing throws.
//  - Handles are not shared between nodes, and are invalid after the disk is crashed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery {

inline constexpr size_t kMaxFileNameBytes = 200;
inline constexpr size_t kSectorBytes = 512;

// An open file. Reads and writes take explicit offsets; Append writes at the current end.
class File {
public:
    virtual ~File() = default;

    // Reads up to n bytes at offset into *out (replacing its contents). A short read means the
    // file ended. Reading past the end yields "" and OK.
    virtual Status Read(uint64_t offset, size_t n, std::string* out) = 0;

    // Writes data at offset, extending the file (with zeros) if needed.
    virtual Status Write(uint64_t offset, std::string_view data) = 0;

    // Appends data at the end of the file.
    virtual Status Append(std::string_view data) = 0;

    // Cuts or extends (with zeros) the file to size bytes.
    virtual Status Truncate(uint64_t size) = 0;

    // Makes every write to this file so far durable (fsync/fdatasync).
    virtual Status Sync() = 0;

    // The current size of the file, including unsynced writes.
    virtual uint64_t Size() const = 0;
};

enum class OpenMode : uint8_t {
    kRead,            // The file must exist; writes fail.
    kReadWrite,       // The file must exist.
    kCreate,          // Create if missing, keep contents if present.
    kCreateTruncate,  // Create if missing, truncate to empty if present.
    kCreateNew,       // Fail with kAlreadyExists if present.
};

class Disk {
public:
    virtual ~Disk() = default;

    // Opens (or creates, per mode) a file. kNotFound if it must exist and does not.
    virtual Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) = 0;

    // Renames from to `to`, atomically replacing `to` if present. Durable after SyncDir().
    virtual Status Rename(std::string_view from, std::string_view to) = 0;

    // Removes a file. kNotFound if it does not exist. Durable after SyncDir().
    virtual Status Remove(std::string_view name) = 0;

    // Makes every create, rename and remove so far durable.
    virtual Status SyncDir() = 0;

    // Lists the file names in the directory, sorted.
    virtual Result<std::vector<std::string>> List() = 0;

    // Returns true iff the file exists (in the current, possibly unsynced, directory).
    virtual bool Exists(std::string_view name) = 0;

    // Reads a whole file. A convenience built on Open and Read.
    Result<std::string> ReadAll(std::string_view name);

    // Writes a whole file durably and atomically: write `name`.tmp, sync it, rename it over
    // `name`, sync the directory. After a crash the file holds either the old or the new content.
    Status WriteAtomically(std::string_view name, std::string_view data);
};

// Returns InvalidArgument unless name is a valid flat file name (see the contract above).
Status ValidateFileName(std::string_view name);

}  // namespace orrery
