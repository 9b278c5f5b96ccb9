// The CQL lexer (the rules are in cql_parser.h): text -> tokens. Internal to the parser.
//
// Invariants: Lex never crashes; every token's text is a substring of the input or, for
// quoted forms, its unquoted content; the last token is kEnd.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::node::cql {

struct Token {
    enum class Kind : uint8_t {
        kIdent,        // Unquoted, folded to lower case (keywords are idents too).
        kQuotedIdent,  // "Quoted", case kept.
        kString, kInteger, kFloat, kUuid, kBlob,
        kMarker,       // ?
        kNamedMarker,  // :name (text is the name)
        kSymbol,       // ( ) , ; . = < > <= >= != [ ] { } : + - *
        kEnd,
    };
    Kind kind = Kind::kEnd;
    std::string text;
    size_t offset = 0;  // Byte offset in the statement, for messages.
};

// A bound on tokens per statement, so one statement cannot make us build an unbounded vector
// beyond what its length already allows (every token is at least one byte anyway).
inline constexpr size_t kMaxStatementBytes = size_t{64} << 20;

orrery::Result<std::vector<Token>> Lex(std::string_view text);

}  // namespace orrery::node::cql
