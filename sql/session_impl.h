// SessionImpl: the state machine behind sql::Session (session.h), shared by the files that
// implement it: session.cpp (the statement lifecycle, transactions, SET/SHOW, the Session
// facade), session_dispatch.cpp (dispatch, planning, EXPLAIN, prepared statements) and
// session_ddl.cpp (DDL, SHOW TABLES, DESCRIBE). Internal to sql/: nothing outside includes it.
#pragma once

#include <fmt/format.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/exec/executor.h"
#include "sql/plan/plan.h"
#include "sql/session.h"

namespace orrery::sql {
namespace session_internal {

SqlError Err(ErrorKind kind, std::string message);
SqlError Quoted(ErrorKind kind, std::string_view pattern, std::string_view name);
const std::map<std::string, std::string>& DefaultParameters();
TxnOptions ReadOnlyOptions();
std::string Lower(std::string s);
std::optional<mvcc::Isolation> IsolationFromText(const std::string& text);

}  // namespace session_internal

struct PreparedStatement {
    std::string text;
    Statement statement;
    PreparedInfo info;
    // The plan cache: valid while the catalog version is `version` (planned outside any
    // uncommitted DDL, so the version names one schema).
    PlanPtr plan;
    std::optional<uint64_t> version;
};

class SessionImpl {
public:
    SessionImpl(TxnStore& store, SessionOptions options)
        : store_(store), options_(options), parameters_(session_internal::DefaultParameters()) {}

    ~SessionImpl() {
        if (txn_) txn_->Finish(false);
        if (stmt_txn_) stmt_txn_->Finish(false);
    }

    void Start(std::string_view text, std::vector<Value> params);
    void StartPrepared(uint32_t id, std::vector<Value> params);
    Session::StepState Step(uint64_t budget);
    const mvcc::CommitRequest& pending_commit() const {
        ORRERY_ASSERT(phase_ == Phase::kNeedsCommit, "pending_commit without kNeedsCommit");
        return *pending_;
    }
    void CommitDecided(Result<mvcc::CommitOutcome> decision);
    StatementOutcome TakeOutcome();
    void Cancel() {
        if (phase_ != Phase::kIdle) cancel_ = true;
    }
    bool in_progress() const { return phase_ != Phase::kIdle; }
    bool needs_snapshot() const { return !txn_ && !failed_; }
    TxnStatus status() const {
        if (failed_) return TxnStatus::kFailed;
        return txn_ ? TxnStatus::kInTransaction : TxnStatus::kIdle;
    }
    SqlResult<PreparedInfo> Prepare(std::string_view text);
    void Deallocate(uint32_t id) { prepared_.erase(id); }
    void AbortTransaction() {
        if (txn_) txn_->Finish(false);
        txn_.reset();
        failed_ = false;
        txn_did_ddl_ = false;
    }
    const std::map<std::string, std::string>& parameters() const { return parameters_; }

private:
    // kCommitReady: a commit request waits for the next Step to report it (kNeedsCommit).
    enum class Phase : uint8_t { kIdle, kRunning, kCommitReady, kNeedsCommit, kDone };
    // What ends when the pending commit is decided.
    enum class Ending : uint8_t { kAutocommit, kExplicitCommit };

    void Dispatch(const Statement& statement, std::vector<Value> params, PreparedStatement* prepared);
    // Dispatch's parts (session_dispatch.cpp): statements without a database transaction of
    // their own (true: handled), and the start of a query or write.
    bool DispatchControl(const Statement& statement);
    void StartPlanned(const Statement& statement, std::vector<Value> params,
                      PreparedStatement* prepared, Txn& txn);
    // The catalog version `txn` reads (reused within an explicit transaction; session_impl.h).
    SqlResult<uint64_t> StatementCatalogVersion(Txn& txn);
    // Ends the statement with an error; an explicit transaction fails, an autocommit one rolls
    // back.
    void Fail(SqlError error);
    // The statement body succeeded: commit an autocommit transaction (maybe via kNeedsCommit).
    void Succeed(StatementResult result);
    // Succeed with the result, or Fail with its error.
    void Complete(SqlResult<StatementResult> result) {
        if (!result.ok()) return Fail(result.error());
        Succeed(std::move(result).value());
    }
    void BeginCommit(Txn* txn, Ending ending, StatementResult result);

    SqlResult<std::unique_ptr<Txn>> BeginTxn(const TxnOptions& options);
    // The transaction the statement runs in: the explicit one, or a fresh autocommit one.
    SqlResult<Txn*> StatementTxn(bool write);
    mvcc::Isolation DefaultIsolation() const {
        return session_internal::IsolationFromText(parameters_.at("default_transaction_isolation"))
            .value_or(mvcc::Isolation::kSerializable);
    }

    // Reads the wall clock, if any, into txn_now_us_: the now() of the transaction beginning.
    void ReadTxnStartTime() {
        if (options_.wall_clock_us) txn_now_us_ = options_.wall_clock_us();
    }

    SqlResult<StatementResult> RunBegin(const Begin& begin);
    SqlResult<StatementResult> RunSet(const SetVariable& set);
    SqlResult<StatementResult> RunShow(const ShowVariable& show);
    SqlResult<StatementResult> RunExplain(const Explain& explain, const std::vector<Value>& params);
    SqlResult<StatementResult> RunDdl(const Statement& statement, Txn& txn);
    SqlResult<StatementResult> CreateTableDdl(const CreateTable& ct, Catalog& catalog);
    SqlResult<StatementResult> DropTableDdl(const DropTable& dt, Catalog& catalog, Txn& txn);
    SqlResult<StatementResult> CreateIndexDdl(const CreateIndex& ci, Catalog& catalog, Txn& txn);
    SqlResult<StatementResult> DropIndexDdl(const DropIndex& di, Catalog& catalog);
    SqlResult<StatementResult> AlterTableDdl(const AlterTable& at, Catalog& catalog);
    SqlResult<StatementResult> TruncateDdl(const Truncate& tr, Catalog& catalog, Txn& txn);
    SqlResult<StatementResult> ShowTablesStmt(Catalog& catalog);
    SqlResult<StatementResult> DescribeStmt(const Describe& d, Catalog& catalog);
    SqlResult<ColumnSchema> MakeColumn(const ColumnDef& def, uint32_t id);

    // Binds (and optimizes) a query or write. `types` receives the parameter types.
    SqlResult<PlanPtr> Plan(const Statement& statement, Catalog& catalog,
                            std::vector<DataType>* types, size_t rules = SIZE_MAX);

    TxnStore& store_;
    SessionOptions options_;
    std::map<std::string, std::string> parameters_;

    // The explicit transaction (BEGIN ... COMMIT), or null.
    std::unique_ptr<Txn> txn_;
    bool failed_ = false;       // The explicit transaction failed; only ROLLBACK/COMMIT end it.
    bool txn_did_ddl_ = false;  // Plans made in it are not cached.
    // The catalog version the explicit transaction read, by the serial of that transaction
    // (RunBegin counts them). Its snapshot is fixed, so the version it reads can change only by
    // its own DDL, after which txn_did_ddl_ stops the reuse; and the first read already put the
    // version key into its read set, so a concurrent DDL still conflicts with it.
    uint64_t txn_serial_ = 0;
    std::optional<std::pair<uint64_t, uint64_t>> txn_catalog_version_;  // (serial, version)
    // now() of the current transaction (explicit or autocommit); empty without a wall clock.
    std::optional<int64_t> txn_now_us_;

    // The statement in progress.
    Phase phase_ = Phase::kIdle;
    bool cancel_ = false;
    std::unique_ptr<Txn> stmt_txn_;  // Its autocommit transaction.
    std::unique_ptr<Catalog> catalog_;
    std::vector<Value> params_;
    StatementResult result_;
    std::optional<mvcc::CommitRequest> pending_;
    Ending ending_ = Ending::kAutocommit;
    Txn* committing_ = nullptr;
    std::optional<StatementOutcome> outcome_;
    std::unique_ptr<PlanRunner> runner_;

    std::map<uint32_t, PreparedStatement> prepared_;
    uint32_t next_prepared_id_ = 1;
};

}  // namespace orrery::sql
