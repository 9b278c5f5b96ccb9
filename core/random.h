// Random: the only source of randomness protocol code may use.
//
// Contract:
//  - A Random is seeded; the same seed yields the same sequence on every machine and build.
//  - Fork(label) derives an independent child generator from this generator's *seed* and a
//    label (e.g. "node3/raft"), not from its current position. Adding a node or a component
//    therefore never shifts the draws of the others.
//  - Nothing deterministic may use std::random_device, rand(), or the address of an object.
//
// The generator is xoshiro256** (Blackman and Vigna): small, fast, and good enough for
// scheduling faults and timeouts. It is not cryptographic.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/types.h"

namespace orrery {

class Random {
public:
    explicit Random(uint64_t seed);

    // The seed this generator was built from.
    uint64_t seed() const { return seed_; }

    // Returns the next 64 random bits.
    uint64_t Next();

    // Returns a value uniform in [0, n). REQUIRES: n > 0.
    uint64_t Uniform(uint64_t n);
    // Returns a value uniform in [lo, hi]. REQUIRES: lo <= hi.
    int64_t Range(int64_t lo, int64_t hi);
    // Returns a duration uniform in [lo, hi].
    Duration RangeDuration(Duration lo, Duration hi) { return Duration(Range(lo.us(), hi.us())); }
    // Returns a double uniform in [0, 1).
    double NextDouble();
    // Returns true with probability p (p <= 0: never; p >= 1: always, without drawing).
    bool Chance(double p);

    // Returns a child generator for `label`; see the contract above.
    Random Fork(std::string_view label) const;

private:
    uint64_t seed_;
    std::array<uint64_t, 4> s_;
};

}  // namespace orrery
