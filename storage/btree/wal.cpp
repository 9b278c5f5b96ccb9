// The B+-tree's redo log. See wal.h.
#include "storage/btree/wal.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::storage::btree {
namespace {

constexpr size_t kRecordHeaderBytes = 8;
constexpr uint8_t kOpSet = 1;
constexpr uint8_t kOpDelete = 2;
// A batch record larger than this is refused on replay as corrupt (a sane bound, not a limit
// on batches: 4 GiB minus the header is what the u32 length can say anyway).
constexpr uint32_t kMaxRecordBytes = 0xFFFF0000u;

// A sync mark's payload starts with this where a batch has its sequence number.
constexpr uint64_t kSyncMarkTag = ~uint64_t{0};
constexpr uint32_t kSyncMarkBytes = 16;

uint32_t RecordCrc(std::string_view len_bytes, std::string_view payload) {
    return MaskCrc(Crc32c(payload, Crc32c(len_bytes)));
}

bool IsSyncMarkPayload(std::string_view payload) {
    return payload.size() == kSyncMarkBytes && DecodeFixed64(payload.data()) == kSyncMarkTag;
}

// True iff an intact sync mark naming its own offset starts at `pos` of `log`.
bool IsSyncMarkAt(std::string_view log, uint64_t pos) {
    if (log.size() - pos < kRecordHeaderBytes + kSyncMarkBytes) return false;
    const char* p = log.data() + pos;
    if (DecodeFixed32(p + 4) != kSyncMarkBytes) return false;
    std::string_view payload(p + kRecordHeaderBytes, kSyncMarkBytes);
    if (!IsSyncMarkPayload(payload) || DecodeFixed64(payload.data() + 8) != pos) return false;
    return DecodeFixed32(p) == RecordCrc(std::string_view(p + 4, 4), payload);
}

}  // namespace

WalWriter::WalWriter(std::unique_ptr<File> file, size_t buffer_bytes)
    : file_(std::move(file)), buffer_bytes_(buffer_bytes), written_(file_->Size()) {}

Status WalWriter::Append(std::string_view payload) {
    ORRERY_ASSERT(payload.size() <= kMaxRecordBytes, "batch record of {} bytes", payload.size());
    char len_bytes[4];
    EncodeFixed32(len_bytes, static_cast<uint32_t>(payload.size()));
    PutFixed32(&buffer_, RecordCrc({len_bytes, 4}, payload));
    buffer_.append(len_bytes, 4);
    buffer_.append(payload);
    synced_ = false;
    if (buffer_.size() >= buffer_bytes_) return FlushBuffer();
    return Status::Ok();
}

Status WalWriter::FlushBuffer() {
    if (buffer_.empty()) return Status::Ok();
    ORRERY_RETURN_IF_ERROR(file_->Append(buffer_));
    written_ += buffer_.size();
    bytes_written_ += buffer_.size();
    buffer_.clear();
    return Status::Ok();
}

Status WalWriter::Sync() {
    if (synced_) return Status::Ok();
    std::string mark;
    PutFixed64(&mark, kSyncMarkTag);
    PutFixed64(&mark, size());
    ORRERY_RETURN_IF_ERROR(Append(mark));
    ORRERY_RETURN_IF_ERROR(FlushBuffer());
    ORRERY_RETURN_IF_ERROR(file_->Sync());
    synced_ = true;
    return Status::Ok();
}

Result<bool> WalReader::Next(std::string* payload) {
    for (;;) {
        ORRERY_ASSIGN_OR_RETURN(bool more, NextRecord(payload));
        if (!more || !IsSyncMarkPayload(*payload)) return more;
    }
}

Status WalReader::CheckTail(uint64_t bad_offset) {
    uint64_t size = file_.Size();
    if (bad_offset >= size) return Status::Ok();
    std::string log;
    ORRERY_RETURN_IF_ERROR(file_.Read(0, size, &log));
    for (uint64_t p = bad_offset + 1; p + kRecordHeaderBytes + kSyncMarkBytes <= log.size(); ++p) {
        if (IsSyncMarkAt(log, p)) {
            return Status::Corruption(fmt::format(
                "btree log: damaged record at offset {} is followed by synced data (sync mark "
                "at {})",
                bad_offset, p));
        }
    }
    return Status::Ok();
}

Result<bool> WalReader::NextRecord(std::string* payload) {
    uint64_t size = file_.Size();
    if (size - offset_ < kRecordHeaderBytes || offset_ > size) return false;
    std::string header;
    ORRERY_RETURN_IF_ERROR(file_.Read(offset_, kRecordHeaderBytes, &header));
    if (header.size() < kRecordHeaderBytes) return false;
    uint32_t len = DecodeFixed32(header.data() + 4);
    if (len > kMaxRecordBytes || len > size - offset_ - kRecordHeaderBytes) return false;
    ORRERY_RETURN_IF_ERROR(file_.Read(offset_ + kRecordHeaderBytes, len, payload));
    if (payload->size() != len) return false;
    if (DecodeFixed32(header.data()) != RecordCrc(std::string_view(header).substr(4), *payload)) {
        return false;
    }
    offset_ += kRecordHeaderBytes + len;
    return true;
}

std::string EncodeBatchRecord(uint64_t seq, const WriteBatch& batch) {
    std::string out;
    out.reserve(16 + batch.bytes() + 8 * batch.size());
    PutFixed64(&out, seq);
    PutVarint64(&out, batch.size());
    for (const auto& op : batch.ops()) {
        out.push_back(static_cast<char>(op.is_delete ? kOpDelete : kOpSet));
        PutLengthPrefixed(&out, op.key);
        if (!op.is_delete) PutLengthPrefixed(&out, op.value);
    }
    return out;
}

Status DecodeBatchRecord(std::string_view payload, uint64_t* seq, WriteBatch* batch) {
    Decoder d(payload);
    uint64_t count = 0;
    if (!d.GetFixed64(seq) || !d.GetVarint64(&count)) return Status::Corruption("bad log record");
    batch->Clear();
    for (uint64_t i = 0; i < count; ++i) {
        uint8_t kind = 0;
        std::string_view key, value;
        if (!d.GetU8(&kind) || !d.GetLengthPrefixed(&key)) return Status::Corruption("bad log op");
        if (kind == kOpSet) {
            if (!d.GetLengthPrefixed(&value)) return Status::Corruption("bad log value");
            batch->Set(key, value);
        } else if (kind == kOpDelete) {
            batch->Delete(key);
        } else {
            return Status::Corruption("bad log op kind");
        }
    }
    if (!d.empty()) return Status::Corruption("trailing bytes in log record");
    return ValidateBatch(*batch).ok() ? Status::Ok() : Status::Corruption("log op out of limits");
}

}  // namespace orrery::storage::btree
