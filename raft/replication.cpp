// Log replication: AppendEntries and heartbeats on both sides, the conflict hint, the progress of
// each follower, and the commit rule.
#include <fmt/format.h>

#include <algorithm>

#include "raft/raft_impl.h"

namespace orrery::raft {

void Raft::AppendToLog(Entry e) {
    if (e.type == EntryType::kConfig) {
        Membership m;
        Decoder in(e.data);
        if (DecodeMembership(&in, &m) && in.empty()) {
            ApplyConfig(e.index, m);  // Thesis §4.1: a configuration takes effect when appended.
        } else {
            Note(fmt::format("ignoring malformed configuration entry {}", e.index));
        }
    }
    log_->Append(std::move(e));
}

void Raft::TruncateLog(LogIndex from) {
    ORRERY_ASSERT(from > commit_, "truncating committed entry {} (commit {})", from, commit_);
    log_->TruncateFrom(from);
    if (config_history_.lower_bound(from) != config_history_.end()) {
        config_history_.erase(config_history_.lower_bound(from), config_history_.end());
        RebuildConfig();
    }
}

// The follower side of AppendEntries (§5.3, Figure 2 "receiver implementation").
void Raft::HandleAppend(NodeId from, const Message& m) {
    if (role_ != Role::kFollower && role_ != Role::kLearner) BecomeFollower(term_, from);
    leader_ = from;
    election_elapsed_ = 0;
    Message resp = MakeMessage(MsgType::kAppendResp);
    if (m.prev_index < commit_) {
        // Everything up to our commit index matches any leader's log (§5.4.3).
        resp.granted = true;
        resp.match = commit_;
        Send(from, resp);
        return;
    }
    if (log_->TermAt(m.prev_index) != m.prev_term) {
        Send(from, RejectWithHint(m));
        return;
    }
    for (const Entry& e : m.entries) {
        if (e.index <= log_->last_index()) {
            if (log_->TermAt(e.index) == e.term) continue;  // Already have it.
            TruncateLog(e.index);  // "If an existing entry conflicts with a new one, delete it
                                   // and all that follow it."
        }
        AppendToLog(e);
    }
    LogIndex last_new = m.prev_index + m.entries.size();
    SetCommit(std::min(m.commit, last_new));
    resp.granted = true;
    resp.match = last_new;
    Send(from, resp);  // Leaves only after Ready has synced the new entries.
}

// The conflict hint (end of §5.3; thesis §5.3): tell the leader our term at prev_index and the
// first index we hold with that term, so it can skip the whole conflicting term at once. If our
// log is too short, point just past its end.
Message Raft::RejectWithHint(const Message& m) const {
    Message resp = MakeMessage(MsgType::kAppendResp);
    resp.reject_index = m.prev_index;
    if (m.prev_index > log_->last_index()) {
        resp.hint_index = log_->last_index() + 1;
        resp.hint_term = Term(0);
        return resp;
    }
    Term conflict = *log_->TermAt(m.prev_index);
    LogIndex first = m.prev_index;
    while (first > log_->first_index() && first - 1 > commit_ && log_->TermAt(first - 1) == conflict) {
        --first;
    }
    resp.hint_index = first;
    resp.hint_term = conflict;
    return resp;
}

// The leader side of a rejection: where to try next. With a term in the hint, resume after our
// last entry of that term (if we have one), else at the follower's first index of it; without
// one, at the end of the follower's log. Never beyond the rejected index.
LogIndex Raft::NextFromRejection(const Message& m) const {
    LogIndex next = m.hint_index;
    if (m.hint_term != Term(0)) {
        LogIndex j = std::min(m.reject_index, log_->last_index());
        while (j >= log_->first_index() && *log_->TermAt(j) > m.hint_term) --j;
        if (j >= log_->first_index() && log_->TermAt(j) == m.hint_term) next = j + 1;
    }
    return std::min(next, m.reject_index);
}

void Raft::HandleAppendResponse(NodeId from, const Message& m) {
    if (role_ != Role::kLeader) return;
    auto it = progress_.find(from);
    if (it == progress_.end()) return;
    Progress& pr = it->second;
    pr.recent_active = true;
    if (!m.granted) {
        bool stale = pr.state == ProgressState::kReplicate ? m.reject_index <= pr.match
                                                           : m.reject_index + 1 != pr.next;
        if (stale || pr.state == ProgressState::kSnapshot) return;
        LogIndex next = std::max(pr.match + 1, NextFromRejection(m));
        if (pr.state == ProgressState::kProbe && next == pr.next) {
            // The follower rejected entries it had acknowledged (match), which only a disk
            // that lost synced data can cause. Re-sending at once would repeat the same append
            // in a tight loop; wait for the next heartbeat response to unpause the probe.
            pr.probe_sent = true;
            return;
        }
        pr.BecomeProbe(next);
        SendAppend(from);
        return;
    }
    if (m.match > pr.match) {
        pr.match = m.match;
        if (pr.state != ProgressState::kReplicate) pr.BecomeReplicate();
        while (!pr.inflight.empty() && pr.inflight.front() <= pr.match) pr.inflight.pop_front();
        pr.next = std::max(pr.next, pr.match + 1);
        MaybeCommit();
        MaybeSendTimeoutNow();
    } else if (pr.state == ProgressState::kProbe) {
        pr.probe_sent = false;
    }
    SendAppendsWhilePossible(from);
}

namespace {
constexpr double kSplitAppendWeight = 20;
}  // namespace

// Sends one append to `to` if its progress allows; returns true if it sent one.
bool Raft::SendAppend(NodeId to, bool send_if_empty) {
    Progress& pr = progress_.at(to);
    if (pr.state == ProgressState::kSnapshot) return false;
    if (pr.state == ProgressState::kProbe && pr.probe_sent) return false;
    if (pr.state == ProgressState::kReplicate && pr.inflight.size() >= cfg_.max_inflight) return false;
    LogIndex prev = pr.next - 1;
    std::optional<Term> prev_term = log_->TermAt(prev);
    if (!prev_term) {
        StartSnapshot(to);  // §7: the entries it needs were compacted.
        return false;
    }
    Message m = MakeMessage(MsgType::kAppend);
    m.prev_index = prev;
    m.prev_term = *prev_term;
    m.commit = commit_;
    // BUGGIFY: an append that would carry entries of earlier terms and then this leader's own
    // stops at the term boundary, so the follower acks the old entries alone. This is the corner
    // §5.4.2 exists for (Figure 8): counting those acks must not commit anything. Such an
    // append is sent only to a lagging follower right after an election, so the point is
    // weighted (at the default buggify probability it fires every time it is reached in runs
    // where it is enabled); each firing costs the follower a round trip.
    LogIndex last = log_->last_index();
    if (pr.next <= last && LastTerm() == term_ && *log_->TermAt(pr.next) != term_ &&
        env_.faults.Fire("raft.split-append-at-term", kSplitAppendWeight)) {
        while (last > pr.next && *log_->TermAt(last) == term_) --last;
    }
    for (LogIndex i = pr.next; i <= last && m.entries.size() < cfg_.max_append_entries; ++i) {
        m.entries.push_back(log_->At(i));
    }
    if (m.entries.empty() && pr.state == ProgressState::kReplicate && !send_if_empty) return false;
    if (pr.state == ProgressState::kReplicate && !m.entries.empty()) {
        pr.next = m.entries.back().index + 1;
        pr.inflight.push_back(m.entries.back().index);
    } else if (pr.state == ProgressState::kProbe) {
        pr.probe_sent = true;
    }
    Send(to, std::move(m));
    return true;
}

void Raft::SendAppendsWhilePossible(NodeId to) {
    for (size_t i = 0; i < cfg_.max_inflight && SendAppend(to); ++i) {
    }
}

void Raft::BroadcastAppend() {
    for (auto& [id, pr] : progress_) SendAppendsWhilePossible(id);
}

// Heartbeats assert leadership, carry the commit index (capped at what the follower is known to
// hold) and the latest ReadIndex round (thesis §6.4).
void Raft::BroadcastHeartbeat() {
    for (auto& [id, pr] : progress_) {
        pr.sent_before_heartbeat = pr.next - 1;
        Message m = MakeMessage(MsgType::kHeartbeat);
        m.commit = std::min(pr.match, commit_);
        m.read_ctx = read_ctx_;
        Send(id, m);
    }
}

void Raft::HandleHeartbeat(NodeId from, const Message& m) {
    if (role_ != Role::kFollower && role_ != Role::kLearner) BecomeFollower(term_, from);
    leader_ = from;
    election_elapsed_ = 0;
    SetCommit(std::min(m.commit, log_->last_index()));
    Message resp = MakeMessage(MsgType::kHeartbeatResp);
    resp.read_ctx = m.read_ctx;
    Send(from, resp);
}

void Raft::HandleHeartbeatResponse(NodeId from, const Message& m) {
    if (role_ != Role::kLeader) return;
    auto it = progress_.find(from);
    if (it == progress_.end()) return;
    Progress& pr = it->second;
    pr.recent_active = true;
    pr.read_ack = std::max(pr.read_ack, m.read_ctx);
    // A stream that acknowledged everything sent before the heartbeat is healthy: what it has
    // not acknowledged yet was sent after the heartbeat and is still on its way. An empty append
    // now would only cost the follower a Ready, and, where it overtakes the append in flight
    // (the simulator reorders), a rejection and a fall back to probing.
    bool stream_healthy =
        pr.state == ProgressState::kReplicate && pr.match >= pr.sent_before_heartbeat;
    if (pr.match < log_->last_index() && !stream_healthy) {
        // A lost append must not stall the follower: unpause a probe, free a full window.
        if (pr.state == ProgressState::kProbe) pr.probe_sent = false;
        if (pr.state == ProgressState::kReplicate && pr.inflight.size() >= cfg_.max_inflight) {
            pr.inflight.pop_front();
        }
        // An empty append in replicate state makes a follower that lost messages (or restarted)
        // reject, which sends this progress back to probing.
        SendAppend(from, /*send_if_empty=*/true);
    }
}

// §5.4.2: the commit index advances to the highest index stored on a majority of voters, but
// only by counting replicas of an entry from the current term (Figure 8). The leader counts its
// own log only as far as it is durable (thesis §10.2.1).
void Raft::MaybeCommit() {
    if (role_ != Role::kLeader || config_.voters.empty()) return;
    LogIndex n = QuorumValue(log_->durable_index(), [](const Progress& p) { return p.match; });
    if (n <= commit_) return;
    if (log_->TermAt(n) != term_ && !cfg_.bug_commit_old_term) return;
    SetCommit(n);
}

}  // namespace orrery::raft
