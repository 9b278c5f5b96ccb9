// Orrery's parser against the peers' SQL: every statement of the project's sqllogictest files
// and every statement the differential generator writes must parse. This holds the parser to
// the common subset before the rest of the engine exists, and names each statement it rejects.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <rapidcheck.h>

#include <fstream>
#include <sstream>

#include "sql/parser.h"
#include "sql/slt/query_gen_for_test.h"
#include "sql/slt/record.h"
#include "testkit/golden.h"

namespace orrery::sql::slt {
namespace {

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST_CASE("slt: every statement of sql/testdata/slt parses", "[sql][slt][parser]") {
    std::vector<std::string> files = testkit::ListGoldenFiles("../testdata/slt", ".test");
    REQUIRE(files.size() >= 6);
    for (const std::string& f : testkit::ListGoldenFiles("../testdata/slt/handwritten", ".test")) {
        files.push_back(f);
    }
    size_t statements = 0;
    std::vector<std::string> rejected;
    for (const std::string& file : files) {
        Result<std::vector<Record>> records = ParseScript(ReadFile(file), file);
        REQUIRE(records.ok());
        for (const Record& r : records.value()) {
            if (r.kind != Record::Kind::kStatement && r.kind != Record::Kind::kQuery) continue;
            ++statements;
            SqlResult<Statement> parsed = ParseStatement(r.sql);
            if (!parsed.ok()) {
                rejected.push_back(fmt::format("{}:{}: {}\n    {}", file, r.line,
                                               parsed.error().message, r.sql));
            }
        }
    }
    CHECK(statements >= 2000);
    INFO(fmt::format("{} of {} rejected, first ones:\n{}", rejected.size(), statements,
                     fmt::join(rejected.begin(),
                               rejected.begin() + std::min<size_t>(rejected.size(), 10), "\n")));
    CHECK(rejected.empty());
}

TEST_CASE("slt: every statement the differential generator writes parses", "[sql][slt][parser]") {
    bool passed = rc::check("generated statements parse", [] {
        DiffCase c;
        c.tables = *GenTables(3);
        for (const std::string& stmt : SetupStatements(c)) {
            SqlResult<Statement> parsed = ParseStatement(stmt);
            if (!parsed.ok()) RC_FAIL(stmt + " -- " + parsed.error().message);
        }
        DiffQuery q = *GenQuery();
        SqlResult<Statement> parsed = ParseStatement(q.sql);
        if (!parsed.ok()) RC_FAIL(q.sql + " -- " + parsed.error().message);
    });
    REQUIRE(passed);
}

}  // namespace
}  // namespace orrery::sql::slt
