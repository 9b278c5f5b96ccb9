// SqliteDatabase: SQLite behind the slt Database interface (database.h), the reference engine of
// `orrery slt --engine sqlite`, the differential test and `orrery bench sql --compare sqlite`.
//
// Built only when CMake found libsqlite3 (ORRERY_HAVE_SQLITE); the engine never links it. It is a
// peer for tests and benchmarks, so it opens whatever its caller names: ":memory:" (the default,
// everything the tests need) or a file path that a tool chose (the benchmark, which wants SQLite
// on a file as Orrery is, in a directory the tool created).
//
// Values map one to one: SQLite's INTEGER, REAL, TEXT and NULL are the four Cell kinds; a BLOB is
// returned as text of its bytes (the peers never store one).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sql/slt/database.h"

struct sqlite3;
struct sqlite3_stmt;

namespace orrery::sql::slt {

class SqliteDatabase final : public Database {
public:
    // Opens (creating if needed) the database at `path`; ":memory:" for a private in-memory one.
    static Result<std::unique_ptr<SqliteDatabase>> Open(const std::string& path = ":memory:");
    ~SqliteDatabase() override;
    SqliteDatabase(const SqliteDatabase&) = delete;
    SqliteDatabase& operator=(const SqliteDatabase&) = delete;

    std::string_view name() const override { return "sqlite"; }
    Result<ResultSet> Run(std::string_view sql) override;
    Result<uint32_t> Prepare(std::string_view sql) override;
    Result<ResultSet> RunPrepared(uint32_t id, const std::vector<Cell>& params) override;

    // The SQLite library's version, e.g. "3.40.1".
    static std::string Version();

private:
    explicit SqliteDatabase(sqlite3* db) : db_(db) {}
    Status Error(std::string_view what) const;
    // Steps `stmt` to the end, collecting its rows.
    Result<ResultSet> Collect(sqlite3_stmt* stmt);

    sqlite3* db_;
    std::vector<sqlite3_stmt*> prepared_;
};

}  // namespace orrery::sql::slt
