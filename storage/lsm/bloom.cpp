// Bloom filter building and probing. See bloom.h.
#include "storage/lsm/bloom.h"

#include <algorithm>

#include "core/checksum.h"

namespace orrery::storage::lsm {
namespace {

constexpr uint64_t kBloomSeed = 0xb100f11e;

}  // namespace

uint64_t BloomHash(std::string_view key) { return Hash64(key, kBloomSeed); }

void BloomBuilder::AddKey(std::string_view key) { hashes_.push_back(BloomHash(key)); }

std::string BloomBuilder::Finish() const {
    uint64_t bits = std::max<uint64_t>(64, hashes_.size() * static_cast<uint64_t>(bits_per_key_));
    uint64_t bytes = (bits + 7) / 8;
    bits = bytes * 8;
    // k = bits_per_key * ln 2 minimises the false-positive rate.
    int k = std::clamp(static_cast<int>(bits_per_key_ * 0.69), 1, 30);
    std::string out(bytes, '\0');
    for (uint64_t h : hashes_) {
        uint64_t delta = (h >> 33) | (h << 31);
        for (int i = 0; i < k; ++i) {
            uint64_t pos = h % bits;
            out[pos / 8] = static_cast<char>(out[pos / 8] | (1 << (pos % 8)));
            h += delta;
        }
    }
    out.push_back(static_cast<char>(k));
    return out;
}

bool BloomMayContain(std::string_view filter, std::string_view key) {
    return BloomMayContainHash(filter, BloomHash(key));
}

bool BloomMayContainHash(std::string_view filter, uint64_t h) {
    if (filter.size() < 2) return true;
    int k = static_cast<uint8_t>(filter.back());
    if (k < 1 || k > 30) return true;
    uint64_t bits = (filter.size() - 1) * 8;
    uint64_t delta = (h >> 33) | (h << 31);
    for (int i = 0; i < k; ++i) {
        uint64_t pos = h % bits;
        if ((filter[pos / 8] & (1 << (pos % 8))) == 0) return false;
        h += delta;
    }
    return true;
}

}  // namespace orrery::storage::lsm
