// The abstract syntax tree of Orrery's SQL dialect: what the parser produces and the binder
// consumes. It records what was written, not what it means: names are unresolved strings, types
// are as spelled, and nothing is checked beyond the grammar. The binder/planner gives it meaning.
//
// Every node carries a Span into the statement text, so any later stage can report an error at
// the place the user wrote it (SqlError::position is span.offset + 1).
//
// Shape. Expressions are one struct, Expr, tagged by ExprKind, with its operands in `args` in an
// order fixed per kind (see ExprKind). One struct keeps tree walks (constant folding, finding
// aggregates, finding column references) to a loop over `args`, as in SQLite's and DuckDB's
// parse trees. Statements differ too much to share a shape, so Statement is a std::variant of
// one struct per statement.
//
// Ownership: every child is owned by its parent through std::unique_ptr (ExprPtr, QueryPtr), so
// a tree is moved, never copied; Clone() makes a deep copy where a stage needs one.
//
// Invariants (established by the parser; later stages may assert them):
//  - args.size() matches the kind's arity documented below;
//  - subquery is set exactly for kScalarSubquery, kExists and kInSubquery;
//  - a kParameter's index is >= 1.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sql/data_type.h"

namespace orrery::sql {

// A half-open byte range [offset, offset + length) of the statement text.
struct Span {
    uint32_t offset = 0;
    uint32_t length = 0;
};

// 1-based line and column of a byte offset in text (columns count bytes, as PostgreSQL's do).
struct LineColumn {
    uint32_t line = 1;
    uint32_t column = 1;
};
LineColumn LocateOffset(std::string_view text, uint32_t offset);

struct Expr;
struct Query;
using ExprPtr = std::unique_ptr<Expr>;
using QueryPtr = std::unique_ptr<Query>;

// A literal as written. Integers that do not fit int64 are an error in the parser (22003), not a
// silent conversion to FLOAT.
struct Literal {
    enum class Kind : uint8_t { kNull, kBoolean, kInteger, kFloat, kString, kBlob };
    Kind kind = Kind::kNull;
    bool boolean = false;
    int64_t integer = 0;
    double floating = 0;
    std::string text;  // kString: the unescaped text; kBlob: the raw bytes of x'...'.
};

enum class UnaryOp : uint8_t { kNot, kNegate, kPlus };

enum class BinaryOp : uint8_t {
    kOr, kAnd,
    kEq, kNotEq, kLess, kLessEq, kGreater, kGreaterEq,
    kIsDistinctFrom, kIsNotDistinctFrom,
    kAdd, kSubtract, kMultiply, kDivide, kModulo,
    kConcat,  // ||
};

// "NOT", "-", "+"; "OR", "=", "<>", "||", "IS DISTINCT FROM", ...
std::string_view UnaryOpName(UnaryOp op);
std::string_view BinaryOpName(BinaryOp op);

enum class ExprKind : uint8_t {
    kLiteral,         // literal.                                         args: none
    kColumn,          // [table.]name; table empty when unqualified.      args: none
    kStar,            // * or table.* in a select list (table may be empty). args: none
    kParameter,       // ? (numbered left to right from 1) or $n.         args: none
    kUnary,           // unary_op args[0]
    kBinary,          // args[0] binary_op args[1]
    kIsNull,          // args[0] IS [NOT] NULL (negated for NOT)
    kIsBool,          // args[0] IS [NOT] TRUE|FALSE (bool_value, negated)
    kBetween,         // args[0] [NOT] BETWEEN args[1] AND args[2]
    kInList,          // args[0] [NOT] IN (args[1], ..., args[n])   (at least one item)
    kInSubquery,      // args[0] [NOT] IN (subquery)
    kLike,            // args[0] [NOT] LIKE args[1] [ESCAPE args[2]]  (case-sensitive)
    kCase,            // CASE [operand] WHEN w1 THEN t1 ... [ELSE e] END:
                      //   args = [operand?] w1 t1 w2 t2 ... [else?]; has_operand and has_else
                      //   say which of the optional ones are present.
    kCast,            // CAST(args[0] AS cast_type), and args[0]::cast_type
    kFunction,        // name(args...), name(DISTINCT args...), COUNT(*) (star, no args)
    kScalarSubquery,  // (subquery), one column, at most one row
    kExists,          // [NOT] EXISTS (subquery)
    kDefault,         // DEFAULT: a whole INSERT VALUES item or UPDATE SET value, nowhere else
                      //   (the parser accepts it only there).      args: none
};

struct Expr {
    ExprKind kind = ExprKind::kLiteral;
    Span span;

    Literal literal;                  // kLiteral.
    std::string table;                // kColumn, kStar: the qualifier as written ("" if none).
    std::string name;                 // kColumn: the column; kFunction: the name, lower case.
    uint32_t parameter_index = 0;     // kParameter: 1-based.
    UnaryOp unary_op = UnaryOp::kNot;      // kUnary.
    BinaryOp binary_op = BinaryOp::kEq;    // kBinary.
    bool negated = false;             // kIsNull, kIsBool, kBetween, kInList, kInSubquery, kLike,
                                      // kExists: the NOT form.
    bool bool_value = false;          // kIsBool: IS TRUE (true) or IS FALSE (false).
    bool distinct = false;            // kFunction: name(DISTINCT ...).
    bool star = false;                // kFunction: COUNT(*).
    bool has_operand = false;         // kCase.
    bool has_else = false;            // kCase.
    TypeSpec cast_type;               // kCast.
    std::vector<ExprPtr> args;
    QueryPtr subquery;                // kScalarSubquery, kExists, kInSubquery.

    ExprPtr Clone() const;
};

// Renders an expression back as SQL text, fully parenthesised where precedence could matter
// (the parser's golden tests print this; EXPLAIN uses it for predicates).
std::string ExprToSql(const Expr& expr);

// Renders a query back as SQL text in the same canonical form as ExprToSql (added by the parser:
// subqueries inside expressions need it, and EXPLAIN may use it).
std::string QueryToSql(const Query& query);

// A name as SQL text: as is when it reads back unquoted (lower case, not reserved), otherwise
// "quoted" with "" for a quote inside. (Added by the parser, for renderings of names.)
std::string SqlName(std::string_view name);

// --- Queries -------------------------------------------------------------------------------

enum class JoinType : uint8_t { kCross, kInner, kLeft, kRight, kFull };

struct TableRef;
using TableRefPtr = std::unique_ptr<TableRef>;

// One item of a FROM clause: a named table, a subquery, or a join of two items.
struct TableRef {
    enum class Kind : uint8_t { kTable, kSubquery, kJoin };
    Kind kind = Kind::kTable;
    Span span;

    std::string name;   // kTable.
    std::string alias;  // kTable, kSubquery: AS alias ("" if none; required for kSubquery).
    QueryPtr subquery;  // kSubquery.

    // kJoin. A comma join is kCross without a condition. ON and USING are exclusive.
    JoinType join_type = JoinType::kCross;
    TableRefPtr left;
    TableRefPtr right;
    ExprPtr on;                        // JOIN ... ON expr.
    std::vector<std::string> using_columns;  // JOIN ... USING (a, b).
    bool natural = false;              // NATURAL JOIN.
};

struct SelectItem {
    ExprPtr expr;       // kStar for * and t.*.
    std::string alias;  // AS alias ("" if none).
    Span span;
};

// One SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ... block, or a VALUES list.
struct SelectCore {
    Span span;
    bool distinct = false;
    std::vector<SelectItem> items;
    std::vector<TableRefPtr> from;      // Comma-separated items (joined as cross joins).
    ExprPtr where;
    std::vector<ExprPtr> group_by;
    ExprPtr having;
    // VALUES (a, b), (c, d): rows instead of items/from/...; columns are named column1, ...
    std::vector<std::vector<ExprPtr>> values;
    bool is_values = false;
};

enum class SetOp : uint8_t { kUnion, kUnionAll, kIntersect, kExcept };

struct OrderItem {
    ExprPtr expr;  // An expression, an output column name, or an integer ordinal (1-based).
    bool descending = false;
    // NULLS FIRST / NULLS LAST as written; nullopt: the default (NULLs sort as the smallest
    // value: first ascending, last descending; docs/sql.md).
    std::optional<bool> nulls_first;
    Span span;
};

// A query: a first SelectCore, then set operations applied left to right (INTERSECT binds
// tighter than UNION and EXCEPT, as in the standard; the parser builds that nesting by making a
// parenthesised Query the operand), then ORDER BY / LIMIT / OFFSET over the whole result.
struct Query {
    Span span;
    // Operand of a set operation: a core, or a parenthesised query.
    struct Operand {
        std::unique_ptr<SelectCore> core;  // Exactly one of core and query is set.
        QueryPtr query;
    };
    Operand first;
    std::vector<std::pair<SetOp, Operand>> rest;
    std::vector<OrderItem> order_by;
    ExprPtr limit;
    ExprPtr offset;

    QueryPtr Clone() const;
};

// --- Schema --------------------------------------------------------------------------------

struct ForeignKeyRef {
    std::string table;
    std::vector<std::string> columns;  // Empty: the referenced table's primary key.
};

struct ColumnDef {
    Span span;
    std::string name;
    TypeSpec type;
    bool not_null = false;
    bool explicit_null = false;  // NULL written as a constraint.
    bool primary_key = false;    // column PRIMARY KEY.
    bool unique = false;         // column UNIQUE.
    ExprPtr default_value;       // DEFAULT expr.
    ExprPtr check;               // CHECK (expr).
    std::optional<ForeignKeyRef> references;  // REFERENCES t [(c)].
};

struct TableConstraint {
    enum class Kind : uint8_t { kPrimaryKey, kUnique, kForeignKey, kCheck };
    Kind kind = Kind::kPrimaryKey;
    Span span;
    std::string name;  // CONSTRAINT name ("" if none).
    // kPrimaryKey, kUnique, kForeignKey: the columns, in order. For PRIMARY KEY ((p1, p2), c1)
    // partition_columns holds p1, p2 (the leaderless mode partitions on them) and columns holds
    // p1, p2, c1: the whole key, partition columns first.
    std::vector<std::string> columns;
    std::vector<std::string> partition_columns;
    ForeignKeyRef references;  // kForeignKey.
    ExprPtr check;             // kCheck.
};

struct CreateTable {
    std::string name;
    bool if_not_exists = false;
    std::vector<ColumnDef> columns;
    std::vector<TableConstraint> constraints;
};

struct DropTable {
    std::vector<std::string> names;
    bool if_exists = false;
};

struct CreateIndex {
    std::string name;
    std::string table;
    std::vector<std::string> columns;
    bool unique = false;
    bool if_not_exists = false;
};

struct DropIndex {
    std::string name;
    bool if_exists = false;
};

struct AlterTable {
    enum class Action : uint8_t { kAddColumn, kDropColumn, kRenameColumn, kRenameTable };
    std::string table;
    Action action = Action::kAddColumn;
    ColumnDef column;      // kAddColumn.
    std::string name;      // kDropColumn: the column; kRenameColumn: the old name.
    std::string new_name;  // kRenameColumn, kRenameTable.
    bool if_exists = false;      // DROP COLUMN IF EXISTS.
    bool if_not_exists = false;  // ADD COLUMN IF NOT EXISTS.
};

struct Truncate {
    std::vector<std::string> tables;
};

// SHOW TABLES, and SHOW CATALOG (every table's columns, keys, indexes, foreign keys and checks,
// one row per object: what a client builds its own catalog views from, e.g. psql's \d through
// node/pg_catalog.h).
struct ShowTables {
    bool catalog = false;  // SHOW CATALOG.
};

// DESCRIBE t, and SHOW COLUMNS FROM t.
struct Describe {
    std::string table;
};

// --- Writes --------------------------------------------------------------------------------

// The IF clause of a conditional write (the LWT syntax): IF NOT EXISTS, IF EXISTS, or
// IF col = v [AND col = v ...] (each condition any boolean expression over the row).
struct WriteCondition {
    enum class Kind : uint8_t { kNone, kNotExists, kExists, kColumns };
    Kind kind = Kind::kNone;
    std::vector<ExprPtr> conditions;  // kColumns: the ANDed conditions, in order.
    Span span;
};

struct Insert {
    std::string table;
    std::string alias;
    std::vector<std::string> columns;  // Empty: every column, in table order.
    std::vector<std::vector<ExprPtr>> values;  // VALUES rows, or ...
    QueryPtr select;                   // ... INSERT INTO t SELECT ... (exactly one is set).
    bool default_values = false;       // INSERT INTO t DEFAULT VALUES.
    WriteCondition condition;          // IF NOT EXISTS only.
    std::vector<SelectItem> returning; // RETURNING items (empty: none).
};

struct Assignment {
    std::string column;
    ExprPtr value;
    Span span;
};

struct Update {
    std::string table;
    std::string alias;
    std::vector<Assignment> assignments;
    ExprPtr where;
    WriteCondition condition;  // IF EXISTS or IF col = v ...
    std::vector<SelectItem> returning;
};

struct Delete {
    std::string table;
    std::string alias;
    ExprPtr where;
    WriteCondition condition;  // IF EXISTS or IF col = v ...
    std::vector<SelectItem> returning;
};

// --- Transactions and session --------------------------------------------------------------

enum class IsolationLevel : uint8_t { kDefault, kSerializable, kSnapshot };

// BEGIN [TRANSACTION] / START TRANSACTION, with modes in any order:
//   READ ONLY | READ WRITE, ISOLATION LEVEL SERIALIZABLE | SNAPSHOT | REPEATABLE READ,
//   AS OF SYSTEM TIME <integer version>.
// REPEATABLE READ is PostgreSQL's name for snapshot isolation and maps to kSnapshot.
struct Begin {
    bool read_only = false;
    bool read_write = false;  // Written explicitly.
    IsolationLevel isolation = IsolationLevel::kDefault;
    ExprPtr as_of;            // AS OF SYSTEM TIME expr (a constant integer version).
};

struct Commit {};
struct Rollback {};

// SET name = value | SET name TO value | SET SESSION name ... ; the value is kept as text
// (identifiers, strings and numbers as written), because session parameters are strings
// (client_encoding, datestyle, application_name, default_transaction_isolation).
struct SetVariable {
    std::string name;   // Lower case.
    std::string value;  // "DEFAULT" for SET x TO DEFAULT.
};

// SHOW name (not SHOW TABLES).
struct ShowVariable {
    std::string name;
};

// --- Statements ----------------------------------------------------------------------------

struct Explain;
struct SelectStatement {
    QueryPtr query;
};

using StatementBody =
    std::variant<SelectStatement, Insert, Update, Delete, CreateTable, DropTable, CreateIndex,
                 DropIndex, AlterTable, Truncate, ShowTables, Describe, Begin, Commit, Rollback,
                 SetVariable, ShowVariable, std::unique_ptr<Explain>>;

struct Statement {
    StatementBody body;
    Span span;  // The statement's text, without the terminating ';'.
    // The number of parameters the statement uses: the highest $n, or the count of '?'.
    // Mixing '?' and '$n' in one statement is a syntax error.
    uint32_t parameter_count = 0;
};

// EXPLAIN [(STEPS)] statement. EXPLAIN ANALYZE is not supported (a clear error).
struct Explain {
    bool steps = false;
    Statement statement;
};

// A short name of a statement's kind for command tags and logs: "SELECT", "INSERT",
// "CREATE TABLE", "BEGIN", "EXPLAIN", ...
std::string_view StatementKindName(const Statement& statement);

}  // namespace orrery::sql
