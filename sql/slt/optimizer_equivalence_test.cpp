// The optimizer's equivalence property: every generated statement (query_gen_for_test.h's data
// and queries, with an index on every column so access paths have something to choose) gives
// the same result on Orrery with every optimizer rule on as with all of them off, and with each
// rule alone turned off. The comparison is differential.h's (multisets unless ORDER BY).
//
// A property that never exercises the rules would pass vacuously, so the test also counts, over
// all the cases, the statements whose EXPLAIN differs between the two sessions and the plans
// that use each thing a rule introduces (a hash join, a semi join, a key lookup, a key range, an
// index, a top-N sort), and requires each to have happened.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>

#include <map>
#include <string>

#include "sql/optimizer/optimizer.h"
#include "sql/slt/differential.h"
#include "sql/slt/embedded_orrery.h"
#include "sql/slt/query_gen_for_test.h"

namespace orrery::sql::slt {
namespace {

constexpr int kRowsMax = 24;
constexpr int kQueriesPerCaseMax = 120;

// Orrery with an index on every non-key column of each table it creates.
class IndexedOrrery final : public Database {
public:
    explicit IndexedOrrery(const SessionOptions& options) {
        auto db = OpenEmbeddedOrrery("", options);
        ORRERY_ASSERT(db.ok(), "open embedded: {}", db.status().ToString());
        db_ = std::move(db).value();
    }
    std::string_view name() const override { return name_; }
    void set_name(std::string name) { name_ = std::move(name); }
    Result<ResultSet> Run(std::string_view sql) override {
        Result<ResultSet> rs = db_->Run(sql);
        if (rs.ok() && sql.starts_with("CREATE TABLE ")) IndexEveryColumn(sql);
        return rs;
    }
    Result<uint32_t> Prepare(std::string_view sql) override { return db_->Prepare(sql); }
    Result<ResultSet> RunPrepared(uint32_t id, const std::vector<Cell>& params) override {
        return db_->RunPrepared(id, params);
    }
    // The plan EXPLAIN prints, one line per row.
    std::string Explain(const std::string& sql) {
        Result<ResultSet> rs = db_->Run("EXPLAIN " + sql);
        if (!rs.ok()) return "error: " + rs.status().message();
        std::string out;
        for (const CellRow& row : rs.value().rows) out += row.at(0).text + "\n";
        return out;
    }

private:
    void IndexEveryColumn(std::string_view create) {
        for (const std::string& sql : IndexStatements(create, 1)) {
            ORRERY_ASSERT(db_->Run(sql).ok(), "{}", sql);
        }
    }
    std::unique_ptr<Database> db_;
    std::string name_ = "orrery";
};

SessionOptions Without(const std::vector<std::string>& rules) {
    SessionOptions o;
    o.disabled_optimizer_rules.insert(rules.begin(), rules.end());
    return o;
}

std::string Repro(const DiffCase& c, const Discrepancy& d) {
    std::string out = "-- data:\n";
    for (const std::string& stmt : SetupStatements(c)) out += stmt + ";\n";
    return out + "-- query:\n" + d.sql + ";\n-- " + d.detail;
}

TEST_CASE("optimizer: generated statements agree with every rule on and all off",
          "[sql][optimizer][property]") {
    std::map<std::string, uint64_t> seen;  // What the optimized plans used, over all cases.
    uint64_t statements = 0;
    uint64_t changed_plans = 0;
    bool passed = rc::check("optimizer equivalence", [&] {
        DiffCase c;
        c.tables = *GenTables(kRowsMax);
        c.queries = *rc::gen::resize(
            kQueriesPerCaseMax, rc::gen::container<std::vector<DiffQuery>>(GenQuery()));
        IndexedOrrery on({});
        IndexedOrrery off(Without(OptimizerRules()));
        on.set_name("orrery (optimized)");
        off.set_name("orrery (no rules)");
        std::optional<Discrepancy> d = RunCase(on, off, c);
        if (d) RC_FAIL(Repro(c, *d));
        for (const DiffQuery& q : c.queries) {
            std::string plan = on.Explain(q.sql);
            if (plan != off.Explain(q.sql)) ++changed_plans;
            for (const char* what : {"HashJoin", "semi", "anti", "primary key =",
                                     "primary key range", " index ", "(top "}) {
                if (plan.find(what) != std::string::npos) ++seen[what];
            }
        }
        statements += c.queries.size();
    });
    REQUIRE(passed);
    fmt::print("optimizer equivalence: {} statements, {} with a different plan\n", statements,
               changed_plans);
    for (const auto& [what, n] : seen) fmt::print("  plans with \"{}\": {}\n", what, n);
    CHECK(changed_plans * 4 >= statements);  // At least a quarter of the plans were rewritten.
    for (const char* what :
         {"HashJoin", "semi", "primary key =", "primary key range", " index ", "(top "}) {
        INFO(what);
        CHECK(seen[what] > 0);
    }
}

TEST_CASE("optimizer: each rule alone can be turned off without changing results",
          "[sql][optimizer][property]") {
    // A rule may rely on an earlier one having run (access_path reads what pushdown moved into
    // scans); turning one off must still leave a correct plan.
    for (const std::string& rule : OptimizerRules()) {
        INFO(rule);
        bool passed = rc::check("without " + rule, [&] {
            DiffCase c;
            c.tables = *GenTables(kRowsMax);
            c.queries = *rc::gen::resize(
                kQueriesPerCaseMax / 2, rc::gen::container<std::vector<DiffQuery>>(GenQuery()));
            IndexedOrrery without(Without({rule}));
            IndexedOrrery off(Without(OptimizerRules()));
            without.set_name("orrery (without " + rule + ")");
            off.set_name("orrery (no rules)");
            std::optional<Discrepancy> d = RunCase(without, off, c);
            if (d) RC_FAIL(Repro(c, *d));
        });
        CHECK(passed);
    }
}

}  // namespace
}  // namespace orrery::sql::slt
