// CRC32C and Hash64.
//
// CRC32C has two implementations that give the same answer: the SSE4.2 crc32 instruction (eight
// bytes per instruction) where the CPU has it, and portable slicing-by-8 tables elsewhere. Reads
// of the storage engines verify a checksum on every block they load, so the instruction matters:
// it took the LSM's random-read CPU time spent in CRC from about a fifth to a few percent.
// The choice is made once per process from the CPU, never from input, so it cannot affect
// determinism: both paths are tested against each other.
#include "core/checksum.h"

#include <array>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "core/coding.h"

namespace orrery {
namespace {

constexpr uint32_t kCastagnoliPoly = 0x82f63b78u;  // Reflected CRC32C polynomial.

constexpr std::array<std::array<uint32_t, 256>, 8> MakeTables() {
    std::array<std::array<uint32_t, 256>, 8> t{};
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kCastagnoliPoly : c >> 1;
        t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
        for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
    return t;
}

constexpr auto kTables = MakeTables();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t Crc32cSse42(std::string_view data, uint32_t init) {
    uint64_t crc = ~init;
    const char* p = data.data();
    size_t n = data.size();
    while (n >= 8) {
        crc = _mm_crc32_u64(crc, DecodeFixed64(p));
        p += 8;
        n -= 8;
    }
    auto c = static_cast<uint32_t>(crc);
    while (n-- > 0) c = _mm_crc32_u8(c, static_cast<uint8_t>(*p++));
    return ~c;
}

bool CpuHasSse42() {
    static const bool has = __builtin_cpu_supports("sse4.2");
    return has;
}
#endif

}  // namespace

uint32_t Crc32c(std::string_view data, uint32_t init) {
#if defined(__x86_64__)
    if (CpuHasSse42()) return Crc32cSse42(data, init);
#endif
    return Crc32cPortable(data, init);
}

uint32_t Crc32cPortable(std::string_view data, uint32_t init) {
    uint32_t crc = ~init;
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    // Slicing-by-8: eight table lookups per 8 input bytes.
    while (n >= 8) {
        uint64_t word = DecodeFixed64(reinterpret_cast<const char*>(p)) ^ crc;
        crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
              kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
              kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
              kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
        p += 8;
        n -= 8;
    }
    while (n-- > 0) crc = (crc >> 8) ^ kTables[0][(crc ^ *p++) & 0xff];
    return ~crc;
}

namespace {

// The last n < 8 bytes as a little-endian word (byte i at bits 8i), without a loop: trace
// hashing calls Hash64 on many short field names, where a byte loop was most of the cost.
// Two overlapping loads cover the bytes; a byte read by both lands on the same bits both times,
// so or-ing them is exact. Equal to the byte loop for every n (core_test checks all of them).
uint64_t LoadTail(const uint8_t* p, size_t n) {
    if (n >= 4) {
        auto lo = static_cast<uint64_t>(DecodeFixed32(reinterpret_cast<const char*>(p)));
        auto hi = static_cast<uint64_t>(DecodeFixed32(reinterpret_cast<const char*>(p + n - 4)));
        return lo | (hi << (8 * (n - 4)));
    }
    if (n == 0) return 0;
    return static_cast<uint64_t>(p[0]) | (static_cast<uint64_t>(p[n / 2]) << (8 * (n / 2))) |
           (static_cast<uint64_t>(p[n - 1]) << (8 * (n - 1)));
}

}  // namespace

uint64_t Hash64(std::string_view data, uint64_t seed) {
    uint64_t h = 0xcbf29ce484222325ull ^ Mix64(seed);
    const auto* p = reinterpret_cast<const uint8_t*>(data.data());
    size_t n = data.size();
    while (n >= 8) {
        h = (h ^ Mix64(DecodeFixed64(reinterpret_cast<const char*>(p)))) * 0x100000001b3ull;
        p += 8;
        n -= 8;
    }
    h = (h ^ Mix64(LoadTail(p, n) ^ (static_cast<uint64_t>(data.size()) << 56))) * 0x100000001b3ull;
    return Mix64(h);
}

}  // namespace orrery
