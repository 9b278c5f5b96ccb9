// Session: one client's conversation with the SQL engine, and the only entry point front ends
// use (the embedded REPL, a cluster node serving clients, the simulator's SQL workloads, the
// PostgreSQL front end, the sqllogictest runner).
//
// A session holds at most one open transaction, its prepared statements, its parameters
// (SET name = value) and a plan cache. It runs one statement at a time as a small state machine,
// because on a cluster the commit of a statement is a Raft round trip the node waits for without
// blocking:
//
//     Start(text, params)            (or StartPrepared)
//     loop: switch (Step(budget)) {
//       case kYield:          // `budget` rows of work done; call Step again (lets a node serve
//                             // other inputs and Cancel() arrive between steps)
//       case kNeedsCommit:    // decide pending_commit() (ApplyCommit, or one Raft entry), then
//                             // CommitDecided(outcome), and Step again
//       case kDone:           // TakeOutcome() has the result or the error
//     }
//
// Execute() runs that loop for a driver whose commits are local (CommitFn), which is all an
// embedded user or a test needs.
//
// Transactions. Outside BEGIN ... COMMIT every statement is its own transaction (autocommit).
// The default isolation is serializable (MVCC's SSI); BEGIN ISOLATION LEVEL SNAPSHOT asks for
// snapshot isolation; BEGIN READ ONLY [AS OF SYSTEM TIME v] reads an older version. A write
// transaction commits as ONE CommitRequest; a read-only one needs none. An error inside an
// explicit transaction fails it, as in PostgreSQL: until ROLLBACK (or COMMIT, which then rolls
// back and reports ROLLBACK) every statement answers kInFailedTransaction. A serialization
// failure (kSerializationFailure) means nothing of the transaction happened: retry it whole.
//
// needs_snapshot(): true when the next statement will begin a transaction. A cluster node runs a
// ReadIndex round first, so the snapshot the store hands out is linearizable.
//
// Determinism: a session's output is a function of its inputs and the store's contents; it reads
// no clock of its own: now() / current_timestamp come from SessionOptions::wall_clock_us when
// given (read once as each transaction starts), else they are an error.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mvcc/commit_request.h"
#include "sql/error.h"
#include "sql/txn.h"
#include "sql/value.h"

namespace orrery::sql {

// SqlResult<T>: a value or a SqlError (the SQL layer's Result).
template <typename T>
class SqlResult {
public:
    SqlResult(T value) : rep_(std::move(value)) {}          // NOLINT: implicit by design.
    SqlResult(SqlError error) : rep_(std::move(error)) {}   // NOLINT: implicit by design.
    bool ok() const { return std::holds_alternative<T>(rep_); }
    const T& value() const& { ORRERY_ASSERT(ok(), "SqlResult::value() on error"); return std::get<T>(rep_); }
    T& value() & { ORRERY_ASSERT(ok(), "SqlResult::value() on error"); return std::get<T>(rep_); }
    T&& value() && { ORRERY_ASSERT(ok(), "SqlResult::value() on error"); return std::get<T>(std::move(rep_)); }
    const SqlError& error() const { ORRERY_ASSERT(!ok(), "SqlResult::error() on a value"); return std::get<SqlError>(rep_); }

private:
    std::variant<T, SqlError> rep_;
};

struct ResultColumn {
    std::string name;
    DataType type = DataType::kNull;  // kNull only for a column that is NULL in every row.
};

// What one statement produced.
struct StatementResult {
    // Non-empty iff the statement returns rows (SELECT, EXPLAIN, SHOW, DESCRIBE, RETURNING, a
    // conditional write's [applied] row).
    std::vector<ResultColumn> columns;
    std::vector<Row> rows;
    // The command tag in PostgreSQL's words, with Orrery's INSERT form: "SELECT 2", "INSERT 3",
    // "UPDATE 1", "DELETE 0", "CREATE TABLE", "DROP TABLE", "CREATE INDEX", "BEGIN", "COMMIT",
    // "ROLLBACK", "EXPLAIN", "SET", "SHOW", "TRUNCATE TABLE", "ALTER TABLE". (The PostgreSQL
    // front end writes "INSERT 0 3".)
    std::string tag;
    uint64_t rows_affected = 0;
    // Notices for the user, e.g. `table "t" does not exist, skipping` after DROP IF EXISTS.
    std::vector<std::string> notices;
};

using StatementOutcome = SqlResult<StatementResult>;

// The transaction status a front end shows (PostgreSQL's ReadyForQuery byte I/T/E).
enum class TxnStatus : uint8_t { kIdle, kInTransaction, kFailed };

struct SessionOptions {
    // Memory bound of one statement's sorts, hash tables and aggregation state. Past it the
    // statement fails with kProgramLimitExceeded naming the bound.
    size_t memory_limit_bytes = size_t{256} << 20;
    // Bug switch sql.no-read-set: the engine forgets to record scanned ranges in the read set
    // (the commit request carries point reads only), which lets write skew and phantoms through
    // serializable transactions. For the simulator's campaigns only.
    bool bug_no_read_set = false;
    // Calendar time for now() / current_timestamp, in microseconds since the Unix epoch (UTC).
    // Read exactly once as a transaction starts (BEGIN, or an autocommit statement, which is its
    // own transaction), so every now() of one transaction is the same instant, as PostgreSQL's
    // now() is the transaction's start. Empty: those functions are an error (0A000). The real
    // world passes the system's calendar clock (net/wall_clock.h); the simulator a node's
    // virtual clock on a fixed epoch, so runs stay deterministic. Never read otherwise.
    std::function<int64_t()> wall_clock_us;
    // Optimizer rules (by name, as OptimizerRules() in optimizer/optimizer.h lists them) this
    // session skips: the optimizer's equivalence tests run each statement with and without them.
    std::set<std::string> disabled_optimizer_rules;
};

// What Describe of a prepared statement reports (the PostgreSQL front end's ParameterDescription
// and RowDescription).
struct PreparedInfo {
    uint32_t id = 0;
    uint32_t parameter_count = 0;
    // The type the statement expects of each parameter where the binder could infer it
    // (`WHERE id = $1` with id INTEGER), else kNull (any type accepted).
    std::vector<DataType> parameter_types;
    std::vector<ResultColumn> columns;  // Empty for a statement that returns no rows.
};

class SessionImpl;

class Session {
public:
    enum class StepState : uint8_t { kYield, kNeedsCommit, kDone };

    // `store` must outlive the session.
    Session(TxnStore& store, SessionOptions options = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // --- the step protocol (header comment) ---

    // Starts one statement. `text` holds exactly one statement (a trailing ';' is allowed);
    // SplitStatements (parser.h) cuts a script. params bind ? / $n in order.
    // REQUIRES: no statement in progress.
    void Start(std::string_view text, std::vector<Value> params = {});
    // Starts a prepared statement (Prepare below). REQUIRES: as Start.
    void StartPrepared(uint32_t id, std::vector<Value> params);
    // Runs the statement until at most `budget_rows` rows of work were done, a commit decision
    // is needed, or the statement ended. REQUIRES: a statement in progress, no commit pending.
    StepState Step(uint64_t budget_rows = UINT64_MAX);
    // REQUIRES: the last Step returned kNeedsCommit.
    const mvcc::CommitRequest& pending_commit() const;
    // The decision on pending_commit(): the outcome, or the error (kAborted: a serialization
    // failure; kTimeout: unknown outcome; others: unavailable/internal).
    void CommitDecided(Result<mvcc::CommitOutcome> decision);
    // REQUIRES: the last Step returned kDone. Ends the statement.
    StatementOutcome TakeOutcome();
    // Asks the statement in progress to stop: its next Step ends it with kQueryCanceled (its
    // transaction then fails as any error does). No effect when nothing is in progress.
    void Cancel();

    bool statement_in_progress() const;
    bool needs_snapshot() const;
    TxnStatus txn_status() const;

    // Runs Start/Step to the end, deciding commits with `commit` (a local Mvcc::ApplyCommit).
    using CommitFn = std::function<Result<mvcc::CommitOutcome>(const mvcc::CommitRequest&)>;
    StatementOutcome Execute(std::string_view text, const CommitFn& commit,
                             std::vector<Value> params = {});

    // --- prepared statements (plans cached per session; DDL invalidates them) ---

    SqlResult<PreparedInfo> Prepare(std::string_view text);
    // Forgets a prepared statement (no error for an unknown id).
    void Deallocate(uint32_t id);

    // Aborts an open transaction without a statement (a client disconnecting, a node losing
    // leadership): its buffered writes are dropped, nothing is logged.
    void AbortTransaction(std::string_view why);

    // Session parameters set with SET (lower-case names), with their defaults.
    const std::map<std::string, std::string>& parameters() const;

private:
    std::unique_ptr<SessionImpl> impl_;
};

}  // namespace orrery::sql
