// SimNetwork properties: cuts deliver nothing, healing restores delivery, and a fault-free
// network delivers every message exactly once (in any order).
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>

#include "sim/simulator.h"

namespace orrery::sim {
namespace {

// A cluster of recording endpoints. deliveries[(from, to, bytes)] counts arrivals.
struct Cluster {
    explicit Cluster(uint32_t n, LinkConfig link = {}, uint64_t seed = 1) {
        SimOptions o;
        o.seed = seed;
        o.node_count = n;
        o.link = link;
        sim = std::make_unique<Simulator>(o);
        for (uint32_t i = 1; i <= n; ++i) {
            sim->AddNode(NodeId(i), [this](Env& env) {
                envs[env.node.value()] = &env;
                env.network.SetHandler([this, to = env.node](NodeId from, std::string_view b) {
                    ++deliveries[{from.value(), to.value(), std::string(b)}];
                });
                return std::make_unique<Process>();
            });
        }
    }
    void Send(uint32_t from, uint32_t to, std::string bytes) {
        envs.at(from)->network.Send(NodeId(to), std::move(bytes));
    }
    int Count(uint32_t from, uint32_t to, const std::string& bytes) {
        auto it = deliveries.find({from, to, bytes});
        return it == deliveries.end() ? 0 : it->second;
    }

    std::unique_ptr<Simulator> sim;
    std::map<uint32_t, Env*> envs;
    std::map<std::tuple<uint32_t, uint32_t, std::string>, int> deliveries;
};

TEST_CASE("a cut link delivers nothing and healing restores delivery", "[sim]") {
    rc::prop("cuts are exact", [] {
        auto n = *rc::gen::inRange<uint32_t>(2, 6);
        auto cuts = *rc::gen::container<std::vector<std::pair<uint32_t, uint32_t>>>(rc::gen::pair(
            rc::gen::inRange<uint32_t>(1, n + 1), rc::gen::inRange<uint32_t>(1, n + 1)));
        Cluster c(n, LinkConfig{}, *rc::gen::arbitrary<uint64_t>());
        for (auto [a, b] : cuts) c.sim->network().Cut(NodeId(a), NodeId(b));
        auto is_cut = [&](uint32_t a, uint32_t b) {
            return std::find(cuts.begin(), cuts.end(), std::make_pair(a, b)) != cuts.end();
        };
        for (uint32_t a = 1; a <= n; ++a) {
            for (uint32_t b = 1; b <= n; ++b) c.Send(a, b, "before");
        }
        RC_ASSERT(c.sim->RunFor(Duration::Seconds(1)).ok());
        for (uint32_t a = 1; a <= n; ++a) {
            for (uint32_t b = 1; b <= n; ++b)
                RC_ASSERT(c.Count(a, b, "before") == (is_cut(a, b) ? 0 : 1));
        }
        c.sim->network().HealAll();
        for (uint32_t a = 1; a <= n; ++a) {
            for (uint32_t b = 1; b <= n; ++b) c.Send(a, b, "after");
        }
        RC_ASSERT(c.sim->RunFor(Duration::Seconds(1)).ok());
        for (uint32_t a = 1; a <= n; ++a) {
            for (uint32_t b = 1; b <= n; ++b) RC_ASSERT(c.Count(a, b, "after") == 1);
        }
    });
}

TEST_CASE("without drops and duplicates every message is delivered exactly once", "[sim]") {
    rc::prop("exactly once, any order", [] {
        LinkConfig link;
        link.reorder = 0.5;  // Reordering must not lose or repeat anything.
        link.max_latency = Duration::Millis(*rc::gen::inRange(1, 50));
        auto sends = *rc::gen::container<std::vector<std::pair<uint32_t, uint32_t>>>(
            rc::gen::pair(rc::gen::inRange<uint32_t>(1, 5), rc::gen::inRange<uint32_t>(1, 5)));
        Cluster c(4, link, *rc::gen::arbitrary<uint64_t>());
        for (size_t i = 0; i < sends.size(); ++i) {
            c.Send(sends[i].first, sends[i].second, fmt::format("m{}", i));
        }
        RC_ASSERT(c.sim->RunFor(Duration::Seconds(1)).ok());
        for (size_t i = 0; i < sends.size(); ++i) {
            RC_ASSERT(c.Count(sends[i].first, sends[i].second, fmt::format("m{}", i)) == 1);
        }
        RC_ASSERT(c.deliveries.size() == sends.size());
        RC_ASSERT(c.sim->stats().messages_delivered == sends.size());
    });
}

TEST_CASE("a one-way cut blocks one direction only", "[sim]") {
    Cluster c(2);
    c.sim->network().Cut(NodeId(1), NodeId(2));
    c.Send(1, 2, "x");
    c.Send(2, 1, "y");
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(c.Count(1, 2, "x") == 0);
    CHECK(c.Count(2, 1, "y") == 1);
    CHECK(c.sim->network().DescribeCuts() == "n1->n2");
}

TEST_CASE("a bridge node sees both halves, which cannot see each other", "[sim]") {
    Cluster c(5);
    c.sim->network().Bridge(NodeId(3), {NodeId(1), NodeId(2)}, {NodeId(4), NodeId(5)});
    for (uint32_t a = 1; a <= 5; ++a) {
        for (uint32_t b = 1; b <= 5; ++b) c.Send(a, b, "m");
    }
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    auto side = [](uint32_t n) { return n < 3 ? 0 : (n == 3 ? 1 : 2); };
    for (uint32_t a = 1; a <= 5; ++a) {
        for (uint32_t b = 1; b <= 5; ++b) {
            bool crosses = (side(a) == 0 && side(b) == 2) || (side(a) == 2 && side(b) == 0);
            CHECK(c.Count(a, b, "m") == (crosses ? 0 : 1));
        }
    }
}

TEST_CASE("isolating a node cuts it from every other server", "[sim]") {
    Cluster c(3);
    c.sim->network().Isolate(NodeId(2));
    for (uint32_t a = 1; a <= 3; ++a) {
        for (uint32_t b = 1; b <= 3; ++b) c.Send(a, b, "m");
    }
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(c.Count(1, 3, "m") == 1);
    CHECK(c.Count(2, 2, "m") == 1);
    CHECK(c.Count(1, 2, "m") == 0);
    CHECK(c.Count(2, 3, "m") == 0);
}

TEST_CASE("loss, duplication, and links cut while a message is in flight", "[sim]") {
    LinkConfig lossy;
    lossy.drop = 1.0;
    Cluster lost(2, lossy);
    lost.Send(1, 2, "x");
    REQUIRE(lost.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(lost.Count(1, 2, "x") == 0);
    CHECK(lost.sim->stats().messages_dropped == 1);

    LinkConfig twice;
    twice.dup = 1.0;
    Cluster dup(2, twice);
    dup.Send(1, 2, "x");
    REQUIRE(dup.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(dup.Count(1, 2, "x") == 2);

    Cluster flight(2);
    flight.Send(1, 2, "x");
    flight.sim->network().Cut(NodeId(1), NodeId(2));
    REQUIRE(flight.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(flight.Count(1, 2, "x") == 0);
}

TEST_CASE("delivery runs from the event loop, never inline, and skips crashed nodes", "[sim]") {
    Cluster c(2);
    c.Send(1, 2, "x");
    CHECK(c.Count(1, 2, "x") == 0);
    c.sim->Crash(NodeId(2));
    c.Send(1, 2, "y");
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(c.Count(1, 2, "x") == 0);
    CHECK(c.sim->stats().messages_dropped == 2);
}

TEST_CASE("the message describer runs only when the trace is rendered", "[sim]") {
    Cluster c(2);
    int described = 0;
    c.sim->network().SetDescriber([&](std::string_view b) {
        ++described;
        return std::string(b);
    });
    c.Send(1, 2, "x");
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    CHECK(described == 0);
    std::vector<std::string> lines;
    c.sim->tracer().SetCapture(&lines);
    c.Send(1, 2, "y");
    REQUIRE(c.sim->RunFor(Duration::Seconds(1)).ok());
    c.sim->tracer().SetCapture(nullptr);
    CHECK(described == 2);  // send and deliver
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].find(R"("kind":"send","to":2,"len":1)") != std::string::npos);
    CHECK(lines[0].find(R"("msg":"y")") != std::string::npos);
    CHECK(lines[1].find(R"("kind":"deliver","from":1)") != std::string::npos);
}

}  // namespace
}  // namespace orrery::sim
