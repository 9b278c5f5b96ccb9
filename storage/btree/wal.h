// The B+-tree's redo log: every acknowledged batch, in order, since the last checkpoint.
//
// A record is [masked crc32c u32][length u32][payload]; the CRC covers the length and payload.
// The payload is a batch: [seq u64][op count varint] then per op [kind u8][key][value], the key
// and value length-prefixed (deletes carry no value). Sequence numbers are consecutive; the
// first record of log N follows checkpoint N's last_seq.
//
// Records are buffered in memory and written in large appends; Sync() appends a sync mark, then
// writes and fsyncs the buffer. A sync mark is a record whose payload is [fixed64 ~0][fixed64 the
// mark's own offset in the file]; no batch has sequence number ~0, so marks and batches never
// collide, and a mark found at the wrong offset is not a mark.
//
// A crash may tear only bytes that were never synced, and those all lie after the last sync mark
// that reached the disk. Replay therefore stops at the first record whose checksum, length or
// sequence number is wrong and looks for an intact sync mark anywhere after it: if there is one,
// synced bytes are damaged (bit rot) and replay reports kCorruption rather than silently dropping
// the synced batches behind the damage; if there is none, the damage is a torn tail and is
// dropped. The batches replayed are then a prefix of those acknowledged, holding every synced one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/disk.h"
#include "storage/engine.h"

namespace orrery::storage::btree {

// Appends framed records to a log file.
class WalWriter {
public:
    WalWriter(std::unique_ptr<File> file, size_t buffer_bytes);

    // Frames and buffers one record; writes the buffer once it is large.
    Status Append(std::string_view payload);
    // Writes the buffer to the file (without syncing).
    Status Flush() { return FlushBuffer(); }
    // Writes the buffer to the file and fsyncs it.
    Status Sync();
    // Bytes appended so far (written or buffered), including the file's initial size.
    uint64_t size() const { return written_ + buffer_.size(); }
    // Bytes handed to the file over this writer's life.
    uint64_t bytes_written() const { return bytes_written_; }
    // True iff nothing was appended since the last Sync().
    bool synced() const { return synced_; }

private:
    Status FlushBuffer();

    std::unique_ptr<File> file_;
    size_t buffer_bytes_;
    std::string buffer_;
    uint64_t written_ = 0;
    uint64_t bytes_written_ = 0;
    bool synced_ = true;
};

// Reads a log front to back; stops cleanly at a torn or corrupt tail.
class WalReader {
public:
    explicit WalReader(File& file) : file_(file) {}
    // Reads the next intact batch record into *payload, skipping sync marks. Returns false at
    // the end of the valid prefix.
    Result<bool> Next(std::string* payload);
    // Offset of the record Next() would read (after a false return: the first bad byte).
    uint64_t offset() const { return offset_; }
    // Called where replay stopped: kCorruption if an intact sync mark lies after `bad_offset`
    // (synced bytes are damaged), Ok if the damage can only be a torn unsynced tail.
    Status CheckTail(uint64_t bad_offset);

private:
    Result<bool> NextRecord(std::string* payload);

    File& file_;
    uint64_t offset_ = 0;
};

// Encodes a batch with its sequence number as a log payload.
std::string EncodeBatchRecord(uint64_t seq, const WriteBatch& batch);
// Decodes a log payload; kCorruption if malformed.
Status DecodeBatchRecord(std::string_view payload, uint64_t* seq, WriteBatch* batch);

}  // namespace orrery::storage::btree
