// Session (session.h): the statement lifecycle, transactions, SET/SHOW and the Session facade.
// Dispatch, planning, EXPLAIN and prepared statements are in session_dispatch.cpp, DDL and the
// catalog statements in session_ddl.cpp; the class they share is session_impl.h.
//
// One statement at a time runs as a small state machine (Phase): Start parses and dispatches;
// statements that need no executor (DDL, transaction control, SET/SHOW, EXPLAIN) compute their
// result at once, queries and writes hand their plan to a PlanRunner that Step drives with the
// budget. Whatever ends a transaction (autocommit, COMMIT) asks the driver for a decision
// (kNeedsCommit) when the transaction has a CommitRequest, and finishes it in CommitDecided.
#include "sql/session.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sql/catalog/catalog.h"
#include "sql/catalog/show_catalog.h"
#include "sql/eval/ops.h"
#include "sql/parser.h"
#include "sql/plan/binder.h"
#include "sql/plan/const_eval.h"
#include "sql/plan/plan.h"
#include "sql/session_impl.h"

#include "sql/exec/executor.h"
#include "sql/exec/table_ops.h"
#include "sql/optimizer/optimizer.h"

namespace orrery::sql {
namespace session_internal {

SqlError Err(ErrorKind kind, std::string message) { return MakeSqlError(kind, std::move(message)); }

SqlError Quoted(ErrorKind kind, std::string_view pattern, std::string_view name) {
    return Err(kind, fmt::format(fmt::runtime(pattern), name));
}

const std::map<std::string, std::string>& DefaultParameters() {
    static const std::map<std::string, std::string> defaults = {
        {"application_name", ""},
        {"client_encoding", "UTF8"},
        {"datestyle", "ISO, MDY"},
        {"default_transaction_isolation", "serializable"},
        {"default_transaction_read_only", "off"},
        {"extra_float_digits", "1"},
        {"integer_datetimes", "on"},
        {"search_path", "public"},
        {"server_encoding", "UTF8"},
        {"server_version", "14.0 (Orrery)"},
        {"standard_conforming_strings", "on"},
        {"timezone", "UTC"},
    };
    return defaults;
}

TxnOptions ReadOnlyOptions() {
    TxnOptions options;
    options.read_only = true;
    return options;
}

std::string Lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::optional<mvcc::Isolation> IsolationFromText(const std::string& text) {
    std::string t = Lower(text);
    if (t == "serializable") return mvcc::Isolation::kSerializable;
    if (t == "snapshot" || t == "repeatable read") return mvcc::Isolation::kSnapshot;
    return std::nullopt;
}

}  // namespace session_internal

using namespace session_internal;  // Err, Quoted, Lower, ... (session_impl.h)

namespace {

// The bug switch sql.no-read-set: a transaction whose commit request forgets its scanned
// ranges (point reads stay), so serializable validation misses phantoms and write skew over
// scans.
class NoReadSetTxn final : public Txn {
public:
    explicit NoReadSetTxn(std::unique_ptr<Txn> inner) : inner_(std::move(inner)) {}
    mvcc::Version snapshot() const override { return inner_->snapshot(); }
    bool read_only() const override { return inner_->read_only(); }
    mvcc::Isolation isolation() const override { return inner_->isolation(); }
    Result<std::optional<std::string>> Get(std::string_view key) override { return inner_->Get(key); }
    Result<std::unique_ptr<KvIterator>> Scan(const mvcc::KeyRange& range) override {
        return inner_->Scan(range);
    }
    void BeginStatement() override { inner_->BeginStatement(); }
    Result<std::optional<std::string>> GetAtStatementStart(std::string_view key) override {
        return inner_->GetAtStatementStart(key);
    }
    Result<std::unique_ptr<KvIterator>> ScanAtStatementStart(const mvcc::KeyRange& range) override {
        return inner_->ScanAtStatementStart(range);
    }
    Status Put(std::string_view key, std::string_view value) override { return inner_->Put(key, value); }
    Status Delete(std::string_view key) override { return inner_->Delete(key); }
    std::optional<mvcc::CommitRequest> CommitRequest() const override {
        auto req = inner_->CommitRequest();
        if (req) req->read_ranges.clear();
        return req;
    }
    void Finish(bool committed) override { inner_->Finish(committed); }

private:
    std::unique_ptr<Txn> inner_;
};

// Converts a bound parameter to the type the binder inferred for it: text parameters (the
// PostgreSQL front end's text format) are cast, numbers assigned.
SqlResult<std::vector<Value>> CoerceParameters(std::vector<Value> params,
                                               const std::vector<DataType>& types,
                                               uint32_t count) {
    if (params.size() != count) {
        return Err(ErrorKind::kInvalidParameter,
                   fmt::format("the statement takes {} parameter{}, {} given", count,
                               count == 1 ? "" : "s", params.size()));
    }
    for (size_t i = 0; i < params.size() && i < types.size(); ++i) {
        Value& v = params[i];
        DataType want = types[i];
        if (want == DataType::kNull || v.is_null() || v.type() == want) continue;
        TypeSpec spec{want, std::nullopt};
        auto converted = v.type() == DataType::kString ? CastValue(v, spec)
                                                       : AssignValue(v, spec, fmt::format("${}", i + 1));
        if (!converted.ok()) return converted.error();
        v = std::move(converted).value();
    }
    return params;
}

}  // namespace

// --- statement lifecycle ---------------------------------------------------------------------

void SessionImpl::Start(std::string_view text, std::vector<Value> params) {
    ORRERY_ASSERT(phase_ == Phase::kIdle, "Start with a statement in progress");
    phase_ = Phase::kRunning;
    cancel_ = false;
    SqlResult<Statement> parsed = ParseStatement(text);
    if (!parsed.ok()) return Fail(parsed.error());
    const Statement& statement = parsed.value();
    if (params.size() != statement.parameter_count) {
        return Fail(Err(ErrorKind::kInvalidParameter,
                        fmt::format("the statement takes {} parameter{}, {} given",
                                    statement.parameter_count,
                                    statement.parameter_count == 1 ? "" : "s", params.size())));
    }
    Dispatch(statement, std::move(params), nullptr);
}

void SessionImpl::StartPrepared(uint32_t id, std::vector<Value> params) {
    ORRERY_ASSERT(phase_ == Phase::kIdle, "StartPrepared with a statement in progress");
    phase_ = Phase::kRunning;
    cancel_ = false;
    auto it = prepared_.find(id);
    if (it == prepared_.end()) {
        return Fail(Err(ErrorKind::kUndefinedObject,
                        fmt::format("prepared statement {} does not exist", id)));
    }
    auto coerced = CoerceParameters(std::move(params), it->second.info.parameter_types,
                                    it->second.info.parameter_count);
    if (!coerced.ok()) return Fail(coerced.error());
    Dispatch(it->second.statement, std::move(coerced).value(), &it->second);
}

void SessionImpl::Fail(SqlError error) {
    runner_.reset();
    catalog_.reset();
    if (stmt_txn_) {
        stmt_txn_->Finish(false);
        stmt_txn_.reset();
    }
    if (txn_) {
        // PostgreSQL's failed transaction: nothing of it will commit, and every statement up to
        // ROLLBACK is refused.
        txn_->Finish(false);
        txn_.reset();
        failed_ = true;
    }
    outcome_ = StatementOutcome(std::move(error));
    phase_ = Phase::kDone;
}

void SessionImpl::Succeed(StatementResult result) {
    runner_.reset();
    catalog_.reset();
    if (stmt_txn_) return BeginCommit(stmt_txn_.get(), Ending::kAutocommit, std::move(result));
    outcome_ = StatementOutcome(std::move(result));
    phase_ = Phase::kDone;
}

void SessionImpl::BeginCommit(Txn* txn, Ending ending, StatementResult result) {
    result_ = std::move(result);
    ending_ = ending;
    committing_ = txn;
    pending_ = txn->CommitRequest();
    if (pending_) {
        phase_ = Phase::kCommitReady;
        return;
    }
    // Nothing to decide (read-only, or unlogged serializable reads).
    CommitDecided(mvcc::CommitOutcome{});
}

void SessionImpl::CommitDecided(Result<mvcc::CommitOutcome> decision) {
    ORRERY_ASSERT(committing_ != nullptr, "CommitDecided without a pending commit");
    committing_->Finish(decision.ok());
    committing_ = nullptr;
    pending_.reset();
    if (ending_ == Ending::kAutocommit) {
        stmt_txn_.reset();
    } else {
        txn_.reset();
        txn_did_ddl_ = false;
    }
    if (decision.ok()) {
        outcome_ = StatementOutcome(std::move(result_));
    } else {
        const Status& s = decision.status();
        if (s.code() == Code::kAborted) {
            outcome_ = StatementOutcome(Err(
                ErrorKind::kSerializationFailure,
                "could not serialize access due to a concurrent transaction: " + s.message()));
        } else if (s.code() == Code::kTimeout) {
            outcome_ = StatementOutcome(Err(
                ErrorKind::kUnknownOutcome,
                "the commit's outcome is unknown (it may or may not have happened): " +
                    s.message()));
        } else {
            outcome_ = StatementOutcome(ErrorFromStatus(s));
        }
    }
    result_ = StatementResult{};
    phase_ = Phase::kDone;
}

Session::StepState SessionImpl::Step(uint64_t budget) {
    ORRERY_ASSERT(phase_ != Phase::kIdle, "Step without a statement");
    ORRERY_ASSERT(phase_ != Phase::kNeedsCommit, "Step with a commit pending");
    if (phase_ == Phase::kDone) return Session::StepState::kDone;
    // A cancel wins over a commit that is ready but not yet handed out: nothing was proposed,
    // so the statement can still end without committing (the simulator found the server
    // cancelling such a statement and then being asked for a commit: sql-list-append, smoke
    // seed 159 with --bug sql.no-read-set).
    if (cancel_ && phase_ == Phase::kCommitReady) {
        committing_ = nullptr;
        pending_.reset();
    }
    if (phase_ == Phase::kCommitReady && !cancel_) {
        phase_ = Phase::kNeedsCommit;
        return Session::StepState::kNeedsCommit;
    }
    if (cancel_) {
        Fail(Err(ErrorKind::kQueryCanceled, "canceling statement due to user request"));
        return Session::StepState::kDone;
    }
    ORRERY_ASSERT(runner_ != nullptr, "a running statement has a plan runner");
    auto done = runner_->Run(budget, &result_.rows);
    if (!done.ok()) {
        Fail(done.error());
        return Session::StepState::kDone;
    }
    if (!done.value()) return Session::StepState::kYield;
    StatementResult r = std::move(result_);
    result_ = StatementResult{};
    r.rows_affected = runner_->rows_affected();
    if (r.tag == "SELECT") r.rows_affected = r.rows.size();
    r.tag += fmt::format(" {}", r.rows_affected);
    Succeed(std::move(r));
    if (phase_ == Phase::kCommitReady) {
        phase_ = Phase::kNeedsCommit;
        return Session::StepState::kNeedsCommit;
    }
    return Session::StepState::kDone;
}

StatementOutcome SessionImpl::TakeOutcome() {
    ORRERY_ASSERT(phase_ == Phase::kDone && outcome_.has_value(), "TakeOutcome before kDone");
    StatementOutcome out = std::move(*outcome_);
    outcome_.reset();
    phase_ = Phase::kIdle;
    return out;
}

// --- transactions ----------------------------------------------------------------------------

SqlResult<std::unique_ptr<Txn>> SessionImpl::BeginTxn(const TxnOptions& options) {
    auto began = store_.Begin(options);
    if (!began.ok()) return ErrorFromStatus(began.status());
    std::unique_ptr<Txn> txn = std::move(began).value();
    if (options_.bug_no_read_set) txn = std::make_unique<NoReadSetTxn>(std::move(txn));
    return txn;
}

SqlResult<Txn*> SessionImpl::StatementTxn(bool write) {
    if (txn_) {
        if (write && txn_->read_only()) {
            return Err(ErrorKind::kReadOnlyTransaction,
                       "cannot execute a write in a read-only transaction");
        }
        txn_->BeginStatement();  // The statement's reads see the earlier statements only (txn.h).
        return txn_.get();
    }
    TxnOptions options;
    options.isolation = DefaultIsolation();
    options.read_only = !write && Lower(parameters_.at("default_transaction_read_only")) == "on";
    if (write && Lower(parameters_.at("default_transaction_read_only")) == "on") {
        return Err(ErrorKind::kReadOnlyTransaction,
                   "cannot execute a write in a read-only transaction");
    }
    auto txn = BeginTxn(options);
    if (!txn.ok()) return txn.error();
    stmt_txn_ = std::move(txn).value();
    stmt_txn_->BeginStatement();  // Its own writes stay invisible to its reads (txn.h).
    ReadTxnStartTime();  // An autocommit statement is its own transaction.
    return stmt_txn_.get();
}

SqlResult<StatementResult> SessionImpl::RunBegin(const Begin& begin) {
    TxnOptions options;
    options.isolation = DefaultIsolation();
    if (begin.isolation == IsolationLevel::kSerializable) options.isolation = mvcc::Isolation::kSerializable;
    if (begin.isolation == IsolationLevel::kSnapshot) options.isolation = mvcc::Isolation::kSnapshot;
    options.read_only = begin.read_only ||
                        (!begin.read_write &&
                         Lower(parameters_.at("default_transaction_read_only")) == "on");
    if (begin.as_of) {
        if (begin.read_write) {
            return Err(ErrorKind::kSyntax, "AS OF SYSTEM TIME requires a read-only transaction");
        }
        // The version is a constant; binding it needs no catalog, but the Binder wants one.
        auto scratch = BeginTxn(ReadOnlyOptions());
        if (!scratch.ok()) return scratch.error();
        Catalog catalog(*scratch.value());
        Binder binder(catalog, 0);
        auto bound = binder.BindConstant(*begin.as_of);
        scratch.value()->Finish(false);
        if (!bound.ok()) return bound.error();
        auto v = EvalConstantExpr(bound.value());
        if (!v.ok()) return v.error();
        if (v.value().type() != DataType::kInteger || v.value().integer() < 0) {
            return Err(ErrorKind::kDatatypeMismatch,
                       "AS OF SYSTEM TIME takes a non-negative integer version, got " +
                           v.value().ToSqlLiteral());
        }
        options.as_of = static_cast<mvcc::Version>(v.value().integer());
        options.read_only = true;
        options.isolation = mvcc::Isolation::kSnapshot;
    }
    auto txn = BeginTxn(options);
    if (!txn.ok()) return txn.error();
    txn_ = std::move(txn).value();
    ++txn_serial_;
    txn_did_ddl_ = false;
    ReadTxnStartTime();
    StatementResult r;
    r.tag = "BEGIN";
    return r;
}

// --- SET / SHOW ------------------------------------------------------------------------------

SqlResult<StatementResult> SessionImpl::RunSet(const SetVariable& set) {
    const auto& defaults = DefaultParameters();
    auto def = defaults.find(set.name);
    bool custom = set.name.find('.') != std::string::npos;  // PostgreSQL's "ext.name" form.
    if (def == defaults.end() && !custom) {
        return Quoted(ErrorKind::kUndefinedObject, "unrecognized configuration parameter \"{}\"",
                      set.name);
    }
    std::string value = set.value;
    if (Lower(value) == "default") {
        if (def == defaults.end()) {
            parameters_.erase(set.name);
        } else {
            parameters_[set.name] = def->second;
        }
        StatementResult r;
        r.tag = "SET";
        return r;
    }
    if (set.name == "default_transaction_isolation") {
        auto iso = IsolationFromText(value);
        if (!iso) {
            return Err(ErrorKind::kInvalidText,
                       fmt::format("invalid value for parameter \"default_transaction_isolation\": "
                                   "\"{}\" (serializable, snapshot or repeatable read)",
                                   value));
        }
        value = std::string(mvcc::IsolationName(*iso));
    } else if (set.name == "default_transaction_read_only") {
        std::string v = Lower(value);
        if (v == "on" || v == "true" || v == "1") {
            value = "on";
        } else if (v == "off" || v == "false" || v == "0") {
            value = "off";
        } else {
            return Err(ErrorKind::kInvalidText,
                       fmt::format("parameter \"default_transaction_read_only\" requires a "
                                   "Boolean value, got \"{}\"",
                                   value));
        }
    } else if (set.name == "server_version" || set.name == "server_encoding" ||
               set.name == "integer_datetimes") {
        return Quoted(ErrorKind::kFeatureNotSupported, "parameter \"{}\" cannot be changed",
                      set.name);
    }
    parameters_[set.name] = value;
    StatementResult r;
    r.tag = "SET";
    return r;
}

SqlResult<StatementResult> SessionImpl::RunShow(const ShowVariable& show) {
    StatementResult r;
    r.tag = "SHOW";
    if (show.name == "all") {
        r.columns = {{"name", DataType::kString}, {"setting", DataType::kString}};
        for (const auto& [name, value] : parameters_) {
            r.rows.push_back({Value::String(name), Value::String(value)});
        }
        return r;
    }
    std::string value;
    if (show.name == "transaction_isolation" || show.name == "transaction isolation level") {
        value = txn_ ? std::string(mvcc::IsolationName(txn_->isolation()))
                     : parameters_.at("default_transaction_isolation");
    } else if (show.name == "transaction_read_only") {
        value = txn_ ? (txn_->read_only() ? "on" : "off")
                     : parameters_.at("default_transaction_read_only");
    } else {
        auto it = parameters_.find(show.name);
        if (it == parameters_.end()) {
            return Quoted(ErrorKind::kUndefinedObject,
                          "unrecognized configuration parameter \"{}\"", show.name);
        }
        value = it->second;
    }
    r.columns = {{show.name, DataType::kString}};
    r.rows.push_back({Value::String(value)});
    return r;
}

// --- Session ---------------------------------------------------------------------------------

Session::Session(TxnStore& store, SessionOptions options)
    : impl_(std::make_unique<SessionImpl>(store, options)) {}
Session::~Session() = default;

void Session::Start(std::string_view text, std::vector<Value> params) {
    impl_->Start(text, std::move(params));
}
void Session::StartPrepared(uint32_t id, std::vector<Value> params) {
    impl_->StartPrepared(id, std::move(params));
}
Session::StepState Session::Step(uint64_t budget_rows) { return impl_->Step(budget_rows); }
const mvcc::CommitRequest& Session::pending_commit() const { return impl_->pending_commit(); }
void Session::CommitDecided(Result<mvcc::CommitOutcome> decision) {
    impl_->CommitDecided(std::move(decision));
}
StatementOutcome Session::TakeOutcome() { return impl_->TakeOutcome(); }
void Session::Cancel() { impl_->Cancel(); }
bool Session::statement_in_progress() const { return impl_->in_progress(); }
bool Session::needs_snapshot() const { return impl_->needs_snapshot(); }
TxnStatus Session::txn_status() const { return impl_->status(); }

StatementOutcome Session::Execute(std::string_view text, const CommitFn& commit,
                                  std::vector<Value> params) {
    Start(text, std::move(params));
    for (;;) {
        switch (Step()) {
            case StepState::kYield: break;
            case StepState::kNeedsCommit: CommitDecided(commit(pending_commit())); break;
            case StepState::kDone: return TakeOutcome();
        }
    }
}

SqlResult<PreparedInfo> Session::Prepare(std::string_view text) { return impl_->Prepare(text); }
void Session::Deallocate(uint32_t id) { impl_->Deallocate(id); }
void Session::AbortTransaction(std::string_view why) {
    (void)why;
    impl_->AbortTransaction();
}
const std::map<std::string, std::string>& Session::parameters() const { return impl_->parameters(); }

}  // namespace orrery::sql
