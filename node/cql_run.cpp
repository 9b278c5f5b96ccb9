// Running data statements (cql_translate.h): load the table's schema, plan (cql_dml.h), run the
// plan as a script; BATCH as one transaction; PREPARE's metadata.
#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_dml.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {
namespace {

Outcome Invalid(std::string message) { return Outcome::Fail(error_code::kInvalid, std::move(message)); }

const char* kNoKeyspace =
    "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename";

// The keyspace a statement names, or the connection's.
std::string KeyspaceOf(const Statement& s, const std::string& current) {
    return s.table.keyspace.empty() ? current : s.table.keyspace;
}

std::vector<ColumnSpec> SpecsOf(const TableSchema& t) {
    std::vector<ColumnSpec> out;
    for (const ColumnInfo& c : t.columns) out.push_back(ColumnSpec{t.keyspace, t.table, c.name, c.type});
    return out;
}

}  // namespace

void Translator::RunDml(const Request& request, Statement s, std::function<void(Outcome)> done) {
    const std::string ks = KeyspaceOf(s, request.keyspace);
    if (ks.empty()) return done(Invalid(kNoKeyspace));
    if (IsSystemKeyspace(ks)) {
        return done(Outcome::Fail(error_code::kUnauthorized, fmt::format("{} keyspace is not user-modifiable", ks)));
    }
    {
        Binder binder(s, request.params);
        Status count = binder.CheckCount();
        if (!count.ok()) return done(Invalid(count.message()));
    }
    auto shared = std::make_shared<std::pair<Statement, QueryParams>>(std::move(s), request.params);
    const std::string table = shared->first.table.table;
    LoadTable(ks, table, [this, shared, done](std::optional<TableSchema> t, std::optional<Error> e) {
        if (!t) return done(Outcome::Fail(*e));
        const Statement& st = shared->first;
        Binder binder(st, shared->second);
        Script script;
        script.errors.consistency = shared->second.consistency;
        script.errors.keyspace = t->keyspace;
        script.errors.table = t->table;
        if (st.kind == Statement::Kind::kSelect) {
            orrery::Result<SelectPlan> plan = PlanSelect(*t, st, binder);
            if (!plan.ok()) return done(Invalid(plan.status().message()));
            script.steps.push_back(plan.value().step);
            script.finish = [columns = plan.value().columns](std::vector<sql::StatementResult>& r) {
                ORRERY_ASSERT(r.size() == 1, "a SELECT of {} results", r.size());
                return RowsResult(columns, r[0]);
            };
            return RunScript(std::move(script), done);
        }
        orrery::Result<WritePlan> plan = PlanWrite(*t, st, binder);
        if (!plan.ok()) return done(Invalid(plan.status().message()));
        if (plan.value().steps.empty()) return done(Outcome::Ok(Result{}));
        script.steps = plan.value().steps;
        script.errors.write = true;
        const bool conditional = plan.value().conditional;
        script.errors.write_type = conditional ? "CAS" : "SIMPLE";
        script.finish = [schema = *t, conditional](std::vector<sql::StatementResult>& r) {
            if (!conditional) return Outcome::Ok(Result{});
            ORRERY_ASSERT(r.size() == 1, "a conditional write of {} results", r.size());
            return ReshapeApplied(schema, r[0]);
        };
        RunScript(std::move(script), done);
    });
}

// The state of one BATCH while its tables' schemas load, one after the other.
struct BatchLoad {
    std::vector<std::pair<Statement, QueryParams>> items;
    std::vector<TableSchema> schemas;  // Parallel to items, as loaded.
    Consistency consistency = Consistency::kOne;
    std::function<void(Outcome)> done;
};

void Translator::RunBatch(std::string keyspace, std::vector<std::pair<Statement, QueryParams>> items,
                          Consistency consistency, std::function<void(Outcome)> done) {
    auto load = std::make_shared<BatchLoad>();
    for (auto& item : items) {
        Statement& s = item.first;
        if (s.kind != Statement::Kind::kInsert && s.kind != Statement::Kind::kUpdate &&
            s.kind != Statement::Kind::kDelete) {
            return done(Invalid("Only INSERT, UPDATE and DELETE statements are allowed in a BATCH"));
        }
        s.table.keyspace = KeyspaceOf(s, keyspace);
        if (s.table.keyspace.empty()) return done(Invalid(kNoKeyspace));
        if (IsSystemKeyspace(s.table.keyspace)) {
            return done(Outcome::Fail(error_code::kUnauthorized,
                                      fmt::format("{} keyspace is not user-modifiable", s.table.keyspace)));
        }
        Binder binder(s, item.second);
        Status count = binder.CheckCount();
        if (!count.ok()) return done(Invalid(count.message()));
    }
    if (items.empty()) return done(Outcome::Ok(Result{}));
    load->items = std::move(items);
    load->consistency = consistency;
    load->done = std::move(done);
    // Load each item's schema in turn; the last load builds and runs the transaction.
    auto next = std::make_shared<std::function<void()>>();
    std::weak_ptr<std::function<void()>> weak = next;
    *next = [this, load, weak] {
        const size_t i = load->schemas.size();
        if (i == load->items.size()) {
            Script script;
            script.transaction = true;
            script.errors.write = true;
            script.errors.write_type = "BATCH";
            script.errors.consistency = load->consistency;
            std::optional<TableSchema> conditional_table;
            for (size_t k = 0; k < load->items.size(); ++k) {
                Binder binder(load->items[k].first, load->items[k].second);
                const TableSchema& t = load->schemas[k];
                orrery::Result<WritePlan> plan = PlanWrite(t, load->items[k].first, binder);
                if (!plan.ok()) return load->done(Invalid(plan.status().message()));
                for (SqlStep& step : plan.value().steps) {
                    if (plan.value().conditional) {
                        conditional_table = t;
                        script.errors.write_type = "CAS";
                        step.check = [t](const sql::StatementResult& r, std::vector<SqlStep>&) -> std::optional<Outcome> {
                            Outcome o = ReshapeApplied(t, r);
                            if (o.result && o.result->rows[0][0] == EncodeBoolean(true)) return std::nullopt;
                            return o;  // Not applied: the whole batch is rolled back.
                        };
                    }
                    script.steps.push_back(std::move(step));
                }
            }
            script.finish = [conditional_table](std::vector<sql::StatementResult>&) {
                if (!conditional_table) return Outcome::Ok(Result{});
                Result r;
                r.kind = Result::Kind::kRows;
                r.columns.push_back(ColumnSpec{conditional_table->keyspace, conditional_table->table,
                                               "[applied]", Type::Native(TypeId::kBoolean)});
                r.rows.push_back({EncodeBoolean(true)});
                return Outcome::Ok(std::move(r));
            };
            return RunScript(std::move(script), load->done);
        }
        const TableRef& ref = load->items[i].first.table;
        // The pending callback holds the loop alive; the loop holds itself only weakly.
        LoadTable(ref.keyspace, ref.table, [load, again = weak.lock()](std::optional<TableSchema> t,
                                                                       std::optional<Error> e) {
            if (!t) return load->done(Outcome::Fail(*e));
            load->schemas.push_back(std::move(*t));
            (*again)();
        });
    };
    (*next)();
}

void Translator::DoPrepare(const std::string& keyspace, Statement s,
                           std::function<void(PrepareOutcome)> done) {
    auto fail = [done](Outcome o) { done(PrepareOutcome{std::nullopt, o.error}); };
    using SK = Statement::Kind;
    const bool data = s.kind == SK::kSelect || s.kind == SK::kInsert || s.kind == SK::kUpdate ||
                      s.kind == SK::kDelete;
    if (s.kind == SK::kBatch) return fail(Invalid("preparing a BATCH statement is not supported"));
    if (!data) {
        if (s.marker_count > 0) return fail(Invalid("bind markers are not supported in schema statements"));
        return done(PrepareOutcome{Prepared{}, std::nullopt});
    }
    const std::string ks = KeyspaceOf(s, keyspace);
    if (ks.empty()) return fail(Invalid(kNoKeyspace));
    const std::string table = s.table.table;
    if (IsSystemKeyspace(ks)) {
        if (s.kind != SK::kSelect) {
            return fail(Outcome::Fail(error_code::kUnauthorized, fmt::format("{} keyspace is not user-modifiable", ks)));
        }
        std::optional<std::vector<ColumnSpec>> cols = SystemTableColumns(ks, table, topology_);
        if (!cols) return fail(Invalid("unconfigured table " + table));
        TableSchema t;
        t.keyspace = ks;
        t.table = table;
        for (const ColumnSpec& c : *cols) t.columns.push_back(ColumnInfo{c.name, c.type, ColumnInfo::Kind::kRegular, -1, false});
        orrery::Result<Prepared> p = PrepareMetadata(s, ks, table, *cols, {});
        if (!p.ok()) return fail(Invalid(p.status().message()));
        orrery::Result<std::vector<ColumnSpec>> result = SelectColumns(t, s);
        if (!result.ok()) return fail(Invalid(result.status().message()));
        p.value().result_columns = result.value();
        return done(PrepareOutcome{std::move(p).value(), std::nullopt});
    }
    auto statement = std::make_shared<Statement>(std::move(s));
    LoadTable(ks, table, [statement, done, fail](std::optional<TableSchema> t, std::optional<Error> e) {
        if (!t) return fail(Outcome::Fail(*e));
        std::vector<std::string> pk;
        for (const ColumnInfo& c : t->columns) {
            if (c.kind == ColumnInfo::Kind::kPartitionKey) pk.push_back(c.name);
        }
        orrery::Result<Prepared> p = PrepareMetadata(*statement, t->keyspace, t->table, SpecsOf(*t), pk);
        if (!p.ok()) return fail(Invalid(p.status().message()));
        if (statement->kind == Statement::Kind::kSelect) {
            orrery::Result<std::vector<ColumnSpec>> result = SelectColumns(*t, *statement);
            if (!result.ok()) return fail(Invalid(result.status().message()));
            p.value().result_columns = result.value();
        }
        done(PrepareOutcome{std::move(p).value(), std::nullopt});
    });
}

std::unique_ptr<Backend> NewTranslator(SqlRunner& sql, Topology topology) {
    return std::make_unique<Translator>(sql, std::move(topology));
}

}  // namespace orrery::node::cql
