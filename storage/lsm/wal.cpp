// WAL writing and replay. See wal.h for the format and the torn-tail rule.
#include "storage/lsm/wal.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"
#include "storage/lsm/format.h"

namespace orrery::storage::lsm {
namespace {

constexpr uint8_t kBatchRecord = 1;
constexpr uint8_t kSyncMarkRecord = 2;
constexpr uint8_t kOpSet = 0;
constexpr uint8_t kOpDelete = 1;

void EncodeBatch(const WriteBatch& batch, std::string* out) {
    PutVarint64(out, batch.size());
    for (const auto& op : batch.ops()) {
        out->push_back(static_cast<char>(op.is_delete ? kOpDelete : kOpSet));
        PutLengthPrefixed(out, op.key);
        if (!op.is_delete) PutLengthPrefixed(out, op.value);
    }
}

bool DecodeBatch(std::string_view payload, WriteBatch* batch) {
    Decoder d(payload);
    uint64_t count = 0;
    if (!d.GetVarint64(&count) || count > payload.size()) return false;
    for (uint64_t i = 0; i < count; ++i) {
        uint8_t tag = 0;
        std::string_view key, value;
        if (!d.GetU8(&tag) || !d.GetLengthPrefixed(&key)) return false;
        if (tag == kOpSet) {
            if (!d.GetLengthPrefixed(&value)) return false;
            batch->Set(key, value);
        } else if (tag == kOpDelete) {
            batch->Delete(key);
        } else {
            return false;
        }
    }
    return d.empty();
}

struct Record {
    uint8_t type;
    std::string_view payload;
};

// Parses the record at pos; false if it is truncated or fails its CRC.
bool ParseRecord(std::string_view log, uint64_t pos, Record* rec) {
    if (log.size() - pos < kWalHeaderBytes) return false;
    const char* p = log.data() + pos;
    uint32_t length = DecodeFixed32(p + 4);
    if (log.size() - pos - kWalHeaderBytes < length) return false;
    std::string_view covered(p + 4, 5 + size_t{length});
    if (Crc32c(covered) != UnmaskCrc(DecodeFixed32(p))) return false;
    rec->type = static_cast<uint8_t>(p[8]);
    rec->payload = std::string_view(p + kWalHeaderBytes, length);
    return true;
}

bool IsSyncMarkAt(std::string_view log, uint64_t pos) {
    if (log.size() - pos < kWalHeaderBytes + 8) return false;
    const char* p = log.data() + pos;
    if (DecodeFixed32(p + 4) != 8 || static_cast<uint8_t>(p[8]) != kSyncMarkRecord) return false;
    if (DecodeFixed64(p + kWalHeaderBytes) != pos) return false;
    Record rec;
    return ParseRecord(log, pos, &rec);
}

}  // namespace

WalWriter::WalWriter(std::unique_ptr<File> file, size_t buffer_bytes)
    : file_(std::move(file)), buffer_bytes_(buffer_bytes) {
    file_bytes_ = file_->Size();
}

WalWriter::~WalWriter() { WriteOut().IgnoreError(); }

void WalWriter::AppendRecord(uint8_t type, std::string_view payload) {
    size_t start = buffer_.size();
    buffer_.resize(start + kWalHeaderBytes);
    EncodeFixed32(buffer_.data() + start + 4, static_cast<uint32_t>(payload.size()));
    buffer_[start + 8] = static_cast<char>(type);
    buffer_.append(payload);
    std::string_view covered(buffer_.data() + start + 4, 5 + payload.size());
    EncodeFixed32(buffer_.data() + start, MaskCrc(Crc32c(covered)));
}

Status WalWriter::AddBatch(const WriteBatch& batch) {
    scratch_.clear();
    EncodeBatch(batch, &scratch_);
    AppendRecord(kBatchRecord, scratch_);
    if (buffer_.size() >= buffer_bytes_) return WriteOut();
    return Status::Ok();
}

Status WalWriter::WriteOut() {
    if (buffer_.empty()) return Status::Ok();
    Status s = file_->Append(buffer_);
    if (s.ok()) file_bytes_ += buffer_.size();
    buffer_.clear();
    return s;
}

Status WalWriter::Sync() {
    std::string mark;
    PutFixed64(&mark, size());
    AppendRecord(kSyncMarkRecord, mark);
    ORRERY_RETURN_IF_ERROR(WriteOut());
    return file_->Sync();
}

Result<WalReplay> ReplayWal(std::string_view contents,
                            const std::function<void(const WriteBatch&)>& apply) {
    WalReplay out;
    uint64_t pos = 0;
    while (pos < contents.size()) {
        Record rec;
        if (!ParseRecord(contents, pos, &rec)) break;
        if (rec.type == kBatchRecord) {
            WriteBatch batch;
            if (!DecodeBatch(rec.payload, &batch)) {
                return Status::Corruption(fmt::format("wal: malformed batch at offset {}", pos));
            }
            apply(batch);
            ++out.batches;
        } else if (rec.type != kSyncMarkRecord) {
            return Status::Corruption(fmt::format("wal: unknown record type {} at offset {}",
                                                  rec.type, pos));
        }
        pos += kWalHeaderBytes + rec.payload.size();
    }
    out.valid_bytes = pos;
    if (pos == contents.size()) return out;
    // A bad record: a torn tail unless a sync mark proves synced bytes follow it.
    for (uint64_t p = pos + 1; p + kWalHeaderBytes + 8 <= contents.size(); ++p) {
        if (IsSyncMarkAt(contents, p)) {
            return Status::Corruption(fmt::format(
                "wal: damaged record at offset {} is followed by synced data (sync mark at {})",
                pos, p));
        }
    }
    out.torn_tail = true;
    return out;
}

}  // namespace orrery::storage::lsm
