// The SQL lexer (lexer.h has the token rules). One pass over the bytes, one function per token
// class; the first error stops the scan.
#include "sql/parser/lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <iterator>
#include <limits>
#include <optional>
#include <vector>

#include "core/assert.h"

namespace orrery::sql {
namespace {

// Reserved words, sorted (binary search). A word is reserved when letting it be a bare name
// would make the grammar ambiguous: clause starters (FROM, WHERE, ORDER), join words, operators
// spelled as words (AND, IS, LIKE), literals (TRUE, NULL) and constraint words. Statement words
// (INSERT, BEGIN, ...) and option words (KEY, ISOLATION, NULLS, ...) are not reserved.
constexpr std::string_view kReserved[] = {
    "all",       "and",        "as",        "asc",        "between", "case",    "cast",
    "check",     "column",     "constraint", "create",    "cross",   "default", "desc",
    "distinct",  "else",       "end",       "except",     "exists",  "false",   "foreign",
    "from",      "full",       "group",     "having",     "in",      "inner",   "intersect",
    "into",      "is",         "join",      "left",       "like",    "limit",   "natural",
    "not",       "null",       "offset",    "on",         "or",      "order",   "outer",
    "primary",   "references", "returning", "right",      "select",  "table",   "then",
    "to",        "true",       "union",     "unique",     "using",   "values",  "when",
    "where",     "window",     "with",      "lateral",
};

bool IsWordStart(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
bool IsWordChar(unsigned char c) { return IsWordStart(c) || (c >= '0' && c <= '9') || c == '$'; }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}

    SqlResult<std::vector<Token>> Run() {
        // Every iteration consumes at least one byte or stops, so the loop ends by text size.
        while (!error_) {
            SkipSpaceAndComments();
            if (error_) break;
            if (pos_ >= text_.size()) break;
            LexOne();
        }
        if (error_) return *error_;
        Token end;
        end.kind = TokenKind::kEnd;
        end.span = {static_cast<uint32_t>(text_.size()), 0};
        tokens_.push_back(std::move(end));
        return std::move(tokens_);
    }

private:
    char At(size_t i) const { return i < text_.size() ? text_[i] : '\0'; }

    void Fail(size_t offset, std::string_view detail) {
        if (!error_) error_ = SyntaxErrorAt(text_, static_cast<uint32_t>(offset), detail);
    }

    Token& Push(TokenKind kind, size_t start) {
        Token t;
        t.kind = kind;
        t.span = {static_cast<uint32_t>(start), static_cast<uint32_t>(pos_ - start)};
        tokens_.push_back(std::move(t));
        return tokens_.back();
    }

    void SkipSpaceAndComments() {
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
                ++pos_;
            } else if (c == '-' && At(pos_ + 1) == '-') {
                size_t nl = text_.find('\n', pos_);
                pos_ = nl == std::string_view::npos ? text_.size() : nl + 1;
            } else if (c == '/' && At(pos_ + 1) == '*') {
                size_t close = text_.find("*/", pos_ + 2);
                if (close == std::string_view::npos) return Fail(pos_, "unterminated /* comment");
                pos_ = close + 2;
            } else {
                return;
            }
        }
    }

    void LexOne() {
        unsigned char c = static_cast<unsigned char>(text_[pos_]);
        if ((c == 'x' || c == 'X') && At(pos_ + 1) == '\'') return LexBlob();
        if (IsWordStart(c)) return LexWord();
        if (IsDigit(c) || (c == '.' && IsDigit(static_cast<unsigned char>(At(pos_ + 1))))) {
            return LexNumber();
        }
        if (c == '\'') return LexString();
        if (c == '"') return LexQuotedIdentifier();
        if (c == '?' || c == '$') return LexParameter();
        LexSymbol();
    }

    void LexWord() {
        size_t start = pos_;
        while (pos_ < text_.size() && IsWordChar(static_cast<unsigned char>(text_[pos_]))) ++pos_;
        std::string lower;
        lower.reserve(pos_ - start);
        for (size_t i = start; i < pos_; ++i) lower += ToLower(text_[i]);
        bool reserved = IsReservedKeyword(lower);
        Token& t = Push(reserved ? TokenKind::kKeyword : TokenKind::kIdentifier, start);
        t.text = std::move(lower);
    }

    // Reads a '...' or "..." body starting at the opening quote; a doubled quote is one quote.
    // Returns nullopt (with the error set) when the closing quote is missing.
    std::optional<std::string> QuotedBody(char quote, std::string_view what) {
        size_t start = pos_;
        std::string out;
        ++pos_;
        while (true) {
            size_t close = text_.find(quote, pos_);
            if (close == std::string_view::npos) {
                Fail(start, fmt::format("unterminated {}", what));
                return std::nullopt;
            }
            out.append(text_.substr(pos_, close - pos_));
            pos_ = close + 1;
            if (At(pos_) != quote) return out;
            out += quote;  // '' inside the literal.
            ++pos_;
        }
    }

    void LexString() {
        size_t start = pos_;
        std::optional<std::string> body = QuotedBody('\'', "string literal");
        if (!body) return;
        Push(TokenKind::kString, start).text = std::move(*body);
    }

    void LexQuotedIdentifier() {
        size_t start = pos_;
        std::optional<std::string> body = QuotedBody('"', "quoted identifier");
        if (!body) return;
        if (body->empty()) return Fail(start, "zero-length quoted identifier \"\"");
        Push(TokenKind::kQuotedIdentifier, start).text = std::move(*body);
    }

    void LexBlob() {
        size_t start = pos_;
        ++pos_;  // The x; QuotedBody starts at the quote.
        std::optional<std::string> hex = QuotedBody('\'', "blob literal");
        if (!hex) return;
        if (hex->size() % 2 != 0) return Fail(start, "blob literal needs an even number of hex digits");
        std::string bytes;
        bytes.reserve(hex->size() / 2);
        for (size_t i = 0; i < hex->size(); i += 2) {
            int hi = HexValue((*hex)[i]);
            int lo = HexValue((*hex)[i + 1]);
            if (hi < 0 || lo < 0) return Fail(start, "blob literal holds a character that is not a hex digit");
            bytes += static_cast<char>(hi * 16 + lo);
        }
        Push(TokenKind::kBlob, start).text = std::move(bytes);
    }

    void LexNumber() {
        size_t start = pos_;
        bool is_float = false;
        while (IsDigit(static_cast<unsigned char>(At(pos_)))) ++pos_;
        if (At(pos_) == '.') {
            is_float = true;
            ++pos_;
            while (IsDigit(static_cast<unsigned char>(At(pos_)))) ++pos_;
        }
        if (At(pos_) == 'e' || At(pos_) == 'E') {
            is_float = true;
            ++pos_;
            if (At(pos_) == '+' || At(pos_) == '-') ++pos_;
            if (!IsDigit(static_cast<unsigned char>(At(pos_)))) {
                return Fail(start, "numeric literal has an exponent without digits");
            }
            while (IsDigit(static_cast<unsigned char>(At(pos_)))) ++pos_;
        }
        if (IsWordChar(static_cast<unsigned char>(At(pos_)))) {
            return Fail(start, "trailing junk after numeric literal");
        }
        std::string_view digits = text_.substr(start, pos_ - start);
        if (is_float) return PushFloat(start, digits);
        uint64_t value = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        ORRERY_ASSERT(ptr == digits.data() + digits.size() || ec == std::errc::result_out_of_range);
        if (ec == std::errc::result_out_of_range) value = std::numeric_limits<uint64_t>::max();
        Token& t = Push(TokenKind::kInteger, start);
        t.text = std::string(digits);
        t.integer = value;
    }

    void PushFloat(size_t start, std::string_view digits) {
        double value = 0;
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
        ORRERY_ASSERT(ptr == digits.data() + digits.size() || ec == std::errc::result_out_of_range);
        if (ec == std::errc::result_out_of_range) {
            // Past double's range either way (overflow to infinity, or underflow below the
            // smallest subnormal): PostgreSQL reports both as out of range.
            if (!error_) {
                error_ = SqlError{ErrorKind::kNumericOutOfRange,
                                  fmt::format("float literal {} is out of range for FLOAT", digits),
                                  static_cast<uint32_t>(start + 1)};
            }
            return;
        }
        Token& t = Push(TokenKind::kFloat, start);
        t.text = std::string(digits);
        t.floating = value;
    }

    void LexParameter() {
        size_t start = pos_;
        if (text_[pos_] == '?') {
            ++pos_;
            Push(TokenKind::kParameter, start).text.assign(1, '?');
            return;
        }
        ++pos_;  // '$'
        size_t digits_start = pos_;
        while (IsDigit(static_cast<unsigned char>(At(pos_)))) ++pos_;
        if (pos_ == digits_start) return Fail(start, "expected a parameter number after '$'");
        uint64_t index = 0;
        std::string_view digits = text_.substr(digits_start, pos_ - digits_start);
        auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
        if (ec != std::errc() || index < 1 || index > kMaxParameterIndex) {
            return Fail(start, fmt::format("parameter ${} is out of range (1 to {})", digits,
                                           kMaxParameterIndex));
        }
        (void)ptr;
        Token& t = Push(TokenKind::kParameter, start);
        t.text = std::string(text_.substr(start, pos_ - start));
        t.parameter_index = static_cast<uint32_t>(index);
    }

    void LexSymbol() {
        static constexpr std::string_view kTwoChar[] = {"<>", "!=", "<=", ">=", "||", "::"};
        size_t start = pos_;
        std::string_view two = text_.substr(pos_, 2);
        for (std::string_view op : kTwoChar) {
            if (two == op) {
                pos_ += 2;
                Push(TokenKind::kSymbol, start).text = std::string(op);
                return;
            }
        }
        static constexpr std::string_view kOneChar = "(),.;+-*/%=<>";
        char c = text_[pos_];
        if (kOneChar.find(c) == std::string_view::npos) {
            unsigned char u = static_cast<unsigned char>(c);
            std::string shown = (u >= 0x20 && u < 0x7f) ? std::string(1, c)
                                                       : fmt::format("\\x{:02x}", u);
            return Fail(start, fmt::format("unexpected character '{}'", shown));
        }
        ++pos_;
        Push(TokenKind::kSymbol, start).text = std::string(1, c);
    }

    std::string_view text_;
    size_t pos_ = 0;
    std::vector<Token> tokens_;
    std::optional<SqlError> error_;
};

}  // namespace

bool IsReservedKeyword(std::string_view lower_word) {
    static const std::vector<std::string_view> kSorted = [] {
        std::vector<std::string_view> sorted(std::begin(kReserved), std::end(kReserved));
        std::sort(sorted.begin(), sorted.end());
        return sorted;
    }();
    return std::binary_search(kSorted.begin(), kSorted.end(), lower_word);
}

SqlError SyntaxErrorAt(std::string_view text, uint32_t offset, std::string_view detail) {
    LineColumn at = LocateOffset(text, offset);
    return SqlError{ErrorKind::kSyntax,
                    fmt::format("syntax error at line {}, column {}: {}", at.line, at.column, detail),
                    offset + 1};
}

SqlResult<std::vector<Token>> Lex(std::string_view text) { return Lexer(text).Run(); }

}  // namespace orrery::sql
