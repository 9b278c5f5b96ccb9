// SqlError: what went wrong with a statement, in a form every front end can render.
//
// The core's Status says what a caller may do (retry, give up); a SQL client also needs the
// standard SQLSTATE (so psql and psycopg2 raise the right exception) and the position in the
// statement text (so the REPL can point at it). Every error the SQL layer returns to a user is a
// SqlError; an assertion failure is never the answer to bad input.
//
// Messages are lower case, name the object (`unknown table "movies"`), and, for syntax errors,
// follow the form `syntax error at line 1, column 17: expected expression, found ')'`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orrery::sql {

enum class ErrorKind : uint8_t {
    kSyntax,                // 42601
    kUndefinedTable,        // 42P01
    kUndefinedColumn,       // 42703
    kUndefinedObject,       // 42704 (an index, a prepared statement)
    kUndefinedFunction,     // 42883
    kDuplicateTable,        // 42P07
    kDuplicateColumn,       // 42701
    kDuplicateObject,       // 42710 (an index)
    kAmbiguousColumn,       // 42702
    kInvalidColumnReference,  // 42P10 (ORDER BY of SELECT DISTINCT not in the select list)
    kGrouping,              // 42803 (a column neither grouped nor aggregated)
    kDatatypeMismatch,      // 42804
    kInvalidParameter,      // 42P02 (a parameter with no value bound)
    kUniqueViolation,       // 23505
    kForeignKeyViolation,   // 23503
    kNotNullViolation,      // 23502
    kCheckViolation,        // 23514
    kDivisionByZero,        // 22012
    kNumericOutOfRange,     // 22003 (integer overflow, a float that does not fit)
    kInvalidText,           // 22P02 (a CAST of text that is not a number, a bad timestamp)
    kStringTooLong,         // 22001
    kCardinality,           // 21000 (a scalar subquery returning more than one row)
    kSerializationFailure,  // 40001: retry the whole transaction
    kInFailedTransaction,   // 25P02: an earlier statement failed; only ROLLBACK is accepted
    kActiveTransaction,     // 25001 (BEGIN inside a transaction)
    kReadOnlyTransaction,   // 25006 (a write in a READ ONLY transaction)
    kNoActiveTransaction,   // 25P01 (COMMIT or ROLLBACK outside one; a warning in PostgreSQL)
    kFeatureNotSupported,   // 0A000
    kProgramLimitExceeded,  // 54000 (nesting depth, a memory bound, a value too large)
    kQueryCanceled,         // 57014
    kUnavailable,           // 08006 / 57P03 (no leader, node shutting down): retry later
    kUnknownOutcome,        // 08007: the commit may or may not have happened (Jepsen "info")
    kInternal,              // XX000: a storage failure; the session's state is unknown
    kDependentObjects,      // 2BP01 (DROP TABLE of a table another table references)
    kInvalidTableDefinition,  // 42P16 (two primary keys, a key column twice)
    kInvalidForeignKey,     // 42830 (no key or unique index on the referenced columns)
    kInvalidLimit,          // 2201W (a negative LIMIT)
    kInvalidOffset,         // 2201X (a negative OFFSET)
    kDuplicateAlias,        // 42712 (one FROM clause naming a table or alias twice)
    // New kinds go here, and kLastErrorKind follows them (the wire decoder's bound).
};

// The highest ErrorKind: node/sql_protocol.cpp refuses a larger byte on the wire.
constexpr ErrorKind kLastErrorKind = ErrorKind::kDuplicateAlias;

struct SqlError {
    ErrorKind kind = ErrorKind::kInternal;
    std::string message;
    // 1-based character offset into the statement text (PostgreSQL's P field), when the error
    // is about one place in it.
    std::optional<uint32_t> position;

    // "syntax error at line 1, column 17: ..." is already in message; ToString adds nothing but
    // the message itself, so front ends print exactly what the engine wrote.
    const std::string& ToString() const { return message; }
};

// Shorthand for building an error (added by the engine; no change to the struct).
inline SqlError MakeSqlError(ErrorKind kind, std::string message,
                             std::optional<uint32_t> position = std::nullopt) {
    return SqlError{kind, std::move(message), position};
}

// The five-character SQLSTATE of a kind, e.g. "42601".
std::string_view SqlState(ErrorKind kind);

// The Status code a non-SQL caller (the simulator's workloads, the KV tools) should act on:
// kSerializationFailure -> kAborted, kUnavailable -> kUnavailable, kUnknownOutcome -> kTimeout,
// kInternal -> kIOError, every user error -> kInvalidArgument.
Code StatusCodeOf(ErrorKind kind);

// Maps a Status from a lower layer (storage, MVCC) into a SqlError: kAborted becomes a
// serialization failure, kTimeout an unknown outcome, kNotLeader/kUnavailable unavailable,
// kInvalidArgument (a key or value too large) a program limit, anything else internal.
SqlError ErrorFromStatus(const Status& status);

}  // namespace orrery::sql
