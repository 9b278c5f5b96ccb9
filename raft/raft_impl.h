// Raft: the implementation behind RaftNode (raft.h). Internal to raft/.
//
// The class is split by concern over several files, as NuRaft splits its handle_*.cxx:
//   raft_node.cpp   - Open, Ready (persist, send, apply), Tick, role transitions, tracing;
//   election.cpp    - pre-vote, vote, campaign (§5.2, thesis §9.6), check-quorum;
//   replication.cpp - appends, the conflict hint, progress, the commit rule (§5.3, §5.4.2);
//   snapshot.cpp    - compaction and InstallSnapshot in chunks (§7);
//   admin.cpp       - proposals, ReadIndex (thesis §6.4), membership (thesis §4), transfer
//                     (thesis §3.10).
// All state is in memory plus the LogStore; the only way out is the outbox (sent in Ready) and
// the StateMachine.
#pragma once

#include <algorithm>
#include <array>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/assert.h"
#include "core/random.h"
#include "raft/log_store.h"
#include "raft/membership.h"
#include "raft/message.h"
#include "raft/progress.h"
#include "raft/raft.h"

namespace orrery::raft {

// Bounds (TigerBeetle style: every queue has a named limit).
inline constexpr size_t kMaxPendingReads = 4096;
inline constexpr size_t kMaxOutbox = 1 << 16;

class Raft final : public RaftNode {
public:
    Raft(Env& env, Disk& disk, RaftConfig config, StateMachine& sm, Send send);
    Status Init();

    // RaftNode.
    void Step(NodeId from, std::string_view bytes) override;
    void Tick() override;
    Result<LogIndex> Propose(std::string data) override;
    void ReadIndex(std::function<void(Status)> done) override;
    Status Ready() override;
    Result<LogIndex> AddLearner(NodeId id) override;
    Result<LogIndex> PromoteLearner(NodeId id) override;
    Result<LogIndex> RemoveServer(NodeId id) override;
    Status TransferLeadership(NodeId to) override;
    void Campaign() override;

    NodeId id() const override { return cfg_.id; }
    Role role() const override { return role_; }
    Term term() const override { return term_; }
    std::optional<NodeId> voted_for() const override { return vote_; }
    std::optional<std::pair<Term, NodeId>> promised_vote() const override { return promised_; }
    std::optional<NodeId> leader() const override { return leader_; }
    LogIndex commit_index() const override { return commit_; }
    LogIndex applied_index() const override { return sm_.applied_index(); }
    LogIndex last_index() const override { return log_->last_index(); }
    Term last_term() const override { return LastTerm(); }
    LogIndex first_index() const override { return log_->first_index(); }
    LogIndex snapshot_index() const override { return log_->snapshot().index; }
    std::optional<Entry> EntryAt(LogIndex i) const override;
    const Entry* FindEntry(LogIndex i) const override;
    uint64_t log_rewrites() const override { return log_->rewrites(); }
    std::vector<NodeId> voters() const override { return config_.voters; }
    std::vector<NodeId> learners() const override { return config_.learners; }

private:
    struct PendingRead {
        uint64_t ctx;       // The heartbeat round that must confirm leadership.
        LogIndex index;     // The read index: apply at least this far, then answer.
        int age_ticks = 0;
        bool confirmed = false;
        std::function<void(Status)> done;
    };
    struct IncomingSnapshot {
        LogIndex index;
        Term term;
        Membership config;
        uint64_t total_bytes = 0;
        uint32_t crc = 0;
        std::string data;
    };

    // raft_node.cpp
    void Send(NodeId to, Message m);
    bool CoalesceAppendResp(NodeId to, const Message& m);
    void SendOutbox();
    void BecomeFollower(Term term, std::optional<NodeId> leader);
    void BecomeLeader();
    void SetRole(Role role);
    void SetCommit(LogIndex index);
    void ResetElectionTimer();
    Role FollowerRole() const;
    bool Promotable() const { return config_.IsVoter(cfg_.id); }
    Term LastTerm() const { return log_->LastTerm(); }
    void Trace(std::string_view kind, TraceFields fields);
    void Note(const std::string& text);
    Status ApplyCommitted();

    // election.cpp
    bool StepTerm(NodeId from, const Message& m);
    void StartElection(bool pre_vote, bool transfer);
    void HandleVoteRequest(NodeId from, const Message& m);
    void HandleVoteResponse(NodeId from, const Message& m);
    void TickElection();
    void TickLeader();
    bool QuorumActive() const;

    // replication.cpp
    void HandleAppend(NodeId from, const Message& m);
    void HandleAppendResponse(NodeId from, const Message& m);
    void HandleHeartbeat(NodeId from, const Message& m);
    void HandleHeartbeatResponse(NodeId from, const Message& m);
    bool SendAppend(NodeId to, bool send_if_empty = false);
    void SendAppendsWhilePossible(NodeId to);
    void BroadcastAppend();
    void BroadcastHeartbeat();
    void MaybeCommit();
    LogIndex NextFromRejection(const Message& m) const;
    Message RejectWithHint(const Message& m) const;
    void AppendToLog(Entry e);
    void TruncateLog(LogIndex from);

    // snapshot.cpp
    Status MaybeCompact();
    void StartSnapshot(NodeId to);
    void SendSnapshotChunk(NodeId to);
    void HandleSnapshot(NodeId from, const Message& m);
    void HandleSnapshotResponse(NodeId from, const Message& m);
    Status InstallSnapshot(const IncomingSnapshot& in);

    // admin.cpp
    Result<LogIndex> ProposeConfig(Membership next);
    Status CheckCanChangeConfig() const;
    void ApplyConfig(LogIndex index, const Membership& m);
    void RebuildConfig();
    Membership ConfigAt(LogIndex index) const;
    void HandleTimeoutNow(NodeId from);
    void MaybeSendTimeoutNow();
    void FailReads(const Status& status);
    void AdvanceReads();
    Status NotLeaderStatus() const;
    template <typename T, typename Of>
    T QuorumValue(T own, Of of) const;

    Env& env_;
    Disk& disk_;
    RaftConfig cfg_;
    StateMachine& sm_;
    RaftNode::Send send_;
    Random rng_;
    std::unique_ptr<LogStore> log_;

    Role role_ = Role::kFollower;
    Term term_;
    std::optional<NodeId> vote_;
    std::optional<std::pair<Term, NodeId>> promised_;  // See RaftNode::promised_vote().
    std::optional<NodeId> leader_;
    LogIndex commit_;
    Membership config_;
    std::map<LogIndex, Membership> config_history_;  // Config entries in the log (after snapshot).

    int election_elapsed_ = 0;
    int heartbeat_elapsed_ = 0;
    int randomized_timeout_ = 0;
    std::map<NodeId, bool> votes_;        // Candidates: who answered, and how.
    std::map<NodeId, Progress> progress_; // Leaders: every member but self.
    LogIndex term_start_;                 // Leaders: the index of this term's no-op.
    std::optional<NodeId> transferee_;    // Leaders: leadership transfer target.

    std::vector<std::pair<NodeId, std::string>> outbox_;
    // The granted AppendResp queued in outbox_ for each leader (see CoalesceAppendResp).
    struct GrantedResp {
        size_t slot;  // Its index in outbox_.
        Term term;
        LogIndex match;
    };
    std::map<NodeId, GrantedResp> granted_resp_;
    bool append_pending_ = false;  // Leaders: proposals appended since the last Ready.
    std::deque<PendingRead> reads_;
    uint64_t read_ctx_ = 0;
    bool read_round_pending_ = false;
    std::vector<std::pair<std::function<void(Status)>, Status>> completions_;

    std::optional<IncomingSnapshot> incoming_;  // Followers: chunks received so far.
    std::string snap_cache_;                    // Leaders: the snapshot being sent.
    LogIndex snap_cache_index_;
    Status failed_;                             // A disk error seen outside Ready.
};

// The largest value that a quorum of voters has reached: each voter contributes own (this
// server) or of(its Progress) (0 without one), and the Quorum()-th largest wins. A fixed array
// instead of a vector: the commit rule and ReadIndex run on every Ready, so this must not
// allocate. REQUIRES: at least one voter.
template <typename T, typename Of>
T Raft::QuorumValue(T own, Of of) const {
    ORRERY_ASSERT(!config_.voters.empty(), "quorum of an empty configuration");
    ORRERY_ASSERT(config_.voters.size() <= kMaxMembers, "too many voters");
    std::array<T, kMaxMembers> values{};
    size_t n = 0;
    for (NodeId id : config_.voters) {
        if (id == cfg_.id) {
            values[n++] = own;
        } else if (auto it = progress_.find(id); it != progress_.end()) {
            values[n++] = of(it->second);
        } else {
            values[n++] = T{};
        }
    }
    std::sort(values.begin(), values.begin() + static_cast<ptrdiff_t>(n), std::greater<>());
    return values[config_.Quorum() - 1];
}

}  // namespace orrery::raft
