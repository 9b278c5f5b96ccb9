// DataType: the SQL column and value types, and the spellings the dialect accepts for them.
//
// Orrery has seven types. NULL is a value of every type, and also the type of the literal NULL
// before the binder knows what it stands for. The accepted spellings follow PostgreSQL and SQLite
// so that schemas written for either load unchanged:
//
//   BOOLEAN    BOOLEAN, BOOL
//   INTEGER    INTEGER, INT, BIGINT, SMALLINT, INT2, INT4, INT8   (always 64-bit signed)
//   FLOAT      FLOAT, DOUBLE, DOUBLE PRECISION, REAL, FLOAT4, FLOAT8, NUMERIC, DECIMAL  (double)
//   STRING     STRING, TEXT, VARCHAR, VARCHAR(n), CHAR(n), CHARACTER VARYING(n)  (UTF-8)
//   TIMESTAMP  TIMESTAMP, DATETIME        (microseconds since 1970-01-01 00:00:00 UTC)
//   BLOB       BLOB, BYTEA, BYTES
//
// A length such as VARCHAR(n) is accepted and remembered for DESCRIBE, and enforced: a longer
// string is an error (22001), as in PostgreSQL. NUMERIC(p, s) is accepted as FLOAT; its
// precision and scale are ignored (a documented difference, docs/sql.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::sql {

enum class DataType : uint8_t {
    kNull = 0,  // Only the type of an untyped NULL literal; never a column's type.
    kBoolean,
    kInteger,
    kFloat,
    kString,
    kTimestamp,
    kBlob,
};

// The canonical upper-case name: "NULL", "BOOLEAN", "INTEGER", "FLOAT", "STRING", "TIMESTAMP",
// "BLOB".
std::string_view DataTypeName(DataType type);

// A type as written in a column definition or a CAST: the type and an optional length.
struct TypeSpec {
    DataType type = DataType::kNull;
    std::optional<uint32_t> max_length;  // VARCHAR(n) / CHAR(n): at most n characters.

    // "INTEGER", "STRING(20)".
    std::string ToString() const;
    friend bool operator==(const TypeSpec&, const TypeSpec&) = default;
};

// Maps one type word (case-insensitive, e.g. "bigint", "varchar", "double") to its type;
// nullopt for a word that names no type. Multi-word spellings ("DOUBLE PRECISION",
// "CHARACTER VARYING") are joined by the parser with one space before the call.
std::optional<DataType> DataTypeFromName(std::string_view name);

}  // namespace orrery::sql
