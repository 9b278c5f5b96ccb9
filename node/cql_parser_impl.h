// The CQL parser's class, shared by its two files: cql_parser.cpp (terms, DDL) and
// cql_parser_dml.cpp (INSERT, UPDATE, DELETE, SELECT, BATCH). Internal to the parser.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_lexer.h"
#include "node/cql_parser.h"

namespace orrery::node::cql::internal {

using K = Token::Kind;

class Parser {
public:
    explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {
        ORRERY_ASSERT(!t_.empty() && t_.back().kind == K::kEnd, "token stream without kEnd");
    }

    orrery::Result<Statement> ParseOne();

private:
    const Token& Peek(size_t ahead = 0) const {
        return t_[std::min(pos_ + ahead, t_.size() - 1)];
    }
    bool IsWord(std::string_view w, size_t ahead = 0) const {
        return Peek(ahead).kind == K::kIdent && Peek(ahead).text == w;
    }
    bool IsSym(std::string_view s, size_t ahead = 0) const {
        return Peek(ahead).kind == K::kSymbol && Peek(ahead).text == s;
    }
    bool AcceptWord(std::string_view w) {
        if (!IsWord(w)) return false;
        ++pos_;
        return true;
    }
    bool AcceptSym(std::string_view s) {
        if (!IsSym(s)) return false;
        ++pos_;
        return true;
    }
    Status Fail(std::string_view expected) const {
        const Token& t = Peek();
        const std::string found = t.kind == K::kEnd ? "end of input" : "'" + t.text + "'";
        return Status::InvalidArgument(
            fmt::format("line 1:{} expected {}, found {}", t.offset, expected, found));
    }
    Status ExpectWord(std::string_view w) {
        if (AcceptWord(w)) return Status::Ok();
        return Fail(fmt::format("{}", w));
    }
    Status ExpectSym(std::string_view s) {
        if (AcceptSym(s)) return Status::Ok();
        return Fail(fmt::format("'{}'", s));
    }
    orrery::Result<std::string> Name();
    orrery::Result<TableRef> Table();
    orrery::Result<Term> ParseTerm(int depth);
    orrery::Result<std::string> TypeText();
    Status Properties(Statement& s);
    Status IfNotExists(Statement& s);
    Status IfExists(Statement& s);
    Status Where(std::vector<Relation>& out);
    Status Conditions(Statement& s);
    Status Using();
    orrery::Result<Statement> Use();
    orrery::Result<Statement> Create();
    orrery::Result<Statement> CreateKeyspace();
    orrery::Result<Statement> CreateTable();
    orrery::Result<Statement> Drop();
    orrery::Result<Statement> Truncate();
    orrery::Result<Statement> Insert();
    orrery::Result<Statement> Update();
    orrery::Result<Statement> Delete();
    orrery::Result<Statement> Select();
    orrery::Result<Statement> Batch();
    orrery::Result<Statement> Dispatch();

    std::vector<Token> t_;
    size_t pos_ = 0;
    int markers_ = 0;
    std::vector<std::string> marker_names_;
};

#define CQL_TRY(expr)                        \
    do {                                        \
        Status _st = (expr);                    \
        if (!_st.ok()) return _st;              \
    } while (0)

}  // namespace orrery::node::cql::internal
