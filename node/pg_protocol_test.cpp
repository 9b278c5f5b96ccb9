// The PostgreSQL v3 frames, byte for byte as the protocol documentation lays them out, and the
// bounds: a random, truncated or oversized frame is an error or "need more", never a crash and
// never an allocation beyond the bytes given.
#include "node/pg_protocol.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <string>

namespace orrery::node::pg {
namespace {

using namespace std::string_literals;

std::string Hex(std::string_view bytes) {
    std::string out;
    for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
}

TEST_CASE("backend messages are framed as the protocol lays them out") {
    CHECK(Hex(AuthenticationOk()) == "520000000800000000");
    CHECK(ParameterStatus("TimeZone", "UTC") == "S\0\0\0\x11TimeZone\0UTC\0"s);
    CHECK(Hex(BackendKeyData(7, -1)) == "4b0000000c00000007ffffffff");
    CHECK(ReadyForQuery(sql::TxnStatus::kIdle) == "Z\0\0\0\x05I"s);
    CHECK(ReadyForQuery(sql::TxnStatus::kInTransaction) == "Z\0\0\0\x05T"s);
    CHECK(ReadyForQuery(sql::TxnStatus::kFailed) == "Z\0\0\0\x05" "E"s);
    CHECK(CommandComplete("INSERT 0 2") == "C\0\0\0\x0fINSERT 0 2\0"s);
    CHECK(EmptyQueryResponse() == "I\0\0\0\x04"s);
    CHECK(ParseComplete() == "1\0\0\0\x04"s);
    CHECK(BindComplete() == "2\0\0\0\x04"s);
    CHECK(CloseComplete() == "3\0\0\0\x04"s);
    CHECK(NoData() == "n\0\0\0\x04"s);
    CHECK(Hex(ParameterDescription({20, 25})) == "740000000e00020000001400000019");
}

TEST_CASE("RowDescription carries each column's type OID and length, text format") {
    std::vector<sql::ResultColumn> cols = {{"id", sql::DataType::kInteger},
                                           {"v", sql::DataType::kString}};
    // 'T', length 47, 2 columns; "id": table 0, attnum 0, oid 20, len 8, typmod -1, format 0;
    // "v": oid 25, len -1.
    CHECK(Hex(RowDescription(cols)) ==
          "540000002f0002"
          "696400" "00000000" "0000" "00000014" "0008" "ffffffff" "0000"
          "7600" "00000000" "0000" "00000019" "ffff" "ffffffff" "0000");
    CHECK(TypeOid(sql::DataType::kBoolean) == 16);
    CHECK(TypeOid(sql::DataType::kFloat) == 701);
    CHECK(TypeOid(sql::DataType::kTimestamp) == 1114);
    CHECK(TypeOid(sql::DataType::kBlob) == 17);
    CHECK(TypeOid(sql::DataType::kNull) == 25);
}

TEST_CASE("DataRow writes values in PostgreSQL's text format, NULL as length -1") {
    sql::Row row = {sql::Value::Integer(42), sql::Value::Null(), sql::Value::Boolean(true),
                    sql::Value::Float(2.0), sql::Value::Float(2.5), sql::Value::Blob("\x0a\xff")};
    CHECK(DataRow(row) ==
          "D\0\0\0\x2b\0\x06"
          "\0\0\0\x02" "42"
          "\xff\xff\xff\xff"
          "\0\0\0\x01t"
          "\0\0\0\x01" "2"
          "\0\0\0\x03" "2.5"
          "\0\0\0\x06\\x0aff"s);
}

TEST_CASE("ErrorResponse has S, V, C, M and P fields and a terminating zero") {
    CHECK(ErrorResponse("42601", "bad", 5u) ==
          "E\0\0\0\x22SERROR\0VERROR\0C42601\0Mbad\0P5\0\0"s);
    sql::SqlError e = sql::MakeSqlError(sql::ErrorKind::kSerializationFailure, "retry");
    CHECK(ErrorResponse(e) == "E\0\0\0\x21SERROR\0VERROR\0C40001\0Mretry\0\0"s);
    CHECK(ErrorResponse("53300", "full", std::nullopt, /*fatal=*/true).substr(5, 7) ==
          "SFATAL\0"s);
}

TEST_CASE("command tags are PostgreSQL's") {
    sql::StatementResult r;
    r.tag = "INSERT 3";
    CHECK(CommandTag(r) == "INSERT 0 3");
    r.tag = "SELECT 2";
    CHECK(CommandTag(r) == "SELECT 2");
    r.tag = "UPDATE 0";
    CHECK(CommandTag(r) == "UPDATE 0");
    r.tag = "CREATE TABLE";
    CHECK(CommandTag(r) == "CREATE TABLE");
}

TEST_CASE("the first message: startup 3.0, SSL request, cancel, other versions") {
    // The StartupMessage libpq sends: length, 3.0, user, database, terminating zero.
    std::string startup = "\0\0\0\x24\0\x03\0\0user\0alice\0database\0orrery\0\0"s;
    size_t used = 0;
    auto cut = CutFrame(startup, /*startup=*/true, &used);
    REQUIRE(cut.ok());
    REQUIRE(cut->has_value());
    CHECK(used == startup.size());
    auto p = ParseStartup((*cut)->body);
    REQUIRE(p.ok());
    CHECK(p->kind == StartupPacket::Kind::kStartup);
    CHECK(p->parameters == std::map<std::string, std::string>{{"database", "orrery"},
                                                              {"user", "alice"}});

    auto ssl = ParseStartup("\x04\xd2\x16\x2f"s);
    REQUIRE(ssl.ok());
    CHECK(ssl->kind == StartupPacket::Kind::kSslRequest);

    auto cancel = ParseStartup("\x04\xd2\x16\x2e\0\0\0\x07\0\0\0\x09"s);
    REQUIRE(cancel.ok());
    CHECK(cancel->kind == StartupPacket::Kind::kCancel);
    CHECK(cancel->process_id == 7);
    CHECK(cancel->secret_key == 9);

    auto v2 = ParseStartup("\0\x02\0\0user\0a\0\0"s);
    CHECK(v2.status().code() == Code::kNotSupported);
    CHECK(!ParseStartup("\0\x03\0\0user\0a\0"s).ok());  // No terminating zero.
}

TEST_CASE("frontend messages parse; a field past the end is an error") {
    auto q = ParseQuery("SELECT 1\0"s);
    REQUIRE(q.ok());
    CHECK(*q == "SELECT 1");
    CHECK(!ParseQuery("SELECT 1"s).ok());
    CHECK(!ParseQuery("a\0b"s).ok());

    auto parse = ParseParse("s1\0SELECT $1\0\0\x01\0\0\0\x14"s);
    REQUIRE(parse.ok());
    CHECK(parse->statement == "s1");
    CHECK(parse->query == "SELECT $1");
    CHECK(parse->parameter_types == std::vector<int32_t>{20});
    CHECK(!ParseParse("s1\0SELECT $1\0\x7f\xff"s).ok());  // 32767 types promised, none there.

    // Bind: portal "", statement "s1", no formats, 2 parameters ("42", NULL), no result formats.
    auto bind = ParseBind("\0s1\0\0\0\0\x02\0\0\0\x02" "42\xff\xff\xff\xff\0\0"s);
    REQUIRE(bind.ok());
    CHECK(bind->statement == "s1");
    REQUIRE(bind->parameters.size() == 2);
    CHECK(bind->parameters[0] == std::optional<std::string>("42"));
    CHECK(!bind->parameters[1].has_value());
    CHECK(!ParseBind("\0s1\0\0\0\0\x01\x7f\xff\xff\xff\0\0"s).ok());  // A 2 GB parameter.

    auto d = ParseDescribe("Pp1\0"s);
    REQUIRE(d.ok());
    CHECK(d->what == 'P');
    CHECK(d->name == "p1");
    CHECK(!ParseDescribe("Xp1\0"s).ok());

    auto e = ParseExecute("\0\0\0\0\x0a"s);
    REQUIRE(e.ok());
    CHECK(e->max_rows == 10);
    CHECK(!ParseExecute("\0\xff\xff\xff\xff"s).ok());
}

TEST_CASE("parameters in text format become values of their declared type") {
    CHECK(ParameterValue(kOidInt8, "42", 0).value() == sql::Value::Integer(42));
    CHECK(ParameterValue(kOidFloat8, "2.5", 0).value() == sql::Value::Float(2.5));
    CHECK(ParameterValue(kOidBool, "t", 0).value() == sql::Value::Boolean(true));
    CHECK(ParameterValue(kOidText, "42", 0).value() == sql::Value::String("42"));
    CHECK(ParameterValue(kOidBytea, "\\x0aff", 0).value() == sql::Value::Blob("\x0a\xff"));
    CHECK(ParameterValue(0, "42", 0).value() == sql::Value::Integer(42));
    CHECK(ParameterValue(0, "-1.5", 0).value() == sql::Value::Float(-1.5));
    CHECK(ParameterValue(0, "abc", 0).value() == sql::Value::String("abc"));
    auto bad = ParameterValue(kOidInt8, "4x", 1);
    REQUIRE(!bad.ok());
    CHECK(bad.status().message() == "parameter $2: invalid input for type bigint: \"4x\"");
}

TEST_CASE("CutFrame checks the length before it waits for the body") {
    size_t used = 0;
    // Too short to hold its own length.
    CHECK(!CutFrame("Q\0\0\0\x03"s, false, &used).ok());
    // 2 GB promised: refused at once, nothing buffered for it.
    CHECK(!CutFrame("Q\x7f\xff\xff\xff"s, false, &used).ok());
    // A startup packet over its bound.
    CHECK(!CutFrame("\0\x01\0\0"s, true, &used).ok());
    // A partial header or body: need more.
    auto partial = CutFrame("Q\0\0\0\x0aSEL"s, false, &used);
    REQUIRE(partial.ok());
    CHECK(!partial->has_value());
    CHECK(used == 0);
    // Two frames back to back: the first is cut, the rest stays.
    std::string two = "S\0\0\0\x04X\0\0\0\x04"s;
    auto first = CutFrame(two, false, &used);
    REQUIRE(first.ok());
    REQUIRE(first->has_value());
    CHECK((*first)->type == 'S');
    CHECK(used == 5);
}

TEST_CASE("random and truncated frames never crash and never overrun") {
    rc::prop("any bytes cut into frames whose bodies the parsers accept or refuse", [] {
        std::string bytes = *rc::gen::arbitrary<std::string>();
        bool startup = *rc::gen::arbitrary<bool>();
        size_t used = 0;
        auto cut = CutFrame(bytes, startup, &used);
        if (!cut.ok() || !cut->has_value()) {
            RC_ASSERT(used == 0);
            return;
        }
        RC_ASSERT(used <= bytes.size());
        RC_ASSERT((*cut)->body.size() + (startup ? 4 : 5) == used);
        const std::string& body = (*cut)->body;
        // Each parser either succeeds or returns an error; none reads past the body.
        (void)ParseStartup(body);
        (void)ParseQuery(body);
        (void)ParseParse(body);
        (void)ParseBind(body);
        (void)ParseDescribe(body);
        (void)ParseExecute(body);
    });
    rc::prop("every proper prefix of a valid Bind is refused", [] {
        std::string value = *rc::gen::arbitrary<std::string>();
        std::string body = "\0s\0\0\0\0\x01"s;
        body += static_cast<char>(0);
        body += static_cast<char>(0);
        body += static_cast<char>((value.size() >> 8) & 0xff);
        body += static_cast<char>(value.size() & 0xff);
        body += value;
        body += "\0\0"s;
        RC_PRE(value.size() < 65536);
        auto whole = ParseBind(body);
        RC_ASSERT(whole.ok());
        RC_ASSERT(whole->parameters.at(0) == std::optional<std::string>(value));
        size_t cut = *rc::gen::inRange<size_t>(0, body.size());
        RC_ASSERT(!ParseBind(std::string_view(body).substr(0, cut)).ok());
    });
}

}  // namespace
}  // namespace orrery::node::pg
