// Data block building, verification and decoding. See block.h.
#include "storage/lsm/block.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"
#include "storage/lsm/format.h"

namespace orrery::storage::lsm {
namespace {

// Decodes one varint32 from [p, limit); nullptr if truncated or too long.
const char* GetVarint32Ptr(const char* p, const char* limit, uint32_t* v) {
    uint32_t result = 0;
    for (int shift = 0; shift <= 28 && p < limit; shift += 7) {
        uint32_t byte = static_cast<uint8_t>(*p++);
        result |= (byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) {
            *v = result;
            return p;
        }
    }
    return nullptr;
}

struct EntryHeader {
    uint32_t shared, unshared, value_tag;
};

// Decodes an entry header at p; returns the start of its key delta, or nullptr if the entry
// does not fit in [p, limit).
const char* DecodeEntry(const char* p, const char* limit, EntryHeader* h) {
    if ((p = GetVarint32Ptr(p, limit, &h->shared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, &h->unshared)) == nullptr) return nullptr;
    if ((p = GetVarint32Ptr(p, limit, &h->value_tag)) == nullptr) return nullptr;
    uint64_t need = uint64_t{h->unshared} + (h->value_tag >> 1);
    if (static_cast<uint64_t>(limit - p) < need) return nullptr;
    return p;
}

Status Malformed(size_t offset) {
    return Status::Corruption(fmt::format("malformed block entry at offset {}", offset));
}

}  // namespace

void BlockBuilder::Add(std::string_view key, std::string_view value, bool is_delete) {
    ORRERY_ASSERT(!finished_, "Add after Finish");
    ORRERY_ASSERT(count_ == 0 || key > std::string_view(last_key_), "block keys must increase");
    size_t shared = 0;
    if (since_restart_ < restart_interval_ && count_ > 0) {
        size_t limit = std::min(key.size(), last_key_.size());
        while (shared < limit && key[shared] == last_key_[shared]) ++shared;
    } else {
        restarts_.push_back(static_cast<uint32_t>(buf_.size()));
        since_restart_ = 0;
    }
    PutVarint32(&buf_, static_cast<uint32_t>(shared));
    PutVarint32(&buf_, static_cast<uint32_t>(key.size() - shared));
    PutVarint32(&buf_, static_cast<uint32_t>(value.size() << 1 | (is_delete ? 1 : 0)));
    buf_.append(key.data() + shared, key.size() - shared);
    buf_.append(value.data(), value.size());
    last_key_.assign(key.data(), key.size());
    ++since_restart_;
    ++count_;
}

std::string_view BlockBuilder::Finish() {
    ORRERY_ASSERT(!finished_ && count_ > 0, "Finish needs a fresh, non-empty block");
    for (uint32_t r : restarts_) PutFixed32(&buf_, r);
    PutFixed32(&buf_, static_cast<uint32_t>(restarts_.size()));
    PutFixed32(&buf_, MaskCrc(Crc32c(buf_)));
    finished_ = true;
    return buf_;
}

void BlockBuilder::Reset() {
    buf_.clear();
    restarts_.clear();
    last_key_.clear();
    since_restart_ = 0;
    count_ = 0;
    finished_ = false;
}

size_t BlockBuilder::EstimatedBytes() const {
    return buf_.size() + 4 * (restarts_.size() + 1) + kBlockTrailerBytes;
}

Result<std::shared_ptr<const Block>> Block::Parse(std::string raw, std::string_view where) {
    if (raw.size() < 4 + kBlockTrailerBytes) {
        return Status::Corruption(fmt::format("{}: block of {} bytes is too short", where, raw.size()));
    }
    size_t n = raw.size() - kBlockTrailerBytes;
    uint32_t stored = UnmaskCrc(DecodeFixed32(raw.data() + n));
    if (Crc32c(std::string_view(raw.data(), n)) != stored) {
        return Status::Corruption(fmt::format("{}: block checksum mismatch", where));
    }
    raw.resize(n);
    uint32_t num_restarts = DecodeFixed32(raw.data() + n - 4);
    if (num_restarts == 0 || (n - 4) / 4 < num_restarts) {
        return Status::Corruption(fmt::format("{}: bad restart count {}", where, num_restarts));
    }
    uint32_t restarts_offset = static_cast<uint32_t>(n - 4 - 4 * size_t{num_restarts});
    for (uint32_t i = 0; i < num_restarts; ++i) {
        if (DecodeFixed32(raw.data() + restarts_offset + 4 * i) >= restarts_offset) {
            return Status::Corruption(fmt::format("{}: restart point out of range", where));
        }
    }
    return std::shared_ptr<const Block>(new Block(std::move(raw), restarts_offset, num_restarts));
}

bool Block::RestartKey(uint32_t i, std::string_view* key) const {
    uint32_t offset = DecodeFixed32(data_.data() + restarts_offset_ + 4 * i);
    EntryHeader h;
    const char* limit = data_.data() + restarts_offset_;
    const char* p = DecodeEntry(data_.data() + offset, limit, &h);
    if (p == nullptr || h.shared != 0) return false;
    *key = std::string_view(p, h.unshared);
    return true;
}

Result<uint32_t> Block::LastRestartBefore(std::string_view key) const {
    // Binary search for the last restart whose key is < key (restart 0 when none is).
    uint32_t left = 0, right = num_restarts_ - 1;
    while (left < right) {
        uint32_t mid = (left + right + 1) / 2;
        std::string_view mid_key;
        if (!RestartKey(mid, &mid_key)) return Malformed(mid);
        if (mid_key < key) {
            left = mid;
        } else {
            right = mid - 1;
        }
    }
    return left;
}

Result<Block::Found> Block::Get(std::string_view key, std::string* value) const {
    ORRERY_ASSIGN_OR_RETURN(uint32_t restart, LastRestartBefore(key));
    const char* p = data_.data() + DecodeFixed32(data_.data() + restarts_offset_ + 4 * restart);
    const char* limit = data_.data() + restarts_offset_;
    std::string current;
    while (p < limit) {
        EntryHeader h;
        const char* delta = DecodeEntry(p, limit, &h);
        if (delta == nullptr || h.shared > current.size()) return Malformed(p - data_.data());
        current.resize(h.shared);
        current.append(delta, h.unshared);
        int c = std::string_view(current).compare(key);
        const char* value_start = delta + h.unshared;
        if (c == 0) {
            if (h.value_tag & 1) return Found::kDeleted;
            value->assign(value_start, h.value_tag >> 1);
            return Found::kValue;
        }
        if (c > 0) break;
        p = value_start + (h.value_tag >> 1);
    }
    return Found::kAbsent;
}

Result<uint32_t> Block::SeekOffset(std::string_view key) const {
    ORRERY_ASSIGN_OR_RETURN(uint32_t restart, LastRestartBefore(key));
    if (restart == 0) return uint32_t{0};
    return DecodeFixed32(data_.data() + restarts_offset_ + 4 * restart);
}

Status Block::DecodeNext(uint32_t* offset, bool first, std::string* key, std::string_view* value,
                         bool* is_delete) const {
    const char* p = data_.data() + *offset;
    const char* limit = data_.data() + restarts_offset_;
    EntryHeader h;
    const char* delta = p < limit ? DecodeEntry(p, limit, &h) : nullptr;
    if (delta == nullptr) return Malformed(*offset);
    if (first) {
        if (h.shared != 0) return Malformed(*offset);
        key->assign(delta, h.unshared);
    } else {
        // The new key is key[0, shared) + delta; it must be greater than the previous key, so
        // the delta must be greater than the rest of the previous key (DecodeAll's check).
        if (h.shared > key->size()) return Malformed(*offset);
        if (std::string_view(delta, h.unshared) <= std::string_view(*key).substr(h.shared)) {
            return Malformed(*offset);
        }
        key->resize(h.shared);
        key->append(delta, h.unshared);
    }
    const char* value_start = delta + h.unshared;
    *value = std::string_view(value_start, h.value_tag >> 1);
    *is_delete = (h.value_tag & 1) != 0;
    *offset = static_cast<uint32_t>(value_start + (h.value_tag >> 1) - data_.data());
    return Status::Ok();
}

Status Block::DecodeAll(std::vector<BlockEntry>* out, std::string* key_bytes) const {
    struct Pending {
        size_t key_offset, key_size;
        std::string_view value;
        bool is_delete;
    };
    std::vector<Pending> pending;
    key_bytes->clear();
    const char* p = data_.data();
    const char* limit = data_.data() + restarts_offset_;
    size_t last_offset = 0, last_size = 0;
    while (p < limit) {
        EntryHeader h;
        const char* delta = DecodeEntry(p, limit, &h);
        if (delta == nullptr || h.shared > last_size) return Malformed(p - data_.data());
        size_t offset = key_bytes->size();
        key_bytes->append(*key_bytes, last_offset, h.shared);
        key_bytes->append(delta, h.unshared);
        // Keys must strictly increase (the format's invariant, which Get's binary search relies
        // on). A block that breaks it despite a good CRC was written wrong: refuse it rather than
        // answer lookups from it (found by fuzz_lsm_block; regression input kept in fuzz/).
        if (!pending.empty() &&
            std::string_view(key_bytes->data() + last_offset, last_size) >=
                std::string_view(key_bytes->data() + offset, h.shared + h.unshared)) {
            return Malformed(p - data_.data());
        }
        last_offset = offset;
        last_size = h.shared + h.unshared;
        const char* value_start = delta + h.unshared;
        pending.push_back({offset, last_size, {value_start, h.value_tag >> 1}, (h.value_tag & 1) != 0});
        p = value_start + (h.value_tag >> 1);
    }
    out->clear();
    out->reserve(pending.size());
    for (const Pending& e : pending) {
        out->push_back({std::string_view(key_bytes->data() + e.key_offset, e.key_size), e.value,
                        e.is_delete});
    }
    return Status::Ok();
}

}  // namespace orrery::storage::lsm
