// EtcdCluster: a throwaway etcd cluster of real `etcd` processes on loopback, the peer that
// `orrery bench cluster --compare etcd` measures Orrery's cluster against.
//
// Each member gets a client and a peer port picked free at run time, a data directory under
// the given directory (mN.etcd) and a log file (mN.log). The members form one cluster through a
// static --initial-cluster; everything else is etcd's default, fsync included: etcd syncs its
// WAL before it acknowledges a commit, as Orrery's nodes sync their Raft logs. etcd speaks its v3
// API as JSON on the client port (the grpc-gateway, net/etcd_kv.h).
//
// Invariants: the destructor stops every member that Start spawned and Stop did not reap (an
// early return, an error or an exception never leaks an etcd process); Stop signals only pids
// it spawned itself, SIGTERM first and SIGKILL after the grace time; members run in their own
// sessions (net/local_process.h), so a terminal's Ctrl-C reaches only the harness, which must stop
// them. The directory is the caller's and is never removed here.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::net {

struct EtcdClusterOptions {
    int members = 5;
    std::string dir;     // Data directories and logs go here; created if missing.
    std::string binary;  // The etcd executable; "" = the first `etcd` on PATH.
    Duration stop_grace = Duration::Seconds(10);  // SIGTERM, then SIGKILL after this.
};

// The path of the first executable `name` on $PATH, or "" if there is none.
std::string FindOnPath(const std::string& name);

class EtcdCluster {
public:
    // Picks the ports and creates the directory. Starts nothing. kNotFound if there is no etcd.
    static Result<std::unique_ptr<EtcdCluster>> Create(EtcdClusterOptions options);
    ~EtcdCluster();
    EtcdCluster(const EtcdCluster&) = delete;
    EtcdCluster& operator=(const EtcdCluster&) = delete;

    // Spawns every member. kIOError if a spawn failed (those spawned are stopped by Stop or the
    // destructor).
    Status Start();
    // Polls every member's GET /health until all answer {"health":"true"} (a leader is known and
    // a quorum read went through); kIOError if a member exited, kTimeout if not all were healthy
    // within `timeout`, kAborted as soon as `*cancel` is set (a signal). REQUIRES: Start
    // succeeded.
    Status WaitHealthy(Duration timeout, const std::atomic<bool>* cancel = nullptr);
    // Stops every member still running; kIOError if one needed SIGKILL or could not be reaped.
    Status Stop();

    // Member i's client address, "127.0.0.1:port", i in [0, members).
    const std::vector<std::string>& client_addresses() const { return client_addresses_; }
    const std::string& binary() const { return options_.binary; }
    // `etcd --version`'s first line, read by Create.
    const std::string& version() const { return version_; }

private:
    explicit EtcdCluster(EtcdClusterOptions options) : options_(std::move(options)) {}
    std::vector<std::string> MemberArgs(int i) const;

    EtcdClusterOptions options_;
    std::vector<std::string> client_addresses_;
    std::vector<std::string> peer_addresses_;
    std::vector<pid_t> pids_;  // Spawned and not yet reaped; 0 once reaped.
    std::string version_;
};

}  // namespace orrery::net
