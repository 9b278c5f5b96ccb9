// The translator's data-statement planners (internal to cql_translate): each turns one parsed
// statement plus its table's schema and bound values into SQL steps, without running anything.
//   cql_dml.cpp     INSERT, UPDATE, DELETE -> a WritePlan; the [applied] row's reshaping
//   cql_select.cpp  SELECT -> one SQL query and its CQL result columns; PREPARE metadata
#pragma once

#include <vector>

#include "core/status.h"
#include "node/cql_bind.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {

// The SQL steps of one write. A conditional write is exactly one step whose result is the
// engine's [applied] row.
struct WritePlan {
    std::vector<SqlStep> steps;  // Empty: nothing to do (every value unset).
    bool conditional = false;
};

// The SQL of WHERE relations on `t` ("k" = ? AND "c" IN (?, ?) ...), appending their values
// to params. Refuses collections, !=, null and unset values, with Cassandra's wording.
orrery::Result<std::string> WhereSqlFor(const TableSchema& t, const std::vector<Relation>& rels,
                                        const Binder& b, std::vector<sql::Value>& params);

// Plans INSERT, UPDATE or DELETE on `t`. InvalidArgument (Cassandra's wording) for statements
// Cassandra would refuse, or that this translator cannot run faithfully.
orrery::Result<WritePlan> PlanWrite(const TableSchema& t, const Statement& s, const Binder& b);

// Cassandra's form of a conditional write's answer: [applied] alone when true; with the
// engine's current values when false.
Outcome ReshapeApplied(const TableSchema& t, const sql::StatementResult& r);

// A SELECT as SQL: the text, its parameters, and the CQL columns of its result.
struct SelectPlan {
    SqlStep step;
    std::vector<ColumnSpec> columns;
};

orrery::Result<SelectPlan> PlanSelect(const TableSchema& t, const Statement& s, const Binder& b);

// The CQL result columns of a SELECT on `t` (also PREPARE's result metadata).
orrery::Result<std::vector<ColumnSpec>> SelectColumns(const TableSchema& t, const Statement& s);

// Converts the engine's rows into CQL cells of `columns`.
Outcome RowsResult(const std::vector<ColumnSpec>& columns, const sql::StatementResult& r);

// PREPARE's markers and partition key indexes for a statement on `t`. `columns_of` gives the
// type of a column by name (a system table has no TableSchema).
orrery::Result<Prepared> PrepareMetadata(const Statement& s, const std::string& keyspace,
                                         const std::string& table,
                                         const std::vector<ColumnSpec>& columns,
                                         const std::vector<std::string>& partition_key);

// The columns of a system table for PREPARE (cql_system.cpp), or nullopt if there is none.
std::optional<std::vector<ColumnSpec>> SystemTableColumns(const std::string& keyspace,
                                                          const std::string& table,
                                                          const Topology& topology);

}  // namespace orrery::node::cql
