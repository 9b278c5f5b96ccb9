// The SQL workloads' client process, and the two workloads. See sql_workload.h.
#include "jepsen/runner/sql_workload.h"

#include <fmt/format.h>

#include "jepsen/runner/bank_workload.h"

namespace orrery::jepsen::runner {
namespace {

constexpr Duration kSetupRetry = Duration::Millis(100);

node::SqlClientOptions ClientOptions(const node::KvClientOptions& kv, NodeId self) {
    node::SqlClientOptions o;
    o.servers = kv.servers;
    o.client_id = self.value();  // Endpoint ids are unique, and read well in traces.
    o.attempt_timeout = kv.attempt_timeout;
    o.op_timeout = kv.op_timeout;
    o.retry_backoff = kv.retry_backoff;
    return o;
}

std::string Account(int64_t i) { return fmt::format("acct{}", i); }

}  // namespace

SqlProcess::SqlProcess(Env& env, TxnWorkloadBase& workload, uint32_t index,
                       std::string_view stream)
    : env_(env),
      workload_(workload),
      rng_(env.random.Fork(stream)),
      process_(index),
      client_(env, ClientOptions(workload.options().client, env.node)) {
    // Set-up starts from the event loop: the subclass's vtable is not ready in this constructor.
    After(Duration(0), [this] { RunSetup(0); });
}

SqlProcess::~SqlProcess() {
    if (timer_) env_.clock.CancelTimer(*timer_);
}

void SqlProcess::After(Duration d, std::function<void()> fn) {
    ORRERY_ASSERT(!timer_, "two timers in one SQL process");
    timer_ = env_.clock.SetTimer(d, [this, fn = std::move(fn)] {
        timer_.reset();
        fn();
    });
}

void SqlProcess::RunSetup(size_t i) {
    if (workload_.stopped()) return;
    std::vector<std::string> setup = SetupStatements();
    if (i == setup.size()) return ScheduleNext();
    client_.Execute(setup[i], {}, [this, i](const node::SqlOutcome& o) {
        bool done = o.ok() || (o.error && (o.error->kind == sql::ErrorKind::kUniqueViolation ||
                                           o.error->kind == sql::ErrorKind::kDuplicateTable));
        if (done) return RunSetup(i + 1);
        After(kSetupRetry, [this] { RunSetup(0); });
    });
}

void SqlProcess::ScheduleNext() {
    if (workload_.stopped()) return;
    Duration think(rng_.Range(0, workload_.options().think_max.us()));
    After(think, [this] {
        if (!workload_.stopped()) Invoke();
    });
}

void SqlProcess::Start(std::string f, nlohmann::json value) {
    f_ = std::move(f);
    value_ = std::move(value);
    ++workload_.busy_;
    ++workload_.counts_.invoked;
    Op op;
    op.time_us = workload_.sim_.Now().us();
    op.process = process_;
    op.type = OpType::kInvoke;
    op.f = f_;
    op.value = value_;
    env_.tracer.Record(env_.node, "invoke",
                       {{"process", process_}, {"f", f_}, {"value", op.value.dump()}});
    workload_.history_.Append(std::move(op));
}

void SqlProcess::Finish(OpType type, nlohmann::json value, std::string error) {
    --workload_.busy_;
    if (type == OpType::kOk) ++workload_.counts_.ok;
    if (type == OpType::kFail) ++workload_.counts_.fail;
    if (type == OpType::kInfo) ++workload_.counts_.info;
    Op op;
    op.time_us = workload_.sim_.Now().us();
    op.process = process_;
    op.type = type;
    op.f = f_;
    op.value = std::move(value);
    op.error = std::move(error);
    env_.tracer.Record(env_.node, OpTypeName(type),
                       {{"process", process_}, {"f", f_}, {"value", op.value.dump()}});
    workload_.history_.Append(std::move(op));
    if (type == OpType::kInfo) process_ += workload_.options().clients;
    ScheduleNext();
}

void SqlProcess::Exec(std::string text, std::vector<sql::Value> params, bool may_commit,
                      OnOk next) {
    client_.Execute(std::move(text), std::move(params),
                    [this, may_commit, next = std::move(next)](const node::SqlOutcome& o) {
                        if (o.ok()) return next(o);
                        if (may_commit && o.type == node::KvOutcome::Type::kInfo) {
                            return Finish(OpType::kInfo, value_, o.message());
                        }
                        Abandon(o.message());
                    });
}

void SqlProcess::Commit(nlohmann::json ok_value) {
    client_.Execute("COMMIT", {}, [this, ok_value](const node::SqlOutcome& o) {
        if (o.ok()) return Finish(OpType::kOk, ok_value, "");
        if (o.type == node::KvOutcome::Type::kInfo) return Finish(OpType::kInfo, value_, o.message());
        Finish(OpType::kFail, value_, o.message());
    });
}

void SqlProcess::Abandon(std::string why) {
    if (client_.txn_status() == sql::TxnStatus::kIdle) return Finish(OpType::kFail, value_, why);
    client_.Execute("ROLLBACK", {}, [this, why](const node::SqlOutcome&) {
        Finish(OpType::kFail, value_, why);
    });
}

// --- sql-bank ----------------------------------------------------------------------------

namespace {

class SqlBankProcess final : public SqlProcess {
public:
    SqlBankProcess(Env& env, TxnWorkloadBase& w, uint32_t index)
        : SqlProcess(env, w, index, "sql-bank") {}

private:
    std::vector<std::string> SetupStatements() const override {
        std::string rows;
        for (int i = 0; i < kBankAccounts; ++i) {
            rows += fmt::format("{}({}, {})", i == 0 ? "" : ", ", i, kBankInitialBalance);
        }
        return {"CREATE TABLE IF NOT EXISTS accounts (id INTEGER PRIMARY KEY, "
                "balance INTEGER NOT NULL)",
                "INSERT INTO accounts VALUES " + rows};
    }

    void Invoke() override {
        if (rng().Chance(0.5)) return Read();
        int64_t from = static_cast<int64_t>(rng().Uniform(kBankAccounts));
        int64_t to = static_cast<int64_t>(rng().Uniform(kBankAccounts - 1));
        if (to >= from) ++to;
        int64_t amount = rng().Range(1, 5);
        Start("transfer", {{"from", Account(from)}, {"to", Account(to)}, {"amount", amount}});
        Exec("BEGIN", {}, false, [this, from, to, amount](const node::SqlOutcome&) {
            Balance(from, [this, from, to, amount](int64_t from_balance) {
                Balance(to, [this, from, to, amount, from_balance](int64_t to_balance) {
                    Transfer(from, to, amount, from_balance, to_balance);
                });
            });
        });
    }

    // Reads one balance inside the transaction; a missing row fails the operation.
    void Balance(int64_t id, std::function<void(int64_t)> next) {
        Exec("SELECT balance FROM accounts WHERE id = ?", {sql::Value::Integer(id)}, false,
             [this, next = std::move(next)](const node::SqlOutcome& o) {
                 const auto& rows = o.result->rows;
                 if (rows.size() != 1 || rows[0].size() != 1 ||
                     rows[0][0].type() != sql::DataType::kInteger) {
                     return Abandon("account row missing or malformed");
                 }
                 next(rows[0][0].integer());
             });
    }

    void Transfer(int64_t from, int64_t to, int64_t amount, int64_t from_balance,
                  int64_t to_balance) {
        if (from_balance < amount) return Abandon("insufficient funds");
        const std::string update = "UPDATE accounts SET balance = ? WHERE id = ?";
        Exec(update, {sql::Value::Integer(from_balance - amount), sql::Value::Integer(from)},
             false, [this, update, to, to_balance, amount](const node::SqlOutcome&) {
                 Exec(update, {sql::Value::Integer(to_balance + amount), sql::Value::Integer(to)},
                      false, [this](const node::SqlOutcome&) { Commit(invoked()); });
             });
    }

    void Read() {
        Start("read", nullptr);
        // One autocommit statement: a read-only transaction at a ReadIndex snapshot, no entry.
        Exec("SELECT id, balance FROM accounts ORDER BY id", {}, false,
             [this](const node::SqlOutcome& o) {
                 nlohmann::json balances = nlohmann::json::object();
                 for (const auto& row : o.result->rows) {
                     bool ints = row.size() == 2 && row[0].type() == sql::DataType::kInteger &&
                                 row[1].type() == sql::DataType::kInteger;
                     // Garbage becomes a value the checker rejects, never a silent default.
                     if (!ints) return Finish(OpType::kOk, {{"garbage", INT64_MIN / 2}}, "");
                     balances[Account(row[0].integer())] = row[1].integer();
                 }
                 Finish(OpType::kOk, balances, "");
             });
    }
};

}  // namespace

sim::ProcessFactory SqlBankWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<SqlBankProcess>(env, *this, index);
    };
}

checker::CheckOptions SqlBankWorkload::check_options() const {
    checker::CheckOptions o;
    o.total = kBankAccounts * kBankInitialBalance;
    return o;
}

// --- sql-list-append ---------------------------------------------------------------------

namespace {

constexpr int kMaxMicroOps = 4;

class SqlListAppendProcess final : public SqlProcess {
public:
    SqlListAppendProcess(Env& env, SqlListAppendWorkload& w, uint32_t index)
        : SqlProcess(env, w, index, "sql-list-append"), workload_(w) {}

private:
    std::vector<std::string> SetupStatements() const override {
        return {"CREATE TABLE IF NOT EXISTS lists (k INTEGER, i INTEGER, v INTEGER, "
                "PRIMARY KEY (k, i))"};
    }

    void Invoke() override {
        int n = static_cast<int>(rng().Range(1, kMaxMicroOps));
        nlohmann::json txn = nlohmann::json::array();
        for (int i = 0; i < n; ++i) {
            std::string key = fmt::format("x{}", rng().Uniform(workload_.options().keys));
            if (rng().Chance(0.5)) {
                txn.push_back({"r", key, nullptr});
            } else {
                txn.push_back({"append", key, workload_.NextValue()});
            }
        }
        result_ = txn;
        Start("txn", txn);
        Exec("BEGIN", {}, false, [this](const node::SqlOutcome&) { Step(0); });
    }

    static int64_t KeyNumber(const nlohmann::json& micro) {
        return std::stoll(micro[1].get<std::string>().substr(1));
    }

    // Micro-op i, then the next; COMMIT after the last.
    void Step(size_t i) {
        if (i == result_.size()) return Commit(result_);
        sql::Value k = sql::Value::Integer(KeyNumber(result_[i]));
        if (result_[i][0] == "r") {
            return Exec("SELECT v FROM lists WHERE k = ? ORDER BY i", {k}, false,
                        [this, i](const node::SqlOutcome& o) {
                            std::vector<int64_t> list;
                            for (const auto& row : o.result->rows) {
                                bool ok = row.size() == 1 &&
                                          row[0].type() == sql::DataType::kInteger;
                                list.push_back(ok ? row[0].integer() : -1);
                            }
                            result_[i][2] = list;
                            Step(i + 1);
                        });
        }
        Exec("SELECT COUNT(*) FROM lists WHERE k = ?", {k}, false,
             [this, i, k](const node::SqlOutcome& o) {
                 const auto& rows = o.result->rows;
                 if (rows.size() != 1 || rows[0].size() != 1 ||
                     rows[0][0].type() != sql::DataType::kInteger) {
                     return Abandon("malformed COUNT(*)");
                 }
                 sql::Value v = sql::Value::Integer(result_[i][2].get<int64_t>());
                 Exec("INSERT INTO lists VALUES (?, ?, ?)",
                      {k, sql::Value::Integer(rows[0][0].integer()), v}, false,
                      [this, i](const node::SqlOutcome&) { Step(i + 1); });
             });
    }

    SqlListAppendWorkload& workload_;
    nlohmann::json result_;
};

}  // namespace

sim::ProcessFactory SqlListAppendWorkload::ClientFactory(uint32_t index) {
    return [this, index](Env& env) -> std::unique_ptr<sim::Process> {
        return std::make_unique<SqlListAppendProcess>(env, *this, index);
    };
}

}  // namespace orrery::jepsen::runner
