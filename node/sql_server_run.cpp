// SqlServer: running statements. A statement moves through the phases
//
//   kAwaitSnapshot  (only if it begins a transaction: a ReadIndex round is under way)
//   kStepping       (Session::Step in bounded turns, each on a zero-delay timer)
//   kAwaitCommit    (its CommitRequest is a Raft entry; waiting for the state machine)
//   -> kStepping -> EndStatement (the reply, cached for resends) -> kIdle
//
// and leaves it early only through the leadership rules of sql_server.h. See sql_server.h.
#include <fmt/format.h>

#include <charconv>

#include "node/sql_server.h"

namespace orrery::node {
namespace {

// Steps a cancelled (or decided) statement needs to reach kDone. A session that needs more
// breaks its contract (session.h: a cancelled statement ends at its next Step).
constexpr int kMaxStepsToEnd = 16;

Result<mvcc::CommitOutcome> DecisionOf(const CommandReply& reply) {
    if (reply.code == ReplyCode::kAborted) return Status::Aborted(reply.value);
    if (reply.code != ReplyCode::kOk) return Status::IOError("commit failed: " + reply.value);
    mvcc::CommitOutcome outcome;
    const std::string& v = reply.value;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), outcome.commit_version);
    if (ec != std::errc() || end != v.data() + v.size()) {
        return Status::IOError("commit reply without a version: " + v);
    }
    return outcome;
}

}  // namespace

uint64_t SqlServer::NewTxnToken() {
    // Unique per (node, term, counter): a client's token never names a transaction of another
    // node or of an earlier leadership of this one.
    return (uint64_t{env_.node.value()} << 56) ^ (raft_.term().value() << 32) ^ ++token_counter_;
}

SqlServer::Entry* SqlServer::Running(uint64_t client_id, uint64_t seq, Phase phase) {
    if (halted_) return nullptr;
    auto it = sessions_.find(client_id);
    if (it == sessions_.end()) return nullptr;
    Entry& e = it->second;
    return e.phase == phase && e.running_seq == seq ? &e : nullptr;
}

void SqlServer::StartStatement(uint64_t client_id, Entry& entry, const SqlRequest& request) {
    ORRERY_ASSERT(entry.phase == Phase::kIdle, "session c{} runs two statements", client_id);
    ++statements_;
    entry.running_seq = request.seq;
    entry.answered_by_earlier = false;
    entry.session->Start(request.text, request.params);
    entry.began_in_statement = entry.session->needs_snapshot();
    if (!entry.began_in_statement) {
        entry.phase = Phase::kStepping;
        return RunSteps(client_id, entry);
    }
    // Raft thesis §6.4: the snapshot must include every commit acknowledged before now.
    entry.txn_term = raft_.term();
    entry.phase = Phase::kAwaitSnapshot;
    if (bug_stale_read_) return OnSnapshotReady(client_id, request.seq, Status::Ok());
    uint64_t seq = request.seq;
    raft_.ReadIndex([this, client_id, seq](Status s) { OnSnapshotReady(client_id, seq, s); });
}

void SqlServer::OnSnapshotReady(uint64_t client_id, uint64_t seq, Status status) {
    Entry* e = Running(client_id, seq, Phase::kAwaitSnapshot);
    if (e == nullptr) return;  // Ended meanwhile (a snapshot install, a halt).
    if (status.ok() && sm_.health().ok()) {
        e->phase = Phase::kStepping;
        return RunSteps(client_id, *e);
    }
    // Nothing ran yet: end the statement and let the client retry it (same seq) at the leader.
    e->session->Cancel();
    DriveToEnd(*e);
    e->session->TakeOutcome();
    if (e->session->txn_status() != sql::TxnStatus::kIdle) {
        e->session->AbortTransaction("no snapshot");
    }
    e->phase = Phase::kIdle;
    SqlRequest request;
    request.client_id = client_id;
    request.seq = seq;
    if (status.Is(Code::kNotLeader)) return ReplyNotLeader(e->reply_to, request);
    ReplyUncached(e->reply_to, request,
                  MakeSqlError(sql::ErrorKind::kUnavailable,
                               fmt::format("no linearizable snapshot: {}", status.ToString())),
                  sql::TxnStatus::kIdle);
}

void SqlServer::RunSteps(uint64_t client_id, Entry& entry) {
    switch (entry.session->Step(options_.step_rows)) {
        case SqlSession::StepState::kYield: return ScheduleStep(client_id, entry);
        case SqlSession::StepState::kNeedsCommit: return ProposeCommit(client_id, entry);
        case SqlSession::StepState::kDone: return EndStatement(client_id, entry);
    }
}

// The next turn of a statement: after every input already queued, so Raft keeps ticking.
void SqlServer::ScheduleStep(uint64_t client_id, Entry& entry) {
    ORRERY_ASSERT(!entry.step_timer, "session c{} has two step timers", client_id);
    entry.phase = Phase::kStepping;
    uint64_t seq = entry.running_seq;
    entry.step_timer = env_.clock.SetTimer(Duration(0), [this, client_id, seq] {
        Entry* e = Running(client_id, seq, Phase::kStepping);
        if (e == nullptr) return;
        e->step_timer.reset();
        RunSteps(client_id, *e);
    });
}

void SqlServer::ProposeCommit(uint64_t client_id, Entry& entry) {
    if (!Leading() || raft_.term() != entry.txn_term) {
        // Nothing was proposed: the transaction is simply rolled back.
        return DecideCommit(client_id, entry,
                            Status::Unavailable("leadership changed during the transaction; it "
                                                "was rolled back"));
    }
    // ONE entry for the whole transaction, under the client's session key (kv_command.h), so
    // that a retry proposed by a later leader is applied at most once.
    Command c{CommandOp::kTxn, client_id, entry.running_seq, "sql",
              mvcc::EncodeCommitRequest(entry.session->pending_commit()), ""};
    auto index = raft_.Propose(EncodeCommand(c));
    if (!index.ok()) {
        Status s = index.status().Is(Code::kNotLeader)
                       ? Status::Unavailable("not the leader; the transaction was rolled back")
                       : Status::Unavailable(index.status().ToString());
        return DecideCommit(client_id, entry, s);
    }
    ++commits_proposed_;
    waiting_commits_[{client_id, entry.running_seq}] = raft_.term();
    entry.phase = Phase::kAwaitCommit;
    env_.tracer.Record(env_.node, "note",
                       {{"text", fmt::format("sql c{}#{}: commit proposed at index {}", client_id,
                                             entry.running_seq, *index)}});
}

void SqlServer::DecideCommit(uint64_t client_id, Entry& entry,
                             Result<mvcc::CommitOutcome> decision) {
    entry.session->CommitDecided(std::move(decision));
    // Continue on a timer: the state machine may be in the middle of applying (the batch that
    // holds this commit is written after the apply listener returns).
    ScheduleStep(client_id, entry);
}

void SqlServer::OnApplied(const Command& command, const CommandReply& reply, bool duplicate) {
    if (command.op != CommandOp::kTxn) return;
    auto it = waiting_commits_.find({command.client_id, command.seq});
    if (it == waiting_commits_.end()) return;  // Not proposed here (or already given up).
    waiting_commits_.erase(it);
    Entry* e = Running(command.client_id, command.seq, Phase::kAwaitCommit);
    if (e == nullptr) return;
    // A duplicate: an earlier attempt of this statement (proposed by an earlier leader) was
    // applied first; its fate is this one's, and this execution's result is not what happened.
    if (duplicate) e->answered_by_earlier = true;
    DecideCommit(command.client_id, *e, DecisionOf(reply));
}

void SqlServer::EndStatement(uint64_t client_id, Entry& entry) {
    sql::StatementOutcome outcome = entry.session->TakeOutcome();
    uint64_t seq = entry.running_seq;
    entry.phase = Phase::kIdle;
    sql::TxnStatus status = entry.session->txn_status();
    if (status == sql::TxnStatus::kIdle) {
        entry.txn_token = 0;
    } else if (entry.began_in_statement || entry.txn_token == 0) {
        entry.txn_token = NewTxnToken();
    }
    SqlReply r;
    r.seq = seq;
    if (!outcome.ok()) {
        const sql::SqlError& error = outcome.error();
        // Not leading, nothing happened, no transaction left: the client may simply run the
        // statement again at the leader.
        if (error.kind == sql::ErrorKind::kUnavailable && !Leading() &&
            entry.began_in_statement && status == sql::TxnStatus::kIdle) {
            SqlRequest request;
            request.client_id = client_id;
            request.seq = seq;
            return ReplyNotLeader(entry.reply_to, request);
        }
        r.error = error;
    } else if (entry.answered_by_earlier) {
        sql::StatementResult result;
        result.tag = "COMMITTED";
        result.notices.push_back("this statement committed at an earlier attempt; its result "
                                 "was not kept");
        r.result = std::move(result);
    } else {
        r.result = std::move(outcome).value();
    }
    Finish(client_id, entry, std::move(r));
    // A transaction that outlived this node's leadership is rolled back after the reply: the
    // client learns it from its next statement (AnswerLostTransaction), never from a reply that
    // silently leaves the transaction.
    if (status != sql::TxnStatus::kIdle && (!Leading() || raft_.term() != entry.txn_term)) {
        entry.session->AbortTransaction("the node lost leadership");
    }
}

// Drives a statement that was cancelled or decided to kDone (bounded: kMaxStepsToEnd).
void SqlServer::DriveToEnd(Entry& entry) {
    for (int i = 0; i < kMaxStepsToEnd; ++i) {
        auto state = entry.session->Step(UINT64_MAX);
        if (state == SqlSession::StepState::kDone) return;
        ORRERY_ASSERT(state != SqlSession::StepState::kNeedsCommit,
                      "a cancelled statement asks for a commit");
    }
    ORRERY_ASSERT(false, "a cancelled statement did not end in {} steps", kMaxStepsToEnd);
}

void SqlServer::AfterReady() {
    if (halted_) return;
    bool leading = raft_.role() == raft::Role::kLeader;
    bool changed = raft_.term() != term_ || (leading_ && !leading);
    term_ = raft_.term();
    leading_ = leading;
    if (!changed) return;
    // Commits in flight: their entries may still commit under the next leader, or vanish.
    auto waiting = std::move(waiting_commits_);
    waiting_commits_.clear();
    for (const auto& [key, term] : waiting) {
        Entry* e = Running(key.first, key.second, Phase::kAwaitCommit);
        if (e == nullptr) continue;
        DecideCommit(key.first, *e,
                     Status::Timeout("leadership changed while the commit was in flight; its "
                                     "outcome is unknown"));
    }
    // Open transactions between statements: rolled back; running statements are handled when
    // they propose or end (ProposeCommit, EndStatement).
    for (auto& [id, e] : sessions_) {
        if (e.phase == Phase::kIdle && e.session->txn_status() != sql::TxnStatus::kIdle) {
            e.session->AbortTransaction("the node lost leadership");
        }
    }
}

void SqlServer::BeforeRestore() { EndEverything("a Raft snapshot is being installed"); }

// Ends every statement at once and rolls back every transaction (Mvcc::Reload requires that no
// transaction is active). Statements awaiting a commit answer kUnknownOutcome; the others
// kUnavailable. Replies are cached like any final reply.
void SqlServer::EndEverything(std::string_view why) {
    waiting_commits_.clear();
    for (auto& [id, e] : sessions_) {
        if (e.step_timer) env_.clock.CancelTimer(*e.step_timer);
        e.step_timer.reset();
        if (e.phase == Phase::kAwaitCommit) {
            e.session->CommitDecided(Status::Timeout(fmt::format("{}: outcome unknown", why)));
        } else if (e.phase != Phase::kIdle) {
            e.session->Cancel();
        }
        if (e.phase != Phase::kIdle) {
            DriveToEnd(e);
            sql::StatementOutcome outcome = e.session->TakeOutcome();
            SqlReply r;
            r.seq = e.running_seq;
            if (e.phase == Phase::kAwaitCommit && !outcome.ok()) {
                r.error = outcome.error();
            } else {
                r.error = MakeSqlError(sql::ErrorKind::kUnavailable,
                                        fmt::format("{}: the statement was stopped and its "
                                                    "transaction rolled back", why));
            }
            e.phase = Phase::kIdle;
            if (e.session->txn_status() != sql::TxnStatus::kIdle) e.session->AbortTransaction(why);
            e.txn_token = 0;
            Finish(id, e, std::move(r));
            continue;
        }
        if (e.session->txn_status() != sql::TxnStatus::kIdle) e.session->AbortTransaction(why);
    }
}

}  // namespace orrery::node
