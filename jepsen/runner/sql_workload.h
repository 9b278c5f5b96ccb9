// The SQL workloads: the bank and the Elle list-append workloads with every transaction written
// as SQL statements, run through SQL sessions at the nodes (node/sql_server.h) by simulated
// clients (node/sql_client.h), and judged by the same checkers as their key-value forms.
//
//   sql-bank         accounts(id INTEGER PRIMARY KEY, balance INTEGER NOT NULL), five rows of
//                    20 inserted by whichever client's set-up wins. A read is one autocommit
//                    SELECT of every row (no log entry); a transfer is BEGIN; two point
//                    SELECTs; if funds suffice two UPDATEs; COMMIT (one log entry), else
//                    ROLLBACK and fail. The bank checker demands every read sums to 100.
//   sql-list-append  lists(k INTEGER, i INTEGER, v INTEGER, PRIMARY KEY (k, i)): a list is the
//                    rows of one k in i order. A transaction is BEGIN; per micro-op either
//                    ["r", k]: SELECT v FROM lists WHERE k = ? ORDER BY i (a range scan of the
//                    key prefix), or ["append", k, v]: SELECT COUNT(*) ... WHERE k = ? then
//                    INSERT (k, count, v); COMMIT. Two appends racing for one position
//                    write the same primary key: first committer wins. The reads are range
//                    scans, so the bug switch sql.no-read-set (scans left out of the read set)
//                    lets write skew through, which Elle reports as a G2 cycle.
//
// Set-up: each client first creates the schema (CREATE TABLE IF NOT EXISTS, and for the bank
// the five rows, where a unique violation means another client inserted them), retrying until
// it succeeds; set-up statements are not operations of the history.
//
// Outcomes: a statement inside a transaction that fails (or gets no answer) fails the whole
// transaction: it cannot commit without its COMMIT, and the session rolls it back (the client
// believes idle after an unknown outcome, sql_client.h). Only COMMIT (and an autocommit write)
// can be info.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jepsen/runner/workload.h"
#include "node/sql_client.h"

namespace orrery::jepsen::runner {

// One simulated client endpoint of a SQL workload.
class SqlProcess : public sim::Process {
public:
    SqlProcess(Env& env, TxnWorkloadBase& workload, uint32_t index, std::string_view stream);
    ~SqlProcess() override;

protected:
    using OnOk = std::function<void(const node::SqlOutcome&)>;

    // The set-up statements, run in order before the first operation. A unique violation
    // (rows another client inserted) or a duplicate table counts as success; any other error
    // restarts the set-up after a pause.
    virtual std::vector<std::string> SetupStatements() const = 0;
    virtual void Invoke() = 0;

    // Records the invocation of f.
    void Start(std::string f, nlohmann::json value);
    // Records the completion; an info retires the process id (Jepsen); schedules the next op.
    void Finish(OpType type, nlohmann::json value, std::string error);
    // Runs one statement of the operation: on ok calls next; otherwise rolls back (inside a
    // transaction) and finishes the operation fail, or info when `may_commit` and the outcome
    // is unknown.
    void Exec(std::string text, std::vector<sql::Value> params, bool may_commit, OnOk next);
    // COMMIT, finishing the operation with ok_value, fail or info.
    void Commit(nlohmann::json ok_value);
    // ROLLBACK (outcome ignored: the transaction commits in no case), then Finish(fail).
    void Abandon(std::string why);

    Random& rng() { return rng_; }
    TxnWorkloadBase& workload() { return workload_; }
    const nlohmann::json& invoked() const { return value_; }

private:
    void RunSetup(size_t i);
    void ScheduleNext();
    void After(Duration d, std::function<void()> fn);

    Env& env_;
    TxnWorkloadBase& workload_;
    Random rng_;
    int64_t process_;
    node::SqlClient client_;
    std::optional<TimerId> timer_;
    std::string f_;
    nlohmann::json value_;
};

class SqlBankWorkload final : public TxnWorkloadBase {
public:
    using TxnWorkloadBase::TxnWorkloadBase;
    sim::ProcessFactory ClientFactory(uint32_t index) override;
    std::string_view model() const override { return "bank"; }
    checker::CheckOptions check_options() const override;
};

class SqlListAppendWorkload final : public TxnWorkloadBase {
public:
    using TxnWorkloadBase::TxnWorkloadBase;
    sim::ProcessFactory ClientFactory(uint32_t index) override;
    std::string_view model() const override { return "list-append"; }
    int64_t NextValue() { return ++last_value_; }

private:
    int64_t last_value_ = 0;
};

}  // namespace orrery::jepsen::runner
