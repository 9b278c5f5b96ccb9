// The leaderless mode in the simulator: five LeaderlessServers and a KvClient, no faults
// unless a test makes them. Ring placement, consistency levels, hinted handoff (durable, and
// lost under handoff.volatile), read repair, anti-entropy and lightweight transactions.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <map>
#include <memory>

#include "node/kv_client.h"
#include "node/leaderless_server.h"
#include "sim/simulator.h"

namespace orrery::node {
namespace {

class ServerProcess final : public sim::Process {
public:
    ServerProcess(Env& env, const LeaderlessOptions& o) {
        server = LeaderlessServer::Open(env, o).value();
    }
    std::unique_ptr<LeaderlessServer> server;
};

class ClientProcess final : public sim::Process {
public:
    ClientProcess(Env& env, std::vector<NodeId> servers) {
        KvClientOptions o;
        o.servers = std::move(servers);
        o.attempt_timeout = Duration::Seconds(2);
        o.op_timeout = Duration::Seconds(2);
        client = std::make_unique<KvClient>(env, o);
    }
    std::unique_ptr<KvClient> client;
};

struct Cluster {
    explicit Cluster(bool volatile_hints = false,
                     Duration tombstone_grace = LeaderlessOptions{}.tombstone_grace,
                     std::function<int64_t()> cell_clock_us = nullptr) {
        sim::SimOptions so;
        so.seed = 7;
        so.node_count = 5;
        sim = std::make_unique<sim::Simulator>(so);
        sim->network().SetDescriber(DescribeLeaderlessDatagram);
        options.peers = {NodeId(1), NodeId(2), NodeId(3), NodeId(4), NodeId(5)};
        options.engine = MakeEngineFactory(HaveLsmEngine() ? "lsm" : "memory").value();
        options.bug_volatile_hints = volatile_hints;
        options.tombstone_grace = tombstone_grace;
        options.cell_clock_us = std::move(cell_clock_us);
        sim->AddNodes([this](Env& env) { return std::make_unique<ServerProcess>(env, options); });
        sim->AddClient(NodeId(1000), [this](Env& env) {
            return std::make_unique<ClientProcess>(env, options.peers);
        });
        REQUIRE(sim->RunFor(Duration::Seconds(2)).ok());  // Gossip forms the cluster.
    }
    LeaderlessServer& server(NodeId id) {
        return *static_cast<ServerProcess*>(sim->process(id))->server;
    }
    KvClient& client() { return *static_cast<ClientProcess*>(sim->process(NodeId(1000)))->client; }
    // Runs one request to completion.
    KvOutcome Run(ClientRequest r) {
        std::optional<KvOutcome> out;
        client().Submit(std::move(r), [&](const KvOutcome& o) { out = o; });
        for (int i = 0; i < 400 && !out; ++i) REQUIRE(sim->RunFor(Duration::Millis(10)).ok());
        REQUIRE(out.has_value());
        return *out;
    }
    KvOutcome Put(const std::string& k, const std::string& v, Consistency c) {
        ClientRequest r;
        r.op = RequestOp::kPut;
        r.key = k;
        r.value = v;
        r.limit = static_cast<uint32_t>(c);
        return Run(r);
    }
    KvOutcome Get(const std::string& k, Consistency c) {
        ClientRequest r;
        r.op = RequestOp::kGet;
        r.key = k;
        r.limit = static_cast<uint32_t>(c);
        return Run(r);
    }
    KvOutcome Delete(const std::string& k, Consistency c) {
        ClientRequest r;
        r.op = RequestOp::kDelete;
        r.key = k;
        r.limit = static_cast<uint32_t>(c);
        return Run(r);
    }
    // How many of the key's live replicas hold a tombstone for it, and how many hold no cell.
    std::pair<int, int> Tombstones(const std::string& k) {
        int tombstones = 0, absent = 0;
        for (NodeId r : server(NodeId(1)).ring().Replicas(k, 3)) {
            if (!sim->IsUp(r)) continue;
            auto cell = server(r).LocalCell(k).value();
            if (!cell) ++absent;
            else if (cell->tombstone) ++tombstones;
        }
        return {tombstones, absent};
    }
    KvOutcome Cas(const std::string& k, const std::string& old, const std::string& v, Consistency c) {
        ClientRequest r;
        r.op = RequestOp::kCas;
        r.key = k;
        r.expected = old;
        r.value = v;
        r.limit = static_cast<uint32_t>(c);
        return Run(r);
    }
    // How many of the key's replicas hold `value`.
    int Holding(const std::string& k, const std::string& value) {
        int n = 0;
        for (NodeId r : server(NodeId(1)).ring().Replicas(k, 3)) {
            if (!sim->IsUp(r)) continue;
            auto c = server(r).LocalCell(k).value();
            if (c && c->value == value) ++n;
        }
        return n;
    }
    LeaderlessOptions options;
    std::unique_ptr<sim::Simulator> sim;
};

TEST_CASE("leaderless: every node agrees on the ring and gossip sees all five", "[leaderless]") {
    Cluster c;
    for (uint32_t i = 1; i <= 5; ++i) {
        CHECK(c.server(NodeId(i)).gossip().AliveMembers().size() == 5);
        CHECK(c.server(NodeId(i)).ring().Replicas("k0", 3) == c.server(NodeId(1)).ring().Replicas("k0", 3));
    }
    CHECK(c.server(NodeId(1)).DescribeStatus().find("ring: 5 members, 80 tokens, rf=3") !=
          std::string::npos);
}

TEST_CASE("leaderless: QUORUM writes and reads, ALL waits for all, errors are clear",
          "[leaderless]") {
    Cluster c;
    CHECK(c.Put("k0", "1", Consistency::kQuorum).type == KvOutcome::Type::kOk);
    KvOutcome g = c.Get("k0", Consistency::kQuorum);
    CHECK(g.type == KvOutcome::Type::kOk);
    CHECK(g.value == "1");
    CHECK(c.Get("nope", Consistency::kOne).code == ReplyCode::kNotFound);
    c.sim->RunFor(Duration::Millis(100)).IgnoreError();
    CHECK(c.Holding("k0", "1") == 3);
    ClientRequest bad;
    bad.op = RequestOp::kGet;
    bad.key = "k0";
    bad.limit = 9;
    KvOutcome b = c.Run(bad);
    CHECK(b.error.find("unknown consistency level 9") != std::string::npos);
    ClientRequest scan;
    scan.op = RequestOp::kScan;
    scan.key = "a";
    CHECK(c.Run(scan).error.find("not supported in the leaderless mode") != std::string::npos);
}

TEST_CASE("leaderless: a dead replica gets a durable hint, replayed when it is back",
          "[leaderless]") {
    for (bool volatile_hints : {false, true}) {
        Cluster c(volatile_hints);
        std::vector<NodeId> replicas = c.server(NodeId(1)).ring().Replicas("k1", 3);
        NodeId down = replicas[2];
        c.sim->Crash(down);
        REQUIRE(c.sim->RunFor(Duration::Seconds(3)).ok());  // Gossip declares it dead.
        CHECK(c.Put("k1", "7", Consistency::kQuorum).type == KvOutcome::Type::kOk);
        // Some coordinator holds a hint for it. Crash every coordinator with hints, restart.
        std::vector<NodeId> holders;
        for (uint32_t i = 1; i <= 5; ++i) {
            NodeId id(i);
            if (c.sim->IsUp(id) && c.server(id).hints().size() > 0) holders.push_back(id);
        }
        REQUIRE(holders.size() == 1);
        c.sim->Crash(holders[0]);
        c.sim->Restart(holders[0]);
        CHECK(c.server(holders[0]).hints().size() == (volatile_hints ? 0u : 1u));
        c.sim->Restart(down);
        REQUIRE(c.sim->RunFor(Duration::Seconds(3)).ok());
        auto cell = c.server(down).LocalCell("k1").value();
        CHECK(cell.has_value() == !volatile_hints);  // The volatile hint died with its holder.
        CHECK(c.server(holders[0]).hints().size() == 0);
    }
}

TEST_CASE("leaderless: a real node stamps cells with the clock it is given, not its Clock",
          "[leaderless]") {
    // A real node's Clock is CLOCK_MONOTONIC, which restarts at a reboot; it passes the
    // calendar clock instead (tools/cmd_node.cpp). Here a fake calendar far ahead of the
    // simulator's clock: every replica's cell carries its time, made unique per coordinator.
    constexpr int64_t kCalendar = 1'765'000'000'000'000;  // µs: late 2025.
    Cluster c(false, LeaderlessOptions{}.tombstone_grace, [] { return kCalendar; });
    REQUIRE(c.Put("k", "1", Consistency::kAll).code == ReplyCode::kOk);
    REQUIRE(c.Put("k", "2", Consistency::kAll).code == ReplyCode::kOk);
    for (NodeId id : c.server(NodeId(1)).ring().Replicas("k", 3)) {
        std::optional<Cell> cell = c.server(id).LocalCell("k").value();
        REQUIRE(cell.has_value());
        CHECK(cell->value == "2");
        CHECK(cell->timestamp_us >= kCalendar + 1);  // The second write of one coordinator.
        CHECK(cell->timestamp_us < kCalendar + 10);
    }
}

TEST_CASE("leaderless: read repair and anti-entropy heal a replica that missed a write",
          "[leaderless]") {
    Cluster c(true);  // Volatile hints: the missed write has no hint to save it.
    // A key that n1, the client's coordinator, does not replicate.
    std::string key;
    std::vector<NodeId> replicas;
    for (int i = 0; replicas.empty() || std::count(replicas.begin(), replicas.end(), NodeId(1)); ++i) {
        key = fmt::format("k{}", i);
        replicas = c.server(NodeId(1)).ring().Replicas(key, 3);
    }
    c.sim->network().Isolate(replicas[0]);
    REQUIRE(c.sim->RunFor(Duration::Millis(50)).ok());
    c.client().Put(key, "5", [](const KvOutcome&) {});  // Coordinated by n1.
    REQUIRE(c.sim->RunFor(Duration::Millis(700)).ok());  // The hint is stored at the timeout.
    // Drop every hint (volatile: a restart loses them): only repair can fix the replica now.
    for (NodeId id : c.options.peers) {
        if (c.server(id).hints().size() > 0) {
            c.sim->Crash(id);
            c.sim->Restart(id);
        }
    }
    c.sim->network().HealAll();
    REQUIRE(c.sim->RunFor(Duration::Seconds(2)).ok());
    CHECK(c.Holding(key, "5") == 2);
    std::optional<RepairSummary> done;
    c.server(replicas[1]).Repair([&](const RepairSummary& s) { done = s; });
    REQUIRE(c.sim->RunFor(Duration::Seconds(5)).ok());
    REQUIRE(done.has_value());
    CHECK(done->done);
    CHECK(done->cells_streamed >= 1);
    CHECK(c.Holding(key, "5") == 3);
    // Read repair: an ALL read after a missed write fixes it as well.
    c.sim->network().Isolate(replicas[2]);
    c.client().Put(key, "6", [](const KvOutcome&) {});
    REQUIRE(c.sim->RunFor(Duration::Millis(700)).ok());
    for (NodeId id : c.options.peers) {
        if (c.server(id).hints().size() > 0) {
            c.sim->Crash(id);
            c.sim->Restart(id);
        }
    }
    c.sim->network().HealAll();
    REQUIRE(c.sim->RunFor(Duration::Seconds(2)).ok());
    CHECK(c.Holding(key, "6") == 2);
    CHECK(c.Get(key, Consistency::kAll).value == "6");
    REQUIRE(c.sim->RunFor(Duration::Millis(100)).ok());
    CHECK(c.Holding(key, "6") == 3);
}

TEST_CASE("leaderless: SERIAL cas is a lightweight transaction", "[leaderless]") {
    Cluster c;
    CHECK(c.Cas("r", "0", "1", Consistency::kSerial).code == ReplyCode::kCasFailed);
    CHECK(c.Put("r", "0", Consistency::kSerial).type == KvOutcome::Type::kOk);
    CHECK(c.Cas("r", "0", "1", Consistency::kSerial).type == KvOutcome::Type::kOk);
    KvOutcome failed = c.Cas("r", "0", "2", Consistency::kSerial);
    CHECK(failed.code == ReplyCode::kCasFailed);
    CHECK(failed.value == "1");
    CHECK(c.Get("r", Consistency::kSerial).value == "1");
}

TEST_CASE("leaderless: a delete's tombstones outlive the grace period only, and a replica that "
          "missed the delete past it resurrects the value unless repaired in time",
          "[leaderless]") {
    // The purge runs every 500 ticks (5 s); with a 10 s grace a tombstone goes 10-15 s after
    // the delete, on each replica's own clock.
    SECTION("every replica saw the delete: tombstones, then nothing") {
        Cluster c;
        REQUIRE(c.Put("k1", "7", Consistency::kAll).type == KvOutcome::Type::kOk);
        REQUIRE(c.Delete("k1", Consistency::kAll).type == KvOutcome::Type::kOk);
        CHECK(c.Tombstones("k1") == std::pair<int, int>{3, 0});
        auto read = c.Get("k1", Consistency::kAll);
        CHECK(read.type == KvOutcome::Type::kOk);
        CHECK(read.code == ReplyCode::kNotFound);
        REQUIRE(c.sim->RunFor(Duration::Seconds(8)).ok());  // Inside the grace period.
        CHECK(c.Tombstones("k1") == std::pair<int, int>{3, 0});
        REQUIRE(c.sim->RunFor(Duration::Seconds(10)).ok());  // 18 s: grace and a purge passed.
        CHECK(c.Tombstones("k1") == std::pair<int, int>{0, 3});
        CHECK(c.Get("k1", Consistency::kAll).code == ReplyCode::kNotFound);
    }
    // A replica cut off during the delete (volatile hints: no hint will tell it) keeps the value.
    auto miss_delete = [](Cluster& c, const std::string& key) {
        REQUIRE(c.Put(key, "7", Consistency::kAll).type == KvOutcome::Type::kOk);
        NodeId missed = c.server(NodeId(1)).ring().Replicas(key, 3)[2];
        c.sim->network().Isolate(missed);
        REQUIRE(c.sim->RunFor(Duration::Millis(50)).ok());
        REQUIRE(c.Delete(key, Consistency::kQuorum).type == KvOutcome::Type::kOk);
        REQUIRE(c.sim->RunFor(Duration::Millis(700)).ok());  // The hint is stored at the timeout.
        for (NodeId id : c.options.peers) {  // Drop every hint (volatile: a restart loses it).
            if (c.server(id).hints().size() > 0) {
                c.sim->Crash(id);
                c.sim->Restart(id);
            }
        }
        return missed;
    };
    SECTION("not repaired within the grace period: the deleted value comes back") {
        Cluster c(/*volatile_hints=*/true);
        NodeId missed = miss_delete(c, "k1");
        REQUIRE(c.sim->RunFor(Duration::Seconds(18)).ok());  // The others purge.
        CHECK(c.server(missed).LocalCell("k1").value()->value == "7");
        c.sim->network().HealAll();
        REQUIRE(c.sim->RunFor(Duration::Seconds(2)).ok());
        // Resurrection: the only cell left is the old value, and an ALL read returns it.
        auto read = c.Get("k1", Consistency::kAll);
        CHECK(read.code == ReplyCode::kOk);
        CHECK(read.value == "7");
    }
    SECTION("repaired within the grace period: the delete holds after the purge") {
        Cluster c(/*volatile_hints=*/true);
        NodeId missed = miss_delete(c, "k1");
        c.sim->network().HealAll();
        REQUIRE(c.sim->RunFor(Duration::Seconds(2)).ok());
        std::optional<RepairSummary> done;
        c.server(missed).Repair([&](const RepairSummary& s) { done = s; });
        REQUIRE(c.sim->RunFor(Duration::Seconds(3)).ok());
        REQUIRE(done.has_value());
        CHECK(done->done);
        CHECK(done->cells_received >= 1);  // The missed tombstone came from another replica.
        CHECK(done->cells_streamed == 0);  // It held nothing newer than theirs.
        CHECK(c.server(missed).LocalCell("k1").value()->tombstone);
        REQUIRE(c.sim->RunFor(Duration::Seconds(15)).ok());
        CHECK(c.Tombstones("k1") == std::pair<int, int>{0, 3});
        CHECK(c.Get("k1", Consistency::kAll).code == ReplyCode::kNotFound);
    }
}

}  // namespace
}  // namespace orrery::node
