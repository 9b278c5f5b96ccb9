// The SQL lexer: statement text in, a vector of tokens with spans out (the parser's input).
//
// Why a separate pass: the parser then looks ahead by index (Peek(1), Peek(2)) without
// re-scanning, and every token knows its span, so an error anywhere can name the line and column
// of the token it is about.
//
// Token rules (docs/09-sql-parser.md §9.2 has the table):
//  - words: [A-Za-z_][A-Za-z0-9_$]* (bytes >= 0x80 count as letters, so UTF-8 names work), folded
//    to lower case; a word in the reserved list (IsReservedKeyword) is kKeyword, any other word
//    kIdentifier. Non-reserved keywords (TRANSACTION, ISOLATION, KEY, ...) are kIdentifier tokens
//    the parser matches by text, so they remain usable as names.
//  - "quoted identifiers": kept exactly, "" is one quote; never a keyword; never empty.
//  - 'strings' with '' for a quote; x'0aff' / X'0AFF' blobs (an even number of hex digits).
//  - numbers: 42, 4.2, .5, 1., 1e3, 2.5E-3. Digits only is kInteger (value saturates at
//    UINT64_MAX; the parser decides what is out of range, because -9223372036854775808 is
//    legal); anything with '.' or an exponent is kFloat, and a float outside double's range is
//    an error (22003). A number glued to a letter (12abc) is an error.
//  - parameters: ? (index 0: the parser numbers them) and $1, $2, ... (1..kMaxParameterIndex).
//  - operators: ( ) , . ; + - * / % = <> != < <= > >= || ::
//  - comments: -- to the end of the line, /* ... */ (not nested); both are skipped.
//
// Invariants: the token vector ends with exactly one kEnd token whose span is empty and sits at
// the end of the text; spans are in increasing order and never overlap.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sql/ast.h"
#include "sql/error.h"
#include "sql/session.h"

namespace orrery::sql {

// The largest $n accepted (PostgreSQL's wire protocol allows at most 65535 parameters).
inline constexpr uint32_t kMaxParameterIndex = 65535;

enum class TokenKind : uint8_t {
    kEnd,               // End of input (always the last token).
    kIdentifier,        // An unquoted word that is not reserved; text is lower case.
    kQuotedIdentifier,  // "Name"; text is the name exactly.
    kKeyword,           // A reserved word; text is lower case.
    kString,            // 'text'; text is unescaped.
    kBlob,              // x'0aff'; text holds the raw bytes.
    kInteger,           // 42; text as written, integer its value (saturating).
    kFloat,             // 4.2, 1e3; text as written, floating its value.
    kParameter,         // ? or $n; parameter_index 0 for ?, n for $n.
    kSymbol,            // An operator or punctuation; text is the symbol ("<=", "::", "(").
};

struct Token {
    TokenKind kind = TokenKind::kEnd;
    Span span;
    std::string text;
    uint64_t integer = 0;
    double floating = 0;
    uint32_t parameter_index = 0;
};

// Splits `text` into tokens, or returns the first lexical error (kSyntax, or
// kNumericOutOfRange for a float literal outside double's range).
SqlResult<std::vector<Token>> Lex(std::string_view text);

// True iff `lower_word` (lower case) is reserved: it must be quoted to be used as a name.
bool IsReservedKeyword(std::string_view lower_word);

// A kSyntax error at `offset` of `text`:
//   "syntax error at line L, column C: <detail>", position offset + 1.
SqlError SyntaxErrorAt(std::string_view text, uint32_t offset, std::string_view detail);

}  // namespace orrery::sql
