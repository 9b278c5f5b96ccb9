// LeaderlessServer: wiring, the event loop, the replica side and hinted handoff. The
// coordinator is in leaderless_coordinator.cpp, anti-entropy in leaderless_repair.cpp.
#include "node/leaderless_server.h"

#include <fmt/format.h>

#include "storage/memory_engine.h"

namespace orrery::node {
namespace {

constexpr std::string_view kDataPrefix = "d/";
constexpr uint64_t kHintReplayTicks = 5;
constexpr uint64_t kPurgeTicks = 500;
constexpr size_t kHintsPerReplay = 32;
// Replica ids of hint writes carry this bit, so their acks are told from request acks.
constexpr uint64_t kHintIdBit = uint64_t{1} << 63;
// At the campaigns' buggify rate of 0.05 this fires once per 40 promises, about twice in a
// smoke seed where the point is enabled: enough for paxos.forget-promise to be caught in 35 of
// 200 smoke seeds (0.02 caught it in none: the crash must hit while the promise is relied on).
constexpr double kCrashAfterPromiseWeight = 0.5;

}  // namespace

const std::vector<std::string>& LeaderlessBugNames() {
    static const std::vector<std::string> kNames = {
        "paxos.forget-promise", "paxos.skip-accepted-value", "handoff.volatile",
        "gossip.no-refute"};
    return kNames;
}

Status EnableLeaderlessBug(std::string_view name, LeaderlessOptions* o) {
    if (name == "paxos.forget-promise") {
        o->acceptor.bug_forget_promise = true;
    } else if (name == "paxos.skip-accepted-value") {
        o->paxos.bug_skip_accepted_value = true;
    } else if (name == "handoff.volatile") {
        o->bug_volatile_hints = true;
    } else if (name == "gossip.no-refute") {
        o->gossip.bug_no_refute = true;
    } else {
        return Status::InvalidArgument(fmt::format(
            "unknown leaderless bug \"{}\" (paxos.forget-promise, paxos.skip-accepted-value, "
            "handoff.volatile, gossip.no-refute)", name));
    }
    return Status::Ok();
}

LeaderlessServer::LeaderlessServer(Env& env, LeaderlessOptions options)
    : env_(env), options_(std::move(options)), disk_(env.disk, "ll-") {}

LeaderlessServer::~LeaderlessServer() {
    if (tick_timer_) env_.clock.CancelTimer(*tick_timer_);
    if (loopback_timer_) env_.clock.CancelTimer(*loopback_timer_);
    env_.network.SetHandler([](NodeId, std::string_view) {});
}

Result<std::unique_ptr<LeaderlessServer>> LeaderlessServer::Open(Env& env,
                                                                 LeaderlessOptions options) {
    if (options.rf < 1 || options.rf > options.peers.size()) {
        return Status::InvalidArgument(fmt::format("rf {} must be in [1, {} servers]", options.rf,
                                                   options.peers.size()));
    }
    if (options.vnodes < 1 || options.vnodes > kMaxVnodes) {
        return Status::InvalidArgument("vnodes must be in [1, 256]");
    }
    if (options.consistency == Consistency::kDefault) {
        return Status::InvalidArgument("the default consistency must name a level");
    }
    std::unique_ptr<LeaderlessServer> s(new LeaderlessServer(env, std::move(options)));
    ORRERY_RETURN_IF_ERROR(s->Init());
    return s;
}

Status LeaderlessServer::Init() {
    if (options_.engine) {
        ORRERY_ASSIGN_OR_RETURN(engine_, options_.engine(env_, disk_));
    } else {
        engine_ = std::make_unique<storage::MemoryEngine>();
    }
    ORRERY_ASSIGN_OR_RETURN(hints_, HintStore::Open(*engine_, options_.bug_volatile_hints));
    acceptor_ = std::make_unique<paxos::Acceptor>(env_, *engine_, options_.acceptor,
                                                  options_.paxos_observer);
    options_.paxos.id = env_.node;
    ORRERY_ASSIGN_OR_RETURN(proposer_,
                            paxos::Proposer::Open(env_, *engine_, options_.paxos,
                                                  [this](NodeId to, std::string b) {
                                                      SendPaxos(to, std::move(b));
                                                  }));
    options_.gossip.id = env_.node;
    options_.gossip.seeds = options_.peers;
    Status gossip_ok = gossip::ValidateConfig(options_.gossip);
    if (!gossip_ok.ok()) return gossip_ok;
    swim_ = std::make_unique<gossip::Swim>(env_, options_.gossip, [this](NodeId to, std::string b) {
        env_.network.Send(to, std::string(1, static_cast<char>(kGossipChannel)) + b);
    });
    swim_->SetListener([this](const gossip::Member&) { RebuildRing(); });
    RebuildRing();
    env_.network.SetHandler([this](NodeId from, std::string_view b) { OnDatagram(from, b); });
    tick_timer_ = env_.clock.SetTimer(options_.tick, [this] { OnTick(); });
    return Status::Ok();
}

// The ring holds the configured peers and every member gossip knows of that has not left:
// membership, not liveness (leaderless_ring.h).
void LeaderlessServer::RebuildRing() {
    std::set<NodeId> members(options_.peers.begin(), options_.peers.end());
    for (const auto& [id, m] : swim_->table().members()) {
        if (m.state == gossip::State::kLeft) {
            members.erase(id);
        } else {
            members.insert(id);
        }
    }
    std::vector<NodeId> list(members.begin(), members.end());
    if (ring_ && ring_->members() == list) return;
    ring_ = std::make_unique<HashRing>(std::move(list), options_.vnodes);
}

bool LeaderlessServer::Alive(NodeId id) const {
    if (id == env_.node) return true;
    const gossip::Member* m = swim_->table().Find(id);
    return m != nullptr && (m->state == gossip::State::kAlive || m->state == gossip::State::kSuspect);
}

void LeaderlessServer::Halt(const Status& why, bool fault_point) {
    if (halted_) return;
    halted_ = true;
    env_.tracer.Record(env_.node, "note", {{"text", "halted: " + why.ToString()}});
    if (options_.on_halt) options_.on_halt(why, fault_point);
}

bool LeaderlessServer::Check(const Status& s) {
    if (!s.ok()) Halt(s);
    return s.ok() && !halted_;
}

void LeaderlessServer::OnDatagram(NodeId from, std::string_view bytes) {
    if (halted_ || bytes.empty()) return;
    std::string_view payload = bytes.substr(1);
    switch (static_cast<uint8_t>(bytes[0])) {
        case kGossipChannel: swim_->Step(from, payload); return;
        case kPaxosChannel: OnPaxos(from, payload); return;
        case kReplicaChannel: {
            Result<ReplicaMessage> m = DecodeReplicaMessage(payload);
            if (m.ok()) {
                OnReplica(from, *m);
                return;
            }
            env_.tracer.Record(env_.node, "note",
                               {{"text", fmt::format("dropped malformed replica message from {}: {}",
                                                     from, m.status().message())}});
            return;
        }
        case kClientChannelByte: {
            Result<ClientMessage> m = DecodeClientMessage(payload);
            if (m.ok() && m->request) OnClient(from, *m->request);
            return;
        }
        default:
            env_.tracer.Record(env_.node, "note",
                               {{"text", fmt::format("dropped a datagram of unknown channel {} "
                                                     "from {}", static_cast<int>(bytes[0]), from)}});
    }
}

void LeaderlessServer::OnTick() {
    tick_timer_ = env_.clock.SetTimer(options_.tick, [this] { OnTick(); });
    if (halted_) return;
    ++ticks_;
    if (ticks_ % static_cast<uint64_t>(options_.gossip_every_ticks) == 0) swim_->Tick();
    proposer_->Tick();
    ExpireRequests();
    if (ticks_ % kHintReplayTicks == 0) ReplayHints();
    if (ticks_ % kPurgeTicks == 0) PurgeTombstones();
}

// ---- Paxos -----------------------------------------------------------------------------------

void LeaderlessServer::SendPaxos(NodeId to, std::string bytes) {
    if (to != env_.node) {
        env_.network.Send(to, std::string(1, static_cast<char>(kPaxosChannel)) + bytes);
        return;
    }
    // To ourselves: later, from the event loop (never inline in the proposer's call).
    loopback_.push_back(std::move(bytes));
    if (!loopback_timer_) {
        loopback_timer_ = env_.clock.SetTimer(Duration(0), [this] { DrainLoopback(); });
    }
}

void LeaderlessServer::DrainLoopback() {
    loopback_timer_.reset();
    std::deque<std::string> batch;
    batch.swap(loopback_);
    for (const std::string& b : batch) {
        if (halted_) return;
        OnPaxos(env_.node, b);
    }
}

void LeaderlessServer::OnPaxos(NodeId from, std::string_view payload) {
    Result<paxos::Message> m = paxos::DecodeMessage(payload);
    if (!m.ok()) {
        env_.tracer.Record(env_.node, "note",
                           {{"text", fmt::format("dropped malformed paxos message from {}: {}",
                                                 from, m.status().message())}});
        return;
    }
    if (m->type == paxos::MsgType::kPromise || m->type == paxos::MsgType::kAccepted) {
        proposer_->Step(from, *m);
        return;
    }
    Result<paxos::Message> reply = acceptor_->Handle(*m);
    if (!reply.ok()) {
        if (reply.status().Is(Code::kInvalidArgument)) return;  // A bad request: no answer.
        Halt(reply.status());
        return;
    }
    SendPaxos(from, paxos::EncodeMessage(*reply));
    if (reply->type == paxos::MsgType::kPromise && reply->ok &&
        env_.faults.Fire("leaderless.crash-after-promise", kCrashAfterPromiseWeight)) {
        Halt(Status::Aborted("fault point leaderless.crash-after-promise"), /*fault_point=*/true);
    }
}

// ---- Replica side ----------------------------------------------------------------------------

Result<std::optional<Cell>> LeaderlessServer::LocalCell(const std::string& key) {
    Result<std::string> raw = engine_->Get(std::string(kDataPrefix) + key);
    if (!raw.ok()) {
        if (raw.status().Is(Code::kNotFound)) return std::optional<Cell>();
        return raw.status();
    }
    ORRERY_ASSIGN_OR_RETURN(Cell c, DecodeCell(*raw));
    return std::optional<Cell>(std::move(c));
}

Result<std::vector<std::pair<std::string, Cell>>> LeaderlessServer::LocalCells() {
    std::vector<std::pair<std::string, Cell>> out;
    std::unique_ptr<storage::Iterator> it = engine_->Scan(storage::PrefixScan(kDataPrefix));
    for (; it->Valid(); it->Next()) {
        ORRERY_ASSIGN_OR_RETURN(Cell c, DecodeCell(it->value()));
        out.emplace_back(std::string(it->key().substr(kDataPrefix.size())), std::move(c));
    }
    ORRERY_RETURN_IF_ERROR(it->status());
    return out;
}

// Merges by last-write-wins; returns true iff the stored cell changed. Synced before return:
// the replica acks only what survives its crash.
Result<bool> LeaderlessServer::MergeLocal(const std::string& key, const Cell& cell) {
    ORRERY_ASSIGN_OR_RETURN(std::optional<Cell> have, LocalCell(key));
    if (have && !CellWins(cell, *have)) return false;
    storage::WriteBatch batch;
    batch.Set(std::string(kDataPrefix) + key, EncodeCell(cell));
    ORRERY_RETURN_IF_ERROR(engine_->Write(batch, /*sync=*/true));
    return true;
}

void LeaderlessServer::OnReplica(NodeId from, const ReplicaMessage& m) {
    switch (m.type) {
        case ReplicaMsgType::kWrite: {
            if (m.key.empty() || m.key.size() > storage::kMaxKeyBytes - kDataPrefix.size()) return;
            Result<bool> merged = MergeLocal(m.key, *m.cell);
            if (!Check(merged.status())) return;
            if (m.id == 0) return;  // A read repair: nobody waits for it.
            env_.network.Send(from, EncodeReplicaMessage(MakeReplica(ReplicaMsgType::kWriteAck, m.id)));
            return;
        }
        case ReplicaMsgType::kRead: {
            Result<std::optional<Cell>> c = LocalCell(m.key);
            if (!Check(c.status())) return;
            ReplicaMessage reply = MakeReplica(ReplicaMsgType::kReadReply, m.id, m.key, *c);
            env_.network.Send(from, EncodeReplicaMessage(reply));
            return;
        }
        case ReplicaMsgType::kWriteAck:
            if ((m.id & kHintIdBit) != 0) {
                uint64_t id = m.id & ~kHintIdBit;
                bool known = hints_in_flight_.erase(id) > 0;
                if (!known || !Check(hints_->Remove(id))) return;
                env_.tracer.Record(env_.node, "hint", {{"what", "delivered"}, {"to", from},
                                                       {"id", id}});
                ++counters_.hints_delivered;
                if (options_.hint_observer) options_.hint_observer->OnHintDelivered(env_.node, id);
                return;
            }
            OnWriteAck(from, m.id);
            return;
        case ReplicaMsgType::kReadReply: OnReadReply(from, m); return;
        case ReplicaMsgType::kTreeReq: OnTreeReq(from, m); return;
        case ReplicaMsgType::kRangeReq: OnRangeReq(from, m); return;
        case ReplicaMsgType::kTreeReply:
        case ReplicaMsgType::kRangeReply: OnRepairReply(from, m); return;
    }
}

// Hinted handoff, the replay half: hints for targets gossip sees alive are sent again until
// acknowledged (an ack removes the hint; leaderless_hints.h).
void LeaderlessServer::ReplayHints() {
    Timestamp now = env_.clock.Now();
    for (NodeId target : hints_->Targets()) {
        if (target == env_.node || !Alive(target)) continue;
        const gossip::Member* m = swim_->table().Find(target);
        if (m == nullptr || m->state != gossip::State::kAlive) continue;
        for (const Hint& h : hints_->ForTarget(target, kHintsPerReplay)) {
            auto sent = hints_in_flight_.find(h.id);
            if (sent != hints_in_flight_.end() && now - sent->second < options_.hint_retry) continue;
            hints_in_flight_[h.id] = now;
            ReplicaMessage w = MakeReplica(ReplicaMsgType::kWrite, kHintIdBit | h.id, h.key, h.cell, true);
            env_.network.Send(target, EncodeReplicaMessage(w));
        }
    }
}

// Tombstones older than the grace period (on this node's clock) are dropped. A replica that
// missed the delete and was not repaired within the grace period may resurrect the value: the
// documented price of forgetting deletes.
void LeaderlessServer::PurgeTombstones() {
    Result<std::vector<std::pair<std::string, Cell>>> cells = LocalCells();
    if (!Check(cells.status())) return;
    int64_t horizon = CellClockUs() - options_.tombstone_grace.us();
    storage::WriteBatch batch;
    for (const auto& [key, cell] : *cells) {
        if (cell.tombstone && cell.timestamp_us < horizon) batch.Delete(std::string(kDataPrefix) + key);
    }
    if (!batch.empty()) Check(engine_->Write(batch));
}

std::string LeaderlessServer::DescribeStatus() const {
    std::string out = fmt::format("{} incarnation={} period={} hints={}\n", env_.node,
                                  swim_->incarnation(), swim_->period(), hints_->size());
    out += "gossip:\n";
    for (const auto& [id, m] : swim_->table().members()) {
        out += fmt::format("  {} {} i{} since period {}\n", id, gossip::StateName(m.state),
                           m.incarnation, m.changed_period);
    }
    out += fmt::format("ring: {} members, {} tokens, rf={}\n", ring_->members().size(),
                       ring_->tokens(), options_.rf);
    for (const auto& [id, ppm] : ring_->Ownership()) {
        out += fmt::format("  {} owns {:.1f}%\n", id, static_cast<double>(ppm) / 10000.0);
    }
    return out;
}

}  // namespace orrery::node
