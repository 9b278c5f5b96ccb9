// SqliteDatabase (sqlite_database.h): the C API, statement by statement.
#include "sql/slt/sqlite_database.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include "core/assert.h"

namespace orrery::sql::slt {
namespace {

Cell ColumnCell(sqlite3_stmt* stmt, int c) {
    switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: return Cell::Null();
        case SQLITE_INTEGER: return Cell::Integer(sqlite3_column_int64(stmt, c));
        case SQLITE_FLOAT: return Cell::Float(sqlite3_column_double(stmt, c));
        default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            int bytes = sqlite3_column_bytes(stmt, c);
            return Cell::Text(text == nullptr ? std::string() : std::string(text, bytes));
        }
    }
}

bool OnlySpaceOrSemicolons(std::string_view s) {
    return s.find_first_not_of(" \t\r\n;") == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<SqliteDatabase>> SqliteDatabase::Open(const std::string& path) {
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
        sqlite3_close(db);
        return Status::IOError(fmt::format("sqlite open {}: {}", path, message));
    }
    return std::unique_ptr<SqliteDatabase>(new SqliteDatabase(db));
}

SqliteDatabase::~SqliteDatabase() {
    for (sqlite3_stmt* stmt : prepared_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
}

std::string SqliteDatabase::Version() { return sqlite3_libversion(); }

Status SqliteDatabase::Error(std::string_view what) const {
    return Status::InvalidArgument(fmt::format("{}: {}", what, sqlite3_errmsg(db_)));
}

Result<ResultSet> SqliteDatabase::Collect(sqlite3_stmt* stmt) {
    ResultSet rs;
    rs.columns = static_cast<size_t>(sqlite3_column_count(stmt));
    for (;;) {
        int rc = sqlite3_step(stmt);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Error("sqlite");
        CellRow row;
        row.reserve(rs.columns);
        for (int c = 0; c < static_cast<int>(rs.columns); ++c) row.push_back(ColumnCell(stmt, c));
        rs.rows.push_back(std::move(row));
    }
    return rs;
}

// Runs every statement of `sql` in turn (a record holds one, but SQLite's tail handling makes a
// trailing ';' or a second statement harmless) and returns the last one's result.
Result<ResultSet> SqliteDatabase::Run(std::string_view sql) {
    ResultSet last;
    std::string text(sql);
    const char* rest = text.c_str();
    while (!OnlySpaceOrSemicolons(rest)) {
        sqlite3_stmt* stmt = nullptr;
        const char* tail = nullptr;
        if (sqlite3_prepare_v2(db_, rest, -1, &stmt, &tail) != SQLITE_OK) return Error("sqlite");
        if (stmt == nullptr) break;  // Only a comment was left.
        Result<ResultSet> rs = Collect(stmt);
        sqlite3_finalize(stmt);
        if (!rs.ok()) return rs.status();
        last = std::move(rs).value();
        ORRERY_ASSERT(tail != nullptr && tail > rest, "sqlite consumed no text");
        rest = tail;
    }
    return last;
}

Result<uint32_t> SqliteDatabase::Prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
        return Error("sqlite prepare");
    }
    if (stmt == nullptr) return Status::InvalidArgument("sqlite prepare: empty statement");
    prepared_.push_back(stmt);
    return static_cast<uint32_t>(prepared_.size() - 1);
}

Result<ResultSet> SqliteDatabase::RunPrepared(uint32_t id, const std::vector<Cell>& params) {
    ORRERY_ASSERT(id < prepared_.size(), "unknown prepared statement {}", id);
    sqlite3_stmt* stmt = prepared_[id];
    sqlite3_reset(stmt);
    for (size_t i = 0; i < params.size(); ++i) {
        int at = static_cast<int>(i) + 1;
        const Cell& p = params[i];
        int rc = SQLITE_OK;
        switch (p.kind) {
            case Cell::Kind::kNull: rc = sqlite3_bind_null(stmt, at); break;
            case Cell::Kind::kInteger: rc = sqlite3_bind_int64(stmt, at, p.integer); break;
            case Cell::Kind::kFloat: rc = sqlite3_bind_double(stmt, at, p.floating); break;
            case Cell::Kind::kText:
                rc = sqlite3_bind_text(stmt, at, p.text.data(), static_cast<int>(p.text.size()),
                                       SQLITE_TRANSIENT);
                break;
        }
        if (rc != SQLITE_OK) return Error("sqlite bind");
    }
    Result<ResultSet> rs = Collect(stmt);
    sqlite3_reset(stmt);
    return rs;
}

}  // namespace orrery::sql::slt
