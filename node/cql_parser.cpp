// The CQL parser: recursive descent over cql_lexer.h's tokens, one function per statement.
// The grammar of each statement is in the comment above its function.
#include "node/cql_parser.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_parser_impl.h"

namespace orrery::node::cql::internal {

// name := ident | "quoted ident"
orrery::Result<std::string> Parser::Name() {
    const Token& t = Peek();
    if (t.kind != K::kIdent && t.kind != K::kQuotedIdent) return Fail("a name");
    ++pos_;
    return t.text;
}

// table := name [. name]
orrery::Result<TableRef> Parser::Table() {
    orrery::Result<std::string> first = Name();
    if (!first.ok()) return first.status();
    TableRef ref;
    if (AcceptSym(".")) {
        orrery::Result<std::string> second = Name();
        if (!second.ok()) return second.status();
        ref.keyspace = first.value();
        ref.table = second.value();
    } else {
        ref.table = first.value();
    }
    return ref;
}

// term := literal | ? | :name | [terms] | {terms} | {term: term, ...} | - number
orrery::Result<Term> Parser::ParseTerm(int depth) {
    if (depth > kMaxTermDepth) return Fail("a less deeply nested value");
    const Token t = Peek();
    Term term;
    switch (t.kind) {
    case K::kString: term.kind = Term::Kind::kString; break;
    case K::kInteger: term.kind = Term::Kind::kInteger; break;
    case K::kFloat: term.kind = Term::Kind::kFloat; break;
    case K::kUuid: term.kind = Term::Kind::kUuid; break;
    case K::kBlob: term.kind = Term::Kind::kBlob; break;
    case K::kMarker:
    case K::kNamedMarker:
        if (markers_ >= kMaxMarkers) return Fail("fewer bind markers");
        term.kind = Term::Kind::kMarker;
        term.marker = markers_++;
        marker_names_.push_back(t.kind == K::kNamedMarker ? t.text : "");
        break;
    case K::kIdent:
        if (t.text == "true" || t.text == "false") {
            term.kind = Term::Kind::kBoolean;
        } else if (t.text == "null") {
            term.kind = Term::Kind::kNull;
        } else if (t.text == "nan" || t.text == "infinity") {
            term.kind = Term::Kind::kFloat;
        } else if (IsSym("(", 1)) {
            return Status::InvalidArgument(
                fmt::format("function calls are not supported ({}(...))", t.text));
        } else {
            return Fail("a value");
        }
        break;
    case K::kSymbol:
        if (t.text == "-" && Peek(1).kind == K::kIdent && Peek(1).text == "infinity") {
            pos_ += 2;
            term.kind = Term::Kind::kFloat;
            term.text = "-infinity";
            return term;
        }
        if (t.text == "[" || t.text == "{") {
            ++pos_;
            const std::string close = t.text == "[" ? "]" : "}";
            term.kind = t.text == "[" ? Term::Kind::kList : Term::Kind::kSet;
            while (!AcceptSym(close)) {
                if (!term.items.empty()) CQL_TRY(ExpectSym(","));
                orrery::Result<Term> item = ParseTerm(depth + 1);
                if (!item.ok()) return item.status();
                term.items.push_back(std::move(item).value());
                if (close == "}" && AcceptSym(":")) {
                    if (term.items.size() != 1 && term.kind != Term::Kind::kMap) {
                        return Fail("a set element, not a map entry");
                    }
                    term.kind = Term::Kind::kMap;
                    orrery::Result<Term> value = ParseTerm(depth + 1);
                    if (!value.ok()) return value.status();
                    term.items.push_back(std::move(value).value());
                } else if (term.kind == Term::Kind::kMap) {
                    return Fail("':' in a map literal");
                }
            }
            return term;
        }
        return Fail("a value");
    default:
        return Fail("a value");
    }
    term.text = t.text;
    ++pos_;
    return term;
}

// type := name [< type {, type} >]  (returned as text; cql_values.h reads it)
orrery::Result<std::string> Parser::TypeText() {
    orrery::Result<std::string> base = Name();
    if (!base.ok()) return base.status();
    std::string out = base.value();
    if (!AcceptSym("<")) return out;
    out += "<";
    for (int i = 0;; ++i) {
        if (i > 0) out += ", ";
        orrery::Result<std::string> inner = TypeText();
        if (!inner.ok()) return inner.status();
        out += inner.value();
        if (AcceptSym(">")) break;
        CQL_TRY(ExpectSym(","));
    }
    return out + ">";
}

Status Parser::IfNotExists(Statement& s) {
    if (!IsWord("if")) return Status::Ok();
    ++pos_;
    CQL_TRY(ExpectWord("not"));
    CQL_TRY(ExpectWord("exists"));
    s.if_not_exists = true;
    return Status::Ok();
}

Status Parser::IfExists(Statement& s) {
    if (!IsWord("if")) return Status::Ok();
    ++pos_;
    CQL_TRY(ExpectWord("exists"));
    s.if_exists = true;
    return Status::Ok();
}

// properties := name = term {AND name = term}   (after WITH)
Status Parser::Properties(Statement& s) {
    do {
        if (s.kind == Statement::Kind::kCreateTable && IsWord("clustering")) {
            // CLUSTERING ORDER BY (c [ASC|DESC], ...)
            ++pos_;
            CQL_TRY(ExpectWord("order"));
            CQL_TRY(ExpectWord("by"));
            CQL_TRY(ExpectSym("("));
            do {
                orrery::Result<std::string> col = Name();
                if (!col.ok()) return col.status();
                bool desc = AcceptWord("desc");
                if (!desc) AcceptWord("asc");
                s.clustering_order.emplace_back(col.value(), desc);
            } while (AcceptSym(","));
            CQL_TRY(ExpectSym(")"));
            continue;
        }
        if (IsWord("compact")) {
            return Status::InvalidArgument("COMPACT STORAGE is not supported");
        }
        orrery::Result<std::string> name = Name();
        if (!name.ok()) return name.status();
        CQL_TRY(ExpectSym("="));
        orrery::Result<Term> value = ParseTerm(0);
        if (!value.ok()) return value.status();
        s.properties.emplace_back(name.value(), std::move(value).value());
    } while (AcceptWord("and"));
    return Status::Ok();
}

// USING TTL n | USING TIMESTAMP n: refused (see cql_translate.h).
Status Parser::Using() {
    if (!IsWord("using")) return Status::Ok();
    if (IsWord("ttl", 1)) return Status::InvalidArgument("TTL is not supported");
    if (IsWord("timestamp", 1)) {
        return Status::InvalidArgument("USING TIMESTAMP is not supported");
    }
    return Fail("TTL or TIMESTAMP");
}

// relation := name op term | name IN ( terms ) | name IN ?
Status Parser::Where(std::vector<Relation>& out) {
    do {
        if (IsSym("(")) return Status::InvalidArgument("multi-column relations are not supported");
        if (IsWord("token") && IsSym("(", 1)) {
            return Status::InvalidArgument("token() relations are not supported");
        }
        Relation rel;
        orrery::Result<std::string> col = Name();
        if (!col.ok()) return col.status();
        rel.column = col.value();
        if (AcceptWord("in")) {
            rel.op = "IN";
            if (AcceptSym("(")) {
                while (!AcceptSym(")")) {
                    if (!rel.terms.empty()) CQL_TRY(ExpectSym(","));
                    orrery::Result<Term> t = ParseTerm(0);
                    if (!t.ok()) return t.status();
                    rel.terms.push_back(std::move(t).value());
                }
            } else {
                orrery::Result<Term> t = ParseTerm(0);
                if (!t.ok()) return t.status();
                if (t.value().kind != Term::Kind::kMarker) return Fail("'(' or a bind marker");
                rel.terms.push_back(std::move(t).value());
            }
            out.push_back(std::move(rel));
            continue;
        }
        if (IsWord("contains")) return Status::InvalidArgument("CONTAINS is not supported");
        if (IsWord("like")) return Status::InvalidArgument("LIKE is not supported");
        const Token& op = Peek();
        if (op.kind != K::kSymbol ||
            (op.text != "=" && op.text != "<" && op.text != "<=" && op.text != ">" &&
             op.text != ">=" && op.text != "!=")) {
            return Fail("a comparison operator");
        }
        rel.op = op.text;
        ++pos_;
        orrery::Result<Term> t = ParseTerm(0);
        if (!t.ok()) return t.status();
        rel.terms.push_back(std::move(t).value());
        out.push_back(std::move(rel));
    } while (AcceptWord("and"));
    return Status::Ok();
}

// IF EXISTS | IF condition {AND condition}
Status Parser::Conditions(Statement& s) {
    if (!AcceptWord("if")) return Status::Ok();
    if (AcceptWord("exists")) {
        s.if_exists = true;
        return Status::Ok();
    }
    CQL_TRY(Where(s.conditions));
    for (const Relation& r : s.conditions) {
        if (r.op == "IN") return Status::InvalidArgument("IN conditions are not supported");
    }
    return Status::Ok();
}

// USE name
orrery::Result<Statement> Parser::Use() {
    Statement s;
    s.kind = Statement::Kind::kUse;
    orrery::Result<std::string> ks = Name();
    if (!ks.ok()) return ks.status();
    s.keyspace = ks.value();
    return s;
}

orrery::Result<Statement> Parser::Create() {
    if (AcceptWord("keyspace") || AcceptWord("schema")) return CreateKeyspace();
    if (AcceptWord("table") || AcceptWord("columnfamily")) return CreateTable();
    if (IsWord("index") || IsWord("custom")) {
        return Status::InvalidArgument("secondary indexes are not supported");
    }
    if (IsWord("materialized")) return Status::InvalidArgument("materialized views are not supported");
    if (IsWord("type")) return Status::InvalidArgument("user-defined types are not supported");
    if (IsWord("function") || IsWord("aggregate") || IsWord("or")) {
        return Status::InvalidArgument("user-defined functions are not supported");
    }
    if (IsWord("trigger")) return Status::InvalidArgument("triggers are not supported");
    return Fail("KEYSPACE or TABLE");
}

// CREATE KEYSPACE [IF NOT EXISTS] name WITH properties
orrery::Result<Statement> Parser::CreateKeyspace() {
    Statement s;
    s.kind = Statement::Kind::kCreateKeyspace;
    CQL_TRY(IfNotExists(s));
    orrery::Result<std::string> ks = Name();
    if (!ks.ok()) return ks.status();
    s.keyspace = ks.value();
    CQL_TRY(ExpectWord("with"));
    CQL_TRY(Properties(s));
    return s;
}

// CREATE TABLE [IF NOT EXISTS] table ( coldef {, coldef} [, PRIMARY KEY ( pk )] )
//     [WITH properties]
// coldef := name type [STATIC] [PRIMARY KEY]
// pk := name {, name} | ( name {, name} ) {, name}
orrery::Result<Statement> Parser::CreateTable() {
    Statement s;
    s.kind = Statement::Kind::kCreateTable;
    CQL_TRY(IfNotExists(s));
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    CQL_TRY(ExpectSym("("));
    bool key_clause = false;
    do {
        if (IsWord("primary") && IsWord("key", 1)) {
            pos_ += 2;
            if (key_clause) return Status::InvalidArgument("Multiple PRIMARY KEY clauses");
            key_clause = true;
            CQL_TRY(ExpectSym("("));
            if (AcceptSym("(")) {
                do {
                    orrery::Result<std::string> n = Name();
                    if (!n.ok()) return n.status();
                    s.partition_key.push_back(n.value());
                } while (AcceptSym(","));
                CQL_TRY(ExpectSym(")"));
            } else {
                orrery::Result<std::string> n = Name();
                if (!n.ok()) return n.status();
                s.partition_key.push_back(n.value());
            }
            while (AcceptSym(",")) {
                orrery::Result<std::string> n = Name();
                if (!n.ok()) return n.status();
                s.clustering_key.push_back(n.value());
            }
            CQL_TRY(ExpectSym(")"));
            continue;
        }
        ColumnDef def;
        orrery::Result<std::string> n = Name();
        if (!n.ok()) return n.status();
        def.name = n.value();
        orrery::Result<std::string> type = TypeText();
        if (!type.ok()) return type.status();
        def.type = type.value();
        if (IsWord("static")) return Status::InvalidArgument("static columns are not supported");
        if (AcceptWord("primary")) {
            CQL_TRY(ExpectWord("key"));
            def.primary_key = true;
        }
        s.columns.push_back(std::move(def));
    } while (AcceptSym(","));
    CQL_TRY(ExpectSym(")"));
    if (AcceptWord("with")) CQL_TRY(Properties(s));
    return s;
}

// DROP KEYSPACE [IF EXISTS] name | DROP TABLE [IF EXISTS] table
orrery::Result<Statement> Parser::Drop() {
    Statement s;
    if (AcceptWord("keyspace") || AcceptWord("schema")) {
        s.kind = Statement::Kind::kDropKeyspace;
        CQL_TRY(IfExists(s));
        orrery::Result<std::string> ks = Name();
        if (!ks.ok()) return ks.status();
        s.keyspace = ks.value();
        return s;
    }
    if (!AcceptWord("table") && !AcceptWord("columnfamily")) {
        if (IsWord("index") || IsWord("type") || IsWord("materialized") || IsWord("function")) {
            return Status::InvalidArgument(fmt::format("DROP {} is not supported", Peek().text));
        }
        return Fail("KEYSPACE or TABLE");
    }
    s.kind = Statement::Kind::kDropTable;
    CQL_TRY(IfExists(s));
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    return s;
}

// TRUNCATE [TABLE] table
orrery::Result<Statement> Parser::Truncate() {
    Statement s;
    s.kind = Statement::Kind::kTruncate;
    AcceptWord("table") || AcceptWord("columnfamily");
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    return s;
}

}  // namespace orrery::node::cql::internal
