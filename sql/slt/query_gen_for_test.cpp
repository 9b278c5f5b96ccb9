// The differential test's generators (query_gen_for_test.h). QueryWriter draws every choice with
// Pick(n) (a rapidcheck pick in [0, n)); choice 0 is always the simplest form, which is what
// makes shrunk queries small. Expressions nest at most kMaxDepth levels.
#include "sql/slt/query_gen_for_test.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <string>
#include <utility>
#include <vector>

#include "core/assert.h"

namespace orrery::sql::slt {
namespace {

constexpr int kMaxDepth = 2;
constexpr const char* kWords[] = {"apple", "birch", "cedar", "delta", "ember", "fjord",
                                  "grove", "heron", "iris", "kelp", ""};

int Pick(int n) { return *rc::gen::inRange(0, n); }

// Columns of one table in scope, under its alias.
struct Scoped {
    std::string alias;
    const DiffTable* table;
};

class QueryWriter {
public:
    explicit QueryWriter(std::vector<Scoped> scope) : scope_(std::move(scope)) {}

    std::vector<std::string> Columns(char type) const {
        std::vector<std::string> out;
        for (const Scoped& s : scope_) {
            for (const DiffColumn& c : s.table->columns) {
                if (c.type == type) out.push_back(s.alias + "." + c.name);
            }
        }
        return out;
    }
    bool Has(char type) const { return !Columns(type).empty(); }

    std::string Column(char type) {
        std::vector<std::string> cols = Columns(type);
        ORRERY_ASSERT(!cols.empty(), "no {} column in scope", type);
        return cols[Pick(static_cast<int>(cols.size()))];
    }

    static std::string Literal(char type) {
        if (type == 'I') return fmt::format("{}", *rc::gen::inRange(-10, 50));
        if (type == 'R') return fmt::format("{:.2f}", *rc::gen::inRange(-40, 80) * 0.25);
        return fmt::format("'{}'", kWords[Pick(10)]);
    }

    std::string Leaf(char type) {
        if (Has(type) && Pick(5) != 4) return Column(type);
        return Literal(type);
    }

    std::string Expr(char type, int depth) {
        if (depth <= 0 || Pick(3) == 0) return Leaf(type);
        if (type == 'I') return IntExpr(depth - 1);
        if (type == 'R') return RealExpr(depth - 1);
        return TextExpr(depth - 1);
    }

    std::string Cond(int depth) {
        if (depth > 0 && Pick(4) == 3) {
            static constexpr const char* kOps[] = {"AND", "OR"};
            std::string op = kOps[Pick(2)];
            std::string not_ = Pick(4) == 3 ? "NOT " : "";
            return fmt::format("({} {} {}{})", Cond(depth - 1), op, not_, Cond(depth - 1));
        }
        static constexpr char kTypes[] = {'I', 'R', 'T'};
        char type = kTypes[Pick(3)];
        if (!Has(type) && Pick(2) == 0) type = 'I';
        int sub = depth > 0 ? depth - 1 : 0;
        std::string x = Expr(type, sub);
        static constexpr const char* kCmp[] = {"=", "<", ">", "<>", "<=", ">="};
        switch (Pick(7)) {
            case 0: {
                char other = type == 'T' ? 'T' : (Pick(2) ? 'R' : 'I');
                return fmt::format("{} {} {}", x, kCmp[Pick(6)], Expr(other, sub));
            }
            case 6:
                return fmt::format("{} IS {}DISTINCT FROM {}", x, Pick(2) ? "NOT " : "",
                                   Expr(type, sub));
            case 1: return fmt::format("{} IS {}NULL", x, Pick(2) ? "NOT " : "");
            case 2:
                return fmt::format("{} {}BETWEEN {} AND {}", x, Pick(2) ? "NOT " : "",
                                   Literal(type), Literal(type));
            case 3: {
                std::string items = Literal(type);
                for (int n = Pick(3); n > 0; --n) items += ", " + Literal(type);
                return fmt::format("{} {}IN ({})", x, Pick(2) ? "NOT " : "", items);
            }
            case 4:
                if (Has('T')) {
                    static constexpr const char* kPatterns[] = {"%e%", "a%", "%r", "_i%", "%"};
                    return fmt::format("{} {}LIKE '{}'", Column('T'), Pick(2) ? "NOT " : "",
                                       kPatterns[Pick(5)]);
                }
                return fmt::format("{} IS NULL", x);
            default: return fmt::format("{} {} {}", x, kCmp[Pick(6)], Literal(type));
        }
    }

    // An aggregate call; returns (sql, result type).
    std::pair<std::string, char> Aggregate() {
        static constexpr char kTypes[] = {'I', 'R', 'T'};
        char type = kTypes[Pick(3)];
        if (!Has(type)) type = 'I';
        std::string arg = Expr(type, 1);
        switch (Pick(7)) {
            case 0: return {"count(*)", 'I'};
            case 1: return {fmt::format("count({})", arg), 'I'};
            case 2: return {fmt::format("min({})", arg), type};
            case 3: return {fmt::format("max({})", arg), type};
            case 4: return {fmt::format("count(DISTINCT {})", arg), 'I'};
            case 5:
                if (type == 'T') return {fmt::format("max({})", arg), 'T'};
                return {fmt::format("sum({})", arg), type};
            default: return {fmt::format("avg({})", type == 'T' ? Expr('I', 1) : arg), 'R'};
        }
    }

    // A grouping key over one column (never a bare literal, which GROUP BY reads as an ordinal).
    std::pair<std::string, char> GroupKey() {
        static constexpr char kTypes[] = {'I', 'T', 'R'};
        char type = kTypes[Pick(3)];
        if (!Has(type)) type = 'I';
        std::string col = Column(type);
        if (Pick(3) != 2) return {col, type};
        if (type == 'I') return {fmt::format("({} % 3)", col), 'I'};
        if (type == 'R') return {fmt::format("abs({})", col), 'R'};
        return {fmt::format("substr({}, 1, 1)", col), 'T'};
    }

private:
    std::string IntExpr(int depth) {
        auto e = [&] { return Expr('I', depth); };
        switch (Pick(10)) {
            case 0: return fmt::format("({} + {})", e(), e());
            case 1: return fmt::format("({} - {})", e(), e());
            case 2: return fmt::format("({} * {})", e(), *rc::gen::inRange(-3, 5));
            case 3: {
                static constexpr int kDivisors[] = {2, 3, -3, 7};
                return fmt::format("({} / {})", e(), kDivisors[Pick(4)]);
            }
            case 4: {
                static constexpr int kModuli[] = {2, 3, 5, -4};
                return fmt::format("({} % {})", e(), kModuli[Pick(4)]);
            }
            case 5: return fmt::format("(- {})", e());
            case 6: return fmt::format("abs({})", e());
            case 7: return fmt::format("coalesce({}, {})", e(), Literal('I'));
            case 8: return fmt::format("length({})", Expr('T', depth));
            default: return Case('I', depth);
        }
    }

    std::string RealExpr(int depth) {
        auto e = [&] { return Expr('R', depth); };
        switch (Pick(7)) {
            case 0: return fmt::format("({} + {})", e(), e());
            case 1: return fmt::format("({} - {})", e(), Expr('I', depth));
            case 2: return fmt::format("({} * 0.5)", e());
            case 3: return fmt::format("({} / 4.0)", e());
            case 4: return fmt::format("abs({})", e());
            case 5: return fmt::format("CAST({} AS REAL)", Expr('I', depth));
            default: return Case('R', depth);
        }
    }

    std::string TextExpr(int depth) {
        auto e = [&] { return Expr('T', depth); };
        switch (Pick(6)) {
            case 0: return fmt::format("upper({})", e());
            case 1: return fmt::format("({} || {})", e(), e());
            case 2: return fmt::format("substr({}, {}, {})", e(), 1 + Pick(3), 1 + Pick(4));
            case 3: return fmt::format("coalesce({}, {})", e(), Literal('T'));
            case 4: return fmt::format("CAST({} AS TEXT)", Expr('I', depth));
            default: return Case('T', depth);
        }
    }

    std::string Case(char type, int depth) {
        std::string out = fmt::format("CASE WHEN {} THEN {}", Cond(depth), Expr(type, depth));
        if (Pick(3) != 0) out += fmt::format(" ELSE {}", Expr(type, depth));
        return out + " END";
    }

    std::vector<Scoped> scope_;
};

const std::vector<DiffTable>& Schema() {
    static const std::vector<DiffTable> kSchema = {
        {"t1", {{"a", 'I'}, {"b", 'I'}, {"c", 'I'}, {"d", 'R'}, {"e", 'T'}}, {}},
        {"t2", {{"a", 'I'}, {"x", 'I'}, {"y", 'R'}, {"z", 'T'}}, {}},
    };
    return kSchema;
}

Cell GenCell(char type) {
    if (Pick(8) == 0) return Cell::Null();
    if (type == 'I') return Cell::Integer(*rc::gen::inRange(-20, 61));
    if (type == 'R') return Cell::Float(*rc::gen::inRange(-200, 201) * 0.25);
    return Cell::Text(kWords[Pick(11)]);
}

}  // namespace

std::vector<DiffTable> DiffSchema() { return Schema(); }

std::vector<std::string> IndexStatements(std::string_view create, size_t first_column) {
    std::string table(create.substr(13, create.find('(') - 13));
    std::vector<std::string> out;
    for (const DiffTable& t : DiffSchema()) {
        if (t.name != table) continue;
        for (size_t i = first_column; i < t.columns.size(); ++i) {
            out.push_back(
                fmt::format("CREATE INDEX {0}_{1} ON {0}({1})", t.name, t.columns[i].name));
        }
    }
    return out;
}

rc::Gen<std::vector<DiffTable>> GenTables(int rows_max) {
    return rc::gen::exec([rows_max] {
        std::vector<DiffTable> tables = Schema();
        for (DiffTable& t : tables) {
            int rows = Pick(rows_max + 1);
            for (int r = 0; r < rows; ++r) {
                CellRow row{Cell::Integer(r + 1)};  // Distinct keys by construction.
                for (size_t c = 1; c < t.columns.size(); ++c) row.push_back(GenCell(t.columns[c].type));
                t.rows.push_back(std::move(row));
            }
        }
        return tables;
    });
}

namespace {

const DiffTable& Table(int i) { return Schema()[static_cast<size_t>(i)]; }

// A select list of 1..3 expressions; returns (sql, column count).
std::pair<std::string, int> SelectList(QueryWriter& w, int depth) {
    static constexpr char kTypes[] = {'I', 'R', 'T'};
    int n = 1 + Pick(3);
    std::string items;
    for (int i = 0; i < n; ++i) {
        items += (i ? ", " : "") + w.Expr(kTypes[Pick(3)], depth);
    }
    return {items, n};
}

// ORDER BY every output column (so nosort and LIMIT are deterministic), or no order.
DiffQuery Finish(std::string sql, int columns) {
    if (Pick(2) == 0) return {std::move(sql), false};
    sql += " ORDER BY ";
    for (int i = 0; i < columns; ++i) sql += fmt::format("{}{}{}", i ? ", " : "", i + 1, Pick(2) ? " DESC" : "");
    if (Pick(3) == 2) {
        sql += fmt::format(" LIMIT {}", Pick(8));
        if (Pick(2)) sql += fmt::format(" OFFSET {}", Pick(5));
    }
    return {std::move(sql), true};
}

std::string Where(QueryWriter& w, int depth) {
    return Pick(4) == 0 ? "" : " WHERE " + w.Cond(depth);
}

DiffQuery SingleTable(bool distinct) {
    int t = Pick(2);
    QueryWriter w({{Table(t).name, &Table(t)}});
    auto [items, n] = SelectList(w, kMaxDepth);
    return Finish(fmt::format("SELECT {}{} FROM {}{}", distinct ? "DISTINCT " : "", items,
                              Table(t).name, Where(w, kMaxDepth)),
                  n);
}

DiffQuery Grouped(bool keys) {
    int t = Pick(2);
    QueryWriter w({{Table(t).name, &Table(t)}});
    std::vector<std::string> items, group;
    if (keys) {
        for (int k = 1 + Pick(2); k > 0; --k) group.push_back(w.GroupKey().first);
    }
    items = group;
    for (int a = 1 + Pick(3); a > 0; --a) items.push_back(w.Aggregate().first);
    std::string sql = fmt::format("SELECT {} FROM {}{}", fmt::join(items, ", "), Table(t).name,
                                  Where(w, 1));
    if (!keys) return {sql, false};  // One row.
    sql += fmt::format(" GROUP BY {}", fmt::join(group, ", "));
    if (Pick(3) == 2) {
        auto [having, type] = w.Aggregate();
        if (type == 'T') having = "count(*)";  // Only numbers compare with the threshold.
        sql += fmt::format(" HAVING {} > {}", having, *rc::gen::inRange(-5, 10));
    }
    return Finish(std::move(sql), static_cast<int>(items.size()));
}

DiffQuery Join() {
    static constexpr const char* kKinds[] = {"JOIN", "LEFT JOIN", "CROSS JOIN", "RIGHT JOIN",
                                             "FULL JOIN"};
    static constexpr const char* kOn[] = {"t1.b = t2.x", "t1.a = t2.a", "t1.c = t2.x",
                                          "t1.b = t2.a"};
    std::string kind = kKinds[Pick(5)];
    std::string from = "t1 " + kind + " t2";
    if (kind != "CROSS JOIN") from += fmt::format(" ON {}", kOn[Pick(4)]);
    QueryWriter w({{"t1", &Table(0)}, {"t2", &Table(1)}});
    auto [items, n] = SelectList(w, 1);
    return Finish(fmt::format("SELECT {} FROM {}{}", items, from, Where(w, 1)), n);
}

// A condition with a subquery over the other table, maybe correlated with the outer one.
std::string SubqueryCond(QueryWriter& outer, const DiffTable& inner_table) {
    QueryWriter inner({{"s", &inner_table}});
    switch (Pick(3)) {
        case 0:
            return fmt::format("{} {}IN (SELECT {} FROM {} AS s{})", outer.Expr('I', 1),
                               Pick(2) ? "NOT " : "", inner.Column('I'), inner_table.name,
                               Where(inner, 1));
        case 1:
            return fmt::format("{}EXISTS (SELECT 1 FROM {} AS s WHERE {} = {})",
                               Pick(2) ? "NOT " : "", inner_table.name, inner.Column('I'),
                               outer.Column('I'));
        default: {
            static constexpr const char* kAggs[] = {"max", "min", "sum", "avg", "count"};
            std::string corr = Pick(2) ? fmt::format(" WHERE {} = {}", inner.Column('I'),
                                                     outer.Column('I'))
                                       : "";
            return fmt::format("{} > (SELECT {}({}) FROM {} AS s{})", outer.Expr('I', 1),
                               kAggs[Pick(5)], inner.Column('I'), inner_table.name, corr);
        }
    }
}

DiffQuery Subquery() {
    int t = Pick(2);
    QueryWriter w({{Table(t).name, &Table(t)}});
    auto [items, n] = SelectList(w, 1);
    if (Pick(3) == 0) {
        // A scalar subquery in the select list: an aggregate, so exactly one row.
        QueryWriter inner({{"s", &Table(1 - t)}});
        items += fmt::format(", (SELECT count(*) FROM {} AS s WHERE {} = {})", Table(1 - t).name,
                             inner.Column('I'), w.Column('I'));
        ++n;
        return Finish(fmt::format("SELECT {} FROM {}{}", items, Table(t).name, Where(w, 1)), n);
    }
    return Finish(fmt::format("SELECT {} FROM {} WHERE {}", items, Table(t).name,
                              SubqueryCond(w, Table(1 - t))),
                  n);
}

DiffQuery SetOperation() {
    static constexpr const char* kOps[] = {"UNION", "UNION ALL", "INTERSECT", "EXCEPT"};
    static constexpr int kLaterOps[] = {0, 1, 3};  // Every operator but INTERSECT.
    static constexpr char kTypes[] = {'I', 'T', 'R'};
    std::vector<char> types(static_cast<size_t>(1 + Pick(2)));
    for (char& c : types) c = kTypes[Pick(3)];
    std::string sql;
    for (int part = 0, parts = 2 + Pick(2); part < parts; ++part) {
        int t = Pick(2);
        QueryWriter w({{Table(t).name, &Table(t)}});
        std::string items;
        for (size_t i = 0; i < types.size(); ++i) items += (i ? ", " : "") + w.Expr(types[i], 1);
        // INTERSECT only as the first operator: Orrery binds INTERSECT tighter than UNION and
        // EXCEPT (the SQL standard, PostgreSQL), SQLite applies compound operators left to right;
        // with INTERSECT first both read the query as ((a op b) op c).
        if (part > 0) sql += fmt::format(" {} ", kOps[part == 1 ? Pick(4) : kLaterOps[Pick(3)]]);
        sql += fmt::format("SELECT {} FROM {}{}", items, Table(t).name, Where(w, 1));
    }
    return Finish(std::move(sql), static_cast<int>(types.size()));
}

// A write whose effect later queries read: UPDATE or DELETE under a random condition, or an
// INSERT ... SELECT that may collide with existing keys (then both engines must fail it whole).
DiffQuery Write() {
    int t = Pick(2);
    const DiffTable& table = Table(t);
    QueryWriter w({{table.name, &table}});
    switch (Pick(3)) {
        case 0: {
            const DiffColumn& col = table.columns[1 + static_cast<size_t>(
                Pick(static_cast<int>(table.columns.size()) - 1))];
            // Stored text stays lower-case (a text expression may be upper(...)), so that
            // SQLite's case-insensitive LIKE keeps agreeing with Orrery's.
            std::string value = w.Expr(col.type, 1);
            if (col.type == 'T') value = fmt::format("lower({})", value);
            return {fmt::format("UPDATE {} SET {} = {}{}", table.name, col.name, value,
                                Where(w, 1)),
                    false};
        }
        case 1: return {fmt::format("DELETE FROM {}{}", table.name, Where(w, 1)), false};
        default: {
            std::string items = fmt::format("{}.a + {}", table.name, 10 * (1 + Pick(4)));
            for (size_t c = 1; c < table.columns.size(); ++c) {
                items += ", " + table.name + "." + table.columns[c].name;
            }
            return {fmt::format("INSERT INTO {0} SELECT {1} FROM {0}{2}", table.name, items,
                                Where(w, 1)),
                    false};
        }
    }
}

}  // namespace

rc::Gen<DiffQuery> GenQuery() {
    return rc::gen::exec([] {
        switch (Pick(9)) {
            case 8: return Write();
            case 0: return SingleTable(false);
            case 1: return Grouped(false);
            case 2: return Grouped(true);
            case 3: return Join();
            case 4: return Subquery();
            case 5: return SetOperation();
            case 6: return SingleTable(true);
            default: return SingleTable(false);
        }
    });
}

}  // namespace orrery::sql::slt
