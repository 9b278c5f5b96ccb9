// SqlServer: requests, the session table, replies. Running statements (snapshots, steps,
// commits, leadership changes) is sql_server_run.cpp. See sql_server.h.
#include "node/sql_server.h"

#include <fmt/format.h>

#include <cctype>

#include "node/client_protocol.h"

namespace orrery::node {
namespace {

constexpr Duration kSweepEvery = Duration::Seconds(1);

// True iff the statement's first keyword is COMMIT or END (which end a transaction by
// committing it), skipping white space and comments. Only used to word the answer for a
// transaction this node no longer holds: unknown outcome for a commit, unavailable otherwise.
bool IsCommitText(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        if (std::isspace(static_cast<unsigned char>(text[i])) != 0) {
            ++i;
        } else if (text.substr(i, 2) == "--") {
            size_t nl = text.find('\n', i);
            i = nl == std::string_view::npos ? text.size() : nl + 1;
        } else if (text.substr(i, 2) == "/*") {
            size_t end = text.find("*/", i + 2);
            i = end == std::string_view::npos ? text.size() : end + 2;
        } else {
            break;
        }
    }
    size_t j = i;
    while (j < text.size() && std::isalpha(static_cast<unsigned char>(text[j])) != 0) ++j;
    std::string word(text.substr(i, j - i));
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return word == "commit" || word == "end";
}

bool StartsWithRollback(std::string_view text) {
    size_t i = 0;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
    std::string word(text.substr(i, 8));
    for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return word == "rollback" || word.substr(0, 5) == "abort";
}

}  // namespace

SqlServer::SqlServer(Env& env, raft::RaftNode& raft, KvStateMachine& sm,
                     SqlServerOptions options, bool bug_stale_read)
    : env_(env),
      raft_(raft),
      sm_(sm),
      options_(std::move(options)),
      bug_stale_read_(bug_stale_read),
      term_(raft.term()),
      leading_(raft.role() == raft::Role::kLeader),
      last_sweep_(env.clock.Now()) {
    ORRERY_ASSERT(options_.max_sessions > 0, "max_sessions must be positive");
    ORRERY_ASSERT(options_.step_rows > 0, "step_rows must be positive");
}

SqlServer::~SqlServer() {
    for (auto& [id, entry] : sessions_) {
        if (entry.step_timer) env_.clock.CancelTimer(*entry.step_timer);
    }
}

void SqlServer::Halt() {
    halted_ = true;
    for (auto& [id, entry] : sessions_) {
        if (entry.step_timer) env_.clock.CancelTimer(*entry.step_timer);
        entry.step_timer.reset();
    }
}

size_t SqlServer::open_transactions() const {
    size_t n = 0;
    for (const auto& [id, entry] : sessions_) {
        if (entry.session->txn_status() != sql::TxnStatus::kIdle) ++n;
    }
    return n;
}

void SqlServer::OnMessage(NodeId from, std::string_view payload) {
    if (halted_) return;
    auto message = DecodeSqlMessage(payload);
    if (!message.ok() || !message->request) return;  // Garbage or a stray reply: drop it.
    OnRequest(from, *message->request);
}

void SqlServer::OnRequest(NodeId from, const SqlRequest& request) {
    switch (request.op) {
        case SqlOp::kStatus: return ReplyStatus(from, request);
        case SqlOp::kClose: return OnClose(from, request);
        case SqlOp::kExecute: return OnExecute(from, request);
        case SqlOp::kCancel: return OnCancel(request);
    }
}

// Only a statement still stepping (or still waiting for its snapshot) can be cancelled: once
// its commit is proposed its fate is Raft's, as a PostgreSQL COMMIT past the point of no
// return. Nothing is sent back: the statement's own reply (57014, or its result when the
// cancel came too late) says what happened, as PostgreSQL's CancelRequest gets no answer.
void SqlServer::OnCancel(const SqlRequest& request) {
    auto it = sessions_.find(request.client_id);
    if (it == sessions_.end()) return;
    Entry& e = it->second;
    if (request.seq == 0 || e.running_seq != request.seq) return;  // Another statement.
    if (e.phase != Phase::kStepping && e.phase != Phase::kAwaitSnapshot) return;
    ORRERY_ASSERT(e.session->statement_in_progress(), "session c{} steps no statement",
                  request.client_id);
    e.session->Cancel();
    ++cancels_;
}

void SqlServer::OnExecute(NodeId from, const SqlRequest& request) {
    if (request.client_id == 0 || request.seq == 0) {
        return ReplyUncached(from, request, MakeSqlError(sql::ErrorKind::kInternal, "invalid request"),
                             sql::TxnStatus::kIdle);
    }
    Sweep(/*force=*/false);
    auto it = sessions_.find(request.client_id);
    if (it != sessions_.end()) {
        Entry& e = it->second;
        e.last_used = env_.clock.Now();
        if (e.phase != Phase::kIdle && e.running_seq == request.seq) {
            e.reply_to = from;  // A resend of the statement in progress: answer it when done.
            return;
        }
        if (request.seq == e.done_seq) return SendEncoded(from, e.done_reply);
        if (request.seq < e.done_seq) return;  // Older than what the client already has.
        if (e.phase != Phase::kIdle) {
            SqlReply r;
            r.client_id = request.client_id;
            r.seq = request.seq;
            r.code = SqlReplyCode::kBusy;
            r.error = MakeSqlError(sql::ErrorKind::kUnavailable,
                                    fmt::format("busy: statement #{} of this session is still "
                                                "running", e.running_seq));
            return Send(from, r);
        }
    }
    if (!options_.sessions) {
        return ReplyUncached(from, request,
                             MakeSqlError(sql::ErrorKind::kFeatureNotSupported, "this node serves no SQL"),
                             sql::TxnStatus::kIdle);
    }
    if (!Leading()) return ReplyNotLeader(from, request);
    Entry* entry = it != sessions_.end() ? &it->second : nullptr;
    if (AnswerFromKvSessions(from, request, entry)) return;
    if (entry == nullptr) entry = FindOrCreate(request.client_id);
    if (entry == nullptr) {
        SqlReply r;
        r.client_id = request.client_id;
        r.seq = request.seq;
        r.code = SqlReplyCode::kBusy;
        r.error = MakeSqlError(sql::ErrorKind::kUnavailable,
                                fmt::format("busy: this node holds its bound of {} SQL sessions",
                                            options_.max_sessions));
        return Send(from, r);
    }
    entry->reply_to = from;
    if (AnswerLostTransaction(from, request, *entry)) return;
    StartStatement(request.client_id, *entry, request);
}

// A seq this session never finished here whose commit the state machine already applied: the
// statement ran at an earlier leader (or an earlier attempt here), and the client is retrying.
// Running it again would be a second execution; the KV session table has its commit's fate.
bool SqlServer::AnswerFromKvSessions(NodeId to, const SqlRequest& request, Entry* entry) {
    SessionLookup seen = sm_.LookupSession(request.client_id, request.seq);
    if (seen.kind == SessionLookup::Kind::kNew) return false;
    SqlReply r;
    r.seq = request.seq;
    if (seen.kind == SessionLookup::Kind::kStale) {
        r.code = SqlReplyCode::kError;
        r.error = MakeSqlError(sql::ErrorKind::kInternal,
                                "stale sequence number: a later statement of this session "
                                "committed already");
    } else if (seen.reply.code == ReplyCode::kOk) {
        sql::StatementResult result;
        result.tag = "COMMITTED";
        result.notices.push_back(fmt::format(
            "this statement committed at an earlier attempt (version {}); its result was not "
            "kept", seen.reply.value));
        r.result = std::move(result);
    } else if (seen.reply.code == ReplyCode::kAborted) {
        r.code = SqlReplyCode::kError;
        r.error = MakeSqlError(sql::ErrorKind::kSerializationFailure, seen.reply.value);
    } else {
        r.code = SqlReplyCode::kError;
        r.error = MakeSqlError(sql::ErrorKind::kInternal, seen.reply.value);
    }
    if (entry == nullptr) entry = FindOrCreate(request.client_id);
    if (entry == nullptr) {
        r.client_id = request.client_id;
        r.seq = request.seq;
        Send(to, r);
        return true;
    }
    // The transaction, if any, ended with that commit.
    if (entry->session->txn_status() != sql::TxnStatus::kIdle) {
        entry->session->AbortTransaction("the transaction committed at an earlier attempt");
    }
    entry->txn_token = 0;
    entry->reply_to = to;
    Finish(request.client_id, *entry, std::move(r));
    return true;
}

// The client is inside a transaction this session does not hold (the node that held it lost
// leadership, restarted, expired the session, or the client moved here): say so instead of
// running the statement outside any transaction.
bool SqlServer::AnswerLostTransaction(NodeId to, const SqlRequest& request, Entry& entry) {
    (void)to;
    sql::TxnStatus here = entry.session->txn_status();
    bool client_in_txn = request.believed != sql::TxnStatus::kIdle;
    if (!client_in_txn) {
        if (here != sql::TxnStatus::kIdle) {
            // A transaction whose BEGIN reply the client never saw: it is not the client's.
            entry.session->AbortTransaction("the client does not know this transaction");
            entry.txn_token = 0;
        }
        return false;
    }
    if (here != sql::TxnStatus::kIdle && entry.txn_token == request.txn_token) return false;
    if (here != sql::TxnStatus::kIdle) {
        entry.session->AbortTransaction("the client is in another transaction");
    }
    entry.txn_token = 0;
    SqlReply r;
    r.seq = request.seq;
    if (StartsWithRollback(request.text)) {
        sql::StatementResult result;
        result.tag = "ROLLBACK";
        result.notices.push_back("the transaction was already rolled back by the server");
        r.result = std::move(result);
    } else if (IsCommitText(request.text)) {
        r.code = SqlReplyCode::kError;
        r.error = MakeSqlError(sql::ErrorKind::kUnknownOutcome,
                                "the transaction's session was lost (leader change, restart or "
                                "expiry) before its COMMIT was answered: its outcome is unknown");
    } else {
        r.code = SqlReplyCode::kError;
        r.error = MakeSqlError(sql::ErrorKind::kUnavailable,
                                "the transaction was lost (leader change, restart or expiry) and "
                                "rolled back; retry it from BEGIN");
    }
    Finish(request.client_id, entry, std::move(r));
    return true;
}

void SqlServer::OnClose(NodeId from, const SqlRequest& request) {
    SqlReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    auto it = sessions_.find(request.client_id);
    if (it != sessions_.end()) {
        if (it->second.phase != Phase::kIdle) {
            r.code = SqlReplyCode::kBusy;
            return Send(from, r);
        }
        if (it->second.session->txn_status() != sql::TxnStatus::kIdle) {
            it->second.session->AbortTransaction("the session was closed");
        }
        sessions_.erase(it);
    }
    Send(from, r);
}

SqlServer::Entry* SqlServer::FindOrCreate(uint64_t client_id) {
    auto it = sessions_.find(client_id);
    if (it != sessions_.end()) return &it->second;
    if (sessions_.size() >= options_.max_sessions) Sweep(/*force=*/true);
    if (sessions_.size() >= options_.max_sessions) return nullptr;
    Entry& e = sessions_[client_id];
    e.session = options_.sessions(sm_.txn().mvcc());
    e.last_used = env_.clock.Now();
    return &e;
}

// Expires sessions idle for options.idle_timeout: at most once a second, or when room is needed.
void SqlServer::Sweep(bool force) {
    Timestamp now = env_.clock.Now();
    if (!force && now - last_sweep_ < kSweepEvery) return;
    last_sweep_ = now;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
        Entry& e = it->second;
        if (e.phase != Phase::kIdle || now - e.last_used < options_.idle_timeout) {
            ++it;
            continue;
        }
        if (e.session->txn_status() != sql::TxnStatus::kIdle) {
            e.session->AbortTransaction("the session expired");
        }
        it = sessions_.erase(it);
        ++sessions_expired_;
    }
}

void SqlServer::Finish(uint64_t client_id, Entry& entry, SqlReply reply) {
    reply.client_id = client_id;
    ORRERY_ASSERT(reply.seq != 0, "a final reply without its seq");
    if (!reply.result && !reply.error) reply.result.emplace();
    if (reply.error && reply.code == SqlReplyCode::kOk) reply.code = SqlReplyCode::kError;
    reply.txn_status = entry.session->txn_status();
    reply.txn_token = entry.txn_token;
    std::string encoded = EncodeSqlReply(reply);
    if (encoded.size() > kMaxSqlReplyBytes) {
        size_t rows = reply.result ? reply.result->rows.size() : 0;
        reply.result.reset();
        reply.code = SqlReplyCode::kError;
        reply.error = MakeSqlError(
            sql::ErrorKind::kProgramLimitExceeded,
            fmt::format("the result ({} rows, {} bytes) exceeds the reply bound of {} bytes; "
                        "the statement's effects stand (use LIMIT for large queries)",
                        rows, encoded.size(), kMaxSqlReplyBytes));
        encoded = EncodeSqlReply(reply);
    }
    entry.done_seq = reply.seq;
    entry.done_reply = std::move(encoded);
    entry.last_used = env_.clock.Now();
    SendEncoded(entry.reply_to, entry.done_reply);
}

void SqlServer::ReplyStatus(NodeId to, const SqlRequest& request) {
    SqlReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    SqlNodeStatus s;
    s.node = env_.node.value();
    s.leader = LeaderHint();
    s.role = static_cast<uint8_t>(raft_.role());
    s.term = raft_.term().value();
    s.commit = raft_.commit_index().value();
    s.applied = sm_.applied_index().value();
    s.mvcc_version = sm_.txn().last_version();
    s.sessions = sessions_.size();
    s.open_transactions = open_transactions();
    for (const auto& [id, address] : options_.client_addresses) {
        s.client_addresses.emplace_back(id.value(), address);
    }
    r.status = std::move(s);
    auto it = sessions_.find(request.client_id);
    if (it != sessions_.end()) {
        r.txn_status = it->second.session->txn_status();
        r.txn_token = it->second.txn_token;
    }
    Send(to, r);
}

void SqlServer::ReplyNotLeader(NodeId to, const SqlRequest& request) {
    SqlReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    r.code = SqlReplyCode::kNotLeader;
    r.leader_hint = LeaderHint();
    r.leader_address = LeaderAddress();
    r.txn_status = request.believed;
    r.txn_token = request.txn_token;
    Send(to, r);
}

void SqlServer::ReplyUncached(NodeId to, const SqlRequest& request, sql::SqlError error,
                              sql::TxnStatus status) {
    SqlReply r;
    r.client_id = request.client_id;
    r.seq = request.seq;
    r.code = SqlReplyCode::kError;
    r.error = std::move(error);
    r.txn_status = status;
    Send(to, r);
}

void SqlServer::Send(NodeId to, const SqlReply& reply) { SendEncoded(to, EncodeSqlReply(reply)); }

void SqlServer::SendEncoded(NodeId to, const std::string& encoded) {
    env_.network.Send(to, Frame(Channel::kSql, encoded));
}

uint32_t SqlServer::LeaderHint() const {
    std::optional<NodeId> leader = raft_.leader();
    return leader ? leader->value() : 0;
}

std::string SqlServer::LeaderAddress() const {
    std::optional<NodeId> leader = raft_.leader();
    if (!leader) return "";
    auto it = options_.client_addresses.find(*leader);
    return it == options_.client_addresses.end() ? "" : it->second;
}

bool SqlServer::Leading() const { return !halted_ && raft_.role() == raft::Role::kLeader; }

}  // namespace orrery::node
