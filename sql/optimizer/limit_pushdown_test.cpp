// limit_pushdown and the top-N sort it enables, on an embedded database in memory:
//   - ORDER BY ... LIMIT n OFFSET m returns exactly the rows of the full stable sort, ties
//     included, for every n and m over a table with many equal keys;
//   - a top-N sort charges memory for the rows it keeps only, so ORDER BY ... LIMIT 5 succeeds
//     under a memory bound that the same ORDER BY without LIMIT exceeds (54000);
//   - bad counts keep their errors (2201W, 2201X) and LIMIT 0 reads nothing.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "sql/embedded.h"

namespace orrery::sql {
namespace {

// Runs statements on one session; each must succeed unless the test looks at the error.
class Db {
public:
    explicit Db(SessionOptions options = {}) {
        auto db = EmbeddedDatabase::OpenInMemory();
        REQUIRE(db.ok());
        db_ = std::move(db).value();
        session_ = db_->NewSession(options);
    }
    StatementOutcome Run(const std::string& sql) { return db_->Execute(*session_, sql); }
    std::vector<std::string> Rows(const std::string& sql) {
        StatementOutcome out = Run(sql);
        INFO(sql);
        REQUIRE(out.ok());
        std::vector<std::string> rows;
        for (const Row& r : out.value().rows) {
            std::string line;
            for (const Value& v : r) line += (line.empty() ? "" : "|") + v.ToString();
            rows.push_back(line);
        }
        return rows;
    }

private:
    std::unique_ptr<EmbeddedDatabase> db_;
    std::unique_ptr<Session> session_;
};

TEST_CASE("top-N sort: LIMIT/OFFSET over ties equals the slice of the full stable sort",
          "[sql][optimizer]") {
    Db db;
    REQUIRE(db.Run("CREATE TABLE t (id INT PRIMARY KEY, k INT, s TEXT)").ok());
    // 60 rows, keys 0..4 and NULL: every key is shared by many rows, so the order among equal
    // keys (input order: the scan's primary-key order) decides which rows a slice holds.
    std::string insert = "INSERT INTO t VALUES ";
    for (int i = 0; i < 60; ++i) {
        std::string k = i % 7 == 6 ? "NULL" : std::to_string((i * 37) % 5);
        insert += fmt::format("{}({}, {}, 's{}')", i == 0 ? "" : ", ", i, k, i % 3);
    }
    REQUIRE(db.Run(insert).ok());
    for (const char* order : {"k", "k DESC", "k NULLS LAST", "s DESC, k", "k DESC NULLS FIRST"}) {
        std::vector<std::string> full = db.Rows(fmt::format("SELECT id FROM t ORDER BY {}", order));
        REQUIRE(full.size() == 60);
        for (int limit : {0, 1, 2, 7, 59, 60, 100}) {
            for (int offset : {0, 1, 13, 59, 60, 70}) {
                std::string sql =
                    fmt::format("SELECT id FROM t ORDER BY {} LIMIT {} OFFSET {}", order, limit,
                                offset);
                INFO(sql);
                size_t from = std::min<size_t>(offset, full.size());
                size_t to = std::min<size_t>(from + limit, full.size());
                std::vector<std::string> want(full.begin() + from, full.begin() + to);
                CHECK(db.Rows(sql) == want);
            }
        }
    }
    // The plan says so: the Sort keeps limit+offset rows.
    std::vector<std::string> plan = db.Rows("EXPLAIN SELECT id FROM t ORDER BY k LIMIT 3 OFFSET 2");
    bool top = false;
    for (const std::string& line : plan) top = top || line.find("(top 3 + 2)") != std::string::npos;
    CHECK(top);
}

TEST_CASE("top-N sort: memory is charged for the kept rows only", "[sql][optimizer]") {
    SessionOptions options;
    options.memory_limit_bytes = 64 << 10;  // 64 KiB; the table below holds ~200 KiB of text.
    Db db(options);
    REQUIRE(db.Run("CREATE TABLE t (id INT PRIMARY KEY, pad TEXT)").ok());
    for (int batch = 0; batch < 4; ++batch) {
        std::string insert = "INSERT INTO t VALUES ";
        for (int i = 0; i < 50; ++i) {
            int id = batch * 50 + i;
            insert += fmt::format("{}({}, '{}')", i == 0 ? "" : ", ", id, std::string(1000, 'a' + id % 26));
        }
        REQUIRE(db.Run(insert).ok());
    }
    StatementOutcome all = db.Run("SELECT id, pad FROM t ORDER BY pad DESC, id");
    REQUIRE_FALSE(all.ok());
    CHECK(all.error().kind == ErrorKind::kProgramLimitExceeded);
    CHECK(all.error().message.find("memory_limit_bytes") != std::string::npos);
    // The same order with LIMIT 5 keeps five rows: it fits, and gives the first five of the order
    // (the 'z' rows 25, 51, 77, 103, 129 by id).
    std::vector<std::string> top = db.Rows("SELECT id FROM t ORDER BY pad DESC, id LIMIT 5");
    CHECK(top == std::vector<std::string>{"25", "51", "77", "103", "129"});
}

TEST_CASE("limit_pushdown keeps the errors of bad counts and LIMIT 0 reads nothing",
          "[sql][optimizer]") {
    Db db;
    REQUIRE(db.Run("CREATE TABLE t (id INT PRIMARY KEY, k INT)").ok());
    REQUIRE(db.Run("INSERT INTO t VALUES (1, 0), (2, 1)").ok());
    StatementOutcome negative = db.Run("SELECT id FROM t ORDER BY k LIMIT -1");
    REQUIRE_FALSE(negative.ok());
    CHECK(negative.error().kind == ErrorKind::kInvalidLimit);
    StatementOutcome offset = db.Run("SELECT id FROM t ORDER BY k LIMIT 0 OFFSET -1");
    REQUIRE_FALSE(offset.ok());
    CHECK(offset.error().kind == ErrorKind::kInvalidOffset);
    // LIMIT 0 is an Empty plan: the division by zero in the select list is never evaluated, as
    // in PostgreSQL (and as the executor's Limit, which stops before its first pull).
    CHECK(db.Rows("SELECT id / 0 FROM t LIMIT 0").empty());
    CHECK(db.Rows("EXPLAIN SELECT id / 0 FROM t LIMIT 0") ==
          std::vector<std::string>{"Empty (rows=0)"});
    // UNION ALL under a LIMIT: each branch is cut to limit+offset rows, the answer unchanged.
    CHECK(db.Rows("SELECT id FROM t UNION ALL SELECT k FROM t LIMIT 2 OFFSET 1") ==
          std::vector<std::string>{"2", "0"});
}

}  // namespace
}  // namespace orrery::sql
