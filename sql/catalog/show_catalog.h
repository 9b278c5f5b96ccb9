// SHOW CATALOG: the whole schema as rows, read through the statement's transaction (so at the
// session's snapshot, with its own uncommitted DDL), for clients that build their own catalog
// views from it; the PostgreSQL front end answers psql's \d queries this way
// (node/pg_catalog.h).
//
// One row per object, tables in name order, each table's objects in this order:
//
//   kind          position        name          type, not_null, default   columns / parent ...
//   table         0               the table
//   column        1.. (attnum)    the column    "INTEGER", "STRING(20)", the DEFAULT as SQL
//   primary key   0                             columns: key column positions, "1,3"
//   index         1..             the index     columns (positions); not_null = unique
//   foreign key   1..             the key       columns; parent: the table; parent_columns
//   check         1..             the check     expression: the SQL as written
//
// Column positions (not names) list a key's columns, so a name with a comma stays unambiguous.
#pragma once

#include "sql/catalog/catalog.h"
#include "sql/session.h"

namespace orrery::sql {

// The result columns, in order: table_id, table, kind, position, name, type, not_null,
// default, columns, parent, parent_columns, expression.
SqlResult<StatementResult> ShowCatalog(Catalog& catalog);

}  // namespace orrery::sql
