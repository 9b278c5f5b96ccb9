// The sqllogictest runner: runs a parsed file's records (record.h) against one Database and says,
// for each, whether the engine did what the file expects.
//
// Per record:
//   - statement ok / error: passes iff the statement succeeds / fails (any error message);
//   - query: passes iff the statement succeeds, has as many columns as type letters, and its
//     rendered, sorted values (render.h) equal the expected lines, or, when the expected block
//     is "N values hashing to H", have that count and MD5. With hash-threshold T > 0, a result
//     of more than T values is always compared by hash (SQLite's runner writes it so). A query
//     with a label must also hash like every earlier query with the same label in the file;
//   - a record whose skipif/onlyif conditions exclude this database is skipped;
//   - halt (when it applies) skips the rest of the file.
// A failure never stops the file: the runner goes on with the next record, so one run lists
// every failure. The database is shared by all records of a file; the caller opens a fresh one
// per file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sql/slt/database.h"
#include "sql/slt/record.h"

namespace orrery::sql::slt {

struct Failure {
    std::string file;
    int line = 0;
    std::string sql;
    std::string reason;                 // "expected 3 rows...", "statement failed: ...".
    std::vector<std::string> expected;  // As in the file (empty for statements).
    std::vector<std::string> actual;    // Rendered actual values (or the hash line).
};

struct FileReport {
    std::string file;
    uint64_t records = 0;  // Statements and queries (control records are not counted).
    uint64_t passed = 0;
    uint64_t failed = 0;
    uint64_t skipped = 0;  // Excluded by a condition or after a halt.
    std::vector<Failure> failures;
};

struct RunOptions {
    // At most this many failures are kept in a report (all are counted).
    size_t max_failures_kept = 100;
};

// Runs `records` (parsed from `file`) against `db`.
FileReport RunRecords(Database& db, std::string_view file, const std::vector<Record>& records,
                      const RunOptions& options = {});

// The totals over files, one line: "files 3, records 2410, passed 2409, failed 1, skipped 0".
std::string FormatSummary(const std::vector<FileReport>& reports);

// Renders a failure for people: "file:line: reason", the SQL, and expected/actual when they
// exist, each value on its own line.
std::string FormatFailure(const Failure& failure);

}  // namespace orrery::sql::slt
