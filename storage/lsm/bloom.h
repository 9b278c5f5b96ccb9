// Bloom filter: one per SSTable, so a Get skips tables that cannot hold the key.
//
// Layout: the bit array (ceil(bits/8) bytes), then one byte k (the number of probes). Probes use
// double hashing of one 64-bit hash (Kirsch and Mitzenmacher, "Less hashing, same performance"),
// so a lookup costs one hash and k bit tests. With 10 bits per key and k = 7 the false-positive
// rate is about 1%. A filter never gives a false negative: MayContain(key) is true for every key
// that was added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::storage::lsm {

// Builds a filter from the 64-bit hashes of the table's keys.
class BloomBuilder {
public:
    explicit BloomBuilder(int bits_per_key) : bits_per_key_(bits_per_key) {}
    void AddKey(std::string_view key);
    // Returns the encoded filter (bits then k).
    std::string Finish() const;

private:
    int bits_per_key_;
    std::vector<uint64_t> hashes_;
};

// Returns false only if key was certainly not added to the filter `filter` (encoded as above).
// A malformed (too short) filter answers true: it can only cost a block read, never a wrong answer.
bool BloomMayContain(std::string_view filter, std::string_view key);
// The same, given BloomHash(key) (a Get hashes its key once for every table it probes).
bool BloomMayContainHash(std::string_view filter, uint64_t hash);
uint64_t BloomHash(std::string_view key);

}  // namespace orrery::storage::lsm
