// Client-facing operations: proposals, ReadIndex (thesis §6.4), membership changes (thesis §4.1-
// 4.3, one server at a time) and leadership transfer (thesis §3.10).
#include <fmt/format.h>

#include <algorithm>

#include "raft/raft_impl.h"

namespace orrery::raft {

Status Raft::NotLeaderStatus() const {
    return Status::NotLeader(leader_ ? fmt::format("leader={}", leader_->value()) : "leader=none");
}

Result<LogIndex> Raft::Propose(std::string data) {
    if (role_ != Role::kLeader) return NotLeaderStatus();
    if (transferee_) return Status::Busy(fmt::format("leadership transfer to {} in progress", *transferee_));
    LogIndex index = log_->last_index() + 1;
    AppendToLog(Entry{term_, index, EntryType::kNormal, std::move(data)});
    // The appends leave from Ready, so that every proposal of a batch shares one Append per
    // follower instead of one each (a real process batches a whole turn of its event loop).
    append_pending_ = true;
    return index;
}

// ReadIndex: the read index is the commit index now, or this term's no-op if that is not
// committed yet (a new leader does not know the latest commit index until it commits an entry of
// its own term). The read is answered once a heartbeat round sent after this call was
// acknowledged by a majority (we were still leader) and the state machine caught up.
void Raft::ReadIndex(std::function<void(Status)> done) {
    if (role_ != Role::kLeader) {
        completions_.emplace_back(std::move(done), NotLeaderStatus());
        return;
    }
    if (reads_.size() >= kMaxPendingReads) {
        completions_.emplace_back(std::move(done), Status::Busy("too many pending reads"));
        return;
    }
    ++read_ctx_;
    reads_.push_back(PendingRead{read_ctx_, std::max(commit_, term_start_), 0, false, std::move(done)});
    read_round_pending_ = true;
}

void Raft::AdvanceReads() {
    if (role_ != Role::kLeader || reads_.empty()) return;
    if (config_.voters.empty()) return;
    uint64_t confirmed = QuorumValue(read_ctx_, [](const Progress& p) { return p.read_ack; });
    for (PendingRead& r : reads_) r.confirmed |= r.ctx <= confirmed;
    while (!reads_.empty() && reads_.front().confirmed &&
           reads_.front().index <= sm_.applied_index()) {
        completions_.emplace_back(std::move(reads_.front().done), Status::Ok());
        reads_.pop_front();
    }
}

void Raft::FailReads(const Status& status) {
    for (PendingRead& r : reads_) completions_.emplace_back(std::move(r.done), status);
    reads_.clear();
}

// Thesis §4.1: only one change at a time, and not before the leader has committed an entry of its
// own term (otherwise a change from a previous leader may still be in flight).
Status Raft::CheckCanChangeConfig() const {
    if (role_ != Role::kLeader) return NotLeaderStatus();
    if (transferee_) return Status::Busy("leadership transfer in progress");
    if (commit_ < term_start_) {
        return Status::Unavailable("the leader has not committed an entry of its term yet");
    }
    if (!config_history_.empty() && config_history_.rbegin()->first > commit_) {
        return Status::Busy(fmt::format("configuration change at {} still pending",
                                        config_history_.rbegin()->first));
    }
    return Status::Ok();
}

Result<LogIndex> Raft::ProposeConfig(Membership next) {
    std::sort(next.voters.begin(), next.voters.end());
    std::sort(next.learners.begin(), next.learners.end());
    std::string data;
    EncodeMembership(&data, next);
    LogIndex index = log_->last_index() + 1;
    AppendToLog(Entry{term_, index, EntryType::kConfig, std::move(data)});
    BroadcastAppend();
    MaybeCommit();
    return index;
}

Result<LogIndex> Raft::AddLearner(NodeId id) {
    ORRERY_RETURN_IF_ERROR(CheckCanChangeConfig());
    if (config_.IsMember(id)) return Status::AlreadyExists(fmt::format("{} is a member", id));
    if (IsClient(id) || id.value() == 0) return Status::InvalidArgument("not a server id");
    Membership next = config_;
    next.learners.push_back(id);
    return ProposeConfig(std::move(next));
}

Result<LogIndex> Raft::PromoteLearner(NodeId id) {
    ORRERY_RETURN_IF_ERROR(CheckCanChangeConfig());
    if (!config_.IsLearner(id)) return Status::InvalidArgument(fmt::format("{} is no learner", id));
    const Progress& pr = progress_.at(id);
    if (pr.match < commit_) {
        return Status::Unavailable(fmt::format("learner {} has not caught up (match={}, commit={})",
                                               id, pr.match, commit_));
    }
    Membership next = config_;
    std::erase(next.learners, id);
    next.voters.push_back(id);
    return ProposeConfig(std::move(next));
}

Result<LogIndex> Raft::RemoveServer(NodeId id) {
    ORRERY_RETURN_IF_ERROR(CheckCanChangeConfig());
    if (!config_.IsMember(id)) return Status::NotFound(fmt::format("{} is not a member", id));
    Membership next = config_;
    std::erase(next.voters, id);
    std::erase(next.learners, id);
    if (next.voters.empty()) return Status::InvalidArgument("cannot remove the last voter");
    return ProposeConfig(std::move(next));
}

// A configuration entry takes effect as soon as it is in the log (thesis §4.1), committed or
// not; a leader starts or stops replicating to the members it adds or removes.
void Raft::ApplyConfig(LogIndex index, const Membership& m) {
    config_history_[index] = m;
    config_ = m;
    if (role_ == Role::kLeader) {
        for (NodeId id : m.Members()) {
            if (id != cfg_.id && !progress_.contains(id)) {
                progress_[id].BecomeProbe(log_->last_index() + 1);
                progress_[id].recent_active = true;
            }
        }
        std::erase_if(progress_, [&](const auto& kv) { return !m.IsMember(kv.first); });
    } else {
        SetRole(role_ == Role::kFollower || role_ == Role::kLearner ? FollowerRole() : role_);
    }
}

Membership Raft::ConfigAt(LogIndex index) const {
    auto it = config_history_.upper_bound(index);
    if (it == config_history_.begin()) return log_->snapshot().config;
    return std::prev(it)->second;
}

void Raft::RebuildConfig() {
    config_history_.clear();
    for (LogIndex i = log_->first_index(); i <= log_->last_index(); ++i) {
        const Entry& e = log_->At(i);
        if (e.type != EntryType::kConfig) continue;
        Membership m;
        Decoder in(e.data);
        if (DecodeMembership(&in, &m) && in.empty()) config_history_[i] = m;
    }
    config_ = config_history_.empty() ? log_->snapshot().config : config_history_.rbegin()->second;
}

Status Raft::TransferLeadership(NodeId to) {
    if (role_ != Role::kLeader) return NotLeaderStatus();
    if (to == cfg_.id) return Status::Ok();
    if (!config_.IsVoter(to)) return Status::InvalidArgument(fmt::format("{} is not a voter", to));
    transferee_ = to;
    election_elapsed_ = 0;  // The transfer is abandoned after one election timeout.
    MaybeSendTimeoutNow();
    if (auto it = progress_.find(to); it != progress_.end()) {
        // Start catching it up now rather than at the next heartbeat.
        it->second.probe_sent = false;
        if (it->second.match < log_->last_index()) SendAppend(to, /*send_if_empty=*/true);
    }
    return Status::Ok();
}

// Thesis §3.10: once the target's log matches ours, tell it to campaign at once.
void Raft::MaybeSendTimeoutNow() {
    if (!transferee_) return;
    auto it = progress_.find(*transferee_);
    if (it == progress_.end() || it->second.match != log_->last_index()) return;
    Send(*transferee_, MakeMessage(MsgType::kTimeoutNow));
}

void Raft::HandleTimeoutNow(NodeId from) {
    if (!Promotable() || role_ == Role::kLeader) return;
    Note(fmt::format("TimeoutNow from {}: campaigning at once", from));
    StartElection(/*pre_vote=*/false, /*transfer=*/true);
}

}  // namespace orrery::raft
