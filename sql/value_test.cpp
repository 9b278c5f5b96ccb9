// Tests of Value (value.h): the total order, equality/hash agreement, display and literal forms,
// and the timestamp text conversions (datetime.h).
#include "sql/value.h"

#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "sql/datetime.h"

namespace orrery::sql {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

TEST_CASE("Value: numbers compare numerically across INTEGER and FLOAT", "[sql][value]") {
    CHECK(Value::Integer(1) == Value::Float(1.0));
    CHECK(CompareValues(Value::Integer(1), Value::Float(1.5)) < 0);
    CHECK(CompareValues(Value::Float(-1.5), Value::Integer(-1)) < 0);
    CHECK(CompareValues(Value::Integer(-2), Value::Float(-1.5)) < 0);
    // 2^53 + 1 is not a double: converting it would make it equal 2^53.
    int64_t big = (int64_t{1} << 53) + 1;
    CHECK(CompareValues(Value::Integer(big), Value::Float(9007199254740992.0)) > 0);
    CHECK(CompareValues(Value::Float(9007199254740992.0), Value::Integer(big)) < 0);
    CHECK(CompareValues(Value::Integer(INT64_MAX), Value::Float(9223372036854775808.0)) < 0);
    CHECK(CompareValues(Value::Integer(INT64_MIN), Value::Float(-9223372036854775808.0)) == 0);
    CHECK(CompareValues(Value::Integer(INT64_MIN), Value::Float(-1e300)) > 0);
    CHECK(CompareValues(Value::Integer(INT64_MAX), Value::Float(kInf)) < 0);
    CHECK(CompareValues(Value::Integer(INT64_MIN), Value::Float(-kInf)) > 0);
}

TEST_CASE("Value: NaN sorts above every number and equals itself; -0.0 equals 0.0",
          "[sql][value]") {
    CHECK(Value::Float(kNaN) == Value::Float(kNaN));
    CHECK(CompareValues(Value::Float(kInf), Value::Float(kNaN)) < 0);
    CHECK(CompareValues(Value::Integer(INT64_MAX), Value::Float(kNaN)) < 0);
    CHECK(CompareValues(Value::Float(kNaN), Value::String("")) < 0);
    CHECK(Value::Float(-0.0) == Value::Float(0.0));
    CHECK(Value::Float(-0.0) == Value::Integer(0));
    CHECK(Value::Float(-0.0).Hash() == Value::Float(0.0).Hash());
    CHECK(Value::Float(kNaN).Hash() == Value::Float(-kNaN).Hash());
}

TEST_CASE("Value: the cross-type order is NULL < BOOLEAN < numbers < STRING < TIMESTAMP < BLOB",
          "[sql][value]") {
    std::vector<Value> ordered = {Value::Null(),          Value::Boolean(false),
                                  Value::Boolean(true),   Value::Float(-kInf),
                                  Value::Integer(-5),     Value::Float(2.5),
                                  Value::Integer(3),      Value::Float(kNaN),
                                  Value::String(""),      Value::String("a"),
                                  Value::String("b"),     Value::Timestamp(-1),
                                  Value::Timestamp(0),    Value::Blob(""),
                                  Value::Blob("\x01")};
    for (size_t i = 0; i < ordered.size(); ++i) {
        for (size_t j = 0; j < ordered.size(); ++j) {
            int c = CompareValues(ordered[i], ordered[j]);
            INFO(ordered[i].ToSqlLiteral() << " vs " << ordered[j].ToSqlLiteral());
            CHECK((c < 0) == (i < j));
            CHECK((c == 0) == (i == j));
        }
    }
}

TEST_CASE("Value: display forms", "[sql][value]") {
    CHECK(Value::Null().ToString() == "NULL");
    CHECK(Value::Boolean(true).ToString() == "true");
    CHECK(Value::Integer(-42).ToString() == "-42");
    CHECK(Value::Float(2.5).ToString() == "2.5");
    CHECK(Value::Float(2.0).ToString() == "2.0");
    CHECK(Value::Float(0.1).ToString() == "0.1");
    CHECK(Value::Float(-0.0).ToString() == "0.0");
    CHECK(Value::Float(kNaN).ToString() == "NaN");
    CHECK(Value::Float(-kInf).ToString() == "-Infinity");
    CHECK(Value::Float(1e20).ToString() == "1e+20");
    CHECK(Value::String("it's").ToString() == "it's");
    CHECK(Value::Blob("\x0a\xff").ToString() == "\\x0aff");
    CHECK(Value::Timestamp(0).ToString() == "1970-01-01 00:00:00");
    CHECK(Value::Timestamp(1796326762000000).ToString() == "2026-12-03 19:39:22");
    CHECK(Value::Timestamp(-1).ToString() == "1969-12-31 23:59:59.999999");
}

TEST_CASE("Value: SQL literal forms", "[sql][value]") {
    CHECK(Value::String("it's").ToSqlLiteral() == "'it''s'");
    CHECK(Value::Boolean(false).ToSqlLiteral() == "FALSE");
    CHECK(Value::Blob("\x0a\xff").ToSqlLiteral() == "x'0aff'");
    CHECK(Value::Integer(INT64_MIN).ToSqlLiteral() == "(-9223372036854775807 - 1)");
    CHECK(Value::Float(kNaN).ToSqlLiteral() == "CAST('NaN' AS FLOAT)");
    CHECK(Value::Timestamp(0).ToSqlLiteral() == "TIMESTAMP '1970-01-01 00:00:00'");
}

TEST_CASE("Timestamps parse and format as inverses", "[sql][value]") {
    CHECK(ParseTimestamp("1970-01-01") == 0);
    CHECK(ParseTimestamp("2000-02-29 12:00") == 951825600000000);
    CHECK(ParseTimestamp("2000-02-29T12:00:00.5") == 951825600500000);
    CHECK_FALSE(ParseTimestamp("1999-02-29").has_value());
    CHECK_FALSE(ParseTimestamp("2000-13-01").has_value());
    CHECK_FALSE(ParseTimestamp("2000-01-01 24:00").has_value());
    CHECK_FALSE(ParseTimestamp("yesterday").has_value());
    rc::prop("format then parse is the identity for years 1..9999", [] {
        // 0001-01-01 .. 9999-12-31 in microseconds.
        const int64_t lo = -62135596800000000;
        const int64_t hi = 253402300799999999;
        int64_t t = *rc::gen::inRange<int64_t>(lo, hi);
        RC_ASSERT(ParseTimestamp(FormatTimestamp(t)) == t);
    });
}

Value GenValue() {
    int kind = *rc::gen::inRange(0, 7);
    switch (kind) {
        case 0: return Value::Null();
        case 1: return Value::Boolean(*rc::gen::arbitrary<bool>());
        case 2: return Value::Integer(*rc::gen::inRange<int64_t>(-3, 4));
        case 3: {
            double d = *rc::gen::element(-1.5, -0.0, 0.0, 1.0, 2.0, 3.5, kNaN, kInf);
            return Value::Float(d);
        }
        case 4: return Value::String(*rc::gen::element<std::string>("", "a", "ab", "b"));
        case 5: return Value::Timestamp(*rc::gen::inRange<int64_t>(-2, 3));
        default: return Value::Blob(*rc::gen::element<std::string>("", "a", "\xff"));
    }
}

TEST_CASE("Value: the order is total and equality agrees with the hash", "[sql][value]") {
    rc::prop("antisymmetric, transitive, hash-consistent", [] {
        Value a = GenValue();
        Value b = GenValue();
        Value c = GenValue();
        RC_ASSERT(CompareValues(a, b) == -CompareValues(b, a));
        if (CompareValues(a, b) <= 0 && CompareValues(b, c) <= 0) {
            RC_ASSERT(CompareValues(a, c) <= 0);
        }
        if (a == b) RC_ASSERT(a.Hash() == b.Hash());
    });
}

}  // namespace
}  // namespace orrery::sql
