// Differential testing (differential.h): setup text, the normalised comparison, and the loop
// over a case's queries.
#include "sql/slt/differential.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/assert.h"

namespace orrery::sql::slt {
namespace {

constexpr size_t kRowsPerInsert = 50;
constexpr double kRelativeTolerance = 1e-9;
// Rows shown when two results differ (both sides), so a large result stays readable.
constexpr size_t kRowsShown = 12;

bool IsNumber(const Cell& c) {
    return c.kind == Cell::Kind::kInteger || c.kind == Cell::Kind::kFloat;
}

double AsDouble(const Cell& c) {
    return c.kind == Cell::Kind::kInteger ? static_cast<double>(c.integer) : c.floating;
}

// Total order for sorting unordered results: NULL < numbers (numerically) < text (bytes).
int CompareCells(const Cell& a, const Cell& b) {
    auto rank = [](const Cell& c) { return c.is_null() ? 0 : IsNumber(c) ? 1 : 2; };
    if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
    if (a.is_null()) return 0;
    if (IsNumber(a)) {
        if (a.kind == Cell::Kind::kInteger && b.kind == Cell::Kind::kInteger) {
            return a.integer < b.integer ? -1 : a.integer > b.integer ? 1 : 0;
        }
        double x = AsDouble(a), y = AsDouble(b);
        return x < y ? -1 : x > y ? 1 : 0;
    }
    return a.text.compare(b.text) < 0 ? -1 : a.text == b.text ? 0 : 1;
}

bool RowLess(const CellRow& a, const CellRow& b) {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        int c = CompareCells(a[i], b[i]);
        if (c != 0) return c < 0;
    }
    return a.size() < b.size();
}

bool CellsAgree(const Cell& a, const Cell& b) {
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    if (IsNumber(a) != IsNumber(b)) return false;
    if (!IsNumber(a)) return a.text == b.text;
    if (a.kind == Cell::Kind::kInteger && b.kind == Cell::Kind::kInteger) {
        return a.integer == b.integer;
    }
    double x = AsDouble(a), y = AsDouble(b);
    double scale = std::max({1.0, std::fabs(x), std::fabs(y)});
    return std::fabs(x - y) <= kRelativeTolerance * scale;
}

std::string RowText(const CellRow& row) {
    std::string out;
    for (const Cell& c : row) {
        if (!out.empty()) out += ", ";
        out += CellLiteral(c);
    }
    return "(" + out + ")";
}

std::string RowsText(const std::vector<CellRow>& rows) {
    std::string out;
    for (size_t i = 0; i < rows.size() && i < kRowsShown; ++i) out += "\n    " + RowText(rows[i]);
    if (rows.size() > kRowsShown) out += fmt::format("\n    ... {} rows in all", rows.size());
    return out;
}

}  // namespace

std::string CellLiteral(const Cell& cell) {
    switch (cell.kind) {
        case Cell::Kind::kNull: return "NULL";
        case Cell::Kind::kInteger: return fmt::format("{}", cell.integer);
        case Cell::Kind::kFloat: {
            std::string s = fmt::format("{}", cell.floating);
            if (s.find_first_of(".en") == std::string::npos) s += ".0";
            return s;
        }
        case Cell::Kind::kText: {
            std::string s = "'";
            for (char ch : cell.text) s += ch == '\'' ? std::string("''") : std::string(1, ch);
            return s + "'";
        }
    }
    return "NULL";
}

std::vector<std::string> SetupStatements(const DiffCase& c) {
    std::vector<std::string> out;
    for (const DiffTable& t : c.tables) {
        ORRERY_ASSERT(!t.columns.empty(), "table {} has no columns", t.name);
        std::string defs;
        for (size_t i = 0; i < t.columns.size(); ++i) {
            const DiffColumn& col = t.columns[i];
            const char* type = col.type == 'I' ? "INTEGER" : col.type == 'R' ? "REAL" : "TEXT";
            defs += fmt::format("{}{} {}{}", i ? ", " : "", col.name, type,
                                i == 0 ? " PRIMARY KEY" : "");
        }
        out.push_back(fmt::format("CREATE TABLE {}({})", t.name, defs));
        for (size_t start = 0; start < t.rows.size(); start += kRowsPerInsert) {
            std::string values;
            for (size_t r = start; r < t.rows.size() && r < start + kRowsPerInsert; ++r) {
                values += (r > start ? ", " : "") + RowText(t.rows[r]);
            }
            out.push_back(fmt::format("INSERT INTO {} VALUES {}", t.name, values));
        }
    }
    return out;
}

std::optional<std::string> CompareOutcomes(const Result<ResultSet>& a, const Result<ResultSet>& b,
                                           bool ordered) {
    if (!a.ok() || !b.ok()) {
        if (!a.ok() && !b.ok()) return std::nullopt;
        return !a.ok() ? "only the first engine failed: " + a.status().message()
                       : "only the second engine failed: " + b.status().message();
    }
    const ResultSet& x = a.value();
    const ResultSet& y = b.value();
    if (x.columns != y.columns) {
        return fmt::format("{} columns against {}", x.columns, y.columns);
    }
    std::vector<CellRow> xr = x.rows, yr = y.rows;
    if (!ordered) {
        std::sort(xr.begin(), xr.end(), RowLess);
        std::sort(yr.begin(), yr.end(), RowLess);
    }
    bool same = xr.size() == yr.size();
    for (size_t r = 0; same && r < xr.size(); ++r) {
        for (size_t c = 0; same && c < x.columns; ++c) same = CellsAgree(xr[r][c], yr[r][c]);
    }
    if (same) return std::nullopt;
    return fmt::format("{} rows against {} ({}):\n  first:{}\n  second:{}", xr.size(), yr.size(),
                       ordered ? "in order" : "sorted", RowsText(xr), RowsText(yr));
}

std::optional<Discrepancy> RunCase(Database& a, Database& b, const DiffCase& c) {
    auto named = [&](const std::string& detail) {
        return fmt::format("{} (first: {}, second: {})", detail, a.name(), b.name());
    };
    for (const std::string& stmt : SetupStatements(c)) {
        Result<ResultSet> ra = a.Run(stmt);
        Result<ResultSet> rb = b.Run(stmt);
        if (!ra.ok() || !rb.ok()) {
            std::string detail = !ra.ok() ? ra.status().message() : rb.status().message();
            return Discrepancy{stmt, named("setup failed: " + detail)};
        }
    }
    for (const DiffQuery& q : c.queries) {
        std::optional<std::string> diff = CompareOutcomes(a.Run(q.sql), b.Run(q.sql), q.ordered);
        if (diff) return Discrepancy{q.sql, named(*diff)};
    }
    return std::nullopt;
}

}  // namespace orrery::sql::slt
