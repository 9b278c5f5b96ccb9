// xoshiro256** seeded through splitmix64. See random.h.
#include "core/random.h"

#include "core/assert.h"
#include "core/checksum.h"

namespace orrery {
namespace {
inline uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Random::Random(uint64_t seed) : seed_(seed) {
    uint64_t x = seed;
    for (auto& word : s_) {
        x += 0x9e3779b97f4a7c15ull;  // splitmix64 stepping, so an all-zero state cannot occur.
        word = Mix64(x);
    }
}

uint64_t Random::Next() {
    uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
}

uint64_t Random::Uniform(uint64_t n) {
    ORRERY_ASSERT(n > 0, "Uniform(0)");
    // Lemire's multiply-shift with rejection: unbiased and division-free in the common case.
    unsigned __int128 m = static_cast<unsigned __int128>(Next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
        uint64_t threshold = -n % n;
        while (low < threshold) {
            m = static_cast<unsigned __int128>(Next()) * n;
            low = static_cast<uint64_t>(m);
        }
    }
    return static_cast<uint64_t>(m >> 64);
}

int64_t Random::Range(int64_t lo, int64_t hi) {
    ORRERY_ASSERT(lo <= hi, "Range({}, {})", lo, hi);
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span == UINT64_MAX) return static_cast<int64_t>(Next());
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + Uniform(span + 1));
}

double Random::NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

bool Random::Chance(double p) {
    if (p <= 0.0) return false;
    if (p >= 1.0) return true;
    return NextDouble() < p;
}

Random Random::Fork(std::string_view label) const { return Random(Hash64(label, seed_)); }

}  // namespace orrery
