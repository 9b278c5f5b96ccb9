// The CQL parser, second half: INSERT, UPDATE, DELETE, SELECT, BATCH and the entry point.
#include "node/cql_parser_impl.h"

namespace orrery::node::cql::internal {

// INSERT INTO table ( names ) VALUES ( terms ) [IF NOT EXISTS] [USING ...]
orrery::Result<Statement> Parser::Insert() {
    Statement s;
    s.kind = Statement::Kind::kInsert;
    CQL_TRY(ExpectWord("into"));
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    if (IsWord("json")) return Status::InvalidArgument("INSERT JSON is not supported");
    CQL_TRY(ExpectSym("("));
    do {
        orrery::Result<std::string> n = Name();
        if (!n.ok()) return n.status();
        s.insert_columns.push_back(n.value());
    } while (AcceptSym(","));
    CQL_TRY(ExpectSym(")"));
    CQL_TRY(ExpectWord("values"));
    CQL_TRY(ExpectSym("("));
    do {
        orrery::Result<Term> t = ParseTerm(0);
        if (!t.ok()) return t.status();
        s.insert_values.push_back(std::move(t).value());
    } while (AcceptSym(","));
    CQL_TRY(ExpectSym(")"));
    if (s.insert_values.size() != s.insert_columns.size()) {
        return Status::InvalidArgument("Unmatched column names/values");
    }
    CQL_TRY(IfNotExists(s));
    CQL_TRY(Using());
    return s;
}

// UPDATE table [USING ...] SET name = term {, name = term} WHERE relations [IF ...]
orrery::Result<Statement> Parser::Update() {
    Statement s;
    s.kind = Statement::Kind::kUpdate;
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    CQL_TRY(Using());
    CQL_TRY(ExpectWord("set"));
    do {
        orrery::Result<std::string> n = Name();
        if (!n.ok()) return n.status();
        if (IsSym("[") || IsSym(".")) {
            return Status::InvalidArgument("updating a collection element or a field is not supported");
        }
        CQL_TRY(ExpectSym("="));
        // `c = c + ...` (counters, collection appends) is not a plain value.
        if ((Peek().kind == K::kIdent || Peek().kind == K::kQuotedIdent) &&
            (IsSym("+", 1) || IsSym("-", 1))) {
            return Status::InvalidArgument(
                "counter and collection updates (c = c + x) are not supported");
        }
        orrery::Result<Term> t = ParseTerm(0);
        if (!t.ok()) return t.status();
        if (IsSym("+")) {
            return Status::InvalidArgument("collection prepends (c = x + c) are not supported");
        }
        s.assignments.emplace_back(n.value(), std::move(t).value());
    } while (AcceptSym(","));
    CQL_TRY(ExpectWord("where"));
    CQL_TRY(Where(s.where));
    CQL_TRY(Conditions(s));
    return s;
}

// DELETE [name {, name}] FROM table [USING ...] WHERE relations [IF ...]
orrery::Result<Statement> Parser::Delete() {
    Statement s;
    s.kind = Statement::Kind::kDelete;
    if (!IsWord("from")) {
        do {
            orrery::Result<std::string> n = Name();
            if (!n.ok()) return n.status();
            if (IsSym("[") || IsSym(".")) {
                return Status::InvalidArgument("deleting a collection element is not supported");
            }
            s.delete_columns.push_back(n.value());
        } while (AcceptSym(","));
    }
    CQL_TRY(ExpectWord("from"));
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    CQL_TRY(Using());
    CQL_TRY(ExpectWord("where"));
    CQL_TRY(Where(s.where));
    CQL_TRY(Conditions(s));
    return s;
}

// SELECT [DISTINCT] (* | selector {, selector}) FROM table [WHERE relations]
//     [ORDER BY name [ASC|DESC] {, ...}] [LIMIT term] [ALLOW FILTERING]
// selector := name [AS name] | COUNT(*) | COUNT(1)
orrery::Result<Statement> Parser::Select() {
    Statement s;
    s.kind = Statement::Kind::kSelect;
    if (IsWord("json")) return Status::InvalidArgument("SELECT JSON is not supported");
    s.distinct = AcceptWord("distinct");
    if (AcceptSym("*")) {
        s.select_star = true;
    } else {
        do {
            Selector sel;
            if (IsWord("count") && IsSym("(", 1)) {
                pos_ += 2;
                if (!AcceptSym("*") && !(Peek().kind == K::kInteger && Peek().text == "1")) {
                    return Fail("'*' or 1 in COUNT");
                }
                if (Peek().kind == K::kInteger) ++pos_;
                CQL_TRY(ExpectSym(")"));
                sel.count = true;
            } else {
                if (Peek().kind == K::kIdent && IsSym("(", 1)) {
                    return Status::InvalidArgument(
                        fmt::format("selector function {}() is not supported", Peek().text));
                }
                orrery::Result<std::string> n = Name();
                if (!n.ok()) return n.status();
                sel.column = n.value();
            }
            if (AcceptWord("as")) {
                orrery::Result<std::string> alias = Name();
                if (!alias.ok()) return alias.status();
                sel.alias = alias.value();
            }
            s.selectors.push_back(std::move(sel));
        } while (AcceptSym(","));
    }
    CQL_TRY(ExpectWord("from"));
    orrery::Result<TableRef> table = Table();
    if (!table.ok()) return table.status();
    s.table = table.value();
    if (AcceptWord("where")) CQL_TRY(Where(s.where));
    if (IsWord("group")) return Status::InvalidArgument("GROUP BY is not supported");
    if (AcceptWord("order")) {
        CQL_TRY(ExpectWord("by"));
        do {
            orrery::Result<std::string> n = Name();
            if (!n.ok()) return n.status();
            bool desc = AcceptWord("desc");
            if (!desc) AcceptWord("asc");
            s.order_by.emplace_back(n.value(), desc);
        } while (AcceptSym(","));
    }
    if (IsWord("per")) return Status::InvalidArgument("PER PARTITION LIMIT is not supported");
    if (AcceptWord("limit")) {
        orrery::Result<Term> t = ParseTerm(0);
        if (!t.ok()) return t.status();
        if (t.value().kind != Term::Kind::kInteger && t.value().kind != Term::Kind::kMarker) {
            return Status::InvalidArgument("LIMIT must be an integer or a bind marker");
        }
        s.limit = std::move(t).value();
    }
    if (AcceptWord("allow")) {
        CQL_TRY(ExpectWord("filtering"));
        s.allow_filtering = true;
    }
    return s;
}

// BEGIN [UNLOGGED | COUNTER] BATCH [USING ...] statement ; {statement ;} APPLY BATCH
orrery::Result<Statement> Parser::Batch() {
    Statement s;
    s.kind = Statement::Kind::kBatch;
    if (AcceptWord("counter")) return Status::InvalidArgument("counter batches are not supported");
    if (AcceptWord("unlogged")) s.batch_logged = false;
    CQL_TRY(ExpectWord("batch"));
    CQL_TRY(Using());
    while (!AcceptWord("apply")) {
        if (s.batch.size() >= kMaxBatchStatements) return Fail("APPLY BATCH");
        orrery::Result<Statement> inner = Dispatch();
        if (!inner.ok()) return inner.status();
        const Statement::Kind k = inner.value().kind;
        if (k != Statement::Kind::kInsert && k != Statement::Kind::kUpdate &&
            k != Statement::Kind::kDelete) {
            return Status::InvalidArgument(
                "Only INSERT, UPDATE and DELETE statements are allowed in a BATCH");
        }
        s.batch.push_back(std::move(inner).value());
        AcceptSym(";");
    }
    CQL_TRY(ExpectWord("batch"));
    return s;
}

orrery::Result<Statement> Parser::Dispatch() {
    const Token& t = Peek();
    if (t.kind != K::kIdent) return Fail("a statement");
    ++pos_;
    const std::string& w = t.text;
    if (w == "use") return Use();
    if (w == "create") return Create();
    if (w == "drop") return Drop();
    if (w == "truncate") return Truncate();
    if (w == "insert") return Insert();
    if (w == "update") return Update();
    if (w == "delete") return Delete();
    if (w == "select") return Select();
    if (w == "begin") {
        if (IsWord("batch") || IsWord("unlogged") || IsWord("counter")) return Batch();
        return Fail("BATCH");
    }
    if (w == "alter") return Status::InvalidArgument("ALTER is not supported");
    if (w == "grant" || w == "revoke" || w == "list") {
        return Status::InvalidArgument("authorization statements are not supported");
    }
    --pos_;
    return Fail("a statement");
}

orrery::Result<Statement> Parser::ParseOne() {
    orrery::Result<Statement> s = Dispatch();
    if (!s.ok()) return s;
    AcceptSym(";");
    if (Peek().kind != K::kEnd) return Fail("end of statement");
    s.value().marker_count = markers_;
    s.value().marker_names = marker_names_;
    return s;
}

}  // namespace orrery::node::cql::internal

namespace orrery::node::cql {

orrery::Result<Statement> ParseStatement(std::string_view text) {
    orrery::Result<std::vector<Token>> tokens = Lex(text);
    if (!tokens.ok()) return tokens.status();
    internal::Parser parser(std::move(tokens).value());
    return parser.ParseOne();
}

}  // namespace orrery::node::cql
