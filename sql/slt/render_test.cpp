// Rendering follows SQLite's runner: type letters convert, NULL/empty/non-printable have their
// spellings, sort modes sort rendered strings, and the hash is MD5 of "value\n" per value.
#include <catch2/catch.hpp>

#include "sql/slt/render.h"

namespace orrery::sql::slt {
namespace {

TEST_CASE("slt renders cells by type letter as SQLite's runner does", "[sql][slt]") {
    CHECK(RenderCell(Cell::Null(), 'I') == "NULL");
    CHECK(RenderCell(Cell::Null(), 'T') == "NULL");
    CHECK(RenderCell(Cell::Integer(-42), 'I') == "-42");
    CHECK(RenderCell(Cell::Integer(7), 'R') == "7.000");
    CHECK(RenderCell(Cell::Integer(7), 'T') == "7");
    CHECK(RenderCell(Cell::Float(2.71828), 'R') == "2.718");
    CHECK(RenderCell(Cell::Float(-0.5), 'R') == "-0.500");
    // The sign of a zero is not rendered (SQLite's -(0.0) is +0.0, its abs(-0.0) is -0.0).
    CHECK(RenderCell(Cell::Float(-0.0), 'R') == "0.000");
    CHECK(RenderCell(Cell::Float(-0.0), 'T') == "0.0");
    CHECK(RenderCell(Cell::Float(-0.0), 'I') == "0");
    CHECK(RenderCell(Cell::Float(-2.9), 'I') == "-2");  // Truncation toward zero.
    CHECK(RenderCell(Cell::Float(1e300), 'I') == "9223372036854775807");
    CHECK(RenderCell(Cell::Float(2.0), 'T') == "2.0");
    CHECK(RenderCell(Cell::Float(0.1), 'T') == "0.1");
    CHECK(RenderCell(Cell::Float(1e20), 'T') == "1.0e+20");
    CHECK(RenderCell(Cell::Float(10.0 / 3), 'T') == "3.33333333333333");
    CHECK(RenderCell(Cell::Text("12abc"), 'I') == "12");
    CHECK(RenderCell(Cell::Text("abc"), 'I') == "0");
    CHECK(RenderCell(Cell::Text("2.5x"), 'R') == "2.500");
    CHECK(RenderCell(Cell::Text(""), 'T') == "(empty)");
    CHECK(RenderCell(Cell::Text("a\tb\xc3\xa9"), 'T') == "a@b@@");
}

TEST_CASE("slt sorts rendered rows or values, and hashes them", "[sql][slt]") {
    ResultSet rs;
    rs.columns = 2;
    rs.rows = {{Cell::Integer(10), Cell::Text("b")},
               {Cell::Integer(9), Cell::Null()},
               {Cell::Integer(10), Cell::Text("a")}};
    CHECK(RenderResult(rs, "IT", SortMode::kNoSort) ==
          std::vector<std::string>{"10", "b", "9", "NULL", "10", "a"});
    // Rows sort as strings: "10" < "9".
    CHECK(RenderResult(rs, "IT", SortMode::kRowSort) ==
          std::vector<std::string>{"10", "a", "10", "b", "9", "NULL"});
    CHECK(RenderResult(rs, "IT", SortMode::kValueSort) ==
          std::vector<std::string>{"10", "10", "9", "NULL", "a", "b"});
    CHECK(HashValues({}) == "d41d8cd98f00b204e9800998ecf8427e");
    CHECK(HashLine({"1", "2", "NULL"}) == "3 values hashing to 947ac7611a144a747fd1ba4cb9205642");
}

}  // namespace
}  // namespace orrery::sql::slt
