// The parts of `orrery jepsen --real` (tools/cmd_jepsen.cpp) below the command line: the
// nemesis thread and the real-time workloads (register, bank, list-append, set) that drive node
// clients over net/ on one io_context and record a Jepsen history (jepsen/history.h).
//
// It is a header because tools/ compiles only its cmd_*.cpp files into the binary; only
// cmd_jepsen.cpp includes it.
//
// Workloads follow the simulator's (jepsen/runner/register_workload.h, bank_workload.h,
// list_append_workload.h, set_workload.h): the same operation mix, value encoding and process
// model (one op at a time per process; after an info the process is retired and its client
// continues as process id + clients). Stored keys
// carry a per-run prefix so an earlier run's data in the same directory never leaks in; the
// history names keys without it. Times are µs of the steady clock since the run began; the
// history's order is the order events happened on the single client thread.
//
// Nemesis events go into the history as Jepsen writes them: process "nemesis", type info, one
// event when a fault is in effect (its `orrery cluster` command returned) and one when it is
// undone, f naming the command (kill, restart, partition, heal, pause, resume) and value its
// target ("n3", or the groups "1,2|3,4,5" for partition and heal). They carry the same clock as
// the clients' events and are merged in by time (WithNemesis) once both threads are done.
//
// Invariants: the nemesis thread shares nothing with the client thread except its action log
// and events (under a mutex); it acts only by running `orrery cluster ...` subprocesses. Every
// invoke gets exactly one completion before Run returns.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/random.h"
#include "jepsen/checker/check.h"
#include "jepsen/history.h"
#include "jepsen/runner/list_append_workload.h"
#include "net/client_env.h"
#include "net/cluster_config.h"
#include "net/local_process.h"
#include "node/kv_client.h"
#include "node/txn_client.h"

namespace orrery::tools::jepsen_real {

inline constexpr Duration kThinkMax = Duration::Millis(20);
inline constexpr Duration kKeyLifetime = Duration::Seconds(5);
inline constexpr Duration kOpTimeout = Duration::Seconds(2);
inline constexpr Duration kSubprocessTimeout = Duration::Seconds(60);
inline constexpr auto kNemesisPoll = std::chrono::milliseconds(50);
inline constexpr int kBankAccounts = 5;
inline constexpr int64_t kBankInitialBalance = 20;

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

struct Counts {
    uint64_t ok = 0, fail = 0, info = 0;
};

// What every real workload shares: the clients' envs and generators, the history, the process
// model and the run loop. Subclasses build their client on each slot's env and implement
// Invoke, which calls Begin once and, later, End exactly once.
class RealWorkload {
public:
    RealWorkload(const net::ClusterConfig& config, int clients, uint64_t seed)
        : prefix_(fmt::format("jepsen/{:016x}/", seed)) {
        for (const auto& [id, addresses] : config.nodes) servers_.push_back(id);
        Random root(seed);
        for (int i = 0; i < clients; ++i) {
            auto s = std::make_unique<Slot>();
            net::ClientEnvOptions options;
            options.servers = config.ClientAddresses();
            options.name = fmt::format("jepsen{}", i);
            s->env = std::make_unique<net::ClientEnv>(io_, options);
            s->rng = std::make_unique<Random>(root.Fork(fmt::format("client{}", i)));
            s->process = i;
            slots_.push_back(std::move(s));
        }
    }
    virtual ~RealWorkload() = default;

    // The checker model that judges the history, and its options.
    virtual std::string_view model() const = 0;
    virtual jepsen::checker::CheckOptions check_options() const { return {}; }

    // Runs the clients for `duration` (or until `interrupted` is set, checked every
    // kNemesisPoll), then until every operation in flight has ended. Times count from `start`.
    void Run(Duration duration, SteadyClock::time_point start,
             const std::atomic<bool>& interrupted) {
        start_ = start;
        running_ = true;
        boost::asio::steady_timer stop(io_, std::chrono::microseconds(duration.us()));
        stop.async_wait([this](const boost::system::error_code&) { running_ = false; });
        boost::asio::steady_timer poll(io_);
        std::function<void()> watch = [&] {
            poll.expires_after(kNemesisPoll);
            poll.async_wait([&](const boost::system::error_code& ec) {
                if (ec || !running_) return;
                if (interrupted) {
                    running_ = false;
                    return;
                }
                watch();
            });
        };
        watch();
        for (size_t i = 0; i < slots_.size(); ++i) ScheduleNext(i);
        net::RunUntil(io_, [&] { return !running_ && pending_timers_ == 0 && Idle(); });
        stop.cancel();
        poll.cancel();
        if (io_.stopped()) io_.restart();
        io_.poll();  // Runs the cancelled waits while `stop`, `poll` and `watch` still exist.
    }

    const jepsen::History& history() const { return history_; }
    const Counts& counts() const { return counts_; }

protected:
    struct Slot {
        std::unique_ptr<net::ClientEnv> env;
        std::unique_ptr<Random> rng;
        int64_t process = 0;
        bool busy = false;
        std::string f;
        std::string key;
        nlohmann::json value;
    };

    virtual void Invoke(size_t i) = 0;

    node::KvClientOptions ClientOptions() const {
        node::KvClientOptions o;
        o.servers = servers_;
        o.op_timeout = kOpTimeout;
        return o;
    }
    Slot& slot(size_t i) { return *slots_[i]; }
    const std::string& prefix() const { return prefix_; }
    int64_t NowUs() const {
        return std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - start_)
            .count();
    }

    // Records the invocation of f on key with its arguments.
    void Begin(size_t i, std::string f, std::string key, nlohmann::json value) {
        Slot& s = slot(i);
        s.f = std::move(f);
        s.key = std::move(key);
        s.value = std::move(value);
        s.busy = true;
        Record(s, jepsen::OpType::kInvoke, s.value, "");
    }

    // Records the completion and schedules the client's next op. Info retires the process.
    void End(size_t i, jepsen::OpType type, nlohmann::json value, std::string error) {
        Slot& s = slot(i);
        if (type == jepsen::OpType::kOk) ++counts_.ok;
        if (type == jepsen::OpType::kFail) ++counts_.fail;
        if (type == jepsen::OpType::kInfo) ++counts_.info;
        Record(s, type, std::move(value), std::move(error));
        if (type == jepsen::OpType::kInfo) s.process += static_cast<int64_t>(slots_.size());
        s.busy = false;
        ScheduleNext(i);
    }

private:
    bool Idle() const {
        for (const auto& s : slots_) {
            if (s->busy) return false;
        }
        return true;
    }

    void ScheduleNext(size_t i) {
        if (!running_) return;
        Slot& s = slot(i);
        ++pending_timers_;
        s.env->env().clock.SetTimer(Duration(s.rng->Range(0, kThinkMax.us())), [this, i] {
            --pending_timers_;
            if (running_) Invoke(i);
        });
    }

    void Record(const Slot& s, jepsen::OpType type, nlohmann::json value, std::string error) {
        jepsen::Op op;
        op.time_us = NowUs();
        op.process = s.process;
        op.type = type;
        op.f = s.f;
        op.key = s.key;
        op.value = std::move(value);
        op.error = std::move(error);
        history_.Append(std::move(op));
    }

    boost::asio::io_context io_;
    std::vector<NodeId> servers_;
    std::vector<std::unique_ptr<Slot>> slots_;
    std::string prefix_;
    SteadyClock::time_point start_;
    bool running_ = false;
    int pending_timers_ = 0;
    jepsen::History history_;
    Counts counts_;
};

inline jepsen::OpType OpTypeOf(node::KvOutcome::Type t) {
    switch (t) {
        case node::KvOutcome::Type::kOk: return jepsen::OpType::kOk;
        case node::KvOutcome::Type::kFail: return jepsen::OpType::kFail;
        case node::KvOutcome::Type::kInfo: return jepsen::OpType::kInfo;
    }
    return jepsen::OpType::kInfo;
}

// Registers: read / write / cas of 0..4 on `keys` keys at a time. Keys rotate every
// kKeyLifetime to a fresh set, so each key's history stays short enough for the checker's
// search (Jepsen's independent keys do the same).
//
// Pinned readers, as in the simulator's kv-pinned workload (jepsen/runner/register_workload.h):
// the first `pinned` clients only read, client i always from node i mod nodes, with a short
// timeout and backoff, and accept the answer of a node that claims to lead. A correct leader
// answers only after ReadIndex confirmed it still leads; with --bug raft.stale-read a deposed
// leader that has not noticed yet answers from its own state, and the pinned reader is the
// client still asking it.
class RegisterRun final : public RealWorkload {
public:
    RegisterRun(const net::ClusterConfig& config, int clients, uint32_t keys, int pinned,
                uint64_t seed)
        : RealWorkload(config, clients, seed), keys_(keys), pinned_(pinned) {
        for (int i = 0; i < clients; ++i) {
            node::KvClientOptions o = ClientOptions();
            if (i < pinned_) {
                o.servers = {o.servers[static_cast<size_t>(i) % o.servers.size()]};
                o.op_timeout = kPinnedReadTimeout;
                o.retry_backoff = kPinnedReadBackoff;
            }
            kv_.push_back(std::make_unique<node::KvClient>(slot(i).env->env(), o));
        }
    }
    std::string_view model() const override { return "kv"; }

private:
    static nlohmann::json ParseValue(const std::string& text) {
        int64_t v = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec == std::errc() && end == text.data() + text.size()) return v;
        return text;  // Not written by this workload; the checker will flag it.
    }

    void Invoke(size_t i) override {
        Random& rng = *slot(i).rng;
        uint64_t generation = static_cast<uint64_t>(NowUs() / kKeyLifetime.us());
        std::string key = fmt::format("k{}", generation * keys_ + rng.Uniform(keys_));
        std::string stored = prefix() + key;
        node::KvClient& kv = *kv_[i];
        uint64_t f = rng.Uniform(3);
        if (static_cast<int>(i) < pinned_) f = 0;  // Drawn anyway: the streams stay the same.
        switch (f) {
            case 0:
                Begin(i, "read", key, nullptr);
                kv.Get(stored, [this, i](const node::KvOutcome& o) {
                    bool found = o.type == node::KvOutcome::Type::kOk &&
                                 o.code != node::ReplyCode::kNotFound;
                    nlohmann::json v = found ? ParseValue(o.value) : nlohmann::json(nullptr);
                    End(i, OpTypeOf(o.type), v, o.error);
                });
                break;
            case 1: {
                int64_t v = rng.Range(0, 4);
                Begin(i, "write", key, v);
                kv.Put(stored, std::to_string(v), [this, i, v](const node::KvOutcome& o) {
                    End(i, OpTypeOf(o.type), v, o.error);
                });
                break;
            }
            default: {
                int64_t expected = rng.Range(0, 4);
                int64_t v = rng.Range(0, 4);
                nlohmann::json args = nlohmann::json::array({expected, v});
                Begin(i, "cas", key, args);
                kv.Cas(stored, std::to_string(expected), std::to_string(v),
                       [this, i, args](const node::KvOutcome& o) {
                           End(i, OpTypeOf(o.type), args, o.error);
                       });
                break;
            }
        }
    }

    // As the simulator's pinned readers: give up on a node that does not lead within 150 ms,
    // polling every 50 ms, so the next read is invoked afresh.
    static constexpr Duration kPinnedReadTimeout = Duration::Millis(150);
    static constexpr Duration kPinnedReadBackoff = Duration::Millis(50);

    uint32_t keys_;
    int pinned_;
    std::vector<std::unique_ptr<node::KvClient>> kv_;
};

// What the transactional workloads share: one node::TxnClient per client, and the simulator's
// TxnProcess endings (jepsen/runner/workload.h): Abandon rolls back and fails the op (a read
// failed, so nothing was committed); FinishFrom ends it from a commit's outcome (ok -> ok_value,
// fail/info -> the invoked value).
class TxnRun : public RealWorkload {
public:
    TxnRun(const net::ClusterConfig& config, int clients, uint64_t seed)
        : RealWorkload(config, clients, seed) {
        for (int i = 0; i < clients; ++i) {
            txn_.push_back(std::make_unique<node::TxnClient>(slot(i).env->env(), ClientOptions()));
        }
    }

protected:
    node::TxnClient& txn(size_t i) { return *txn_[i]; }

    void Abandon(size_t i, const node::TxnOutcome& o) {
        txn_[i]->Rollback();
        End(i, jepsen::OpType::kFail, slot(i).value, o.error.empty() ? "read failed" : o.error);
    }

    void FinishFrom(size_t i, const node::TxnOutcome& c, nlohmann::json ok_value) {
        bool ok = c.type == node::KvOutcome::Type::kOk;
        End(i, OpTypeOf(c.type), ok ? std::move(ok_value) : slot(i).value, c.error);
    }

private:
    std::vector<std::unique_ptr<node::TxnClient>> txn_;
};

// Jepsen's bank: transfers between kBankAccounts accounts in MVCC transactions, and reads of
// every balance by a range scan; the total is invariant. As jepsen/runner/bank_workload.cpp,
// with account keys under the run's prefix.
class BankRun final : public TxnRun {
public:
    using TxnRun::TxnRun;
    std::string_view model() const override { return "bank"; }
    jepsen::checker::CheckOptions check_options() const override {
        jepsen::checker::CheckOptions o;
        o.total = kBankAccounts * kBankInitialBalance;
        return o;
    }

private:
    static std::string Account(int i) { return fmt::format("acct{}", i); }

    // A stored balance, the initial one if never written; garbage becomes a value the checker
    // rejects, never a silent default.
    static int64_t Balance(const std::optional<std::string>& stored) {
        if (!stored) return kBankInitialBalance;
        int64_t v = 0;
        auto [end, ec] = std::from_chars(stored->data(), stored->data() + stored->size(), v);
        return ec == std::errc() && end == stored->data() + stored->size() ? v : INT64_MIN / 2;
    }

    void Invoke(size_t i) override {
        Random& rng = *slot(i).rng;
        if (rng.Chance(0.5)) return Read(i);
        int from = static_cast<int>(rng.Uniform(kBankAccounts));
        int to = static_cast<int>(rng.Uniform(kBankAccounts - 1));
        if (to >= from) ++to;
        int64_t amount = rng.Range(1, 5);
        Begin(i, "transfer", "",
              {{"from", Account(from)}, {"to", Account(to)}, {"amount", amount}});
        node::TxnClient& t = txn(i);
        t.Begin([this, i, &t, from, to, amount](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(i, o);
            t.Get(prefix() + Account(from), [this, i, &t, from, to,
                                             amount](const node::TxnOutcome& f) {
                if (f.type != node::KvOutcome::Type::kOk) return Abandon(i, f);
                int64_t from_balance = Balance(f.value);
                t.Get(prefix() + Account(to), [this, i, &t, from, to, amount,
                                               from_balance](const node::TxnOutcome& g) {
                    if (g.type != node::KvOutcome::Type::kOk) return Abandon(i, g);
                    if (from_balance < amount) {
                        t.Rollback();
                        return End(i, jepsen::OpType::kFail, slot(i).value, "insufficient funds");
                    }
                    t.Set(prefix() + Account(from), std::to_string(from_balance - amount));
                    t.Set(prefix() + Account(to), std::to_string(Balance(g.value) + amount));
                    t.Commit([this, i](const node::TxnOutcome& c) {
                        FinishFrom(i, c, slot(i).value);
                    });
                });
            });
        });
    }

    void Read(size_t i) {
        Begin(i, "read", "", nullptr);
        node::TxnClient& t = txn(i);
        t.Begin([this, i, &t](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(i, o);
            t.Scan(prefix() + "acct", prefix() + "acct~", 100,
                   [this, i, &t](const node::TxnOutcome& s) {
                if (s.type != node::KvOutcome::Type::kOk) return Abandon(i, s);
                nlohmann::json balances = nlohmann::json::object();
                for (int a = 0; a < kBankAccounts; ++a) {
                    balances[Account(a)] = kBankInitialBalance;
                }
                for (const auto& [k, v] : s.pairs) {
                    balances[k.substr(prefix().size())] = Balance(v);
                }
                t.Commit([this, i, balances](const node::TxnOutcome& c) {
                    FinishFrom(i, c, balances);
                });
            });
        });
    }
};

// Elle's list-append: transactions of 1..4 micro-ops, ["r", k, null] (filled in with the list
// read on ok) or ["append", k, v] with v unique across the run, as
// jepsen/runner/list_append_workload.cpp: a list is stored as its decimal elements separated by
// spaces, an append reads the key and buffers the longer list, micro-ops run in order and the
// transaction commits after the last. Keys x0.. rotate as the register workload's do (every
// kKeyLifetime to a fresh set of `keys`), so no list grows past what a read can carry cheaply;
// one transaction draws all its keys from one set.
class ListAppendRun final : public TxnRun {
public:
    ListAppendRun(const net::ClusterConfig& config, int clients, uint32_t keys, uint64_t seed)
        : TxnRun(config, clients, seed), keys_(keys) {}
    std::string_view model() const override { return "list-append"; }

private:
    static constexpr int kMaxMicroOps = 4;

    void Invoke(size_t i) override {
        Random& rng = *slot(i).rng;
        uint64_t generation = static_cast<uint64_t>(NowUs() / kKeyLifetime.us());
        int n = static_cast<int>(rng.Range(1, kMaxMicroOps));
        nlohmann::json ops = nlohmann::json::array();
        for (int m = 0; m < n; ++m) {
            std::string key = fmt::format("x{}", generation * keys_ + rng.Uniform(keys_));
            if (rng.Chance(0.5)) {
                ops.push_back({"r", key, nullptr});
            } else {
                ops.push_back({"append", key, ++last_value_});
            }
        }
        Begin(i, "txn", "", ops);
        txn(i).Begin([this, i, ops](const node::TxnOutcome& o) mutable {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(i, o);
            Step(i, 0, std::move(ops));
        });
    }

    // Runs micro-op m of `result` (the transaction, reads filled in so far), then the next;
    // commits after the last.
    void Step(size_t i, size_t m, nlohmann::json result) {
        node::TxnClient& t = txn(i);
        if (m == result.size()) {
            return t.Commit([this, i, result = std::move(result)](const node::TxnOutcome& c) {
                FinishFrom(i, c, result);
            });
        }
        std::string key = result[m][1].get<std::string>();
        t.Get(prefix() + key, [this, i, m, &t, key,
                               result = std::move(result)](const node::TxnOutcome& g) mutable {
            if (g.type != node::KvOutcome::Type::kOk) return Abandon(i, g);
            if (result[m][0] == "r") {
                result[m][2] = jepsen::runner::ParseAppendList(g.value);
            } else {
                int64_t v = result[m][2].get<int64_t>();
                std::string stored = g.value.value_or("");
                t.Set(prefix() + key,
                      stored.empty() ? std::to_string(v) : fmt::format("{} {}", stored, v));
            }
            Step(i, m + 1, std::move(result));
        });
    }

    uint32_t keys_;
    int64_t last_value_ = 0;  // The last value appended (values are unique across the run).
};

// Jepsen's set: unique adds (one element's key set in a transaction) and full reads (a scan of
// every element key at one snapshot, paged by kMaxScanLimit), as
// jepsen/runner/set_workload.cpp: an element e is stored at "set/" + 12-digit e under the run's
// prefix; a read records the elements it found, in key order. Judged by the set checker (no
// acknowledged add lost, nothing invented).
class SetRun final : public TxnRun {
public:
    using TxnRun::TxnRun;
    std::string_view model() const override { return "set"; }

private:
    std::string ElementKey(int64_t e) const { return fmt::format("{}set/{:012}", prefix(), e); }

    // The element of a stored key, or -1 for a key that is not one (the checker reports it).
    int64_t ElementOf(std::string_view key) const {
        std::string head = prefix() + "set/";
        if (!key.starts_with(head)) return -1;
        key.remove_prefix(head.size());
        int64_t e = 0;
        auto [end, ec] = std::from_chars(key.data(), key.data() + key.size(), e);
        return ec == std::errc() && end == key.data() + key.size() ? e : -1;
    }

    void Invoke(size_t i) override {
        if (slot(i).rng->Chance(0.25)) return Read(i);
        int64_t e = next_element_++;
        Begin(i, "add", "", e);
        node::TxnClient& t = txn(i);
        t.Begin([this, i, &t, e](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(i, o);
            t.Set(ElementKey(e), "1");
            t.Commit([this, i](const node::TxnOutcome& c) { FinishFrom(i, c, slot(i).value); });
        });
    }

    void Read(size_t i) {
        Begin(i, "read", "", nullptr);
        txn(i).Begin([this, i](const node::TxnOutcome& o) {
            if (o.type != node::KvOutcome::Type::kOk) return Abandon(i, o);
            ReadPage(i, prefix() + "set/", nlohmann::json::array());
        });
    }

    // Scans one page from `from`, all at the transaction's one snapshot, and continues after its
    // last key until a page comes back short; then commits.
    void ReadPage(size_t i, std::string from, nlohmann::json elements) {
        node::TxnClient& t = txn(i);
        t.Scan(std::move(from), prefix() + "set0", node::kMaxScanLimit,
               [this, i, &t, elements = std::move(elements)](const node::TxnOutcome& s) mutable {
                   if (s.type != node::KvOutcome::Type::kOk) return Abandon(i, s);
                   for (const auto& [k, v] : s.pairs) elements.push_back(ElementOf(k));
                   if (s.pairs.size() == node::kMaxScanLimit) {
                       return ReadPage(i, s.pairs.back().first + '\0', std::move(elements));
                   }
                   t.Commit([this, i, elements](const node::TxnOutcome& c) {
                       FinishFrom(i, c, elements);
                   });
               });
    }

    int64_t next_element_ = 1;
};

}  // namespace orrery::tools::jepsen_real
