// The statement memory bound (SessionOptions::memory_limit_bytes), reached through real
// statements: every operator that holds state (GROUP BY aggregation, a hash join's table, a
// nested-loop join's inner input, DISTINCT, a set operation, ORDER BY, an IN (subquery) set)
// fails its statement with 54000 naming itself and the bound, never a crash. The session stays
// usable, nothing committed is lost, a failed write statement writes nothing, and the same
// statements succeed under the default bound (so the bound, not the statement, is what failed).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "sql/embedded.h"

namespace orrery::sql {
namespace {

constexpr size_t kTightBound = 64 << 10;  // 64 KiB: far less than 4,000 rows of state.
constexpr int kRows = 4000;

struct Case {
    const char* what;  // The operator's name in the error.
    const char* sql;
};

// Each statement keeps (nearly) every row of t in one operator's state.
const std::vector<Case>& Cases() {
    static const std::vector<Case> cases = {
        {"GROUP BY aggregation", "SELECT id, count(*) FROM t GROUP BY id"},
        {"hash join table", "SELECT count(*) FROM t a JOIN t b ON a.id = b.id"},
        {"nested loop join input", "SELECT count(*) FROM t a JOIN t b ON a.id < b.id - 3990"},
        {"DISTINCT", "SELECT DISTINCT s FROM t"},
        {"set operation", "SELECT s FROM t UNION SELECT s || 'x' FROM t"},
        {"ORDER BY sort", "SELECT id, s FROM t ORDER BY s DESC"},
        // OR keeps the subquery an expression (an IN alone becomes a semi-join, a hash join).
        {"IN (subquery) set",
         "SELECT count(*) FROM t WHERE s = 'none' OR id IN (SELECT id + 1 FROM t)"},
    };
    return cases;
}

class Db {
public:
    Db() {
        auto db = EmbeddedDatabase::OpenInMemory();
        REQUIRE(db.ok());
        db_ = std::move(db).value();
        SessionOptions tight;
        tight.memory_limit_bytes = kTightBound;
        tight_ = db_->NewSession(tight);
        roomy_ = db_->NewSession();
        REQUIRE(Run(*roomy_, "CREATE TABLE t (id INT PRIMARY KEY, s TEXT)").ok());
        std::string insert = "INSERT INTO t VALUES ";
        for (int i = 0; i < kRows; ++i) {
            insert += fmt::format("{}({}, 'row number {:06} with some text')", i ? ", " : "", i, i);
        }
        REQUIRE(Run(*roomy_, insert).ok());
    }
    StatementOutcome Run(Session& s, const std::string& sql) { return db_->Execute(s, sql); }
    Session& tight() { return *tight_; }
    Session& roomy() { return *roomy_; }
    int64_t Count(Session& s, const std::string& sql) {
        StatementOutcome out = Run(s, sql);
        INFO(sql);
        REQUIRE(out.ok());
        REQUIRE(out.value().rows.size() == 1);
        return out.value().rows[0][0].integer();
    }

private:
    std::unique_ptr<EmbeddedDatabase> db_;
    std::unique_ptr<Session> tight_;
    std::unique_ptr<Session> roomy_;
};

TEST_CASE("memory bound: every stateful operator fails its statement with 54000 naming itself",
          "[sql][exec]") {
    Db db;
    for (const Case& c : Cases()) {
        INFO(c.sql);
        StatementOutcome out = db.Run(db.tight(), c.sql);
        REQUIRE_FALSE(out.ok());
        CHECK(SqlState(out.error().kind) == "54000");
        CHECK(out.error().message ==
              fmt::format("{} needs more memory than the statement's bound (memory_limit_bytes = "
                          "{})",
                          c.what, kTightBound));
        // The session goes on; the data is all there.
        CHECK(db.Count(db.tight(), "SELECT count(*) FROM t WHERE id < 10") == 10);
        // Under the default bound the same statement runs.
        CHECK(db.Run(db.roomy(), c.sql).ok());
    }
    CHECK(db.Count(db.roomy(), "SELECT count(*) FROM t") == kRows);
}

TEST_CASE("memory bound: a write statement that exceeds it writes nothing", "[sql][exec]") {
    Db db;
    REQUIRE(db.Run(db.roomy(), "CREATE TABLE u (s TEXT PRIMARY KEY)").ok());
    StatementOutcome out = db.Run(db.tight(), "INSERT INTO u SELECT DISTINCT s FROM t");
    REQUIRE_FALSE(out.ok());
    CHECK(SqlState(out.error().kind) == "54000");
    CHECK(db.Count(db.roomy(), "SELECT count(*) FROM u") == 0);
    // Inside a transaction the failed statement aborts it, as any error does; what the
    // transaction wrote before is gone, what was committed before it stays.
    REQUIRE(db.Run(db.tight(), "BEGIN").ok());
    REQUIRE(db.Run(db.tight(), "INSERT INTO u VALUES ('kept only if committed')").ok());
    CHECK_FALSE(db.Run(db.tight(), "SELECT id FROM t ORDER BY s DESC").ok());
    StatementOutcome commit = db.Run(db.tight(), "COMMIT");
    REQUIRE(commit.ok());
    CHECK(commit.value().tag == "ROLLBACK");  // As PostgreSQL answers COMMIT of a failed one.
    CHECK(db.Count(db.roomy(), "SELECT count(*) FROM u") == 0);
    CHECK(db.Count(db.roomy(), "SELECT count(*) FROM t") == kRows);
    // After the failed transaction ends, the session works again.
    REQUIRE(db.Run(db.tight(), "INSERT INTO u VALUES ('a')").ok());
    CHECK(db.Count(db.roomy(), "SELECT count(*) FROM u") == 1);
}

}  // namespace
}  // namespace orrery::sql
