// SimDisk: an in-memory Disk that remembers what is durable and loses the rest on Crash().
//
// It implements core/disk.h's contract exactly, and is the simulator's way of proving that every
// format and every recovery path survives power loss. The model:
//
//  - Files are *inodes*. The directory maps names to inodes, and there are two directories: the
//    current one (what List/Open see) and the durable one (as of the last SyncDir). Every Create,
//    Rename and Remove since the last SyncDir is kept in an ordered log of directory operations.
//  - Each inode holds its current bytes, its durable bytes (as of its last File::Sync) and the set
//    of 512-byte sectors written since that sync ("dirty" sectors).
//  - Crash() (power loss) rebuilds the world from the durable state plus a seeded share of the
//    rest, as DiskFaults says:
//      * the directory log survives as a *prefix*: each operation is lost with probability
//        lose_unsynced_dir_ops and every operation after a lost one is lost too (a journal
//        replays in order). With 0 every unsynced directory operation survives; with 1 none does;
//      * each dirty sector is independently lost (keeps its durable bytes; beyond the durable end
//        the file is cut at the first lost sector), turned into garbage (every byte of it that a
//        write changed since the sync becomes random), or kept;
//      * an unsynced shrink (Truncate) is lost with probability sector_lost;
//      * every File handle opened before the crash is invalidated: its calls return kIOError.
//  - Read() fails with kIOError with probability read_error. A write or truncate that would make
//    the files' total size exceed capacity_bytes fails with kNoSpace and changes nothing.
//  - RotBit() flips a bit of the medium (durable and current bytes) at a seeded position: silent
//    corruption that only checksums catch.
//
// Invariants: bytes that were synced (File::Sync) and whose directory entry was synced (SyncDir)
// are intact after any number of crashes, unless RotBit touched them. All randomness comes from
// the Random handed to the constructor, so a SimDisk is deterministic given its seed and calls.
// File handles must not outlive their SimDisk.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/disk.h"
#include "core/random.h"
#include "core/trace.h"

namespace orrery::sim {

// What a crash and the medium may do to data that is not (or no longer) safe. All probabilities
// are per event and in [0, 1]. The default is a perfect disk that still loses nothing unsynced
// except what is forced by the contract: with all zeros, a crash keeps every unsynced byte and
// directory operation (the gentlest legal behaviour).
struct DiskFaults {
    double sector_lost = 0;            // An unsynced sector reverts to its durable bytes.
    double sector_garbage = 0;         // An unsynced sector becomes random bytes.
    double lose_unsynced_dir_ops = 0;  // Each unsynced create/rename/remove is lost (prefix).
    double read_error = 0;             // A Read() call fails with kIOError.
    uint64_t capacity_bytes = 0;       // Total bytes the disk holds; 0 means unlimited.
};

// Counters, for benchmarks and tests. Monotonic over the disk's life (crashes included).
struct DiskStats {
    uint64_t bytes_written = 0;    // Bytes passed to Write/Append.
    uint64_t bytes_read = 0;       // Bytes returned by Read.
    uint64_t syncs = 0;            // Successful File::Sync calls.
    uint64_t dir_syncs = 0;        // Successful SyncDir calls.
    uint64_t crashes = 0;          // Crash() calls.
    uint64_t sectors_lost = 0;     // Dirty sectors reverted by crashes.
    uint64_t sectors_garbage = 0;  // Dirty sectors turned to garbage by crashes.
    uint64_t dir_ops_lost = 0;     // Unsynced directory operations lost by crashes.
    uint64_t read_errors = 0;      // Injected read errors.
    uint64_t no_space_errors = 0;  // Writes refused for lack of space.
    uint64_t bits_rotted = 0;      // RotBit calls that flipped a bit.
};

class SimDisk final : public Disk {
public:
    // Builds an empty disk. `rng` drives every fault decision and garbage byte.
    explicit SimDisk(Random rng, DiskFaults faults = {});
    ~SimDisk() override;

    SimDisk(const SimDisk&) = delete;
    SimDisk& operator=(const SimDisk&) = delete;

    // Disk (see core/disk.h).
    Result<std::unique_ptr<File>> Open(std::string_view name, OpenMode mode) override;
    Status Rename(std::string_view from, std::string_view to) override;
    Status Remove(std::string_view name) override;
    Status SyncDir() override;
    Result<std::vector<std::string>> List() override;
    bool Exists(std::string_view name) override;

    // Power loss: keeps what was synced plus a seeded share of the rest (see the file comment),
    // and invalidates every open File.
    void Crash();

    // Replaces the fault probabilities (takes effect on the next call).
    void SetFaults(const DiskFaults& faults) { faults_ = faults; }
    const DiskFaults& faults() const { return faults_; }

    // Flips one bit of file `name`, in both its durable and its current bytes, at a position
    // derived from seed_for_position (byte = seed % size, bit = (seed >> 32) % 8). Returns
    // kNotFound for a missing file and kInvalidArgument for an empty one. Deterministic.
    Status RotBit(std::string_view name, uint64_t seed_for_position);

    // Optionally records "sync" and "syncdir" trace events as `node` (nullptr: none).
    void SetTracer(Tracer* tracer, NodeId node) {
        tracer_ = tracer;
        node_ = node;
    }

    const DiskStats& stats() const { return stats_; }

    // Total current size of every file in the current directory, in bytes.
    uint64_t UsedBytes() const;

    // The synced bytes of the file that `name` names in the durable directory (as of the last
    // SyncDir), for tests. kNotFound unless the name is in the durable directory.
    Result<std::string> DurableContent(std::string_view name) const;

private:
    friend class SimFile;
    struct Inode;
    struct DirOp;
    using Directory = std::map<std::string, std::shared_ptr<Inode>, std::less<>>;

    // Capacity check for growing an inode from old_size to new_size.
    Status CheckSpace(uint64_t old_size, uint64_t new_size);
    // Crash helpers: the directory after replaying a surviving prefix; one inode's bytes.
    void CrashDirectory();
    void CrashInode(Inode& inode);
    void TraceSync(std::string_view kind, std::string_view file, uint64_t size);

    Random rng_;
    DiskFaults faults_;
    DiskStats stats_;
    Directory current_;
    Directory durable_;
    std::vector<DirOp> pending_ops_;  // Directory operations since the last SyncDir, in order.
    uint64_t epoch_ = 0;              // Bumped by Crash(); handles from older epochs are dead.
    uint64_t next_inode_id_ = 1;
    Tracer* tracer_ = nullptr;
    NodeId node_;
};

}  // namespace orrery::sim
