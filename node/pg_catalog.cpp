// PgCatalog: the match (tokens against psql's templates) and the answers. See pg_catalog.h.
#include "node/pg_catalog.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <regex>
#include <utility>

#include "node/pg_catalog_templates.h"

namespace orrery::node::pgcat {
namespace {

using sql::DataType;
using sql::Row;
using sql::StatementResult;
using sql::Value;

// --- tokens -----------------------------------------------------------------------------------

struct Token {
    enum class Kind : uint8_t { kWord, kQuotedName, kLiteral, kPunct } kind;
    std::string text;  // Words lower case; a literal's value with '' undone.
};

// Bounded: psql's longest describe query is about 1,600 bytes; anything far longer is not one.
constexpr size_t kMaxTokens = 2048;

bool IsWordChar(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

// Cuts `q` into tokens; nullopt for an unterminated quote or too many tokens.
std::optional<std::vector<Token>> Tokenize(std::string_view q) {
    std::vector<Token> out;
    size_t i = 0;
    while (i < q.size()) {
        if (out.size() > kMaxTokens) return std::nullopt;
        char c = q[i];
        if (std::isspace(static_cast<unsigned char>(c)) != 0) {
            ++i;
        } else if (q.substr(i, 2) == "--") {
            size_t nl = q.find('\n', i);
            i = nl == std::string_view::npos ? q.size() : nl + 1;
        } else if (c == '\'' || c == '"') {
            std::string value;
            size_t j = i + 1;
            for (;; ++j) {
                if (j >= q.size()) return std::nullopt;
                if (q[j] != c) {
                    value += q[j];
                } else if (j + 1 < q.size() && q[j + 1] == c) {
                    value += c;
                    ++j;
                } else {
                    break;
                }
            }
            out.push_back({c == '\'' ? Token::Kind::kLiteral : Token::Kind::kQuotedName, value});
            i = j + 1;
        } else if (IsWordChar(c)) {
            size_t j = i;
            while (j < q.size() && IsWordChar(q[j])) ++j;
            std::string word(q.substr(i, j - i));
            for (char& ch : word)
                ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
            out.push_back({Token::Kind::kWord, std::move(word)});
            i = j;
        } else {
            out.push_back({Token::Kind::kPunct, std::string(1, c)});
            ++i;
        }
    }
    if (!out.empty() && out.back().kind == Token::Kind::kPunct && out.back().text == ";") {
        out.pop_back();
    }
    return out;
}

bool SameToken(const Token& a, const Token& b) { return a.kind == b.kind && a.text == b.text; }

// Matches the query's tokens against one template's, filling the holes (pg_catalog.h).
bool MatchTokens(const std::vector<Token>& q, const std::vector<Token>& t, RecognizedQuery* out) {
    size_t i = 0;
    for (const Token& tt : t) {
        if (i >= q.size()) return false;
        bool hole = tt.kind == Token::Kind::kLiteral && !tt.text.empty() && tt.text[0] == '$';
        if (!hole) {
            if (!SameToken(q[i++], tt)) return false;
            continue;
        }
        if (q[i].kind != Token::Kind::kLiteral) return false;
        if (tt.text == "$KINDS") {
            out->kinds.push_back(q[i++].text);
            while (i + 1 < q.size() && q[i].text == "," && q[i + 1].kind == Token::Kind::kLiteral) {
                out->kinds.push_back(q[i + 1].text);
                i += 2;
            }
        } else if (tt.text == "$OID") {
            if (out->oid && *out->oid != q[i].text) return false;  // One relation per query.
            out->oid = q[i++].text;
        } else {
            ORRERY_ASSERT(tt.text == "$PATTERN", "unknown hole {}", tt.text);
            out->pattern = q[i++].text;
        }
    }
    return i == q.size();
}

// --- the catalog, from SHOW CATALOG's rows -----------------------------------------------------

constexpr uint32_t kFirstOid = 16384;  // PostgreSQL's FirstNormalObjectId.
constexpr uint32_t kOidsPerTable = 1024;

struct PgIndex {
    uint32_t oid = 0;
    std::string name;
    bool primary = false;
    bool unique = false;
    std::vector<int> columns;  // 1-based positions.
};

struct PgForeignKey {
    std::string name;
    std::vector<int> columns;
    std::string parent;
    std::vector<int> parent_columns;  // Positions in the parent.
};

struct PgTable {
    uint32_t oid = 0;
    std::string name;
    std::vector<std::vector<Value>> columns;  // SHOW CATALOG's column rows.
    std::vector<PgIndex> indexes;             // The primary key first.
    std::vector<PgForeignKey> foreign_keys;
    std::vector<std::pair<std::string, std::string>> checks;  // (name, expression).
};

struct Model {
    std::vector<PgTable> tables;  // By name (SHOW CATALOG's order).
};

sql::SqlError Internal(std::string message) {
    return sql::MakeSqlError(sql::ErrorKind::kInternal, std::move(message));
}

std::vector<int> Positions(const Value& v) {
    std::vector<int> out;
    if (v.is_null()) return out;
    std::string_view s = v.string();
    size_t i = 0;
    while (i < s.size()) {
        int n = 0;
        auto [end, ec] = std::from_chars(s.data() + i, s.data() + s.size(), n);
        if (ec != std::errc()) break;
        out.push_back(n);
        i = static_cast<size_t>(end - s.data()) + 1;  // Past the comma.
    }
    return out;
}

std::string Text(const Value& v) { return v.is_null() ? std::string() : v.string(); }

sql::SqlResult<Model> BuildModel(const StatementResult& rows) {
    if (rows.columns.size() != 12) return Internal("SHOW CATALOG answered an unexpected shape");
    Model m;
    for (const Row& r : rows.rows) {
        if (r.size() != 12 || r[0].type() != DataType::kInteger ||
            r[2].type() != DataType::kString) {
            return Internal("SHOW CATALOG answered a malformed row");
        }
        std::string kind = r[2].string();
        if (kind == "table") {
            int64_t id = r[0].integer();
            if (id <= 0 || id >= (int64_t{1} << 21)) return Internal("a table id out of OID range");
            PgTable t;
            t.oid = kFirstOid + static_cast<uint32_t>(id) * kOidsPerTable;
            t.name = Text(r[1]);
            m.tables.push_back(std::move(t));
            continue;
        }
        if (m.tables.empty() || m.tables.back().name != Text(r[1])) {
            return Internal("SHOW CATALOG listed an object before its table");
        }
        PgTable& t = m.tables.back();
        if (kind == "column") {
            t.columns.push_back(r);
        } else if (kind == "primary key") {
            t.indexes.insert(t.indexes.begin(),
                             PgIndex{t.oid + 1, t.name + "_pkey", true, true, Positions(r[8])});
        } else if (kind == "index") {
            int64_t pos = r[3].integer();
            if (pos <= 0 || pos + 1 >= kOidsPerTable) return Internal("too many indexes for OIDs");
            t.indexes.push_back({t.oid + 1 + static_cast<uint32_t>(pos), Text(r[4]), false,
                                 r[6].boolean(), Positions(r[8])});
        } else if (kind == "foreign key") {
            t.foreign_keys.push_back({Text(r[4]), Positions(r[8]), Text(r[9]), Positions(r[10])});
        } else if (kind == "check") {
            t.checks.emplace_back(Text(r[4]), Text(r[11]));
        }
    }
    return m;
}

const PgTable* TableNamed(const Model& m, std::string_view name) {
    for (const PgTable& t : m.tables) {
        if (t.name == name) return &t;
    }
    return nullptr;
}

// The table (and, for an index, the index) a '$OID' names; nullptrs when nothing.
std::pair<const PgTable*, const PgIndex*> ByOid(const Model& m,
                                                const std::optional<std::string>& oid) {
    uint32_t n = 0;
    if (!oid) return {nullptr, nullptr};
    auto [end, ec] = std::from_chars(oid->data(), oid->data() + oid->size(), n);
    if (ec != std::errc() || end != oid->data() + oid->size()) return {nullptr, nullptr};
    for (const PgTable& t : m.tables) {
        if (t.oid == n) return {&t, nullptr};
        for (const PgIndex& i : t.indexes) {
            if (i.oid == n) return {&t, &i};
        }
    }
    return {nullptr, nullptr};
}

// --- PostgreSQL's spellings --------------------------------------------------------------------

// format_type() of an Orrery type as SHOW CATALOG writes it ("INTEGER", "STRING(20)").
std::string FormatType(std::string_view type) {
    if (type == "INTEGER") return "bigint";
    if (type == "FLOAT") return "double precision";
    if (type == "STRING") return "text";
    if (type == "BOOLEAN") return "boolean";
    if (type == "TIMESTAMP") return "timestamp without time zone";
    if (type == "BLOB") return "bytea";
    if (type.substr(0, 7) == "STRING(") return fmt::format("character varying{}", type.substr(6));
    return std::string(type);
}

// pg_get_expr() of a column default: the engine's literal in PostgreSQL's casting style.
std::string FormatDefault(std::string_view type, std::string_view literal) {
    if (literal == "TRUE" || literal == "FALSE" || literal == "NULL") {
        std::string lower(literal);
        for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return lower;
    }
    if (literal.substr(0, 10) == "TIMESTAMP ") {
        return fmt::format("{}::timestamp without time zone", literal.substr(10));
    }
    if (literal.substr(0, 2) == "x'") {
        return fmt::format("'\\x{}::bytea", literal.substr(2));
    }
    if (!literal.empty() && literal[0] == '\'')
        return fmt::format("{}::{}", literal, FormatType(type));
    return std::string(literal);
}

// quote_ident(): bare when lower-case letters, digits and '_' (not first a digit).
std::string QuoteIdent(std::string_view name) {
    bool bare = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) == 0;
    for (char c : name) {
        bare = bare && (std::islower(static_cast<unsigned char>(c)) != 0 ||
                        std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '_');
    }
    if (bare) return std::string(name);
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string ColumnList(const PgTable& t, const std::vector<int>& positions) {
    std::string out;
    for (int p : positions) {
        if (!out.empty()) out += ", ";
        if (p >= 1 && static_cast<size_t>(p) <= t.columns.size()) {
            out += QuoteIdent(Text(t.columns[static_cast<size_t>(p) - 1][4]));
        }
    }
    return out;
}

std::string IndexDef(const PgTable& t, const PgIndex& i) {
    return fmt::format("CREATE {}INDEX {} ON public.{} USING btree ({})", i.unique ? "UNIQUE " : "",
                       QuoteIdent(i.name), QuoteIdent(t.name), ColumnList(t, i.columns));
}

std::string ForeignKeyDef(const Model& m, const PgTable& t, const PgForeignKey& fk) {
    const PgTable* parent = TableNamed(m, fk.parent);
    return fmt::format("FOREIGN KEY ({}) REFERENCES {}({})", ColumnList(t, fk.columns),
                       QuoteIdent(fk.parent), parent ? ColumnList(*parent, fk.parent_columns) : "");
}

bool Referenced(const Model& m, const PgTable& t) {
    for (const PgTable& c : m.tables) {
        for (const PgForeignKey& fk : c.foreign_keys) {
            if (fk.parent == t.name) return true;
        }
    }
    return false;
}

// --- answers -----------------------------------------------------------------------------------

StatementResult Result(std::vector<std::pair<const char*, DataType>> columns) {
    StatementResult r;
    for (const auto& [name, type] : columns) r.columns.push_back({name, type});
    return r;
}

Value Str(std::string s) { return Value::String(std::move(s)); }

// A result of `n` text columns and no rows: psql reads none of its cells.
StatementResult NoRows(size_t n) {
    StatementResult r;
    for (size_t i = 0; i < n; ++i)
        r.columns.push_back({fmt::format("column{}", i + 1), DataType::kString});
    return r;
}

struct Relation {
    const PgTable* table;
    const PgIndex* index;  // nullptr: the table itself.
    std::string name() const { return index ? index->name : table->name; }
    uint32_t oid() const { return index ? index->oid : table->oid; }
};

// Every relation whose relkind is in `kinds` and whose name matches `pattern`, by name.
sql::SqlResult<std::vector<Relation>> Relations(const Model& m, const RecognizedQuery& q,
                                                bool all_kinds) {
    std::optional<std::regex> re;
    if (q.pattern) {
        try {
            re.emplace(*q.pattern, std::regex::ECMAScript);
        } catch (const std::regex_error&) {
            return sql::MakeSqlError(
                sql::ErrorKind::kFeatureNotSupported,
                fmt::format("the name pattern {} is not supported", *q.pattern));
        }
    }
    auto wants = [&](char kind) {
        return all_kinds ||
               std::find(q.kinds.begin(), q.kinds.end(), std::string(1, kind)) != q.kinds.end();
    };
    std::vector<Relation> out;
    for (const PgTable& t : m.tables) {
        if (wants('r')) out.push_back({&t, nullptr});
        if (!wants('i')) continue;
        for (const PgIndex& i : t.indexes) out.push_back({&t, &i});
    }
    if (re) {
        std::erase_if(out, [&](const Relation& r) { return !std::regex_match(r.name(), *re); });
    }
    std::sort(out.begin(), out.end(),
              [](const Relation& a, const Relation& b) { return a.name() < b.name(); });
    return out;
}

sql::SqlResult<StatementResult> List(const Model& m, const RecognizedQuery& q,
                                     std::string_view user, bool with_table) {
    auto relations = Relations(m, q, /*all_kinds=*/false);
    if (!relations.ok()) return relations.error();
    StatementResult r = Result({{"Schema", DataType::kString},
                                {"Name", DataType::kString},
                                {"Type", DataType::kString},
                                {"Owner", DataType::kString}});
    if (with_table) r.columns.push_back({"Table", DataType::kString});
    for (const Relation& rel : relations.value()) {
        Row row = {Str("public"), Str(rel.name()), Str(rel.index ? "index" : "table"),
                   Str(std::string(user))};
        if (with_table) row.push_back(rel.index ? Str(rel.table->name) : Value::Null());
        r.rows.push_back(std::move(row));
    }
    return r;
}

sql::SqlResult<StatementResult> Lookup(const Model& m, const RecognizedQuery& q) {
    auto relations = Relations(m, q, /*all_kinds=*/true);
    if (!relations.ok()) return relations.error();
    StatementResult r = Result({{"oid", DataType::kInteger},
                                {"nspname", DataType::kString},
                                {"relname", DataType::kString}});
    for (const Relation& rel : relations.value()) {
        r.rows.push_back({Value::Integer(rel.oid()), Str("public"), Str(rel.name())});
    }
    return r;
}

StatementResult RelationInfo(const Model& m, const Relation* rel) {
    StatementResult r = Result({{"relchecks", DataType::kInteger},
                                {"relkind", DataType::kString},
                                {"relhasindex", DataType::kBoolean},
                                {"relhasrules", DataType::kBoolean},
                                {"relhastriggers", DataType::kBoolean},
                                {"relrowsecurity", DataType::kBoolean},
                                {"relforcerowsecurity", DataType::kBoolean},
                                {"relhasoids", DataType::kBoolean},
                                {"relispartition", DataType::kBoolean},
                                {"?column?", DataType::kString},
                                {"reltablespace", DataType::kInteger},
                                {"case", DataType::kString},
                                {"relpersistence", DataType::kString},
                                {"relreplident", DataType::kString},
                                {"amname", DataType::kString}});
    if (rel == nullptr) return r;
    const PgTable& t = *rel->table;
    bool table = rel->index == nullptr;
    // PostgreSQL implements foreign keys with triggers on both tables; psql asks for the
    // foreign keys (and the references to the table) only when relhastriggers says so.
    bool triggers = table && (!t.foreign_keys.empty() || Referenced(m, t));
    // The access method psql's \d+ prints: "orrery" for a table (rows in the node's MVCC store,
    // not PostgreSQL's heap), "btree" for an index (an ordered key range of that store).
    r.rows.push_back({Value::Integer(table ? static_cast<int64_t>(t.checks.size()) : 0),
                      Str(table ? "r" : "i"), Value::Boolean(table && !t.indexes.empty()),
                      Value::Boolean(false), Value::Boolean(triggers), Value::Boolean(false),
                      Value::Boolean(false), Value::Boolean(false), Value::Boolean(false), Str(""),
                      Value::Integer(0), Str(""), Str("p"), Str("d"),
                      Str(table ? "orrery" : "btree")});
    return r;
}

// `verbose` (\d+) adds storage, compression, statistics target and description. Orrery keeps
// every value inline in its row, uncompressed ('p', plain, for every type: there is no TOAST),
// and has neither per-column statistics targets nor comments.
StatementResult Columns(const PgTable* t, bool verbose) {
    StatementResult r = Result({{"attname", DataType::kString},
                                {"format_type", DataType::kString},
                                {"pg_get_expr", DataType::kString},
                                {"attnotnull", DataType::kBoolean},
                                {"attcollation", DataType::kString},
                                {"attidentity", DataType::kString},
                                {"attgenerated", DataType::kString}});
    if (verbose) {
        for (auto [name, type] : {std::pair{"attstorage", DataType::kString},
                                  std::pair{"attcompression", DataType::kString},
                                  std::pair{"attstattarget", DataType::kInteger},
                                  std::pair{"col_description", DataType::kString}}) {
            r.columns.push_back({name, type});
        }
    }
    if (t == nullptr) return r;
    for (const std::vector<Value>& c : t->columns) {
        std::string type = Text(c[5]);
        Value def = c[7].is_null() ? Value::Null() : Str(FormatDefault(type, Text(c[7])));
        // Collation: psql shows one only when it differs from the type's default; never here.
        Row row{c[4], Str(FormatType(type)), def, Value::Boolean(c[6].boolean()),
                Value::Null(), Str(""), Str("")};
        if (verbose) row.insert(row.end(), {Str("p"), Str(""), Value::Null(), Value::Null()});
        r.rows.push_back(std::move(row));
    }
    return r;
}

// \d INDEX: one row per indexed column, all of them key columns (Orrery has no INCLUDE).
StatementResult IndexColumns(const Relation* rel) {
    StatementResult r = Result({{"attname", DataType::kString},
                                {"format_type", DataType::kString},
                                {"is_key", DataType::kString},
                                {"indexdef", DataType::kString}});
    if (rel == nullptr || rel->index == nullptr) return r;
    const PgTable& t = *rel->table;
    for (int p : rel->index->columns) {
        if (p <= 0 || static_cast<size_t>(p) > t.columns.size()) continue;
        const std::vector<Value>& c = t.columns[static_cast<size_t>(p) - 1];
        std::string name = Text(c[4]);
        r.rows.push_back({Str(name), Str(FormatType(Text(c[5]))), Str("yes"), Str(QuoteIdent(name))});
    }
    return r;
}

// \d INDEX: the line under the columns ("unique, btree, for table ..."). Orrery's indexes
// are all B-tree-ordered ranges of the table's key space, valid, immediate and not partial.
StatementResult IndexInfo(const Relation* rel) {
    StatementResult r = Result({{"indisunique", DataType::kBoolean},
                                {"indisprimary", DataType::kBoolean},
                                {"indisclustered", DataType::kBoolean},
                                {"indisvalid", DataType::kBoolean},
                                {"condeferrable", DataType::kBoolean},
                                {"condeferred", DataType::kBoolean},
                                {"indisreplident", DataType::kBoolean},
                                {"indnullsnotdistinct", DataType::kBoolean},
                                {"amname", DataType::kString},
                                {"relname", DataType::kString},
                                {"pg_get_expr", DataType::kString}});
    if (rel == nullptr || rel->index == nullptr) return r;
    const PgIndex& i = *rel->index;
    r.rows.push_back({Value::Boolean(i.unique), Value::Boolean(i.primary), Value::Boolean(false),
                      Value::Boolean(true), Value::Boolean(false), Value::Boolean(false),
                      Value::Boolean(false), Value::Boolean(false), Str("btree"),
                      Str(rel->table->name), Value::Null()});
    return r;
}

StatementResult Indexes(const PgTable* t) {
    StatementResult r = Result({{"relname", DataType::kString},
                                {"indisprimary", DataType::kBoolean},
                                {"indisunique", DataType::kBoolean},
                                {"indisclustered", DataType::kBoolean},
                                {"indisvalid", DataType::kBoolean},
                                {"pg_get_indexdef", DataType::kString},
                                {"pg_get_constraintdef", DataType::kString},
                                {"contype", DataType::kString},
                                {"condeferrable", DataType::kBoolean},
                                {"condeferred", DataType::kBoolean},
                                {"indisreplident", DataType::kBoolean},
                                {"reltablespace", DataType::kInteger}});
    if (t == nullptr) return r;
    std::vector<const PgIndex*> order;
    for (const PgIndex& i : t->indexes) order.push_back(&i);
    // ORDER BY i.indisprimary DESC, c2.relname.
    std::sort(order.begin(), order.end(), [](const PgIndex* a, const PgIndex* b) {
        return a->primary != b->primary ? a->primary : a->name < b->name;
    });
    for (const PgIndex* i : order) {
        Value condef = i->primary ? Str(fmt::format("PRIMARY KEY ({})", ColumnList(*t, i->columns)))
                                  : Value::Null();
        r.rows.push_back({Str(i->name), Value::Boolean(i->primary), Value::Boolean(i->unique),
                          Value::Boolean(false), Value::Boolean(true), Str(IndexDef(*t, *i)),
                          condef, i->primary ? Str("p") : Value::Null(), Value::Boolean(false),
                          Value::Boolean(false), Value::Boolean(false), Value::Integer(0)});
    }
    return r;
}

StatementResult Checks(const PgTable* t) {
    StatementResult r =
        Result({{"conname", DataType::kString}, {"pg_get_constraintdef", DataType::kString}});
    if (t == nullptr) return r;
    auto checks = t->checks;
    std::sort(checks.begin(), checks.end());
    for (const auto& [name, expr] : checks)
        r.rows.push_back({Str(name), Str(fmt::format("CHECK ({})", expr))});
    return r;
}

StatementResult ForeignKeys(const Model& m, const PgTable* t) {
    StatementResult r = Result({{"sametable", DataType::kBoolean},
                                {"conname", DataType::kString},
                                {"condef", DataType::kString},
                                {"ontable", DataType::kString}});
    if (t == nullptr) return r;
    std::vector<const PgForeignKey*> fks;
    for (const PgForeignKey& fk : t->foreign_keys) fks.push_back(&fk);
    std::sort(fks.begin(), fks.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const PgForeignKey* fk : fks) {
        r.rows.push_back({Value::Boolean(true), Str(fk->name), Str(ForeignKeyDef(m, *t, *fk)),
                          Str(QuoteIdent(t->name))});
    }
    return r;
}

StatementResult ReferencedBy(const Model& m, const PgTable* t) {
    StatementResult r = Result({{"conname", DataType::kString},
                                {"ontable", DataType::kString},
                                {"condef", DataType::kString}});
    if (t == nullptr) return r;
    std::vector<Row> rows;
    for (const PgTable& c : m.tables) {
        for (const PgForeignKey& fk : c.foreign_keys) {
            if (fk.parent != t->name) continue;
            rows.push_back({Str(fk.name), Str(QuoteIdent(c.name)), Str(ForeignKeyDef(m, c, fk))});
        }
    }
    std::sort(rows.begin(), rows.end(),
              [](const Row& a, const Row& b) { return a[0].string() < b[0].string(); });
    r.rows = std::move(rows);
    return r;
}

}  // namespace

std::optional<RecognizedQuery> RecognizePsqlQuery(std::string_view query) {
    auto tokens = Tokenize(query);
    if (!tokens) return std::nullopt;
    for (const PsqlTemplate& t : PsqlTemplates()) {
        auto template_tokens = Tokenize(t.text);
        ORRERY_ASSERT(template_tokens.has_value(), "a template that does not tokenize");
        RecognizedQuery q;
        q.kind = t.kind;
        if (MatchTokens(*tokens, *template_tokens, &q)) return q;
    }
    return std::nullopt;
}

sql::SqlResult<StatementResult> AnswerPsqlQuery(const RecognizedQuery& query,
                                                const StatementResult& show_catalog,
                                                std::string_view user) {
    auto model = BuildModel(show_catalog);
    if (!model.ok()) return model.error();
    const Model& m = model.value();
    auto [table, index] = ByOid(m, query.oid);
    Relation rel{table, index};
    // An index's oid names no table for the table-only footers.
    const PgTable* only_table = index == nullptr ? table : nullptr;
    StatementResult r;
    auto take = [&r](sql::SqlResult<StatementResult> answer) -> std::optional<sql::SqlError> {
        if (!answer.ok()) return answer.error();
        r = std::move(answer).value();
        return std::nullopt;
    };
    std::optional<sql::SqlError> failed;
    switch (query.kind) {
        case PsqlQuery::kList:
        case PsqlQuery::kListPattern: failed = take(List(m, query, user, false)); break;
        case PsqlQuery::kListIndexes:
        case PsqlQuery::kListIndexesPattern: failed = take(List(m, query, user, true)); break;
        case PsqlQuery::kLookup: failed = take(Lookup(m, query)); break;
        case PsqlQuery::kRelationInfo:
        case PsqlQuery::kRelationInfoVerbose: r = RelationInfo(m, table ? &rel : nullptr); break;
        case PsqlQuery::kColumns: r = Columns(only_table, false); break;
        case PsqlQuery::kColumnsVerbose: r = Columns(only_table, true); break;
        case PsqlQuery::kIndexes: r = Indexes(only_table); break;
        case PsqlQuery::kChecks: r = Checks(only_table); break;
        case PsqlQuery::kForeignKeys: r = ForeignKeys(m, only_table); break;
        case PsqlQuery::kReferencedBy: r = ReferencedBy(m, only_table); break;
        case PsqlQuery::kIndexColumns: r = IndexColumns(table ? &rel : nullptr); break;
        case PsqlQuery::kIndexInfo: r = IndexInfo(table ? &rel : nullptr); break;
        case PsqlQuery::kPolicies: r = NoRows(6); break;
        case PsqlQuery::kStatistics: r = NoRows(9); break;
        case PsqlQuery::kPublications: r = NoRows(3); break;
        case PsqlQuery::kTriggers: r = NoRows(5); break;
        case PsqlQuery::kInherits: r = NoRows(1); break;
        case PsqlQuery::kPartitions: r = NoRows(4); break;
    }
    if (failed) return *failed;
    r.tag = fmt::format("SELECT {}", r.rows.size());
    return r;
}

}  // namespace orrery::node::pgcat
