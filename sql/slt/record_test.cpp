// Parsing sqllogictest files: every record kind, conditions, comments, and the errors that keep a
// typo from silently skipping a test.
#include <catch2/catch.hpp>

#include "sql/slt/record.h"

namespace orrery::sql::slt {
namespace {

constexpr const char* kScript = R"(# a comment
hash-threshold 8

statement ok
CREATE TABLE t(a INTEGER,
  b TEXT)

skipif sqlite
onlyif orrery
statement error
SELECT nope

query IT rowsort lbl-1
SELECT a, b
# not part of the SQL
FROM t
----
1
x
# a value, not a comment

query R
SELECT 1.5

halt
)";

TEST_CASE("slt parses every record kind with its line and conditions", "[sql][slt]") {
    Result<std::vector<Record>> parsed = ParseScript(kScript, "x.test");
    REQUIRE(parsed.ok());
    const std::vector<Record>& r = parsed.value();
    REQUIRE(r.size() == 6);
    CHECK(r[0].kind == Record::Kind::kHashThreshold);
    CHECK(r[0].hash_threshold == 8);
    CHECK(r[1].kind == Record::Kind::kStatement);
    CHECK(r[1].expect_ok);
    CHECK(r[1].line == 4);
    CHECK(r[1].sql == "CREATE TABLE t(a INTEGER,\n  b TEXT)");
    CHECK(r[2].line == 10);
    CHECK_FALSE(r[2].expect_ok);
    REQUIRE(r[2].conditions.size() == 2);
    CHECK(r[2].conditions[0].skip);
    CHECK(r[2].conditions[0].database == "sqlite");
    CHECK_FALSE(r[2].AppliesTo("sqlite"));
    CHECK(r[2].AppliesTo("orrery"));
    CHECK_FALSE(r[2].AppliesTo("postgres"));
    CHECK(r[3].kind == Record::Kind::kQuery);
    CHECK(r[3].types == "IT");
    CHECK(r[3].sort == SortMode::kRowSort);
    CHECK(r[3].label == "lbl-1");
    CHECK(r[3].sql == "SELECT a, b\nFROM t");
    CHECK(r[3].expected == std::vector<std::string>{"1", "x", "# a value, not a comment"});
    CHECK(r[4].types == "R");
    CHECK(r[4].sort == SortMode::kNoSort);
    CHECK(r[4].expected.empty());
    CHECK(r[5].kind == Record::Kind::kHalt);
}

TEST_CASE("slt rejects malformed records, naming file and line", "[sql][slt]") {
    auto error_of = [](const char* text) {
        Result<std::vector<Record>> parsed = ParseScript(text, "bad.test");
        REQUIRE_FALSE(parsed.ok());
        return parsed.status().message();
    };
    CHECK(error_of("\n\nstatment ok\nSELECT 1\n") == "bad.test:3: unknown record 'statment'");
    CHECK(error_of("query IX\nSELECT 1\n") ==
          "bad.test:1: bad column type 'X' (I, R or T)");
    CHECK(error_of("query I rowsort a b\nSELECT 1\n") ==
          "bad.test:1: unexpected 'b' after the query header");
    CHECK(error_of("statement ok\n\n") == "bad.test:1: the record has no SQL");
    CHECK(error_of("statement maybe\nSELECT 1\n") ==
          "bad.test:1: expected `statement ok` or `statement error`");
    CHECK(error_of("hash-threshold -3\n") ==
          "bad.test:1: expected `hash-threshold N` with N >= 0");
    CHECK(error_of("skipif orrery\n\nstatement ok\nSELECT 1\n") ==
          "bad.test:1: a condition without a record");
    CHECK(error_of("statement ok\nSELECT 1\n\nonlyif sqlite\n") ==
          "bad.test: a condition at the end of the file");
}

TEST_CASE("slt reads CRLF files and a file without a final newline", "[sql][slt]") {
    Result<std::vector<Record>> parsed =
        ParseScript("query I\r\nSELECT 1\r\n----\r\n1", "crlf.test");
    REQUIRE(parsed.ok());
    REQUIRE(parsed.value().size() == 1);
    CHECK(parsed.value()[0].sql == "SELECT 1");
    CHECK(parsed.value()[0].expected == std::vector<std::string>{"1"});
}

}  // namespace
}  // namespace orrery::sql::slt
