#include "node/sql_engine_sessions.h"

#include "sql/mvcc_txn_store.h"

namespace orrery::node {
namespace {

class EngineSession final : public SqlSession {
public:
    EngineSession(mvcc::Mvcc& mvcc, sql::SessionOptions options)
        : store_(mvcc, /*unlogged_readers=*/true), session_(store_, options) {}

    void Start(std::string_view text, std::vector<sql::Value> params) override {
        session_.Start(text, std::move(params));
    }
    StepState Step(uint64_t budget_rows) override { return session_.Step(budget_rows); }
    const mvcc::CommitRequest& pending_commit() const override { return session_.pending_commit(); }
    void CommitDecided(Result<mvcc::CommitOutcome> decision) override {
        session_.CommitDecided(std::move(decision));
    }
    sql::StatementOutcome TakeOutcome() override { return session_.TakeOutcome(); }
    void Cancel() override { session_.Cancel(); }
    bool statement_in_progress() const override { return session_.statement_in_progress(); }
    bool needs_snapshot() const override { return session_.needs_snapshot(); }
    sql::TxnStatus txn_status() const override { return session_.txn_status(); }
    void AbortTransaction(std::string_view why) override { session_.AbortTransaction(why); }

private:
    sql::MvccTxnStore store_;
    sql::Session session_;  // Declared after store_: it refers to it.
};

}  // namespace

SqlSessionFactory EngineSqlSessions(sql::SessionOptions options) {
    return [options](mvcc::Mvcc& mvcc) -> std::unique_ptr<SqlSession> {
        return std::make_unique<EngineSession>(mvcc, options);
    };
}

}  // namespace orrery::node
