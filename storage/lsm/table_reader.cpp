// Reading an SSTable: metadata at open, blocks on demand, and the table's streaming iterator.
// See table.h for the layout.
#include <fmt/format.h>

#include <algorithm>

#include "core/checksum.h"
#include "core/coding.h"
#include "storage/lsm/format.h"
#include "storage/lsm/table.h"

namespace orrery::storage::lsm {
namespace {

// Compactions read tables in spans of this size.
constexpr size_t kReadAheadBytes = 512 * 1024;

// Checks a metadata block's CRC trailer and returns its contents.
Result<std::string> VerifyMeta(std::string raw, std::string_view what, uint64_t table) {
    if (raw.size() < kBlockTrailerBytes) {
        return Status::Corruption(fmt::format("table {}: {} block too short", table, what));
    }
    size_t n = raw.size() - kBlockTrailerBytes;
    if (Crc32c(std::string_view(raw.data(), n)) != UnmaskCrc(DecodeFixed32(raw.data() + n))) {
        return Status::Corruption(fmt::format("table {}: {} block checksum mismatch", table, what));
    }
    raw.resize(n);
    return raw;
}

}  // namespace

Result<std::shared_ptr<TableReader>> TableReader::Open(Disk& disk, uint64_t number,
                                                       BlockCache* cache) {
    std::shared_ptr<TableReader> t(new TableReader());
    t->number_ = number;
    t->cache_ = cache;
    ORRERY_ASSIGN_OR_RETURN(t->file_, disk.Open(FileName(FileKind::kTable, number), OpenMode::kRead));
    t->file_bytes_ = t->file_->Size();
    ORRERY_RETURN_IF_ERROR(t->LoadMeta());
    return t;
}

Result<std::string> TableReader::ReadRaw(uint64_t offset, uint32_t size) {
    if (size > kMaxBlockBytes || offset + size > file_bytes_) {
        return Status::Corruption(
            fmt::format("table {}: block [{}, +{}) outside the file", number_, offset, size));
    }
    std::string out;
    ORRERY_RETURN_IF_ERROR(file_->Read(offset, size, &out));
    if (out.size() != size) {
        return Status::Corruption(fmt::format("table {}: short read at {}", number_, offset));
    }
    return out;
}

Status TableReader::LoadMeta() {
    if (file_bytes_ < kFooterBytes) {
        return Status::Corruption(fmt::format("table {}: {} bytes is too short", number_, file_bytes_));
    }
    ORRERY_ASSIGN_OR_RETURN(std::string footer, ReadRaw(file_bytes_ - kFooterBytes, kFooterBytes));
    const char* f = footer.data();
    if (DecodeFixed64(f + 44) != kTableMagic) {
        return Status::Corruption(fmt::format("table {}: bad magic (not an Orrery SSTable)", number_));
    }
    if (Crc32c(std::string_view(f, 40)) != UnmaskCrc(DecodeFixed32(f + 40))) {
        return Status::Corruption(fmt::format("table {}: footer checksum mismatch", number_));
    }
    uint32_t version = DecodeFixed32(f + 36);
    if (version > kFormatVersion) {
        return Status::NotSupported(
            fmt::format("table {}: format version {} is newer than {}", number_, version, kFormatVersion));
    }
    ORRERY_ASSIGN_OR_RETURN(std::string index_raw, ReadRaw(DecodeFixed64(f), DecodeFixed32(f + 8)));
    ORRERY_ASSIGN_OR_RETURN(std::string filter_raw, ReadRaw(DecodeFixed64(f + 12), DecodeFixed32(f + 20)));
    ORRERY_ASSIGN_OR_RETURN(std::string props_raw, ReadRaw(DecodeFixed64(f + 24), DecodeFixed32(f + 32)));
    ORRERY_ASSIGN_OR_RETURN(std::string index, VerifyMeta(std::move(index_raw), "index", number_));
    ORRERY_ASSIGN_OR_RETURN(filter_, VerifyMeta(std::move(filter_raw), "filter", number_));
    ORRERY_ASSIGN_OR_RETURN(std::string props, VerifyMeta(std::move(props_raw), "props", number_));

    Status bad = Status::Corruption(fmt::format("table {}: malformed metadata", number_));
    Decoder d(index);
    uint64_t count = 0;
    if (!d.GetVarint64(&count) || count > d.remaining()) return bad;
    index_.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
        std::string_view key;
        uint64_t offset = 0;
        uint32_t size = 0;
        if (!d.GetLengthPrefixed(&key) || !d.GetVarint64(&offset) || !d.GetVarint32(&size)) return bad;
        if (!index_.empty() && key <= std::string_view(index_.back().last_key)) return bad;
        index_.push_back({std::string(key), offset, size});
    }
    Decoder p(props);
    std::string_view min_key, max_key;
    if (!p.GetVarint64(&props_.entries) || !p.GetVarint64(&props_.tombstones) ||
        !p.GetVarint64(&props_.key_bytes) || !p.GetVarint64(&props_.value_bytes) ||
        !p.GetLengthPrefixed(&min_key) || !p.GetLengthPrefixed(&max_key)) {
        return bad;
    }
    props_.min_key.assign(min_key);
    props_.max_key.assign(max_key);
    if (index_.empty() || props_.entries == 0) return bad;
    return Status::Ok();
}

Result<std::shared_ptr<const Block>> TableReader::ReadBlock(size_t i, ReadAhead* ra) {
    ORRERY_ASSERT(i < index_.size());
    const IndexEntry& e = index_[i];
    // Formatted only for a block that is parsed: a cache hit should cost no allocation.
    auto where = [&] { return fmt::format("table {} block {} at offset {}", number_, i, e.offset); };
    if (ra != nullptr) {
        if (e.offset < ra->offset || e.offset + e.size > ra->offset + ra->bytes.size()) {
            uint64_t span = std::max<uint64_t>(kReadAheadBytes, e.size);
            span = std::min(span, file_bytes_ - e.offset);
            ORRERY_ASSIGN_OR_RETURN(ra->bytes, ReadRaw(e.offset, static_cast<uint32_t>(span)));
            ra->offset = e.offset;
        }
        return Block::Parse(ra->bytes.substr(e.offset - ra->offset, e.size), where());
    }
    if (cache_ != nullptr) {
        if (auto hit = cache_->Lookup(number_, e.offset)) return hit;
    }
    ORRERY_ASSIGN_OR_RETURN(std::string raw, ReadRaw(e.offset, e.size));
    ORRERY_ASSIGN_OR_RETURN(auto block, Block::Parse(std::move(raw), where()));
    if (cache_ != nullptr) cache_->Insert(number_, e.offset, block);
    return block;
}

Result<Block::Found> TableReader::Get(std::string_view key, uint64_t hash, std::string* value) {
    if (key < std::string_view(props_.min_key) || key > std::string_view(props_.max_key)) {
        return Block::Found::kAbsent;
    }
    if (!BloomMayContainHash(filter_, hash)) return Block::Found::kAbsent;
    auto it = std::lower_bound(index_.begin(), index_.end(), key,
                               [](const IndexEntry& e, std::string_view k) { return e.last_key < k; });
    if (it == index_.end()) return Block::Found::kAbsent;
    ORRERY_ASSIGN_OR_RETURN(auto block, ReadBlock(static_cast<size_t>(it - index_.begin()), nullptr));
    return block->Get(key, value);
}

}  // namespace orrery::storage::lsm
