// `orrery node --id N --config FILE --data DIR`: one real server process of the KV store.
//
// It builds the node's Env from real parts (net/RealEnv over a storage/posix PosixDisk), opens
// the same node::KvServer the simulator runs, and drives it with one event-loop thread until
// SIGINT or SIGTERM. Everything the server does happens on that thread; nothing here adds
// protocol logic. Logs go to stderr, each line tagged with the node's name.
//
// One real-world setting differs from the simulator's: KvServerOptions::batch_ready (group
// commit) is on, so everything that arrives in one turn of the event loop is persisted with one
// fsync (docs/06-real-world.md, "Group commit on the real path"). --no-group-commit turns it off.
//
// Partitions (the real-cluster nemesis, `orrery cluster partition`): with --block-file, the node
// reads that file at start and again on every SIGUSR1. It holds the ids of the peers to cut off,
// whitespace-separated; the node's TcpNetwork then drops all traffic to and from them
// (TcpNetwork::SetBlocked). A missing or empty file heals. SIGUSR1 is caught from before the
// listeners open, so a nemesis that signals a node just after it came up never kills it.
//
// --bug NAME (repeatable) switches on one of the protocol bugs the simulator's runs can enable
// (node::EnableServerBug, which the simulator's runner uses too), so a real-cluster
// Jepsen run (`orrery jepsen --real --bug NAME`) can try to catch it. storage.no-sync is a
// simulated-disk fault and has no real-node switch.
//
// --pg-port P opens a PostgreSQL v3 port (tools/pg_listener.h, docs/19-pg-wire.md): every
// connection there is one SQL session of the cluster, like `orrery sql --connect`.
//
// --cql-port P [--cql-host H] opens a CQL native protocol v4 port (tools/cql_listener.h,
// docs/21-cql.md) on H (default: the client address's host): every connection there is one SQL
// session under a CQL translator; system.local/peers describe the nodes of the config.
//
// --metrics-port P serves the node's metrics over HTTP, GET /metrics in Prometheus' text format
// (node/node_metrics.h, net/http.h, docs/24-metrics.md), on the host of the node's client address.
// The data directory is timed for it (core/timed_disk.h): every fsync lands in a histogram.
//
// A config whose "mode" is "leaderless" (net/cluster_config.h; `orrery cluster start --mode
// leaderless`) makes the node a node::LeaderlessServer instead, the one the simulator's
// leaderless runs drive: gossip, the hash ring with the config's rf, hinted handoff, read repair,
// anti-entropy on request and CASPaxos. It serves the KV client protocol (`orrery kv`,
// consistency per request or the config's default) and, with --metrics-port, its metrics (gossip,
// hints, read repairs, requests; node/node_metrics.h); the SQL, PostgreSQL and CQL ports are the
// Raft mode's, and asking for one there is an error (exit 2). --lwt-one-round-trip off turns
// CASPaxos's one-round-trip optimisation off (`orrery bench lwt --cluster` compares the two); a
// Raft node refuses the flag.
//
// Exit status: 0 after a signal, 1 when the server fails (it cannot open its data, or it halts
// on a storage failure), 2 on bad arguments.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/timed_disk.h"
#include "net/cluster_config.h"
#include "net/http.h"
#include "net/logger.h"
#include "net/real_env.h"
#include "net/wall_clock.h"
#include "node/client_protocol.h"
#include "node/kv_server.h"
#include "node/leaderless_server.h"
#include "node/node_metrics.h"
#include "raft/raft.h"
#include "storage/posix/posix_disk.h"
#include "tools/cli_util.h"
#include "tools/cql_listener.h"
#include "tools/pg_listener.h"

namespace orrery::tools {
namespace {

struct NodeArgs {
    uint32_t id = 0;
    std::string config;
    std::string data;
    std::string trace;
    std::string engine;
    std::string block_file;
    std::string tick = "10ms";
    std::string log_level = "info";
    std::optional<uint64_t> seed;
    uint64_t snapshot_entries = 0;  // 0: Raft's default.
    uint16_t pg_port = 0;           // 0: no PostgreSQL port.
    uint16_t cql_port = 0;          // 0: no CQL port.
    uint16_t metrics_port = 0;      // 0: no metrics endpoint.
    std::string cql_host;           // "": the host of the node's client address.
    bool no_group_commit = false;
    std::vector<std::string> bugs;
    std::string lwt_one_round_trip;  // "", "on" or "off": the leaderless mode's Paxos shortcut.
};

constexpr BadInputError BadInput{"node"};

net::LogLevel ParseLogLevel(const std::string& name) {
    if (name == "debug") return net::LogLevel::kDebug;
    if (name == "info") return net::LogLevel::kInfo;
    if (name == "warn") return net::LogLevel::kWarn;
    if (name == "error") return net::LogLevel::kError;
    BadInput(fmt::format("unknown --log-level '{}' (debug, info, warn, error)", name));
}

// Builds the server's options from the arguments and the cluster config.
node::KvServerOptions ServerOptions(const NodeArgs& args, const net::ClusterConfig& cluster) {
    if (!args.lwt_one_round_trip.empty()) {
        BadInput("--lwt-one-round-trip is the leaderless mode's (lightweight transactions on "
                 "CASPaxos); this is a Raft cluster");
    }
    node::KvServerOptions options;
    options.raft.id = NodeId(args.id);
    for (const auto& [id, addresses] : cluster.nodes) options.raft.peers.push_back(id);
    std::optional<Duration> tick = ParseDuration(args.tick);
    if (!tick || *tick <= Duration(0)) BadInput(fmt::format("bad --tick '{}'", args.tick));
    options.tick = *tick;
    options.batch_ready = !args.no_group_commit;
    if (args.snapshot_entries != 0) options.raft.snapshot_threshold_entries = args.snapshot_entries;
    std::string engine = args.engine.empty() ? (node::HaveLsmEngine() ? "lsm" : "memory")
                                             : args.engine;
    auto factory = node::MakeEngineFactory(engine);
    if (!factory.ok()) BadInput(factory.status().message());
    options.engine = std::move(factory).value();
    // SQL clients that know one address follow not-leader hints with these.
    options.sql.client_addresses = cluster.ClientAddresses();
    // now() in SQL is the calendar time of the leader that runs the statement's transaction.
    options.sql.session.wall_clock_us = net::SystemWallClockMicros;
    for (const std::string& bug : args.bugs) {
        Status s = node::EnableServerBug(bug, &options);
        if (!s.ok()) BadInput(std::string(s.message()));
    }
    return options;
}

// The leaderless mode's options (node/leaderless_server.h) from the arguments and the config.
node::LeaderlessOptions LeaderlessServerOptions(const NodeArgs& args,
                                                const net::ClusterConfig& cluster) {
    for (auto [port, flag] : {std::pair{args.pg_port, "--pg-port"},
                              std::pair{args.cql_port, "--cql-port"}}) {
        if (port != 0) {
            BadInput(fmt::format("{} is not served in the leaderless mode (it serves the key-value "
                                 "protocol: orrery kv)", flag));
        }
    }
    if (args.snapshot_entries != 0) BadInput("--snapshot-entries is the Raft mode's");
    if (args.no_group_commit) {
        BadInput("--no-group-commit is the Raft mode's (a leaderless replica syncs each write before it acks)");
    }
    node::LeaderlessOptions options;
    for (const auto& [id, addresses] : cluster.nodes) options.peers.push_back(id);
    options.rf = cluster.rf;
    // Cells are stamped with calendar time, as Cassandra's coordinators do: it survives a reboot,
    // which the node's monotonic Clock does not (node/leaderless_server.h).
    options.cell_clock_us = net::SystemWallClockMicros;
    auto level = node::ParseConsistency(cluster.consistency);
    if (!level.ok()) BadInput(level.status().message());
    options.consistency = *level;
    std::optional<Duration> tick = ParseDuration(args.tick);
    if (!tick || *tick <= Duration(0)) BadInput(fmt::format("bad --tick '{}'", args.tick));
    options.tick = *tick;
    std::string engine = args.engine.empty() ? (node::HaveLsmEngine() ? "lsm" : "memory")
                                             : args.engine;
    auto factory = node::MakeEngineFactory(engine);
    if (!factory.ok()) BadInput(factory.status().message());
    options.engine = std::move(factory).value();
    // CASPaxos §2.2.1 (paxos/proposer.h): on unless asked, as in the simulator.
    options.paxos.one_round_trip = args.lwt_one_round_trip != "off";
    for (const std::string& bug : args.bugs) {
        Status s = node::EnableLeaderlessBug(bug, &options);
        if (!s.ok()) BadInput(std::string(s.message()));
    }
    return options;
}

// The peers named in the block file (missing file: none). Tokens that are not ids are skipped.
std::set<NodeId> ReadBlockFile(const std::string& path, net::Logger& log) {
    std::set<NodeId> blocked;
    std::ifstream in(path);
    for (std::string token; in >> token;) {
        char* end = nullptr;
        unsigned long id = std::strtoul(token.c_str(), &end, 10);
        if (end == token.c_str() || *end != '\0' || id == 0 || id >= kFirstClientId) {
            log.Warn("block file {}: ignoring '{}'", path, token);
            continue;
        }
        blocked.insert(NodeId(static_cast<uint32_t>(id)));
    }
    return blocked;
}

// Applies the block file now and again on every SIGUSR1.
void WatchBlockFile(boost::asio::signal_set& signals, net::TcpNetwork& network,
                    const std::string& path, net::Logger& log) {
    std::set<NodeId> blocked = ReadBlockFile(path, log);
    std::string names;
    for (NodeId id : blocked) names += fmt::format(" n{}", id.value());
    if (blocked != network.blocked()) {
        log.Info("partition: blocking{}", blocked.empty() ? " nobody (healed)" : names);
    }
    network.SetBlocked(std::move(blocked));
    signals.async_wait([&signals, &network, path, &log](const boost::system::error_code& ec,
                                                         int) {
        if (!ec) WatchBlockFile(signals, network, path, log);
    });
}

// Opens the metrics endpoint on host:port, serving `scrape` (the error is logged).
Result<std::unique_ptr<net::HttpServer>> OpenMetrics(boost::asio::io_context& io,
                                                     const std::string& host, uint16_t port,
                                                     net::Logger& log,
                                                     std::function<std::string()> scrape) {
    net::HttpServerOptions options;
    options.listen = fmt::format("{}:{}", host, port);
    auto endpoint = net::HttpServer::Create(io, options, std::move(scrape), log);
    if (!endpoint.ok()) {
        log.Error("cannot open the metrics port: {}", endpoint.status().ToString());
        return endpoint.status();
    }
    log.Info("metrics on http://{}:{}/metrics", host, (*endpoint)->port());
    return endpoint;
}

// Runs the node until a signal or a halt. Returns the process exit status.
int RunNode(const NodeArgs& args) {
    auto cluster = net::ClusterConfig::Load(args.config);
    if (!cluster.ok()) BadInput(cluster.status().ToString());
    if (cluster->nodes.count(NodeId(args.id)) == 0) {
        BadInput(fmt::format("node {} is not in {}", args.id, args.config));
    }
    const bool leaderless = cluster->mode == net::ClusterMode::kLeaderless;
    // Options first: bad arguments exit 2 before anything is opened.
    node::KvServerOptions server_options;
    node::LeaderlessOptions leaderless_options;
    if (leaderless) {
        leaderless_options = LeaderlessServerOptions(args, *cluster);
    } else {
        server_options = ServerOptions(args, *cluster);
    }
    net::Logger log(fmt::format("n{}", args.id), ParseLogLevel(args.log_level));

    auto disk = storage::PosixDisk::Open(args.data, /*create_if_missing=*/true);
    if (!disk.ok()) {
        log.Error("cannot open data directory: {}", disk.status().ToString());
        return 1;
    }
    boost::asio::io_context io;
    boost::asio::signal_set block_signal(io, SIGUSR1);  // Caught before the listeners open.
    net::RealEnvOptions env_options;
    env_options.node = NodeId(args.id);
    env_options.cluster = *cluster;
    env_options.trace_path = args.trace;
    env_options.seed = args.seed;
    env_options.render = [leaderless](std::string_view bytes) {
        return leaderless ? node::DescribeLeaderlessDatagram(bytes) : node::DescribeDatagram(bytes);
    };
    // Every fsync of the data directory is timed for the metrics, on the node's own clock.
    auto timed = std::make_unique<TimedDisk>(std::move(disk).value());
    TimedDisk* timed_disk = timed.get();
    auto real = net::RealEnv::Create(io, env_options, std::move(timed), log);
    if (!real.ok()) {
        log.Error("cannot start: {}", real.status().ToString());
        return 1;
    }
    timed_disk->AttachClock((*real)->clock());
    int exit_status = 0;
    auto on_halt = [&](const Status& why, bool) {
        log.Error("halting: {}", why.ToString());
        exit_status = 1;
        io.stop();
    };
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        log.Info("signal {}: shutting down", signal);
        io.stop();
    });
    // The extra ports listen on the host of this node's client address (CQL may be told another).
    const std::string client_host =
        net::ParseHostPort(cluster->nodes.at(NodeId(args.id)).client)->host;
    if (leaderless) {
        leaderless_options.on_halt = on_halt;
        auto server = node::LeaderlessServer::Open((*real)->env(), std::move(leaderless_options));
        if (!server.ok()) {
            log.Error("cannot open the server: {}", server.status().ToString());
            return 1;
        }
        log.Info("serving (leaderless mode, rf={}, consistency {}) with data in {}", cluster->rf,
                 cluster->consistency, args.data);
        std::unique_ptr<net::HttpServer> metrics;
        if (args.metrics_port != 0) {
            auto endpoint = OpenMetrics(io, client_host, args.metrics_port, log,
                                        [ll = server->get(), timed_disk] {
                                            node::NodeMetricsSources sources;
                                            sources.leaderless = ll;
                                            sources.disk = timed_disk;
                                            return node::RenderNodeMetrics(sources);
                                        });
            if (!endpoint.ok()) {
                server->reset();
                return 1;
            }
            metrics = std::move(endpoint).value();
        }
        for (const std::string& bug : args.bugs) log.Warn("bug switched on: {}", bug);
        if (args.lwt_one_round_trip == "off") log.Info("lwt: one-round-trip optimisation off");
        if (!args.block_file.empty()) {
            WatchBlockFile(block_signal, (*real)->network(), args.block_file, log);
        }
        io.run();
        metrics.reset();  // It reads the server.
        server->reset();  // The server goes before the Env it was built from.
        log.Info("stopped");
        return exit_status;
    }
    server_options.on_halt = on_halt;
    auto server = node::KvServer::Open((*real)->env(), std::move(server_options));
    if (!server.ok()) {
        log.Error("cannot open the server: {}", server.status().ToString());
        return 1;
    }
    log.Info("serving with data in {}", args.data);
    // The PostgreSQL port (tools/pg_listener.h): on the host of this node's client address,
    // opened after the server so its first session finds the client port up.
    std::unique_ptr<PgListener> pg;
    if (args.pg_port != 0) {
        PgListenerOptions pg_options;
        pg_options.listen = fmt::format("{}:{}", client_host, args.pg_port);
        pg_options.self = NodeId(args.id);
        pg_options.servers = cluster->ClientAddresses();
        auto listener = PgListener::Create(io, pg_options, log);
        if (!listener.ok()) {
            log.Error("cannot open the PostgreSQL port: {}", listener.status().ToString());
            server->reset();
            return 1;
        }
        pg = std::move(listener).value();
        log.Info("PostgreSQL clients on port {}", pg->port());
    }
    // The CQL port (tools/cql_listener.h), likewise after the server.
    std::unique_ptr<CqlListener> cql;
    if (args.cql_port != 0) {
        CqlListenerOptions cql_options;
        std::string host = args.cql_host.empty() ? client_host : args.cql_host;
        cql_options.listen = fmt::format("{}:{}", host, args.cql_port);
        cql_options.self = NodeId(args.id);
        cql_options.servers = cluster->ClientAddresses();
        cql_options.topology = CqlTopology(*cluster, NodeId(args.id), host, args.cql_port);
        auto listener = CqlListener::Create(io, cql_options, log);
        if (!listener.ok()) {
            log.Error("cannot open the CQL port: {}", listener.status().ToString());
            pg.reset();
            server->reset();
            return 1;
        }
        cql = std::move(listener).value();
        log.Info("CQL clients on {}:{}", host, cql->port());
    }
    // The metrics endpoint, last: a scrape reads the server and the listeners above.
    std::unique_ptr<net::HttpServer> metrics;
    if (args.metrics_port != 0) {
        node::KvServer* kv = server->get();
        auto endpoint = OpenMetrics(io, client_host, args.metrics_port, log, [kv, timed_disk, &pg, &cql] {
            node::NodeMetricsSources sources;
            sources.server = kv;
            sources.disk = timed_disk;
            if (pg) sources.listeners.push_back(pg->counters());
            if (cql) sources.listeners.push_back(cql->counters());
            return node::RenderNodeMetrics(sources);
        });
        if (!endpoint.ok()) {
            cql.reset();
            pg.reset();
            server->reset();
            return 1;
        }
        metrics = std::move(endpoint).value();
    }
    for (const std::string& bug : args.bugs) log.Warn("bug switched on: {}", bug);
    if (!args.block_file.empty()) {
        WatchBlockFile(block_signal, (*real)->network(), args.block_file, log);
    }

    io.run();
    metrics.reset();  // It reads everything below.
    cql.reset();      // Its sessions' clients go before the server they talk to,
    pg.reset();       // like these.
    server->reset();  // The server goes before the Env it was built from.
    log.Info("stopped");
    return exit_status;
}

}  // namespace

void Register_node(CLI::App& app) {
    auto args = std::make_shared<NodeArgs>();
    CLI::App* cmd = app.add_subcommand("node", "Run one real server node (Raft, or leaderless when the config says so)");
    cmd->add_option("--id", args->id, "This node's id (as in the config)")
        ->required()
        ->check(CLI::Range(1u, kFirstClientId - 1));
    cmd->add_option("--config", args->config, "Cluster config JSON (ids and addresses)")
        ->required();
    cmd->add_option("--data", args->data, "Data directory (created if missing)")->required();
    cmd->add_option("--trace", args->trace, "Append JSON Lines trace events to this file");
    cmd->add_option("--engine", args->engine, "Storage engine: lsm (default if built) or memory");
    cmd->add_option("--block-file", args->block_file,
                    "Peer ids to cut off, re-read on SIGUSR1 (for partition nemeses)");
    cmd->add_option("--tick", args->tick, "Raft tick period (default 10ms)");
    cmd->add_option("--seed", args->seed, "Seed for the node's Random (default: from the OS)")
        ->check(SeedValidator());
    cmd->add_option("--snapshot-entries", args->snapshot_entries,
                    "Compact the Raft log after this many applied entries (default: Raft's)");
    cmd->add_option("--pg-port", args->pg_port,
                    "Serve PostgreSQL clients (psql, psycopg2) on this port, on the host of the "
                    "node's client address (default: none)");
    cmd->add_option("--cql-port", args->cql_port,
                    "Serve CQL drivers (native protocol v4, the Cassandra Python driver) on this "
                    "port (default: none)");
    cmd->add_option("--cql-host", args->cql_host,
                    "The address the CQL port listens on and system.local reports (default: the "
                    "host of the node's client address); a driver reaches every node on one port, "
                    "so nodes on one machine need one host each (127.0.0.N)");
    cmd->add_option("--metrics-port", args->metrics_port,
                    "Serve metrics (GET /metrics, Prometheus text format) on this port, on the "
                    "host of the node's client address (default: none)");
    cmd->add_flag("--no-group-commit", args->no_group_commit,
                  "Persist after every input instead of once per event-loop turn");
    cmd->add_option("--bug", args->bugs,
                    "Switch on a known protocol bug (repeatable): kv.no-dedup, raft.stale-read, "
                    "raft.forget-vote, raft.commit-old-term, mvcc.snapshot-only; in the leaderless "
                    "mode paxos.forget-promise, paxos.skip-accepted-value, handoff.volatile, "
                    "gossip.no-refute");
    cmd->add_option("--lwt-one-round-trip", args->lwt_one_round_trip,
                    "Leaderless mode: on (default) or off, CASPaxos's one-round-trip "
                    "optimisation for lightweight transactions (for comparison)")
        ->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--log-level", args->log_level, "debug, info, warn or error (default info)");
    cmd->callback([args] {
        int status = RunNode(*args);
        if (status != 0) throw CLI::RuntimeError(status);
    });
}

}  // namespace orrery::tools
