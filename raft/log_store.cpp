// LogStore: mutations, the group-commit Sync, and snapshots. Recovery is in log_recovery.cpp.
#include "raft/log_store.h"

#include <fmt/format.h>

#include "core/checksum.h"
#include "core/coding.h"
#include "raft/message.h"

namespace orrery::raft {

std::string SegmentName(LogIndex first) { return fmt::format("log-{:020}", first.value()); }

std::optional<Term> LogStore::TermAt(LogIndex i) const {
    if (i == snap_.index) return snap_.term;
    if (i < first_index() || i > last_index()) return std::nullopt;
    return entries_[i.value() - first_index().value()].term;
}

const Entry& LogStore::At(LogIndex i) const {
    ORRERY_ASSERT(i >= first_index() && i <= last_index(), "log index {} outside [{}, {}]", i,
                  first_index(), last_index());
    return entries_[i.value() - first_index().value()];
}

Term LogStore::LastTerm() const { return entries_.empty() ? snap_.term : entries_.back().term; }

void LogStore::Append(Entry e) {
    ORRERY_ASSERT(e.index == last_index() + 1, "append {} after {}", e.index, last_index());
    ORRERY_ASSERT(e.term >= LastTerm(), "append term {} after term {}", e.term, LastTerm());
    entries_.push_back(std::move(e));
}

void LogStore::TruncateFrom(LogIndex i) {
    ORRERY_ASSERT(i > snap_.index, "truncating {} at or below the snapshot {}", i, snap_.index);
    if (i <= last_index()) ++rewrites_;
    while (!entries_.empty() && entries_.back().index >= i) entries_.pop_back();
    if (i <= written_last_) {
        if (!truncation_ || i < truncation_->from) truncation_ = Truncation{i};
    }
}

void LogStore::SetHardState(Term term, uint32_t voted_for, LogIndex commit) {
    ORRERY_ASSERT(term >= hs_.term, "term goes back from {} to {}", hs_.term, term);
    hs_.term = term;
    hs_.voted_for = voted_for;
    hs_.commit = commit;
}

bool LogStore::log_dirty() const {
    return truncation_.has_value() || written_last_ != last_index();
}

bool LogStore::hard_state_dirty() const {
    return hs_.term != written_hs_.term || hs_.voted_for != written_hs_.voted_for ||
           durable_index_ != written_hs_.durable_index;
}

bool LogStore::dirty() const { return log_dirty() || hard_state_dirty(); }

Status LogStore::WriteHardStateNow(LogIndex durable) {
    HardState next = hs_;
    next.durable_index = durable;
    next.commit = std::min(next.commit, std::max(durable, snap_.index));
    ++hs_seq_;
    ORRERY_RETURN_IF_ERROR(WriteHardState(*hs_file_, next, hs_seq_));
    written_hs_ = next;
    return Status::Ok();
}

Status LogStore::Sync() {
    ORRERY_RETURN_IF_ERROR(SyncLog());
    return SyncHardState();
}

Status LogStore::SyncLog() {
    if (!log_dirty()) return Status::Ok();
    bool dir_changed = false;
    if (truncation_) ORRERY_RETURN_IF_ERROR(ApplyTruncation());
    ORRERY_RETURN_IF_ERROR(WritePending(&dir_changed));
    for (auto& [first, seg] : segments_) {
        if (!seg.dirty) continue;
        ORRERY_RETURN_IF_ERROR(seg.file->Sync());
        seg.dirty = false;
    }
    if (dir_changed) ORRERY_RETURN_IF_ERROR(disk_.SyncDir());
    durable_index_ = last_index();
    ORRERY_ASSERT(!log_dirty(), "log still dirty after SyncLog");
    return Status::Ok();
}

// The hard state goes last: the durable index it records must never run ahead of what the
// segments hold durably, or recovery would call a torn tail corruption. durable_index_ never
// does: it moves up only in SyncLog after the segments were synced, and a truncation that removes
// synced records lowers the recorded index on disk before it touches them (ApplyTruncation).
// Entries appended since the last SyncLog are not covered and need not be.
Status LogStore::SyncHardState() {
    if (!hard_state_dirty()) return Status::Ok();
    ORRERY_ASSERT(durable_index_ <= written_last_, "durable index {} beyond the written log {}",
                  durable_index_, written_last_);
    return WriteHardStateNow(durable_index_);
}

// A conflicting suffix is being replaced (§5.3). If synced entries are affected, first lower the
// durable index on disk, so that a crash in the middle of the overwrite reads as a torn tail
// rather than as corruption of synced data.
Status LogStore::ApplyTruncation() {
    LogIndex from = truncation_->from;
    truncation_.reset();
    if (from <= written_hs_.durable_index) ORRERY_RETURN_IF_ERROR(WriteHardStateNow(from - 1));
    bool dir_changed = false;
    ORRERY_RETURN_IF_ERROR(RemoveSegmentsFrom(from, &dir_changed));
    if (dir_changed) ORRERY_RETURN_IF_ERROR(disk_.SyncDir());
    auto it = offsets_.find(from);
    if (it != offsets_.end() && !segments_.empty()) {
        Segment& seg = std::prev(segments_.end())->second;
        ORRERY_RETURN_IF_ERROR(seg.file->Truncate(it->second));
        seg.size = it->second;
        seg.dirty = true;
        offsets_.erase(it, offsets_.end());
    }
    written_last_ = from - 1;
    durable_index_ = std::min(durable_index_, from - 1);
    return Status::Ok();
}

Status LogStore::RemoveSegmentsFrom(LogIndex first, bool* dir_changed) {
    while (!segments_.empty() && std::prev(segments_.end())->first >= first) {
        auto last = std::prev(segments_.end());
        last->second.file.reset();
        ORRERY_RETURN_IF_ERROR(disk_.Remove(SegmentName(last->first)));
        offsets_.erase(offsets_.lower_bound(last->first), offsets_.end());
        segments_.erase(last);
        *dir_changed = true;
    }
    return Status::Ok();
}

Status LogStore::OpenSegment(LogIndex first, OpenMode mode, bool* dir_changed) {
    ORRERY_ASSIGN_OR_RETURN(auto file, disk_.Open(SegmentName(first), mode));
    Segment seg;
    seg.first = first;
    seg.size = file->Size();
    seg.file = std::move(file);
    segments_[first] = std::move(seg);
    if (mode != OpenMode::kReadWrite) *dir_changed = true;
    return Status::Ok();
}

// Writes every entry after written_last_ as records, rolling to a new segment when the current
// one is full. One Append call per segment.
Status LogStore::WritePending(bool* dir_changed) {
    LogIndex i = written_last_ + 1;
    while (i <= last_index()) {
        if (segments_.empty() || std::prev(segments_.end())->second.size >= segment_bytes_) {
            ORRERY_RETURN_IF_ERROR(OpenSegment(i, OpenMode::kCreateTruncate, dir_changed));
        }
        Segment& seg = std::prev(segments_.end())->second;
        std::string buf;
        for (; i <= last_index() && seg.size + buf.size() < segment_bytes_; ++i) {
            offsets_[i] = seg.size + buf.size();
            std::string payload;
            PutVarint64(&payload, TermAt(i - 1).value_or(Term(0)).value());
            EncodeEntry(&payload, At(i));
            std::string header(8, '\0');
            EncodeFixed32(header.data() + 4, static_cast<uint32_t>(payload.size()));
            uint32_t crc = Crc32c(payload, Crc32c(std::string_view(header).substr(4)));
            EncodeFixed32(header.data(), MaskCrc(crc));
            buf += header;
            buf += payload;
        }
        ORRERY_RETURN_IF_ERROR(seg.file->Append(buf));
        seg.size += buf.size();
        seg.dirty = true;
    }
    written_last_ = last_index();
    return Status::Ok();
}

Status LogStore::SaveSnapshot(const SnapshotMeta& meta, std::string_view data) {
    ORRERY_ASSERT(meta.index > snap_.index, "snapshot {} not after {}", meta.index, snap_.index);
    ORRERY_RETURN_IF_ERROR(Sync());
    ORRERY_RETURN_IF_ERROR(disk_.WriteAtomically(kSnapshotFile, EncodeSnapshotFile(meta, data)));
    bool keep = TermAt(meta.index) == meta.term;
    bool dir_changed = false;
    if (keep) {
        while (!entries_.empty() && entries_.front().index <= meta.index) entries_.pop_front();
        // Remove whole segments that the snapshot covers (the next one starts at or before it).
        while (segments_.size() > 1 && std::next(segments_.begin())->first <= meta.index + 1) {
            LogIndex first = segments_.begin()->first;
            segments_.erase(segments_.begin());
            ORRERY_RETURN_IF_ERROR(disk_.Remove(SegmentName(first)));
            dir_changed = true;
        }
        offsets_.erase(offsets_.begin(), offsets_.lower_bound(meta.index + 1));
    } else {
        if (!entries_.empty()) ++rewrites_;
        entries_.clear();
        ORRERY_RETURN_IF_ERROR(RemoveSegmentsFrom(LogIndex(0), &dir_changed));
        offsets_.clear();
        written_last_ = meta.index;
    }
    snap_ = meta;
    if (dir_changed) ORRERY_RETURN_IF_ERROR(disk_.SyncDir());
    durable_index_ = last_index();
    hs_.commit = std::max(hs_.commit, meta.index);
    return WriteHardStateNow(durable_index_);
}

Result<std::string> LogStore::ReadSnapshotData() {
    if (snap_.index == LogIndex(0) || !disk_.Exists(kSnapshotFile)) return std::string();
    ORRERY_ASSIGN_OR_RETURN(std::string bytes, disk_.ReadAll(kSnapshotFile));
    std::string data;
    ORRERY_ASSIGN_OR_RETURN(SnapshotMeta meta, DecodeSnapshotFile(bytes, &data));
    if (meta.index != snap_.index) return Status::Corruption("raft snapshot file changed");
    return data;
}

}  // namespace orrery::raft
