// Raft: opening a node, the Ready loop (persist, send, apply), ticks, role transitions, tracing.
#include <fmt/format.h>

#include <algorithm>

#include "raft/raft_impl.h"

namespace orrery::raft {

std::string_view RoleName(Role role) {
    switch (role) {
        case Role::kFollower: return "follower";
        case Role::kPreCandidate: return "pre-candidate";
        case Role::kCandidate: return "candidate";
        case Role::kLeader: return "leader";
        case Role::kLearner: return "learner";
    }
    return "unknown";
}

Result<std::unique_ptr<RaftNode>> RaftNode::Open(Env& env, Disk& disk, RaftConfig config,
                                                 StateMachine& sm, Send send) {
    if (config.election_ticks < 1 || config.heartbeat_ticks < 1 ||
        config.heartbeat_ticks >= config.election_ticks + 1 || config.max_append_entries < 1 ||
        config.max_inflight < 1 || config.snapshot_chunk_bytes < 1 ||
        config.snapshot_threshold_entries < 1 || config.segment_bytes < 64) {
        return Status::InvalidArgument("raft: bad RaftConfig limits");
    }
    auto raft = std::make_unique<Raft>(env, disk, std::move(config), sm, std::move(send));
    ORRERY_RETURN_IF_ERROR(raft->Init());
    return std::unique_ptr<RaftNode>(std::move(raft));
}

Raft::Raft(Env& env, Disk& disk, RaftConfig config, StateMachine& sm, RaftNode::Send send)
    : env_(env),
      disk_(disk),
      cfg_(std::move(config)),
      sm_(sm),
      send_(std::move(send)),
      rng_(env.random.Fork(fmt::format("raft/{}", cfg_.id))) {}

// Recovery: the log store rebuilds the log; the state machine is brought up to the snapshot if
// it is behind it; the configuration is the latest one in the log (thesis §4.1).
Status Raft::Init() {
    Membership initial;
    initial.voters = cfg_.peers;
    std::sort(initial.voters.begin(), initial.voters.end());
    initial.voters.erase(std::unique(initial.voters.begin(), initial.voters.end()),
                         initial.voters.end());
    ORRERY_ASSIGN_OR_RETURN(log_, LogStore::Open(disk_, cfg_.segment_bytes, initial));
    if (!log_->recovery_note().empty()) Note("recovery: " + log_->recovery_note());
    const HardState& hs = log_->hard_state();
    term_ = hs.term;
    if (hs.voted_for != 0) vote_ = NodeId(hs.voted_for);
    commit_ = hs.commit;
    LogIndex snap = log_->snapshot().index;
    if (sm_.applied_index() < snap) {
        ORRERY_ASSIGN_OR_RETURN(std::string data, log_->ReadSnapshotData());
        ORRERY_RETURN_IF_ERROR(sm_.Restore(snap, data));
    }
    if (sm_.applied_index() > log_->last_index()) {
        return Status::Corruption(fmt::format("raft: state machine applied {} beyond the log end {}",
                                              sm_.applied_index(), log_->last_index()));
    }
    commit_ = std::max(commit_, sm_.applied_index());
    RebuildConfig();
    role_ = FollowerRole();
    ResetElectionTimer();
    return Status::Ok();
}

std::optional<Entry> Raft::EntryAt(LogIndex i) const {
    const Entry* e = FindEntry(i);
    return e ? std::optional<Entry>(*e) : std::nullopt;
}

const Entry* Raft::FindEntry(LogIndex i) const {
    if (i < log_->first_index() || i > log_->last_index()) return nullptr;
    return &log_->At(i);
}

void Raft::Trace(std::string_view kind, TraceFields fields) {
    env_.tracer.Record(cfg_.id, kind, fields);
}

void Raft::Note(const std::string& text) { Trace("note", {{"text", text}}); }

void Raft::Send(NodeId to, Message m) {
    ORRERY_ASSERT(to != cfg_.id, "sending to self");
    ORRERY_ASSERT(outbox_.size() < kMaxOutbox, "raft outbox overflow");
    m.term = m.term == Term(0) ? term_ : m.term;
    if (m.type == MsgType::kAppendResp && m.granted && CoalesceAppendResp(to, m)) return;
    outbox_.emplace_back(to, EncodeMessage(m));
}

// A follower that handled several appends in one batch (a real process runs one Ready per turn
// of its event loop) owes the leader one answer, not one per append: a granted AppendResp says
// "my log matches yours up to match", and a higher match implies every lower one. So a granted
// answer to the same leader in the same term replaces the earlier one in the outbox, in the
// earlier one's place (never later: the leader's heartbeat logic counts on acks of appends sent
// before a heartbeat arriving before its response). Returns true if m was merged or subsumed.
bool Raft::CoalesceAppendResp(NodeId to, const Message& m) {
    auto it = granted_resp_.find(to);
    if (it == granted_resp_.end() || it->second.term != m.term) {
        granted_resp_[to] = GrantedResp{outbox_.size(), m.term, m.match};
        return false;
    }
    ORRERY_ASSERT(it->second.slot < outbox_.size(), "coalesced answer outside the outbox");
    if (m.match > it->second.match) {
        outbox_[it->second.slot].second = EncodeMessage(m);
        it->second.match = m.match;
    }
    return true;
}

void Raft::SendOutbox() {
    std::vector<std::pair<NodeId, std::string>> out;
    out.swap(outbox_);
    granted_resp_.clear();
    for (auto& [to, bytes] : out) send_(to, std::move(bytes));
}

Role Raft::FollowerRole() const {
    return config_.IsLearner(cfg_.id) ? Role::kLearner : Role::kFollower;
}

void Raft::SetRole(Role role) {
    if (role == role_) return;
    role_ = role;
    Trace("role", {{"role", RoleName(role)}, {"term", term_}});
}

void Raft::SetCommit(LogIndex index) {
    if (index <= commit_) return;
    ORRERY_ASSERT(index <= log_->last_index(), "commit {} beyond last {}", index, log_->last_index());
    commit_ = index;
    Trace("commit", {{"index", commit_}});
}

void Raft::ResetElectionTimer() {
    election_elapsed_ = 0;
    randomized_timeout_ =
        cfg_.election_ticks + static_cast<int>(rng_.Uniform(static_cast<uint64_t>(cfg_.election_ticks)));
}

// Becomes a follower (or learner) in `term` (§5.1: "if RPC request or response contains term
// T > currentTerm: set currentTerm = T, convert to follower").
void Raft::BecomeFollower(Term term, std::optional<NodeId> leader) {
    ORRERY_ASSERT(term >= term_, "term going back from {} to {}", term_, term);
    if (term > term_) {
        term_ = term;
        vote_.reset();
        Trace("term", {{"term", term_}});
    }
    leader_ = leader;
    if (role_ == Role::kLeader) FailReads(NotLeaderStatus());
    progress_.clear();
    votes_.clear();
    transferee_.reset();
    heartbeat_elapsed_ = 0;
    ResetElectionTimer();
    SetRole(FollowerRole());
}

// §5.2 / §5.4.2: a new leader tracks every member from its own last index and appends a no-op so
// that entries of earlier terms get committed through it.
void Raft::BecomeLeader() {
    ORRERY_ASSERT(role_ == Role::kCandidate, "only a candidate becomes leader");
    leader_ = cfg_.id;
    progress_.clear();
    for (NodeId id : config_.Members()) {
        if (id == cfg_.id) continue;
        progress_[id].BecomeProbe(log_->last_index() + 1);
        progress_[id].recent_active = true;
    }
    heartbeat_elapsed_ = 0;
    election_elapsed_ = 0;
    SetRole(Role::kLeader);
    term_start_ = log_->last_index() + 1;
    AppendToLog(Entry{term_, term_start_, EntryType::kNoop, ""});
    BroadcastAppend();
}

void Raft::Tick() {
    if (role_ == Role::kLeader) {
        TickLeader();
    } else {
        TickElection();
    }
}

void Raft::Step(NodeId from, std::string_view bytes) {
    Result<Message> decoded = DecodeMessage(bytes);
    if (!decoded.ok()) {
        Note(fmt::format("dropped message from {}: {}", from, decoded.status().message()));
        return;
    }
    const Message& m = *decoded;
    if (from == cfg_.id || !StepTerm(from, m)) return;
    switch (m.type) {
        case MsgType::kPreVote:
        case MsgType::kVote: HandleVoteRequest(from, m); break;
        case MsgType::kPreVoteResp:
        case MsgType::kVoteResp: HandleVoteResponse(from, m); break;
        case MsgType::kAppend: HandleAppend(from, m); break;
        case MsgType::kAppendResp: HandleAppendResponse(from, m); break;
        case MsgType::kHeartbeat: HandleHeartbeat(from, m); break;
        case MsgType::kHeartbeatResp: HandleHeartbeatResponse(from, m); break;
        case MsgType::kSnapshot: HandleSnapshot(from, m); break;
        case MsgType::kSnapshotResp: HandleSnapshotResponse(from, m); break;
        case MsgType::kTimeoutNow: HandleTimeoutNow(from); break;
    }
}

// The Ready loop. Order matters (Figure 2, thesis §10.2.1):
//  1. compact if enough entries were applied (before anything else, so that entries applied by
//     the previous Ready stay visible to the invariant checker for one event); a leader sends
//     the appends for every proposal of the batch at once (up to max_append_entries each);
//  2. a leader may send its appends before its own log is durable: followers' acks are what
//     commit needs; the leader counts itself only once synced (step 5);
//  3. persist the log (the group commit of the batch's entries and truncations);
//  4. if term and vote did not change, everything queued now depends on the entries alone
//     (an AppendResp promises only that they are durable), so it leaves before the hard state is
//     written: one fsync on a follower's reply path instead of two. A new term or vote must be
//     durable before any message (Figure 2), so then the hard state is synced first;
//  5. a leader counts its own durable log toward the commit index; apply committed entries;
//     answer reads whose index is applied;
//  6. persist the hard state if step 4 did not (it records the new durable index, which lets
//     recovery tell bit rot in synced records from a torn tail).
Status Raft::Ready() {
    ORRERY_RETURN_IF_ERROR(failed_);
    ORRERY_RETURN_IF_ERROR(MaybeCompact());
    if (append_pending_ && role_ == Role::kLeader) BroadcastAppend();
    append_pending_ = false;
    if (read_round_pending_ && role_ == Role::kLeader) BroadcastHeartbeat();
    read_round_pending_ = false;
    uint32_t vote = vote_ && !cfg_.bug_forget_vote ? vote_->value() : 0;
    log_->SetHardState(term_, vote, commit_);
    bool hard_state_changed = log_->hard_state().term != log_->durable_term() ||
                              log_->hard_state().voted_for != log_->durable_vote();
    if (role_ == Role::kLeader && !hard_state_changed) SendOutbox();
    ORRERY_RETURN_IF_ERROR(log_->SyncLog());
    if (hard_state_changed) ORRERY_RETURN_IF_ERROR(log_->SyncHardState());
    SendOutbox();
    if (vote_) promised_ = std::make_pair(term_, *vote_);
    if (role_ == Role::kLeader) MaybeCommit();
    ORRERY_RETURN_IF_ERROR(ApplyCommitted());
    AdvanceReads();
    std::vector<std::pair<std::function<void(Status)>, Status>> done;
    done.swap(completions_);
    for (auto& [fn, status] : done) fn(status);
    ORRERY_RETURN_IF_ERROR(log_->SyncHardState());
    // Messages produced while applying (a removed leader stepping down sends nothing; a transfer
    // may): they need no new durable state, so they go now.
    if (!log_->dirty()) SendOutbox();
    return Status::Ok();
}

Status Raft::ApplyCommitted() {
    ORRERY_ASSERT(sm_.applied_index() <= commit_, "applied {} beyond commit {}", sm_.applied_index(),
                  commit_);
    while (sm_.applied_index() < commit_) {
        LogIndex next = sm_.applied_index() + 1;
        sm_.Apply(log_->At(next));
        ORRERY_ASSERT(sm_.applied_index() == next, "state machine did not advance to {}", next);
        Trace("apply", {{"index", next}});
    }
    // Thesis §4.2.2: a leader removed from the configuration steps down once the removal commits.
    if (role_ == Role::kLeader && !config_.IsVoter(cfg_.id) &&
        (config_history_.empty() || config_history_.rbegin()->first <= commit_)) {
        BecomeFollower(term_, std::nullopt);
    }
    return Status::Ok();
}

}  // namespace orrery::raft
