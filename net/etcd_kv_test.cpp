// etcd's JSON key-value API: base64 both ways (RFC 4648's test vectors), the request bodies, and
// the reply checks on replies as etcd 3.4's gateway writes them, good and bad.
#include "net/etcd_kv.h"

#include <catch2/catch.hpp>

namespace orrery::net {
namespace {

TEST_CASE("base64 round-trips RFC 4648's vectors and refuses what is not base64", "[etcd]") {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, coded] : vectors) {
        CHECK(EncodeBase64(plain) == coded);
        auto back = DecodeBase64(coded);
        REQUIRE(back.ok());
        CHECK(*back == plain);
    }
    std::string all;
    for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
    CHECK(*DecodeBase64(EncodeBase64(all)) == all);
    CHECK(!DecodeBase64("Zm9").ok());      // Not a multiple of 4.
    CHECK(!DecodeBase64("Zm9v!A==").ok()); // Not the alphabet.
    CHECK(!DecodeBase64("Zg==Zm9v").ok()); // Padding before the end.
    CHECK(!DecodeBase64("Z=9v").ok());     // Padding inside a group.
}

TEST_CASE("the request bodies carry key and value in base64", "[etcd]") {
    CHECK(EtcdPutRequest("foo", "bar") == R"({"key":"Zm9v","value":"YmFy"})");
    CHECK(EtcdRangeRequest("foo") == R"({"key":"Zm9v"})");
}

TEST_CASE("a put reply is ok only with a header holding a revision", "[etcd]") {
    auto ok = CheckEtcdPutReply(
        R"({"header":{"cluster_id":"1","member_id":"2","revision":"7","raft_term":"2"}})");
    REQUIRE(ok.ok());
    CHECK(*ok == 7);
    CHECK(!CheckEtcdPutReply(R"({"header":{"cluster_id":"1"}})").ok());
    CHECK(!CheckEtcdPutReply(R"({"header":{"revision":"0"}})").ok());
    CHECK(!CheckEtcdPutReply(R"({"header":{"revision":"x7"}})").ok());
    CHECK(!CheckEtcdPutReply(R"({"header":{"revision":7}})").ok());  // The gateway sends strings.
    CHECK(!CheckEtcdPutReply(R"({"error":"etcdserver: too many requests","code":14})").ok());
    CHECK(!CheckEtcdPutReply("not json").ok());
    CHECK(!CheckEtcdPutReply("").ok());
}

TEST_CASE("a range reply is ok only with the key asked for and the value written", "[etcd]") {
    const std::string header = R"("header":{"revision":"2","raft_term":"2"})";
    std::string good = "{" + header +
                       R"(,"kvs":[{"key":"Zm9v","create_revision":"2","mod_revision":"2",)"
                       R"("version":"1","value":"YmFy"}],"count":"1"})";
    CHECK(CheckEtcdRangeReply(good, "foo", "bar").ok());
    CHECK(CheckEtcdRangeReply(good, "foo", "baz").message() ==
          "range of 'foo' returned another value (3 bytes; 3 written)");
    CHECK(CheckEtcdRangeReply(good, "fox", "bar").message() ==
          "range of 'fox' returned another key");
    CHECK(CheckEtcdRangeReply("{" + header + "}", "foo", "bar").message() ==
          "range of 'foo' did not return one kv");  // An absent key: no kvs at all.
    std::string two = "{" + header + R"(,"kvs":[{"key":"Zm9v","value":"YmFy"},)"
                      R"({"key":"Zm9v","value":"YmFy"}],"count":"2"})";
    CHECK(!CheckEtcdRangeReply(two, "foo", "bar").ok());
    CHECK(CheckEtcdRangeReply("{" + header + R"(,"kvs":[{"key":"Zm9v"}]})", "foo", "").ok());
    CHECK(!CheckEtcdRangeReply("{" + header + R"(,"kvs":[{"key":"Zm9v"}]})", "foo", "bar").ok());
    CHECK(!CheckEtcdRangeReply(R"({"error":"etcdserver: request timed out","code":14})", "foo",
                               "bar").ok());
}

}  // namespace
}  // namespace orrery::net
