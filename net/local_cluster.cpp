// A throwaway local cluster driven through `orrery cluster ...`. See local_cluster.h.
#include "net/local_cluster.h"

#include <fmt/format.h>

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/assert.h"
#include "net/local_process.h"

namespace orrery::net {
namespace {

constexpr auto kLeaderPoll = std::chrono::milliseconds(100);
constexpr int kRoleColumn = 4;  // `cluster status` columns: node, pid, pg, cql, role, ...

std::string ReadWholeFile(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

std::vector<uint32_t> LeadersInStatus(const std::string& status_output) {
    std::vector<uint32_t> leaders;
    std::stringstream lines(status_output);
    for (std::string line; std::getline(lines, line);) {
        std::stringstream words(line);
        std::vector<std::string> w;
        for (std::string word; words >> word && w.size() <= kRoleColumn;) w.push_back(word);
        if (w.size() <= kRoleColumn || w[0].size() < 2 || w[0][0] != 'n') continue;
        if (w[kRoleColumn] != "leader") continue;
        leaders.push_back(static_cast<uint32_t>(std::strtoul(w[0].c_str() + 1, nullptr, 10)));
    }
    return leaders;
}

Result<std::unique_ptr<LocalCluster>> LocalCluster::Create(LocalClusterOptions options) {
    ORRERY_ASSERT(options.nodes >= 1, "LocalCluster: no nodes");
    if (options.binary.empty()) options.binary = SelfExecutable();
    std::unique_ptr<LocalCluster> c(new LocalCluster(std::move(options)));
    const LocalClusterOptions& o = c->options_;
    if (o.dir.empty()) {
        std::string templ =
            (std::filesystem::temp_directory_path() / (o.temp_prefix + "-XXXXXX")).string();
        if (::mkdtemp(templ.data()) == nullptr) {
            return Status::IOError("cannot create a directory from " + templ);
        }
        c->dir_ = templ;
        c->created_ = true;
    } else {
        std::error_code ec;  // A directory the caller named is the caller's: never removed.
        std::filesystem::create_directories(o.dir, ec);
        if (ec) return Status::IOError(fmt::format("cannot create {}: {}", o.dir, ec.message()));
        c->dir_ = o.dir;
    }
    if (c->options_.log_path.empty() && !o.log_name.empty()) {
        c->options_.log_path = c->dir_ + "/" + o.log_name;
    }
    ORRERY_ASSIGN_OR_RETURN(c->config_, FreeLocalhostConfig(o.nodes));
    c->config_.mode = o.mode;
    if (o.mode == ClusterMode::kLeaderless) {
        if (o.rf < 1 || o.rf > static_cast<uint32_t>(o.nodes)) {
            return Status::InvalidArgument(fmt::format("rf {} outside 1..{}", o.rf, o.nodes));
        }
        c->config_.rf = o.rf;
        c->config_.consistency = o.consistency;
        // The nodes read it back: a level Parse refuses is refused here, before anything starts.
        ORRERY_RETURN_IF_ERROR(ClusterConfig::Parse(c->config_.ToJson()).status());
    }
    std::ofstream out(c->dir_ + "/config.json");
    out << c->config_.ToJson();
    if (!out.flush()) return Status::IOError("cannot write " + c->dir_ + "/config.json");
    return c;
}

LocalCluster::~LocalCluster() {
    if (started_ && !stopped_) Stop().IgnoreError();
    bool stopped_cleanly = !started_ || stop_ok_;
    if (created_ && !options_.keep && stopped_cleanly) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
}

int LocalCluster::Run(std::vector<std::string> args, const std::string& out) {
    args.insert(args.begin(), options_.binary);
    args.insert(args.end(), {"--dir", dir_});
    SpawnOptions spawn;
    spawn.stdout_path = out.empty() ? options_.log_path : out;
    Result<int> status = RunProcess(args, spawn, options_.command_timeout);
    return status.ok() ? *status : -1;
}

Status LocalCluster::Start() {
    started_ = true;
    std::vector<std::string> args = {"cluster", "start"};
    args.insert(args.end(), options_.start_args.begin(), options_.start_args.end());
    int status = Run(args);
    if (status != 0) {
        return Status::IOError(fmt::format("`orrery cluster start --dir {}` exited {}; see the "
                                           "nN.log files there", dir_, status));
    }
    return Status::Ok();
}

Status LocalCluster::WaitForLeader(Duration timeout) {
    ORRERY_ASSERT(started_, "LocalCluster::WaitForLeader before Start");
    std::string out = dir_ + "/status.out";
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
    while (std::chrono::steady_clock::now() < deadline) {
        std::filesystem::remove(out);
        Run({"cluster", "status"}, out);  // Exits 1 while a node is down: the lines still count.
        if (!LeadersInStatus(ReadWholeFile(out)).empty()) return Status::Ok();
        std::this_thread::sleep_for(kLeaderPoll);
    }
    return Status::Timeout(fmt::format("no leader in {} after {} ms", dir_, timeout.us() / 1000));
}

Status LocalCluster::Stop() {
    stopped_ = true;
    int status = Run({"cluster", "stop"});
    stop_ok_ = status == 0;
    if (!stop_ok_) {
        return Status::IOError(fmt::format("`orrery cluster stop --dir {}` exited {}", dir_, status));
    }
    return Status::Ok();
}

}  // namespace orrery::net
