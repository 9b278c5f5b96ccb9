// KvClient: retries, redirects and outcomes. See kv_client.h.
#include "node/kv_client.h"

#include <fmt/format.h>

namespace orrery::node {

std::string_view OutcomeTypeName(KvOutcome::Type type) {
    switch (type) {
        case KvOutcome::Type::kOk: return "ok";
        case KvOutcome::Type::kFail: return "fail";
        case KvOutcome::Type::kInfo: return "info";
    }
    return "?";
}

KvClient::KvClient(Env& env, KvClientOptions options)
    : env_(env), options_(std::move(options)), client_id_(options_.client_id) {
    ORRERY_ASSERT(!options_.servers.empty(), "a KvClient needs servers");
    ORRERY_ASSERT(options_.attempt_timeout > Duration(0) && options_.op_timeout > Duration(0));
    while (client_id_ == 0) client_id_ = env_.random.Next();
    env_.network.SetHandler([this](NodeId from, std::string_view bytes) { OnMessage(from, bytes); });
}

KvClient::~KvClient() {
    CancelTimers();
    env_.network.SetHandler([](NodeId, std::string_view) {});
}

void KvClient::Submit(ClientRequest request, Done done) {
    SubmitTo(std::move(request), std::nullopt, std::move(done));
}

void KvClient::SubmitTo(ClientRequest request, std::optional<NodeId> target, Done done) {
    ORRERY_ASSERT(!busy(), "KvClient runs one operation at a time");
    ORRERY_ASSERT(done != nullptr);
    request.client_id = client_id_;
    request.seq = ++seq_;
    op_ = PendingOp{std::move(request), std::move(done), 0, target};
    deadline_timer_ = env_.clock.SetTimer(options_.op_timeout, [this] { OnDeadline(); });
    SendAttempt();
}

namespace {

ClientRequest MakeRequest(RequestOp op, std::string key) {
    ClientRequest r;
    r.op = op;
    r.key = std::move(key);
    return r;
}

}  // namespace

void KvClient::Get(std::string key, Done done) {
    Submit(MakeRequest(RequestOp::kGet, std::move(key)), std::move(done));
}

void KvClient::Put(std::string key, std::string value, Done done) {
    ClientRequest r = MakeRequest(RequestOp::kPut, std::move(key));
    r.value = std::move(value);
    Submit(std::move(r), std::move(done));
}

void KvClient::Delete(std::string key, Done done) {
    Submit(MakeRequest(RequestOp::kDelete, std::move(key)), std::move(done));
}

void KvClient::Cas(std::string key, std::string expected, std::string value, Done done) {
    ClientRequest r = MakeRequest(RequestOp::kCas, std::move(key));
    r.expected = std::move(expected);
    r.value = std::move(value);
    Submit(std::move(r), std::move(done));
}

void KvClient::Scan(std::string start, std::string end, uint32_t limit, Done done) {
    ClientRequest r = MakeRequest(RequestOp::kScan, std::move(start));
    r.end = std::move(end);
    r.limit = std::min(limit, kMaxScanLimit);
    Submit(std::move(r), std::move(done));
}

void KvClient::Status(NodeId server, Done done) {
    SubmitTo(MakeRequest(RequestOp::kStatus, ""), server, std::move(done));
}

void KvClient::Repair(NodeId server, Done done) {
    SubmitTo(MakeRequest(RequestOp::kRepair, ""), server, std::move(done));
}

size_t KvClient::SlotOf(NodeId server) const {
    for (size_t i = 0; i < options_.servers.size(); ++i) {
        if (options_.servers[i] == server) return i;
    }
    return leader_slot_;  // Not one of ours (a stale or foreign hint): keep the current guess.
}

void KvClient::SendAttempt() {
    ORRERY_ASSERT(op_.has_value());
    NodeId to = op_->fixed_target.value_or(options_.servers[leader_slot_]);
    ++op_->attempts;
    ++requests_sent_;
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    attempt_timer_ = env_.clock.SetTimer(options_.attempt_timeout, [this] { OnAttemptTimeout(); });
    env_.network.Send(to, Frame(Channel::kClient, EncodeRequest(op_->request)));
}

void KvClient::OnAttemptTimeout() {
    attempt_timer_.reset();
    if (!op_) return;
    // No answer: the request or its reply was lost, or the server is down or partitioned away.
    // Try the next server with the same seq; the session table makes a second copy harmless.
    ++attempt_timeouts_;
    if (!op_->fixed_target) leader_slot_ = (leader_slot_ + 1) % options_.servers.size();
    SendAttempt();
}

void KvClient::OnDeadline() {
    deadline_timer_.reset();
    if (!op_) return;
    KvOutcome out;
    out.code = ReplyCode::kError;
    if (op_->request.is_write()) {
        out.type = KvOutcome::Type::kInfo;
        out.error = "timeout: the write may or may not have been applied";
    } else {
        out.type = KvOutcome::Type::kFail;
        out.error = "timeout: no answer (a read has no effect)";
    }
    Finish(std::move(out));
}

void KvClient::OnMessage(NodeId from, std::string_view datagram) {
    auto framed = Unframe(datagram);
    if (!framed.ok() || framed->first != Channel::kClient) return;
    auto message = DecodeClientMessage(framed->second);
    if (!message.ok() || !message->reply) return;  // Garbled or not for a client: drop.
    const ClientReply& reply = *message->reply;
    if (!op_ || reply.client_id != client_id_ || reply.seq != op_->request.seq) return;
    OnReply(from, reply);
}

void KvClient::OnReply(NodeId from, const ClientReply& reply) {
    KvOutcome out;
    out.server = from;  // Kept only by the replies that finish the op.
    out.code = reply.code;
    out.value = reply.value;
    switch (reply.code) {
        case ReplyCode::kOk:
        case ReplyCode::kNotFound:
            out.type = KvOutcome::Type::kOk;
            out.pairs = reply.pairs;
            out.status = reply.status;
            out.message = reply.message;
            leader_slot_ = SlotOf(from);
            Finish(std::move(out));
            return;
        case ReplyCode::kCasFailed:
            // The state machine applied this very seq and found another value: no effect.
            out.type = KvOutcome::Type::kFail;
            out.error = "cas-failed";
            leader_slot_ = SlotOf(from);
            Finish(std::move(out));
            return;
        case ReplyCode::kAborted:
            // A transaction's serialization failure: decided (on every replica) with no
            // effect, so a definite fail that the caller may retry as a new transaction.
            out.type = KvOutcome::Type::kFail;
            out.error = reply.message.empty() ? "aborted" : reply.message;
            leader_slot_ = SlotOf(from);
            Finish(std::move(out));
            return;
        case ReplyCode::kNotLeader:
            Redirect(from, reply.leader_hint);
            return;
        case ReplyCode::kError:
            // Not definite for a write (the server may have proposed it): retry until the
            // deadline turns it into info.
            RetryLater();
            return;
    }
}

void KvClient::Redirect(NodeId from, uint32_t hint) {
    ++redirects_;
    if (op_->fixed_target) {
        RetryLater();
        return;
    }
    size_t hinted = hint != 0 ? SlotOf(NodeId(hint)) : options_.servers.size();
    bool useful = hinted < options_.servers.size() && options_.servers[hinted] != from;
    // Follow a fresh hint at once; without one, or after a lap of redirects (two servers that
    // point at each other during an election), back off before trying the next server.
    if (useful && op_->attempts <= static_cast<int>(options_.servers.size())) {
        leader_slot_ = hinted;
        SendAttempt();
        return;
    }
    leader_slot_ = useful ? hinted : (SlotOf(from) + 1) % options_.servers.size();
    RetryLater();
}

void KvClient::RetryLater() {
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    attempt_timer_ = env_.clock.SetTimer(options_.retry_backoff, [this] {
        attempt_timer_.reset();
        if (op_) SendAttempt();
    });
}

void KvClient::Finish(KvOutcome outcome) {
    ORRERY_ASSERT(op_.has_value());
    outcome.attempts = op_->attempts;
    Done done = std::move(op_->done);
    op_.reset();
    CancelTimers();
    done(outcome);  // Last: the callback may Submit the next operation.
}

void KvClient::CancelTimers() {
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    if (deadline_timer_) env_.clock.CancelTimer(*deadline_timer_);
    attempt_timer_.reset();
    deadline_timer_.reset();
}

}  // namespace orrery::node
