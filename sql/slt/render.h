// How sqllogictest turns result cells into the text lines a .test file holds, following SQLite's
// own runner so that files written for SQLite read the same here:
//
//   NULL                      -> "NULL" (whatever the column's type letter)
//   I column                  -> %d of the value as a 64-bit integer (a float truncates toward
//                                zero; text reads its leading integer, else 0)
//   R column                  -> %.3f of the value as a double (text reads its leading number)
//   T column                  -> the text; an integer as %d; a float as SQLite writes a REAL
//                                (%.15g, with ".0" added when it would look like an integer)
//   an empty string           -> "(empty)"
//   a byte outside ' '..'~'   -> '@'
//
// Then the values are sorted (rowsort: rows compared column by column as strings; valuesort:
// every value on its own) and, past the hash threshold, replaced by the MD5 of all of them, each
// followed by '\n', written "N values hashing to <32 hex digits>".
#pragma once

#include <string>
#include <vector>

#include "sql/slt/database.h"
#include "sql/slt/record.h"

namespace orrery::sql::slt {

// Renders one cell under type letter `type` ('I', 'R' or 'T').
std::string RenderCell(const Cell& cell, char type);

// Renders a result under `types` (one letter per column; a result with more columns than
// letters renders the extra ones as T) and sorts it by `sort`. Row-major.
std::vector<std::string> RenderResult(const ResultSet& result, const std::string& types,
                                      SortMode sort);

// The lower-case hex MD5 of the values, each followed by '\n' (SQLite's runner's hash).
std::string HashValues(const std::vector<std::string>& values);

// "N values hashing to <md5>".
std::string HashLine(const std::vector<std::string>& values);

}  // namespace orrery::sql::slt
