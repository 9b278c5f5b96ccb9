// The shell's renderings of a statement's outcome: an aligned table as psql prints it, CSV
// (RFC 4180) and JSON lines.
//
// Table: a header of the column names (centred, as psql does), a rule of '-' joined by '+',
// numbers right-aligned and everything else left-aligned, NULL shown as `NULL`, then
// `(N rows)` / `(1 row)`. A statement that returns no rows prints its command tag
// (`INSERT 3`, `CREATE TABLE`).
//
// CSV: a header line of the column names, then one line per row; a field is quoted when it holds
// a comma, quote, CR or LF (quotes doubled) and NULL is the empty field. A statement without
// rows prints its tag.
//
// JSON is a contract other programs rely on (docs/sql.md): exactly one line per statement,
//   a query:          {"columns": ["a", "b"], "rows": [[1, "x"], [null, 2.5]]}
//   another statement {"ok": "INSERT 3"}
//   an error:         {"error": "message"}
// NULL -> null; BOOLEAN -> true/false; INTEGER -> a JSON integer; FLOAT -> a number with a
// decimal point or exponent (2.0, never 2), NaN and the infinities -> "NaN", "Infinity",
// "-Infinity"; STRING -> a string; TIMESTAMP -> its ISO-8601 text; BLOB -> its bytes in hex.
//
// Errors in table and csv formats: `ERROR:  <message>` and the SQLSTATE, and when the error has
// a position, the line of the statement it is on and a caret under the character:
//   ERROR:  syntax error at line 1, column 11: expected expression, found ')'
//   SQLSTATE: 42601
//   LINE 1: SELECT 1 + );
//                      ^
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sql/error.h"
#include "sql/session.h"

namespace orrery::sql::shell {

enum class OutputFormat : uint8_t { kTable, kCsv, kJson };

// "table" | "csv" | "json".
std::optional<OutputFormat> ParseOutputFormat(std::string_view name);
std::string_view OutputFormatName(OutputFormat format);

// The rendering of a successful statement, ending in '\n'.
std::string FormatResult(OutputFormat format, const StatementResult& result);

// The rendering of an error of `statement` (the text the engine saw, which its position counts
// in), ending in '\n'.
std::string FormatError(OutputFormat format, const SqlError& error, std::string_view statement);

// One value as JSON (the contract above).
std::string ValueToJson(const Value& value);

}  // namespace orrery::sql::shell
