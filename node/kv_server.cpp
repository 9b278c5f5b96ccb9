// KvServer: requests, proposals, ReadIndex reads, ticks, fail-stop. See kv_server.h.
#include "node/kv_server.h"
#include "node/sql_engine_sessions.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/checksum.h"
#include "core/coding.h"
#include "storage/memory_engine.h"
#if defined(ORRERY_HAVE_LSM)
#include "storage/lsm/lsm_engine.h"
#endif

namespace orrery::node {

bool HaveLsmEngine() {
#if defined(ORRERY_HAVE_LSM)
    return true;
#else
    return false;
#endif
}

Result<EngineFactory> MakeEngineFactory(std::string_view name) {
    if (name == "memory") {
        return EngineFactory([](Env&, Disk&) -> Result<std::unique_ptr<storage::Engine>> {
            return std::unique_ptr<storage::Engine>(std::make_unique<storage::MemoryEngine>());
        });
    }
    if (name == "lsm") {
#if defined(ORRERY_HAVE_LSM)
        return EngineFactory([](Env&, Disk& disk) -> Result<std::unique_ptr<storage::Engine>> {
            // Small memtable and cache: a node of a simulated run flushes and merges often,
            // which is what a campaign should exercise, and five of them fit in memory.
            storage::LsmOptions opts;
            opts.memtable_bytes = 256 << 10;
            opts.block_cache_bytes = 1 << 20;
            ORRERY_ASSIGN_OR_RETURN(auto engine, storage::LsmEngine::Open(disk, opts));
            return std::unique_ptr<storage::Engine>(std::move(engine));
        });
#else
        return Status::NotSupported("this build has no LSM engine (storage/lsm)");
#endif
    }
    return Status::InvalidArgument(fmt::format("unknown engine \"{}\" (memory, lsm)", name));
}

KvServer::KvServer(Env& env, KvServerOptions options)
    : env_(env),
      options_(std::move(options)),
      raft_disk_(env.disk, "raft-"),
      kv_disk_(env.disk, "kv-") {}

Result<std::unique_ptr<KvServer>> KvServer::Open(Env& env, KvServerOptions options) {
    ORRERY_ASSERT(options.raft.id == env.node, "raft id {} on node {}", options.raft.id, env.node);
    ORRERY_ASSERT(options.tick > Duration(0), "the tick period must be positive");
    std::unique_ptr<KvServer> server(new KvServer(env, std::move(options)));
    ORRERY_RETURN_IF_ERROR(server->Init());
    return server;
}

Status KvServer::Init() {
    if (options_.engine) {
        ORRERY_ASSIGN_OR_RETURN(engine_, options_.engine(env_, kv_disk_));
    } else {
        engine_ = std::make_unique<storage::MemoryEngine>();
    }
    ORRERY_ASSIGN_OR_RETURN(sm_, KvStateMachine::Open(*engine_, options_.kv));
    sm_->SetApplyListener([this](LogIndex, const Command& c, const CommandReply& r, bool dup) {
        OnApplied(c, r);
        if (sql_) sql_->OnApplied(c, r, dup);
    });
    sm_->SetRestoreListener([this] {
        if (sql_) sql_->BeforeRestore();
    });
    auto send = [this](NodeId to, std::string bytes) {
        if (sends_before_crash_) {
            if (sent_in_crash_ >= *sends_before_crash_) return;  // Lost with the crash.
            ++sent_in_crash_;
        }
        env_.network.Send(to, Frame(Channel::kRaft, bytes));
    };
    ORRERY_ASSIGN_OR_RETURN(raft_, raft::RaftNode::Open(env_, raft_disk_, options_.raft, *sm_, send));
#if ORRERY_HAVE_SQL_ENGINE
    if (!options_.sql.sessions) options_.sql.sessions = EngineSqlSessions(options_.sql.session);
#endif
    sql_ = std::make_unique<SqlServer>(env_, *raft_, *sm_, options_.sql, options_.bug_stale_read);
    env_.network.SetHandler([this](NodeId from, std::string_view b) { OnDatagram(from, b); });
    tick_timer_ = env_.clock.SetTimer(options_.tick, [this] { OnTick(); });
    waiters_term_ = raft_->term();
    AfterInput();  // Recovery may have left work for Ready (e.g. entries to apply).
    return Status::Ok();
}

KvServer::~KvServer() {
    if (tick_timer_) env_.clock.CancelTimer(*tick_timer_);
    if (ready_timer_) env_.clock.CancelTimer(*ready_timer_);
    env_.network.SetHandler([](NodeId, std::string_view) {});
}

ServerStatus KvServer::status() const {
    ServerStatus s;
    s.role = static_cast<uint8_t>(raft_->role());
    s.term = raft_->term().value();
    s.commit = raft_->commit_index().value();
    s.applied = sm_->applied_index().value();
    s.last_index = raft_->last_index().value();
    s.leader = LeaderHint();
    return s;
}

uint32_t KvServer::LeaderHint() const {
    std::optional<NodeId> leader = raft_->leader();
    return leader ? leader->value() : 0;
}

void KvServer::OnTick() {
    tick_timer_.reset();
    if (halted_) return;
    tick_timer_ = env_.clock.SetTimer(options_.tick, [this] { OnTick(); });
    raft_->Tick();
    MaybeProposeGc();
    PruneUnanswered();
    AfterInput();
}

void KvServer::PruneUnanswered() {
    // About once a second (or every tick, for ticks of a second or more): a linear pass over
    // the requests awaiting replies, which are few (bounded by the waiting-request limits plus
    // the replies lost to term changes in the last kUnansweredAfter).
    int64_t every = std::max<int64_t>(1, Duration::Seconds(1).us() / std::max<int64_t>(1, options_.tick.us()));
    if (++prune_ticks_ < static_cast<uint64_t>(every)) return;
    prune_ticks_ = 0;
    counters_.PruneUnanswered(env_.clock.Now());
}

void RequestCounters::Arrived(const ClientRequest& request, Timestamp now, bool timed) {
    ++requests[request.op];
    if (timed) in_flight_[{request.client_id, request.seq}] = {request.op, now};
}

void RequestCounters::Replied(uint64_t client_id, uint64_t seq, ReplyCode code, Timestamp now) {
    auto it = in_flight_.find({client_id, seq});
    if (it == in_flight_.end()) return;
    auto [op, arrived] = it->second;
    ++replies[{op, code}];
    latency[op].Record(now - arrived);
    in_flight_.erase(it);
}

void RequestCounters::PruneUnanswered(Timestamp now) {
    Timestamp cutoff = now - kUnansweredAfter;
    std::erase_if(in_flight_, [&](const auto& entry) {
        if (entry.second.second >= cutoff) return false;
        ++unanswered;
        return true;
    });
}

void KvServer::OnDatagram(NodeId from, std::string_view bytes) {
    if (halted_) return;
    auto framed = Unframe(bytes);
    if (!framed.ok()) return;  // Garbage on the wire: drop it, as Raft drops bad messages.
    if (framed->first == Channel::kRaft) {
        raft_->Step(from, framed->second);
    } else if (framed->first == Channel::kSql) {
        sql_->OnMessage(from, framed->second);
    } else {
        auto message = DecodeClientMessage(framed->second);
        if (!message.ok() || !message->request) return;
        OnRequest(from, *message->request);
    }
    AfterInput();
}

void KvServer::AfterInput() {
    if (halted_) return;
    if (!options_.batch_ready) return RunReady();
    if (ready_timer_) return;  // One Ready for everything that arrives before it runs.
    ready_timer_ = env_.clock.SetTimer(Duration(0), [this] {
        ready_timer_.reset();
        RunReady();
    });
}

namespace {

constexpr std::string_view kCrashPoint = "server.crash-mid-broadcast";

}  // namespace

namespace {

using BugSetter = void (*)(KvServerOptions&);

const std::vector<std::pair<std::string, BugSetter>>& ServerBugs() {
    static const std::vector<std::pair<std::string, BugSetter>> kBugs = {
        {"kv.no-dedup", [](KvServerOptions& o) { o.kv.bug_no_dedup = true; }},
        {"raft.stale-read", [](KvServerOptions& o) { o.bug_stale_read = true; }},
        {"raft.forget-vote", [](KvServerOptions& o) { o.raft.bug_forget_vote = true; }},
        {"raft.commit-old-term", [](KvServerOptions& o) { o.raft.bug_commit_old_term = true; }},
        {"mvcc.snapshot-only", [](KvServerOptions& o) { o.kv.txn.bug_snapshot_only = true; }},
        {"sql.no-read-set", [](KvServerOptions& o) { o.sql.session.bug_no_read_set = true; }},
    };
    return kBugs;
}

}  // namespace

const std::vector<std::string>& ServerBugNames() {
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> names;
        for (const auto& [name, set] : ServerBugs()) names.push_back(name);
        return names;
    }();
    return kNames;
}

Status EnableServerBug(std::string_view name, KvServerOptions* options) {
    for (const auto& [known, set] : ServerBugs()) {
        if (known == name) {
            set(*options);
            return Status::Ok();
        }
    }
    return Status::InvalidArgument(fmt::format("unknown --bug '{}' (one of: {})", name,
                                               fmt::join(ServerBugNames(), ", ")));
}

void KvServer::RunReady() {
    if (halted_) return;
    bool election_state_changed = raft_->term() != ready_term_ ||
                                  raft_->voted_for() != ready_vote_ ||
                                  raft_->role() != ready_role_;
    if (election_state_changed && env_.faults.Fire(kCrashPoint)) {
        // Each message leaves with probability 1/2 until the first that does not: the crash
        // lands after a random prefix of the broadcast (often none of it, rarely all).
        uint64_t n = 0;
        while (env_.random.Chance(0.5)) ++n;
        sends_before_crash_ = n;
        sent_in_crash_ = 0;
    }
    Status s = raft_->Ready();
    ready_term_ = raft_->term();
    ready_vote_ = raft_->voted_for();
    ready_role_ = raft_->role();
    if (sends_before_crash_) {
        return Halt(Status::Aborted(fmt::format("fault point {}: crashed after sending {} Raft "
                                                "message(s)",
                                                kCrashPoint, sent_in_crash_)),
                    /*fault_point=*/true);
    }
    if (!s.ok()) return Halt(s.WithContext("raft"));
    if (!sm_->health().ok()) return Halt(sm_->health().WithContext("state machine"));
    ForgetStaleWaiters();
    sql_->AfterReady();
}

void KvServer::ForgetStaleWaiters() {
    if (raft_->term() == waiters_term_ && raft_->role() == raft::Role::kLeader) return;
    // A new term or a lost leadership: waiting writes may or may not commit. Tell their clients
    // the outcome is unknown so they retry at once (the session table keeps the retry safe).
    for (const auto& [key, waiter] : waiting_writes_) {
        ClientReply r;
        r.client_id = key.first;
        r.seq = key.second;
        r.code = ReplyCode::kError;
        r.message = "leadership changed; outcome unknown";
        SendReply(waiter.reply_to, r);
    }
    waiting_writes_.clear();
    waiters_term_ = raft_->term();
}

void KvServer::OnRequest(NodeId from, const ClientRequest& request) {
    counters_.Arrived(request, env_.clock.Now());
    bool single_key = request.op == RequestOp::kGet || request.op == RequestOp::kPut ||
                      request.op == RequestOp::kDelete || request.op == RequestOp::kCas;
    if (single_key && request.limit != 0) {
        // A consistency level (leaderless_message.h) sent to a Raft node: refused rather than
        // ignored, so a client never believes it chose a level this mode does not have.
        return Reply(from, request, ReplyCode::kAborted, {},
                     "consistency levels are the leaderless mode's; a Raft cluster's reads and "
                      "writes are always linearizable (send no level)");
    }
    switch (request.op) {
        case RequestOp::kPut:
        case RequestOp::kDelete:
        case RequestOp::kCas: return OnWrite(from, request);
        case RequestOp::kTxnCommit:
        case RequestOp::kTxnAutocommit: return OnWrite(from, request);
        case RequestOp::kGet:
        case RequestOp::kScan:
        case RequestOp::kTxnBegin:
        case RequestOp::kTxnGet:
        case RequestOp::kTxnScan: return OnRead(from, request);
        case RequestOp::kStatus: {
            ClientReply r;
            r.client_id = request.client_id;
            r.seq = request.seq;
            r.status = status();
            r.status->state_hash = StateHash();
            SendReply(from, r);
            return;
        }
        case RequestOp::kRepair:
            return Reply(from, request, ReplyCode::kAborted, {},
                         "repair is the leaderless mode's anti-entropy; a Raft cluster's replicas "
                          "agree through the log");
    }
}

uint64_t KvServer::StateHash() {
    // One scan over the whole engine. Only status requests ask, so its cost is paid by tools and
    // tests comparing replicas, never on the request path. 0 if the scan fails.
    uint64_t hash = 0;
    std::string record;
    auto it = engine_->Scan(storage::ScanOptions{});
    for (; it->Valid(); it->Next()) {
        record.clear();
        PutLengthPrefixed(&record, it->key());
        PutLengthPrefixed(&record, it->value());
        hash = Hash64(record, hash);
    }
    return it->status().ok() ? hash : 0;
}

void KvServer::OnWrite(NodeId from, const ClientRequest& request) {
    if (request.key.empty() || request.client_id == 0 || request.seq == 0) {
        return Reply(from, request, ReplyCode::kError, {}, "invalid request");
    }
    // Thesis §6.3: a retry of a command already applied gets the cached reply, not a new entry.
    SessionLookup seen = sm_->LookupSession(request.client_id, request.seq);
    if (seen.kind == SessionLookup::Kind::kDuplicate) {
        ReplyCode code = seen.reply.code;
        bool failed = code == ReplyCode::kError || code == ReplyCode::kAborted;
        if (failed) return Reply(from, request, seen.reply.code, {}, seen.reply.value);
        return Reply(from, request, seen.reply.code, seen.reply.value);
    }
    if (seen.kind == SessionLookup::Kind::kStale) {
        return Reply(from, request, ReplyCode::kError, {}, "stale sequence number");
    }
    auto key = std::pair{request.client_id, request.seq};
    if (auto it = waiting_writes_.find(key); it != waiting_writes_.end()) {
        it->second.reply_to = from;  // Already proposed in this term: just wait for it.
        return;
    }
    if (raft_->role() != raft::Role::kLeader) {
        return Reply(from, request, ReplyCode::kNotLeader);
    }
    if (waiting_writes_.size() >= options_.max_waiting_writes) {
        return Reply(from, request, ReplyCode::kError, {}, "busy: too many writes in flight");
    }
    Command c{static_cast<CommandOp>(static_cast<uint8_t>(request.op) - 1), request.client_id,
              request.seq, request.key, request.value, request.expected};
    if (request.op == RequestOp::kTxnCommit) c.op = CommandOp::kTxn;
    if (request.op == RequestOp::kTxnAutocommit) c.op = CommandOp::kTxnAutocommit;
    auto index = raft_->Propose(EncodeCommand(c));
    if (!index.ok()) {
        if (index.status().Is(Code::kNotLeader)) return Reply(from, request, ReplyCode::kNotLeader);
        return Reply(from, request, ReplyCode::kError, {}, index.status().ToString());
    }
    ++writes_proposed_;
    waiting_writes_[key] = Waiter{from, raft_->term()};
}

void KvServer::OnRead(NodeId from, const ClientRequest& request) {
    if (raft_->role() != raft::Role::kLeader) return Reply(from, request, ReplyCode::kNotLeader);
    if (options_.bug_stale_read) return AnswerRead(from, request);  // No ReadIndex: the bug.
    if (waiting_reads_ >= options_.max_waiting_reads) {
        return Reply(from, request, ReplyCode::kError, {}, "busy: too many reads in flight");
    }
    ++waiting_reads_;
    raft_->ReadIndex([this, from, request](Status s) {
        --waiting_reads_;
        if (s.ok()) return AnswerRead(from, request);
        if (s.Is(Code::kNotLeader)) return Reply(from, request, ReplyCode::kNotLeader);
        Reply(from, request, ReplyCode::kError, {}, s.ToString());
    });
}

void KvServer::AnswerRead(NodeId to, const ClientRequest& request) {
    // A frozen state machine (a failed engine write in this very Ready) may lag the index it
    // reports; the server halts right after. Say nothing: the client retries elsewhere.
    if (!sm_->health().ok()) return;
    ++reads_served_;
    if (request.op == RequestOp::kTxnBegin || request.has_snapshot()) {
        return AnswerTxnRead(to, request);
    }
    if (request.op == RequestOp::kScan) {
        auto pairs = sm_->Scan(request.key, request.end, request.limit);
        if (!pairs.ok()) return Reply(to, request, ReplyCode::kError, {}, pairs.status().ToString());
        return ReplyPairs(to, request, std::move(*pairs));
    }
    auto value = sm_->Get(request.key);
    if (value.ok()) return Reply(to, request, ReplyCode::kOk, std::move(*value));
    if (value.status().Is(Code::kNotFound)) return Reply(to, request, ReplyCode::kNotFound);
    Reply(to, request, ReplyCode::kError, {}, value.status().ToString());
}

void KvServer::OnApplied(const Command& command, const CommandReply& reply) {
    auto it = waiting_writes_.find({command.client_id, command.seq});
    if (it == waiting_writes_.end()) return;  // Not proposed here (or from an older term).
    ClientReply r;
    r.client_id = command.client_id;
    r.seq = command.seq;
    r.code = reply.code;
    bool failed = reply.code == ReplyCode::kError || reply.code == ReplyCode::kAborted;
    (failed ? r.message : r.value) = reply.value;
    NodeId to = it->second.reply_to;
    waiting_writes_.erase(it);
    SendReply(to, r);
}

void KvServer::Reply(NodeId to, const ClientRequest& request, ReplyCode code, std::string value,
                     std::string message) {
    ClientReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    r.code = code;
    r.value = std::move(value);
    r.message = std::move(message);
    if (code == ReplyCode::kNotLeader) r.leader_hint = LeaderHint();
    SendReply(to, r);
}

void KvServer::ReplyPairs(NodeId to, const ClientRequest& request,
                          std::vector<std::pair<std::string, std::string>> pairs) {
    ClientReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    r.pairs = std::move(pairs);
    SendReply(to, r);
}

void KvServer::SendReply(NodeId to, const ClientReply& reply) {
    counters_.Replied(reply.client_id, reply.seq, reply.code, env_.clock.Now());
    env_.network.Send(to, Frame(Channel::kClient, EncodeReply(reply)));
}

void KvServer::Halt(Status reason, bool fault_point) {
    if (halted_) return;
    halted_ = true;
    halt_reason_ = std::move(reason);
    if (sql_) sql_->Halt();
    env_.tracer.Record(env_.node, "note", {{"text", "halt: " + halt_reason_.ToString()}});
    if (tick_timer_) env_.clock.CancelTimer(*tick_timer_);
    tick_timer_.reset();
    if (options_.on_halt) options_.on_halt(halt_reason_, fault_point);
}

}  // namespace orrery::node
