// The real-time workloads of `orrery jepsen --real` (tools/cmd_jepsen.cpp): register, bank,
// list-append and set, which drive node clients over net/ on one io_context and record a Jepsen
// history (jepsen/history.h). The nemesis thread is in tools/jepsen_real_nemesis.h.
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
// Invariant: every invoke gets exactly one completion before Run returns.
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
#include "node/kv_client.h"
#include "node/txn_client.h"
#include "tools/jepsen_real_nemesis.h"

namespace orrery::tools::jepsen_real {

inline constexpr Duration kThinkMax = Duration::Millis(20);
inline constexpr Duration kKeyLifetime = Duration::Seconds(5);
inline constexpr Duration kOpTimeout = Duration::Seconds(2);
inline constexpr int kBankAccounts = 5;
inline constexpr int64_t kBankInitialBalance = 20;

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
