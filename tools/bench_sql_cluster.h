// `orrery bench sql --cluster`: the tpcb-like mix of sql/bench/tpcb.h on a real localhost
// cluster (net/local_cluster.h), every statement through node::SqlClient to the leader's SQL
// sessions (node/sql_server.h), every committed transaction one Raft entry with fsync.
//
// This file is the glue only: it carries each TpcbWorkload client's statements over its own
// SqlClient (one event-loop thread for all of them; a client sends its next statement from the
// reply to the previous one), times them on the steady clock, and prints. The mix, the invariant
// and the statistics are the library's. Latency is BEGIN sent to COMMIT's reply, of committed
// transactions. SIGINT and SIGTERM end the measured phase early; the cluster is stopped on every
// path (LocalCluster's destructor covers early returns).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <signal.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "net/local_cluster.h"
#include "node/sql_client.h"
#include "sql/bench/tpcb.h"

namespace orrery::tools::benchsql {

inline constexpr uint64_t kTpcbSeed = 7919;

struct ClusterBenchArgs {
    int nodes = 5;
    int clients = 16;
    sql::bench::TpcbOptions tpcb;
    Duration duration = Duration::Seconds(20);
    Duration warmup = Duration::Seconds(2);
    std::string dir;
    bool keep = false;
};

inline int64_t SteadyUs() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline sql::bench::TpcbReply ToTpcbReply(const node::SqlOutcome& o) {
    using sql::bench::TpcbReplyKind;
    sql::bench::TpcbReply reply;
    reply.in_transaction = o.txn_status != sql::TxnStatus::kIdle;
    reply.message = o.message();
    if (o.ok()) return reply;
    if (o.type == node::KvOutcome::Type::kInfo) {
        reply.kind = TpcbReplyKind::kUnknown;
    } else if (o.error && o.error->kind == sql::ErrorKind::kSerializationFailure) {
        reply.kind = TpcbReplyKind::kAborted;
    } else {
        reply.kind = TpcbReplyKind::kFailed;
    }
    return reply;
}

// Client 0 loads and reads the balances; clients 1..n run the workload's clients 0..n-1.
class TpcbClusterClients {
public:
    TpcbClusterClients(boost::asio::io_context& io, const net::ClusterConfig& config,
                       const ClusterBenchArgs& args)
        : io_(io), workload_(args.tpcb, args.clients, kTpcbSeed) {
        std::vector<NodeId> servers;
        for (const auto& [id, addresses] : config.nodes) servers.push_back(id);
        for (int i = 0; i <= args.clients; ++i) {
            auto c = std::make_unique<Client>();
            net::ClientEnvOptions options;
            options.servers = config.ClientAddresses();
            options.name = fmt::format("bench-sql{}", i);
            c->env = std::make_unique<net::ClientEnv>(io_, options);
            node::SqlClientOptions o;
            o.servers = servers;
            o.op_timeout = Duration::Seconds(10);
            c->sql = std::make_unique<node::SqlClient>(c->env->env(), o);
            clients_.push_back(std::move(c));
        }
    }

    // Runs `statement` on client 0 and waits for its outcome.
    node::SqlOutcome Await(const std::string& statement) {
        std::optional<node::SqlOutcome> out;
        clients_[0]->sql->Execute(statement, {}, [&](const node::SqlOutcome& o) { out = o; });
        net::RunUntil(io_, [&] { return out.has_value(); });
        return *out;
    }

    // Runs the mix for `duration` (or until `stop` turns true); returns its stats and seconds.
    std::pair<sql::bench::TpcbStats, double> Run(Duration duration, const bool& stop) {
        running_ = true;
        boost::asio::steady_timer timer(io_, std::chrono::microseconds(duration.us()));
        timer.async_wait([this](const boost::system::error_code&) { running_ = false; });
        int64_t start_us = SteadyUs();
        for (int i = 0; i < workload_.clients(); ++i) Pump(i);
        net::RunUntil(io_, [&] {
            if (stop) running_ = false;
            return !running_ && Idle();
        });
        timer.cancel();
        double seconds = static_cast<double>(SteadyUs() - start_us) / 1e6;
        return {workload_.TakeStats(), seconds};
    }

private:
    struct Client {
        std::unique_ptr<net::ClientEnv> env;
        std::unique_ptr<node::SqlClient> sql;
    };

    bool Idle() const {
        for (int i = 0; i < workload_.clients(); ++i) {
            if (!workload_.AtBoundary(i)) return false;
        }
        return true;
    }

    // Sends client i's next statement, unless the run is over and i is between transactions.
    void Pump(int i) {
        if (!running_ && workload_.AtBoundary(i)) return;
        const sql::bench::TpcbStatement& s = workload_.Next(i, SteadyUs());
        clients_[static_cast<size_t>(i) + 1]->sql->Execute(
            s.text, s.params, [this, i](const node::SqlOutcome& o) {
                workload_.OnReply(i, ToTpcbReply(o), SteadyUs());
                Pump(i);
            });
    }

    boost::asio::io_context& io_;
    sql::bench::TpcbWorkload workload_;
    std::vector<std::unique_ptr<Client>> clients_;
    bool running_ = false;
};

// Loads the tables through client 0. Errors: the first statement that failed.
inline Status LoadTpcbCluster(TpcbClusterClients& clients, const sql::bench::TpcbOptions& o) {
    for (const std::string& statement : sql::bench::TpcbLoadScript(o)) {
        node::SqlOutcome out = clients.Await(statement);
        if (!out.ok()) {
            return Status::IOError(fmt::format("{}: {}", statement.substr(0, 60), out.message()));
        }
    }
    return Status::Ok();
}

// Reads the balances and prints them with the invariant's verdict. Returns the verdict.
inline bool PrintTpcbInvariant(TpcbClusterClients& clients, std::optional<uint64_t> committed) {
    node::SqlOutcome o = clients.Await(sql::bench::kTpcbBalancesQuery);
    if (!o.ok() || o.result->rows.size() != 1) {
        fmt::print("invariant: unchecked (the balance query failed: {})\n", o.message());
        return false;
    }
    auto balances = sql::bench::ParseTpcbBalances(o.result->rows[0]);
    if (!balances.ok()) {
        fmt::print("invariant: unchecked ({})\n", balances.status().ToString());
        return false;
    }
    fmt::print("balances: {}\n", sql::bench::FormatTpcbBalances(*balances));
    Status verdict = sql::bench::CheckTpcbInvariant(*balances, committed);
    if (!verdict.ok()) {
        fmt::print("invariant: VIOLATED: {}\n", verdict.message());
        return false;
    }
    fmt::print("invariant: ok (sums equal{})\n",
               committed ? ", one history row per committed transaction" : "");
    return true;
}

// Starts a cluster, loads, runs the warm-up and the measured phase, prints, stops. Returns the
// exit status: 0 ok, 1 the cluster, the load or the invariant failed, 130 interrupted.
inline int RunClusterBench(const ClusterBenchArgs& a) {
    boost::asio::io_context io;
    bool interrupted = false;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) { interrupted = !ec; });
    net::LocalClusterOptions options;
    options.nodes = a.nodes;
    options.dir = a.dir;
    options.temp_prefix = "orrery-bench-sql";
    options.keep = a.keep;
    auto cluster = net::LocalCluster::Create(options);
    if (!cluster.ok()) {
        fmt::print(stderr, "orrery bench sql: {}\n", cluster.status().ToString());
        return 1;
    }
    fmt::print("cluster: {} nodes in {} (fsync on), {} clients, {} branches, {} accounts, {}s\n",
               a.nodes, (*cluster)->dir(), a.clients, a.tpcb.branches, a.tpcb.accounts,
               a.duration.us() / 1000000);
    std::fflush(stdout);
    Status up = (*cluster)->Start();
    if (up.ok()) up = (*cluster)->WaitForLeader(Duration::Seconds(20));
    if (!up.ok()) {
        fmt::print(stderr, "orrery bench sql: the cluster did not start: {}\n", up.ToString());
        return 1;  // The destructor stops whatever started.
    }
    int status = 0;
    {
        TpcbClusterClients clients(io, (*cluster)->config(), a);
        Status loaded = LoadTpcbCluster(clients, a.tpcb);
        if (!loaded.ok()) {
            fmt::print(stderr, "orrery bench sql: loading failed: {}\n", loaded.ToString());
            return 1;
        }
        auto [warm, unused] = clients.Run(a.warmup, interrupted);  // Connections, the leader.
        auto [stats, seconds] = clients.Run(a.duration, interrupted);
        fmt::print("{}\n", sql::bench::FormatTpcbSummary(stats, seconds));
        fmt::print("abort causes: {}\n", sql::bench::FormatTpcbAbortCauses(stats));
        if (stats.failed > 0) fmt::print("first failure: {}\n", stats.first_failure);
        std::optional<uint64_t> committed;
        if (warm.unknown == 0 && stats.unknown == 0) committed = warm.committed + stats.committed;
        if (!PrintTpcbInvariant(clients, committed)) status = 1;
        std::fflush(stdout);
    }
    Status stopped = (*cluster)->Stop();
    if (!stopped.ok()) {
        fmt::print(stderr, "orrery bench sql: {}\n", stopped.ToString());
        status = 1;
    }
    if (interrupted) {
        fmt::print(stderr, "orrery bench sql: interrupted\n");
        return 130;
    }
    return status;
}

}  // namespace orrery::tools::benchsql
