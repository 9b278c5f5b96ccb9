// Database: the small interface the SQL test peers drive an engine through: run one statement,
// get its columns and rows or its error. Two implementations sit under it:
//   - OrreryDatabase (orrery_database.h): Orrery's embedded database, through sql::Session;
//   - SqliteDatabase (sqlite_database.h): SQLite, the reference, built only when CMake found
//     libsqlite3 (ORRERY_HAVE_SQLITE). SQLite is a test and benchmark dependency, never the
//     engine's.
// The sqllogictest runner (runner.h), the differential test and `orrery bench sql` all see an
// engine only through this interface, so each of them was built and tested against SQLite before
// Orrery's engine existed.
//
// Cells are deliberately poorer than sql::Value: the four kinds both engines share (SQLite has no
// BOOLEAN, TIMESTAMP or typed BLOB columns). OrreryDatabase maps BOOLEAN to INTEGER 0/1, the way
// SQLite represents a comparison's result, and TIMESTAMP/BLOB to their display text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::sql::slt {

// One value of a result row (or a parameter of a prepared statement).
struct Cell {
    enum class Kind : uint8_t { kNull, kInteger, kFloat, kText };
    Kind kind = Kind::kNull;
    int64_t integer = 0;   // kInteger.
    double floating = 0;   // kFloat.
    std::string text;      // kText.

    static Cell Null() { return Cell(); }
    static Cell Integer(int64_t i) {
        Cell c;
        c.kind = Kind::kInteger;
        c.integer = i;
        return c;
    }
    static Cell Float(double d) {
        Cell c;
        c.kind = Kind::kFloat;
        c.floating = d;
        return c;
    }
    static Cell Text(std::string s) {
        Cell c;
        c.kind = Kind::kText;
        c.text = std::move(s);
        return c;
    }
    bool is_null() const { return kind == Kind::kNull; }
};

using CellRow = std::vector<Cell>;

// What one statement produced. `columns` is 0 for a statement that returns no rows (DDL, a
// write); then `rows` is empty.
struct ResultSet {
    size_t columns = 0;
    std::vector<CellRow> rows;
};

class Database {
public:
    virtual ~Database() = default;

    // The name skipif/onlyif records match: "orrery" or "sqlite".
    virtual std::string_view name() const = 0;

    // Runs one statement (a trailing ';' allowed). An error the engine reports for the
    // statement is a non-OK Status carrying the engine's message; the database stays usable.
    virtual Result<ResultSet> Run(std::string_view sql) = 0;

    // Prepares one statement with ? parameters; the id is valid until the database is closed.
    virtual Result<uint32_t> Prepare(std::string_view sql) = 0;

    // Runs a prepared statement with `params` bound to its ? in order.
    // REQUIRES: id came from Prepare on this database.
    virtual Result<ResultSet> RunPrepared(uint32_t id, const std::vector<Cell>& params) = 0;
};

}  // namespace orrery::sql::slt
