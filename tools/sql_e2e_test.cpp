// End-to-end tests of SQL on a real five-node cluster, through the binary only:
// `orrery cluster start`, then `orrery sql --connect HOST:PORT --format json` (one JSON line per
// statement, the format's contract), then `orrery cluster stop` (the harness's destructor, on
// every path). Two scenarios:
//   1. DDL and DML as toyDB's README shows them (CREATE TABLE movie, INSERT, SELECT, UPDATE,
//      DELETE, a transaction, an error that leaves the session usable);
//   2. a kill -9 of the leader in the middle of a stream of INSERTs: afterwards every
//      acknowledged row is there, no row appears twice, and every node reports the same state
//      hash.
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <set>
#include <thread>

#include "net/cluster_harness_for_test.h"

namespace orrery {
namespace {

using net::testing::ClusterHarness;
using net::testing::Lines;
using net::testing::ReadFile;

std::string FirstClientAddress(const ClusterHarness& cluster) {
    auto config = net::ClusterConfig::Load(cluster.dir() + "/config.json");
    REQUIRE(config.ok());
    return config->ClientAddresses().begin()->second;
}

// Runs `orrery sql --connect ADDR --format json -f FILE` on the statements, in the background.
pid_t StartSql(ClusterHarness& cluster, const std::string& name,
               const std::vector<std::string>& statements) {
    std::ofstream in(cluster.dir() + "/" + name + ".sql");
    for (const auto& s : statements) in << s << ";\n";
    in.close();
    net::SpawnOptions options;
    options.stdout_path = cluster.dir() + "/" + name + ".out";
    auto pid = net::SpawnProcess({ORRERY_BINARY, "sql", "--connect", FirstClientAddress(cluster),
                                  "--format", "json", "-f", cluster.dir() + "/" + name + ".sql"},
                                 options);
    REQUIRE(pid.ok());
    return *pid;
}

// Waits for a StartSql run; returns its exit status and its JSON lines.
std::pair<int, std::vector<nlohmann::json>> FinishSql(ClusterHarness& cluster,
                                                      const std::string& name, pid_t pid,
                                                      Duration timeout) {
    auto status = net::WaitProcess(pid, timeout);
    if (!status.ok()) ::kill(pid, SIGKILL);
    std::string text = ReadFile(cluster.dir() + "/" + name + ".out");
    INFO(text);
    REQUIRE(status.ok());
    std::vector<nlohmann::json> out;
    for (const std::string& line : Lines(text)) {
        if (!line.starts_with("{")) continue;  // stderr shares the file (SpawnOptions).
        auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        INFO(line);
        REQUIRE_FALSE(j.is_discarded());
        out.push_back(std::move(j));
    }
    return {*status, out};
}

std::pair<int, std::vector<nlohmann::json>> Sql(ClusterHarness& cluster, const std::string& name,
                                                const std::vector<std::string>& statements) {
    return FinishSql(cluster, name, StartSql(cluster, name, statements), Duration::Seconds(60));
}

}  // namespace

TEST_CASE("e2e sql: DDL and DML through orrery sql --connect on five nodes", "[tools][e2e]") {
    ClusterHarness cluster;
    REQUIRE(cluster.WaitForLeader(Duration::Seconds(10)) != 0);
    auto [status, out] = Sql(
        cluster, "movies",
        {"CREATE TABLE movie (id INTEGER PRIMARY KEY, title STRING NOT NULL, released INTEGER, "
         "rating FLOAT)",
         "INSERT INTO movie VALUES (1, 'Sicario', 2015, 7.6), (2, 'Stalker', 1979, 8.2), "
         "(3, 'Her', 2013, 8.0)",
         "SELECT id, title, rating FROM movie WHERE released > 2000 ORDER BY id",
         "UPDATE movie SET rating = 8.1 WHERE id = 3",
         "BEGIN",
         "DELETE FROM movie WHERE id = 2",
         "COMMIT",
         "INSERT INTO movie VALUES (1, 'Duplicate', 2000, 1.0)",
         "SELECT COUNT(*), MAX(rating) FROM movie",
         "SELECT now()"});
    REQUIRE(out.size() == 10);
    CHECK(out[0] == nlohmann::json::parse(R"({"ok": "CREATE TABLE"})"));
    CHECK(out[1] == nlohmann::json::parse(R"({"ok": "INSERT 3"})"));
    CHECK(out[2] == nlohmann::json::parse(
                        R"({"columns": ["id", "title", "rating"],
                            "rows": [[1, "Sicario", 7.6], [3, "Her", 8.0]]})"));
    CHECK(out[3] == nlohmann::json::parse(R"({"ok": "UPDATE 1"})"));
    CHECK(out[4] == nlohmann::json::parse(R"({"ok": "BEGIN"})"));
    CHECK(out[5] == nlohmann::json::parse(R"({"ok": "DELETE 1"})"));
    CHECK(out[6] == nlohmann::json::parse(R"({"ok": "COMMIT"})"));
    CHECK(out[7].contains("error"));  // A primary-key violation; the batch goes on.
    CHECK(out[8] == nlohmann::json::parse(R"({"columns": ["count", "max"], "rows": [[2, 8.1]]})"));
    // now() is the leader's calendar time (net/wall_clock.h), not its monotonic clock: within a
    // minute of this machine's.
    REQUIRE(out[9]["rows"].size() == 1);
    std::string now = out[9]["rows"][0][0].get<std::string>();  // "YYYY-MM-DD HH:MM:SS[.ffffff]"
    std::tm tm{};
    REQUIRE(strptime(now.c_str(), "%Y-%m-%d %H:%M:%S", &tm) != nullptr);
    int64_t skew = static_cast<int64_t>(timegm(&tm)) -
                   std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    INFO(now);
    CHECK(std::abs(skew) < 60);
    CHECK(status == 1);  // One statement failed.
    // Every replica holds the same bytes.
    auto statuses = cluster.WaitForConvergence(Duration::Seconds(20));
    CHECK(ClusterHarness::Converged(statuses));
}

TEST_CASE("e2e sql: a leader killed with SIGKILL mid-INSERT loses no acknowledged row",
          "[tools][e2e]") {
    constexpr int kRows = 300;
    ClusterHarness cluster;
    int leader = cluster.WaitForLeader(Duration::Seconds(10));
    REQUIRE(leader != 0);
    auto [created, setup] = Sql(cluster, "setup", {"CREATE TABLE t (id INTEGER PRIMARY KEY, v STRING)"});
    REQUIRE(created == 0);
    std::vector<std::string> inserts;
    for (int i = 0; i < kRows; ++i) {
        inserts.push_back(fmt::format("INSERT INTO t VALUES ({}, 'row {}')", i, i));
    }
    pid_t writer = StartSql(cluster, "inserts", inserts);
    // Kill the leader once a third of the rows are acknowledged.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (Lines(ReadFile(cluster.dir() + "/inserts.out")).size() < size_t{kRows} / 3 &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    REQUIRE(cluster.Orrery({"cluster", "kill", std::to_string(leader)}) == 0);
    auto [status, out] = FinishSql(cluster, "inserts", writer, Duration::Seconds(120));
    REQUIRE(out.size() == static_cast<size_t>(kRows));
    std::set<int64_t> acked;
    for (int i = 0; i < kRows; ++i) {
        INFO(fmt::format("INSERT {} -> {}", i, out[i].dump()));
        // "COMMITTED": the client retried the INSERT at the new leader after the old one had
        // committed it; the node answers from its session table instead of inserting twice
        // (node/sql_server.cpp, AnswerFromKvSessions), so the row is acknowledged all the same.
        CHECK((out[i] == nlohmann::json::parse(R"({"ok": "INSERT 1"})") ||
               out[i] == nlohmann::json::parse(R"({"ok": "COMMITTED"})") ||
               out[i].contains("error")));
        if (!out[i].contains("error")) acked.insert(i);
    }
    CHECK(acked.size() > kRows * 9 / 10);  // A leader crash costs a few rows' certainty.

    REQUIRE(cluster.Orrery({"cluster", "restart", std::to_string(leader)}) == 0);
    auto [read_status, rows] = Sql(cluster, "read", {"SELECT id FROM t ORDER BY id"});
    REQUIRE(read_status == 0);
    REQUIRE(rows.size() == 1);
    std::set<int64_t> present;
    for (const auto& row : rows[0]["rows"]) {
        CHECK(present.insert(row[0].get<int64_t>()).second);  // No row twice.
    }
    for (int64_t id : acked) {
        INFO(fmt::format("acknowledged row {}", id));
        CHECK(present.count(id) == 1);
    }
    auto statuses = cluster.WaitForConvergence(Duration::Seconds(30));
    CHECK(ClusterHarness::Converged(statuses));
    WARN(fmt::format("killed leader n{}: {} rows acknowledged, {} present", leader, acked.size(),
                     present.size()));
}

}  // namespace orrery
