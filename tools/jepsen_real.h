// The parts of `orrery jepsen --real` (tools/cmd_jepsen.cpp) below the command line: the
// nemesis thread and the real-time workloads (register, bank) that drive node clients over
// net/ on one io_context and record a Jepsen history (jepsen/history.h).
//
// It is a header because tools/ compiles only its cmd_*.cpp files into the binary; only
// cmd_jepsen.cpp includes it.
//
// Workloads follow the simulator's (jepsen/runner/register_workload.h, bank_workload.h): the
// same operation mix, value encoding and process model (one op at a time per process; after an
// info the process is retired and its client continues as process id + clients). Stored keys
// carry a per-run prefix so an earlier run's data in the same directory never leaks in; the
// history names keys without it. Times are µs of the steady clock since the run began; the
// history's order is the order events happened on the single client thread.
//
// Invariants: the nemesis thread shares nothing with the client thread except its action log
// (under a mutex); it acts only by running `orrery cluster ...` subprocesses. Every invoke gets
// exactly one completion before Run returns.
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

// Which faults the nemesis may take, one per interval, chosen at random among those enabled.
struct NemesisKinds {
    bool kill = false;       // kill -9, then restart one interval later.
    bool partition = false;  // Two random halves, healed one interval later.
    bool pause = false;      // SIGSTOP, then SIGCONT one interval later.
    bool any() const { return kill || partition || pause; }
};

// The nemesis: a thread that only spawns `orrery cluster ...` commands.
class Nemesis {
public:
    Nemesis(std::string dir, std::vector<uint32_t> nodes, NemesisKinds kinds, Duration interval,
            uint64_t seed)
        : dir_(std::move(dir)), nodes_(std::move(nodes)), kinds_(kinds), interval_(interval),
          rng_(seed), start_(SteadyClock::now()) {}

    void Start() {
        if (kinds_.any()) thread_ = std::thread([this] { Loop(); });
    }

    // Stops after the current step, then heals and restarts every node that is down.
    void StopAndHeal() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        Cluster({"heal"});
        Cluster({"start"});
    }

    std::vector<std::string> actions() {
        std::lock_guard<std::mutex> lock(mu_);
        return actions_;
    }
    int kills() const { return kills_; }
    int partitions() const { return partitions_; }
    int pauses() const { return pauses_; }

private:
    int Cluster(std::vector<std::string> args) {
        args.insert(args.begin(), "cluster");
        args.insert(args.end(), {"--dir", dir_});
        return RunSelf(args, dir_ + "/nemesis.log");
    }

    void Log(const std::string& what) {
        double t = std::chrono::duration<double>(SteadyClock::now() - start_).count();
        std::lock_guard<std::mutex> lock(mu_);
        actions_.push_back(fmt::format("{:7.2f}s {}", t, what));
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

    // One of the enabled kinds, uniformly.
    char Choose() {
        std::vector<char> enabled;
        if (kinds_.kill) enabled.push_back('k');
        if (kinds_.partition) enabled.push_back('p');
        if (kinds_.pause) enabled.push_back('z');
        return enabled[rng_.Uniform(enabled.size())];
    }

    // Runs `orrery cluster <fault> N` on a node (half the time the leader, found by `orrery
    // cluster status`, whose loss is what leaves writes in doubt), waits one interval, then
    // `orrery cluster <undo> N`. The undo runs even when stopping.
    void FaultOneNode(const std::string& fault, const std::string& undo, const char* what) {
        std::optional<uint32_t> leader;
        if (rng_.Chance(0.5)) leader = Leader();
        std::string n = std::to_string(leader ? *leader : nodes_[rng_.Uniform(nodes_.size())]);
        int rc = Cluster({fault, n});
        Log(fmt::format("{} n{}{}{}", what, n, leader ? " (the leader)" : "",
                        rc == 0 ? "" : " (failed)"));
        Wait();
        rc = Cluster({undo, n});
        Log(fmt::format("{} n{}{}", undo, n, rc == 0 ? "" : " (failed)"));
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
                std::vector<uint32_t> order = nodes_;
                for (size_t i = order.size(); i > 1; --i) {
                    std::swap(order[i - 1], order[rng_.Uniform(i)]);
                }
                std::string a, b;
                for (size_t i = 0; i < order.size(); ++i) {
                    std::string& side = i < order.size() / 2 ? a : b;
                    side += (side.empty() ? "" : ",") + std::to_string(order[i]);
                }
                int rc = Cluster({"partition", a, b});
                ++partitions_;
                Log(fmt::format("partition {} | {}{}", a, b, rc == 0 ? "" : " (failed)"));
                Wait();
                rc = Cluster({"heal"});
                Log(fmt::format("heal{}", rc == 0 ? "" : " (failed)"));
            }
        }
    }

    std::string dir_;
    std::vector<uint32_t> nodes_;
    NemesisKinds kinds_;
    Duration interval_;
    Random rng_;
    SteadyClock::time_point start_;
    std::thread thread_;
    std::atomic<bool> stop_ = false;
    std::mutex mu_;
    std::vector<std::string> actions_;
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

    // Runs the clients for `duration`, then until every operation in flight has ended.
    void Run(Duration duration) {
        start_ = SteadyClock::now();
        running_ = true;
        boost::asio::steady_timer stop(io_, std::chrono::microseconds(duration.us()));
        stop.async_wait([this](const boost::system::error_code&) { running_ = false; });
        for (size_t i = 0; i < slots_.size(); ++i) ScheduleNext(i);
        net::RunUntil(io_, [&] { return !running_ && pending_timers_ == 0 && Idle(); });
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
class RegisterRun final : public RealWorkload {
public:
    RegisterRun(const net::ClusterConfig& config, int clients, uint32_t keys, uint64_t seed)
        : RealWorkload(config, clients, seed), keys_(keys) {
        for (int i = 0; i < clients; ++i) {
            kv_.push_back(std::make_unique<node::KvClient>(slot(i).env->env(), ClientOptions()));
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
        switch (rng.Uniform(3)) {
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

    uint32_t keys_;
    std::vector<std::unique_ptr<node::KvClient>> kv_;
};

// Jepsen's bank: transfers between kBankAccounts accounts in MVCC transactions, and reads of
// every balance by a range scan; the total is invariant. As jepsen/runner/bank_workload.cpp,
// with account keys under the run's prefix.
class BankRun final : public RealWorkload {
public:
    BankRun(const net::ClusterConfig& config, int clients, uint64_t seed)
        : RealWorkload(config, clients, seed) {
        for (int i = 0; i < clients; ++i) {
            txn_.push_back(std::make_unique<node::TxnClient>(slot(i).env->env(), ClientOptions()));
        }
    }
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

    void Abandon(size_t i, const node::TxnOutcome& o) {
        txn_[i]->Rollback();
        End(i, jepsen::OpType::kFail, slot(i).value, o.error.empty() ? "read failed" : o.error);
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
        node::TxnClient& t = *txn_[i];
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
                        End(i, OpTypeOf(c.type), slot(i).value, c.error);
                    });
                });
            });
        });
    }

    void Read(size_t i) {
        Begin(i, "read", "", nullptr);
        node::TxnClient& t = *txn_[i];
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
                    End(i, OpTypeOf(c.type), c.type == node::KvOutcome::Type::kOk
                                                 ? balances : slot(i).value, c.error);
                });
            });
        });
    }

    std::vector<std::unique_ptr<node::TxnClient>> txn_;
};

}  // namespace orrery::tools::jepsen_real
