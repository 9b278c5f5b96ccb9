// `orrery bench sql --cluster`: a tpcb-like SQL mix (pgbench's default script) on a real
// five-node localhost cluster, every statement through node::SqlClient to the leader's SQL
// sessions (node/sql_server.h), every committed transaction one Raft entry with fsync.
//
// Schema (loaded untimed, in multi-row INSERTs of kLoadBatch rows, one entry each):
//   branches(bid PK, bbalance), tellers(tid PK, bid, tbalance) with 10 per branch,
//   accounts(aid PK, bid, abalance), history(hid PK, tid, bid, aid, delta).
// One transaction, as pgbench's tpcb-like script:
//   BEGIN; UPDATE accounts SET abalance = abalance + d WHERE aid = a;
//   SELECT abalance FROM accounts WHERE aid = a; UPDATE tellers ...; UPDATE branches ...;
//   INSERT INTO history ...; COMMIT
// Differences from pgbench, on purpose: history has a primary key (client, sequence), so its
// inserts never conflict; and Orrery is optimistic (SSI, first committer wins), so transactions
// that update the same branch concurrently abort instead of waiting for a row lock: the abort
// rate is part of the result, and --branches sets the contention (pgbench's scale factor).
// A client retries nothing: an aborted transaction counts as an abort and the client starts a
// fresh one. Latency is BEGIN to COMMIT's reply, of committed transactions, on the steady clock.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "net/client_env.h"
#include "net/cluster_config.h"
#include "net/local_process.h"
#include "node/sql_client.h"

namespace orrery::tools::benchsql {

inline constexpr int kTellersPerBranch = 10;
inline constexpr int kLoadBatch = 200;

struct ClusterBenchArgs {
    int nodes = 5;
    int clients = 16;
    int branches = 16;
    int accounts = 10000;
    Duration duration = Duration::Seconds(20);
    std::string dir;
    bool keep = false;
};

struct TpcbResult {
    uint64_t committed = 0;
    uint64_t aborted = 0;  // Serialization failures (retryable).
    uint64_t failed = 0;   // Other errors.
    uint64_t unknown = 0;  // Unknown outcome (info).
    std::vector<int64_t> latencies_us;
    double seconds = 0;
};

class TpcbCluster {
public:
    TpcbCluster(const net::ClusterConfig& config, const ClusterBenchArgs& args) : args_(args) {
        std::vector<NodeId> servers;
        for (const auto& [id, addresses] : config.nodes) servers.push_back(id);
        for (int i = 0; i <= args.clients; ++i) {  // Client 0 loads the data.
            auto c = std::make_unique<Client>();
            net::ClientEnvOptions options;
            options.servers = config.ClientAddresses();
            options.name = fmt::format("bench-sql{}", i);
            c->env = std::make_unique<net::ClientEnv>(io_, options);
            node::SqlClientOptions o;
            o.servers = servers;
            o.op_timeout = Duration::Seconds(10);
            c->sql = std::make_unique<node::SqlClient>(c->env->env(), o);
            c->rng.seed(static_cast<uint64_t>(i) * 7919 + 1);
            clients_.push_back(std::move(c));
        }
    }

    // Creates and fills the tables. Errors: the first statement that failed.
    Status Load() {
        std::vector<std::string> script = {
            "CREATE TABLE branches (bid INTEGER PRIMARY KEY, bbalance INTEGER NOT NULL)",
            "CREATE TABLE tellers (tid INTEGER PRIMARY KEY, bid INTEGER NOT NULL, "
            "tbalance INTEGER NOT NULL)",
            "CREATE TABLE accounts (aid INTEGER PRIMARY KEY, bid INTEGER NOT NULL, "
            "abalance INTEGER NOT NULL)",
            "CREATE TABLE history (hid INTEGER PRIMARY KEY, tid INTEGER, bid INTEGER, "
            "aid INTEGER, delta INTEGER)"};
        AddInserts(&script, "branches", args_.branches, [](int i) { return fmt::format("({}, 0)", i); });
        AddInserts(&script, "tellers", args_.branches * kTellersPerBranch, [](int i) {
            return fmt::format("({}, {}, 0)", i, i / kTellersPerBranch);
        });
        int per_branch = std::max(1, args_.accounts / args_.branches);
        AddInserts(&script, "accounts", args_.accounts, [per_branch](int i) {
            return fmt::format("({}, {}, 0)", i, i / per_branch);
        });
        for (const std::string& statement : script) {
            node::SqlOutcome o = Await(*clients_[0], statement, {});
            if (!o.ok()) return Status::IOError(fmt::format("{}: {}", statement.substr(0, 60), o.message()));
        }
        return Status::Ok();
    }

    // Runs the mix on clients 1..n for `duration`.
    TpcbResult Run(Duration duration) {
        TpcbResult result;
        running_ = true;
        boost::asio::steady_timer stop(io_, std::chrono::microseconds(duration.us()));
        stop.async_wait([this](const boost::system::error_code&) { running_ = false; });
        auto start = std::chrono::steady_clock::now();
        for (size_t i = 1; i < clients_.size(); ++i) Transaction(i, &result);
        net::RunUntil(io_, [&] { return !running_ && Idle(); });
        result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        return result;
    }

    // Sums of the three balance columns, which committed transactions keep equal.
    std::string Balances() {
        node::SqlOutcome o = Await(*clients_[0],
                                   "SELECT (SELECT SUM(abalance) FROM accounts), "
                                   "(SELECT SUM(tbalance) FROM tellers), "
                                   "(SELECT SUM(bbalance) FROM branches), "
                                   "(SELECT COUNT(*) FROM history)",
                                   {});
        if (!o.ok() || o.result->rows.size() != 1) return "error: " + o.message();
        std::string out;
        for (const sql::Value& v : o.result->rows[0]) out += (out.empty() ? "" : " ") + v.ToString();
        return out;
    }

private:
    struct Client {
        std::unique_ptr<net::ClientEnv> env;
        std::unique_ptr<node::SqlClient> sql;
        std::mt19937_64 rng;
        uint64_t seq = 0;
    };

    static void AddInserts(std::vector<std::string>* script, const std::string& table, int n,
                           const std::function<std::string(int)>& row) {
        for (int start = 0; start < n; start += kLoadBatch) {
            std::string values;
            for (int i = start; i < std::min(n, start + kLoadBatch); ++i) {
                values += (values.empty() ? "" : ", ") + row(i);
            }
            script->push_back(fmt::format("INSERT INTO {} VALUES {}", table, values));
        }
    }

    node::SqlOutcome Await(Client& c, const std::string& text, std::vector<sql::Value> params) {
        std::optional<node::SqlOutcome> out;
        c.sql->Execute(text, std::move(params), [&](const node::SqlOutcome& o) { out = o; });
        net::RunUntil(io_, [&] { return out.has_value(); });
        return *out;
    }

    bool Idle() const {
        for (size_t i = 1; i < clients_.size(); ++i) {
            if (clients_[i]->sql->busy()) return false;
        }
        return true;
    }

    // The statements of one transaction, in order; COMMIT last.
    std::vector<std::pair<std::string, std::vector<sql::Value>>> Script(size_t i) {
        Client& c = *clients_[i];
        auto I = [](int64_t v) { return sql::Value::Integer(v); };
        int64_t aid = static_cast<int64_t>(c.rng() % static_cast<uint64_t>(args_.accounts));
        int64_t tid = static_cast<int64_t>(
            c.rng() % static_cast<uint64_t>(args_.branches * kTellersPerBranch));
        int64_t bid = tid / kTellersPerBranch;
        int64_t delta = static_cast<int64_t>(c.rng() % 10001) - 5000;
        int64_t hid = static_cast<int64_t>(i) * 1'000'000'000 + static_cast<int64_t>(++c.seq);
        return {{"BEGIN", {}},
                {"UPDATE accounts SET abalance = abalance + ? WHERE aid = ?", {I(delta), I(aid)}},
                {"SELECT abalance FROM accounts WHERE aid = ?", {I(aid)}},
                {"UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?", {I(delta), I(tid)}},
                {"UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?", {I(delta), I(bid)}},
                {"INSERT INTO history VALUES (?, ?, ?, ?, ?)",
                 {I(hid), I(tid), I(bid), I(aid), I(delta)}},
                {"COMMIT", {}}};
    }

    void Transaction(size_t i, TpcbResult* result) {
        if (!running_) return;
        auto script = std::make_shared<std::vector<std::pair<std::string, std::vector<sql::Value>>>>(Script(i));
        Statement(i, script, 0, std::chrono::steady_clock::now(), result);
    }

    void Statement(size_t i, std::shared_ptr<std::vector<std::pair<std::string, std::vector<sql::Value>>>> script,
                   size_t k, std::chrono::steady_clock::time_point begin, TpcbResult* result) {
        auto& [text, params] = (*script)[k];
        clients_[i]->sql->Execute(text, params, [=, this](const node::SqlOutcome& o) {
            if (o.ok() && k + 1 < script->size()) return Statement(i, script, k + 1, begin, result);
            if (o.ok()) {
                ++result->committed;
                result->latencies_us.push_back(std::chrono::duration_cast<std::chrono::microseconds>(
                                                   std::chrono::steady_clock::now() - begin)
                                                   .count());
                return Transaction(i, result);
            }
            if (o.type == node::KvOutcome::Type::kInfo) {
                ++result->unknown;
            } else if (o.error && o.error->kind == sql::ErrorKind::kSerializationFailure) {
                ++result->aborted;
            } else {
                ++result->failed;
            }
            if (clients_[i]->sql->txn_status() == sql::TxnStatus::kIdle) return Transaction(i, result);
            clients_[i]->sql->Execute("ROLLBACK", {}, [=, this](const node::SqlOutcome&) {
                Transaction(i, result);
            });
        });
    }

    ClusterBenchArgs args_;
    boost::asio::io_context io_;
    std::vector<std::unique_ptr<Client>> clients_;
    bool running_ = false;
};

inline double Percentile(std::vector<int64_t> v, double p) {
    if (v.empty()) return 0;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

inline int RunSelf(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {net::SelfExecutable()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto status = net::RunProcess(argv, net::SpawnOptions{}, Duration::Seconds(60));
    return status.ok() ? *status : -1;
}

// Starts a cluster, loads, runs a 2 s warm-up and the measured phase, prints, stops. Returns
// the exit status (0 ok, 1 the cluster or the load failed).
inline int RunClusterBench(const ClusterBenchArgs& a) {
    std::string dir = a.dir;
    if (dir.empty()) {
        std::string templ = (std::filesystem::temp_directory_path() / "orrery-bench-sql-XXXXXX").string();
        if (::mkdtemp(templ.data()) == nullptr) return 1;
        dir = templ;
    }
    auto config = net::FreeLocalhostConfig(a.nodes);
    if (!config.ok()) return 1;
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/config.json") << config->ToJson();
    fmt::print("cluster: {} nodes in {} (fsync on), {} clients, {} branches, {} accounts, {}s\n",
               a.nodes, dir, a.clients, a.branches, a.accounts, a.duration.us() / 1000000);
    std::fflush(stdout);
    int status = 0;
    if (RunSelf({"cluster", "start", "--dir", dir}) != 0) {
        fmt::print(stderr, "orrery bench sql: the cluster did not start\n");
        status = 1;
    } else {
        TpcbCluster bench(*config, a);
        Status loaded = bench.Load();
        if (!loaded.ok()) {
            fmt::print(stderr, "orrery bench sql: loading failed: {}\n", loaded.ToString());
            status = 1;
        } else {
            bench.Run(Duration::Seconds(2));  // Warm-up: connections, caches, the leader.
            TpcbResult r = bench.Run(a.duration);
            uint64_t tried = r.committed + r.aborted + r.failed + r.unknown;
            fmt::print("tpcb-like: {:.0f} TPS  committed={} aborted={} ({:.1f}%) failed={} "
                       "unknown={}  latency p50={:.2f}ms p99={:.2f}ms\n",
                       static_cast<double>(r.committed) / r.seconds, r.committed, r.aborted,
                       tried == 0 ? 0.0 : 100.0 * static_cast<double>(r.aborted) / static_cast<double>(tried),
                       r.failed, r.unknown, Percentile(r.latencies_us, 0.50),
                       Percentile(r.latencies_us, 0.99));
            fmt::print("balances (accounts tellers branches, history rows): {}\n", bench.Balances());
        }
    }
    RunSelf({"cluster", "stop", "--dir", dir});
    if (!a.keep && a.dir.empty()) std::filesystem::remove_all(dir);
    return status;
}

}  // namespace orrery::tools::benchsql
