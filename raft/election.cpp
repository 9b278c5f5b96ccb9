// Elections: terms, pre-vote, votes, campaigns, election and heartbeat timers, check-quorum.
#include <fmt/format.h>

#include "raft/raft_impl.h"

namespace orrery::raft {

// Applies the term rules of §5.1 before a message is handled. Returns false when the message
// must be ignored.
bool Raft::StepTerm(NodeId from, const Message& m) {
    bool vote_request = m.type == MsgType::kVote || m.type == MsgType::kPreVote;
    if (m.term > term_) {
        // Thesis §4.2.3 and §9.6: a server that heard from a live leader within the minimum
        // election timeout ignores vote requests, so a partitioned or removed server cannot
        // disrupt the cluster. A transfer (TimeoutNow) overrides it.
        bool in_lease = cfg_.check_quorum && leader_.has_value() &&
                        election_elapsed_ < cfg_.election_ticks;
        if (vote_request && !m.transfer && in_lease) return false;
        if (m.type == MsgType::kPreVote) return true;  // Pre-votes never change our term.
        if (m.type == MsgType::kPreVoteResp && m.granted) return true;
        bool from_leader = m.type == MsgType::kAppend || m.type == MsgType::kHeartbeat ||
                           m.type == MsgType::kSnapshot;
        BecomeFollower(m.term, from_leader ? std::optional<NodeId>(from) : std::nullopt);
        return true;
    }
    if (m.term < term_) {
        // A stale leader (it may have been partitioned away) learns the new term from our answer
        // and steps down; with check-quorum or pre-vote it could otherwise stay stuck forever.
        if ((cfg_.check_quorum || cfg_.pre_vote) &&
            (m.type == MsgType::kAppend || m.type == MsgType::kHeartbeat)) {
            Message resp = MakeMessage(MsgType::kAppendResp);
            resp.reject_index = m.prev_index;
            Send(from, resp);
        } else if (m.type == MsgType::kPreVote) {
            Send(from, MakeMessage(MsgType::kPreVoteResp));
        }
        return false;
    }
    return true;
}

void Raft::Campaign() {
    if (role_ == Role::kLeader || !Promotable()) return;
    StartElection(cfg_.pre_vote, /*transfer=*/false);
}

// §5.2: a candidate votes for itself and asks every voter. With pre-vote (thesis §9.6) it first
// asks whether it *could* win at term+1, without changing any term, so a node that cannot win
// (a stale log, a minority partition) never bumps the cluster's term.
void Raft::StartElection(bool pre_vote, bool transfer) {
    ORRERY_ASSERT(Promotable(), "a non-voter campaigning");
    Term campaign_term(term_.value() + 1);
    if (pre_vote) {
        leader_.reset();
        SetRole(Role::kPreCandidate);
    } else {
        term_ = campaign_term;
        vote_ = cfg_.id;
        leader_.reset();
        Trace("term", {{"term", term_}});
        SetRole(Role::kCandidate);
    }
    ResetElectionTimer();
    votes_.clear();
    votes_[cfg_.id] = true;
    Message req = MakeMessage(pre_vote ? MsgType::kPreVote : MsgType::kVote);
    req.term = campaign_term;
    req.last_index = log_->last_index();
    req.last_term = LastTerm();
    req.transfer = transfer;
    for (NodeId id : config_.voters) {
        if (id != cfg_.id) Send(id, req);
    }
    Message self_vote = MakeMessage(req.type == MsgType::kPreVote ? MsgType::kPreVoteResp : MsgType::kVoteResp, true);
    self_vote.term = campaign_term;
    HandleVoteResponse(cfg_.id, self_vote);
}

// §5.2 and §5.4.1: grant a vote when we have not voted for someone else in this term and the
// candidate's log is at least as up to date as ours. Pre-votes use the same log test, for a term
// the candidate has not entered yet.
void Raft::HandleVoteRequest(NodeId from, const Message& m) {
    bool pre = m.type == MsgType::kPreVote;
    bool up_to_date = m.last_term > LastTerm() ||
                      (m.last_term == LastTerm() && m.last_index >= log_->last_index());
    bool can_vote = pre ? m.term > term_ && (!leader_ || !cfg_.check_quorum || m.transfer ||
                                            election_elapsed_ >= cfg_.election_ticks)
                        : (vote_ == from || (!vote_ && !leader_));
    Message resp = MakeMessage(pre ? MsgType::kPreVoteResp : MsgType::kVoteResp);
    resp.granted = can_vote && up_to_date;
    if (resp.granted && pre) resp.term = m.term;  // Echo the proposed term (ours is lower).
    if (resp.granted && !pre) {
        vote_ = from;  // Durable before the response leaves: Ready syncs, then sends.
        ResetElectionTimer();
    }
    Send(from, resp);
}

void Raft::HandleVoteResponse(NodeId from, const Message& m) {
    bool pre = m.type == MsgType::kPreVoteResp;
    if ((pre && role_ != Role::kPreCandidate) || (!pre && role_ != Role::kCandidate)) return;
    if (!config_.IsVoter(from)) return;
    votes_.emplace(from, m.granted);
    size_t granted = 0, rejected = 0;
    for (const auto& [id, g] : votes_) (g ? granted : rejected)++;
    if (granted >= config_.Quorum()) {
        if (pre) {
            StartElection(/*pre_vote=*/false, /*transfer=*/false);
        } else {
            BecomeLeader();
        }
    } else if (rejected >= config_.Quorum()) {
        BecomeFollower(term_, std::nullopt);
    }
}

void Raft::TickElection() {
    ++election_elapsed_;
    if (Promotable() && election_elapsed_ >= randomized_timeout_) {
        Campaign();
    }
}

// Thesis §6.2 (check-quorum): a leader that has not heard from a majority within an election
// timeout steps down, so a partitioned leader stops serving (and stops answering reads).
bool Raft::QuorumActive() const {
    size_t active = 0;
    for (NodeId id : config_.voters) {
        if (id == cfg_.id) {
            ++active;
        } else if (auto it = progress_.find(id); it != progress_.end() && it->second.recent_active) {
            ++active;
        }
    }
    return active >= config_.Quorum();
}

void Raft::TickLeader() {
    ++heartbeat_elapsed_;
    ++election_elapsed_;
    if (election_elapsed_ >= cfg_.election_ticks) {
        election_elapsed_ = 0;
        if (cfg_.check_quorum && !QuorumActive()) {
            Note("check-quorum: no majority heard within an election timeout, stepping down");
            BecomeFollower(term_, std::nullopt);
            return;
        }
        for (auto& [id, pr] : progress_) pr.recent_active = false;
        transferee_.reset();  // Thesis §3.10: abandon a transfer that took too long.
    }
    for (auto it = reads_.begin(); it != reads_.end();) {
        if (++it->age_ticks > 2 * cfg_.election_ticks) {
            completions_.emplace_back(std::move(it->done), Status::Timeout("read index: no quorum"));
            it = reads_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [id, pr] : progress_) {
        if (pr.state == ProgressState::kSnapshot && ++pr.snap_idle_ticks >= cfg_.election_ticks) {
            pr.snap_idle_ticks = 0;
            SendSnapshotChunk(id);  // Resend the chunk that got no answer.
        }
    }
    if (heartbeat_elapsed_ >= cfg_.heartbeat_ticks) {
        heartbeat_elapsed_ = 0;
        BroadcastHeartbeat();
    }
}

}  // namespace orrery::raft
