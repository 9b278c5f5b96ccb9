// Random schemas' data and queries for the differential test (differential.h), as rapidcheck
// generators. Tests only.
//
// The schema is fixed (two tables of integer, real and text columns, primary key first); the
// rows and the queries are random. Queries stay in the subset Orrery and SQLite share, by
// construction (docs/13-sql-testing.md, "the common subset"):
//   - every expression is type-correct (INTEGER and REAL mix, TEXT only with TEXT);
//   - divisors are non-zero literals, values small enough that nothing overflows;
//   - REAL data are multiples of 0.25 (sums are exact in any order);
//   - text data are lower-case words, and LIKE applies to a text column itself (SQLite's LIKE
//     ignores ASCII case, Orrery's does not);
//   - grouped queries select grouped expressions and aggregates only; a scalar subquery is an
//     aggregate (exactly one row);
//   - ORDER BY lists every output column (by ordinal), so order and LIMIT are deterministic.
//
// Shrinking: every choice is a rapidcheck pick whose smallest value is the simplest form (a
// column rather than an operator, no WHERE rather than one, an inner join rather than an outer
// one), so a shrunk failure reads as a minimal query over a minimal table.
#pragma once

#include <rapidcheck.h>

#include <ostream>

#include "sql/slt/differential.h"

namespace orrery::sql::slt {

// How rapidcheck prints a counterexample's values (found by argument-dependent lookup).
inline void showValue(const DiffQuery& q, std::ostream& os) { os << q.sql; }
inline void showValue(const DiffTable& t, std::ostream& os) {
    os << t.name << " (" << t.rows.size() << " rows)";
}

// The tables' shape, without rows.
std::vector<DiffTable> DiffSchema();

// For a "CREATE TABLE name(...)" statement of DiffSchema(), a CREATE INDEX per column from
// position `first_column` on (the wrappers that index every column, so other plans run).
std::vector<std::string> IndexStatements(std::string_view create, size_t first_column);

// The schema with random rows (at most `rows_max` per table, distinct primary keys).
rc::Gen<std::vector<DiffTable>> GenTables(int rows_max);

// One random statement over DiffSchema(): mostly a query, one in nine a write (UPDATE,
// DELETE, INSERT ... SELECT) whose effects the later queries of the case see.
rc::Gen<DiffQuery> GenQuery();

}  // namespace orrery::sql::slt
