// Writing an SSTable. See table.h for the layout.
#include "core/checksum.h"
#include "core/coding.h"
#include "storage/lsm/format.h"
#include "storage/lsm/table.h"

namespace orrery::storage::lsm {
namespace {

// Appends are batched into spans of this size: few large writes are what disks like best.
constexpr size_t kWriteBufferBytes = 1 << 20;

}  // namespace

TableBuilder::TableBuilder(std::unique_ptr<File> file, TableOptions opts)
    : file_(std::move(file)),
      opts_(opts),
      block_(opts.restart_interval),
      bloom_(opts.bloom_bits_per_key) {}

Status TableBuilder::Add(std::string_view key, std::string_view value, bool is_delete) {
    ORRERY_ASSERT(props_.entries == 0 || key > std::string_view(props_.max_key),
                  "table keys must strictly increase");
    if (props_.entries == 0) props_.min_key.assign(key);
    props_.max_key.assign(key);
    ++props_.entries;
    if (is_delete) ++props_.tombstones;
    props_.key_bytes += key.size();
    props_.value_bytes += value.size();
    bloom_.AddKey(key);
    block_.Add(key, value, is_delete);
    if (block_.EstimatedBytes() >= opts_.block_bytes) return FlushDataBlock();
    return Status::Ok();
}

Status TableBuilder::FlushDataBlock() {
    if (block_.empty()) return Status::Ok();
    std::string_view raw = block_.Finish();
    PutLengthPrefixed(&index_, block_.last_key());
    PutVarint64(&index_, offset_);
    PutVarint32(&index_, static_cast<uint32_t>(raw.size()));
    ++index_count_;
    Status s = WriteRaw(raw);
    block_.Reset();
    return s;
}

Status TableBuilder::WriteRaw(std::string_view bytes) {
    pending_.append(bytes);
    offset_ += bytes.size();
    if (pending_.size() < kWriteBufferBytes) return Status::Ok();
    Status s = file_->Append(pending_);
    pending_.clear();
    return s;
}

Status TableBuilder::WriteMetaBlock(std::string contents, uint64_t* offset, uint32_t* size) {
    PutFixed32(&contents, MaskCrc(Crc32c(contents)));
    *offset = offset_;
    *size = static_cast<uint32_t>(contents.size());
    return WriteRaw(contents);
}

Result<uint64_t> TableBuilder::Finish() {
    ORRERY_RETURN_IF_ERROR(FlushDataBlock());
    uint64_t filter_off, index_off, props_off;
    uint32_t filter_size, index_size, props_size;
    ORRERY_RETURN_IF_ERROR(WriteMetaBlock(bloom_.Finish(), &filter_off, &filter_size));

    std::string index;
    PutVarint64(&index, index_count_);
    index.append(index_);
    ORRERY_RETURN_IF_ERROR(WriteMetaBlock(std::move(index), &index_off, &index_size));

    std::string props;
    PutVarint64(&props, props_.entries);
    PutVarint64(&props, props_.tombstones);
    PutVarint64(&props, props_.key_bytes);
    PutVarint64(&props, props_.value_bytes);
    PutLengthPrefixed(&props, props_.min_key);
    PutLengthPrefixed(&props, props_.max_key);
    ORRERY_RETURN_IF_ERROR(WriteMetaBlock(std::move(props), &props_off, &props_size));

    std::string footer;
    PutFixed64(&footer, index_off);
    PutFixed32(&footer, index_size);
    PutFixed64(&footer, filter_off);
    PutFixed32(&footer, filter_size);
    PutFixed64(&footer, props_off);
    PutFixed32(&footer, props_size);
    PutFixed32(&footer, kFormatVersion);
    PutFixed32(&footer, MaskCrc(Crc32c(footer)));
    PutFixed64(&footer, kTableMagic);
    ORRERY_ASSERT(footer.size() == kFooterBytes);
    ORRERY_RETURN_IF_ERROR(WriteRaw(footer));
    if (!pending_.empty()) {
        ORRERY_RETURN_IF_ERROR(file_->Append(pending_));
        pending_.clear();
    }
    ORRERY_RETURN_IF_ERROR(file_->Sync());
    return offset_;
}

}  // namespace orrery::storage::lsm
