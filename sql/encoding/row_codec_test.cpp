// Row codec: a pruned decode (row_codec.h's `wanted`) equals the whole decode at every wanted
// position and is NULL elsewhere, for every subset of positions; a skipped value is still
// checked, so a corrupt byte is reported whichever columns are read.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sql/encoding/row_codec.h"

namespace orrery::sql {
namespace {

// A table without a primary key (so the hidden row id is the last position) whose columns have
// ids out of position order, and one column added with a DEFAULT that old rows lack.
TableSchema MixedTable() {
    TableSchema t;
    t.id = 7;
    t.name = "m";
    auto column = [&](uint32_t id, const char* name, DataType type) {
        ColumnSchema c;
        c.id = id;
        c.name = name;
        c.type = TypeSpec{type, {}};
        t.columns.push_back(c);
    };
    column(3, "s", DataType::kString);
    column(1, "i", DataType::kInteger);
    column(4, "f", DataType::kFloat);
    column(2, "b", DataType::kBoolean);
    column(6, "late", DataType::kInteger);
    t.columns.back().missing_value = Value::Integer(99);
    t.next_column_id = 7;
    return t;
}

TEST_CASE("row codec: a pruned decode is the whole decode at the wanted positions",
          "[sql][encoding]") {
    TableSchema t = MixedTable();
    const size_t width = StoredRowWidth(t);
    REQUIRE(width == 6);
    // Written before `late` existed: encode with a schema lacking it, read with the full one.
    TableSchema old = t;
    old.columns.pop_back();
    std::vector<Row> rows = {
        {Value::String("hello"), Value::Integer(-5), Value::Float(2.5), Value::Boolean(true),
         Value::Integer(1)},
        {Value::Null(), Value::Integer(1LL << 40), Value::Null(), Value::Boolean(false),
         Value::Integer(2)},
        {Value::String(""), Value::Null(), Value::Float(-0.0), Value::Null(), Value::Integer(3)},
    };
    for (const Row& written : rows) {
        std::string bytes = EncodeRow(old, written);
        auto whole = DecodeRow(t, bytes);
        REQUIRE(whole.ok());
        REQUIRE(whole->size() == width);
        CHECK(whole.value()[4] == Value::Integer(99));  // `late`: its missing_value.
        // Every subset, decoding into one reused buffer as a scan does (stale values must not
        // survive in unwanted slots).
        Row buffer;
        for (uint32_t mask = 0; mask < (1u << width); ++mask) {
            std::vector<bool> wanted(width);
            for (size_t p = 0; p < width; ++p) wanted[p] = (mask >> p) & 1;
            REQUIRE(DecodeRowInto(t, bytes, &buffer, wanted).ok());
            REQUIRE(buffer.size() == width);
            for (size_t p = 0; p < width; ++p) {
                INFO("mask " << mask << " position " << p);
                if (wanted[p]) {
                    CHECK(buffer[p].type() == whole.value()[p].type());
                    CHECK(CompareValues(buffer[p], whole.value()[p]) == 0);
                } else {
                    CHECK(buffer[p].is_null());
                }
            }
        }
    }
}

TEST_CASE("row codec: a malformed value is reported even when it is skipped", "[sql][encoding]") {
    TableSchema t = MixedTable();
    Row row = {Value::String("x"), Value::Integer(1), Value::Null(), Value::Boolean(true),
               Value::Integer(5), Value::Integer(8)};
    std::string bytes = EncodeRow(t, row);
    // The boolean's byte is the one before the last column's entries; find it by its value.
    std::string boolean{static_cast<char>(DataType::kBoolean), '\x01'};
    size_t at = bytes.find(boolean);
    REQUIRE(at != std::string::npos);
    bytes[at + 1] = '\x02';  // Not 0 or 1.
    std::vector<bool> only_integer = {false, true, false, false, false, false};
    Row out;
    CHECK(!DecodeRowInto(t, bytes, &out, only_integer).ok());
    CHECK(!DecodeRowInto(t, bytes, &out).ok());
    // And a truncated row fails whatever is wanted.
    std::string cut = EncodeRow(t, row);
    cut.pop_back();
    CHECK(!DecodeRowInto(t, cut, &out, only_integer).ok());
}

}  // namespace
}  // namespace orrery::sql
