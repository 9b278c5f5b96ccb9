// The SQL benchmark's workload on SQLite at a small scale: every phase runs, counts what it
// says it counts, and its check values agree with each other and with closed forms.
#include <catch2/catch.hpp>

#include "sql/bench/sql_bench.h"
#include "sql/slt/sqlite_database.h"

namespace orrery::sql::bench {
namespace {

TEST_CASE("bench sql: the phases on SQLite at 2,000 rows", "[sql][bench]") {
    auto db = slt::SqliteDatabase::Open();
    REQUIRE(db.ok());
    SqlBenchOptions o = SqlBenchOptions::Scaled(2000);
    CHECK(o.point_selects == 200);
    CHECK(o.join_rows == 200);
    int64_t now = 0;
    auto clock = [&now] { return now += 10; };
    Result<std::vector<SqlBenchPhase>> phases = RunSqlBench(*db.value(), o, clock);
    REQUIRE(phases.ok());
    const std::vector<SqlBenchPhase>& p = phases.value();
    REQUIRE(p.size() == 6);
    CHECK(p[0].name == "insert");
    CHECK(p[0].ops == 2000);
    CHECK(p[0].elapsed_us == 10);  // One clock read before and one after each phase.
    CHECK(p[1].ops == 200);
    CHECK(p[2].ops == 20 * 20);  // 20 scans of rows/100 ids each.
    CHECK(p[2].check.starts_with("rows=400 "));
    // The insert's sum of v is what count/sum reads back.
    std::string sum = p[0].check.substr(p[0].check.find("sum(v)=") + 7);
    CHECK(p[3].check == "count=2000 sum=" + sum);
    CHECK(p[4].check.starts_with("groups=1000 "));
    // k is a permutation on both sides: 200 matches, and sum(b.id) = 200 * 201 / 2.
    CHECK(p[5].check == "count=200 sum=20100");
    CHECK(p[5].ops == 400);
}

TEST_CASE("bench sql: the same seed gives the same checks, and bad sizes are refused",
          "[sql][bench]") {
    auto run = [] {
        auto db = slt::SqliteDatabase::Open();
        REQUIRE(db.ok());
        int64_t now = 0;
        auto phases = RunSqlBench(*db.value(), SqlBenchOptions::Scaled(500), [&now] { return ++now; });
        REQUIRE(phases.ok());
        std::vector<std::string> checks;
        for (const auto& phase : phases.value()) checks.push_back(phase.check);
        return checks;
    };
    CHECK(run() == run());
    SqlBenchOptions tiny = SqlBenchOptions::Scaled(99);
    CHECK(ValidateSqlBench(tiny).message() == "rows must be in [100, 100000000]");
    SqlBenchOptions none = SqlBenchOptions::Scaled(1000);
    none.range_scans = 0;
    CHECK_FALSE(ValidateSqlBench(none).ok());
}

}  // namespace
}  // namespace orrery::sql::bench
