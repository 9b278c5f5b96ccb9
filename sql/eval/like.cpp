// LIKE matching (ops.h).
//
// The pattern is compiled into tokens (a literal character, '_' = any one character, '%' = any
// run), then matched with the classic greedy algorithm that remembers only the last '%': on a
// mismatch it retries with that '%' swallowing one more character. That is linear in
// |text| x |pattern| at worst, needs no recursion and no backtracking stack.
#include <fmt/format.h>

#include <vector>

#include "core/assert.h"
#include "sql/eval/ops.h"

namespace orrery::sql {
namespace {

// Splits UTF-8 text into characters (a lead byte and its continuation bytes). Malformed bytes
// count as one character each, so matching never fails on bad input.
std::vector<std::string_view> Chars(std::string_view s) {
    std::vector<std::string_view> out;
    out.reserve(s.size());
    size_t i = 0;
    while (i < s.size()) {
        size_t n = 1;
        while (i + n < s.size() && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) ++n;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

struct Token {
    enum class Kind : uint8_t { kChar, kOne, kAny };
    Kind kind;
    std::string_view ch;  // kChar.
};

SqlResult<std::vector<Token>> Compile(std::string_view pattern, std::string_view escape) {
    std::vector<Token> tokens;
    std::vector<std::string_view> chars = Chars(pattern);
    for (size_t i = 0; i < chars.size(); ++i) {
        if (!escape.empty() && chars[i] == escape) {
            if (i + 1 == chars.size()) {
                return MakeSqlError(ErrorKind::kInvalidText,
                                    "LIKE pattern must not end with escape character");
            }
            tokens.push_back({Token::Kind::kChar, chars[++i]});
        } else if (chars[i] == "%") {
            if (tokens.empty() || tokens.back().kind != Token::Kind::kAny) {
                tokens.push_back({Token::Kind::kAny, {}});
            }
        } else if (chars[i] == "_") {
            tokens.push_back({Token::Kind::kOne, {}});
        } else {
            tokens.push_back({Token::Kind::kChar, chars[i]});
        }
    }
    return tokens;
}

bool Match(const std::vector<std::string_view>& text, const std::vector<Token>& pattern) {
    size_t t = 0;
    size_t p = 0;
    size_t star = SIZE_MAX;  // Position of the last '%' token seen.
    size_t star_text = 0;    // Text position that '%' was last tried to end at.
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p].kind == Token::Kind::kAny) {
            star = p++;
            star_text = t;
        } else if (p < pattern.size() && (pattern[p].kind == Token::Kind::kOne ||
                                          pattern[p].ch == text[t])) {
            ++p;
            ++t;
        } else if (star != SIZE_MAX) {
            p = star + 1;
            t = ++star_text;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p].kind == Token::Kind::kAny) ++p;
    return p == pattern.size();
}

}  // namespace

ValueResult EvalLike(const Value& value, const Value& pattern, const Value& escape) {
    if (value.is_null() || pattern.is_null() || escape.is_null()) return Value::Null();
    for (const Value* v : {&value, &pattern, &escape}) {
        if (v->type() != DataType::kString) {
            return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                fmt::format("operator does not exist: {} LIKE {}",
                                            DataTypeName(value.type()),
                                            DataTypeName(pattern.type())));
        }
    }
    std::vector<std::string_view> esc = Chars(escape.string());
    if (esc.size() > 1) {
        return MakeSqlError(ErrorKind::kInvalidText, "invalid escape string: must be one character");
    }
    auto tokens = Compile(pattern.string(), esc.empty() ? std::string_view() : esc[0]);
    if (!tokens.ok()) return tokens.error();
    return Value::Boolean(Match(Chars(value.string()), tokens.value()));
}

}  // namespace orrery::sql
