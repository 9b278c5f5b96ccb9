// Transactions, session parameters and EXPLAIN.
//
//   begin   := (BEGIN [TRANSACTION|WORK] | START TRANSACTION) [mode {[,] mode}]
//   mode    := READ ONLY | READ WRITE | AS OF SYSTEM TIME expr(||)
//            | ISOLATION LEVEL (SERIALIZABLE | SNAPSHOT | REPEATABLE READ)
//   end     := (COMMIT | END | ROLLBACK | ABORT) [TRANSACTION|WORK]
//   set     := SET [SESSION] name (= | TO) value {, value} | SET [SESSION] TIME ZONE value
//   explain := EXPLAIN [( STEPS )] statement
//
// READ COMMITTED and READ UNCOMMITTED are rejected (0A000) rather than silently upgraded:
// the isolation a user asked for is either given or refused. EXPLAIN ANALYZE is refused the
// same way.
#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {
namespace {

// Begin modes are few; a longer list repeats one, which is an error before this bound.
constexpr int kMaxTransactionModes = 8;

}  // namespace

bool Parser::ParseBegin(Begin* out) {
    if (AcceptWord("start")) {
        if (!ExpectWord("transaction")) return false;
    } else {
        Advance();  // BEGIN
        if (!AcceptWord("transaction")) AcceptWord("work");
    }
    return ParseTransactionModes(out);
}

bool Parser::ParseTransactionModes(Begin* out) {
    bool seen_access = false;
    for (int i = 0; i < kMaxTransactionModes && !failed(); ++i) {
        bool after_comma = i > 0 && AcceptSymbol(",");
        uint32_t at = NextOffset();
        if (IsWord("read") && (IsWord("only", 1) || IsWord("write", 1))) {
            if (seen_access) return FailAt(at, "conflicting READ ONLY / READ WRITE modes");
            seen_access = true;
            Advance();
            bool only = Advance().text == "only";
            out->read_only = only;
            out->read_write = !only;
        } else if (AcceptWord("read")) {
            return FailExpected("ONLY or WRITE");
        } else if (AcceptWord("isolation")) {
            if (out->isolation != IsolationLevel::kDefault) {
                return FailAt(at, "the isolation level is given twice");
            }
            if (!ExpectWord("level")) return false;
            if (AcceptWord("serializable")) {
                out->isolation = IsolationLevel::kSerializable;
            } else if (AcceptWord("snapshot")) {
                out->isolation = IsolationLevel::kSnapshot;
            } else if (AcceptWord("repeatable")) {
                if (!ExpectWord("read")) return false;
                out->isolation = IsolationLevel::kSnapshot;
            } else if (IsWord("read") && (IsWord("committed", 1) || IsWord("uncommitted", 1))) {
                return Fail(SqlError{ErrorKind::kFeatureNotSupported,
                                     fmt::format("isolation level READ {} is not supported; use "
                                                 "SERIALIZABLE or SNAPSHOT",
                                                 IsWord("committed", 1) ? "COMMITTED"
                                                                        : "UNCOMMITTED"),
                                     NextOffset() + 1});
            } else {
                return FailExpected("SERIALIZABLE, SNAPSHOT or REPEATABLE READ");
            }
        } else if (AcceptWord("as")) {
            if (out->as_of) return FailAt(at, "AS OF SYSTEM TIME is given twice");
            if (!ExpectWord("of") || !ExpectWord("system") || !ExpectWord("time")) return false;
            NestingScope scope(this);
            if (!scope.ok()) return false;
            out->as_of = ParseBinary(kConcatLevel);
            if (!out->as_of) return false;
        } else {
            // No (more) modes; after a comma one must follow.
            return !after_comma || FailExpected("transaction mode");
        }
    }
    return !failed();
}

bool Parser::ParseEndTransaction(StatementBody* out) {
    std::string word = Advance().text;
    if (!AcceptWord("transaction")) AcceptWord("work");
    if (word == "commit" || word == "end") {
        *out = Commit{};
    } else {
        *out = Rollback{};
    }
    return true;
}

bool Parser::ParseSet(SetVariable* out) {
    Advance();  // SET
    // SESSION is a modifier unless it is the parameter's own name (SET session = 1).
    if (IsWord("session") && !IsSymbol("=", 1) && !IsWord("to", 1)) Advance();
    if (IsWord("time") && IsWord("zone", 1)) {
        Advance();
        Advance();
        out->name = "timezone";
        return ParseSetValue(&out->value);
    }
    std::optional<std::string> name = ParseName("parameter name");
    if (!name) return false;
    out->name = std::move(*name);
    if (!AcceptWord("to") && !ExpectSymbol("=")) return false;
    return ParseSetValue(&out->value);
}

bool Parser::ParseSetValue(std::string* out) {
    if (IsWord("default")) {
        Advance();
        *out = "DEFAULT";
        return true;
    }
    // One value per iteration (SET datestyle = iso, mdy keeps "iso, mdy").
    do {
        if (!out->empty()) *out += ", ";
        std::string sign;
        if (IsSymbol("-") || IsSymbol("+")) {
            TokenKind next = Peek(1).kind;
            if (next != TokenKind::kInteger && next != TokenKind::kFloat) {
                Advance();
                return FailExpected("a number");
            }
            sign = Advance().text == "-" ? "-" : "";
        }
        switch (Peek().kind) {
            case TokenKind::kString:
            case TokenKind::kIdentifier:
            case TokenKind::kQuotedIdentifier:
            case TokenKind::kKeyword:
            case TokenKind::kInteger:
            case TokenKind::kFloat: *out += sign + Advance().text; break;
            default: return FailExpected("parameter value");
        }
    } while (AcceptSymbol(","));
    return true;
}

bool Parser::ParseExplain(StatementBody* out) {
    Advance();  // EXPLAIN
    auto explain = std::make_unique<Explain>();
    if (IsWord("analyze") || (IsSymbol("(") && IsWord("analyze", 1))) {
        return Fail(SqlError{ErrorKind::kFeatureNotSupported, "EXPLAIN ANALYZE is not supported",
                             NextOffset() + 1});
    }
    // EXPLAIN (SELECT ...) explains a parenthesised query; any other '(' opens the options.
    if (IsSymbol("(") && !StartsQuery()) {
        Advance();
        if (!ExpectWord("steps") || !ExpectSymbol(")")) return false;
        explain->steps = true;
    }
    if (!ParseExplainedStatement(&explain->statement)) return false;
    *out = std::move(explain);
    return true;
}

bool Parser::ParseExplainedStatement(Statement* out) {
    if (IsWord("explain")) return FailAt(NextOffset(), "EXPLAIN of an EXPLAIN is not supported");
    uint32_t start = NextOffset();
    if (!ParseStatementBody(out)) return false;
    out->span = SpanFrom(start);
    return true;
}

}  // namespace orrery::sql
