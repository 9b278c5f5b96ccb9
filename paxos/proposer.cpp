// Proposer: see proposer.h for the protocol, its outcomes and the ballot reservation.
#include "paxos/proposer.h"

#include <algorithm>

#include "core/coding.h"

namespace orrery::paxos {

Result<std::unique_ptr<Proposer>> Proposer::Open(Env& env, storage::Engine& engine,
                                                 ProposerConfig config, Send send) {
    if (config.id.value() == 0 || IsClient(config.id)) {
        return Status::InvalidArgument("a proposer's id must be a server");
    }
    if (config.timeout_ticks < 1 || config.max_attempts < 1 || config.backoff_ticks_max < 1) {
        return Status::InvalidArgument("proposer timeouts and attempts must be positive");
    }
    std::unique_ptr<Proposer> p(new Proposer(env, engine, std::move(config), std::move(send)));
    Result<std::string> raw = engine.Get(p->config_.key_prefix + "ballot");
    if (raw.ok()) {
        Decoder in(*raw);
        uint64_t until = 0;
        if (!in.GetVarint64(&until) || !in.empty()) {
            return Status::Corruption("paxos proposer ballot record malformed");
        }
        // Every counter of the previous lives is <= until: start above it.
        p->counter_ = until;
        p->reserved_until_ = until;
    } else if (!raw.status().Is(Code::kNotFound)) {
        return raw.status();
    }
    ORRERY_RETURN_IF_ERROR(p->ReserveBlock());
    return p;
}

Proposer::Proposer(Env& env, storage::Engine& engine, ProposerConfig config, Send send)
    : env_(env),
      engine_(engine),
      config_(std::move(config)),
      send_(std::move(send)),
      rng_(env.random.Fork(fmt::format("paxos/{}", config_.id))) {}

Status Proposer::ReserveBlock() {
    uint64_t until = std::max(counter_, reserved_until_) + kBallotBlock;
    std::string rec;
    PutVarint64(&rec, until);
    storage::WriteBatch batch;
    batch.Set(config_.key_prefix + "ballot", rec);
    ORRERY_RETURN_IF_ERROR(engine_.Write(batch, /*sync=*/true));
    reserved_until_ = until;
    return Status::Ok();
}

Result<Ballot> Proposer::NextBallot() {
    // Two counters per ballot: b, and b+1 for the piggybacked promise of the next request.
    if (counter_ + 2 > reserved_until_) ORRERY_RETURN_IF_ERROR(ReserveBlock());
    ++counter_;
    return Ballot{counter_, config_.id};
}

void Proposer::Propose(std::string key, std::vector<NodeId> replicas, ChangeFn f, Done done) {
    ORRERY_ASSERT(done != nullptr);
    Status bad;
    if (key.empty() || key.size() > kMaxKeyBytes) bad = Status::InvalidArgument("bad paxos key");
    if (replicas.empty() || !std::is_sorted(replicas.begin(), replicas.end()) ||
        std::adjacent_find(replicas.begin(), replicas.end()) != replicas.end()) {
        bad = Status::InvalidArgument("replicas must be sorted, distinct and non-empty");
    }
    std::deque<Op>& queue = ops_[key];
    if (bad.ok() && queue.size() >= kMaxQueuedPerKey) bad = Status::Busy("paxos key queue full");
    if (!bad.ok()) {
        if (queue.empty()) ops_.erase(key);
        completed_.emplace_back(std::move(done), bad);  // Never inline.
        return;
    }
    queue.push_back(Op{});
    Op& op = queue.back();
    op.key = std::move(key);
    op.replicas = std::move(replicas);
    op.f = std::move(f);
    op.done = std::move(done);
    if (queue.size() == 1) Start(op);
}

void Proposer::Start(Op& op) {
    auto shortcut = shortcuts_.find(op.key);
    if (config_.one_round_trip && shortcut != shortcuts_.end()) {
        // §2.2.1: a quorum promised this ballot with our last accept; skip phase 1.
        Shortcut s = shortcut->second;
        shortcuts_.erase(shortcut);
        op.fast = true;
        ++stats_.fast_accepts;
        op.ballot = s.promised;
        op.outcome.round_trips += 1;
        StartAccept(op, s.value, s.base);
        return;
    }
    StartPrepare(op);
}

void Proposer::StartPrepare(Op& op) {
    Result<Ballot> b = NextBallot();
    if (!b.ok()) {
        Finish(op.key, op.accept_sent ? Status::Timeout(b.status().message()) : b.status());
        return;
    }
    op.phase = Phase::kPrepare;
    op.fast = false;
    op.ballot = *b;
    op.attempts += 1;
    op.outcome.round_trips += 2;
    ++stats_.prepares;
    op.promises.clear();
    op.rejected.clear();
    op.deadline = ticks_ + static_cast<uint64_t>(config_.timeout_ticks);
    Broadcast(op, MakeMessage(MsgType::kPrepare, op.key, op.ballot));
}

void Proposer::StartAccept(Op& op, const std::optional<std::string>& current, Ballot base) {
    op.phase = Phase::kAccept;
    op.base = base;
    op.accepted.clear();
    op.rejected.clear();
    op.outcome.previous = current;
    op.outcome.next = op.f(current);
    op.outcome.ballot = op.ballot;
    op.accept_sent = true;
    op.deadline = ticks_ + static_cast<uint64_t>(config_.timeout_ticks);
    Message accept = MakeMessage(MsgType::kAccept, op.key, op.ballot);
    accept.value = op.outcome.next;
    accept.base = base;
    if (config_.one_round_trip) {
        // The counter after b is reserved for the piggybacked promise (NextBallot keeps two).
        counter_ = std::max(counter_, op.ballot.counter + 1);
        accept.next = Ballot{op.ballot.counter + 1, config_.id};
    }
    Broadcast(op, accept);
}

void Proposer::Step(NodeId from, std::string_view bytes) {
    Result<Message> m = DecodeMessage(bytes);
    if (!m.ok()) {
        env_.tracer.Record(env_.node, "note",
                           {{"text", fmt::format("paxos: dropped malformed message from {}: {}",
                                                 from, m.status().message())}});
        return;
    }
    Step(from, *m);
}

void Proposer::Step(NodeId from, const Message& m) {
    if (!m.ok) counter_ = std::max(counter_, m.seen.counter);  // Jump past what others use.
    auto it = ops_.find(m.key);
    if (it == ops_.end() || it->second.empty()) return;
    Op& op = it->second.front();
    if (m.ballot != op.ballot) return;  // A reply to an earlier attempt.
    if (!std::binary_search(op.replicas.begin(), op.replicas.end(), from)) return;
    if (m.type == MsgType::kPromise && op.phase == Phase::kPrepare) OnPromise(op, from, m);
    if (m.type == MsgType::kAccepted && op.phase == Phase::kAccept) OnAccepted(op, from, m);
}

void Proposer::OnPromise(Op& op, NodeId from, const Message& m) {
    if (!m.ok) {
        op.rejected.insert(from);
        if (op.replicas.size() - op.rejected.size() < Quorum(op)) Conflict(op, m.seen);
        return;
    }
    op.promises.emplace(from, m);
    if (op.promises.size() < Quorum(op)) return;
    // §2.1: of a quorum's accepted values, the one with the highest ballot is current. The bug
    // takes the lowest, so a newer value that a quorum accepted can be overwritten (lost).
    const Message* pick = nullptr;
    for (const auto& [node, p] : op.promises) {
        bool better = pick == nullptr ||
                      (config_.bug_skip_accepted_value ? p.accepted < pick->accepted
                                                       : p.accepted > pick->accepted);
        if (better) pick = &p;
    }
    ORRERY_ASSERT(pick != nullptr);
    StartAccept(op, pick->value, pick->accepted);
}

void Proposer::OnAccepted(Op& op, NodeId from, const Message& m) {
    if (!m.ok) {
        op.rejected.insert(from);
        // Wait for every answer before giving up: if every replica refused, nothing of our
        // accept survives and the request may be retried; otherwise the outcome is unknown.
        if (op.rejected.size() + op.accepted.size() == op.replicas.size()) Conflict(op, m.seen);
        return;
    }
    op.accepted.insert(from);
    if (op.accepted.size() < Quorum(op)) return;
    if (config_.one_round_trip) {
        shortcuts_[op.key] = Shortcut{Ballot{op.ballot.counter + 1, config_.id}, op.ballot,
                                      op.outcome.next};
    }
    Finish(op.key, op.outcome);
}

// A quorum can no longer be reached at this ballot: someone else holds a higher one.
void Proposer::Conflict(Op& op, Ballot seen) {
    ++stats_.conflicts;
    counter_ = std::max(counter_, seen.counter);
    shortcuts_.erase(op.key);
    Retry(op, Status::Unavailable(fmt::format("paxos conflict: ballot {} seen", seen)));
}

void Proposer::Retry(Op& op, Status why) {
    if (op.accept_sent && !(op.phase == Phase::kAccept && op.accepted.empty() &&
                            op.rejected.size() == op.replicas.size())) {
        // Some acceptor may hold our value: the change may still take effect. Unknown.
        Finish(op.key, Status::Timeout(why.message()));
        return;
    }
    op.accept_sent = false;  // Every replica refused the accept: nothing of it survives.
    if (op.attempts >= config_.max_attempts) {
        Finish(op.key, why);
        return;
    }
    op.phase = Phase::kBackoff;
    op.retry_at = ticks_ + 1 + rng_.Uniform(static_cast<uint64_t>(config_.backoff_ticks_max));
}

void Proposer::Finish(const std::string& key, Result<Outcome> result) {
    auto it = ops_.find(key);
    ORRERY_ASSERT(it != ops_.end() && !it->second.empty());
    if (result.ok()) {
        ++stats_.chosen;
    } else if (result.status().code() == Code::kTimeout) {
        ++stats_.unknown;
    } else {
        ++stats_.failed;
    }
    Done done = std::move(it->second.front().done);
    it->second.pop_front();
    if (it->second.empty()) {
        ops_.erase(it);
    } else {
        Start(it->second.front());
    }
    done(std::move(result));
}

void Proposer::Tick() {
    ++ticks_;
    std::vector<std::pair<Done, Result<Outcome>>> completed;
    completed.swap(completed_);
    for (auto& [done, result] : completed) done(std::move(result));
    std::vector<std::string> keys;
    for (const auto& [key, queue] : ops_) keys.push_back(key);
    for (const std::string& key : keys) {
        auto it = ops_.find(key);
        if (it == ops_.end() || it->second.empty()) continue;
        Op& op = it->second.front();
        if (op.phase == Phase::kBackoff && ticks_ >= op.retry_at) {
            StartPrepare(op);
        } else if (op.phase != Phase::kBackoff && ticks_ >= op.deadline) {
            if (op.fast) shortcuts_.erase(op.key);
            Retry(op, Status::Unavailable(fmt::format("paxos: no quorum for {} at {}", op.key,
                                                      op.ballot)));
        }
    }
}

void Proposer::Broadcast(const Op& op, const Message& m) {
    std::string bytes = EncodeMessage(m);
    for (NodeId to : op.replicas) send_(to, bytes);
}

}  // namespace orrery::paxos
