// LocalCluster: a throwaway cluster of real `orrery node` processes on this machine, for the
// benchmarks and end-to-end tests that need one (`orrery bench cluster`, `orrery bench sql
// --cluster`, net/cluster_harness_for_test.h).
//
// It owns a directory (a fresh temporary one, or one given) with a config on free localhost
// ports, and drives the nodes only through the `orrery` binary's own cluster commands:
// `orrery cluster start|status|stop --dir DIR`. So the processes, pid files and logs are exactly
// what a user's `orrery cluster start` makes, and the pid checks of `orrery cluster stop` (it
// signals only processes that still run `orrery node --config <this config>`) protect every
// caller. net/ may not include node/, and needs not: the leader is read off `cluster status`.
//
// Invariants: the destructor stops the nodes whenever Start was called and Stop was not (so an
// early return or an exception never leaks processes); only a temporary directory this object
// created is removed, only after a successful stop, and never when `keep` is set.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/types.h"
#include "net/cluster_config.h"

namespace orrery::net {

struct LocalClusterOptions {
    int nodes = 5;
    ClusterMode mode = ClusterMode::kRaft;  // kLeaderless: config.json says so (and rf, level).
    uint32_t rf = 3;                         // Leaderless: replicas per key, at most nodes.
    std::string consistency = "quorum";     // Leaderless: one, quorum, all or serial.
    std::string dir;                      // "" = a fresh directory under the system temp dir.
    std::string temp_prefix = "orrery-cluster";  // Its name's prefix (prefix-XXXXXX).
    std::string binary;                   // The `orrery` binary; "" = this executable.
    std::vector<std::string> start_args;  // Extra `orrery cluster start` arguments.
    std::string log_path;                 // The commands' output: "" = inherited, else appended.
    std::string log_name;                 // Else a file of this name in the cluster directory.
    bool keep = false;                    // Keep a created directory at the end.
    Duration command_timeout = Duration::Seconds(60);
};

class LocalCluster {
public:
    // Creates the directory (if needed) and writes config.json on free ports. Starts nothing.
    static Result<std::unique_ptr<LocalCluster>> Create(LocalClusterOptions options);
    ~LocalCluster();
    LocalCluster(const LocalCluster&) = delete;
    LocalCluster& operator=(const LocalCluster&) = delete;

    const std::string& dir() const { return dir_; }
    const ClusterConfig& config() const { return config_; }

    // `orrery cluster start --dir DIR <start_args>`: kIOError unless every node came up.
    Status Start();
    // Polls `orrery cluster status` until some node reports the leader role; kTimeout if none
    // did within `timeout`. REQUIRES: Start was called, in the Raft mode.
    Status WaitForLeader(Duration timeout);
    // `orrery cluster stop --dir DIR`; kIOError if it failed (nodes may still run).
    Status Stop();
    // Runs `orrery ARGS --dir DIR` and returns its exit status (-1 if it could not run or timed
    // out), its output to `out` ("" = options.log_path).
    int Run(std::vector<std::string> args, const std::string& out = "");

private:
    explicit LocalCluster(LocalClusterOptions options) : options_(std::move(options)) {}

    LocalClusterOptions options_;
    std::string dir_;
    bool created_ = false;  // dir_ is a temporary directory this object made.
    ClusterConfig config_;
    bool started_ = false;
    bool stopped_ = false;
    bool stop_ok_ = false;
};

// The node ids whose line of `orrery cluster status` output names the leader role.
std::vector<uint32_t> LeadersInStatus(const std::string& status_output);

}  // namespace orrery::net
