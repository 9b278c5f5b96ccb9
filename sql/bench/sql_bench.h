// The SQL benchmark (`orrery bench sql`): one workload of six phases, run on any engine behind
// the slt Database interface (sql/slt/database.h), so Orrery's embedded database and SQLite run
// exactly the same statements on the same data in the same process.
//
// Phases, in order, on t(id INTEGER PRIMARY KEY, k INTEGER, v INTEGER, s TEXT):
//   insert        `rows` rows in ONE transaction, through a prepared INSERT (ids 1..rows,
//                 k = id % 1000, v a seeded hash of id below 1,000,000, s = "row-<id>");
//   point select  `point_selects` prepared SELECT v FROM t WHERE id = ? at seeded random ids;
//   range scan    `range_scans` prepared SELECT id, v FROM t WHERE id >= ? AND id < ?, each over
//                 rows/100 consecutive ids (ops: rows returned);
//   count/sum     SELECT count(*), sum(v) FROM t (ops: rows aggregated);
//   group by      SELECT k, count(*), sum(v) FROM t GROUP BY k: 1,000 groups (ops: rows);
//   join          a(id, k) and b(id, k), `join_rows` rows each (loaded untimed, k a permutation
//                 of the ids), SELECT count(*), sum(b.id) FROM a JOIN b ON a.k = b.k: an
//                 equi-join on non-key columns, join_rows matches (ops: rows of a + rows of b).
// Each phase also reports a check value (its results folded into one number or row) so a
// comparison run can tell that both engines computed the same answer.
//
// This file never reads a clock: the caller passes one (now_us), keeping sql/ deterministic.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "sql/slt/database.h"

namespace orrery::sql::bench {

struct SqlBenchOptions {
    uint64_t rows = 1'000'000;
    uint64_t point_selects = 100'000;
    uint64_t range_scans = 20;
    uint64_t join_rows = 100'000;
    uint64_t seed = 7;

    // The defaults scaled to `rows` (`--rows N`): point selects and join sides rows/10 (at least
    // 1), range scans 20.
    static SqlBenchOptions Scaled(uint64_t rows);
};

// REQUIRES-style validation for user input: rows >= 100 (a range scan covers rows/100 ids) and
// the other counts at least 1, all at most 100,000,000.
Status ValidateSqlBench(const SqlBenchOptions& options);

struct SqlBenchPhase {
    std::string name;     // "insert", "point select", ...
    uint64_t ops = 0;     // Operations (statements or rows, see the header comment).
    int64_t elapsed_us = 0;
    std::string check;    // The phase's folded result, equal across correct engines.
};

// Runs the phases on `db`, which must be empty. An engine error ends the run with that error,
// naming the phase.
Result<std::vector<SqlBenchPhase>> RunSqlBench(slt::Database& db, const SqlBenchOptions& options,
                                               const std::function<int64_t()>& now_us);

}  // namespace orrery::sql::bench
