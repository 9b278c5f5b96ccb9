#include "node/sql_engine_sessions.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sql/mvcc_txn_store.h"

namespace orrery::node {
namespace {

class EngineSession final : public SqlSession {
public:
    EngineSession(mvcc::Mvcc& mvcc, sql::SessionOptions options)
        : store_(mvcc, /*unlogged_readers=*/true), session_(store_, options) {}

    // The engine's Start already dispatches the statement, and a BEGIN or an autocommit
    // statement takes its snapshot there. The server asks needs_snapshot() after Start and runs
    // its ReadIndex round before the first Step (sql_server_run.cpp), so the engine's Start waits
    // for that first Step: the snapshot is taken after the ReadIndex, and needs_snapshot() says
    // what the statement will do, not what it already did (a BEGIN that had begun answered
    // false, the server kept no term for its transaction and rolled it back after the reply).
    void Start(std::string_view text, std::vector<sql::Value> params) override {
        begins_ = session_.needs_snapshot();
        cancelled_ = false;
        pending_ = Pending{std::string(text), std::move(params)};
    }
    StepState Step(uint64_t budget_rows) override {
        if (pending_) {
            Pending p = std::move(*pending_);
            pending_.reset();
            session_.Start(p.text, std::move(p.params));
            if (cancelled_) session_.Cancel();
        }
        return session_.Step(budget_rows);
    }
    const mvcc::CommitRequest& pending_commit() const override { return session_.pending_commit(); }
    void CommitDecided(Result<mvcc::CommitOutcome> decision) override {
        session_.CommitDecided(std::move(decision));
    }
    sql::StatementOutcome TakeOutcome() override { return session_.TakeOutcome(); }
    void Cancel() override {
        if (pending_) {
            cancelled_ = true;
        } else {
            session_.Cancel();
        }
    }
    bool statement_in_progress() const override {
        return pending_.has_value() || session_.statement_in_progress();
    }
    bool needs_snapshot() const override { return pending_.has_value() && begins_; }
    sql::TxnStatus txn_status() const override { return session_.txn_status(); }
    void AbortTransaction(std::string_view why) override { session_.AbortTransaction(why); }

private:
    struct Pending {
        std::string text;
        std::vector<sql::Value> params;
    };

    sql::MvccTxnStore store_;
    sql::Session session_;  // Declared after store_: it refers to it.
    std::optional<Pending> pending_;  // Started, not yet handed to the engine (first Step).
    bool begins_ = false;             // The pending statement begins a transaction.
    bool cancelled_ = false;          // Cancelled before its first Step.
};

}  // namespace

SqlSessionFactory EngineSqlSessions(sql::SessionOptions options) {
    return [options](mvcc::Mvcc& mvcc) -> std::unique_ptr<SqlSession> {
        return std::make_unique<EngineSession>(mvcc, options);
    };
}

}  // namespace orrery::node
