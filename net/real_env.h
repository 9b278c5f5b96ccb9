// RealEnv: everything one real node process needs to build an orrery::Env.
//
// The simulator builds each node's Env from simulated parts; a real node builds it from these:
//
//   Clock       RealClock   steady clock, timers on the node's io_context
//   Random      Random      xoshiro256**, seeded from the OS (or --seed), seed printed in the log
//   Disk        PosixDisk   the node's data directory, fsync for durability (opened by the
//                           caller and handed in: net/ depends on core only, so the process's
//                           main, in tools/, opens storage/posix's PosixDisk)
//   Network     TcpNetwork  peer and client listeners from the cluster config
//   Tracer      RealTracer  JSON Lines trace file if asked for, else a NullTracer
//   FaultPoints NoFaultPoints  BUGGIFY never fires outside the simulator
//
// Everything runs on one io_context, driven by one thread (the caller's io.run()). The RealEnv
// must outlive every component built from env(), and the io_context must outlive the RealEnv.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/env.h"
#include "net/cluster_config.h"
#include "net/logger.h"
#include "net/real_clock.h"
#include "net/tcp_network.h"

namespace orrery::net {

struct RealEnvOptions {
    NodeId node;
    ClusterConfig cluster;           // Must list `node`; its addresses are where we listen.
    std::string trace_path;          // "" = no trace file.
    std::optional<uint64_t> seed;    // Absent: seed from the OS.
    bool client_listener = true;     // Listen on the node's client address.
    // Renders message bytes for the trace's "msg" field (optional).
    std::function<std::string(std::string_view bytes)> render;
};

class RealEnv {
public:
    // Takes the node's disk, binds the listeners and opens the trace. The logger must outlive
    // the env. REQUIRES: disk != nullptr.
    static Result<std::unique_ptr<RealEnv>> Create(boost::asio::io_context& io,
                                                   RealEnvOptions options,
                                                   std::unique_ptr<Disk> disk, Logger& log);
    RealEnv(const RealEnv&) = delete;
    RealEnv& operator=(const RealEnv&) = delete;

    // The bundle handed to the node's components.
    Env& env() { return *env_; }

    RealClock& clock() { return *clock_; }
    Random& random() { return *random_; }
    Disk& disk() { return *disk_; }
    TcpNetwork& network() { return *network_; }
    Tracer& tracer() { return *tracer_; }
    // The seed the node's Random was built from.
    uint64_t seed() const { return random_->seed(); }

private:
    RealEnv() = default;

    std::unique_ptr<RealClock> clock_;
    std::unique_ptr<Random> random_;
    std::unique_ptr<Random> net_random_;  // Backoff jitter: a fork, so it never shifts node draws.
    std::unique_ptr<Disk> disk_;
    std::unique_ptr<Tracer> tracer_;
    std::unique_ptr<TcpNetwork> network_;
    NoFaultPoints faults_;
    std::unique_ptr<Env> env_;
};

}  // namespace orrery::net
