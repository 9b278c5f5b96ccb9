// The simulator core benchmark. See bench_core.h.
#include "sim/bench_core.h"

#include <algorithm>
#include <chrono>
#include <ctime>

#include "sim/simulator.h"

namespace orrery::sim {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double CpuSecondsSince(std::clock_t start) {
    return static_cast<double>(std::clock() - start) / CLOCKS_PER_SEC;
}

// K timers that re-arm themselves with a random period of 1-10 ms of local time.
class TimerProcess final : public Process {
public:
    TimerProcess(Env& env, uint32_t timers) : env_(env) {
        for (uint32_t i = 0; i < timers; ++i) Arm();
    }

private:
    void Arm() {
        env_.clock.SetTimer(Duration(env_.random.Range(1000, 10000)), [this] { Arm(); });
    }
    Env& env_;
};

// Passes every message it receives on to a random peer.
class PotatoProcess final : public Process {
public:
    PotatoProcess(Env& env, uint32_t nodes, uint32_t starts, uint32_t bytes)
        : env_(env), nodes_(nodes) {
        env_.network.SetHandler([this](NodeId, std::string_view msg) { Pass(std::string(msg)); });
        for (uint32_t i = 0; i < starts; ++i)
            Pass(std::string(bytes, static_cast<char>('a' + i % 26)));
    }

private:
    void Pass(std::string msg) {
        uint32_t peer = 1 + static_cast<uint32_t>(env_.random.Uniform(nodes_ - 1));
        if (peer >= env_.node.value()) ++peer;
        env_.network.Send(NodeId(peer), std::move(msg));
    }
    Env& env_;
    uint32_t nodes_;
};

}  // namespace

BenchCoreResult RunBenchCore(const BenchCoreOptions& o) {
    BenchCoreResult r;
    {
        SimOptions opts;
        opts.seed = o.seed;
        opts.node_count = o.nodes;
        Simulator sim(opts);
        sim.AddNodes(
            [&](Env& env) { return std::make_unique<TimerProcess>(env, o.timers_per_node); });
        auto start = std::chrono::steady_clock::now();
        std::clock_t cpu_start = std::clock();
        while (sim.stats().timers_fired < o.timer_events && sim.Step()) {
        }
        r.timer_seconds = SecondsSince(start);
        r.timer_cpu_seconds = CpuSecondsSince(cpu_start);
        r.timer_events = sim.stats().timers_fired;
        r.timer_events_per_sec = static_cast<double>(r.timer_events) / r.timer_seconds;
        r.timer_hash = sim.trace_hash();
    }
    {
        SimOptions opts;
        opts.seed = o.seed;
        opts.node_count = o.nodes;
        Simulator sim(opts);
        uint32_t per_node = std::max<uint32_t>(1, o.in_flight / o.nodes);
        sim.AddNodes([&](Env& env) {
            return std::make_unique<PotatoProcess>(env, o.nodes, per_node, o.message_bytes);
        });
        auto start = std::chrono::steady_clock::now();
        std::clock_t cpu_start = std::clock();
        while (sim.stats().messages_delivered < o.deliveries && sim.Step()) {
        }
        r.delivery_seconds = SecondsSince(start);
        r.delivery_cpu_seconds = CpuSecondsSince(cpu_start);
        r.deliveries = sim.stats().messages_delivered;
        r.delivery_events = sim.events_processed();
        r.deliveries_per_sec = static_cast<double>(r.deliveries) / r.delivery_seconds;
        r.sim_seconds_per_wall_second =
            static_cast<double>(sim.Now().us()) / 1e6 / r.delivery_seconds;
        r.delivery_hash = sim.trace_hash();
    }
    return r;
}

}  // namespace orrery::sim
