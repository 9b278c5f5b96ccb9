// Value: one SQL value, the unit every stage after the binder computes with.
//
// A Value is NULL or one of the six non-null types of data_type.h. Semantics (docs/sql.md is the
// user-facing reference; this is the contract the executor and the tests rely on):
//
//  - Three-valued logic. Comparisons and arithmetic with a NULL operand give NULL; AND/OR
//    follow Kleene's tables (FALSE AND NULL = FALSE, TRUE OR NULL = TRUE).
//  - INTEGER and FLOAT compare numerically with each other (1 = 1.0 is TRUE). An INTEGER
//    compared with a FLOAT that it cannot equal exactly is compared without rounding: int64 is
//    never converted to double when that would lose precision.
//  - Arithmetic: INTEGER op INTEGER is INTEGER; overflow is an error (22003), never wraparound;
//    division truncates toward zero; division or modulo by zero is an error (22012). Either
//    operand FLOAT gives FLOAT (IEEE, so 1.0/0.0 is an error too, for symmetry with PostgreSQL).
//  - The sort order (ORDER BY, GROUP BY, DISTINCT, set operations, index keys) is total:
//    NULL < BOOLEAN (false < true) < numbers (INTEGER and FLOAT interleaved numerically)
//    < STRING (byte order) < TIMESTAMP < BLOB (byte order). NaN sorts above every other number
//    and equals itself for grouping (as in PostgreSQL); -0.0 equals 0.0.
//    In SQL comparison (=, <), NaN = NaN is TRUE and NaN > every number, matching that order.
//  - Comparing values of incomparable types (a STRING with an INTEGER) in SQL is a type error
//    the binder reports (42804); the total order above exists so sorting never fails.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "sql/data_type.h"

namespace orrery::sql {

class Value {
public:
    // NULL.
    Value() = default;

    static Value Null() { return Value(); }
    static Value Boolean(bool b);
    static Value Integer(int64_t i);
    static Value Float(double d);
    static Value String(std::string s);
    static Value Timestamp(int64_t micros_since_epoch);
    static Value Blob(std::string bytes);

    DataType type() const;
    // Inline (the variant's first alternative is NULL, asserted below): a scan asks it of
    // every slot of every row it decodes.
    bool is_null() const { return rep_.index() == 0; }

    // Accessors. REQUIRES: type() is the matching type (asserted).
    bool boolean() const;
    int64_t integer() const;
    double floating() const;
    const std::string& string() const;   // STRING.
    int64_t timestamp() const;           // TIMESTAMP: microseconds since the epoch.
    const std::string& blob() const;     // BLOB.

    // Display form, as the REPL's table output and sqllogictest print values:
    // NULL, true/false (lower case, as PostgreSQL's text format writes t/f is the wire
    // protocol's business), 42, 2.5 (shortest round-trip form; integral floats keep ".0",
    // e.g. 2.0; NaN, Infinity, -Infinity), text as is, timestamps as
    // "2026-12-02 19:39:22" (with ".ffffff" when the microseconds are not zero), blobs as
    // "\x0aff" (PostgreSQL's hex form).
    std::string ToString() const;

    // A SQL literal that parses back to the same value: NULL, TRUE, 42, 2.5, 'it''s',
    // x'0aff', TIMESTAMP '2026-12-02 19:39:22'.
    std::string ToSqlLiteral() const;

    // Total order of the header comment: <0, 0, >0.
    friend int CompareValues(const Value& a, const Value& b);
    // Equality in that order (1 and 1.0 are equal; NaN equals NaN).
    friend bool operator==(const Value& a, const Value& b) { return CompareValues(a, b) == 0; }

    // A hash consistent with operator== (1 and 1.0 hash alike), for hash joins and grouping.
    size_t Hash() const;

    // Approximate heap and inline bytes, for the executor's memory bounds.
    size_t MemoryBytes() const;

private:
    struct TimestampRep {
        int64_t micros;
    };
    struct BlobRep {
        std::string bytes;
    };
    using Rep = std::variant<std::monostate, bool, int64_t, double, std::string, TimestampRep,
                             BlobRep>;
    explicit Value(Rep rep) : rep_(std::move(rep)) {}
    Rep rep_;
    static_assert(std::is_same_v<std::variant_alternative_t<0, Rep>, std::monostate>,
                  "is_null() reads alternative 0 as NULL");
};

using Row = std::vector<Value>;

}  // namespace orrery::sql
