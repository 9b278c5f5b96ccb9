// Swim: see swim.h for the protocol and its invariants.
#include "gossip/swim.h"

#include <algorithm>

#include <fmt/format.h>

namespace orrery::gossip {
namespace {

// Relayed probes kept at once; a PingReq beyond it is ignored (the requester suspects anyway).
constexpr size_t kMaxRelays = 64;

}  // namespace

Status ValidateConfig(const GossipConfig& c) {
    if (c.id.value() == 0 || IsClient(c.id)) return Status::InvalidArgument("gossip id must be a server");
    if (c.probe_ticks < 2) return Status::InvalidArgument("probe_ticks must be at least 2");
    if (c.ack_timeout_ticks < 1 || c.ack_timeout_ticks >= c.probe_ticks) {
        return Status::InvalidArgument("ack_timeout_ticks must be in [1, probe_ticks)");
    }
    if (c.indirect_probes < 0 || c.indirect_probes > 16) {
        return Status::InvalidArgument("indirect_probes must be in [0, 16]");
    }
    if (c.suspicion_periods < 1) return Status::InvalidArgument("suspicion_periods must be >= 1");
    if (c.retransmit_mult < 1) return Status::InvalidArgument("retransmit_mult must be >= 1");
    if (c.max_piggyback < 1 || c.max_piggyback + 1 > kMaxUpdatesPerMessage) {
        return Status::InvalidArgument("max_piggyback out of range");
    }
    if (c.reconnect_periods < 1) return Status::InvalidArgument("reconnect_periods must be >= 1");
    return Status::Ok();
}

Swim::Swim(Env& env, GossipConfig config, Send send)
    : env_(env),
      config_(std::move(config)),
      send_(std::move(send)),
      rng_(env.random.Fork(fmt::format("gossip/{}", config_.id))) {
    Status valid = ValidateConfig(config_);
    ORRERY_ASSERT(valid.ok(), "{}", valid.ToString());
    std::erase(config_.seeds, config_.id);
    table_.Apply({config_.id, State::kAlive, 0}, env_.clock.Now(), 0);
    joined_ = config_.seeds.empty();
}

// ---- Time ------------------------------------------------------------------------------------

void Swim::Tick() {
    if (left_) return;
    ++ticks_;
    if (probe_ && !probe_->acked && !probe_->indirect_sent &&
        ticks_ >= probe_->started_tick + static_cast<uint64_t>(config_.ack_timeout_ticks)) {
        ProbeIndirectly();
    }
    ExpireSuspects();
    if ((ticks_ - 1) % static_cast<uint64_t>(config_.probe_ticks) == 0) StartPeriod();
    ORRERY_ASSERT(table_.Find(config_.id)->state == State::kAlive);
}

void Swim::StartPeriod() {
    ++period_;
    // SWIM §4.2: a probe that got no Ack by the end of its period makes its target suspect.
    if (probe_ && !probe_->acked) {
        const Member* m = table_.Find(probe_->target);
        if (m != nullptr && m->state == State::kAlive) {
            NodeId accused = m->id;
            ApplyUpdate({accused, State::kSuspect, m->incarnation}, "no-ack");
            // Tell the accused at once (the message carries the accusation), so that a live
            // member can refute before its next probe comes round (after Lifeguard, 2017).
            SendTo(accused, Message{MsgType::kGossip, 0, 0, NodeId(0), {}});
        }
    }
    probe_.reset();
    ExpireRelays();
    SendJoin();
    ProbeNext();
    if (period_ % static_cast<uint64_t>(config_.reconnect_periods) == 0) Reconnect();
}

// SWIM §4.3: round-robin over a shuffled list, reshuffled after each pass, so every reachable
// member is probed within two passes of its joining.
void Swim::ProbeNext() {
    for (int pass = 0; pass < 2; ++pass) {
        while (probe_next_ < probe_order_.size()) {
            NodeId target = probe_order_[probe_next_++];
            const Member* m = table_.Find(target);
            if (m == nullptr || target == config_.id) continue;
            if (m->state != State::kAlive && m->state != State::kSuspect) continue;
            probe_ = Probe{target, ++seq_, ticks_, false, false};
            SendTo(target, Message{MsgType::kPing, 0, probe_->seq, target, {}});
            return;
        }
        probe_order_ = table_.Reachable();
        std::erase(probe_order_, config_.id);
        for (size_t i = probe_order_.size(); i > 1; --i) {  // Fisher-Yates, seeded.
            std::swap(probe_order_[i - 1], probe_order_[rng_.Uniform(i)]);
        }
        probe_next_ = 0;
    }
}

void Swim::ProbeIndirectly() {
    probe_->indirect_sent = true;
    std::vector<NodeId> helpers = table_.InState(State::kAlive);
    std::erase(helpers, config_.id);
    std::erase(helpers, probe_->target);
    for (int i = 0; i < config_.indirect_probes && !helpers.empty(); ++i) {
        size_t pick = rng_.Uniform(helpers.size());
        SendTo(helpers[pick], Message{MsgType::kPingReq, 0, probe_->seq, probe_->target, {}});
        helpers.erase(helpers.begin() + static_cast<std::ptrdiff_t>(pick));
    }
}

// Partition healing: ping one member believed dead. The Ping carries the accusation, so a live
// member refutes it and its Ack (at the new incarnation) brings it back.
void Swim::Reconnect() {
    std::optional<NodeId> target = RandomPick(table_.InState(State::kDead));
    if (target) SendTo(*target, Message{MsgType::kPing, 0, ++seq_, *target, {}});
}

// Joins through the seeds this node has not heard of yet, one per period, round-robin. Asking
// every unknown seed (not only until the first answer) keeps a cluster whose nodes all start at
// once from forming two groups that never learn of each other.
void Swim::SendJoin() {
    for (size_t i = 0; i < config_.seeds.size(); ++i) {
        NodeId seed = config_.seeds[next_seed_++ % config_.seeds.size()];
        if (table_.Find(seed) != nullptr) continue;
        SendTo(seed, Message{MsgType::kJoin, 0, 0, NodeId(0), {}});
        return;
    }
}

void Swim::ExpireSuspects() {
    uint64_t limit = static_cast<uint64_t>(config_.suspicion_periods) *
                     static_cast<uint64_t>(config_.probe_ticks);
    std::vector<Update> confirmed;
    for (const auto& [id, since] : suspect_since_) {
        const Member* m = table_.Find(id);
        if (m != nullptr && m->state == State::kSuspect && ticks_ - since >= limit) {
            confirmed.push_back({id, State::kDead, m->incarnation});
        }
    }
    for (const Update& u : confirmed) ApplyUpdate(u, "suspicion-timeout");
}

void Swim::ExpireRelays() {
    std::erase_if(relays_, [&](const auto& kv) { return kv.second.expires_tick <= ticks_; });
}

// ---- Messages --------------------------------------------------------------------------------

void Swim::Step(NodeId from, std::string_view bytes) {
    if (left_) return;
    Result<Message> m = DecodeMessage(bytes);
    if (!m.ok()) {
        ++malformed_;
        std::string text = fmt::format("gossip: dropped malformed message from {}: {}", from,
                                       m.status().message());
        env_.tracer.Record(config_.id, "note", {{"text", text}});
        return;
    }
    if (from == config_.id || from.value() == 0 || IsClient(from)) return;
    Handle(from, *m);
}

void Swim::Handle(NodeId from, const Message& m) {
    joined_ = true;  // Some member talks to us: we are in the group.
    for (const Update& u : m.updates) ApplyUpdate(u, "gossip");
    // The sender's incarnation is its own alive claim (only it can raise it). It comes after the
    // piggybacked updates, so a leaving sender's "left" at the same incarnation wins.
    ApplyUpdate({from, State::kAlive, m.incarnation}, "heard");
    switch (m.type) {
        case MsgType::kPing: HandlePing(from, m); return;
        case MsgType::kAck: HandleAck(m); return;
        case MsgType::kPingReq: HandlePingReq(from, m); return;
        case MsgType::kJoin: {
            Message ack{MsgType::kJoinAck, 0, 0, NodeId(0), table_.AsUpdates()};
            if (ack.updates.size() > kMaxUpdatesPerMessage - config_.max_piggyback - 1) {
                ack.updates.resize(kMaxUpdatesPerMessage - config_.max_piggyback - 1);
            }
            SendTo(from, std::move(ack));
            return;
        }
        case MsgType::kJoinAck:
        case MsgType::kGossip: return;
    }
}

void Swim::HandlePing(NodeId from, const Message& m) {
    if (m.target != config_.id) return;  // Misdirected (a stale relay): nothing to answer.
    SendTo(from, Message{MsgType::kAck, 0, m.seq, config_.id, {}});
}

void Swim::HandleAck(const Message& m) {
    if (probe_ && m.seq == probe_->seq && m.target == probe_->target) {
        probe_->acked = true;
        return;
    }
    auto it = relays_.find(m.seq);
    if (it == relays_.end() || it->second.target != m.target) return;
    Relay relay = it->second;
    relays_.erase(it);
    SendTo(relay.requester, Message{MsgType::kAck, 0, relay.requester_seq, relay.target, {}});
}

void Swim::HandlePingReq(NodeId from, const Message& m) {
    if (m.target == config_.id) {  // Asked to ping ourselves: answer for us directly.
        SendTo(from, Message{MsgType::kAck, 0, m.seq, config_.id, {}});
        return;
    }
    if (relays_.size() >= kMaxRelays || m.target.value() == 0) return;
    uint64_t seq = ++seq_;
    relays_[seq] = Relay{from, m.seq, m.target,
                         ticks_ + static_cast<uint64_t>(config_.probe_ticks)};
    SendTo(m.target, Message{MsgType::kPing, 0, seq, m.target, {}});
}

// ---- Updates ---------------------------------------------------------------------------------

void Swim::ApplyUpdate(const Update& u, std::string_view why) {
    if (IsClient(u.member)) return;
    if (u.member == config_.id) {
        ApplyAboutSelf(u);
        return;
    }
    if (!table_.Apply(u, env_.clock.Now(), period_)) return;
    if (u.state == State::kSuspect) {
        suspect_since_[u.member] = ticks_;
    } else {
        suspect_since_.erase(u.member);
    }
    broadcasts_[u.member] = Broadcast{u, 0};
    Changed(*table_.Find(u.member), why);
}

// SWIM §4.2: "a member that receives a suspect message about itself... refutes it by
// incrementing its incarnation number and disseminating an alive message".
void Swim::ApplyAboutSelf(const Update& u) {
    if (u.incarnation < incarnation_) return;  // An old claim: already refuted.
    if (u.state == State::kAlive) {
        // Others knew us at a higher incarnation (we restarted and forgot it): adopt it.
        if (u.incarnation > incarnation_) {
            incarnation_ = u.incarnation;
            table_.Apply({config_.id, State::kAlive, incarnation_}, env_.clock.Now(), period_);
        }
        return;
    }
    if (config_.bug_no_refute) return;  // gossip.no-refute: the suspicion stands.
    incarnation_ = u.incarnation + 1;
    Update alive{config_.id, State::kAlive, incarnation_};
    bool changed = table_.Apply(alive, env_.clock.Now(), period_);
    ORRERY_ASSERT(changed, "a refutation must raise our own entry");
    broadcasts_[config_.id] = Broadcast{alive, 0};
    Changed(*table_.Find(config_.id), "refute");
}

void Swim::Changed(const Member& m, std::string_view why) {
    env_.tracer.Record(config_.id, "gossip",
                       {{"member", m.id}, {"state", StateName(m.state)},
                        {"inc", m.incarnation}, {"why", why}});
    if (listener_) listener_(m);
}

void Swim::Leave() {
    if (left_) return;
    incarnation_ += 1;
    Update left{config_.id, State::kLeft, incarnation_};
    // Our own entry records the leave; the Tick invariant no longer applies once left_ is set.
    table_.Apply(left, env_.clock.Now(), period_);
    broadcasts_[config_.id] = Broadcast{left, 0};
    Changed(*table_.Find(config_.id), "leave");
    for (NodeId to : table_.Reachable()) {
        if (to != config_.id) SendTo(to, Message{MsgType::kGossip, 0, 0, NodeId(0), {}});
    }
    left_ = true;
}

// ---- Sending ---------------------------------------------------------------------------------

int Swim::RetransmitLimit() const {
    int log2 = 0;
    while ((size_t{1} << log2) < table_.size() + 1) ++log2;  // ceil(log2(n + 1)), n <= kMaxMembers.
    return config_.retransmit_mult * std::max(log2, 1);
}

// The least-sent updates first (ties by member id), plus the accusation if `to` is suspect or
// dead in our table, so the accused hears it and can refute.
std::vector<Update> Swim::Piggyback(NodeId to) {
    std::vector<std::pair<int, NodeId>> order;
    for (const auto& [id, b] : broadcasts_) order.emplace_back(b.transmits, id);
    std::sort(order.begin(), order.end());
    std::vector<Update> out;
    int limit = RetransmitLimit();
    for (const auto& [transmits, id] : order) {
        if (out.size() >= config_.max_piggyback) break;
        Broadcast& b = broadcasts_[id];
        out.push_back(b.update);
        if (++b.transmits >= limit) broadcasts_.erase(id);
    }
    const Member* m = table_.Find(to);
    if (m != nullptr && (m->state == State::kSuspect || m->state == State::kDead)) {
        Update accusation{to, m->state, m->incarnation};
        if (std::find(out.begin(), out.end(), accusation) == out.end()) out.push_back(accusation);
    }
    return out;
}

void Swim::SendTo(NodeId to, Message m) {
    ORRERY_ASSERT(to != config_.id);
    m.incarnation = incarnation_;
    size_t carried = m.updates.size();  // A JoinAck's table, which piggybacking need not repeat.
    for (const Update& u : Piggyback(to)) {
        if (m.updates.size() >= kMaxUpdatesPerMessage) break;
        auto first = m.updates.begin(), last = first + static_cast<std::ptrdiff_t>(carried);
        if (std::find(first, last, u) == last) m.updates.push_back(u);
    }
    send_(to, EncodeMessage(m));
}

std::optional<NodeId> Swim::RandomPick(std::vector<NodeId> from) {
    std::erase(from, config_.id);
    if (from.empty()) return std::nullopt;
    return from[rng_.Uniform(from.size())];
}

}  // namespace orrery::gossip
