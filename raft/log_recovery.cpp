// LogStore recovery: rebuilding the in-memory log from the hard state, the snapshot and the
// segment files after a crash. See log_store.h for the rules (torn tail vs corruption).
#include <fmt/format.h>

#include <charconv>

#include "core/checksum.h"
#include "core/coding.h"
#include "raft/log_store.h"
#include "raft/message.h"

namespace orrery::raft {
namespace {

constexpr size_t kRecordHeaderBytes = 8;
constexpr uint32_t kMaxRecordBytes = 64 << 20;  // A bound for reading untrusted lengths.
constexpr std::string_view kSegmentPrefix = "log-";

std::optional<LogIndex> ParseSegmentName(const std::string& name) {
    if (name.size() != kSegmentPrefix.size() + 20 || !name.starts_with(kSegmentPrefix)) {
        return std::nullopt;
    }
    uint64_t v = 0;
    const char* begin = name.data() + kSegmentPrefix.size();
    auto [ptr, ec] = std::from_chars(begin, name.data() + name.size(), v);
    if (ec != std::errc() || ptr != name.data() + name.size()) return std::nullopt;
    return LogIndex(v);
}

// Decodes one record at `pos`; returns its total size, or 0 when the bytes are not a valid record.
size_t DecodeRecord(std::string_view bytes, size_t pos, Term* prev_term, Entry* e) {
    if (bytes.size() - pos < kRecordHeaderBytes) return 0;
    uint32_t crc = UnmaskCrc(DecodeFixed32(bytes.data() + pos));
    uint32_t len = DecodeFixed32(bytes.data() + pos + 4);
    if (len > kMaxRecordBytes || len > bytes.size() - pos - kRecordHeaderBytes) return 0;
    std::string_view payload = bytes.substr(pos + kRecordHeaderBytes, len);
    if (crc != Crc32c(payload, Crc32c(bytes.substr(pos + 4, 4)))) return 0;
    Decoder in(payload);
    uint64_t pt = 0;
    if (!in.GetVarint64(&pt) || !DecodeEntry(&in, e) || !in.empty()) return 0;
    *prev_term = Term(pt);
    return kRecordHeaderBytes + len;
}

}  // namespace

Result<std::unique_ptr<LogStore>> LogStore::Open(Disk& disk, uint64_t segment_bytes,
                                                 const Membership& initial) {
    std::unique_ptr<LogStore> store(new LogStore(disk, segment_bytes));
    ORRERY_RETURN_IF_ERROR(store->Recover(initial));
    return store;
}

Status LogStore::Recover(const Membership& initial) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> names, disk_.List());
    bool has_log = false;
    for (const std::string& n : names) has_log |= ParseSegmentName(n).has_value();
    bool has_snapshot = disk_.Exists(kSnapshotFile);
    ORRERY_ASSIGN_OR_RETURN(std::optional<HardState> hs, ReadHardState(disk_, &hs_seq_));
    snap_ = SnapshotMeta{LogIndex(0), Term(0), initial};
    if (!hs) {
        if (has_log || has_snapshot) {
            return Status::Corruption("raft: log or snapshot present but no valid hard state");
        }
        // First boot (or a first boot that crashed before its first sync).
        ORRERY_ASSIGN_OR_RETURN(hs_file_, disk_.Open(kHardStateFile, OpenMode::kCreateTruncate));
        hs_seq_ = 0;
        ORRERY_RETURN_IF_ERROR(WriteHardStateNow(LogIndex(0)));
        return disk_.SyncDir();
    }
    hs_ = written_hs_ = *hs;
    ORRERY_ASSIGN_OR_RETURN(hs_file_, disk_.Open(kHardStateFile, OpenMode::kReadWrite));
    if (has_snapshot) {
        ORRERY_ASSIGN_OR_RETURN(std::string bytes, disk_.ReadAll(kSnapshotFile));
        std::string data;
        Result<SnapshotMeta> meta = DecodeSnapshotFile(bytes, &data);
        if (!meta.ok()) return meta.status().WithContext("raft recovery");
        snap_ = *meta;
    }
    ORRERY_RETURN_IF_ERROR(RecoverSegments());
    durable_index_ = last_index();
    written_last_ = last_index();
    hs_.commit = std::min(std::max(hs_.commit, snap_.index), last_index());
    if (written_hs_.durable_index != durable_index_) {
        for (auto& [first, seg] : segments_) ORRERY_RETURN_IF_ERROR(seg.file->Sync());
        ORRERY_RETURN_IF_ERROR(WriteHardStateNow(durable_index_));
    }
    return Status::Ok();
}

// Reads every segment in index order into entries_ (keeping only entries after the snapshot).
Status LogStore::RecoverSegments() {
    ORRERY_ASSIGN_OR_RETURN(std::vector<std::string> names, disk_.List());
    bool dir_changed = false;
    for (const std::string& name : names) {
        std::optional<LogIndex> first = ParseSegmentName(name);
        if (first) ORRERY_RETURN_IF_ERROR(OpenSegment(*first, OpenMode::kReadWrite, &dir_changed));
    }
    for (auto& [first, seg] : segments_) {
        bool stop = false;
        ORRERY_RETURN_IF_ERROR(ReadSegment(SegmentName(first), first, &stop));
        if (stop) break;
    }
    // Reconcile with the snapshot (§7): the log must continue right after it with a matching term,
    // or the whole log is stale and dropped.
    bool connects = entries_.empty() || entries_.front().index <= snap_.index + 1;
    if (connects && snap_.index > LogIndex(0) && !entries_.empty()) {
        std::optional<Term> t;
        if (entries_.front().index == snap_.index + 1) t = first_prev_term_;
        for (const Entry& e : entries_) {
            if (e.index == snap_.index) t = e.term;
        }
        connects = t == snap_.term;
    }
    if (!connects) {
        if (!entries_.empty() && entries_.front().index > snap_.index + 1 &&
            written_hs_.durable_index > snap_.index) {
            return Status::Corruption(fmt::format(
                "raft log: entries {}..{} missing after the snapshot at {}", snap_.index + 1,
                entries_.front().index - 1, snap_.index));
        }
        if (!entries_.empty()) recovery_note_ = "dropped log entries superseded by the snapshot";
        entries_.clear();
        offsets_.clear();
        ORRERY_RETURN_IF_ERROR(RemoveSegmentsFrom(LogIndex(0), &dir_changed));
    } else {
        while (!entries_.empty() && entries_.front().index <= snap_.index) entries_.pop_front();
        offsets_.erase(offsets_.begin(), offsets_.lower_bound(snap_.index + 1));
        if (last_index() < written_hs_.durable_index) {
            return Status::Corruption(fmt::format(
                "raft log: synced entries up to {} but the log ends at {}",
                written_hs_.durable_index, last_index()));
        }
    }
    if (dir_changed) ORRERY_RETURN_IF_ERROR(disk_.SyncDir());
    return Status::Ok();
}

// Reads one segment's records. The first invalid record ends the log: at or below the durable
// index it is corruption; above it, a torn tail, cut here (with every later segment).
Status LogStore::ReadSegment(const std::string& name, LogIndex first, bool* stop) {
    Segment& seg = segments_.at(first);
    std::string bytes;
    ORRERY_RETURN_IF_ERROR(seg.file->Read(0, seg.size, &bytes));
    LogIndex expect = entries_.empty() ? first : entries_.back().index + 1;
    std::string why = expect == first ? "" : "segment does not continue the log";
    size_t pos = 0;
    while (why.empty() && pos < bytes.size()) {
        Entry e;
        Term prev_term;
        size_t n = DecodeRecord(bytes, pos, &prev_term, &e);
        if (n == 0) {
            why = fmt::format("bad record at offset {} of {}", pos, name);
        } else if (e.index != expect || (!entries_.empty() && (prev_term != entries_.back().term ||
                                                                e.term < prev_term))) {
            why = fmt::format("record at offset {} of {} breaks the chain", pos, name);
        } else {
            offsets_[e.index] = pos;
            if (entries_.empty()) first_prev_term_ = prev_term;
            entries_.push_back(std::move(e));
            pos += n;
            ++expect;
        }
    }
    if (why.empty()) return Status::Ok();
    if (expect <= written_hs_.durable_index) {
        return Status::Corruption(fmt::format("raft log: entry {} was synced but is unreadable: {}",
                                              expect, why));
    }
    *stop = true;
    return CutTail(expect, first, pos, why);
}

// Cuts a torn tail: segment `seg_first` is truncated at byte `pos` (removed when pos is 0) and
// every later segment is removed.
Status LogStore::CutTail(LogIndex from, LogIndex seg_first, uint64_t pos, const std::string& why) {
    recovery_note_ = fmt::format("cut torn log tail at index {} ({})", from, why);
    bool dir_changed = false;
    ORRERY_RETURN_IF_ERROR(RemoveSegmentsFrom(pos == 0 ? seg_first : seg_first + 1, &dir_changed));
    if (pos > 0) {
        Segment& seg = segments_.at(seg_first);
        ORRERY_RETURN_IF_ERROR(seg.file->Truncate(pos));
        ORRERY_RETURN_IF_ERROR(seg.file->Sync());
        seg.size = pos;
    }
    if (dir_changed) ORRERY_RETURN_IF_ERROR(disk_.SyncDir());
    return Status::Ok();
}

}  // namespace orrery::raft
