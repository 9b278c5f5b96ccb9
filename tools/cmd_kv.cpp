// `orrery kv`: the key-value client of a real cluster, one command or an interactive REPL.
//
//   orrery kv --cluster DIR get k1             (DIR/config.json from `orrery cluster start`)
//   orrery kv --peers 127.0.0.1:9601,... put k1 v1
//   orrery kv --connect 127.0.0.1:9601 status
//   orrery kv --cluster DIR                    (no command: read commands from stdin, one a line)
//
// The command language (names, arguments, output lines, exit statuses) is node/kv_cli.h's
// table; this file only connects: it runs node::KvClient, the client the simulator's clients
// run, over net::TcpClient, and blocks on the event loop until each operation's outcome. One
// session (client id) serves every command of a REPL, so retries inside it are deduplicated
// by the servers' session table.
//
// Exit status of one command: 0 ok, 1 failed or unavailable, 2 bad input, 3 indeterminate (a
// write that may or may not have been applied). The REPL prints "error: ..." for a bad line and
// goes on; it exits 0 at the end of its input.
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "net/cluster_config.h"
#include "node/kv_cli.h"
#include "node/kv_client.h"
#include "node/leaderless_message.h"
#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

struct KvArgs {
    std::string cluster;
    std::string peers;
    std::string timeout = "5s";
    std::string consistency;  // "": none sent (the node's default; a Raft node takes only this).
    std::vector<std::string> words;
};

constexpr BadInputError BadInput{"kv", node::kKvExitBadInput};

// The client address of every server, from --cluster or --peers (ids 1..n in list order).
std::map<NodeId, std::string> Servers(const KvArgs& args) {
    if (args.cluster.empty() == args.peers.empty()) {
        BadInput("give exactly one of --cluster DIR and --peers HOST:PORT,...");
    }
    if (!args.cluster.empty()) {
        auto config = net::ClusterConfig::Load(args.cluster + "/config.json");
        if (!config.ok()) BadInput(config.status().ToString());
        return config->ClientAddresses();
    }
    std::map<NodeId, std::string> servers;
    std::string rest = args.peers;
    while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string address = rest.substr(0, comma);
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        if (!net::ParseHostPort(address).ok()) BadInput(fmt::format("bad address '{}'", address));
        if (servers.size() + 1 >= kFirstClientId) BadInput("too many peers");
        servers[NodeId(static_cast<uint32_t>(servers.size() + 1))] = address;
    }
    if (servers.empty()) BadInput("--peers is empty");
    return servers;
}

net::ClientEnvOptions EnvOptions(const std::map<NodeId, std::string>& servers) {
    net::ClientEnvOptions options;
    options.servers = servers;
    options.name = "kv";
    return options;
}

// A connected session: the event loop, the client's Env and one KvClient.
class Session {
public:
    Session(std::map<NodeId, std::string> servers, Duration timeout, uint32_t consistency)
        : env_(io_, EnvOptions(servers)), consistency_(consistency) {
        node::KvClientOptions options;
        for (const auto& [id, address] : servers) options.servers.push_back(id);
        options.op_timeout = timeout;
        client_ = std::make_unique<node::KvClient>(env_.env(), options);
        servers_ = options.servers;
    }

    // Runs one parsed command, prints its outcome line(s), and returns the exit status.
    int Run(node::KvCliInvocation inv) {
        if (consistency_ != 0) {
            // The level rides in `limit` of the single-key ops (node/leaderless_message.h).
            if (!IsSingleKey(inv.request.op)) {
                fmt::print("fail --consistency applies to get, put, delete and cas, not {}\n",
                           node::RequestOpName(inv.request.op));
                return node::kKvExitBadInput;
            }
            inv.request.limit = consistency_;
        }
        if (inv.request.op != node::RequestOp::kStatus) {
            return Print(inv, Await([&](auto done) { client_->Submit(inv.request, done); }));
        }
        int worst = node::kKvExitOk;
        const uint32_t only = inv.target;  // 0: every server.
        for (NodeId server : servers_) {
            if (only != 0 && only != server.value()) continue;
            inv.target = server.value();
            int status = Print(inv, Await([&](auto done) { client_->Status(server, done); }));
            worst = std::max(worst, status);
        }
        return worst;
    }

    bool knows(uint32_t server) const {
        for (NodeId s : servers_) {
            if (s.value() == server) return true;
        }
        return false;
    }

private:
    static bool IsSingleKey(node::RequestOp op) {
        return op == node::RequestOp::kGet || op == node::RequestOp::kPut ||
               op == node::RequestOp::kDelete || op == node::RequestOp::kCas;
    }

    template <typename Start>
    node::KvOutcome Await(Start start) {
        std::optional<node::KvOutcome> outcome;
        start([&](const node::KvOutcome& o) { outcome = o; });
        bool finished = net::RunUntil(io_, [&] { return outcome.has_value(); });
        ORRERY_ASSERT(finished, "the client's timers guarantee an outcome");
        return *outcome;
    }

    static int Print(const node::KvCliInvocation& inv, const node::KvOutcome& outcome) {
        fmt::print("{}\n", node::RenderKvOutcome(inv, outcome));
        std::fflush(stdout);
        return node::KvExitStatus(outcome);
    }

    boost::asio::io_context io_;
    net::ClientEnv env_;
    std::unique_ptr<node::KvClient> client_;
    std::vector<NodeId> servers_;
    uint32_t consistency_ = 0;  // node::Consistency as sent; 0: none.
};

// Parses words into an invocation, or the message for a bad command.
Result<node::KvCliInvocation> Parse(const Session& session, const std::vector<std::string>& w) {
    ORRERY_ASSIGN_OR_RETURN(node::KvCliInvocation inv, node::ParseKvCommand(w));
    if (inv.target != 0 && !session.knows(inv.target)) {
        return Status::InvalidArgument(fmt::format("no node {} in this cluster", inv.target));
    }
    return inv;
}

void Repl(Session& session) {
    bool interactive = ::isatty(STDIN_FILENO) == 1;
    if (interactive) fmt::print("orrery kv: type help for the commands, quit to leave\n");
    std::string line;
    for (;;) {
        if (interactive) fmt::print("kv> ");
        std::fflush(stdout);
        if (!std::getline(std::cin, line)) break;
        auto words = node::SplitKvWords(line);
        if (words.ok() && (words->empty() || (*words)[0].starts_with("#"))) continue;
        if (words.ok() && ((*words)[0] == "quit" || (*words)[0] == "exit")) break;
        if (words.ok() && (*words)[0] == "help") {
            fmt::print("{}  quit\n", node::KvCliHelp());
            continue;
        }
        auto inv = words.ok() ? Parse(session, *words) : Result<node::KvCliInvocation>(words.status());
        if (!inv.ok()) {
            fmt::print("error: {}\n", inv.status().message());
            continue;
        }
        session.Run(*inv);
    }
}

void RunKv(const KvArgs& args) {
    std::map<NodeId, std::string> servers = Servers(args);
    std::optional<Duration> timeout = ParseDuration(args.timeout);
    if (!timeout || *timeout <= Duration(0)) BadInput(fmt::format("bad --timeout '{}'", args.timeout));
    uint32_t consistency = 0;
    if (!args.consistency.empty()) {
        auto level = node::ParseConsistency(args.consistency);
        if (!level.ok()) BadInput(level.status().message());
        if (!args.cluster.empty()) {
            auto config = net::ClusterConfig::Load(args.cluster + "/config.json");
            if (config.ok() && config->mode != net::ClusterMode::kLeaderless) {
                BadInput("--consistency is the leaderless mode's; this is a Raft cluster, whose "
                         "reads and writes are always linearizable");
            }
        }
        consistency = static_cast<uint32_t>(*level);
    }
    Session session(std::move(servers), *timeout, consistency);
    if (args.words.empty()) return Repl(session);
    auto inv = Parse(session, args.words);
    if (!inv.ok()) BadInput(inv.status().message());
    int status = session.Run(*inv);
    if (status != node::kKvExitOk) throw CLI::RuntimeError(status);
}

}  // namespace

void Register_kv(CLI::App& app) {
    auto args = std::make_shared<KvArgs>();
    CLI::App* cmd = app.add_subcommand(
        "kv", "Key-value client of a real cluster: get/put/delete/cas/scan/status, or a REPL");
    cmd->add_option("--cluster", args->cluster, "Cluster directory (reads DIR/config.json)");
    cmd->add_option("--peers,--connect", args->peers, "Client addresses HOST:PORT,... (ids 1..n)");
    cmd->add_option("--timeout", args->timeout, "Give up on an operation after this (default 5s)");
    cmd->add_option("--consistency", args->consistency,
                    "Leaderless mode: one, quorum, all or serial (a lightweight transaction) for "
                    "get, put, delete and cas (default: the cluster's)");
    cmd->add_option("command", args->words, "A command and its arguments; none: a REPL on stdin");
    cmd->footer("Commands:\n" + node::KvCliHelp() +
                "Exit status: 0 ok, 1 failed, 2 bad input, 3 indeterminate (a write that may "
                "or may not have happened).\n");
    cmd->callback([args] { RunKv(*args); });
}

}  // namespace orrery::tools
