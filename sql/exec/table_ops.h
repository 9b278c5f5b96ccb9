// Whole-table operations the session's DDL needs: dropping every row of a table and backfilling
// a new index. They run inside the statement's transaction like any write (buffered, committed
// with it), so DROP TABLE, TRUNCATE and CREATE INDEX are as transactional as INSERT.
#pragma once

#include <cstddef>
#include <cstdint>

#include "sql/catalog/schema.h"
#include "sql/session.h"
#include "sql/txn.h"

namespace orrery::sql {

// Deletes every row and every index entry of `table` (DROP TABLE, TRUNCATE). Returns the number
// of rows removed. Foreign keys referencing the table are the caller's to check first.
SqlResult<uint64_t> DeleteTableData(Txn& txn, const TableSchema& table);

// Writes the entries of index `table.indexes[index]` for every existing row. A UNIQUE index over
// rows with equal non-NULL values fails with kUniqueViolation (23505) naming the index (NULLs
// never collide, as in PostgreSQL). REQUIRES: index < table.indexes.size().
SqlResult<bool> BuildIndex(Txn& txn, const TableSchema& table, size_t index);

}  // namespace orrery::sql
