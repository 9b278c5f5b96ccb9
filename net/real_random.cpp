// Seeds from the OS random source. See real_random.h.
#include "net/real_random.h"

#include <sys/random.h>

#include <chrono>

#include "core/checksum.h"

namespace orrery::net {

uint64_t SeedFromOs(NodeId node) {
    uint64_t os_bits = 0;
    // getrandom never blocks once the pool is initialised; if it fails we still have the mix.
    ssize_t got = ::getrandom(&os_bits, sizeof os_bits, GRND_NONBLOCK);
    if (got != static_cast<ssize_t>(sizeof os_bits)) os_bits = 0;
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    return Mix64(os_bits ^ Mix64(static_cast<uint64_t>(now) + node.value()));
}

Random MakeNodeRandom(NodeId node, std::optional<uint64_t> seed) {
    return Random(seed.has_value() ? *seed : SeedFromOs(node));
}

}  // namespace orrery::net
