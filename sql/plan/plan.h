// Plan: the tree the binder builds, the optimizer rewrites, EXPLAIN prints and the executor
// runs (one operator per node kind, exec/).
//
// One node type serves as logical and physical plan, as in toyDB: the optimizer refines nodes in
// place (a Scan gains an access path, a Join an algorithm) rather than translating between two
// trees. Each node lists its output columns; expressions in a node are bound against the output
// of its children:
//   - single-child nodes: the child's row;
//   - Join: the left row followed by the right row (semi/anti joins output the left row only);
//   - Aggregate: group-by values followed by aggregate results;
//   - Insert's source: its child's row; Update's assignments: the old row.
//
// Estimated rows are heuristics (docs/11-sql-planner.md lists them): a full scan 1000, a point
// lookup 1 per key, a range 250, a filter keeps a third, an equi-join the larger side.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sql/catalog/schema.h"
#include "sql/plan/expr.h"

namespace orrery::sql {

enum class PlanKind : uint8_t {
    kValues, kEmpty, kScan, kFilter, kProject, kJoin, kAggregate, kSort, kDistinct, kLimit,
    kSetOp, kInsert, kUpdate, kDelete,
};

struct PlanColumn {
    std::string name;
    std::string table;  // The alias the column is qualified by ("" for computed columns).
    DataType type = DataType::kNull;
    bool hidden = false;  // The hidden row id: selectable by name, not by *.
    // The right-hand copy of a USING / NATURAL join column: reachable only qualified, and not
    // part of *, so the joined column appears once.
    bool merged = false;
};

enum class JoinKind : uint8_t { kInner, kLeft, kRight, kFull, kSemi, kAnti };

struct SortKey {
    BExpr expr;
    bool descending = false;
    bool nulls_first = false;
};

struct AggregateCall {
    AggregateKind kind = AggregateKind::kCountStar;
    bool distinct = false;
    BExpr arg;  // Null for COUNT(*).
    std::string display;
    DataType type = DataType::kNull;  // The result's type.
};

// How a scan finds its rows. kPoint: each entry of `keys` is a prefix of the key (the primary
// key, or the index's columns) to look up exactly; kRange: one prefix `keys[0]` (maybe empty),
// then the next key column between lower and upper. The scan's filter is always re-checked,
// so an access path may return extra rows but never miss one.
struct ScanAccess {
    enum class Kind : uint8_t { kFull, kPoint, kRange };
    Kind kind = Kind::kFull;
    int index = -1;  // -1: the primary key; else a position in TableSchema::indexes.
    std::vector<std::vector<BExpr>> keys;
    BExpr lower;
    bool lower_inclusive = true;
    BExpr upper;
    bool upper_inclusive = true;
};

struct PlanNode {
    PlanKind kind = PlanKind::kValues;
    std::vector<PlanColumn> columns;
    double estimated_rows = 1;
    std::vector<PlanPtr> children;

    // kValues: rows of expressions (no input row).
    std::vector<std::vector<BExpr>> rows;

    // kScan (and the target of kInsert/kUpdate/kDelete).
    std::shared_ptr<const TableSchema> table;
    std::string alias;
    BExpr filter;  // Scan: rows failing it are skipped.
    ScanAccess access;

    // kFilter.
    BExpr predicate;

    // kProject: one expression per output column.
    std::vector<BExpr> exprs;

    // kJoin. `condition` over left++right; hash joins also split the equalities out:
    // left_keys over the left row, right_keys over the right row.
    JoinKind join = JoinKind::kInner;
    BExpr condition;
    bool hash = false;
    std::vector<BExpr> left_keys;
    std::vector<BExpr> right_keys;

    // kAggregate.
    std::vector<BExpr> group_by;
    std::vector<AggregateCall> aggregates;

    // kSort.
    std::vector<SortKey> sort_keys;

    // kLimit: constant-foldable expressions (parameters allowed); null: none.
    // kSort: the same, copied from the Limit right above it by limit_pushdown: only the first
    // limit+offset rows of the order are wanted (a top-N sort); null: all of them.
    BExpr limit;
    BExpr offset;

    // kSetOp: children[0] op children[1].
    SetOp set_op = SetOp::kUnion;

    // Writes. A write node's `columns` are what the statement returns: the RETURNING items; or,
    // for a conditional write, "[applied]" (BOOLEAN) followed by the columns of
    // write_condition_columns; or none. Its estimated_rows are the rows it writes (the child's).
    // The rows a write's expressions see (old and new alike): the table's columns in order,
    // then the hidden row id for a table without a declared primary key. The child of
    // kUpdate/kDelete is a Scan of the table whose filter is the WHERE clause.
    //
    // kInsert: target column positions (in table->columns) for each source column, in the
    // child's column order; columns not listed take their DEFAULT, else NULL. The child
    // produces the rows: Values (VALUES, or one empty row for DEFAULT VALUES) or a query.
    std::vector<int> insert_columns;
    // kUpdate: (position, expression over the old row).
    std::vector<std::pair<int, BExpr>> assignments;
    // kInsert/kUpdate/kDelete: RETURNING expressions over the written row (new row for
    // INSERT/UPDATE, old row for DELETE).
    std::vector<BExpr> returning;
    // Conditional writes (the LWT syntax; never combined with RETURNING, 0A000).
    //   kNotExists (INSERT): applied iff no row with the new row's key exists;
    //   kExists (UPDATE/DELETE): applied iff the scan finds a row;
    //   kColumns (UPDATE/DELETE): applied iff every write_conditions entry is TRUE on the
    //     current row.
    // write_condition_columns: positions in table->columns reported after "[applied]" when it
    // is false: for kColumns the columns the conditions read, in order of first appearance; for
    // kNotExists every column (the existing row); for kExists none.
    WriteCondition::Kind condition_kind = WriteCondition::Kind::kNone;
    std::vector<BExpr> write_conditions;        // Over the current row (kColumns).
    std::vector<int> write_condition_columns;   // Columns the IF names (reported when false).
    // kInsert/kUpdate: the table's CHECK constraints bound over the new row (name, predicate).
    std::vector<std::pair<std::string, BExpr>> checks;
};

// The plan as EXPLAIN prints it: one node per line, children indented by two spaces, with the
// estimated rows: "Filter: (m.year > 2000) (rows=333)".
std::string PlanToString(const PlanNode& plan);

// A deep copy of the node tree (expressions are shared; subquery plans inside them are not
// copied).
PlanPtr ClonePlan(const PlanNode& plan);

// Calls f on every node of the tree, parents before children, including the plans of
// subqueries inside expressions (after the node holding them).
void ForEachPlan(const PlanPtr& plan, const std::function<void(const PlanPtr&)>& f);

}  // namespace orrery::sql
