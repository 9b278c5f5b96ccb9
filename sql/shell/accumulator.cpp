#include "sql/shell/accumulator.h"

#include "sql/parser/script_scan.h"

namespace orrery::sql::shell {
namespace {

std::string_view TrimBlank(std::string_view s) {
    size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<InputItem> StatementAccumulator::AddLine(std::string_view line) {
    std::vector<InputItem> out;
    std::string_view trimmed = TrimBlank(line);
    bool inside_quote_or_comment = CutScript(buffer_).end_state != ScanState::kNormal;
    if (!trimmed.empty() && trimmed.front() == '\\' && !inside_quote_or_comment) {
        out.push_back({InputItem::Kind::kMeta, std::string(TrimBlank(trimmed.substr(1)))});
        return out;
    }
    buffer_.append(line);
    buffer_.push_back('\n');
    ScriptCut cut = CutScript(buffer_);
    for (const StatementText& s : cut.statements) {
        out.push_back({InputItem::Kind::kStatement, std::string(s.text)});
    }
    if (!cut.tail_has_content && cut.end_state == ScanState::kNormal) {
        buffer_.clear();
    } else {
        buffer_.erase(0, cut.tail_offset);
    }
    return out;
}

std::vector<InputItem> StatementAccumulator::Finish() {
    std::vector<InputItem> out;
    ScriptCut cut = CutScript(buffer_);
    // Every ';' was consumed by AddLine, so all that can be left is the tail.
    if (cut.tail_has_content) {
        out.push_back({InputItem::Kind::kStatement, std::string(cut.tail.text)});
    } else if (cut.end_state == ScanState::kBlockComment) {
        // An unterminated /* comment holds no statement, but it is not blank either: hand the
        // raw tail to the parser so the user gets its "unterminated /* comment" error and a
        // non-zero exit, instead of the input vanishing silently.
        out.push_back({InputItem::Kind::kStatement,
                       std::string(TrimBlank(std::string_view(buffer_).substr(cut.tail_offset)))});
    }
    buffer_.clear();
    return out;
}

bool StatementAccumulator::pending() const {
    if (buffer_.empty()) return false;
    ScriptCut cut = CutScript(buffer_);
    return cut.tail_has_content || cut.end_state != ScanState::kNormal;
}

}  // namespace orrery::sql::shell
