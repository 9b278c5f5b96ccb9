// LeaderlessServer, the coordinator half: client requests at ONE/QUORUM/ALL (last-write-wins,
// hinted handoff, read repair) and at SERIAL (CASPaxos). See leaderless_server.h.
#include <fmt/format.h>

#include <cstdio>

#include "node/leaderless_server.h"

namespace orrery::node {
namespace {

constexpr size_t kMaxRecent = 4096;
constexpr size_t kMaxPending = 4096;
constexpr std::string_view kLwtCell = "v";  // The register's cell in its LWT partition.

}  // namespace


int64_t LeaderlessServer::CellClockUs() const {
    return options_.cell_clock_us ? options_.cell_clock_us() : env_.clock.Now().us();
}

int64_t LeaderlessServer::NextTimestamp() {
    // The coordinator's clock, made unique: a skewed clock makes skewed timestamps, on purpose.
    last_timestamp_us_ = std::max(CellClockUs(), last_timestamp_us_ + 1);
    return last_timestamp_us_;
}

void LeaderlessServer::Reply(NodeId to, const ClientRequest& request, ReplyCode code,
                             std::string value, std::string message) {
    ClientReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    r.code = code;
    r.value = std::move(value);
    r.message = std::move(message);
    auto it = recent_.find({request.client_id, request.seq});
    if (it != recent_.end()) it->second = r;
    counters_.requests.Replied(request.client_id, request.seq, code, env_.clock.Now());
    env_.network.Send(to, Frame(Channel::kClient, EncodeReply(r)));
}

void LeaderlessServer::OnClient(NodeId from, const ClientRequest& request) {
    auto key = std::make_pair(request.client_id, request.seq);
    auto seen = recent_.find(key);
    if (seen != recent_.end()) {
        // A duplicated datagram: answer again if done, never run it twice.
        if (seen->second) env_.network.Send(from, Frame(Channel::kClient, EncodeReply(*seen->second)));
        return;
    }
    // Timed from here to its Reply. A status request is answered below at once and a request
    // without a session is not deduplicated: both are counted only.
    counters_.requests.Arrived(request, env_.clock.Now(),
                               /*timed=*/request.client_id != 0 && request.op != RequestOp::kStatus);
    if (request.op == RequestOp::kStatus) {
        ClientReply r;
        r.client_id = request.client_id;
        r.seq = request.seq;
        r.message = DescribeStatus();
        r.status = ServerStatus{};
        ++counters_.requests.replies[{RequestOp::kStatus, ReplyCode::kOk}];
        env_.network.Send(from, Frame(Channel::kClient, EncodeReply(r)));
        return;
    }
    if (request.client_id != 0) {
        recent_.emplace(key, std::nullopt);
        recent_order_.push_back(key);
        if (recent_order_.size() > kMaxRecent) {
            recent_.erase(recent_order_.front());
            recent_order_.pop_front();
        }
    }
    if (request.op == RequestOp::kRepair) {
        // Anti-entropy on this node's ranges (leaderless_repair.cpp); the reply waits for it. A
        // retry of the same (client, seq) finds it in recent_ above and does not start another.
        Repair([this, from, request](const RepairSummary& summary) {
            if (halted_) return;
            if (!summary.done) {
                Reply(from, request, ReplyCode::kAborted, {}, "a repair is already running here");
                return;
            }
            Reply(from, request, ReplyCode::kOk, DescribeRepair(summary));
        });
        return;
    }
    bool single_key = request.op == RequestOp::kGet || request.op == RequestOp::kPut ||
                      request.op == RequestOp::kDelete || request.op == RequestOp::kCas;
    if (!single_key) {
        Reply(from, request, ReplyCode::kAborted, {},
              fmt::format("{} is not supported in the leaderless mode (single-key get, put, "
                          "delete and cas only)", RequestOpName(request.op)));
        return;
    }
    if (request.key.empty() || request.key.size() > paxos::kMaxKeyBytes) {
        Reply(from, request, ReplyCode::kAborted, {}, "key must be 1..1024 bytes");
        return;
    }
    if (request.limit > static_cast<uint32_t>(Consistency::kSerial)) {
        Reply(from, request, ReplyCode::kAborted, {},
              fmt::format("unknown consistency level {} (1 one, 2 quorum, 3 all, 4 serial)",
                          request.limit));
        return;
    }
    ++requests_;
    Consistency level = static_cast<Consistency>(request.limit);
    if (level == Consistency::kDefault) level = options_.consistency;
    if (level == Consistency::kSerial) {
        StartLwt(from, request);
    } else {
        StartPlain(from, request, level);
    }
}

void LeaderlessServer::StartPlain(NodeId from, const ClientRequest& request, Consistency level) {
    if (request.op == RequestOp::kCas) {
        Reply(from, request, ReplyCode::kAborted, {},
              fmt::format("cas is a lightweight transaction: it needs consistency serial, not {}",
                          ConsistencyName(level)));
        return;
    }
    if (pending_.size() >= kMaxPending) {
        Reply(from, request, ReplyCode::kError, {}, "busy: too many requests in flight");
        return;
    }
    auto p = std::make_unique<Pending>();
    p->id = next_id_++;
    p->client = from;
    p->request = request;
    p->replicas = ring_->Replicas(request.key, options_.rf);
    p->required = RequiredAcks(level, static_cast<uint32_t>(p->replicas.size()));
    p->deadline = env_.clock.Now() + options_.request_timeout;
    Pending& ref = *p;
    pending_[p->id] = std::move(p);
    switch (request.op) {
        case RequestOp::kPut: StartWrite(ref, Cell{NextTimestamp(), false, request.value}); return;
        case RequestOp::kDelete: StartWrite(ref, Cell{NextTimestamp(), true, {}}); return;
        default: StartRead(ref); return;
    }
}

void LeaderlessServer::StartWrite(Pending& p, Cell cell) {
    p.phase = Pending::Phase::kWrite;
    p.cell = cell;
    p.acks.clear();
    for (NodeId r : p.replicas) {
        if (r == env_.node) {
            Result<bool> merged = MergeLocal(p.request.key, cell);
            if (!Check(merged.status())) return;
            OnWriteAck(r, p.id);
            if (!pending_.contains(p.id)) return;  // Done (every replica acked).
        } else if (!Alive(r)) {
            StoreHint(p, r);  // Gossip believes it dead: a hint now (Dynamo §4.6).
        } else {
            env_.network.Send(r, EncodeReplicaMessage(
                                     MakeReplica(ReplicaMsgType::kWrite, p.id, p.request.key, cell)));
        }
    }
}

void LeaderlessServer::StoreHint(Pending& p, NodeId target) {
    if (p.hinted.contains(target) || p.acks.contains(target)) return;
    Result<uint64_t> id = hints_->Add(target, p.request.key, *p.cell);
    if (!id.ok()) {
        if (id.status().Is(Code::kBusy)) return;  // Full: read repair and anti-entropy cover it.
        Halt(id.status());
        return;
    }
    p.hinted.insert(target);
    ++counters_.hints_stored;
    env_.tracer.Record(env_.node, "hint", {{"what", "stored"}, {"to", target}, {"id", *id},
                                           {"key", p.request.key}});
    if (options_.hint_observer) {
        options_.hint_observer->OnHintStored(env_.node, Hint{*id, target, p.request.key, *p.cell});
    }
}

void LeaderlessServer::OnWriteAck(NodeId from, uint64_t id) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending& p = *it->second;
    if (p.phase == Pending::Phase::kRepair) {
        p.repairing.erase(from);
        if (p.repairing.empty()) ReadQuorum(p);
        return;
    }
    if (p.phase != Pending::Phase::kWrite) return;
    if (!std::count(p.replicas.begin(), p.replicas.end(), from)) return;
    p.acks.insert(from);
    if (!p.replied && p.acks.size() >= p.required) {
        p.replied = true;
        Reply(p.client, p.request, ReplyCode::kOk);
    }
    if (p.acks.size() + p.hinted.size() == p.replicas.size()) pending_.erase(it);
}

void LeaderlessServer::StartRead(Pending& p) {
    p.phase = Pending::Phase::kRead;
    for (NodeId r : p.replicas) {
        if (r == env_.node) {
            Result<std::optional<Cell>> c = LocalCell(p.request.key);
            if (!Check(c.status())) return;
            ReplicaMessage m = MakeReplica(ReplicaMsgType::kReadReply, p.id, p.request.key, *c);
            OnReadReply(r, m);
            if (!pending_.contains(p.id)) return;
        } else {
            env_.network.Send(r, EncodeReplicaMessage(
                                     MakeReplica(ReplicaMsgType::kRead, p.id, p.request.key)));
        }
    }
}

void LeaderlessServer::OnReadReply(NodeId from, const ReplicaMessage& m) {
    auto it = pending_.find(m.id);
    if (it == pending_.end() || it->second->phase != Pending::Phase::kRead) return;
    Pending& p = *it->second;
    if (!std::count(p.replicas.begin(), p.replicas.end(), from) || p.answers.contains(from)) return;
    p.answers[from] = m.cell;
    std::optional<Cell> before = p.winner;
    p.winner = MergeCells(p.winner, m.cell);
    // Read repair: an answer older than the winner gets the winner; a newer winner goes to
    // everyone who answered before it appeared.
    auto repair = [&](NodeId to) {
        ++counters_.read_repairs;
        if (to == env_.node) {
            Check(MergeLocal(p.request.key, *p.winner).status());
            return;
        }
        env_.network.Send(to, EncodeReplicaMessage(
                                  MakeReplica(ReplicaMsgType::kWrite, 0, p.request.key, p.winner)));
    };
    if (p.winner && p.winner != before) {
        for (const auto& [who, cell] : p.answers) {
            if (cell != p.winner) repair(who);
        }
    } else if (p.winner && m.cell != p.winner) {
        repair(from);
    }
    if (halted_) return;
    if (!p.replied && p.answers.size() >= p.required) {
        // Blocking read repair: the stale answers among the quorum get the winner first.
        for (const auto& [who, cell] : p.answers) {
            if (cell != p.winner && who != env_.node) p.repairing.insert(who);
        }
        if (p.repairing.empty()) {
            ReadQuorum(p);
            return;
        }
        p.phase = Pending::Phase::kRepair;
        for (NodeId who : p.repairing) {
            env_.network.Send(who, EncodeReplicaMessage(MakeReplica(
                                       ReplicaMsgType::kWrite, p.id, p.request.key, p.winner)));
        }
        return;
    }
    if (p.answers.size() == p.replicas.size()) pending_.erase(it);
}

// The read has its answers, and the stale ones among them were repaired: reply.
void LeaderlessServer::ReadQuorum(Pending& p) {
    ORRERY_ASSERT(p.request.op == RequestOp::kGet);
    bool found = p.winner && !p.winner->tombstone;
    p.replied = true;
    p.phase = Pending::Phase::kRead;  // Later answers are still merged and repaired.
    Reply(p.client, p.request, found ? ReplyCode::kOk : ReplyCode::kNotFound,
          found ? p.winner->value : "");
    if (p.answers.size() == p.replicas.size()) pending_.erase(p.id);
}

void LeaderlessServer::ExpireRequests() {
    Timestamp now = env_.clock.Now();
    // A request whose reply never went out (its coordinator lost the client's retry to another
    // node, or a Paxos round never ended) stops being timed after a while, as KvServer's do.
    if (ticks_ % 100 == 0) counters_.requests.PruneUnanswered(now);
    std::vector<uint64_t> expired;
    for (const auto& [id, p] : pending_) {
        if (now >= p->deadline) expired.push_back(id);
    }
    for (uint64_t id : expired) {
        auto it = pending_.find(id);
        if (it == pending_.end()) continue;
        Pending& p = *it->second;
        if (p.phase == Pending::Phase::kWrite) {
            // Replicas that never acked get hints (Cassandra writes them after the timeout).
            for (NodeId r : p.replicas) {
                if (r != env_.node && !p.acks.contains(r)) StoreHint(p, r);
            }
        }
        if (!p.replied) {
            std::string why = p.phase == Pending::Phase::kWrite
                                  ? fmt::format("timeout: {} of {} acks", p.acks.size(), p.required)
                                  : fmt::format("timeout: {} of {} answers ({} repairs pending)",
                                                p.answers.size(), p.required, p.repairing.size());
            Reply(p.client, p.request, ReplyCode::kError, {}, why);
        }
        pending_.erase(id);
    }
}

// SERIAL: the request is one CASPaxos round on the key's replicas. The register's value is a
// partition (paxos/batch.h) holding the register's cell "v" and one session cell per client,
// "s/<client>" = "<seq> <code> <value>": the last request of that client applied to the key and
// its answer. The change function skips a request whose seq is not above the session's, so a
// request retried through another coordinator (KvClient retries errors with the same seq) is
// applied at most once, and its retry is answered with the recorded result.
namespace {

struct SessionRecord {
    uint64_t seq = 0;
    ReplyCode code = ReplyCode::kOk;
    std::string value;
};

std::optional<SessionRecord> ParseSession(const paxos::Cells& cells, const std::string& name) {
    auto it = cells.find(name);
    if (it == cells.end()) return std::nullopt;
    SessionRecord r;
    unsigned code = 0;
    int used = 0;
    if (std::sscanf(it->second.c_str(), "%lu %u %n", &r.seq, &code, &used) < 2) return std::nullopt;
    r.code = static_cast<ReplyCode>(code);
    r.value = it->second.substr(static_cast<size_t>(used));
    return r;
}

paxos::Batch LwtBatch(const ClientRequest& request) {
    paxos::Batch batch;
    std::string cell(kLwtCell);
    switch (request.op) {
        case RequestOp::kPut: batch.writes.push_back({cell, request.value}); break;
        case RequestOp::kDelete: batch.writes.push_back({cell, std::nullopt}); break;
        case RequestOp::kCas:
            batch.conditions.push_back({cell, request.expected});
            batch.writes.push_back({cell, request.value});
            break;
        default: break;  // get: the empty batch, a read that still runs both phases.
    }
    return batch;
}

// The answer a request gets when evaluated against `cells` (before its own writes).
SessionRecord Answer(const ClientRequest& request, const paxos::Batch& batch,
                     const paxos::Cells& cells, uint64_t seq) {
    Result<paxos::BatchResult> b = paxos::EvaluateBatch(batch, paxos::EncodeCells(cells));
    auto v = cells.find(std::string(kLwtCell));
    bool found = v != cells.end();
    SessionRecord r{seq, ReplyCode::kOk, found ? v->second : ""};
    if (request.op == RequestOp::kGet && !found) r.code = ReplyCode::kNotFound;
    if (request.op == RequestOp::kCas && !(b.ok() && b->applied)) r.code = ReplyCode::kCasFailed;
    if (request.op != RequestOp::kGet && r.code == ReplyCode::kOk) r.value.clear();
    return r;
}

}  // namespace

void LeaderlessServer::StartLwt(NodeId from, const ClientRequest& request) {
    paxos::Batch batch = LwtBatch(request);
    std::string session = fmt::format("s/{}", request.client_id);
    bool writes = request.op != RequestOp::kGet;
    paxos::ChangeFn change = [request, batch, session, writes](const std::optional<std::string>& prev)
        -> std::optional<std::string> {
        Result<paxos::Cells> cells = paxos::CellsOf(prev);
        if (!cells.ok() || !writes) return prev;
        std::optional<SessionRecord> last = ParseSession(*cells, session);
        if (last && last->seq >= request.seq) return prev;  // Applied already (or superseded).
        SessionRecord answer = Answer(request, batch, *cells, request.seq);
        std::optional<std::string> next = paxos::MakeBatchChange(batch)(prev);
        Result<paxos::Cells> after = paxos::CellsOf(next);
        if (!after.ok()) return prev;
        (*after)[session] = fmt::format("{} {} {}", answer.seq, static_cast<unsigned>(answer.code),
                                        answer.value);
        return paxos::EncodeCells(*after);
    };
    std::vector<NodeId> replicas = ring_->Replicas(request.key, options_.rf);
    std::sort(replicas.begin(), replicas.end());
    proposer_->Propose(
        request.key, replicas, std::move(change),
        [this, from, request, batch, session, writes](Result<paxos::Outcome> r) {
            if (halted_) return;
            if (!r.ok()) {
                Reply(from, request, ReplyCode::kError, {}, "lwt: " + r.status().ToString());
                // The round gave up (a conflict, no quorum in time): its client retries with the
                // same seq, and the retry must run a new round, not find this error in recent_.
                // Running it again is safe: the session cell applies a seq at most once.
                recent_.erase({request.client_id, request.seq});
                return;
            }
            Result<paxos::Cells> cells = paxos::CellsOf(writes ? r->next : r->previous);
            if (!cells.ok()) {
                Reply(from, request, ReplyCode::kError, {}, cells.status().ToString());
                return;
            }
            SessionRecord answer = Answer(request, batch, *cells, request.seq);
            if (writes) {
                std::optional<SessionRecord> recorded = ParseSession(*cells, session);
                if (!recorded || recorded->seq != request.seq) {
                    // A later request of this client is recorded: this one is stale, and its
                    // client no longer waits for it.
                    Reply(from, request, ReplyCode::kError, {}, "lwt: superseded");
                    return;
                }
                answer = *recorded;
            }
            Reply(from, request, answer.code, answer.value);
        });
}

}  // namespace orrery::node
