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

namespace {
// Hash64 as first written, with a byte loop for the tail: trace hashes of every recorded run
// depend on these exact values, so the fast tail must agree with it for every input.
uint64_t Hash64Reference(std::string_view data, uint64_t seed) {
    uint64_t h = 0xcbf29ce484222325ull ^ Mix64(seed);
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    while (n >= 8) {
        h = (h ^ Mix64(DecodeFixed64(reinterpret_cast<const char*>(p)))) * 0x100000001b3ull;
        p += 8;
        n -= 8;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < n; ++i) tail |= static_cast<uint64_t>(p[i]) << (8 * i);
    h = (h ^ Mix64(tail ^ (static_cast<uint64_t>(data.size()) << 56))) * 0x100000001b3ull;
    return Mix64(h);
}
}  // namespace

TEST_CASE("Hash64 keeps its values: the loop-free tail equals the byte loop", "[core]") {
    CHECK(Hash64("", 0) == Hash64Reference("", 0));
    const std::string bytes = "\xff\x01orrery!\x80\x7f trace hash tail";
    for (size_t len = 0; len <= bytes.size(); ++len) {
        for (size_t skip = 0; skip < 8 && skip + len <= bytes.size(); ++skip) {
            std::string_view s = std::string_view(bytes).substr(skip, len);
            CHECK(Hash64(s, 7) == Hash64Reference(s, 7));
        }
    }
    rc::prop("same hash as the byte loop", [](const std::string& data, uint64_t seed) {
        RC_ASSERT(Hash64(data, seed) == Hash64Reference(data, seed));
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
