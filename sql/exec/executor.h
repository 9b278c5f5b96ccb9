// Executor: runs one bound plan (plan/plan.h) as a tree of pull-based iterators, one operator
// per PlanKind, reading and writing through the statement's transaction.
//
// The session drives it in steps (session.h): Run(budget) does at most `budget` rows of work
// (rows read from storage or produced by an operator, whichever the operator counts) and returns,
// so a cluster node can serve other inputs between steps and Cancel() can land. Writes
// (kInsert/kUpdate/kDelete) are buffered in the transaction; nothing is committed here.
//
// Contract with the optimizer: every plan the binder builds is runnable as it is (full scans,
// nested-loop joins); the optimizer only chooses cheaper equivalents (access paths, hash joins),
// so the executor must honour every field plan.h documents, and re-check a scan's filter on
// every row an access path returns.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "sql/catalog/catalog.h"
#include "sql/plan/plan.h"
#include "sql/session.h"
#include "sql/txn.h"

namespace orrery::sql {

// What a plan runs against. The references must outlive the PlanRunner.
struct ExecContext {
    Txn& txn;
    Catalog& catalog;
    const std::vector<Value>& params;  // $1.. / ? in order.
    const SessionOptions& options;     // memory_limit_bytes, bug switches.
    // now(): the transaction's start in µs since the Unix epoch, read from
    // SessionOptions::wall_clock_us as it began; empty when the session has no wall clock.
    std::optional<int64_t> now_us;
    // statement_timestamp(): the statement's start, read as it began (in an autocommit
    // statement, its transaction's start, as PostgreSQL's first command of a transaction).
    // clock_timestamp() reads options.wall_clock_us at each call.
    std::optional<int64_t> statement_us;
};

class PlanRunnerImpl;

class PlanRunner {
public:
    PlanRunner(PlanPtr plan, ExecContext ctx);
    ~PlanRunner();
    PlanRunner(const PlanRunner&) = delete;
    PlanRunner& operator=(const PlanRunner&) = delete;

    // Does up to `budget_rows` rows of work and appends the rows the plan produced to *out.
    // Returns true once the plan is exhausted (every write done), false when the budget ran
    // out first. An error ends the plan; its buffered writes are the caller's to discard (the
    // statement fails its transaction).
    SqlResult<bool> Run(uint64_t budget_rows, std::vector<Row>* out);

    // Rows inserted, updated or deleted so far (the command tag's count).
    uint64_t rows_affected() const;

private:
    std::unique_ptr<PlanRunnerImpl> impl_;
};

}  // namespace orrery::sql
