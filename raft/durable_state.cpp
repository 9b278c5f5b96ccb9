// Hard-state slots and the snapshot file format. See durable_state.h.
#include "raft/durable_state.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::raft {
namespace {

constexpr size_t kSlotBytes = kSectorBytes;

std::optional<std::pair<uint64_t, HardState>> DecodeSlot(std::string_view slot) {
    if (slot.size() < 4) return std::nullopt;
    Decoder in(slot.substr(4));
    uint8_t version = 0;
    uint64_t seq = 0, term = 0, commit = 0, durable = 0;
    uint32_t vote = 0;
    if (!in.GetU8(&version) || version != kDurableVersion || !in.GetVarint64(&seq) ||
        !in.GetVarint64(&term) || !in.GetVarint32(&vote) || !in.GetVarint64(&commit) ||
        !in.GetVarint64(&durable)) {
        return std::nullopt;
    }
    size_t used = slot.size() - 4 - in.remaining();
    if (UnmaskCrc(DecodeFixed32(slot.data())) != Crc32c(slot.substr(4, used))) return std::nullopt;
    return std::make_pair(seq, HardState{Term(term), vote, LogIndex(commit), LogIndex(durable)});
}

}  // namespace

Result<std::optional<HardState>> ReadHardState(Disk& disk, uint64_t* seq) {
    if (!disk.Exists(kHardStateFile)) return std::optional<HardState>();
    ORRERY_ASSIGN_OR_RETURN(std::string bytes, disk.ReadAll(kHardStateFile));
    std::optional<std::pair<uint64_t, HardState>> best;
    for (size_t slot = 0; slot < 2; ++slot) {
        if (bytes.size() <= slot * kSlotBytes) break;
        auto got = DecodeSlot(std::string_view(bytes).substr(slot * kSlotBytes, kSlotBytes));
        if (got && (!best || got->first > best->first)) best = got;
    }
    if (!best) return std::optional<HardState>();
    *seq = best->first;
    return std::optional<HardState>(best->second);
}

Status WriteHardState(File& file, const HardState& hs, uint64_t seq) {
    std::string rec(4, '\0');
    rec.push_back(static_cast<char>(kDurableVersion));
    PutVarint64(&rec, seq);
    PutVarint64(&rec, hs.term.value());
    PutVarint32(&rec, hs.voted_for);
    PutVarint64(&rec, hs.commit.value());
    PutVarint64(&rec, hs.durable_index.value());
    ORRERY_ASSERT(rec.size() <= kSlotBytes);
    EncodeFixed32(rec.data(), MaskCrc(Crc32c(std::string_view(rec).substr(4))));
    ORRERY_RETURN_IF_ERROR(file.Write((seq % 2) * kSlotBytes, rec));
    return file.Sync();
}

std::string EncodeSnapshotFile(const SnapshotMeta& meta, std::string_view data) {
    std::string out(4, '\0');
    out.push_back(static_cast<char>(kDurableVersion));
    PutVarint64(&out, meta.index.value());
    PutVarint64(&out, meta.term.value());
    EncodeMembership(&out, meta.config);
    PutLengthPrefixed(&out, data);
    EncodeFixed32(out.data(), MaskCrc(Crc32c(std::string_view(out).substr(4))));
    return out;
}

Result<SnapshotMeta> DecodeSnapshotFile(std::string_view bytes, std::string* data) {
    if (bytes.size() < 5) return Status::Corruption("raft snapshot file too short");
    if (UnmaskCrc(DecodeFixed32(bytes.data())) != Crc32c(bytes.substr(4))) {
        return Status::Corruption("raft snapshot file checksum mismatch");
    }
    Decoder in(bytes.substr(4));
    uint8_t version = 0;
    uint64_t index = 0, term = 0;
    SnapshotMeta meta;
    std::string_view body;
    if (!in.GetU8(&version) || version != kDurableVersion || !in.GetVarint64(&index) ||
        !in.GetVarint64(&term) || !DecodeMembership(&in, &meta.config) ||
        !in.GetLengthPrefixed(&body) || !in.empty()) {
        return Status::Corruption("raft snapshot file malformed");
    }
    meta.index = LogIndex(index);
    meta.term = Term(term);
    *data = std::string(body);
    return meta;
}

}  // namespace orrery::raft
