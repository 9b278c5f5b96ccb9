// ClientEnv: the Env of a client process (`orrery kv`, `orrery cluster status`, the cluster
// benchmark), built from real parts the way RealEnv builds a node's.
//
//   Clock       RealClock    timers on the caller's io_context
//   Random      Random       seeded from the OS (session ids must differ between processes)
//   Disk        NoDisk       a client keeps no files: every call is kNotSupported
//   Network     TcpClient    one link per server's client port
//   Tracer      NullTracer
//   FaultPoints NoFaultPoints
//
// Several ClientEnvs may share one io_context (the benchmark runs 64 clients on one thread).
// RunUntil drives that io_context until a condition holds, which turns the callback-style
// node::KvClient into a blocking call for a command line. REQUIRES: one thread per io_context.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/env.h"
#include "net/logger.h"
#include "net/real_clock.h"
#include "net/tcp_client.h"

namespace orrery::net {

// A Disk with no files: a client process stores nothing.
class NoDisk final : public Disk {
public:
    Result<std::unique_ptr<File>> Open(std::string_view, OpenMode) override { return None(); }
    Status Rename(std::string_view, std::string_view) override { return None(); }
    Status Remove(std::string_view) override { return None(); }
    Status SyncDir() override { return None(); }
    Result<std::vector<std::string>> List() override { return None(); }
    bool Exists(std::string_view) override { return false; }

private:
    static Status None() { return Status::NotSupported("a client process has no disk"); }
};

struct ClientEnvOptions {
    std::map<NodeId, std::string> servers;  // Client-port address of each server. Non-empty.
    std::optional<uint64_t> seed;           // Absent: from the OS.
    LogLevel log_level = LogLevel::kError;  // Transport logs (reconnects) at this level and up.
    std::string name = "client";            // The log lines' prefix.
};

class ClientEnv {
public:
    ClientEnv(boost::asio::io_context& io, ClientEnvOptions options);
    ClientEnv(const ClientEnv&) = delete;
    ClientEnv& operator=(const ClientEnv&) = delete;

    // The bundle to build a node::KvClient on.
    Env& env() { return *env_; }
    TcpClient& network() { return *network_; }

private:
    Logger log_;
    RealClock clock_;
    Random random_;
    NoDisk disk_;
    NullTracer tracer_;
    NoFaultPoints faults_;
    std::unique_ptr<TcpClient> network_;
    std::unique_ptr<Env> env_;
};

// Runs handlers of `io` one at a time until done() holds or `io` runs out of work. Returns
// done(). Restarts a stopped io_context first.
bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& done);

}  // namespace orrery::net
