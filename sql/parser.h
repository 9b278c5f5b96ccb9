// The SQL parser: text in, AST (ast.h) out, or one SqlError naming the place that is wrong.
//
// Hand-written recursive descent over the tokens of lexer.h, one function per grammar rule, with
// precedence climbing for binary operators (lowest first): OR; AND; NOT; comparison, IS,
// BETWEEN, IN, LIKE; || ; + -; * / %; unary - +; :: cast; primary. Keywords are
// case-insensitive; identifiers are folded to lower case unless quoted with "..." (then kept
// exactly, with "" for a quote inside). String literals use '...' with '' for a quote; x'..'
// is a blob. Comments: -- to end of line, and /* ... */.
//
// Limits (bad input gets an error, never a crash or unbounded work):
//  - nesting depth of expressions, subqueries and parentheses: kMaxNestingDepth; deeper input is
//    kProgramLimitExceeded ("statement too deeply nested (more than 128 levels)");
//  - statement text: kMaxStatementBytes;
//  - string and blob literals: storage's value bound, checked by the binder, not here.
//
// Errors are kSyntax with the position of the offending token and the message form
//   syntax error at line 1, column 17: expected expression, found ')'
// (the found token is quoted as written, or "end of input").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/session.h"

namespace orrery::sql {

inline constexpr int kMaxNestingDepth = 128;
inline constexpr size_t kMaxStatementBytes = size_t{64} << 20;

// Parses exactly one statement; a trailing ';' and trailing whitespace/comments are allowed.
// An empty statement (only whitespace and comments) is a kSyntax error "empty statement".
SqlResult<Statement> ParseStatement(std::string_view text);

// One statement's text inside a script.
struct StatementText {
    std::string_view text;  // Without the terminating ';'; never only whitespace/comments.
    uint32_t offset = 0;    // Where text starts in the script (byte offset).
};

// Cuts a script at the ';' that end statements: not inside '...' or "..." or comments.
// Pieces that hold only whitespace and comments are dropped. Never fails: an unterminated
// quote runs to the end of the script, and parsing that piece reports the error.
std::vector<StatementText> SplitStatements(std::string_view script);

}  // namespace orrery::sql
