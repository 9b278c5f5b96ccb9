// Test doubles for the SQL server's plumbing: ScriptSession, a SqlSession whose "statements"
// are a few words over mvcc::Transaction (no SQL: the engine has its own tests), and
// SqlHarness, a simulated cluster of KvServers with one scripted SqlClient endpoint.
//
// Statements of ScriptSession (one per Start):
//   begin | commit | rollback          transaction control
//   put K V | incr K | get K           a write, a read-modify-write, a read (autocommit outside
//                                      a transaction: one commit entry for a write)
//   slow N                             N rows of work, so the server must yield between steps
//   big N                              a one-row result holding N bytes
//   fail                               a constraint error (fails an open transaction)
#pragma once

#include <charconv>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "mvcc/transaction.h"
#include "node/kv_server.h"
#include "node/sql_client.h"
#include "node/sql_server.h"
#include "sim/simulator.h"

namespace orrery::node::testing {

class ScriptSession final : public SqlSession {
public:
    explicit ScriptSession(mvcc::Mvcc& mvcc) : mvcc_(mvcc) {}

    void Start(std::string_view text, std::vector<sql::Value>) override {
        ORRERY_ASSERT(!in_progress_, "two statements at once");
        words_.clear();
        std::string t(text);
        size_t i = 0;
        while (i < t.size()) {
            size_t j = t.find(' ', i);
            if (j == std::string::npos) j = t.size();
            if (j > i) words_.push_back(t.substr(i, j - i));
            i = j + 1;
        }
        in_progress_ = true;
        autocommit_ = false;
        cancelled_ = false;
        rows_done_ = 0;
        outcome_.reset();
        needs_snapshot_ = !txn_ && Verb() != "commit" && Verb() != "rollback";
    }

    StepState Step(uint64_t budget_rows) override {
        ORRERY_ASSERT(in_progress_ && !pending_, "Step out of order");
        ++steps;
        if (cancelled_) return Done(Error(sql::ErrorKind::kQueryCanceled, "canceled"));
        if (outcome_) return StepState::kDone;
        if (failed_ && Verb() != "rollback" && Verb() != "commit") {
            return Done(Error(sql::ErrorKind::kInFailedTransaction, "in failed transaction"));
        }
        if (Verb() == "slow") {
            uint64_t n = Number(1);
            uint64_t now = std::min(n - rows_done_, budget_rows);
            rows_done_ += now;
            if (rows_done_ < n) return StepState::kYield;
        }
        if (!txn_ && needs_snapshot_) {
            txn_.emplace(mvcc_.Begin().value());
            autocommit_ = Verb() != "begin";
        }
        return Run();
    }

    const mvcc::CommitRequest& pending_commit() const override { return *pending_; }

    void CommitDecided(Result<mvcc::CommitOutcome> decision) override {
        ORRERY_ASSERT(pending_.has_value(), "no commit pending");
        pending_.reset();
        txn_->Finish(decision.ok());
        txn_.reset();
        failed_ = false;
        if (!decision.ok()) {
            outcome_ = sql::StatementOutcome(sql::ErrorFromStatus(decision.status()));
        } else {
            outcome_ = Ok(Verb() == "commit" ? "COMMIT" : Upper(Verb()));
        }
    }

    sql::StatementOutcome TakeOutcome() override {
        ORRERY_ASSERT(outcome_.has_value(), "no outcome");
        in_progress_ = false;
        sql::StatementOutcome o = std::move(*outcome_);
        outcome_.reset();
        return o;
    }

    void Cancel() override { cancelled_ = in_progress_; }
    bool statement_in_progress() const override { return in_progress_; }
    bool needs_snapshot() const override { return in_progress_ && needs_snapshot_; }
    sql::TxnStatus txn_status() const override {
        if (!txn_ || autocommit_) return sql::TxnStatus::kIdle;
        return failed_ ? sql::TxnStatus::kFailed : sql::TxnStatus::kInTransaction;
    }
    void AbortTransaction(std::string_view) override {
        ORRERY_ASSERT(!in_progress_, "abort with a statement in progress");
        if (txn_) txn_->Rollback();
        txn_.reset();
        failed_ = false;
    }

    int steps = 0;

private:
    std::string Verb() const { return words_.empty() ? "" : words_[0]; }
    std::string Word(size_t i) const { return i < words_.size() ? words_[i] : ""; }
    uint64_t Number(size_t i) const {
        uint64_t n = 0;
        std::string w = Word(i);
        std::from_chars(w.data(), w.data() + w.size(), n);
        return n;
    }
    static std::string Upper(std::string s) {
        for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return s;
    }
    static std::string Key(const std::string& k) { return std::string(1, '\x90') + k; }
    static sql::StatementOutcome Error(sql::ErrorKind kind, std::string m) {
        return sql::StatementOutcome(sql::SqlError{kind, std::move(m), std::nullopt});
    }
    static sql::StatementOutcome Ok(std::string tag, std::optional<std::string> value = {}) {
        sql::StatementResult r;
        r.tag = std::move(tag);
        if (value) {
            r.columns.push_back({"value", sql::DataType::kString});
            r.rows.push_back({sql::Value::String(*value)});
        }
        return sql::StatementOutcome(std::move(r));
    }
    StepState Done(sql::StatementOutcome o) {
        if (!o.ok() && txn_ && !autocommit_) failed_ = true;
        if (!o.ok() && autocommit_) {
            txn_->Rollback();
            txn_.reset();
        }
        outcome_ = std::move(o);
        return StepState::kDone;
    }
    // Ends an autocommit statement or a COMMIT: a commit entry if it wrote anything.
    StepState Commit(std::string tag) {
        if (txn_->NeedsCommitEntry()) {
            pending_ = txn_->BuildCommitRequest();
            return StepState::kNeedsCommit;
        }
        txn_->Finish(true);
        txn_.reset();
        return Done(Ok(std::move(tag)));
    }
    StepState Run() {
        std::string verb = Verb();
        if (verb == "begin") return Done(Ok("BEGIN"));
        if (verb == "rollback") {
            if (txn_) txn_->Rollback();
            txn_.reset();
            failed_ = false;
            return Done(Ok("ROLLBACK"));
        }
        if (verb == "commit") {
            if (!txn_) return Done(Ok("COMMIT"));
            if (failed_) {
                txn_->Rollback();
                txn_.reset();
                failed_ = false;
                return Done(Ok("ROLLBACK"));
            }
            return Commit("COMMIT");
        }
        if (verb == "fail") return Done(Error(sql::ErrorKind::kCheckViolation, "check failed"));
        if (verb == "big") return Done(Ok("BIG", std::string(Number(1), 'x')));
        if (verb == "slow") return autocommit_ ? Commit("SLOW") : Done(Ok("SLOW"));
        if (verb == "get") {
            auto v = txn_->Get(Key(Word(1)));
            std::string value = v.ok() && v->has_value() ? **v : "NULL";
            if (autocommit_) {
                txn_->Finish(true);
                txn_.reset();
            }
            return Done(Ok("GET", value));
        }
        if (verb == "put" || verb == "incr") {
            std::string value = Word(2);
            if (verb == "incr") {
                auto v = txn_->Get(Key(Word(1)));
                int64_t n = 0;
                if (v.ok() && v->has_value()) std::from_chars((*v)->data(), (*v)->data() + (*v)->size(), n);
                value = std::to_string(n + 1);
            }
            ORRERY_ASSERT(txn_->Set(Key(Word(1)), value).ok(), "set");
            return autocommit_ ? Commit(Upper(verb)) : Done(Ok(Upper(verb)));
        }
        return Done(Error(sql::ErrorKind::kSyntax, "unknown statement " + verb));
    }

    mvcc::Mvcc& mvcc_;
    std::vector<std::string> words_;
    std::optional<mvcc::Transaction> txn_;
    std::optional<mvcc::CommitRequest> pending_;
    std::optional<sql::StatementOutcome> outcome_;
    bool in_progress_ = false;
    bool needs_snapshot_ = false;
    bool autocommit_ = false;
    bool failed_ = false;
    bool cancelled_ = false;
    uint64_t rows_done_ = 0;
};

// A simulated cluster of `nodes` KvServers serving ScriptSessions, and client endpoints whose
// SqlClients the test drives with Run().
class SqlHarness {
public:
    class ServerProcess final : public sim::Process {
    public:
        ServerProcess(Env& env, KvServerOptions o) : server_(KvServer::Open(env, std::move(o)).value()) {}
        KvServer& server() { return *server_; }

    private:
        std::unique_ptr<KvServer> server_;
    };

    class ClientProcess final : public sim::Process {
    public:
        ClientProcess(Env& env, SqlClientOptions o) : client(env, std::move(o)) {}
        SqlClient client;
    };

    explicit SqlHarness(uint32_t nodes, SqlServerOptions sql = {}, uint64_t seed = 1)
        : sim_(Options(nodes, seed)), nodes_(nodes), sql_(std::move(sql)) {
        if (!sql_.sessions) {
            sql_.sessions = [](mvcc::Mvcc& m) { return std::make_unique<ScriptSession>(m); };
        }
        sim_.AddNodes([this](Env& env) -> std::unique_ptr<sim::Process> {
            KvServerOptions o;
            o.raft.id = env.node;
            for (uint32_t i = 1; i <= nodes_; ++i) o.raft.peers.push_back(NodeId(i));
            o.raft.heartbeat_ticks = 2;
            o.sql = sql_;
            return std::make_unique<ServerProcess>(env, std::move(o));
        });
    }

    // Adds client endpoint 1000 + index.
    SqlClient& AddClient(uint32_t index, SqlClientOptions o = {}) {
        for (uint32_t i = 1; i <= nodes_; ++i) o.servers.push_back(NodeId(i));
        NodeId id(kFirstClientId + index);
        sim_.AddClient(id, [o](Env& env) { return std::make_unique<ClientProcess>(env, o); });
        return static_cast<ClientProcess*>(sim_.process(id))->client;
    }

    // Runs one statement to its outcome (at most `limit` of virtual time).
    SqlOutcome Run(SqlClient& client, std::string text, Duration limit = Duration::Seconds(30)) {
        std::optional<SqlOutcome> out;
        client.Execute(std::move(text), {}, [&](const SqlOutcome& o) { out = o; });
        Timestamp end = sim_.Now() + limit;
        while (!out && sim_.Now() < end && sim_.Step()) {
        }
        ORRERY_ASSERT(out.has_value(), "no outcome within the limit");
        return *out;
    }

    // The current leader, after waiting for one to be elected.
    NodeId Leader() {
        for (int i = 0; i < 1000; ++i) {
            for (uint32_t n = 1; n <= nodes_; ++n) {
                KvServer* s = Server(NodeId(n));
                if (s != nullptr && s->raft().role() == raft::Role::kLeader) return NodeId(n);
            }
            sim_.RunFor(Duration::Millis(50)).IgnoreError();
        }
        ORRERY_ASSERT(false, "no leader");
        return NodeId(0);
    }

    KvServer* Server(NodeId id) {
        auto* p = static_cast<ServerProcess*>(sim_.process(id));
        return p == nullptr ? nullptr : &p->server();
    }

    sim::Simulator& sim() { return sim_; }

private:
    static sim::SimOptions Options(uint32_t nodes, uint64_t seed) {
        sim::SimOptions o;
        o.seed = seed;
        o.node_count = nodes;
        return o;
    }

    sim::Simulator sim_;
    uint32_t nodes_;
    SqlServerOptions sql_;
};

}  // namespace orrery::node::testing
