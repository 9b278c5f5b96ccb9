// Env: the bundle of world interfaces one node is built with.
//
// A component never reaches for a clock, a random source, a file or a socket on its own: it is
// handed an Env by reference when constructed and uses only that. The simulator builds one Env
// per node from simulated parts; a real process builds one from the steady clock, POSIX files
// and TCP. The Env outlives every component built with it. There are no globals.
#pragma once

#include "core/clock.h"
#include "core/disk.h"
#include "core/fault_points.h"
#include "core/network.h"
#include "core/random.h"
#include "core/trace.h"

namespace orrery {

struct Env {
    NodeId node;           // Whom this Env belongs to.
    Clock& clock;          // Monotonic time and timers.
    Random& random;        // This node's seeded generator; Fork() it per component.
    Disk& disk;            // This node's directory.
    Network& network;      // This node's endpoint.
    Tracer& tracer;        // Where trace events go.
    FaultPoints& faults;   // BUGGIFY points; never fire in the real world.
};

}  // namespace orrery
