// SSTables: immutable sorted runs on disk, written once by TableBuilder and read by TableReader.
//
// File layout (each block followed by a 4-byte masked CRC32C of its contents):
//   data block*   sorted entries, ~block_bytes each (see block.h)
//   filter block  a Bloom filter over every key of the table (see bloom.h)
//   index block   varint count, then per data block: length-prefixed last key,
//                 varint64 offset, varint32 size (trailer included)
//   props block   varint64 entries, tombstones, key bytes, value bytes;
//                 length-prefixed min key and max key
//   footer        52 bytes: fixed64 index offset, fixed32 index size, fixed64 filter offset,
//                 fixed32 filter size, fixed64 props offset, fixed32 props size,
//                 fixed32 format version, fixed32 masked CRC32C of the preceding 44 bytes,
//                 fixed64 magic
// Invariants: keys strictly increase across the whole table; a table is never modified after
// Finish() synced it; every byte read back is checked by a CRC before it is trusted.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/disk.h"
#include "storage/lsm/block.h"
#include "storage/lsm/block_cache.h"
#include "storage/lsm/bloom.h"
#include "storage/lsm/entry_iterator.h"

namespace orrery::storage::lsm {

struct TableOptions {
    size_t block_bytes = 4096;
    int restart_interval = 16;
    int bloom_bits_per_key = 10;
};

// What a table holds, kept in its props block and in the manifest.
struct TableProps {
    uint64_t entries = 0;
    uint64_t tombstones = 0;
    uint64_t key_bytes = 0;
    uint64_t value_bytes = 0;
    std::string min_key;
    std::string max_key;
};

class TableBuilder {
public:
    TableBuilder(std::unique_ptr<File> file, TableOptions opts);

    // Adds an entry. REQUIRES: key greater than every key added before.
    Status Add(std::string_view key, std::string_view value, bool is_delete);
    // Writes the metadata blocks and footer and syncs the file. Returns the file's size.
    Result<uint64_t> Finish();

    const TableProps& props() const { return props_; }
    // Bytes handed to the disk so far (for write amplification).
    uint64_t bytes_written() const { return offset_; }

private:
    Status FlushDataBlock();
    Status WriteRaw(std::string_view bytes);
    Status WriteMetaBlock(std::string contents, uint64_t* offset, uint32_t* size);

    std::unique_ptr<File> file_;
    TableOptions opts_;
    BlockBuilder block_;
    BloomBuilder bloom_;
    std::string index_;  // Encoded index entries (count is prepended at Finish).
    uint64_t index_count_ = 0;
    std::string pending_;  // Buffered bytes not yet appended to the file.
    uint64_t offset_ = 0;  // Logical size of the table so far.
    TableProps props_;
};

struct IndexEntry {
    std::string last_key;
    uint64_t offset;
    uint32_t size;  // Trailer included.
};

// Sequential read-ahead for compactions: reads large spans instead of one block at a time.
struct ReadAhead {
    uint64_t offset = 0;
    std::string bytes;
};

class TableReader {
public:
    // Opens table `number`: reads and verifies the footer, index, filter and props. Keeps the file
    // open. kCorruption for a damaged or foreign file, kNotSupported for a newer format.
    static Result<std::shared_ptr<TableReader>> Open(Disk& disk, uint64_t number,
                                                     BlockCache* cache);

    // Looks key up: range check, Bloom filter, index, one block. hash = BloomHash(key).
    Result<Block::Found> Get(std::string_view key, uint64_t hash, std::string* value);

    // Reads data block i: through the cache, or (with ra) through read-ahead, bypassing it.
    Result<std::shared_ptr<const Block>> ReadBlock(size_t i, ReadAhead* ra);

    const std::vector<IndexEntry>& index() const { return index_; }
    const TableProps& props() const { return props_; }
    uint64_t number() const { return number_; }
    uint64_t file_bytes() const { return file_bytes_; }

private:
    TableReader() = default;
    Status LoadMeta();
    Result<std::string> ReadRaw(uint64_t offset, uint32_t size);

    uint64_t number_ = 0;
    uint64_t file_bytes_ = 0;
    std::unique_ptr<File> file_;
    BlockCache* cache_ = nullptr;
    std::vector<IndexEntry> index_;
    std::string filter_;
    TableProps props_;
};

// Streams a table's entries (tombstones included) from the scan's near bound. With
// readahead=true (compactions) blocks bypass the cache and are read in large spans.
std::unique_ptr<EntryIterator> NewTableIterator(std::shared_ptr<TableReader> table,
                                                const ScanOptions& opts, bool readahead);

}  // namespace orrery::storage::lsm
