// The runner's verdicts: against a scripted fake engine (every way a record can pass or fail),
// and, when built with SQLite, against SQLite itself on a file with known failures.
#include <catch2/catch.hpp>

#include <map>

#include "sql/slt/runner.h"
#ifdef ORRERY_HAVE_SQLITE
#include "sql/slt/sqlite_database.h"
#endif

namespace orrery::sql::slt {
namespace {

// Answers each SQL text with a canned result; unknown text is an error.
class FakeDatabase final : public Database {
public:
    std::map<std::string, ResultSet> answers;
    std::vector<std::string> ran;

    std::string_view name() const override { return "fake"; }
    Result<ResultSet> Run(std::string_view sql) override {
        ran.emplace_back(sql);
        auto it = answers.find(std::string(sql));
        if (it == answers.end()) return Status::InvalidArgument("no such table: nope");
        return it->second;
    }
    Result<uint32_t> Prepare(std::string_view) override {
        return Status::NotSupported("not needed");
    }
    Result<ResultSet> RunPrepared(uint32_t, const std::vector<Cell>&) override {
        return Status::NotSupported("not needed");
    }
};

ResultSet Ints(std::vector<int64_t> values) {
    ResultSet rs;
    rs.columns = 1;
    for (int64_t v : values) rs.rows.push_back({Cell::Integer(v)});
    return rs;
}

FileReport RunText(Database& db, const char* text) {
    Result<std::vector<Record>> records = ParseScript(text, "t.test");
    REQUIRE(records.ok());
    return RunRecords(db, "t.test", records.value());
}

TEST_CASE("slt runner passes matching records and reports each mismatch", "[sql][slt]") {
    FakeDatabase db;
    db.answers["CREATE TABLE t(a INTEGER)"] = ResultSet{};
    db.answers["SELECT a FROM t"] = Ints({3, 1, 2});
    FileReport report = RunText(db, R"(statement ok
CREATE TABLE t(a INTEGER)

statement error
SELECT nope

query I rowsort
SELECT a FROM t
----
1
2
3

query I nosort
SELECT a FROM t
----
1
2
3

query II
SELECT a FROM t
----

statement error
CREATE TABLE t(a INTEGER)

statement ok
SELECT nope

query I
SELECT a FROM t
----
3 values hashing to 0123
)");
    CHECK(report.records == 8);
    CHECK(report.passed == 3);
    CHECK(report.failed == 5);
    CHECK(report.skipped == 0);
    REQUIRE(report.failures.size() == 5);
    CHECK(report.failures[0].line == 14);
    CHECK(report.failures[0].reason == "result differs");
    CHECK(report.failures[0].actual == std::vector<std::string>{"3", "1", "2"});
    CHECK(report.failures[1].reason == "expected 2 columns, got 1");
    CHECK(report.failures[2].reason == "statement succeeded, but the file expects an error");
    CHECK(report.failures[3].reason == "statement failed: no such table: nope");
    CHECK(report.failures[4].reason == "result hash differs");
    CHECK(report.failures[4].actual ==
          std::vector<std::string>{"3 values hashing to 6aedf78b5040f95db16c33d40e836165"});
    CHECK(FormatFailure(report.failures[0]) ==
          "t.test:14: result differs\n  sql:\n    SELECT a FROM t\n"
          "  expected:\n    1\n    2\n    3\n  actual:\n    3\n    1\n    2\n");
}

TEST_CASE("slt runner hashes past the threshold, checks labels, skips and halts", "[sql][slt]") {
    FakeDatabase db;
    db.answers["SELECT a FROM t"] = Ints({3, 1, 2});
    db.answers["SELECT a FROM u"] = Ints({1, 2});
    db.answers["SELECT a FROM v"] = Ints({2, 1, 3});
    FileReport report = RunText(db, R"(hash-threshold 2

query I rowsort same
SELECT a FROM t
----
3 values hashing to c0710d6b4f15dfa88f600b0e6b624077

query I rowsort same
SELECT a FROM v
----
3 values hashing to c0710d6b4f15dfa88f600b0e6b624077

query I rowsort same
SELECT a FROM u
----
1
2

skipif fake
statement ok
SELECT nope

onlyif sqlite
statement ok
SELECT nope

onlyif fake
halt

statement ok
SELECT nope
)");
    CHECK(report.records == 6);
    CHECK(report.passed == 2);
    CHECK(report.failed == 1);
    CHECK(report.skipped == 3);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].reason == "label same: result differs from its first query");
    // The skipped and halted records never reached the engine.
    CHECK(db.ran == std::vector<std::string>{"SELECT a FROM t", "SELECT a FROM v",
                                             "SELECT a FROM u"});
}

#ifdef ORRERY_HAVE_SQLITE
TEST_CASE("slt runner against SQLite: types, sorting, NULL and empty text", "[sql][slt]") {
    auto db = SqliteDatabase::Open();
    REQUIRE(db.ok());
    FileReport report = RunText(*db.value(), R"(statement ok
CREATE TABLE t(a INTEGER, b REAL, c TEXT)

statement ok
INSERT INTO t VALUES (1, 2.5, 'x'), (NULL, -1.25, ''), (3, NULL, NULL)

query IRT rowsort
SELECT a, b, c FROM t
----
1
2.500
x
3
NULL
NULL
NULL
-1.250
(empty)

query I
SELECT 7 / 2
----
3

query T
SELECT 'a' || char(10) || 'b'
----
a@b

statement error
SELECT * FROM missing

query I
SELECT count(*) FROM t WHERE a > 1
----
2
)");
    CHECK(report.records == 7);
    CHECK(report.passed == 6);
    CHECK(report.failed == 1);
    REQUIRE(report.failures.size() == 1);
    CHECK(report.failures[0].line == 33);
    CHECK(report.failures[0].actual == std::vector<std::string>{"1"});
}

TEST_CASE("slt SqliteDatabase runs prepared statements with bound parameters", "[sql][slt]") {
    auto opened = SqliteDatabase::Open();
    REQUIRE(opened.ok());
    Database& db = *opened.value();
    REQUIRE(db.Run("CREATE TABLE kv(k INTEGER PRIMARY KEY, v TEXT)").ok());
    Result<uint32_t> insert = db.Prepare("INSERT INTO kv VALUES (?, ?)");
    REQUIRE(insert.ok());
    for (int64_t k = 0; k < 5; ++k) {
        REQUIRE(db.RunPrepared(insert.value(), {Cell::Integer(k), Cell::Text("v")}).ok());
    }
    Result<uint32_t> select = db.Prepare("SELECT k, v FROM kv WHERE k >= ?");
    REQUIRE(select.ok());
    Result<ResultSet> rs = db.RunPrepared(select.value(), {Cell::Integer(3)});
    REQUIRE(rs.ok());
    CHECK(rs.value().columns == 2);
    CHECK(rs.value().rows.size() == 2);
    CHECK_FALSE(db.RunPrepared(insert.value(), {Cell::Integer(1), Cell::Text("dup")}).ok());
    CHECK_FALSE(db.Prepare("SELEC 1").ok());
}
#endif

}  // namespace
}  // namespace orrery::sql::slt
