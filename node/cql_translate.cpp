// The translator's core (cql_translate.h): the request queue, SQL scripts with their
// transaction and retry rules, error mapping, and the dispatch of a parsed statement.
// DDL and the catalog are in cql_schema.cpp, DML in cql_dml.cpp, system tables in
// cql_system.cpp.
#include "node/cql_translate.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_bind.h"

namespace orrery::node::cql {

// One running script: where it is, what it produced, how often it was retried.
struct Translator::ScriptRun {
    Script script;
    std::vector<SqlStep> pending;  // Steps still to run, front first (reversed for pop_back).
    std::vector<sql::StatementResult> results;
    std::function<void(Outcome)> done;
    int attempt = 1;  // 1 .. kMaxAttempts.
};

std::string Quote(const std::string& name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string SqlName(const std::string& keyspace, const std::string& table) {
    return Quote(keyspace + "." + table);
}

const ColumnInfo* TableSchema::Find(const std::string& name) const {
    for (const ColumnInfo& c : columns) {
        if (c.name == name) return &c;
    }
    return nullptr;
}

std::vector<const ColumnInfo*> TableSchema::KeyColumns() const {
    std::vector<const ColumnInfo*> out;
    for (const ColumnInfo& c : columns) {
        if (c.kind != ColumnInfo::Kind::kRegular) out.push_back(&c);
    }
    return out;
}

size_t TableSchema::partition_key_size() const {
    size_t n = 0;
    for (const ColumnInfo& c : columns) n += c.kind == ColumnInfo::Kind::kPartitionKey ? 1 : 0;
    return n;
}

namespace {

// The name inside the first pair of double quotes of an engine message, or "".
std::string QuotedName(const std::string& message) {
    const size_t a = message.find('"');
    if (a == std::string::npos) return "";
    const size_t b = message.find('"', a + 1);
    if (b == std::string::npos) return "";
    return message.substr(a + 1, b - a - 1);
}

Error Timeout(const ErrorContext& c, const std::string& why) {
    Error e;
    e.consistency = c.consistency;
    e.received = 0;
    e.block_for = 1;
    if (c.write) {
        e.code = error_code::kWriteTimeout;
        e.write_type = c.write_type;
        e.message = "Operation timed out - received only 0 responses. (" + why + ")";
    } else {
        e.code = error_code::kReadTimeout;
        e.message = "Operation timed out - received only 0 responses. (" + why + ")";
    }
    return e;
}

}  // namespace

Error MapSqlError(const SqlOutcome& o, const ErrorContext& c) {
    if (o.type == KvOutcome::Type::kInfo || !o.error) {
        return Timeout(c, o.error ? o.error->message : "no answer");
    }
    const sql::SqlError& err = *o.error;
    Error e;
    e.message = err.message;
    switch (err.kind) {
    case sql::ErrorKind::kSyntax:
        e.code = error_code::kSyntax;
        break;
    case sql::ErrorKind::kUndefinedTable:
        e.code = error_code::kInvalid;
        e.message = "unconfigured table " + (c.table.empty() ? QuotedName(err.message) : c.table);
        break;
    case sql::ErrorKind::kUndefinedColumn:
        e.code = error_code::kInvalid;
        e.message = "Undefined column name " + QuotedName(err.message);
        break;
    case sql::ErrorKind::kDuplicateTable:
        e.code = error_code::kAlreadyExists;
        e.keyspace = c.keyspace;
        e.table = c.table;
        e.message = fmt::format("Cannot add already existing table \"{}\" to keyspace \"{}\"",
                                c.table, c.keyspace);
        break;
    case sql::ErrorKind::kSerializationFailure:
    case sql::ErrorKind::kUnknownOutcome:
        return Timeout(c, err.message);
    case sql::ErrorKind::kUnavailable:
        e.code = error_code::kUnavailable;
        e.consistency = c.consistency;
        e.required = 1;
        e.alive = 0;
        e.message = "Cannot achieve consistency level (" + err.message + ")";
        break;
    case sql::ErrorKind::kInternal:
    case sql::ErrorKind::kQueryCanceled:
        e.code = error_code::kServer;
        break;
    default:
        e.code = error_code::kInvalid;  // Bad values, constraint violations, limits.
        break;
    }
    return e;
}

Translator::Translator(SqlRunner& sql, Topology topology)
    : sql_(sql), topology_(std::move(topology)) {}

Translator::~Translator() { *alive_ = false; }

void Translator::Enqueue(Job job) {
    queue_.push_back(std::move(job));
    Pump();
}

// Starts queued jobs while none is running. A job that finishes inline (its callbacks came at
// once) lets the loop start the next one without growing the stack.
void Translator::Pump() {
    if (pumping_) return;
    pumping_ = true;
    while (!busy_ && !queue_.empty()) {
        Job job = std::move(queue_.front());
        queue_.pop_front();
        busy_ = true;
        std::weak_ptr<bool> alive = alive_;
        job([this, alive] {
            if (alive.expired()) return;
            ORRERY_ASSERT(busy_, "a job finished twice");
            busy_ = false;
            Pump();
        });
    }
    pumping_ = false;
}

void Translator::Sql(std::string text, std::vector<sql::Value> params,
                     std::function<void(const SqlOutcome&)> done) {
    std::weak_ptr<bool> alive = alive_;
    sql_.Execute(std::move(text), std::move(params),
                 [alive, done = std::move(done)](const SqlOutcome& o) {
                     if (alive.expired()) return;
                     done(o);
                 });
}

void Translator::RunScript(Script script, std::function<void(Outcome)> done) {
    auto run = std::make_shared<ScriptRun>();
    run->script = std::move(script);
    run->done = std::move(done);
    run->pending.assign(run->script.steps.rbegin(), run->script.steps.rend());
    if (run->script.transaction) {
        Sql("BEGIN", {}, [this, run](const SqlOutcome& o) {
            if (!o.ok()) return ScriptFail(run, o);
            ScriptStep(run);
        });
        return;
    }
    ScriptStep(run);
}

// Runs the next step, or commits and finishes when none is left.
void Translator::ScriptStep(std::shared_ptr<ScriptRun> run) {
    ORRERY_ASSERT(run->attempt >= 1 && run->attempt <= kMaxAttempts, "attempt {}", run->attempt);
    ORRERY_ASSERT(run->results.size() <= run->script.steps.size() + kMaxScriptSteps,
                  "a script of {} results", run->results.size());
    if (run->pending.empty()) {
        auto finish = [this, run] {
            Outcome out = run->script.finish ? run->script.finish(run->results)
                                             : Outcome::Ok(Result{});
            run->done(std::move(out));
        };
        if (!run->script.transaction) return finish();
        Sql("COMMIT", {}, [this, run, finish](const SqlOutcome& o) {
            if (!o.ok()) return ScriptFail(run, o);
            finish();
        });
        return;
    }
    SqlStep step = std::move(run->pending.back());
    run->pending.pop_back();
    std::string text = step.text;
    std::vector<sql::Value> params = step.params;
    Sql(std::move(text), std::move(params), [this, run, step = std::move(step)](const SqlOutcome& o) {
        sql::StatementResult result;
        if (o.ok()) {
            result = o.result.value_or(sql::StatementResult{});
        } else if (step.missing_table_is_empty && o.error &&
                   o.error->kind == sql::ErrorKind::kUndefinedTable &&
                   o.txn_status != sql::TxnStatus::kFailed) {
            // An empty catalog: nothing to read yet.
        } else if (step.retry_on_unique && o.error &&
                   o.error->kind == sql::ErrorKind::kUniqueViolation) {
            SqlOutcome as_conflict = o;
            as_conflict.error->kind = sql::ErrorKind::kSerializationFailure;
            return ScriptFail(run, as_conflict);
        } else {
            return ScriptFail(run, o);
        }
        if (step.check) {
            std::vector<SqlStep> next;
            std::optional<Outcome> stop = step.check(result, next);
            if (stop) return ScriptEnd(run, std::move(*stop));
            for (auto it = next.rbegin(); it != next.rend(); ++it) run->pending.push_back(*it);
        }
        run->results.push_back(std::move(result));
        ScriptStep(run);
    });
}

// A failed step: roll back what the script opened, then retry (a serialization failure, which
// certainly had no effect) or report.
void Translator::ScriptFail(std::shared_ptr<ScriptRun> run, const SqlOutcome& failure) {
    const bool retry = failure.ok() == false && failure.type == KvOutcome::Type::kFail &&
                       failure.error &&
                       failure.error->kind == sql::ErrorKind::kSerializationFailure &&
                       run->attempt < kMaxAttempts;
    auto next = [this, run, failure, retry] {
        if (!retry) return run->done(Outcome::Fail(MapSqlError(failure, run->script.errors)));
        ++run->attempt;
        run->results.clear();
        run->pending.assign(run->script.steps.rbegin(), run->script.steps.rend());
        if (!run->script.transaction) return ScriptStep(run);
        Sql("BEGIN", {}, [this, run](const SqlOutcome& o) {
            if (!o.ok()) return ScriptFail(run, o);
            ScriptStep(run);
        });
    };
    if (failure.txn_status == sql::TxnStatus::kIdle) return next();
    Sql("ROLLBACK", {}, [next](const SqlOutcome&) { next(); });
}

// A check stopped the script: roll back an open transaction, then answer.
void Translator::ScriptEnd(std::shared_ptr<ScriptRun> run, Outcome outcome) {
    if (!run->script.transaction) return run->done(std::move(outcome));
    Sql("ROLLBACK", {}, [run, outcome = std::move(outcome)](const SqlOutcome&) mutable {
        run->done(std::move(outcome));
    });
}

void Translator::Execute(Request request, std::function<void(Outcome)> done) {
    Enqueue([this, request = std::move(request), done = std::move(done)](
                std::function<void()> finished) mutable {
        orrery::Result<Statement> parsed = ParseStatement(request.query);
        if (!parsed.ok()) {
            done(Outcome::Fail(error_code::kSyntax, parsed.status().message()));
            return finished();
        }
        Run(request, std::move(parsed).value(), [done, finished](Outcome o) {
            done(std::move(o));
            finished();
        });
    });
}

void Translator::Prepare(std::string keyspace, std::string query,
                         std::function<void(PrepareOutcome)> done) {
    Enqueue([this, keyspace = std::move(keyspace), query = std::move(query),
             done = std::move(done)](std::function<void()> finished) mutable {
        orrery::Result<Statement> parsed = ParseStatement(query);
        if (!parsed.ok()) {
            Error e;
            e.code = error_code::kSyntax;
            e.message = parsed.status().message();
            done(PrepareOutcome{std::nullopt, std::move(e)});
            return finished();
        }
        DoPrepare(keyspace, std::move(parsed).value(), [done, finished](PrepareOutcome o) {
            done(std::move(o));
            finished();
        });
    });
}

void Translator::Batch(BatchRequest request, std::function<void(Outcome)> done) {
    Enqueue([this, request = std::move(request), done = std::move(done)](
                std::function<void()> finished) mutable {
        if (request.type == 2) {
            done(Outcome::Fail(error_code::kInvalid, "counter batches are not supported"));
            return finished();
        }
        std::vector<std::pair<Statement, QueryParams>> items;
        for (BatchStatement& bs : request.statements) {
            orrery::Result<Statement> parsed = ParseStatement(bs.query);
            if (!parsed.ok()) {
                done(Outcome::Fail(error_code::kSyntax, parsed.status().message()));
                return finished();
            }
            QueryParams p;
            p.consistency = request.consistency;
            p.values = std::move(bs.values);
            items.emplace_back(std::move(parsed).value(), std::move(p));
        }
        RunBatch(request.keyspace, std::move(items), request.consistency,
                 [done, finished](Outcome o) {
                     done(std::move(o));
                     finished();
                 });
    });
}

bool IsSystemKeyspace(const std::string& ks) {
    return ks == "system" || ks == "system_schema" || ks == "system_auth" ||
           ks == "system_distributed" || ks == "system_traces";
}

void Translator::Run(const Request& request, Statement s, std::function<void(Outcome)> done) {
    using SK = Statement::Kind;
    switch (s.kind) {
    case SK::kUse:
    case SK::kCreateKeyspace:
    case SK::kDropKeyspace:
    case SK::kCreateTable:
    case SK::kDropTable:
    case SK::kTruncate:
        return RunDdl(request, std::move(s), std::move(done));
    case SK::kSelect: {
        const std::string ks = s.table.keyspace.empty() ? request.keyspace : s.table.keyspace;
        if (IsSystemKeyspace(ks)) return RunSystem(request, s, std::move(done));
        return RunDml(request, std::move(s), std::move(done));
    }
    case SK::kInsert:
    case SK::kUpdate:
    case SK::kDelete:
        return RunDml(request, std::move(s), std::move(done));
    case SK::kBatch: {
        std::vector<std::pair<Statement, QueryParams>> items;
        // Markers are numbered across the whole BATCH text: each inner statement keeps the
        // batch's numbering and sees all of the request's values.
        for (Statement& inner : s.batch) {
            inner.marker_count = s.marker_count;
            inner.marker_names = s.marker_names;
            items.emplace_back(std::move(inner), request.params);
        }
        Binder whole(s, request.params);
        Status count = whole.CheckCount();
        if (!count.ok()) return done(Outcome::Fail(error_code::kInvalid, count.message()));
        return RunBatch(request.keyspace, std::move(items), request.params.consistency,
                        std::move(done));
    }
    }
    ORRERY_ASSERT(false, "statement kind {}", static_cast<int>(s.kind));
}

}  // namespace orrery::node::cql
