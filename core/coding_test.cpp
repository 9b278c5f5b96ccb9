// Varints, fixed-width integers and checksums.
#include "core/coding.h"

#include <catch2/catch.hpp>
#include <rapidcheck/catch.h>

#include "core/checksum.h"

namespace orrery {
namespace {

TEST_CASE("varints round-trip and reject truncation", "[core]") {
    rc::prop("any uint64 round-trips", [](uint64_t v, int64_t s) {
        std::string buf;
        PutVarint64(&buf, v);
        PutVarsint64(&buf, s);
        RC_ASSERT(static_cast<int>(buf.size()) >= VarintLength(v));
        Decoder d(buf);
        uint64_t got;
        int64_t sgot;
        RC_ASSERT(d.GetVarint64(&got));
        RC_ASSERT(d.GetVarsint64(&sgot));
        RC_ASSERT(got == v);
        RC_ASSERT(sgot == s);
        RC_ASSERT(d.empty());
    });
    std::string buf;
    PutVarint64(&buf, 1ull << 40);
    buf.pop_back();
    Decoder d(buf);
    uint64_t v;
    CHECK_FALSE(d.GetVarint64(&v));
}

TEST_CASE("length-prefixed strings refuse lengths past the input", "[core]") {
    std::string buf;
    PutLengthPrefixed(&buf, "hello");
    Decoder ok(buf);
    std::string_view s;
    REQUIRE(ok.GetLengthPrefixed(&s));
    CHECK(s == "hello");
    buf.pop_back();
    Decoder bad(buf);
    CHECK_FALSE(bad.GetLengthPrefixed(&s));
}

TEST_CASE("crc32c matches the standard check value", "[core]") {
    CHECK(Crc32c("123456789") == 0xe3069283u);
    CHECK(Crc32c("") == 0u);
    CHECK(UnmaskCrc(MaskCrc(0xdeadbeef)) == 0xdeadbeefu);
    // Incremental computation equals one-shot.
    CHECK(Crc32c("6789", Crc32c("12345")) == Crc32c("123456789"));
}

TEST_CASE("crc32c's CPU instruction path agrees with the portable tables", "[core]") {
    CHECK(Crc32cPortable("123456789") == 0xe3069283u);
    rc::prop("same checksum either way, from any start", [](const std::string& data, uint32_t init) {
        RC_ASSERT(Crc32c(data, init) == Crc32cPortable(data, init));
        // Unaligned starts and every tail length go through the byte loop too.
        for (size_t skip = 1; skip < 8 && skip < data.size(); ++skip) {
            std::string_view tail = std::string_view(data).substr(skip);
            RC_ASSERT(Crc32c(tail, init) == Crc32cPortable(tail, init));
        }
    });
}

TEST_CASE("crc32c detects every single-bit flip", "[core]") {
    rc::prop("a flipped bit changes the checksum", [](const std::string& data) {
        RC_PRE(!data.empty());
        size_t bit = *rc::gen::inRange<size_t>(0, data.size() * 8);
        std::string flipped = data;
        flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
        RC_ASSERT(Crc32c(flipped) != Crc32c(data));
    });
}

}  // namespace
}  // namespace orrery
