// SessionImpl (session_impl.h): dispatching a parsed statement to its runner, binding and
// optimizing plans, EXPLAIN, and prepared statements with their plan cache.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sql/catalog/catalog.h"
#include "sql/catalog/show_catalog.h"
#include "sql/eval/ops.h"
#include "sql/exec/executor.h"
#include "sql/exec/table_ops.h"
#include "sql/optimizer/optimizer.h"
#include "sql/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/const_eval.h"
#include "sql/plan/plan.h"
#include "sql/session_impl.h"

namespace orrery::sql {

using namespace session_internal;  // Err, Quoted, Lower, ... (session_impl.h)

namespace {

bool IsWrite(const Statement& s) {
    return !std::holds_alternative<SelectStatement>(s.body) &&
           !std::holds_alternative<ShowTables>(s.body) && !std::holds_alternative<Describe>(s.body) &&
           !std::holds_alternative<std::unique_ptr<Explain>>(s.body);
}

bool IsDdl(const Statement& s) {
    return std::holds_alternative<CreateTable>(s.body) || std::holds_alternative<DropTable>(s.body) ||
           std::holds_alternative<CreateIndex>(s.body) || std::holds_alternative<DropIndex>(s.body) ||
           std::holds_alternative<AlterTable>(s.body) || std::holds_alternative<Truncate>(s.body);
}

bool IsPlanned(const Statement& s) {
    return std::holds_alternative<SelectStatement>(s.body) || std::holds_alternative<Insert>(s.body) ||
           std::holds_alternative<Update>(s.body) || std::holds_alternative<Delete>(s.body);
}

}  // namespace

// --- dispatch --------------------------------------------------------------------------------

// The statements that need no database transaction of their own: anything while the explicit
// transaction is failed (only COMMIT/ROLLBACK end it), COMMIT, ROLLBACK, BEGIN, SET and SHOW.
// Returns false for every other statement, having done nothing.
bool SessionImpl::DispatchControl(const Statement& statement) {
    const bool is_commit = std::holds_alternative<Commit>(statement.body);
    const bool is_rollback = std::holds_alternative<Rollback>(statement.body);
    if (failed_) {
        if (is_commit || is_rollback) {
            failed_ = false;
            txn_did_ddl_ = false;
            StatementResult r;
            r.tag = "ROLLBACK";
            outcome_ = StatementOutcome(std::move(r));
            phase_ = Phase::kDone;
            return true;
        }
        outcome_ = StatementOutcome(
            Err(ErrorKind::kInFailedTransaction,
                "current transaction is aborted, commands ignored until end of transaction block"));
        phase_ = Phase::kDone;
        return true;
    }
    if (is_commit || is_rollback) {
        if (!txn_) {
            outcome_ = StatementOutcome(
                Err(ErrorKind::kNoActiveTransaction, "there is no transaction in progress"));
            phase_ = Phase::kDone;
            return true;
        }
        StatementResult r;
        r.tag = is_commit ? "COMMIT" : "ROLLBACK";
        if (is_rollback) {
            txn_->Finish(false);
            txn_.reset();
            txn_did_ddl_ = false;
            outcome_ = StatementOutcome(std::move(r));
            phase_ = Phase::kDone;
            return true;
        }
        BeginCommit(txn_.get(), Ending::kExplicitCommit, std::move(r));
        return true;
    }
    if (const auto* begin = std::get_if<Begin>(&statement.body)) {
        if (txn_) {
            // PostgreSQL warns and carries on; the transaction is not failed by it.
            outcome_ = StatementOutcome(
                Err(ErrorKind::kActiveTransaction, "there is already a transaction in progress"));
            phase_ = Phase::kDone;
            return true;
        }
        Complete(RunBegin(*begin));
        return true;
    }
    if (const auto* set = std::get_if<SetVariable>(&statement.body)) {
        Complete(RunSet(*set));
        return true;
    }
    if (const auto* show = std::get_if<ShowVariable>(&statement.body)) {
        Complete(RunShow(*show));
        return true;
    }
    return false;
}

void SessionImpl::Dispatch(const Statement& statement, std::vector<Value> params,
                           PreparedStatement* prepared) {
    if (DispatchControl(statement)) return;
    // Everything else reads or writes the database in a transaction.
    bool write = IsWrite(statement);
    if (const auto* explain = std::get_if<std::unique_ptr<Explain>>(&statement.body)) {
        (void)explain;
        write = false;
    }
    auto txn = StatementTxn(write);
    if (!txn.ok()) return Fail(txn.error());
    if (IsDdl(statement)) {
        auto r = RunDdl(statement, *txn.value());
        if (!r.ok()) return Fail(r.error());
        if (txn_) txn_did_ddl_ = true;
        if (stmt_txn_ == nullptr) {
            // Plans cached in this session may no longer match the schema.
            for (auto& [id, p] : prepared_) p.plan.reset();
        }
        return Succeed(std::move(r).value());
    }
    catalog_ = std::make_unique<Catalog>(*txn.value());
    if (const auto* st = std::get_if<ShowTables>(&statement.body)) {
        return Complete(st->catalog ? ShowCatalog(*catalog_) : ShowTablesStmt(*catalog_));
    }
    if (const auto* d = std::get_if<Describe>(&statement.body)) {
        return Complete(DescribeStmt(*d, *catalog_));
    }
    if (const auto* explain = std::get_if<std::unique_ptr<Explain>>(&statement.body)) {
        return Complete(RunExplain(**explain, params));
    }
    ORRERY_ASSERT(IsPlanned(statement), "every other statement is a query or a write");

    StartPlanned(statement, std::move(params), prepared, *txn.value());
}

// The catalog version as `txn` reads it. In an explicit transaction without DDL, every statement
// after the first reuses the first one's answer (session_impl.h, txn_catalog_version_): a bulk
// load of single-row INSERTs otherwise pays one storage read per row for it.
SqlResult<uint64_t> SessionImpl::StatementCatalogVersion(Txn& txn) {
    const bool reusable = txn_ && &txn == txn_.get() && !txn_did_ddl_;
    if (reusable && txn_catalog_version_ && txn_catalog_version_->first == txn_serial_) {
        return txn_catalog_version_->second;
    }
    auto version = catalog_->Version();
    if (!version.ok()) return version;
    if (reusable) txn_catalog_version_ = std::pair{txn_serial_, version.value()};
    return version;
}

// A query or a write: its plan (from the prepared statement's cache when the catalog version
// still matches), its result columns, and the runner that Step drives.
void SessionImpl::StartPlanned(const Statement& statement, std::vector<Value> params,
                               PreparedStatement* prepared, Txn& txn) {
    // Every statement reads the catalog version: a concurrent DDL then conflicts with it, and
    // the version keys the plan cache.
    auto version = StatementCatalogVersion(txn);
    if (!version.ok()) return Fail(version.error());
    PlanPtr plan;
    if (prepared != nullptr && prepared->plan && prepared->version == version.value()) {
        plan = ClonePlan(*prepared->plan);
    } else {
        std::vector<DataType> types;
        auto planned = Plan(statement, *catalog_, &types);
        if (!planned.ok()) return Fail(planned.error());
        plan = planned.value();
        if (prepared != nullptr && !txn_did_ddl_) {
            prepared->plan = ClonePlan(*plan);
            prepared->version = version.value();
        }
    }
    params_ = std::move(params);
    result_ = StatementResult{};
    result_.tag = std::string(StatementKindName(statement));
    for (const PlanColumn& c : plan->columns) {
        if (!c.hidden) result_.columns.push_back({c.name, c.type});
    }
    // statement_timestamp(): an autocommit statement began with its transaction; a statement
    // of an explicit transaction reads the clock as it starts.
    std::optional<int64_t> statement_us = txn_now_us_;
    if (!stmt_txn_ && options_.wall_clock_us) statement_us = options_.wall_clock_us();
    runner_ = std::make_unique<PlanRunner>(
        plan, ExecContext{txn, *catalog_, params_, options_, txn_now_us_, statement_us});
    phase_ = Phase::kRunning;
}

SqlResult<PlanPtr> SessionImpl::Plan(const Statement& statement, Catalog& catalog,
                                     std::vector<DataType>* types, size_t rules) {
    Binder binder(catalog, statement.parameter_count);
    SqlResult<PlanPtr> bound = Err(ErrorKind::kInternal, "unbound");
    if (const auto* select = std::get_if<SelectStatement>(&statement.body)) {
        bound = binder.BindSelect(*select->query);
    } else {
        if (const auto* ins = std::get_if<Insert>(&statement.body)) {
            bound = binder.BindInsert(*ins);
        } else if (const auto* upd = std::get_if<Update>(&statement.body)) {
            bound = binder.BindUpdate(*upd);
        } else if (const auto* del = std::get_if<Delete>(&statement.body)) {
            bound = binder.BindDelete(*del);
        } else {
            return Err(ErrorKind::kFeatureNotSupported,
                       fmt::format("{} has no plan", StatementKindName(statement)));
        }
    }
    if (!bound.ok()) return bound;
    if (types != nullptr) *types = binder.parameter_types();
    OptimizeOptions options;
    options.disabled_rules = options_.disabled_optimizer_rules;
    std::vector<std::string> all = OptimizerRules();
    for (size_t i = rules; i < all.size(); ++i) options.disabled_rules.insert(all[i]);
    return Optimize(bound.value(), options);
}

SqlResult<StatementResult> SessionImpl::RunExplain(const Explain& explain,
                                                   const std::vector<Value>& params) {
    (void)params;
    if (!IsPlanned(explain.statement)) {
        return Quoted(ErrorKind::kFeatureNotSupported,
                      "EXPLAIN supports SELECT, VALUES, INSERT, UPDATE and DELETE, not {}",
                      StatementKindName(explain.statement));
    }
    auto version = catalog_->Version();
    if (!version.ok()) return version.error();
    StatementResult r;
    r.tag = "EXPLAIN";
    r.columns = {{"QUERY PLAN", DataType::kString}};
    auto add_lines = [&](const std::string& text) {
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            r.rows.push_back({Value::String(text.substr(start, end - start))});
            start = end + 1;
        }
    };
    if (!explain.steps) {
        auto plan = Plan(explain.statement, *catalog_, nullptr);
        if (!plan.ok()) return plan.error();
        add_lines(PlanToString(*plan.value()));
        return r;
    }
    // EXPLAIN (STEPS): the bound plan, then the plan after each rule (the rules before it on).
    auto initial = Plan(explain.statement, *catalog_, nullptr, 0);
    if (!initial.ok()) return initial.error();
    r.rows.push_back({Value::String("initial plan:")});
    add_lines(PlanToString(*initial.value()));
    std::vector<std::string> rules = OptimizerRules();
    for (size_t i = 0; i < rules.size(); ++i) {
        auto plan = Plan(explain.statement, *catalog_, nullptr, i + 1);
        if (!plan.ok()) return plan.error();
        r.rows.push_back({Value::String("after " + rules[i] + ":")});
        add_lines(PlanToString(*plan.value()));
    }
    return r;
}

// --- prepared statements ---------------------------------------------------------------------

SqlResult<PreparedInfo> SessionImpl::Prepare(std::string_view text) {
    auto parsed = ParseStatement(text);
    if (!parsed.ok()) return parsed.error();
    PreparedStatement p;
    p.text = std::string(text);
    p.statement = std::move(parsed).value();
    p.info.parameter_count = p.statement.parameter_count;
    p.info.parameter_types.assign(p.statement.parameter_count, DataType::kNull);
    if (IsPlanned(p.statement)) {
        // Bind in the open transaction (it may have created the table), else at the newest
        // snapshot without keeping a transaction.
        std::unique_ptr<Txn> scratch;
        Txn* txn = txn_.get();
        if (txn == nullptr) {
            auto began = BeginTxn(ReadOnlyOptions());
            if (!began.ok()) return began.error();
            scratch = std::move(began).value();
            txn = scratch.get();
        }
        Catalog catalog(*txn);
        auto version = catalog.Version();
        std::vector<DataType> types;
        auto plan = Plan(p.statement, catalog, &types);
        if (scratch) scratch->Finish(false);
        if (!version.ok()) return version.error();
        if (!plan.ok()) return plan.error();
        for (size_t i = 0; i < types.size() && i < p.info.parameter_types.size(); ++i) {
            p.info.parameter_types[i] = types[i];
        }
        for (const PlanColumn& c : plan.value()->columns) {
            if (!c.hidden) p.info.columns.push_back({c.name, c.type});
        }
        if (!txn_did_ddl_) {
            p.plan = plan.value();
            p.version = version.value();
        }
    }
    p.info.id = next_prepared_id_++;
    PreparedInfo info = p.info;
    prepared_.emplace(info.id, std::move(p));
    return info;
}

}  // namespace orrery::sql
