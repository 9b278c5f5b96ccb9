// The statement scanner (script_scan.h) and SplitStatements (parser.h).
#include "sql/parser/script_scan.h"

#include "core/assert.h"

namespace orrery::sql {
namespace {

bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// The piece [begin, end) of the script being cut: where its content starts and ends.
struct Piece {
    size_t content_begin = 0;
    size_t content_end = 0;
    bool has_content = false;

    void Mark(size_t at_begin, size_t at_end) {
        if (!has_content) content_begin = at_begin;
        has_content = true;
        content_end = at_end;
    }
    StatementText Text(std::string_view script) const {
        ORRERY_ASSERT(has_content);
        return {script.substr(content_begin, content_end - content_begin),
                static_cast<uint32_t>(content_begin)};
    }
};

}  // namespace

ScriptCut CutScript(std::string_view script) {
    ScriptCut cut;
    ScanState state = ScanState::kNormal;
    Piece piece;
    // One byte per iteration (two for a comment's opening or closing pair).
    for (size_t i = 0; i < script.size(); ++i) {
        char c = script[i];
        char next = i + 1 < script.size() ? script[i + 1] : '\0';
        switch (state) {
            case ScanState::kNormal:
                if (c == ';') {
                    if (piece.has_content) cut.statements.push_back(piece.Text(script));
                    piece = Piece();
                    cut.tail_offset = i + 1;
                } else if (c == '-' && next == '-') {
                    state = ScanState::kLineComment;
                    ++i;
                } else if (c == '/' && next == '*') {
                    state = ScanState::kBlockComment;
                    ++i;
                } else if (!IsSpace(c)) {
                    piece.Mark(i, i + 1);
                    if (c == '\'') state = ScanState::kSingleQuote;
                    if (c == '"') state = ScanState::kDoubleQuote;
                }
                break;
            case ScanState::kSingleQuote:
            case ScanState::kDoubleQuote:
                // A doubled quote closes and reopens: the same state after two bytes.
                piece.Mark(i, i + 1);
                if (c == (state == ScanState::kSingleQuote ? '\'' : '"')) {
                    state = ScanState::kNormal;
                }
                break;
            case ScanState::kLineComment:
                if (c == '\n') state = ScanState::kNormal;
                break;
            case ScanState::kBlockComment:
                if (c == '*' && next == '/') {
                    state = ScanState::kNormal;
                    ++i;
                }
                break;
        }
    }
    cut.end_state = state;
    cut.tail_has_content = piece.has_content;
    if (piece.has_content) cut.tail = piece.Text(script);
    return cut;
}

std::vector<StatementText> SplitStatements(std::string_view script) {
    ScriptCut cut = CutScript(script);
    if (cut.tail_has_content) cut.statements.push_back(cut.tail);
    return std::move(cut.statements);
}

}  // namespace orrery::sql
