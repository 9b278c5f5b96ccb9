// The nemesis of `orrery jepsen --real` (tools/cmd_jepsen.cpp, workloads in
// tools/jepsen_real.h): a thread that injects faults into a real localhost cluster only by
// running `orrery cluster kill|restart|partition|heal|pause|resume` subprocesses.
//
// Nemesis events go into the history as Jepsen writes them: process "nemesis", type info, one
// event when a fault is in effect (its `orrery cluster` command returned) and one when it is
// undone, f naming the command (kill, restart, partition, heal, pause, resume) and value its
// target ("n3", or the groups "1,2|3,4,5" for partition and heal). They carry the same clock as
// the clients' events and are merged in by time (WithNemesis) once both threads are done.
//
// Invariants: the nemesis thread shares nothing with the client thread except its action log
// and events (under a mutex); it acts only by running `orrery cluster ...` subprocesses.
//
// A header because tools/ compiles only its cmd_*.cpp files into the binary; only
// tools/jepsen_real.h includes it.
#pragma once

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/random.h"
#include "jepsen/history.h"
#include "net/local_process.h"

namespace orrery::tools::jepsen_real {

inline constexpr Duration kSubprocessTimeout = Duration::Seconds(60);
inline constexpr auto kNemesisPoll = std::chrono::milliseconds(50);

using SteadyClock = std::chrono::steady_clock;

// Runs `orrery ARGS...` (this binary), its output appended to `log`. Returns its exit status.
inline int RunSelf(const std::vector<std::string>& args, const std::string& log) {
    std::vector<std::string> argv = {net::SelfExecutable()};
    argv.insert(argv.end(), args.begin(), args.end());
    net::SpawnOptions options;
    options.stdout_path = log;
    auto status = net::RunProcess(argv, options, kSubprocessTimeout);
    return status.ok() ? *status : -1;
}

// Which faults the nemesis may take, one per interval. They come in rounds: each round takes
// every enabled kind once, in random order, so a run of k kinds sees each within its first k
// faults.
struct NemesisKinds {
    bool kill = false;       // kill -9, then restart one interval later.
    bool partition = false;  // Two random halves, healed one interval later.
    bool pause = false;      // SIGSTOP, then SIGCONT one interval later.
    bool any() const { return kill || partition || pause; }
};

// One nemesis event of the history: a fault in effect, or undone. µs since the run began.
struct NemesisEvent {
    int64_t time_us = 0;
    std::string f;      // kill, restart, partition, heal, pause, resume.
    std::string value;  // "n3", or "1,2|3,4,5".
    std::string error;  // The command's failure, if it failed.
};

// The clients' history with the nemesis events merged in by time (a client event first on a
// tie), indices renumbered.
inline jepsen::History WithNemesis(const jepsen::History& clients,
                                   const std::vector<NemesisEvent>& events) {
    jepsen::History merged;
    auto next = events.begin();
    auto append_event = [&] {
        jepsen::Op op;
        op.time_us = next->time_us;
        op.process = jepsen::kNemesisProcess;
        op.type = jepsen::OpType::kInfo;
        op.f = next->f;
        op.value = next->value;
        op.error = next->error;
        merged.Append(std::move(op));
        ++next;
    };
    for (const jepsen::Op& op : clients.ops()) {
        while (next != events.end() && next->time_us < op.time_us) append_event();
        merged.Append(op);
    }
    while (next != events.end()) append_event();
    return merged;
}

// The nemesis: a thread that only spawns `orrery cluster ...` commands. `node_args` are passed
// to every `orrery cluster restart|start` it runs (e.g. --engine), so a restarted node runs as
// its first incarnation did.
class Nemesis {
public:
    Nemesis(std::string dir, std::vector<uint32_t> nodes, NemesisKinds kinds, Duration interval,
            uint64_t seed, std::vector<std::string> node_args)
        : dir_(std::move(dir)), nodes_(std::move(nodes)), kinds_(kinds), interval_(interval),
          rng_(seed), node_args_(std::move(node_args)) {}

    // Stops the thread (after its current step, which undoes its fault) if it still runs.
    ~Nemesis() { Stop(); }

    // Starts the thread; event times count from `start`, the clients' time origin.
    void Start(SteadyClock::time_point start) {
        start_ = start;
        if (kinds_.any()) thread_ = std::thread([this] { Loop(); });
    }

    // Stops after the current step, then heals and restarts every node that is down.
    void StopAndHeal() {
        Stop();
        Cluster({"heal"});
        Cluster(WithNodeArgs({"start"}));
    }

    std::vector<std::string> actions() {
        std::lock_guard<std::mutex> lock(mu_);
        return actions_;
    }
    std::vector<NemesisEvent> events() {
        std::lock_guard<std::mutex> lock(mu_);
        return events_;
    }
    int kills() const { return kills_; }
    int partitions() const { return partitions_; }
    int pauses() const { return pauses_; }

private:
    void Stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }

    std::vector<std::string> WithNodeArgs(std::vector<std::string> args) const {
        args.insert(args.end(), node_args_.begin(), node_args_.end());
        return args;
    }

    int Cluster(std::vector<std::string> args) {
        args.insert(args.begin(), "cluster");
        args.insert(args.end(), {"--dir", dir_});
        return RunSelf(args, dir_ + "/nemesis.log");
    }

    // Records that `orrery cluster <f>` on `value` returned `rc`: a line for the console
    // (`what`, plus a note) and an event for the history.
    void Log(const std::string& f, const std::string& value, int rc, const std::string& what,
             const std::string& note = "") {
        auto now = SteadyClock::now();
        double t = std::chrono::duration<double>(now - start_).count();
        NemesisEvent e;
        e.time_us = std::chrono::duration_cast<std::chrono::microseconds>(now - start_).count();
        e.f = f;
        e.value = value;
        if (rc != 0) e.error = fmt::format("orrery cluster {} exited {}", f, rc);
        std::lock_guard<std::mutex> lock(mu_);
        actions_.push_back(
            fmt::format("{:7.2f}s {}{}{}", t, what, note, rc == 0 ? "" : " (failed)"));
        events_.push_back(std::move(e));
    }

    // The node that `orrery cluster status` shows as leader, if any.
    std::optional<uint32_t> Leader() {
        std::string out = dir_ + "/status.out";
        std::remove(out.c_str());
        RunSelf({"cluster", "status", "--dir", dir_}, out);  // Exit 1 if a node is down.
        std::ifstream in(out);
        for (std::string line; std::getline(in, line);) {
            std::istringstream fields(line);
            std::string name, pid, role;
            fields >> name >> pid >> role;
            if (role == "leader" && name.size() > 1 && name[0] == 'n') {
                return static_cast<uint32_t>(std::strtoul(name.c_str() + 1, nullptr, 10));
            }
        }
        return std::nullopt;
    }

    // Sleeps one interval; false if told to stop meanwhile.
    bool Wait() {
        auto until = SteadyClock::now() + std::chrono::microseconds(interval_.us());
        while (SteadyClock::now() < until) {
            if (stop_) return false;
            std::this_thread::sleep_for(kNemesisPoll);
        }
        return !stop_;
    }

    // The next kind: the rest of the current round, or a fresh round of every enabled kind in
    // random order.
    char Choose() {
        if (round_.empty()) {
            if (kinds_.kill) round_.push_back('k');
            if (kinds_.partition) round_.push_back('p');
            if (kinds_.pause) round_.push_back('z');
            for (size_t i = round_.size(); i > 1; --i) {
                std::swap(round_[i - 1], round_[rng_.Uniform(i)]);
            }
        }
        char kind = round_.back();
        round_.pop_back();
        return kind;
    }

    // Runs `orrery cluster <fault> N` on a node (half the time the leader, found by `orrery
    // cluster status`, whose loss is what leaves writes in doubt), waits one interval, then
    // `orrery cluster <undo> N`. The undo runs even when stopping. Both random draws happen
    // whatever the status shows, so --seed fixes the sequence of choices.
    void FaultOneNode(const std::string& fault, const std::string& undo, const char* what) {
        bool aim_at_leader = rng_.Chance(0.5);
        uint32_t any = nodes_[rng_.Uniform(nodes_.size())];
        std::optional<uint32_t> leader;
        if (aim_at_leader) leader = Leader();
        std::string n = "n" + std::to_string(leader ? *leader : any);
        std::string id = n.substr(1);
        int rc = Cluster({fault, id});
        Log(fault, n, rc, fmt::format("{} {}", what, n), leader ? " (the leader)" : "");
        Wait();
        rc = Cluster(undo == "restart" ? WithNodeArgs({undo, id}) : std::vector{undo, id});
        Log(undo, n, rc, fmt::format("{} {}", undo, n));
    }

    // Splits the nodes into two random halves, waits one interval, heals.
    void Partition() {
        std::vector<uint32_t> order = nodes_;
        for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[rng_.Uniform(i)]);
        std::string a, b;
        for (size_t i = 0; i < order.size(); ++i) {
            std::string& side = i < order.size() / 2 ? a : b;
            side += (side.empty() ? "" : ",") + std::to_string(order[i]);
        }
        std::string groups = a + "|" + b;
        int rc = a.empty() ? Cluster({"partition", b}) : Cluster({"partition", a, b});
        Log("partition", groups, rc, fmt::format("partition {} | {}", a, b));
        Wait();
        rc = Cluster({"heal"});
        Log("heal", groups, rc, "heal");
    }

    void Loop() {
        while (Wait()) {
            char kind = Choose();
            if (kind == 'z') {
                ++pauses_;
                FaultOneNode("pause", "resume", "pause");
            } else if (kind == 'k') {
                ++kills_;
                FaultOneNode("kill", "restart", "kill -9");
            } else {
                ++partitions_;
                Partition();
            }
        }
    }

    std::string dir_;
    std::vector<uint32_t> nodes_;
    NemesisKinds kinds_;
    Duration interval_;
    Random rng_;
    std::vector<std::string> node_args_;
    SteadyClock::time_point start_;
    std::thread thread_;
    std::atomic<bool> stop_ = false;
    std::vector<char> round_;  // Kinds left in the current round.
    std::mutex mu_;
    std::vector<std::string> actions_;
    std::vector<NemesisEvent> events_;
    int kills_ = 0;       // Touched by the nemesis thread only until joined.
    int partitions_ = 0;
    int pauses_ = 0;
};

}  // namespace orrery::tools::jepsen_real
