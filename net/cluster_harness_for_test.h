// ClusterHarness: drives a real five-node cluster from a test, through the `orrery` binary only.
//
// The end-to-end tests treat Orrery as a black box: they start nodes with `orrery cluster start`,
// crash them with `orrery cluster kill`, and read and write with `orrery kv` (its REPL, fed a
// file of commands). So they test the processes, the TCP transport, the POSIX disk and the
// command lines together, exactly as a user runs them. net/ may not include node/, and does not
// need to: every observation goes through the CLI's output lines.
//
// Each harness is a net::LocalCluster: a fresh temporary directory with a config on free
// localhost ports. The destructor resumes (SIGCONT) every node, then the LocalCluster stops them
// and removes the directory.
#pragma once

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <signal.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "net/cluster_config.h"
#include "net/local_cluster.h"
#include "net/local_process.h"

namespace orrery::net::testing {

// One node's line of `orrery kv status`.
struct NodeStatus {
    bool answered = false;
    std::string role;
    uint64_t term = 0;
    uint64_t commit = 0;
    uint64_t applied = 0;
    uint32_t leader = 0;
    std::string hash;
};

// Reads a whole file ("" if missing).
inline std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    std::stringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// Returns the value after "name=" in a status line ("" if absent).
inline std::string Field(const std::string& line, const std::string& name) {
    size_t at = line.find(" " + name + "=");
    if (at == std::string::npos) return "";
    size_t start = at + name.size() + 2;
    return line.substr(start, line.find(' ', start) - start);
}

class ClusterHarness {
public:
    static constexpr int kNodes = 5;

    // Starts a cluster with extra `orrery cluster start` arguments (e.g. "--trace").
    explicit ClusterHarness(std::vector<std::string> start_args = {}) {
        LocalClusterOptions options;
        options.nodes = kNodes;
        options.temp_prefix = "orrery-e2e";
        options.binary = ORRERY_BINARY;
        options.start_args = start_args;
        options.log_name = "cli.out";
        options.command_timeout = Duration::Seconds(30);
        auto cluster = LocalCluster::Create(options);
        REQUIRE(cluster.ok());
        cluster_ = std::move(cluster).value();
        dir_ = cluster_->dir();
        start_args_ = std::move(start_args);
        orrery::Status started = cluster_->Start();
        INFO(ReadFile(dir_ + "/cli.out"));
        REQUIRE(started.ok());
    }

    ~ClusterHarness() {
        for (int id = 1; id <= kNodes; ++id) {
            if (auto pid = Pid(id)) ::kill(*pid, SIGCONT);
        }
        // cluster_'s destructor stops the nodes and removes the directory.
    }

    const std::string& dir() const { return dir_; }

    // Runs `orrery ARGS --dir <dir>` (cluster commands) and returns its exit status.
    int Orrery(std::vector<std::string> args, Duration timeout = Duration::Seconds(30)) {
        args.insert(args.begin(), ORRERY_BINARY);
        args.insert(args.end(), {"--dir", dir_});
        SpawnOptions options;
        options.stdout_path = dir_ + "/cli.out";
        auto status = RunProcess(args, options, timeout);
        return status.ok() ? *status : -1;
    }

    // Starts `orrery kv --cluster <dir>` on a file of commands, in the background. Its output
    // goes to <dir>/<name>.out, one line per command.
    pid_t StartKv(const std::string& name, const std::vector<std::string>& commands) {
        std::ofstream in(dir_ + "/" + name + ".in");
        for (const auto& c : commands) in << c << "\n";
        in.close();
        SpawnOptions options;
        options.stdin_path = dir_ + "/" + name + ".in";
        options.stdout_path = dir_ + "/" + name + ".out";
        auto pid = SpawnProcess({ORRERY_BINARY, "kv", "--cluster", dir_, "--timeout", "5s"},
                                options);
        REQUIRE(pid.ok());
        return *pid;
    }

    // Waits for a StartKv process and returns its output lines.
    std::vector<std::string> FinishKv(const std::string& name, pid_t pid, Duration timeout) {
        auto status = WaitProcess(pid, timeout);
        if (!status.ok()) ::kill(pid, SIGKILL);
        REQUIRE(status.ok());
        REQUIRE(*status == 0);
        return Lines(ReadFile(dir_ + "/" + name + ".out"));
    }

    // Runs commands through `orrery kv` and returns one output line per command.
    std::vector<std::string> Kv(const std::string& name, const std::vector<std::string>& commands,
                                Duration timeout = Duration::Seconds(60)) {
        return FinishKv(name, StartKv(name, commands), timeout);
    }

    // How many lines a running StartKv has printed so far.
    size_t KvProgress(const std::string& name) {
        return Lines(ReadFile(dir_ + "/" + name + ".out")).size();
    }

    // Asks every node for its status (one `orrery kv status` run).
    std::map<int, NodeStatus> Status() {
        std::string out = dir_ + "/status.out";
        std::filesystem::remove(out);
        SpawnOptions options;
        options.stdout_path = out;
        RunProcess({ORRERY_BINARY, "kv", "--cluster", dir_, "--timeout", "1s", "status"},
                   options, Duration::Seconds(20))
            .status()
            .IgnoreError();
        std::map<int, NodeStatus> statuses;
        for (const std::string& line : Lines(ReadFile(out))) {
            if (line.size() < 2 || line[0] != 'n') continue;
            int id = std::atoi(line.c_str() + 1);
            NodeStatus s;
            s.answered = line.find(" ok ") != std::string::npos;
            s.role = Field(line, "role");
            s.term = std::strtoull(Field(line, "term").c_str(), nullptr, 10);
            s.commit = std::strtoull(Field(line, "commit").c_str(), nullptr, 10);
            s.applied = std::strtoull(Field(line, "applied").c_str(), nullptr, 10);
            std::string leader = Field(line, "leader");
            s.leader = leader.size() > 1 ? static_cast<uint32_t>(std::atoi(leader.c_str() + 1)) : 0;
            s.hash = Field(line, "hash");
            statuses[id] = s;
        }
        return statuses;
    }

    // Polls until some node answers as leader; returns its id (0 after the deadline).
    int WaitForLeader(Duration timeout) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
        while (std::chrono::steady_clock::now() < deadline) {
            for (const auto& [id, s] : Status()) {
                if (s.answered && s.role == "leader") return id;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return 0;
    }

    // Polls until all nodes answer with the same applied index and state hash; returns the
    // last statuses seen (the caller checks them).
    std::map<int, NodeStatus> WaitForConvergence(Duration timeout) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
        std::map<int, NodeStatus> last;
        while (std::chrono::steady_clock::now() < deadline) {
            last = Status();
            if (Converged(last)) return last;
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        return last;
    }

    static bool Converged(const std::map<int, NodeStatus>& s) {
        if (s.size() != kNodes) return false;
        for (const auto& [id, n] : s) {
            if (!n.answered || n.applied != s.begin()->second.applied ||
                n.hash != s.begin()->second.hash) {
                return false;
            }
        }
        return true;
    }

    // The pid of node id from its pid file.
    std::optional<pid_t> Pid(int id) {
        std::ifstream in(fmt::format("{}/n{}.pid", dir_, id));
        long pid = 0;
        if (!(in >> pid) || pid <= 0) return std::nullopt;
        return static_cast<pid_t>(pid);
    }

    const std::vector<std::string>& start_args() const { return start_args_; }

private:
    std::unique_ptr<LocalCluster> cluster_;
    std::string dir_;
    std::vector<std::string> start_args_;
};

}  // namespace orrery::net::testing
