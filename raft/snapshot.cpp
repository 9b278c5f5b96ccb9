// Snapshots (§7): compacting the log after the state machine has applied enough entries, and
// InstallSnapshot, sent in chunks, assembled and checksummed by the follower.
#include <fmt/format.h>

#include <algorithm>

#include "core/checksum.h"
#include "raft/raft_impl.h"

namespace orrery::raft {

// Takes a snapshot of the state machine and compacts the log once more than
// snapshot_threshold_entries applied entries sit in the log.
Status Raft::MaybeCompact() {
    LogIndex applied = sm_.applied_index();
    LogIndex snap = log_->snapshot().index;
    if (applied <= snap || applied.value() - snap.value() < cfg_.snapshot_threshold_entries) {
        return Status::Ok();
    }
    ORRERY_ASSIGN_OR_RETURN(std::string data, sm_.Snapshot());
    SnapshotMeta meta{applied, *log_->TermAt(applied), ConfigAt(applied)};
    ORRERY_RETURN_IF_ERROR(log_->SaveSnapshot(meta, data));
    config_history_.erase(config_history_.begin(), config_history_.upper_bound(applied));
    snap_cache_ = std::move(data);
    snap_cache_index_ = applied;
    Note(fmt::format("snapshot at {}@{}, log compacted", meta.index, meta.term));
    return Status::Ok();
}

void Raft::StartSnapshot(NodeId to) {
    Progress& pr = progress_.at(to);
    LogIndex snap = log_->snapshot().index;
    if (snap_cache_index_ != snap) {
        Result<std::string> data = log_->ReadSnapshotData();
        if (!data.ok()) {
            failed_ = data.status().WithContext("reading the snapshot to send");
            return;
        }
        snap_cache_ = std::move(data).value();
        snap_cache_index_ = snap;
    }
    pr.state = ProgressState::kSnapshot;
    pr.snap_index = snap;
    pr.snap_offset = 0;
    pr.snap_idle_ticks = 0;
    pr.inflight.clear();
    SendSnapshotChunk(to);
}

void Raft::SendSnapshotChunk(NodeId to) {
    Progress& pr = progress_.at(to);
    if (pr.snap_index != log_->snapshot().index || snap_cache_index_ != pr.snap_index) {
        StartSnapshot(to);  // We compacted again meanwhile: send the newer snapshot.
        return;
    }
    uint64_t total = snap_cache_.size();
    uint64_t chunk = cfg_.snapshot_chunk_bytes;
    Message m = MakeMessage(MsgType::kSnapshot);
    m.snap_index = pr.snap_index;
    m.snap_term = log_->snapshot().term;
    m.snap_config = log_->snapshot().config;
    m.total_bytes = total;
    m.offset = std::min(pr.snap_offset, total);
    m.snap_crc = Crc32c(snap_cache_);
    m.chunk_count = static_cast<uint32_t>(std::max<uint64_t>(1, (total + chunk - 1) / chunk));
    m.chunk_no = static_cast<uint32_t>(std::min<uint64_t>(m.offset / chunk, m.chunk_count - 1));
    m.chunk = snap_cache_.substr(m.offset, chunk);
    Send(to, std::move(m));
}

// The follower assembles chunks in order; any gap restarts from the offset it expects.
void Raft::HandleSnapshot(NodeId from, const Message& m) {
    if (role_ != Role::kFollower && role_ != Role::kLearner) BecomeFollower(term_, from);
    leader_ = from;
    election_elapsed_ = 0;
    if (m.snap_index <= commit_) {
        Message resp = MakeMessage(MsgType::kAppendResp, true);
        resp.match = commit_;
        Send(from, resp);
        return;
    }
    if (m.offset == 0) {
        incoming_ = IncomingSnapshot{m.snap_index, m.snap_term, m.snap_config, m.total_bytes,
                                     m.snap_crc, ""};
    }
    Message resp = MakeMessage(MsgType::kSnapshotResp);
    resp.snap_index = m.snap_index;
    if (!incoming_ || incoming_->index != m.snap_index || incoming_->term != m.snap_term ||
        incoming_->crc != m.snap_crc || m.offset != incoming_->data.size()) {
        resp.offset = incoming_ && incoming_->index == m.snap_index ? incoming_->data.size() : 0;
        Send(from, resp);
        return;
    }
    incoming_->data += m.chunk;
    if (incoming_->data.size() < incoming_->total_bytes) {
        resp.granted = true;
        resp.offset = incoming_->data.size();
        Send(from, resp);
        return;
    }
    IncomingSnapshot in = std::move(*incoming_);
    incoming_.reset();
    if (Crc32c(in.data) != in.crc) {
        Note(fmt::format("snapshot {} from {} failed its checksum, discarded", in.index, from));
        Send(from, resp);  // Rejected at offset 0: the leader starts over.
        return;
    }
    Status s = InstallSnapshot(in);
    if (!s.ok()) {
        failed_ = s;
        return;
    }
    Message ok = MakeMessage(MsgType::kAppendResp, true);
    ok.match = in.index;
    Send(from, ok);  // After Ready: the snapshot is durable already (SaveSnapshot syncs).
}

// Makes the snapshot durable, then replaces the state machine (§7 steps 6-8). If the node crashes
// in between, Open sees a snapshot beyond the state machine and restores it then.
Status Raft::InstallSnapshot(const IncomingSnapshot& in) {
    ORRERY_RETURN_IF_ERROR(log_->Sync());
    SnapshotMeta meta{in.index, in.term, in.config};
    ORRERY_RETURN_IF_ERROR(log_->SaveSnapshot(meta, in.data));
    if (sm_.applied_index() < in.index) ORRERY_RETURN_IF_ERROR(sm_.Restore(in.index, in.data));
    config_history_.erase(config_history_.begin(), config_history_.upper_bound(in.index));
    if (log_->last_index() == in.index) config_history_.clear();
    RebuildConfig();
    SetCommit(in.index);
    snap_cache_ = in.data;
    snap_cache_index_ = in.index;
    Note(fmt::format("installed snapshot {}@{}", in.index, in.term));
    if (role_ != Role::kLeader) SetRole(FollowerRole());
    return Status::Ok();
}

void Raft::HandleSnapshotResponse(NodeId from, const Message& m) {
    if (role_ != Role::kLeader) return;
    auto it = progress_.find(from);
    if (it == progress_.end()) return;
    Progress& pr = it->second;
    pr.recent_active = true;
    if (pr.state != ProgressState::kSnapshot || m.snap_index != pr.snap_index) return;
    pr.snap_offset = m.offset;
    pr.snap_idle_ticks = 0;
    if (m.offset < snap_cache_.size()) SendSnapshotChunk(from);
}

}  // namespace orrery::raft
