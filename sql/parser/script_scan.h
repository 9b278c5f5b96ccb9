// Cutting a script into statements at the ';' that end them: the one scanner behind
// SplitStatements (parser.h) and the SQL shell's line accumulator (sql/shell/).
//
// The scanner knows just enough of the lexer's rules to tell a ';' that ends a statement from
// one inside '...', "..." or a comment: quotes with doubled-quote escapes (x'..' is a '...'),
// -- line comments and /* */ block comments (not nested, as in the lexer). It never fails: an
// unterminated quote or comment runs to the end, and the state at the end says which one, so a
// REPL knows to wait for more lines.
#pragma once

#include <cstddef>
#include <vector>

#include "sql/parser.h"

namespace orrery::sql {

enum class ScanState : uint8_t { kNormal, kSingleQuote, kDoubleQuote, kLineComment, kBlockComment };

struct ScriptCut {
    // The statements ended by a ';', trimmed of surrounding whitespace and comments; pieces with
    // only whitespace and comments are dropped.
    std::vector<StatementText> statements;
    // Where the unfinished tail (after the last ';') starts, and whether it holds anything but
    // whitespace and comments; `tail` is that text, trimmed as statements are.
    size_t tail_offset = 0;
    bool tail_has_content = false;
    StatementText tail;
    // The scanner's state at the end of the script (kNormal unless a quote or comment is open;
    // a -- comment is closed by the end of input, so it reports kNormal there only after '\n').
    ScanState end_state = ScanState::kNormal;
};

ScriptCut CutScript(std::string_view script);

}  // namespace orrery::sql
