// Differential testing: the same schema, data and queries on two engines (Orrery and SQLite),
// results compared after normalisations that remove differences the SQL standard allows.
//
// A DiffCase is a schema with data and a list of queries in the subset both engines share (the
// rapidcheck generator in differential_test.cpp writes them; docs/13-sql-testing.md lists the
// subset). RunCase loads the case into both databases and compares each query's results:
//
//   - errors: both engines failing a query agree (messages differ by design); one failing and
//     the other not is a discrepancy;
//   - columns: the counts must be equal (names are not compared);
//   - row order: a query without ORDER BY is compared as a multiset (both sides sorted by the
//     cells' total order below); a query with ORDER BY orders by every output column, so the
//     order is fixed up to identical rows and is compared as is. NULLs sort first ascending and
//     last descending in both engines (the smallest value), so ORDER BY needs no NULL rewrite;
//   - cells: NULL equals only NULL; numbers compare numerically whether INTEGER or REAL (SQLite
//     returns the integer 1 from CASE WHEN .. THEN 1 ELSE 2.5 END where Orrery returns 1.0), with
//     a relative tolerance of 1e-9 for reals; text compares byte for byte. Orrery's BOOLEAN
//     arrives as 0/1 (database.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sql/slt/database.h"

namespace orrery::sql::slt {

struct DiffColumn {
    std::string name;
    char type = 'I';  // 'I' INTEGER, 'R' REAL, 'T' TEXT; the first column is the primary key.
};

struct DiffTable {
    std::string name;
    std::vector<DiffColumn> columns;
    std::vector<CellRow> rows;  // Primary keys distinct.
};

struct DiffQuery {
    std::string sql;
    bool ordered = false;  // Has ORDER BY over every output column.
};

struct DiffCase {
    std::vector<DiffTable> tables;
    std::vector<DiffQuery> queries;
};

// The statements that create and fill the case's tables (multi-row INSERTs of at most 50 rows).
std::vector<std::string> SetupStatements(const DiffCase& c);

// A cell as a SQL literal: NULL, 42, 2.5 (always with a '.' or an exponent), 'it''s'.
std::string CellLiteral(const Cell& cell);

// Compares two engines' outcomes of one query under the normalisations of the header comment.
// nullopt when they agree; otherwise what differs, for people.
std::optional<std::string> CompareOutcomes(const Result<ResultSet>& a, const Result<ResultSet>& b,
                                           bool ordered);

struct Discrepancy {
    std::string sql;     // The query (or the setup statement) the engines disagree on.
    std::string detail;  // CompareOutcomes' description, naming both engines.
};

// Loads `c` into both databases (fresh ones) and runs every query on both; the first
// disagreement, or nullopt. A setup statement failing on either engine is a discrepancy too.
std::optional<Discrepancy> RunCase(Database& a, Database& b, const DiffCase& c);

}  // namespace orrery::sql::slt
