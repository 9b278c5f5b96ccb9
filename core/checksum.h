// Checksums for everything Orrery writes to disk or sends on the wire.
//
// CRC32C (Castagnoli) detects all burst errors up to 32 bits and every odd number of bit flips,
// which is what a torn sector or a flipped bit produces. Stored CRCs are *masked* (rotated and
// offset, as LevelDB does) so that a CRC computed over bytes that themselves contain a CRC does
// not degenerate.
#pragma once

#include <cstdint>
#include <string_view>

namespace orrery {

// Returns the CRC32C of data, continuing from `init` (0 for a fresh checksum).
// Uses the CPU's crc32 instruction where there is one (x86-64 with SSE4.2).
uint32_t Crc32c(std::string_view data, uint32_t init = 0);

// The same function by portable table lookup (slicing-by-8); exposed to test the two agree.
uint32_t Crc32cPortable(std::string_view data, uint32_t init = 0);

// Masks a CRC for storage; UnmaskCrc inverts it.
inline uint32_t MaskCrc(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }
inline uint32_t UnmaskCrc(uint32_t masked) {
    uint32_t rot = masked - 0xa282ead8u;
    return (rot >> 17) | (rot << 15);
}

// 64-bit non-cryptographic hash (FNV-1a folded through a 64-bit finalizer). Used for trace hashes,
// bloom filters and seed derivation, where speed and spread matter and adversaries do not.
uint64_t Hash64(std::string_view data, uint64_t seed = 0);

// Mixes a 64-bit value (the splitmix64 finalizer).
inline uint64_t Mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

}  // namespace orrery
