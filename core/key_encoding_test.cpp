// The order-preserving key encoding: byte order must equal value order.
#include "core/key_encoding.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace orrery {
namespace {

rc::Gen<KeyValue> GenKeyValue() {
    return rc::gen::oneOf(
        rc::gen::just(KeyValue(std::monostate{})),
        rc::gen::map(rc::gen::arbitrary<bool>(), [](bool b) { return KeyValue(b); }),
        rc::gen::map(rc::gen::arbitrary<int64_t>(), [](int64_t i) { return KeyValue(i); }),
        rc::gen::map(rc::gen::elementOf(std::vector<int64_t>{INT64_MIN, -1, 0, 1, INT64_MAX}),
                     [](int64_t i) { return KeyValue(i); }),
        rc::gen::map(rc::gen::arbitrary<double>(), [](double d) { return KeyValue(d); }),
        rc::gen::map(rc::gen::elementOf(std::vector<double>{
                         -std::numeric_limits<double>::infinity(), -1.5, -0.0, 0.0, 1e-300,
                         std::numeric_limits<double>::infinity(), std::nan("")}),
                     [](double d) { return KeyValue(d); }),
        rc::gen::map(rc::gen::arbitrary<std::string>(), [](std::string s) { return KeyValue(s); }),
        rc::gen::map(rc::gen::container<std::string>(rc::gen::elementOf(std::string("\0\x01\xff", 3))),
                     [](std::string s) { return KeyValue(s); }));
}

int ByteCompare(const std::string& a, const std::string& b) {
    int c = a.compare(b);
    return (c > 0) - (c < 0);
}

TEST_CASE("key encoding preserves tuple order", "[core]") {
    rc::prop("sign(compare(a,b)) == sign(memcmp(enc a, enc b))", []() {
        auto gen = rc::gen::container<KeyTuple>(GenKeyValue());
        KeyTuple a = *gen;
        KeyTuple b = *rc::gen::oneOf(gen, rc::gen::just(a));
        // Share a prefix half of the time, so deep comparisons are exercised.
        if (*rc::gen::arbitrary<bool>() && !a.empty()) {
            b.insert(b.begin(), a.begin(), a.begin() + *rc::gen::inRange<size_t>(0, a.size()));
        }
        RC_ASSERT(ByteCompare(EncodeKey(a), EncodeKey(b)) == CompareKeyTuple(a, b));
    });
}

TEST_CASE("key encoding round-trips", "[core]") {
    rc::prop("decode(encode(t)) compares equal to t", []() {
        KeyTuple t = *rc::gen::container<KeyTuple>(GenKeyValue());
        auto decoded = DecodeKey(EncodeKey(t));
        RC_ASSERT(decoded.ok());
        RC_ASSERT(CompareKeyTuple(decoded.value(), t) == 0);
    });
}

TEST_CASE("malformed keys are corruption, not crashes", "[core]") {
    CHECK(DecodeKey(std::string("\x04\x01", 2)).status().code() == Code::kCorruption);
    CHECK(DecodeKey(std::string("\x06" "abc", 4)).status().code() == Code::kCorruption);
    CHECK(DecodeKey(std::string("\x09", 1)).status().code() == Code::kCorruption);
}

TEST_CASE("prefix end bounds every extension of the prefix", "[core]") {
    CHECK(PrefixEnd("ab") == "ac");
    CHECK(PrefixEnd(std::string("a\xff", 2)) == "b");
    CHECK(PrefixEnd(std::string("\xff\xff", 2)).empty());
}

}  // namespace
}  // namespace orrery
