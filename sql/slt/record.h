// The sqllogictest file format (SQLite's sqllogictest), parsed into records.
//
// A file is a sequence of records separated by blank lines. Lines starting with '#' outside a
// query's expected results are comments. A record is optional condition lines, then one of:
//
//   statement ok | statement error       the statement must succeed | must fail;
//   <SQL, one or more lines>             it ends at the blank line
//
//   query <types> [nosort|rowsort|valuesort] [label]
//   <SQL, one or more lines>
//   ----
//   <expected values, one per line>     or the single line "N values hashing to <md5>"
//
//   hash-threshold N                     results of more than N values are compared by hash
//   halt                                 stop reading this file
//
// <types> has one letter per result column: I (integer, printed %d), R (real, printed %.3f),
// T (text). A query without "----" expects no rows. Condition lines `skipif <db>` and
// `onlyif <db>` (db: "orrery", "sqlite", ...) make the record apply to some engines only; a
// record may carry several.
//
// Parsing is strict: an unknown record keyword, a bad type letter or a record without SQL is an
// error naming the line, so a typo cannot silently skip a test.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::sql::slt {

enum class SortMode : uint8_t { kNoSort, kRowSort, kValueSort };

struct Condition {
    bool skip = false;  // skipif (true) or onlyif (false).
    std::string database;
};

struct Record {
    enum class Kind : uint8_t { kStatement, kQuery, kHashThreshold, kHalt };
    Kind kind = Kind::kStatement;
    int line = 0;  // 1-based line of the record's keyword (after its conditions).
    std::vector<Condition> conditions;

    // kStatement, kQuery: the SQL text, lines joined with '\n'.
    std::string sql;
    // kStatement: `statement ok` (true) or `statement error` (false).
    bool expect_ok = true;
    // kQuery.
    std::string types;  // One of I, R, T per column.
    SortMode sort = SortMode::kNoSort;
    std::string label;                  // "" when none.
    std::vector<std::string> expected;  // The lines after "----".
    // kHashThreshold.
    int64_t hash_threshold = 0;

    // True iff the record applies to the database named `db` under its conditions.
    bool AppliesTo(std::string_view db) const;
};

// Parses a whole file's text. `file` only names the file in error messages.
Result<std::vector<Record>> ParseScript(std::string_view text, std::string_view file);

}  // namespace orrery::sql::slt
