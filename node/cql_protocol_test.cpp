// The CQL v4 codec: frames, primitives, request and response bodies round-trip, and no byte
// string (random, truncated, hostile lengths) crashes a decoder or makes it allocate by a length
// it was not given the bytes for.
#include "node/cql_protocol.h"

#include <catch2/catch.hpp>

#include <random>

namespace orrery::node::cql {
namespace {

std::string Header(uint8_t version, uint8_t flags, int16_t stream, uint8_t opcode,
                   uint32_t length) {
    Writer w;
    w.Byte(version);
    w.Byte(flags);
    w.Short(static_cast<uint16_t>(stream));
    w.Byte(opcode);
    w.Int(static_cast<int32_t>(length));
    return w.Take();
}

TEST_CASE("a response frame is the v4 header (0x84, flags 0, stream, opcode, length) then the body",
          "[node][cql]") {
    std::string f = EncodeFrame(-3, Opcode::kReady, "xy");
    REQUIRE(f == Header(0x84, 0, -3, 0x02, 2) + "xy");
    FrameCut cut = CutFrame(f);
    REQUIRE(cut.kind == FrameCut::Kind::kFrame);
    CHECK(cut.header.stream == -3);
    CHECK(cut.header.opcode == 0x02);
    CHECK(cut.body == "xy");
    CHECK(cut.consumed == f.size());
}

TEST_CASE("CutFrame waits for a whole frame and judges version and length from the header alone",
          "[node][cql]") {
    std::string f = Header(0x04, 0, 7, 0x07, 5) + "abcde";
    for (size_t n = 0; n < f.size(); ++n) {
        CHECK(CutFrame(std::string_view(f).substr(0, n)).kind == FrameCut::Kind::kIncomplete);
    }
    CHECK(CutFrame(f + "tail").consumed == f.size());
    // A v5 (or DSE v66) STARTUP: refused as soon as the stream can be read.
    FrameCut v5 = CutFrame(Header(0x05, 0, 0x0102, 0x01, 22).substr(0, 4));
    CHECK(v5.kind == FrameCut::Kind::kBadVersion);
    CHECK(v5.header.stream == 0x0102);
    CHECK(CutFrame(Header(0x42, 0, 0, 0x01, 22)).kind == FrameCut::Kind::kBadVersion);
    // v2 framing: a one-byte stream.
    CHECK(CutFrame(std::string("\x02\x00\x05", 3)).header.stream == 5);
    // A length over the bound, or negative as an int32, before any body arrives.
    CHECK(CutFrame(Header(0x04, 0, 1, 0x07, kFrameBodyMax + 1)).kind == FrameCut::Kind::kTooLarge);
    CHECK(CutFrame(Header(0x04, 0, 1, 0x07, 0xFFFFFFFF)).kind == FrameCut::Kind::kTooLarge);
    CHECK(CutFrame(Header(0x04, 0, 1, 0x07, kFrameBodyMax)).kind == FrameCut::Kind::kIncomplete);
}

TEST_CASE("primitives round-trip through Writer and Reader", "[node][cql]") {
    Writer w;
    w.Byte(0xAB);
    w.Short(0xBEEF);
    w.Int(-123456);
    w.Long(-(int64_t{1} << 40));
    w.String("héllo");
    w.LongString(std::string(70000, 'x'));
    w.Bytes(std::string("\0\1", 2));
    w.Bytes(std::nullopt);
    w.Unset();
    w.ShortBytes("id");
    w.StringList({"a", "", "bc"});
    w.StringMap({{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "x"}});
    w.StringMultimap({{"COMPRESSION", {}}, {"CQL_VERSION", {"3.4.4"}}});
    w.WriteConsistency(Consistency::kLocalQuorum);
    Type nested = Type::Map(Type::Native(TypeId::kInt),
                            Type::List(Type::Set(Type::Native(TypeId::kVarchar))));
    w.WriteType(nested);

    Reader r(w.out());
    uint8_t b = 0;
    uint16_t s = 0;
    int32_t i = 0;
    int64_t l = 0;
    std::string str, lstr, sbytes;
    Cell c1, c2, c3;
    bool unset1 = true, unset3 = false;
    std::vector<std::string> list;
    std::map<std::string, std::string> map;
    std::map<std::string, std::vector<std::string>> multimap;
    Consistency consistency = Consistency::kAny;
    Type type;
    REQUIRE(r.Byte(&b));
    REQUIRE(r.Short(&s));
    REQUIRE(r.Int(&i));
    REQUIRE(r.Long(&l));
    REQUIRE(r.String(&str));
    REQUIRE(r.LongString(&lstr));
    REQUIRE(r.Bytes(&c1, &unset1));
    REQUIRE(r.Bytes(&c2));
    REQUIRE(r.Bytes(&c3, &unset3));
    REQUIRE(r.ShortBytes(&sbytes));
    REQUIRE(r.StringList(&list));
    REQUIRE(r.StringMap(&map));
    REQUIRE(r.StringMultimap(&multimap));
    REQUIRE(r.ReadConsistency(&consistency));
    REQUIRE(r.ReadType(&type));
    CHECK(r.at_end());
    CHECK(b == 0xAB);
    CHECK(s == 0xBEEF);
    CHECK(i == -123456);
    CHECK(l == -(int64_t{1} << 40));
    CHECK(str == "héllo");
    CHECK(lstr.size() == 70000);
    CHECK(c1 == std::string("\0\1", 2));
    CHECK(!unset1);
    CHECK(!c2);
    CHECK(!c3);
    CHECK(unset3);
    CHECK(sbytes == "id");
    CHECK(list == std::vector<std::string>{"a", "", "bc"});
    CHECK(map.at("CQL_VERSION") == "3.0.0");
    CHECK(multimap.at("COMPRESSION").empty());
    CHECK(consistency == Consistency::kLocalQuorum);
    REQUIRE(type.id == TypeId::kMap);
    REQUIRE(type.params.size() == 2);
    CHECK(type.params[0].id == TypeId::kInt);
    REQUIRE(type.params[1].id == TypeId::kList);
    REQUIRE(type.params[1].params[0].id == TypeId::kSet);
    CHECK(type.params[1].params[0].params[0].id == TypeId::kVarchar);
}

TEST_CASE("a [string] longer than 65535 bytes is cut to fit", "[node][cql]") {
    Writer w;
    w.String(std::string(70000, 'm'));
    Reader r(w.out());
    std::string s;
    REQUIRE(r.String(&s));
    CHECK(s.size() == 0xFFFF);
    CHECK(r.at_end());
}

TEST_CASE("the reader refuses lengths the body cannot hold, and an unset where none is allowed",
          "[node][cql]") {
    Writer w;
    w.Short(0xFFFF);  // A [string list] of 65535 in a 2-byte body.
    std::vector<std::string> list;
    Reader r1(w.out());
    CHECK(!r1.StringList(&list));
    CHECK(list.capacity() == 0);  // Nothing reserved for the count.

    Writer w2;
    w2.Int(0x7FFFFFFF);  // [long string] of 2 GiB.
    std::string s;
    Reader r2(w2.out());
    CHECK(!r2.LongString(&s));
    CHECK(r2.error().find("truncated") != std::string::npos);

    Writer w3;
    w3.Unset();
    Cell cell;
    Reader r3(w3.out());
    CHECK(!r3.Bytes(&cell));  // -2 without an unset slot.

    Writer w4;
    w4.Short(0x0099);  // An unknown consistency.
    Consistency c;
    Reader r4(w4.out());
    CHECK(!r4.ReadConsistency(&c));

    // A type nested past the bound: list<list<...>> 100 deep.
    Writer w5;
    for (int i = 0; i < 100; ++i) w5.Short(static_cast<uint16_t>(TypeId::kList));
    w5.Short(static_cast<uint16_t>(TypeId::kInt));
    Type t;
    Reader r5(w5.out());
    CHECK(!r5.ReadType(&t));
    CHECK(r5.error() == "type nests too deeply");
    // A failed reader stays failed.
    uint8_t b;
    CHECK(!r5.Byte(&b));
}

TEST_CASE("QUERY, EXECUTE and BATCH bodies round-trip with every flag", "[node][cql]") {
    QueryMessage q;
    q.query = "SELECT * FROM t WHERE k = ?";
    q.options.params.consistency = Consistency::kQuorum;
    q.options.params.values = {std::string("\0\0\0\1", 4), std::nullopt, std::nullopt};
    q.options.params.unset = {false, false, true};
    q.options.params.names = {"k", "v", "w"};
    q.options.params.serial = Consistency::kLocalSerial;
    q.options.params.timestamp = 1234567890123;
    q.options.skip_metadata = true;
    q.options.page_size = 5000;
    q.options.paging_state = "state";
    QueryMessage back;
    std::string error;
    REQUIRE(DecodeQuery(EncodeQuery(q), &back, &error));
    CHECK(back.query == q.query);
    CHECK(back.options.params.consistency == Consistency::kQuorum);
    CHECK(back.options.params.values == q.options.params.values);
    CHECK(back.options.params.unset == q.options.params.unset);
    CHECK(back.options.params.names == q.options.params.names);
    CHECK(back.options.params.serial == Consistency::kLocalSerial);
    CHECK(back.options.params.timestamp == 1234567890123);
    CHECK(back.options.skip_metadata);
    CHECK(back.options.page_size == 5000);
    CHECK(back.options.paging_state == "state");

    QueryMessage bare;
    bare.query = "USE ks";
    QueryMessage bare_back;
    REQUIRE(DecodeQuery(EncodeQuery(bare), &bare_back, &error));
    CHECK(bare_back.options.params.values.empty());
    CHECK(!bare_back.options.page_size);
    CHECK(!bare_back.options.params.serial);

    ExecuteMessage e;
    e.id = std::string(16, '\x7f');
    e.options.params.values = {std::string("v")};
    e.options.params.unset = {false};
    ExecuteMessage e_back;
    REQUIRE(DecodeExecute(EncodeExecute(e), &e_back, &error));
    CHECK(e_back.id == e.id);
    CHECK(e_back.options.params.values == e.options.params.values);

    BatchMessage b;
    b.type = 1;
    b.items.push_back({false, "INSERT INTO t (k) VALUES (?)", {std::string("a")}});
    b.items.push_back({true, std::string(16, '\1'), {std::nullopt, std::string("b")}});
    b.consistency = Consistency::kAll;
    b.serial = Consistency::kSerial;
    b.timestamp = -5;
    BatchMessage b_back;
    REQUIRE(DecodeBatch(EncodeBatch(b), &b_back, &error));
    CHECK(b_back.type == 1);
    REQUIRE(b_back.items.size() == 2);
    CHECK(!b_back.items[0].prepared);
    CHECK(b_back.items[0].text == b.items[0].text);
    CHECK(b_back.items[1].prepared);
    CHECK(b_back.items[1].values == b.items[1].values);
    CHECK(b_back.consistency == Consistency::kAll);
    CHECK(b_back.serial == Consistency::kSerial);
    CHECK(b_back.timestamp == -5);

    // Trailing bytes are refused.
    CHECK(!DecodeQuery(EncodeQuery(bare) + "x", &bare_back, &error));
    CHECK(error.find("unexpected bytes") != std::string::npos);
}

ColumnSpec Col(std::string table, std::string name, Type type) {
    return ColumnSpec{"ks", std::move(table), std::move(name), std::move(type)};
}

TEST_CASE("RESULT bodies round-trip: Rows (one table, two tables, paged, no metadata), Void, "
          "Set_keyspace, Schema_change, Prepared", "[node][cql]") {
    Result rows;
    rows.kind = Result::Kind::kRows;
    rows.columns = {Col("t", "k", Type::Native(TypeId::kInt)),
                    Col("t", "tags", Type::Set(Type::Native(TypeId::kVarchar)))};
    for (int i = 0; i < 5; ++i) {
        rows.rows.push_back({std::string(4, static_cast<char>(i)),
                             i % 2 ? Cell() : Cell(std::string("s"))});
    }
    std::string error;
    DecodedResult all;
    REQUIRE(DecodeResult(EncodeResult(rows, 0, 5, std::nullopt, false), &all, &error));
    CHECK(all.kind == kResultRows);
    CHECK(all.result.rows == rows.rows);
    REQUIRE(all.result.columns.size() == 2);
    CHECK(all.result.columns[1].name == "tags");
    CHECK(all.result.columns[1].table == "t");
    CHECK(all.result.columns[1].type.id == TypeId::kSet);
    CHECK(!all.paging_state);

    DecodedResult page;
    REQUIRE(DecodeResult(EncodeResult(rows, 1, 2, std::string("next"), true), &page, &error));
    CHECK(page.no_metadata);
    CHECK(page.result.columns.empty());
    CHECK(page.paging_state == "next");
    REQUIRE(page.result.rows.size() == 2);
    CHECK(page.result.rows[0] == rows.rows[1]);

    Result two = rows;
    two.columns[1].table = "u";  // No global table spec: each column names its own.
    DecodedResult two_back;
    REQUIRE(DecodeResult(EncodeResult(two, 0, 5, std::nullopt, false), &two_back, &error));
    CHECK(two_back.result.columns[0].table == "t");
    CHECK(two_back.result.columns[1].table == "u");

    Result ks;
    ks.kind = Result::Kind::kSetKeyspace;
    ks.keyspace = "app";
    DecodedResult ks_back;
    REQUIRE(DecodeResult(EncodeResult(ks, 0, 0, std::nullopt, false), &ks_back, &error));
    CHECK(ks_back.kind == kResultSetKeyspace);
    CHECK(ks_back.result.keyspace == "app");

    Result change;
    change.kind = Result::Kind::kSchemaChange;
    change.change_type = "CREATED";
    change.target = "TABLE";
    change.keyspace = "app";
    change.name = "t";
    DecodedResult change_back;
    REQUIRE(DecodeResult(EncodeResult(change, 0, 0, std::nullopt, false), &change_back, &error));
    CHECK(change_back.result.change_type == "CREATED");
    CHECK(change_back.result.target == "TABLE");
    CHECK(change_back.result.keyspace == "app");
    CHECK(change_back.result.name == "t");

    DecodedResult void_back;
    REQUIRE(DecodeResult(EncodeResult(Result{}, 0, 0, std::nullopt, false), &void_back, &error));
    CHECK(void_back.kind == kResultVoid);

    Prepared p;
    p.markers = {Col("t", "k", Type::Native(TypeId::kInt)), Col("t", "v", Type::Native(TypeId::kBlob))};
    p.partition_key_indexes = {0};
    p.result_columns = rows.columns;
    DecodedResult p_back;
    REQUIRE(DecodeResult(EncodePrepared("0123456789abcdef", p), &p_back, &error));
    CHECK(p_back.kind == kResultPrepared);
    CHECK(p_back.prepared_id == "0123456789abcdef");
    CHECK(p_back.prepared.markers.size() == 2);
    CHECK(p_back.prepared.markers[1].type.id == TypeId::kBlob);
    CHECK(p_back.prepared.partition_key_indexes == std::vector<uint16_t>{0});
    REQUIRE(p_back.prepared.result_columns);
    CHECK(p_back.prepared.result_columns->size() == 2);

    Prepared insert;
    insert.markers = p.markers;
    DecodedResult insert_back;
    REQUIRE(DecodeResult(EncodePrepared("id", insert), &insert_back, &error));
    CHECK(!insert_back.prepared.result_columns);
}

TEST_CASE("ERROR bodies carry the fields of their code", "[node][cql]") {
    std::string error;
    Error unavailable;
    unavailable.code = error_code::kUnavailable;
    unavailable.message = "no quorum";
    unavailable.consistency = Consistency::kQuorum;
    unavailable.required = 2;
    unavailable.alive = 1;
    Error back;
    REQUIRE(DecodeError(EncodeError(unavailable), &back, &error));
    CHECK(back.code == error_code::kUnavailable);
    CHECK(back.message == "no quorum");
    CHECK(back.required == 2);
    CHECK(back.alive == 1);

    Error wt;
    wt.code = error_code::kWriteTimeout;
    wt.write_type = "CAS";
    wt.block_for = 3;
    Error wt_back;
    REQUIRE(DecodeError(EncodeError(wt), &wt_back, &error));
    CHECK(wt_back.write_type == "CAS");
    CHECK(wt_back.block_for == 3);

    Error rt;
    rt.code = error_code::kReadTimeout;
    rt.data_present = true;
    Error rt_back;
    REQUIRE(DecodeError(EncodeError(rt), &rt_back, &error));
    CHECK(rt_back.data_present);

    Error exists;
    exists.code = error_code::kAlreadyExists;
    exists.keyspace = "ks";
    exists.table = "t";
    Error exists_back;
    REQUIRE(DecodeError(EncodeError(exists), &exists_back, &error));
    CHECK(exists_back.keyspace == "ks");
    CHECK(exists_back.table == "t");

    Error unprepared;
    unprepared.code = error_code::kUnprepared;
    unprepared.unprepared_id = std::string(16, '\xee');
    Error unprepared_back;
    REQUIRE(DecodeError(EncodeError(unprepared), &unprepared_back, &error));
    CHECK(unprepared_back.unprepared_id == unprepared.unprepared_id);

    Error syntax;
    syntax.code = error_code::kSyntax;
    syntax.message = "line 1:0 no viable alternative";
    std::string body = EncodeError(syntax);
    CHECK(body.size() == 4 + 2 + syntax.message.size());  // No code-specific fields.
}

// Every decoder over random bodies, and over every prefix of valid ones: no crash (ASan and
// the assertions would say), and failures say why.
TEST_CASE("decoders never crash on random or truncated bodies (seeded)", "[node][cql]") {
    std::mt19937_64 rng(20261207);
    QueryMessage q;
    q.query = "SELECT k FROM t";
    q.options.params.values = {std::string("abc"), std::nullopt};
    q.options.params.unset = {false, true};
    q.options.page_size = 10;
    q.options.paging_state = "ps";
    BatchMessage b;
    b.items.push_back({false, "INSERT", {std::string("x")}});
    b.items.push_back({true, "0123456789abcdef", {}});
    Result rows;
    rows.kind = Result::Kind::kRows;
    rows.columns = {Col("t", "k", Type::Map(Type::Native(TypeId::kInt), Type::Native(TypeId::kAscii)))};
    rows.rows = {{std::string("a")}, {std::nullopt}};
    std::vector<std::string> good = {EncodeQuery(q), EncodeBatch(b),
                                     EncodeResult(rows, 0, 2, std::string("p"), false)};

    auto run_all = [](std::string_view body) {
        std::string error;
        QueryMessage qm;
        ExecuteMessage em;
        BatchMessage bm;
        std::string query;
        std::map<std::string, std::string> options;
        std::vector<std::string> events;
        DecodedResult result;
        Error e;
        int failures = 0;
        failures += !DecodeQuery(body, &qm, &error);
        failures += !DecodeExecute(body, &em, &error);
        failures += !DecodeBatch(body, &bm, &error);
        failures += !DecodePrepare(body, &query, &error);
        failures += !DecodeStartup(body, &options, &error);
        failures += !DecodeRegister(body, &events, &error);
        failures += !DecodeResult(body, &result, &error);
        failures += !DecodeError(body, &e, &error);
        CutFrame(body);
        return failures;
    };
    // A proper prefix of a body is always refused by the decoder of its kind.
    std::string error;
    for (size_t n = 0; n < good[0].size(); ++n) {
        QueryMessage qm;
        CHECK(!DecodeQuery(std::string_view(good[0]).substr(0, n), &qm, &error));
        run_all(std::string_view(good[0]).substr(0, n));
    }
    for (size_t n = 0; n < good[1].size(); ++n) {
        BatchMessage bm;
        CHECK(!DecodeBatch(std::string_view(good[1]).substr(0, n), &bm, &error));
        run_all(std::string_view(good[1]).substr(0, n));
    }
    for (size_t n = 0; n < good[2].size(); ++n) {
        DecodedResult dr;
        CHECK(!DecodeResult(std::string_view(good[2]).substr(0, n), &dr, &error));
        run_all(std::string_view(good[2]).substr(0, n));
    }
    for (int i = 0; i < 20000; ++i) {
        size_t len = rng() % 64;
        std::string body(len, '\0');
        for (auto& c : body) {
            // Mostly 0x00 and 0xFF: lengths of zero, -1 and huge are the interesting ones.
            uint64_t r = rng() % 4;
            c = r == 0 ? '\0' : r == 1 ? '\xff' : static_cast<char>(rng());
        }
        run_all(body);
        // And a valid body with one byte flipped.
        std::string mutated = good[i % good.size()];
        mutated[rng() % mutated.size()] = static_cast<char>(rng());
        run_all(mutated);
    }
}

}  // namespace
}  // namespace orrery::node::cql
