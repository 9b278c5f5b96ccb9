// The write-ahead log: every acknowledged batch is appended here before it reaches the memtable.
//
// Record layout (all integers little-endian):
//   fixed32  masked CRC32C of everything after it: the length, the type and the payload
//   fixed32  payload length
//   u8       type: 1 = batch, 2 = sync mark
//   payload  batch: varint op count, then per op: u8 (0 set, 1 delete), length-prefixed key,
//            and for a set a length-prefixed value.
//            sync mark: fixed64 offset of this record in the file.
// A batch is exactly one record, so a batch is either wholly in the log or not at all.
//
// Group commit: Write without sync only appends to an in-memory buffer (spilled to the file in
// large spans); Sync() appends a sync mark, writes the buffer out and fsyncs once, however many
// batches came before it.
//
// Recovery tells a torn tail from rot with the sync marks. A crash can only damage bytes that were
// never synced, and those all lie after the last sync mark that reached the disk. So: replay
// records until the first bad one; if a valid sync mark (one whose payload names its own offset)
// appears anywhere after it, synced bytes are damaged and recovery reports kCorruption; if none
// does, the bad record starts a torn tail, which is dropped. The replayed batches are then a
// prefix of those acknowledged, and include every synced one.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/disk.h"
#include "storage/engine.h"

namespace orrery::storage::lsm {

class WalWriter {
public:
    WalWriter(std::unique_ptr<File> file, size_t buffer_bytes);
    // Writes out (but does not sync) whatever is buffered, ignoring errors: a clean shutdown
    // then leaves unsynced batches to the OS, as LevelDB does. Durability still needs Sync().
    ~WalWriter();

    // Appends a batch record. It reaches the file when the buffer fills or at Sync().
    Status AddBatch(const WriteBatch& batch);
    // Makes every batch added so far durable: sync mark, write out, fsync.
    Status Sync();

    // Drops whatever is buffered and not yet written (the memtable it protects is now in a
    // table), so destroying the writer writes nothing more.
    void Abandon() { buffer_.clear(); }

    // Logical size of the log (file plus buffer).
    uint64_t size() const { return file_bytes_ + buffer_.size(); }
    // Bytes handed to the disk so far.
    uint64_t bytes_written() const { return file_bytes_; }

private:
    void AppendRecord(uint8_t type, std::string_view payload);
    Status WriteOut();

    std::unique_ptr<File> file_;
    size_t buffer_bytes_;
    std::string buffer_;
    std::string scratch_;
    uint64_t file_bytes_ = 0;
};

struct WalReplay {
    uint64_t batches = 0;      // Batches replayed.
    uint64_t valid_bytes = 0;  // Length of the good prefix of the log.
    bool torn_tail = false;    // A damaged unsynced tail was dropped.
};

// Replays the log `contents`, calling apply on each batch in order. kCorruption if synced bytes
// are damaged (see above), naming the offset of the first bad record.
Result<WalReplay> ReplayWal(std::string_view contents,
                            const std::function<void(const WriteBatch&)>& apply);

}  // namespace orrery::storage::lsm
