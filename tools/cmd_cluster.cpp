// `orrery cluster start|stop|status|kill N|restart N|pause N|resume N|partition GROUPS...|heal`:
// a five-node KV cluster on localhost.
//
// Everything lives under one directory (default ./orrery-cluster):
//
//   config.json   the cluster config (written by the first start; edit it to move ports)
//   nN/           node N's data directory
//   nN.log        node N's stderr and stdout (appended across restarts)
//   nN.jsonl      node N's trace, with --trace
//   nN.pid        the pid of the node process this command started
//   nN.blocked    the peers node N cuts off (`partition`; the node re-reads it on SIGUSR1)
//
// Client ports are 9601-9605 and peer ports 9701-9705 (`start --base-port B` moves them to B.. and
// B+100.. for a new cluster; `start` refuses to run a node whose port something else holds); each node also serves PostgreSQL clients
// (psql, psycopg2) on 5433-5437 (`start --pg-port-base B` moves them for a new cluster, 0 turns
// them off; they are the "pg" addresses of config.json, which `status` lists). The range starts one
// above 5432, PostgreSQL's own port, so a local PostgreSQL server and the cluster can both run.
// Each node also serves CQL drivers (the Cassandra Python driver, docs/21-cql.md) at
// 127.0.0.N:9042: one port and a host per node, because a Cassandra driver reaches every node of
// the cluster on the port it was given (`start --cql-port-base B` moves the port, 0 turns them
// off; the "cql" addresses of config.json), and its metrics over HTTP on 9801-9805
// (`start --metrics-port-base B`, 0 for none; the "metrics" addresses; docs/24-metrics.md), which
// `status --metrics` summarises. The command starts `orrery node` processes
// (this same binary) in their own sessions, so closing the terminal does not stop them. It only
// ever signals processes named in its pid files, and only after checking in /proc that the pid
// still runs `orrery node --id N --config <this cluster's config>`: a recycled pid is left alone.
// `status` asks every node for its Raft state and state hash over the client protocol, with
// node::KvClient over net::TcpClient (the client code the simulator's clients run); it exits 1
// when any node does not answer, so scripts can wait for a healthy cluster.
// `partition 1,2 3,4,5` splits the cluster into groups (nodes not named form one more group):
// each node's transport drops all traffic to and from nodes outside its group. `heal` undoes it.
// A node killed while partitioned comes back still partitioned (its block file stays).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <thread>
#include <vector>

#include "core/env.h"
#include "net/cluster_config.h"
#include "net/logger.h"
#include "net/client_env.h"
#include "net/http.h"
#include "net/local_process.h"
#include "node/kv_client.h"
#include "node/leaderless_message.h"
#include "node/node_metrics.h"
#include "raft/raft.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr uint16_t kClientPortBase = 9601;
constexpr uint16_t kPgPortBase = 5433;
constexpr uint16_t kCqlPortBase = 9042;
constexpr int kDefaultNodes = 5;
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(10);
constexpr auto kPollInterval = std::chrono::milliseconds(50);

struct ClusterArgs {
    std::string dir = "./orrery-cluster";
    int nodes = kDefaultNodes;
    std::string engine;
    bool trace = false;
    uint32_t node = 0;  // kill/restart.
    std::vector<std::string> groups;  // partition.
    uint64_t snapshot_entries = 0;  // 0: the node's default.
    uint16_t pg_port_base = kPgPortBase;  // For a new cluster's config; 0: no PostgreSQL ports.
    uint16_t cql_port_base = kCqlPortBase;  // For a new cluster's config; 0: no CQL ports.
    int metrics_port_base = -1;  // Likewise; 0: no metrics endpoints; -1: base_port + 200.
    uint16_t base_port = kClientPortBase;  // A new cluster: clients at base, peers at base + 100.
    bool metrics = false;  // status --metrics.
    bool no_group_commit = false;
    std::vector<std::string> bugs;  // --bug NAME for every node (start, restart).
    std::string mode;               // start: "" (raft, or what config.json says) or a mode name.
    uint32_t rf = 3;                // start --mode leaderless: replicas per key.
    std::string consistency = "quorum";  // start --mode leaderless: the default level.
    std::string lwt_one_round_trip;      // start/restart: "" (the node's default), on or off.
};

constexpr BadInputError BadInput{"cluster"};

std::string Path(const ClusterArgs& a, const std::string& name) {
    return (std::filesystem::path(a.dir) / name).string();
}
std::string ConfigPath(const ClusterArgs& a) {
    return std::filesystem::absolute(Path(a, "config.json")).string();
}
std::string NodeFile(const ClusterArgs& a, uint32_t id, const char* suffix) {
    return Path(a, fmt::format("n{}{}", id, suffix));
}

// A new cluster's config from the start arguments. The leaderless mode serves the KV client
// protocol and metrics, not SQL, so its nodes get no PostgreSQL or CQL addresses.
net::ClusterConfig NewConfig(const ClusterArgs& a) {
    bool leaderless = a.mode == "leaderless";
    if (a.base_port + 200 + a.nodes > 65535 || a.base_port == 0) {
        BadInput(fmt::format("--base-port {} leaves no room for {} nodes' ports (base to base + "
                             "{})", a.base_port, a.nodes, 200 + a.nodes - 1));
    }
    uint16_t metrics = a.metrics_port_base >= 0 ? static_cast<uint16_t>(a.metrics_port_base)
                                                : static_cast<uint16_t>(a.base_port + 200);
    net::ClusterConfig config = net::ClusterConfig::Localhost(
        a.nodes, a.base_port, static_cast<uint16_t>(a.base_port + 100),
        leaderless ? 0 : a.pg_port_base, leaderless ? 0 : a.cql_port_base, metrics);
    if (leaderless) {
        if (a.rf < 1 || a.rf > static_cast<uint32_t>(a.nodes)) {
            BadInput(fmt::format("--rf must be in 1..{} (the nodes)", a.nodes));
        }
        auto level = node::ParseConsistency(a.consistency);
        if (!level.ok()) BadInput(level.status().message());
        config.mode = net::ClusterMode::kLeaderless;
        config.rf = a.rf;
        config.consistency = node::ConsistencyName(*level);
    }
    return config;
}

// Loads the cluster's config, writing the localhost default on first use.
net::ClusterConfig LoadOrCreateConfig(const ClusterArgs& a, bool create) {
    std::string path = ConfigPath(a);
    if (!std::filesystem::exists(path)) {
        if (!create) BadInput(fmt::format("no cluster in {} (run `orrery cluster start`)", a.dir));
        std::error_code ec;
        std::filesystem::create_directories(a.dir, ec);
        if (ec) BadInput(fmt::format("cannot create {}: {}", a.dir, ec.message()));
        std::ofstream(path) << NewConfig(a).ToJson();
    }
    auto config = net::ClusterConfig::Load(path);
    if (!config.ok()) BadInput(config.status().ToString());
    if (!a.mode.empty() && net::ClusterModeName(config->mode) != a.mode) {
        BadInput(fmt::format("the cluster in {} is a {} cluster (its config.json says so); --mode "
                             "applies to a new cluster",
                             a.dir, net::ClusterModeName(config->mode)));
    }
    return std::move(config).value();
}

// The pid in node id's pid file if that process is still our node; else removes a stale file.
std::optional<pid_t> RunningPid(const ClusterArgs& a, uint32_t id) {
    std::string pid_file = NodeFile(a, id, ".pid");
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) return std::nullopt;
    if (net::IsOrreryNode(static_cast<pid_t>(pid), id, ConfigPath(a))) return static_cast<pid_t>(pid);
    std::filesystem::remove(pid_file);
    return std::nullopt;
}

// The PostgreSQL port of node id in the config, or 0 when it has none.
uint16_t PgPort(const net::ClusterConfig& config, uint32_t id) {
    const std::string& pg = config.nodes.at(NodeId(id)).pg;
    return pg.empty() ? 0 : net::ParseHostPort(pg)->port;
}

// The CQL address of node id in the config, "" when it has none.
const std::string& CqlAddress(const net::ClusterConfig& config, uint32_t id) {
    return config.nodes.at(NodeId(id)).cql;
}

// Spawns `orrery node` for id in its own session, stdout/stderr appended to nN.log.
Result<pid_t> Spawn(const ClusterArgs& a, const net::ClusterConfig& config, uint32_t id) {
    std::vector<std::string> args = {"orrery", "node", "--id", std::to_string(id), "--config",
                                     ConfigPath(a), "--data", NodeFile(a, id, ""),
                                     "--block-file", NodeFile(a, id, ".blocked")};
    if (uint16_t pg = PgPort(config, id); pg != 0) {
        args.insert(args.end(), {"--pg-port", std::to_string(pg)});
    }
    if (const std::string& cql = CqlAddress(config, id); !cql.empty()) {
        auto hp = net::ParseHostPort(cql);
        args.insert(args.end(), {"--cql-host", hp->host, "--cql-port", std::to_string(hp->port)});
    }
    if (const std::string& m = config.nodes.at(NodeId(id)).metrics; !m.empty()) {
        args.insert(args.end(), {"--metrics-port", std::to_string(net::ParseHostPort(m)->port)});
    }
    if (!a.engine.empty()) args.insert(args.end(), {"--engine", a.engine});
    if (a.trace) args.insert(args.end(), {"--trace", NodeFile(a, id, ".jsonl")});
    if (a.no_group_commit) args.push_back("--no-group-commit");
    for (const std::string& bug : a.bugs) args.insert(args.end(), {"--bug", bug});
    if (!a.lwt_one_round_trip.empty()) {
        args.insert(args.end(), {"--lwt-one-round-trip", a.lwt_one_round_trip});
    }
    if (a.snapshot_entries != 0) {
        args.insert(args.end(), {"--snapshot-entries", std::to_string(a.snapshot_entries)});
    }
    net::SpawnOptions options;
    options.program = net::SelfExecutable();  // argv[0] stays "orrery".
    options.stdout_path = NodeFile(a, id, ".log");
    options.new_session = true;
    ORRERY_ASSIGN_OR_RETURN(pid_t pid, net::SpawnProcess(args, options));
    std::ofstream(NodeFile(a, id, ".pid")) << pid << "\n";
    return pid;
}

// The addresses of node id that are held by something else: a node of another cluster, another
// program. Empty when every one of them is free (a check of the moment).
std::vector<std::string> TakenPorts(const net::ClusterConfig& config, uint32_t id) {
    const net::NodeAddresses& n = config.nodes.at(NodeId(id));
    std::vector<std::string> taken;
    for (auto [address, what] : {std::pair{&n.client, "client"}, std::pair{&n.peer, "peer"},
                                 std::pair{&n.pg, "pg"}, std::pair{&n.cql, "cql"},
                                 std::pair{&n.metrics, "metrics"}}) {
        if (address->empty()) continue;
        Status s = net::CheckPortFree(*address);
        if (!s.ok()) taken.push_back(fmt::format("{} address {}: {}", what, *address, s.message()));
    }
    return taken;
}

// Refuses to start when a node that is not running would find one of its ports taken: it would
// fail to listen, or worse, clients would reach whatever holds the port (another cluster).
void CheckPortsFree(const ClusterArgs& a, const net::ClusterConfig& config,
                    const std::vector<uint32_t>& ids) {
    std::vector<std::string> problems;
    for (uint32_t id : ids) {
        if (RunningPid(a, id)) continue;  // Its ports are its own.
        for (const std::string& p : TakenPorts(config, id)) {
            problems.push_back(fmt::format("n{}: {}", id, p));
        }
    }
    if (problems.empty()) return;
    for (const std::string& p : problems) fmt::print(stderr, "{}\n", p);
    fmt::print(stderr,
               "orrery cluster: nothing started: a port of {} is taken (another cluster or "
               "program; stop it, or give a new cluster other ports: --base-port, --pg-port-base, "
               "--cql-port-base, --metrics-port-base)\n",
               ConfigPath(a));
    throw CLI::RuntimeError(1);
}

// Starts node id unless it runs already; waits until its client port answers.
bool StartNode(const ClusterArgs& a, const net::ClusterConfig& config, uint32_t id) {
    if (auto pid = RunningPid(a, id)) {
        fmt::print("n{}: already running (pid {})\n", id, *pid);
        return true;
    }
    auto pid = Spawn(a, config, id);
    if (!pid.ok()) {
        fmt::print(stderr, "n{}: {}\n", id, pid.status().ToString());
        return false;
    }
    uint16_t port = net::ParseHostPort(config.nodes.at(NodeId(id)).client)->port;
    uint16_t pg = PgPort(config, id);
    std::string client = fmt::format("127.0.0.1:{}", port);  // The node runs here, whatever
    std::string pg_address = fmt::format("127.0.0.1:{}", pg);  // host the config names.
    auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
    const std::string& cql = CqlAddress(config, id);  // Its own host: 127.0.0.N.
    const std::string& metrics = config.nodes.at(NodeId(id)).metrics;
    while (!net::PortAcceptsConnections(client) ||
           (pg != 0 && !net::PortAcceptsConnections(pg_address)) ||
           (!cql.empty() && !net::PortAcceptsConnections(cql)) ||
           (!metrics.empty() && !net::PortAcceptsConnections(metrics))) {
        if (net::ProcessGone(*pid) || std::chrono::steady_clock::now() > deadline) {
            fmt::print(stderr, "n{}: did not come up; see {}\n", id, NodeFile(a, id, ".log"));
            std::filesystem::remove(NodeFile(a, id, ".pid"));
            return false;
        }
        std::this_thread::sleep_for(kPollInterval);
    }
    std::string also = pg != 0 ? fmt::format(", PostgreSQL on port {}", pg) : "";
    if (!cql.empty()) also += fmt::format(", CQL on {}", cql);
    if (!metrics.empty()) also += fmt::format(", metrics on {}", metrics);
    fmt::print("n{}: started (pid {}), clients on port {}{}\n", id, *pid, port, also);
    return true;
}

// Sends `signal` to node id if it runs, waits for it to exit (SIGKILL after the timeout).
void StopNode(const ClusterArgs& a, uint32_t id, int signal) {
    auto pid = RunningPid(a, id);
    if (!pid) {
        fmt::print("n{}: not running\n", id);
        return;
    }
    ::kill(*pid, signal);
    if (signal != SIGKILL) ::kill(*pid, SIGCONT);  // A paused node must run to see SIGTERM.
    if (!net::WaitProcessGone(*pid, kStopTimeout)) {
        fmt::print("n{}: still running after {}s; killing it\n", id, kStopTimeout.count());
        ::kill(*pid, SIGKILL);
        net::WaitProcessGone(*pid, kStopTimeout);
    }
    std::filesystem::remove(NodeFile(a, id, ".pid"));
    fmt::print("n{}: {} (pid {})\n", id, signal == SIGKILL ? "killed" : "stopped", *pid);
}

// Freezes (SIGSTOP) or thaws (SIGCONT) node id, as a long GC pause or a stalled VM would.
void SignalNode(const ClusterArgs& a, uint32_t id, int signal) {
    auto pid = RunningPid(a, id);
    if (!pid) {
        fmt::print(stderr, "n{}: not running\n", id);
        throw CLI::RuntimeError(1);
    }
    if (::kill(*pid, signal) != 0) {
        fmt::print(stderr, "n{}: signal failed (pid {})\n", id, *pid);
        throw CLI::RuntimeError(1);
    }
    fmt::print("n{}: {} (pid {})\n", id, signal == SIGSTOP ? "paused" : "resumed", *pid);
}

uint32_t CheckedNode(const ClusterArgs& a, const net::ClusterConfig& config) {
    if (config.nodes.count(NodeId(a.node)) == 0) {
        BadInput(fmt::format("no node {} in {}", a.node, ConfigPath(a)));
    }
    return a.node;
}

// Asks every node of `ask` for its status (or, with `repair`, to run anti-entropy), one after
// another, over the client protocol.
std::map<NodeId, node::KvOutcome> QueryStatuses(const net::ClusterConfig& config,
                                                const std::vector<NodeId>& ask,
                                                bool repair = false) {
    boost::asio::io_context io;
    net::ClientEnvOptions env_options;
    env_options.servers = config.ClientAddresses();
    env_options.name = "status";
    net::ClientEnv client_env(io, env_options);
    Env& env = client_env.env();
    node::KvClientOptions client_options;
    for (const auto& [id, addresses] : config.nodes) client_options.servers.push_back(id);
    client_options.attempt_timeout = Duration::Millis(500);
    client_options.op_timeout = Duration::Seconds(1);
    if (repair) {
        // A range whose replica is silent costs the node's request timeout (500 ms), and a node
        // replicates rf x vnodes ranges: wait out the worst case, asking once.
        client_options.attempt_timeout = Duration::Seconds(120);
        client_options.op_timeout = Duration::Seconds(120);
    }
    node::KvClient client(env, client_options);

    std::map<NodeId, node::KvOutcome> outcomes;
    auto next = ask.begin();
    std::function<void()> ask_next = [&] {
        if (next == ask.end()) return io.stop();
        NodeId server = *next++;
        auto done = [&, server](const node::KvOutcome& outcome) {
            outcomes[server] = outcome;
            boost::asio::post(io, ask_next);  // Not from inside the client's callback.
        };
        if (repair) {
            client.Repair(server, done);
        } else {
            client.Status(server, done);
        }
    };
    ask_next();
    io.run();
    return outcomes;
}

// What this command knows of a node's process without asking it over the network.
enum class ProcessKnown { kRunning, kGone, kPaused };

// Prints one line per node: pid, PostgreSQL port, role, term, commit, applied, last index,
// leader, state hash. A node whose process is known to be gone (no live pid file) or paused
// (stopped by SIGSTOP) is not asked: it cannot answer, and asking would wait out a timeout.
// Returns how many nodes did not answer.
int PrintClusterStatus(const net::ClusterConfig& config,
                       const std::function<std::optional<pid_t>(uint32_t)>& pid_of) {
    std::map<NodeId, std::optional<pid_t>> pids;
    std::map<NodeId, ProcessKnown> known;
    std::vector<NodeId> ask;
    for (const auto& [id, addresses] : config.nodes) {
        pids[id] = pid_of(id.value());
        known[id] = !pids[id]                          ? ProcessKnown::kGone
                    : net::ProcessState(*pids[id]) == 'T' ? ProcessKnown::kPaused
                                                     : ProcessKnown::kRunning;
        if (known[id] == ProcessKnown::kRunning) ask.push_back(id);
    }
    std::map<NodeId, node::KvOutcome> outcomes = QueryStatuses(config, ask);
    fmt::print("{:<5} {:>8} {:>5} {:<15}  {:<14} {:>5} {:>7} {:>7} {:>7}  {:<6} {}\n",
               "node", "pid", "pg", "cql", "role", "term", "commit", "applied", "last", "leader", "state hash");
    int down = 0;
    for (const auto& [id, addresses] : config.nodes) {
        const node::KvOutcome& outcome = outcomes[id];
        std::string pid = pids[id] ? std::to_string(*pids[id]) : "-";
        uint16_t pg_port = PgPort(config, id.value());
        std::string pg = pg_port == 0 ? "-" : std::to_string(pg_port);
        // The CQL address rides in the pg field's column group: "5433 127.0.0.1:9042".
        const std::string& cql_address = CqlAddress(config, id.value());
        std::string cql = cql_address.empty() ? "-" : cql_address;
        pg = fmt::format("{:>5} {:<15}", pg, cql);
        if (known[id] != ProcessKnown::kRunning) {
            fmt::print("{:<5} {:>8} {:>21}  {:<14} ({})\n", fmt::format("n{}", id.value()), pid, pg,
                       known[id] == ProcessKnown::kGone ? "down" : "paused",
                       known[id] == ProcessKnown::kGone
                           ? "no process: not started, killed or exited; not asked"
                           : "stopped by SIGSTOP; `orrery cluster resume` it; not asked");
            ++down;
            continue;
        }
        if (!outcome.status) {
            fmt::print("{:<5} {:>8} {:>21}  {:<14} ({})\n", fmt::format("n{}", id.value()), pid, pg,
                       "no answer", outcome.error);
            ++down;
            continue;
        }
        const node::ServerStatus& s = *outcome.status;
        std::string leader = s.leader == 0 ? "?" : fmt::format("n{}", s.leader);
        fmt::print("{:<5} {:>8} {:>21}  {:<14} {:>5} {:>7} {:>7} {:>7}  {:<6} {:016x}\n",
                   fmt::format("n{}", id.value()), pid, pg,
                   raft::RoleName(static_cast<raft::Role>(s.role)), s.term, s.commit, s.applied,
                   s.last_index, leader, s.state_hash);
    }
    return down;
}

// The leaderless mode's status: each node's own view, its gossip table and its ring, as the
// node describes them (LeaderlessServer::DescribeStatus). Returns how many nodes did not answer.
int PrintLeaderlessStatus(const ClusterArgs& a, const net::ClusterConfig& config) {
    std::vector<NodeId> ask;
    std::map<NodeId, std::optional<pid_t>> pids;
    for (const auto& [id, addresses] : config.nodes) {
        pids[id] = RunningPid(a, id.value());
        if (pids[id] && net::ProcessState(*pids[id]) != 'T') ask.push_back(id);
    }
    std::map<NodeId, node::KvOutcome> outcomes = QueryStatuses(config, ask);
    fmt::print("leaderless cluster: {} nodes, rf={}, default consistency {}\n", config.nodes.size(),
               config.rf, config.consistency);
    int down = 0;
    for (const auto& [id, addresses] : config.nodes) {
        std::string head = fmt::format("n{} pid {} clients {}", id.value(),
                                       pids[id] ? std::to_string(*pids[id]) : "-", addresses.client);
        auto it = outcomes.find(id);
        if (it == outcomes.end() || it->second.type != node::KvOutcome::Type::kOk) {
            std::string why = !pids[id] ? "down: no process; not asked"
                              : it == outcomes.end() ? "paused (SIGSTOP); not asked"
                                                     : "no answer: " + it->second.error;
            fmt::print("{}: {}\n", head, why);
            ++down;
            continue;
        }
        // The node's text starts with its name; indent it under our line.
        std::string text = it->second.message;
        fmt::print("{}:\n", head);
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            fmt::print("  {}\n", text.substr(start, end - start));
            start = end + 1;
        }
    }
    return down;
}

// `repair [N]`: anti-entropy on node N, or on every node one after another.
void Repair(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/false);
    if (config.mode != net::ClusterMode::kLeaderless) {
        BadInput("repair is the leaderless mode's anti-entropy; a Raft cluster's replicas agree "
                 "through the log");
    }
    std::vector<NodeId> ask;
    if (a.node != 0) {
        ask.push_back(NodeId(CheckedNode(a, config)));
    } else {
        for (const auto& [id, addresses] : config.nodes) ask.push_back(id);
    }
    int failed = 0;
    std::vector<NodeId> running;
    for (NodeId id : ask) {
        if (RunningPid(a, id.value())) {
            running.push_back(id);
        } else {
            fmt::print("n{}: not running; not repaired\n", id.value());
            ++failed;
        }
    }
    for (const auto& [id, outcome] : QueryStatuses(config, running, /*repair=*/true)) {
        if (outcome.type == node::KvOutcome::Type::kOk) {
            fmt::print("n{}: {}\n", id.value(), outcome.value);
        } else {
            fmt::print("n{}: repair failed: {}\n", id.value(), outcome.error);
            ++failed;
        }
    }
    if (failed > 0) throw CLI::RuntimeError(1);
}

// --lwt-one-round-trip is the leaderless mode's: refused for a Raft cluster before any node runs.
void CheckLwtFlag(const ClusterArgs& a, const net::ClusterConfig& config) {
    if (!a.lwt_one_round_trip.empty() && config.mode != net::ClusterMode::kLeaderless) {
        BadInput(fmt::format("--lwt-one-round-trip is the leaderless mode's; the cluster in {} is "
                             "a Raft cluster", a.dir));
    }
}

// How many members a leaderless node's status text (LeaderlessServer::DescribeStatus) lists as
// alive in its gossip table: the lines "  nN alive ..." under "gossip:".
size_t AliveInStatus(const std::string& text) {
    size_t alive = 0;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string name, state;
        if (line.starts_with("  ") && words >> name >> state && name.starts_with("n") &&
            state == "alive") {
            ++alive;
        }
    }
    return alive;
}

// A leaderless node coordinates as soon as it runs, but until its gossip table lists a replica
// alive it hints that replica instead of writing to it, and a write at ALL then times out. So
// `start` waits (up to kStartTimeout) until every node lists every node alive, and says how it
// ended; a cluster whose gossip has not settled is still up, with a warning.
void WaitForGossip(const net::ClusterConfig& config) {
    std::vector<NodeId> all;
    for (const auto& [id, addresses] : config.nodes) all.push_back(id);
    auto begin = std::chrono::steady_clock::now();
    std::string lagging;
    while (true) {
        lagging.clear();
        for (const auto& [id, outcome] : QueryStatuses(config, all)) {
            size_t alive = outcome.type == node::KvOutcome::Type::kOk ? AliveInStatus(outcome.message) : 0;
            if (alive < all.size()) {
                lagging += fmt::format(" n{} sees {} of {} alive;", id.value(), alive, all.size());
            }
        }
        double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
        if (lagging.empty()) {
            return fmt::print("gossip: every node sees {} of {} alive (after {:.1f}s)\n", all.size(),
                              all.size(), waited);
        }
        if (std::chrono::steady_clock::now() - begin > kStartTimeout) {
            lagging.pop_back();
            return fmt::print(stderr, "orrery cluster: gossip has not settled after {:.0f}s:{}\n",
                              waited, lagging);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

void Start(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/true);
    CheckLwtFlag(a, config);
    std::vector<uint32_t> ids;
    for (const auto& [id, addresses] : config.nodes) ids.push_back(id.value());
    CheckPortsFree(a, config, ids);
    bool ok = true;
    for (const auto& [id, addresses] : config.nodes) ok = StartNode(a, config, id.value()) && ok;
    if (ok && config.mode == net::ClusterMode::kLeaderless) WaitForGossip(config);
    fmt::print("cluster in {}: {}\n", a.dir, ok ? "up" : "some nodes failed to start");
    if (!ok) throw CLI::RuntimeError(1);
}

void Stop(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/false);
    for (const auto& [id, addresses] : config.nodes) StopNode(a, id.value(), SIGTERM);
}

// `status --metrics`: one line per node from its metrics endpoint (node/node_metrics.h does
// the reading). Returns how many nodes gave no scrape.
int PrintMetricsSummary(const ClusterArgs& a, const net::ClusterConfig& config) {
    fmt::print("{}\n", node::MetricsSummaryHeader());
    int missing = 0;
    for (const auto& [id, addresses] : config.nodes) {
        std::string name = fmt::format("n{}", id.value());
        auto line = [&]() -> Result<std::string> {
            if (addresses.metrics.empty()) return Status::NotFound("no \"metrics\" address in config.json");
            if (!RunningPid(a, id.value())) return Status::Unavailable("no process: not asked");
            ORRERY_ASSIGN_OR_RETURN(net::HttpReply reply,
                                    net::HttpGet(addresses.metrics, "/metrics", std::chrono::seconds(2)));
            if (reply.status != 200) return Status::IOError(fmt::format("HTTP {}", reply.status));
            ORRERY_ASSIGN_OR_RETURN(metrics::ParsedMetrics scrape, metrics::ParseText(reply.body));
            ORRERY_ASSIGN_OR_RETURN(node::MetricsSummary summary, node::SummariseMetrics(scrape));
            return node::MetricsSummaryLine(name, summary);
        }();
        if (line.ok()) {
            fmt::print("{}\n", *line);
        } else {
            fmt::print("{:<5} ({})\n", name, line.status().ToString());
            ++missing;
        }
    }
    return missing;
}

void ShowStatus(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/false);
    if (a.metrics) {
        int missing = PrintMetricsSummary(a, config);
        if (missing > 0) {
            fmt::print(stderr, "orrery cluster: {} of {} nodes gave no metrics\n", missing,
                       config.nodes.size());
            throw CLI::RuntimeError(1);
        }
        return;
    }
    int down = config.mode == net::ClusterMode::kLeaderless
                   ? PrintLeaderlessStatus(a, config)
                   : PrintClusterStatus(config, [&](uint32_t id) { return RunningPid(a, id); });
    if (down > 0) {
        fmt::print(stderr, "orrery cluster: {} of {} nodes did not answer\n", down,
                   config.nodes.size());
        throw CLI::RuntimeError(1);
    }
}

// Writes node id's block file and tells the node to re-read it.
void SetBlocked(const ClusterArgs& a, uint32_t id, const std::vector<uint32_t>& blocked) {
    {
        std::ofstream out(NodeFile(a, id, ".blocked"), std::ios::trunc);
        for (uint32_t peer : blocked) out << peer << "\n";
    }
    if (auto pid = RunningPid(a, id)) ::kill(*pid, SIGUSR1);
}

// Parses "1,2 3,4,5" into groups, plus one group of the nodes not named. Bad input exits 2.
std::vector<std::vector<uint32_t>> ParseGroups(const ClusterArgs& a,
                                               const net::ClusterConfig& config) {
    std::vector<std::vector<uint32_t>> groups;
    std::map<uint32_t, bool> named;
    for (const std::string& text : a.groups) {
        std::vector<uint32_t> group;
        std::stringstream in(text);
        for (std::string item; std::getline(in, item, ',');) {
            char* end = nullptr;
            unsigned long id = std::strtoul(item.c_str(), &end, 10);
            bool known = config.nodes.count(NodeId(static_cast<uint32_t>(id))) != 0;
            if (item.empty() || *end != '\0' || !known || named.count(id) != 0) {
                BadInput(fmt::format("bad group '{}' (node ids of {}, each named once)", text,
                                     ConfigPath(a)));
            }
            named[id] = true;
            group.push_back(static_cast<uint32_t>(id));
        }
        groups.push_back(group);
    }
    std::vector<uint32_t> rest;
    for (const auto& [id, addresses] : config.nodes) {
        if (named.count(id.value()) == 0) rest.push_back(id.value());
    }
    if (!rest.empty()) groups.push_back(rest);
    return groups;
}

void Partition(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/false);
    std::vector<std::vector<uint32_t>> groups = ParseGroups(a, config);
    for (const auto& group : groups) {
        std::vector<uint32_t> others;
        for (const auto& [id, addresses] : config.nodes) {
            if (std::find(group.begin(), group.end(), id.value()) == group.end()) {
                others.push_back(id.value());
            }
        }
        for (uint32_t id : group) SetBlocked(a, id, others);
        fmt::print("group {}: cut off from {}\n", fmt::join(group, ","),
                   others.empty() ? "nobody" : fmt::format("{}", fmt::join(others, ",")));
    }
}

void Heal(const ClusterArgs& a) {
    net::ClusterConfig config = LoadOrCreateConfig(a, /*create=*/false);
    for (const auto& [id, addresses] : config.nodes) SetBlocked(a, id.value(), {});
    fmt::print("healed: every node talks to every node\n");
}

}  // namespace

void Register_cluster(CLI::App& app) {
    auto args = std::make_shared<ClusterArgs>();
    CLI::App* cmd = app.add_subcommand("cluster", "Run a five-node cluster on localhost (Raft or leaderless)");
    cmd->require_subcommand(1);
    auto add_dir = [&](CLI::App* sub) {
        sub->add_option("--dir", args->dir, "Cluster directory (default ./orrery-cluster)");
    };
    CLI::App* start = cmd->add_subcommand("start", "Start every node that is not running");
    add_dir(start);
    start->add_option("--nodes", args->nodes, "Nodes in a new cluster (default 5)")
        ->check(CLI::Range(1, 9));
    start->add_option("--engine", args->engine, "Storage engine: lsm or memory");
    start->add_option("--pg-port-base", args->pg_port_base,
                      "PostgreSQL port of node 1 in a new cluster, node N at base+N-1 (default "
                      "5433; 0: none). An existing config.json keeps its \"pg\" addresses");
    start->add_option("--cql-port-base", args->cql_port_base,
                      "CQL port of every node in a new cluster, node N at 127.0.0.N:base "
                      "(default 9042; 0: none). An existing config.json keeps its \"cql\" "
                      "addresses");
    start->add_option("--metrics-port-base", args->metrics_port_base,
                      "Metrics (HTTP) port of node 1 in a new cluster, node N at base+N-1 "
                      "(default --base-port + 200, 9801; 0: none). An existing config.json keeps "
                      "its \"metrics\" addresses")
        ->check(CLI::Range(0, 65535));
    start->add_option("--base-port", args->base_port,
                      "Client port of node 1 in a new cluster (default 9601): node N's client "
                      "port is base+N-1, its peer port base+100+N-1. Start refuses ports that "
                      "are taken");
    start->add_option("--mode", args->mode,
                      "raft (default) or leaderless: a new cluster's replication (docs/16); an "
                      "existing config.json keeps its mode")
        ->check(CLI::IsMember({"raft", "leaderless"}));
    start->add_option("--rf", args->rf, "--mode leaderless: replicas per key (default 3)");
    start->add_option("--consistency", args->consistency,
                      "--mode leaderless: the level of requests that name none: one, quorum "
                      "(default), all or serial");
    start->add_flag("--trace", args->trace, "Write each node's trace to nN.jsonl");
    start->add_option("--snapshot-entries", args->snapshot_entries,
                      "Compact each node's log after this many applied entries");
    start->add_flag("--no-group-commit", args->no_group_commit,
                    "Nodes persist after every input (for comparison)");
    start->add_option("--bug", args->bugs,
                      "Start the nodes with a known protocol bug (repeatable; see `orrery node "
                      "--help`)");
    auto add_lwt_flag = [&](CLI::App* sub) {
        sub->add_option("--lwt-one-round-trip", args->lwt_one_round_trip,
                        "Leaderless mode: start the nodes with CASPaxos's one-round-trip "
                        "optimisation on (default) or off")
            ->check(CLI::IsMember({"on", "off"}));
    };
    add_lwt_flag(start);
    start->callback([args] { Start(*args); });

    CLI::App* stop = cmd->add_subcommand("stop", "Stop every node this cluster started");
    add_dir(stop);
    stop->callback([args] { Stop(*args); });

    CLI::App* status = cmd->add_subcommand("status", "Show each node's role, term and indexes");
    add_dir(status);
    status->add_flag("--metrics", args->metrics,
                     "Summarise each node's metrics endpoint instead: requests, errors, p99 "
                     "latency, fsync latency, compactions, connections");
    status->callback([args] { ShowStatus(*args); });

    CLI::App* repair = cmd->add_subcommand(
        "repair", "Leaderless mode: anti-entropy (Merkle trees per token range) on node N or all");
    add_dir(repair);
    repair->add_option("N", args->node, "Node id (default: every node, one after another)");
    repair->callback([args] { Repair(*args); });

    CLI::App* kill = cmd->add_subcommand("kill", "Kill node N with SIGKILL (a crash)");
    add_dir(kill);
    kill->add_option("N", args->node, "Node id")->required();
    kill->callback([args] {
        net::ClusterConfig config = LoadOrCreateConfig(*args, false);
        StopNode(*args, CheckedNode(*args, config), SIGKILL);
    });

    for (auto [name, signal, what] : {std::tuple{"pause", SIGSTOP, "Freeze node N (SIGSTOP)"},
                                      std::tuple{"resume", SIGCONT, "Thaw node N (SIGCONT)"}}) {
        CLI::App* sub = cmd->add_subcommand(name, what);
        add_dir(sub);
        sub->add_option("N", args->node, "Node id")->required();
        sub->callback([args, signal = signal] {
            net::ClusterConfig config = LoadOrCreateConfig(*args, false);
            SignalNode(*args, CheckedNode(*args, config), signal);
        });
    }

    CLI::App* restart = cmd->add_subcommand("restart", "Stop node N if running, then start it");
    add_dir(restart);
    restart->add_option("N", args->node, "Node id")->required();
    restart->add_option("--engine", args->engine, "Storage engine: lsm or memory");
    restart->add_flag("--trace", args->trace, "Write the node's trace to nN.jsonl");
    restart->add_option("--snapshot-entries", args->snapshot_entries,
                        "Compact the node's log after this many applied entries");
    restart->add_option("--bug", args->bugs,
                        "Start the node with a known protocol bug (repeatable)");
    add_lwt_flag(restart);
    restart->callback([args] {
        net::ClusterConfig config = LoadOrCreateConfig(*args, false);
        uint32_t id = CheckedNode(*args, config);
        CheckLwtFlag(*args, config);
        StopNode(*args, id, SIGTERM);
        CheckPortsFree(*args, config, {id});
        if (!StartNode(*args, config, id)) throw CLI::RuntimeError(1);
    });

    CLI::App* partition = cmd->add_subcommand(
        "partition", "Split the nodes into groups that cannot talk to each other");
    add_dir(partition);
    partition->add_option("GROUPS", args->groups,
                          "Comma-separated node ids per group, e.g. 1,2 3,4,5 (nodes not named "
                          "form one more group)")
        ->required();
    partition->callback([args] { Partition(*args); });

    CLI::App* heal = cmd->add_subcommand("heal", "Undo every partition");
    add_dir(heal);
    heal->callback([args] { Heal(*args); });
}

}  // namespace orrery::tools
