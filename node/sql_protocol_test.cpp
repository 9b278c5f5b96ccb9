// Tests of the SQL protocol codec: round trips of every value type and body, rejection of every
// corruption (the simulator's network flips bits), bounds that a lying count cannot get past,
// and the trace rendering.
#include "node/sql_protocol.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>
#include <limits>

#include "core/checksum.h"
#include "core/coding.h"
#include "node/client_protocol.h"

namespace orrery::node {
namespace {

sql::Value RandomValue() {
    switch (*rc::gen::inRange(0, 7)) {
        case 0: return sql::Value::Null();
        case 1: return sql::Value::Boolean(*rc::gen::arbitrary<bool>());
        case 2: return sql::Value::Integer(*rc::gen::arbitrary<int64_t>());
        case 3: return sql::Value::Float(*rc::gen::arbitrary<double>());
        case 4: return sql::Value::String(*rc::gen::arbitrary<std::string>());
        case 5: return sql::Value::Timestamp(*rc::gen::arbitrary<int64_t>());
        default: return sql::Value::Blob(*rc::gen::arbitrary<std::string>());
    }
}

SqlRequest RandomRequest() {
    SqlRequest r;
    r.client_id = *rc::gen::arbitrary<uint64_t>();
    r.seq = *rc::gen::arbitrary<uint64_t>();
    r.op = static_cast<SqlOp>(*rc::gen::inRange(1, 4));
    r.believed = static_cast<sql::TxnStatus>(*rc::gen::inRange(0, 3));
    r.txn_token = *rc::gen::arbitrary<uint64_t>();
    r.text = *rc::gen::arbitrary<std::string>();
    int n = *rc::gen::inRange(0, 6);
    for (int i = 0; i < n; ++i) r.params.push_back(RandomValue());
    return r;
}

sql::StatementResult RandomResult() {
    sql::StatementResult res;
    int ncols = *rc::gen::inRange(0, 4);
    for (int i = 0; i < ncols; ++i) {
        res.columns.push_back({*rc::gen::arbitrary<std::string>(),
                               static_cast<sql::DataType>(*rc::gen::inRange(0, 7))});
    }
    int nrows = ncols == 0 ? 0 : *rc::gen::inRange(0, 5);
    for (int i = 0; i < nrows; ++i) {
        sql::Row row;
        for (int c = 0; c < ncols; ++c) row.push_back(RandomValue());
        res.rows.push_back(std::move(row));
    }
    res.tag = *rc::gen::arbitrary<std::string>();
    res.rows_affected = *rc::gen::arbitrary<uint64_t>();
    res.notices = *rc::gen::container<std::vector<std::string>>(
        *rc::gen::inRange(0, 3), rc::gen::arbitrary<std::string>());
    return res;
}

SqlReply RandomReply() {
    SqlReply r;
    r.client_id = *rc::gen::arbitrary<uint64_t>();
    r.seq = *rc::gen::arbitrary<uint64_t>();
    r.code = static_cast<SqlReplyCode>(*rc::gen::inRange(0, 4));
    r.leader_hint = *rc::gen::arbitrary<uint32_t>();
    r.leader_address = *rc::gen::arbitrary<std::string>();
    r.txn_status = static_cast<sql::TxnStatus>(*rc::gen::inRange(0, 3));
    r.txn_token = *rc::gen::arbitrary<uint64_t>();
    switch (*rc::gen::inRange(0, 4)) {
        case 0: break;
        case 1: r.result = RandomResult(); break;
        case 2: {
            sql::SqlError e = MakeSqlError(
                static_cast<sql::ErrorKind>(*rc::gen::inRange(
                    0, static_cast<int>(sql::kLastErrorKind) + 1)),
                *rc::gen::arbitrary<std::string>());
            if (*rc::gen::arbitrary<bool>()) e.position = *rc::gen::arbitrary<uint32_t>();
            r.error = e;
            break;
        }
        default: {
            SqlNodeStatus s;
            s.node = *rc::gen::arbitrary<uint32_t>();
            s.leader = *rc::gen::arbitrary<uint32_t>();
            s.role = static_cast<uint8_t>(*rc::gen::inRange(0, 5));
            s.term = *rc::gen::arbitrary<uint64_t>();
            s.mvcc_version = *rc::gen::arbitrary<uint64_t>();
            s.client_addresses.emplace_back(1, "127.0.0.1:9601");
            r.status = s;
        }
    }
    return r;
}

}  // namespace

TEST_CASE("sql requests and replies survive encoding byte for byte", "[node][sql]") {
    // Re-encoding the decoded message must give the same bytes: that covers every field,
    // every value's type tag and a float's exact bits (NaN payloads, -0.0).
    rc::prop("request", [] {
        std::string bytes = EncodeSqlRequest(RandomRequest());
        auto m = DecodeSqlMessage(bytes);
        RC_ASSERT(m.ok());
        RC_ASSERT(m->request.has_value() && !m->reply.has_value());
        RC_ASSERT(EncodeSqlRequest(*m->request) == bytes);
    });
    rc::prop("reply", [] {
        std::string bytes = EncodeSqlReply(RandomReply());
        auto m = DecodeSqlMessage(bytes);
        RC_ASSERT(m.ok());
        RC_ASSERT(m->reply.has_value() && !m->request.has_value());
        RC_ASSERT(EncodeSqlReply(*m->reply) == bytes);
    });
}

TEST_CASE("sql values keep their type and value on the wire", "[node][sql]") {
    SqlRequest r;
    r.client_id = 7;
    r.seq = 3;
    r.text = "SELECT ?, ?, ?, ?, ?, ?, ?";
    r.params = {sql::Value::Null(),
                sql::Value::Boolean(true),
                sql::Value::Integer(std::numeric_limits<int64_t>::min()),
                sql::Value::Float(-0.0),
                sql::Value::String("it's"),
                sql::Value::Timestamp(-1),
                sql::Value::Blob(std::string("\0\xff", 2))};
    auto m = DecodeSqlMessage(EncodeSqlRequest(r));
    REQUIRE(m.ok());
    const auto& p = m->request->params;
    REQUIRE(p.size() == 7);
    CHECK(p[0].is_null());
    CHECK(p[1].boolean());
    CHECK(p[2].integer() == std::numeric_limits<int64_t>::min());
    CHECK(std::signbit(p[3].floating()));
    CHECK(p[4].string() == "it's");
    CHECK(p[5].timestamp() == -1);
    CHECK(p[6].blob() == std::string("\0\xff", 2));
    CHECK(m->request->client_id == 7);
    CHECK(m->request->seq == 3);
}

TEST_CASE("sql messages with bad bytes are rejected", "[node][sql]") {
    rc::prop("a bit flip, a truncation or trailing garbage never decodes", [] {
        std::string bytes = *rc::gen::arbitrary<bool>() ? EncodeSqlRequest(RandomRequest())
                                                         : EncodeSqlReply(RandomReply());
        size_t bit = *rc::gen::inRange<size_t>(0, bytes.size() * 8);
        std::string flipped = bytes;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        RC_ASSERT(!DecodeSqlMessage(flipped).ok());
        RC_ASSERT(!DecodeSqlMessage(bytes.substr(0, *rc::gen::inRange<size_t>(0, bytes.size())))
                       .ok());
        RC_ASSERT(!DecodeSqlMessage(bytes + *rc::gen::nonEmpty<std::string>()).ok());
    });
    rc::prop("random bytes never crash the decoder or the describer", [](const std::string& junk) {
        DecodeSqlMessage(junk).status().IgnoreError();
        DescribeSqlPayload(junk);
        DescribeDatagram(Frame(Channel::kSql, junk));
    });
}

TEST_CASE("a lying row count is rejected before anything is allocated for it", "[node][sql]") {
    // A well-sealed reply (valid CRC) that claims 2^31 rows of 2 columns with 3 bytes left.
    std::string body;
    body.push_back(1);  // version
    body.push_back(2);  // reply
    PutVarint64(&body, 1);
    PutVarint64(&body, 1);
    body.push_back(0);  // ok
    PutVarint32(&body, 0);
    PutLengthPrefixed(&body, "");
    body.push_back(0);  // idle
    PutVarint64(&body, 0);
    body.push_back(1);  // result
    PutVarint32(&body, 2);
    PutLengthPrefixed(&body, "a");
    body.push_back(static_cast<char>(sql::DataType::kInteger));
    PutLengthPrefixed(&body, "b");
    body.push_back(static_cast<char>(sql::DataType::kInteger));
    PutVarint32(&body, 1u << 31);
    body.append("\x02\x02\x02");
    PutFixed32(&body, MaskCrc(Crc32c(body)));
    auto m = DecodeSqlMessage(body);
    REQUIRE_FALSE(m.ok());
    CHECK(m.status().ToString().find("bad reply body") != std::string::npos);
}

TEST_CASE("request bounds are checked before encoding", "[node][sql]") {
    CHECK(CheckSqlRequestBounds("SELECT 1", {}).ok());
    std::string huge(kMaxSqlTextBytes + 1, 'x');
    Status s = CheckSqlRequestBounds(huge, {});
    CHECK(s.Is(Code::kInvalidArgument));
    CHECK(s.message().find("bound") != std::string::npos);
}

TEST_CASE("sql datagrams render as one trace line", "[node][sql]") {
    SqlRequest r;
    r.client_id = 1001;
    r.seq = 4;
    r.text = "INSERT INTO movie\nVALUES (1, 'Sicario')";
    CHECK(DescribeDatagram(Frame(Channel::kSql, EncodeSqlRequest(r))) ==
          "Sql c1001#4 \"INSERT INTO movie VALUES (1, 'Sicario')\"");
    SqlReply rep;
    rep.client_id = 1001;
    rep.seq = 4;
    rep.result.emplace();
    rep.result->tag = "INSERT 1";
    CHECK(DescribeDatagram(Frame(Channel::kSql, EncodeSqlReply(rep))) ==
          "SqlReply c1001#4 ok INSERT 1 [I]");
    rep.code = SqlReplyCode::kError;
    rep.result.reset();
    rep.error = MakeSqlError(sql::ErrorKind::kSerializationFailure, "retry");
    rep.txn_status = sql::TxnStatus::kFailed;
    CHECK(DescribeDatagram(Frame(Channel::kSql, EncodeSqlReply(rep))) ==
          "SqlReply c1001#4 error 40001 retry [E]");
}

}  // namespace orrery::node
