// SqlClient: retries, redirects and outcomes. See sql_client.h.
#include "node/sql_client.h"

#include <fmt/format.h>

#include "node/client_protocol.h"

namespace orrery::node {
namespace {

// Errors whose effect is unknown: the statement may have committed.
bool Indeterminate(sql::ErrorKind kind) {
    return kind == sql::ErrorKind::kUnknownOutcome || kind == sql::ErrorKind::kInternal;
}

}  // namespace

SqlClient::SqlClient(Env& env, SqlClientOptions options)
    : env_(env), options_(std::move(options)), client_id_(options_.client_id) {
    ORRERY_ASSERT(!options_.servers.empty(), "a SqlClient needs servers");
    ORRERY_ASSERT(options_.attempt_timeout > Duration(0), "attempt timeout must be positive");
    ORRERY_ASSERT(options_.op_timeout > Duration(0), "op timeout must be positive");
    while (client_id_ == 0) client_id_ = env_.random.Next();
    env_.network.SetHandler([this](NodeId from, std::string_view b) { OnMessage(from, b); });
}

SqlClient::~SqlClient() {
    CancelTimers();
    env_.network.SetHandler([](NodeId, std::string_view) {});
}

void SqlClient::Execute(std::string text, std::vector<sql::Value> params, Done done) {
    ORRERY_ASSERT(!busy(), "SqlClient runs one statement at a time");
    if (orrery::Status bounds = CheckSqlRequestBounds(text, params); !bounds.ok()) {
        op_ = PendingOp{SqlRequest{}, std::move(done), 0, std::nullopt};
        attempt_timer_ = env_.clock.SetTimer(Duration(0), [this, bounds] {
            attempt_timer_.reset();
            SqlOutcome out;
            out.type = KvOutcome::Type::kFail;
            out.error = MakeSqlError(sql::ErrorKind::kProgramLimitExceeded, bounds.message());
            out.txn_status = txn_status_;
            Finish(std::move(out));
        });
        return;
    }
    SqlRequest r;
    r.op = SqlOp::kExecute;
    r.text = std::move(text);
    r.params = std::move(params);
    Submit(std::move(r), std::nullopt, std::move(done));
}

void SqlClient::Status(NodeId server, Done done) {
    SqlRequest r;
    r.op = SqlOp::kStatus;
    Submit(std::move(r), server, std::move(done));
}

void SqlClient::Close(Done done) {
    SqlRequest r;
    r.op = SqlOp::kClose;
    Submit(std::move(r), options_.servers[leader_slot_], std::move(done));
}

void SqlClient::Cancel() {
    if (!op_ || op_->request.op != SqlOp::kExecute || op_->request.seq == 0) return;
    SqlRequest r;
    r.op = SqlOp::kCancel;
    r.client_id = client_id_;
    r.seq = op_->request.seq;
    std::string frame = Frame(Channel::kSql, EncodeSqlRequest(r));
    for (NodeId server : options_.servers) env_.network.Send(server, frame);
}

void SqlClient::Submit(SqlRequest request, std::optional<NodeId> target, Done done) {
    ORRERY_ASSERT(!busy(), "SqlClient runs one statement at a time");
    ORRERY_ASSERT(done != nullptr, "a statement needs a callback");
    request.client_id = client_id_;
    request.seq = ++seq_;
    request.believed = txn_status_;
    request.txn_token = txn_token_;
    op_ = PendingOp{std::move(request), std::move(done), 0, target};
    deadline_timer_ = env_.clock.SetTimer(options_.op_timeout, [this] { OnDeadline(); });
    SendAttempt();
}

size_t SqlClient::SlotOf(NodeId server) const {
    for (size_t i = 0; i < options_.servers.size(); ++i) {
        if (options_.servers[i] == server) return i;
    }
    return options_.servers.size();
}

void SqlClient::SendAttempt() {
    ORRERY_ASSERT(op_.has_value(), "an attempt without a statement");
    NodeId to = op_->fixed_target.value_or(options_.servers[leader_slot_]);
    ++op_->attempts;
    ++requests_sent_;
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    attempt_timer_ = env_.clock.SetTimer(options_.attempt_timeout, [this] { OnAttemptTimeout(); });
    env_.network.Send(to, Frame(Channel::kSql, EncodeSqlRequest(op_->request)));
}

void SqlClient::OnAttemptTimeout() {
    attempt_timer_.reset();
    if (!op_) return;
    // No answer: lost, or the server is down, partitioned away or still running the statement.
    // Try the next server with the same seq: a follower points back at the leader, and the
    // leader attaches the resend to the statement in progress.
    if (!op_->fixed_target) leader_slot_ = (leader_slot_ + 1) % options_.servers.size();
    SendAttempt();
}

void SqlClient::OnDeadline() {
    deadline_timer_.reset();
    if (!op_) return;
    SqlOutcome out;
    if (op_->request.op == SqlOp::kStatus) {
        out.type = KvOutcome::Type::kFail;
        out.error = MakeSqlError(sql::ErrorKind::kUnavailable, "timeout: no answer");
    } else {
        out.type = KvOutcome::Type::kInfo;
        out.error = MakeSqlError(sql::ErrorKind::kUnknownOutcome,
                                 "timeout: no answer; the statement may or may not have taken "
                                 "effect, and the transaction (if any) will be rolled back");
    }
    // The server's session may still hold a transaction; believing idle makes it roll back.
    txn_status_ = sql::TxnStatus::kIdle;
    txn_token_ = 0;
    out.txn_status = txn_status_;
    Finish(std::move(out));
}

void SqlClient::OnMessage(NodeId from, std::string_view datagram) {
    auto framed = Unframe(datagram);
    if (!framed.ok() || framed->first != Channel::kSql) return;
    auto message = DecodeSqlMessage(framed->second);
    if (!message.ok() || !message->reply) return;
    const SqlReply& reply = *message->reply;
    if (!op_ || reply.client_id != client_id_ || reply.seq != op_->request.seq) return;
    OnReply(from, reply);
}

void SqlClient::OnReply(NodeId from, const SqlReply& reply) {
    if (reply.code == SqlReplyCode::kNotLeader) {
        last_leader_address_ = reply.leader_address;
        return Redirect(from, reply.leader_hint);
    }
    if (reply.code == SqlReplyCode::kBusy) return RetryLater();
    SqlOutcome out;
    out.server = from;
    out.status = reply.status;
    if (reply.code == SqlReplyCode::kOk) {
        out.result = reply.result;
    } else {
        out.error = reply.error.value_or(MakeSqlError(sql::ErrorKind::kInternal, "error"));
        out.type = Indeterminate(out.error->kind) ? KvOutcome::Type::kInfo
                                                  : KvOutcome::Type::kFail;
    }
    if (op_->request.op == SqlOp::kExecute) {
        txn_status_ = reply.txn_status;
        txn_token_ = reply.txn_token;
    } else if (op_->request.op == SqlOp::kClose) {
        txn_status_ = sql::TxnStatus::kIdle;
        txn_token_ = 0;
    }
    out.txn_status = txn_status_;
    if (!op_->fixed_target && SlotOf(from) < options_.servers.size()) leader_slot_ = SlotOf(from);
    Finish(std::move(out));
}

void SqlClient::Redirect(NodeId from, uint32_t hint) {
    ++redirects_;
    if (op_->fixed_target) return RetryLater();
    size_t hinted = hint != 0 ? SlotOf(NodeId(hint)) : options_.servers.size();
    bool useful = hinted < options_.servers.size() && options_.servers[hinted] != from;
    // Follow a fresh hint at once; without one, or after a lap of redirects (an election in
    // progress), back off before trying the next server.
    if (useful && op_->attempts <= static_cast<int>(options_.servers.size())) {
        leader_slot_ = hinted;
        return SendAttempt();
    }
    size_t from_slot = SlotOf(from);
    if (useful) {
        leader_slot_ = hinted;
    } else if (from_slot < options_.servers.size()) {
        leader_slot_ = (from_slot + 1) % options_.servers.size();
    }
    RetryLater();
}

void SqlClient::RetryLater() {
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    attempt_timer_ = env_.clock.SetTimer(options_.retry_backoff, [this] {
        attempt_timer_.reset();
        if (op_) SendAttempt();
    });
}

void SqlClient::Finish(SqlOutcome outcome) {
    ORRERY_ASSERT(op_.has_value(), "Finish without a statement");
    outcome.attempts = op_->attempts;
    Done done = std::move(op_->done);
    op_.reset();
    CancelTimers();
    done(outcome);  // Last: the callback may start the next statement.
}

void SqlClient::CancelTimers() {
    if (attempt_timer_) env_.clock.CancelTimer(*attempt_timer_);
    if (deadline_timer_) env_.clock.CancelTimer(*deadline_timer_);
    attempt_timer_.reset();
    deadline_timer_.reset();
}

}  // namespace orrery::node
