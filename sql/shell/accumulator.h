// StatementAccumulator: turns lines of input into complete statements and meta-commands.
//
// A REPL (and a script on stdin) hands the shell one line at a time; a statement may span
// lines and a line may hold several statements. The accumulator keeps the unfinished text and
// cuts it with the script scanner (sql/parser/script_scan.h), so a ';' inside '...', "..." or a
// comment does not end a statement and an open quote or /* comment keeps the statement open.
//
// A line whose first non-blank character is '\' is a meta-command (psql's rule) unless the
// pending text has an open quote or comment (then the line belongs to the statement). A
// meta-command does not disturb the pending statement.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace orrery::sql::shell {

struct InputItem {
    enum class Kind : uint8_t { kStatement, kMeta };
    Kind kind = Kind::kStatement;
    // A statement without its ';', trimmed of surrounding blanks and comments; or the
    // meta-command line without the '\' and trimmed (e.g. "d movie", "timing on").
    std::string text;
};

class StatementAccumulator {
public:
    // Adds one line (without its newline) and returns what it completed, in order.
    std::vector<InputItem> AddLine(std::string_view line);
    // End of input: the unfinished statement, if it holds anything but blanks and comments
    // (a script's last statement needs no ';', as with psql -c). Clears the pending text.
    std::vector<InputItem> Finish();
    // True when a statement is started but not yet ended (the REPL prints `orrery->`).
    bool pending() const;
    // Drops the pending text (\r, or Ctrl-C at the prompt).
    void Reset() { buffer_.clear(); }

private:
    std::string buffer_;  // Unfinished text, lines joined with '\n'.
};

}  // namespace orrery::sql::shell
