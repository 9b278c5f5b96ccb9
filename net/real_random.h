// Seeds for the real world. A real node's Random is the same xoshiro256** generator as the
// simulator's; only the seed differs: it comes from the OS (getrandom(2)), mixed with the node id
// and the time so two nodes started in the same microsecond still differ. The node prints the
// seed in its log, so a surprising election timeout can at least be explained afterwards (a real
// run is not replayable: the network and the scheduler are not seeded).
#pragma once

#include <cstdint>
#include <optional>

#include "core/random.h"
#include "core/types.h"

namespace orrery::net {

// Returns a fresh seed for `node` from the OS random source, the node id and the steady clock.
uint64_t SeedFromOs(NodeId node);

// Returns the node's generator: seeded with `seed` when given (to repeat a run's draws), else
// with SeedFromOs(node).
Random MakeNodeRandom(NodeId node, std::optional<uint64_t> seed);

}  // namespace orrery::net
