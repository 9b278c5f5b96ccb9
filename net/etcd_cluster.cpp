// A throwaway etcd cluster on loopback. See etcd_cluster.h.
#include "net/etcd_cluster.h"

#include <fmt/format.h>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/assert.h"
#include "net/http.h"
#include "net/local_process.h"

namespace orrery::net {
namespace {

constexpr int kMaxMembers = 9;
constexpr auto kHealthPoll = std::chrono::milliseconds(200);
constexpr auto kHealthRequestTimeout = std::chrono::milliseconds(2000);

std::string Url(const std::string& address) { return "http://" + address; }

}  // namespace

std::string FindOnPath(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path == nullptr ? "/usr/bin:/bin" : path);
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        std::string candidate = dir + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    return "";
}

Result<std::unique_ptr<EtcdCluster>> EtcdCluster::Create(EtcdClusterOptions options) {
    ORRERY_ASSERT(options.members >= 1 && options.members <= kMaxMembers, "EtcdCluster: {} members",
                  options.members);
    if (options.binary.empty()) options.binary = FindOnPath("etcd");
    if (options.binary.empty() || ::access(options.binary.c_str(), X_OK) != 0) {
        return Status::NotFound("no etcd executable (Debian: apt-get install etcd-server)");
    }
    std::error_code ec;
    std::filesystem::create_directories(options.dir, ec);
    if (ec) return Status::IOError(fmt::format("cannot create {}: {}", options.dir, ec.message()));
    std::unique_ptr<EtcdCluster> c(new EtcdCluster(std::move(options)));
    const int n = c->options_.members;
    ORRERY_ASSIGN_OR_RETURN(std::vector<uint16_t> ports, PickFreePorts(2 * n));
    for (int i = 0; i < n; ++i) {
        c->client_addresses_.push_back(fmt::format("127.0.0.1:{}", ports[i]));
        c->peer_addresses_.push_back(fmt::format("127.0.0.1:{}", ports[n + i]));
    }
    std::string version_file = c->options_.dir + "/etcd-version.out";
    SpawnOptions spawn;
    spawn.stdout_path = version_file;
    Result<int> ran = RunProcess({c->options_.binary, "--version"}, spawn, Duration::Seconds(10));
    if (!ran.ok() || *ran != 0) {
        return Status::IOError(fmt::format("`{} --version` failed", c->options_.binary));
    }
    std::ifstream in(version_file);
    std::getline(in, c->version_);
    return c;
}

EtcdCluster::~EtcdCluster() { Stop().IgnoreError(); }

std::vector<std::string> EtcdCluster::MemberArgs(int i) const {
    std::string initial_cluster;
    for (size_t k = 0; k < peer_addresses_.size(); ++k) {
        initial_cluster +=
            fmt::format("{}m{}={}", k == 0 ? "" : ",", k + 1, Url(peer_addresses_[k]));
    }
    const std::string& client = client_addresses_[static_cast<size_t>(i)];
    const std::string& peer = peer_addresses_[static_cast<size_t>(i)];
    // Only names, addresses and directories: fsync, heartbeat and election timing stay etcd's.
    return {options_.binary,
            "--name", fmt::format("m{}", i + 1),
            "--data-dir", fmt::format("{}/m{}.etcd", options_.dir, i + 1),
            "--listen-client-urls", Url(client),
            "--advertise-client-urls", Url(client),
            "--listen-peer-urls", Url(peer),
            "--initial-advertise-peer-urls", Url(peer),
            "--initial-cluster", initial_cluster,
            "--initial-cluster-state", "new",
            "--initial-cluster-token", "orrery-bench"};
}

Status EtcdCluster::Start() {
    ORRERY_ASSERT(pids_.empty(), "EtcdCluster::Start twice");
    for (int i = 0; i < options_.members; ++i) {
        SpawnOptions spawn;
        spawn.stdout_path = fmt::format("{}/m{}.log", options_.dir, i + 1);
        Result<pid_t> pid = SpawnProcess(MemberArgs(i), spawn);
        if (!pid.ok()) return pid.status();
        pids_.push_back(*pid);
    }
    return Status::Ok();
}

Status EtcdCluster::WaitHealthy(Duration timeout, const std::atomic<bool>* cancel) {
    ORRERY_ASSERT(static_cast<int>(pids_.size()) == options_.members, "WaitHealthy before Start");
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
    std::string last = "no answer yet";
    while (std::chrono::steady_clock::now() < deadline) {
        if (cancel != nullptr && *cancel) return Status::Aborted("cancelled");
        size_t healthy = 0;
        for (size_t i = 0; i < pids_.size(); ++i) {
            Result<int> exited = WaitProcess(pids_[i], Duration(0));
            if (exited.ok()) {
                pids_[i] = 0;  // Reaped.
                return Status::IOError(fmt::format("etcd member m{} exited {}; see {}/m{}.log",
                                                   i + 1, *exited, options_.dir, i + 1));
            }
            auto reply = HttpGet(client_addresses_[i], "/health", kHealthRequestTimeout);
            if (reply.ok() && reply->status == 200 &&
                reply->body.find(R"("health":"true")") != std::string::npos) {
                ++healthy;
            } else {
                last = fmt::format("m{}: {}", i + 1,
                                   reply.ok() ? fmt::format("{} {}", reply->status, reply->body)
                                              : reply.status().ToString());
            }
        }
        if (healthy == pids_.size()) return Status::Ok();
        std::this_thread::sleep_for(kHealthPoll);
    }
    return Status::Timeout(fmt::format("etcd not healthy after {} ms ({})", timeout.us() / 1000,
                                       last));
}

Status EtcdCluster::Stop() {
    for (pid_t pid : pids_) {
        if (pid > 0) ::kill(pid, SIGTERM);
    }
    Status outcome = Status::Ok();
    for (size_t i = 0; i < pids_.size(); ++i) {
        if (pids_[i] <= 0) continue;
        Result<int> exited = WaitProcess(pids_[i], options_.stop_grace);
        if (!exited.ok()) {  // Still running after the grace time: kill it.
            ::kill(pids_[i], SIGKILL);
            exited = WaitProcess(pids_[i], Duration::Seconds(5));
            outcome = Status::IOError(fmt::format("etcd member m{} needed SIGKILL", i + 1));
        }
        if (!exited.ok()) {
            outcome = Status::IOError(fmt::format("etcd member m{} (pid {}) not reaped", i + 1,
                                                  pids_[i]));
            continue;  // Left in the list: the destructor tries again.
        }
        pids_[i] = 0;
    }
    return outcome;
}

}  // namespace orrery::net
