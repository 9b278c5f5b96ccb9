// Acceptor: see acceptor.h for the rules and the durability contract.
#include "paxos/acceptor.h"

#include "core/coding.h"

namespace orrery::paxos {
namespace {

constexpr uint8_t kRecordVersion = 1;
constexpr size_t kMaxCachedKeys = 1 << 16;

void PutBallot(std::string* out, const Ballot& b) {
    PutVarint64(out, b.counter);
    PutVarint32(out, b.node.value());
}

bool GetBallot(Decoder* in, Ballot* b) {
    uint32_t node = 0;
    if (!in->GetVarint64(&b->counter) || !in->GetVarint32(&node)) return false;
    b->node = NodeId(node);
    return true;
}

}  // namespace

std::string EncodeAcceptorState(const AcceptorState& s) {
    std::string out(1, static_cast<char>(kRecordVersion));
    PutBallot(&out, s.promised);
    PutBallot(&out, s.accepted);
    out.push_back(s.value ? 1 : 0);
    if (s.value) PutLengthPrefixed(&out, *s.value);
    return out;
}

Result<AcceptorState> DecodeAcceptorState(std::string_view bytes) {
    Decoder in(bytes);
    AcceptorState s;
    uint8_t version = 0, has = 0;
    if (!in.GetU8(&version) || version != kRecordVersion || !GetBallot(&in, &s.promised) ||
        !GetBallot(&in, &s.accepted) || !in.GetU8(&has) || has > 1) {
        return Status::Corruption("paxos acceptor record malformed");
    }
    if (has == 1) {
        std::string_view v;
        if (!in.GetLengthPrefixed(&v)) return Status::Corruption("paxos acceptor value truncated");
        s.value = std::string(v);
    }
    if (!in.empty()) return Status::Corruption("paxos acceptor record has trailing bytes");
    return s;
}

Acceptor::Acceptor(Env& env, storage::Engine& engine, AcceptorConfig config,
                   AcceptObserver* observer)
    : env_(env), engine_(engine), config_(std::move(config)), observer_(observer) {}

Result<AcceptorState> Acceptor::Load(const std::string& key) {
    auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
    Result<std::string> raw = engine_.Get(config_.key_prefix + key);
    AcceptorState s;
    if (raw.ok()) {
        ORRERY_ASSIGN_OR_RETURN(s, DecodeAcceptorState(*raw));
    } else if (!raw.status().Is(Code::kNotFound)) {
        return raw.status();
    }
    if (cache_.size() >= kMaxCachedKeys) cache_.clear();
    cache_[key] = s;
    return s;
}

Status Acceptor::Store(const std::string& key, const AcceptorState& s, bool durable) {
    if (durable) {
        storage::WriteBatch batch;
        batch.Set(config_.key_prefix + key, EncodeAcceptorState(s));
        // Synced before the reply leaves: Paxos' promise means nothing if a crash forgets it.
        ORRERY_RETURN_IF_ERROR(engine_.Write(batch, /*sync=*/true));
        ++syncs_;
    }
    cache_[key] = s;
    return Status::Ok();
}

Result<Message> Acceptor::Handle(const Message& m) {
    if (m.key.empty() || m.key.size() > kMaxKeyBytes) {
        return Status::InvalidArgument("paxos key must be 1..1024 bytes");
    }
    if (m.ballot.none()) return Status::InvalidArgument("paxos ballot 0 is reserved");
    if (m.type == MsgType::kPrepare) return HandlePrepare(m);
    if (m.type == MsgType::kAccept) return HandleAccept(m);
    return Status::InvalidArgument("an acceptor handles only Prepare and Accept");
}

// CASPaxos §2.1, prepare: "An acceptor returns a conflict if it already saw a greater ballot
// number. Otherwise it persists the ballot number as a promise and returns a confirmation".
Result<Message> Acceptor::HandlePrepare(const Message& m) {
    ORRERY_ASSIGN_OR_RETURN(AcceptorState s, Load(m.key));
    Message reply = MakeMessage(MsgType::kPromise, m.key, m.ballot);
    if (m.ballot < s.seen()) {
        reply.seen = s.seen();
        return reply;
    }
    if (m.ballot > s.promised) {
        s.promised = m.ballot;
        ORRERY_RETURN_IF_ERROR(Store(m.key, s, /*durable=*/!config_.bug_forget_promise));
    }
    reply.ok = true;
    reply.accepted = s.accepted;
    reply.value = s.value;
    if (observer_ != nullptr) observer_->OnPromised(env_.node, m.key, m.ballot);
    return reply;
}

// CASPaxos §2.1, accept: "An acceptor returns a conflict if it already saw a greater ballot
// number. Otherwise it marks the value as accepted". With the one-round-trip optimisation
// (§2.2.1) the same write also promises the proposer's next ballot.
Result<Message> Acceptor::HandleAccept(const Message& m) {
    ORRERY_ASSIGN_OR_RETURN(AcceptorState s, Load(m.key));
    Message reply = MakeMessage(MsgType::kAccepted, m.key, m.ballot);
    if (m.ballot < s.seen()) {
        reply.seen = s.seen();
        return reply;
    }
    if (!m.next.none() && m.next <= m.ballot) {
        return Status::InvalidArgument("a piggybacked promise must be above its accept's ballot");
    }
    bool repeat = s.accepted == m.ballot;  // A duplicated Accept: already durable.
    if (!repeat) {
        s.accepted = m.ballot;
        s.value = m.value;
        s.promised = std::max(m.ballot, m.next);
        ORRERY_RETURN_IF_ERROR(Store(m.key, s, /*durable=*/true));
        if (observer_ != nullptr) observer_->OnAccepted(env_.node, m.key, m.ballot, m.base, m.value);
    }
    reply.ok = true;
    return reply;
}

}  // namespace orrery::paxos
