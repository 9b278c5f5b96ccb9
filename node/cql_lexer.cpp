// The CQL lexer: see cql_lexer.h and the lexical rules in cql_parser.h.
#include "node/cql_lexer.h"

#include <fmt/format.h>

#include "node/cql_values.h"

namespace orrery::node::cql {
namespace {

bool IsIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c); }
bool IsHex(char c) {
    return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Status LexError(size_t at, std::string_view what) {
    return Status::InvalidArgument(fmt::format("line 1:{} {}", at, what));
}

// A number: [-]digits[.digits][e[+-]digits], or [-].digits... Returns its length, 0 if none.
size_t NumberLength(std::string_view s, bool* is_float) {
    size_t i = 0;
    if (i < s.size() && s[i] == '-') ++i;
    const size_t int_start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    bool digits = i > int_start;
    *is_float = false;
    if (i < s.size() && s[i] == '.' && i + 1 < s.size() && IsDigit(s[i + 1])) {
        *is_float = true;
        ++i;
        while (i < s.size() && IsDigit(s[i])) ++i;
        digits = true;
    }
    if (!digits) return 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        size_t j = i + 1;
        if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
        if (j < s.size() && IsDigit(s[j])) {
            while (j < s.size() && IsDigit(s[j])) ++j;
            *is_float = true;
            i = j;
        }
    }
    return i;
}

}  // namespace

orrery::Result<std::vector<Token>> Lex(std::string_view text) {
    if (text.size() > kMaxStatementBytes) return Status::InvalidArgument("statement too long");
    std::vector<Token> out;
    size_t i = 0;
    auto push = [&](Token::Kind kind, std::string t, size_t at) {
        out.push_back(Token{kind, std::move(t), at});
    };
    while (i < text.size()) {
        const char c = text[i];
        const std::string_view rest = text.substr(i);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (rest.substr(0, 2) == "--" || rest.substr(0, 2) == "//") {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (rest.substr(0, 2) == "/*") {
            const size_t end = text.find("*/", i + 2);
            if (end == std::string_view::npos) return LexError(i, "unterminated comment");
            i = end + 2;
        } else if (rest.size() >= 36 && IsUuidText(rest.substr(0, 36)) &&
                   (rest.size() == 36 || !IsIdentChar(rest[36]))) {
            push(Token::Kind::kUuid, std::string(rest.substr(0, 36)), i);
            i += 36;
        } else if ((rest.substr(0, 2) == "0x" || rest.substr(0, 2) == "0X")) {
            size_t j = 2;
            while (j < rest.size() && IsHex(rest[j])) ++j;
            if (j % 2 != 0) return LexError(i, "blob literal with an odd number of hex digits");
            push(Token::Kind::kBlob, std::string(rest.substr(2, j - 2)), i);
            i += j;
        } else if (IsIdentStart(c)) {
            size_t j = 0;
            std::string word;
            while (j < rest.size() && IsIdentChar(rest[j])) {
                char ch = rest[j++];
                if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
                word.push_back(ch);
            }
            push(Token::Kind::kIdent, std::move(word), i);
            i += j;
        } else if (c == '"' || c == '\'') {
            // "" and '' inside are one quote character.
            std::string body;
            size_t j = 1;
            for (;;) {
                if (j >= rest.size()) return LexError(i, "unterminated quoted text");
                if (rest[j] == c) {
                    if (j + 1 < rest.size() && rest[j + 1] == c) {
                        body.push_back(c);
                        j += 2;
                        continue;
                    }
                    break;
                }
                body.push_back(rest[j++]);
            }
            if (c == '"' && body.empty()) return LexError(i, "empty quoted identifier");
            push(c == '"' ? Token::Kind::kQuotedIdent : Token::Kind::kString, std::move(body), i);
            i += j + 1;
        } else if (rest.substr(0, 2) == "$$") {
            const size_t end = text.find("$$", i + 2);
            if (end == std::string_view::npos) return LexError(i, "unterminated $$ string");
            push(Token::Kind::kString, std::string(text.substr(i + 2, end - i - 2)), i);
            i = end + 2;
        } else if (bool is_float = false;
                   (IsDigit(c) || c == '.' ||
                    (c == '-' && (out.empty() || out.back().kind == Token::Kind::kSymbol))) &&
                   NumberLength(rest, &is_float) > 0) {
            // A '-' is a sign only where a value may start (after a symbol such as '(' ',' '=').
            const size_t n = NumberLength(rest, &is_float);
            push(is_float ? Token::Kind::kFloat : Token::Kind::kInteger,
                 std::string(rest.substr(0, n)), i);
            i += n;
            if (i < text.size() && IsIdentStart(text[i])) {
                return LexError(i, "trailing junk after a numeric literal");
            }
        } else if (c == '?') {
            push(Token::Kind::kMarker, "?", i);
            ++i;
        } else if (c == ':' && rest.size() > 1 && IsIdentStart(rest[1])) {
            size_t j = 1;
            std::string name;
            while (j < rest.size() && IsIdentChar(rest[j])) {
                char ch = rest[j++];
                if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
                name.push_back(ch);
            }
            push(Token::Kind::kNamedMarker, std::move(name), i);
            i += j;
        } else if (rest.substr(0, 2) == "<=" || rest.substr(0, 2) == ">=" ||
                   rest.substr(0, 2) == "!=") {
            push(Token::Kind::kSymbol, std::string(rest.substr(0, 2)), i);
            i += 2;
        } else if (std::string_view("(),;.=<>[]{}:+-*").find(c) != std::string_view::npos) {
            push(Token::Kind::kSymbol, std::string(1, c), i);
            ++i;
        } else {
            return LexError(i, fmt::format("unexpected character '{}'", c));
        }
    }
    push(Token::Kind::kEnd, "", text.size());
    return out;
}

}  // namespace orrery::node::cql
