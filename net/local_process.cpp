// Free ports, spawning and waiting for processes. See local_process.h.
#include "net/local_process.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <fmt/format.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

extern char** environ;

namespace orrery::net {
namespace {

constexpr int kMaxPorts = 64;
constexpr auto kWaitPoll = std::chrono::milliseconds(5);

}  // namespace

Result<std::vector<uint16_t>> PickFreePorts(int n) {
    if (n < 1 || n > kMaxPorts) return Status::InvalidArgument("PickFreePorts: bad count");
    boost::asio::io_context io;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> held;
    std::vector<uint16_t> ports;
    for (int i = 0; i < n; ++i) {
        auto acceptor = std::make_unique<boost::asio::ip::tcp::acceptor>(io);
        boost::system::error_code ec;
        boost::asio::ip::tcp::endpoint any(boost::asio::ip::make_address("127.0.0.1"), 0);
        acceptor->open(any.protocol(), ec);
        if (!ec) acceptor->bind(any, ec);
        if (ec) return Status::IOError(fmt::format("bind 127.0.0.1:0: {}", ec.message()));
        ports.push_back(acceptor->local_endpoint().port());
        held.push_back(std::move(acceptor));  // Held until all are picked: all distinct.
    }
    return ports;
}

std::vector<std::string> ProcessArgs(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/cmdline", pid), std::ios::binary);
    std::vector<std::string> args;
    for (std::string arg; std::getline(in, arg, '\0');) args.push_back(arg);
    return args;
}

bool IsOrreryNode(pid_t pid, uint32_t id, const std::string& config) {
    std::vector<std::string> args = ProcessArgs(pid);
    auto after = [&](const std::string& flag) -> std::string {
        for (size_t i = 0; i + 1 < args.size(); ++i) {
            if (args[i] == flag) return args[i + 1];
        }
        return "";
    };
    bool is_node = args.size() > 1 && args[1] == "node";
    return is_node && after("--id") == std::to_string(id) && after("--config") == config;
}

char ProcessState(pid_t pid) {
    std::ifstream in(fmt::format("/proc/{}/stat", pid));
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t paren = stat.rfind(')');  // The command name may itself hold spaces and parentheses.
    return paren == std::string::npos || paren + 2 >= stat.size() ? '\0' : stat[paren + 2];
}

bool ProcessGone(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return true;
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    return ProcessState(pid) == 'Z';
}

bool WaitProcessGone(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ProcessGone(pid)) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

Status CheckPortFree(const std::string& address) {
    ORRERY_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(address));
    boost::asio::io_context io;
    boost::asio::ip::tcp::resolver resolver(io);
    boost::system::error_code ec;
    auto endpoints = resolver.resolve(hp.host, std::to_string(hp.port), ec);
    if (ec || endpoints.empty()) {
        return Status::InvalidArgument(fmt::format("cannot resolve {}: {}", address, ec.message()));
    }
    boost::asio::ip::tcp::acceptor acceptor(io);
    boost::asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(boost::asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (ec == boost::asio::error::address_in_use) {
        return Status(Code::kAlreadyExists, fmt::format("{} is in use", address));
    }
    if (ec) return Status::IOError(fmt::format("cannot bind {}: {}", address, ec.message()));
    return Status::Ok();
}

Result<ClusterConfig> FreeLocalhostConfig(int n) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<uint16_t> ports, PickFreePorts(2 * n));
    ClusterConfig config;
    for (int i = 0; i < n; ++i) {
        config.nodes[NodeId(static_cast<uint32_t>(i + 1))] =
            NodeAddresses{fmt::format("127.0.0.1:{}", ports[n + i]),
                          fmt::format("127.0.0.1:{}", ports[i]), "", "", ""};
    }
    return config;
}

std::string SelfExecutable() {
    std::error_code ec;
    auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
    return ec ? std::string() : path.string();
}

Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const SpawnOptions& options) {
    ORRERY_ASSERT(!argv.empty(), "SpawnProcess needs a program");
    std::vector<std::string> args = argv;
    std::vector<char*> cargs;
    for (auto& arg : args) cargs.push_back(arg.data());
    cargs.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, options.stdin_path.c_str(), O_RDONLY, 0);
    if (!options.stdout_path.empty()) {
        posix_spawn_file_actions_addopen(&actions, 1, options.stdout_path.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
    }
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    if (options.new_session) posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
    const std::string& program = options.program.empty() ? args[0] : options.program;
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, cargs.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) return Status::IOError(fmt::format("spawn {}: {}", program, std::strerror(rc)));
    return pid;
}

Result<int> WaitProcess(pid_t pid, Duration timeout) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::microseconds(timeout.us());
    for (;;) {
        int status = 0;
        pid_t got = ::waitpid(pid, &status, WNOHANG);
        if (got == pid) {
            if (WIFEXITED(status)) return WEXITSTATUS(status);
            if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
            continue;  // Stopped or continued: keep waiting for the exit.
        }
        if (got < 0 && errno != EINTR) {
            return Status::IOError(fmt::format("waitpid {}: {}", pid, std::strerror(errno)));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return Status::Timeout(fmt::format("pid {} still running", pid));
        }
        std::this_thread::sleep_for(kWaitPoll);
    }
}

Result<int> RunProcess(const std::vector<std::string>& argv, const SpawnOptions& options,
                       Duration timeout) {
    ORRERY_ASSIGN_OR_RETURN(pid_t pid, SpawnProcess(argv, options));
    Result<int> status = WaitProcess(pid, timeout);
    if (!status.ok() && status.status().Is(Code::kTimeout)) {
        ::kill(pid, SIGKILL);
        WaitProcess(pid, Duration::Seconds(5)).status().IgnoreError();
    }
    return status;
}

bool PortAcceptsConnections(const std::string& address) {
    auto hp = ParseHostPort(address);
    if (!hp.ok()) return false;
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket socket(io);
    boost::system::error_code ec;
    auto host = boost::asio::ip::make_address(hp->host, ec);
    if (ec) return false;
    socket.connect({host, hp->port}, ec);
    return !ec;
}

}  // namespace orrery::net
