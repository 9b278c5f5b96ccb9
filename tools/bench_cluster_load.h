// The closed-loop load of `orrery bench cluster`, one driver for every system it measures, so
// that Orrery's cluster and the etcd it is compared with (--compare etcd) get the same load:
// the same clients, keys, values and phases, timed the same way.
//
// A phase runs `clients` closed-loop clients on one event-loop thread for a duration. In a write
// phase client i puts 100-byte values (the letter 'a' + i % 26) to fresh keys
// bench/<i:03>/<n:08>; in a read phase it reads back the keys it wrote, in order, round and round,
// and each read must return the value written. A client submits its next operation from the
// completion of the previous one; latency runs from submission to outcome on the steady clock.
//
// Invariant: an operation counts as ok only if its LoadClient checked the answer (a put was
// acknowledged, a read returned the value written); everything else is fail (the system said no,
// or said something wrong) or info (no answer in time: outcome unknown), counted apart and
// never in the ok rate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/assert.h"
#include "core/types.h"
#include "net/client_env.h"

namespace orrery::tools::benchcluster {

inline constexpr size_t kValueBytes = 100;
// How often a running phase looks at the interrupt flag.
inline constexpr auto kInterruptPoll = std::chrono::milliseconds(50);

enum class OpOutcome { kOk, kFail, kInfo };

// What one operation came to, and why when it was not ok.
struct OpResult {
    OpOutcome outcome = OpOutcome::kOk;
    std::string error;
};

// One closed-loop client's connection to the system under test.
class LoadClient {
public:
    using Done = std::function<void(OpResult)>;
    virtual ~LoadClient() = default;
    // Puts key = value; kOk only once the system acknowledged it.
    virtual void Put(const std::string& key, const std::string& value, Done done) = 0;
    // Reads key linearizably; kOk only if it returned `expected`.
    virtual void Get(const std::string& key, const std::string& expected, Done done) = 0;
    // True while an operation is outstanding.
    virtual bool busy() const = 0;
};

// The figures of one phase.
struct PhaseResult {
    uint64_t ok = 0;
    uint64_t fail = 0;
    uint64_t info = 0;
    std::vector<int64_t> latencies_us;  // Of ok operations.
    double seconds = 0;
    std::string first_error;  // Of the first operation that was not ok.

    double ops_per_second() const { return seconds > 0 ? static_cast<double>(ok) / seconds : 0; }
};

// The value client i writes.
inline std::string BenchValue(size_t client) {
    return std::string(kValueBytes, static_cast<char>('a' + client % 26));
}

// The p-quantile of v in milliseconds (0 for none). Reorders v.
inline double Percentile(std::vector<int64_t>& v, double p) {
    if (v.empty()) return 0;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

class ClosedLoad {
public:
    // Drives `clients` on `io`; a phase ends early once `interrupted` is set.
    ClosedLoad(boost::asio::io_context& io, std::vector<std::unique_ptr<LoadClient>> clients,
               const std::atomic<bool>& interrupted)
        : io_(io), interrupted_(interrupted) {
        ORRERY_ASSERT(!clients.empty(), "ClosedLoad without clients");
        for (auto& c : clients) clients_.push_back({std::move(c), 0, {}});
    }

    // Runs one phase for `duration`: puts to fresh keys if `write`, else reads of keys written.
    PhaseResult Run(bool write, Duration duration) {
        PhaseResult result;
        running_ = true;
        boost::asio::steady_timer stop(io_, std::chrono::microseconds(duration.us()));
        stop.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) running_ = false;
        });
        boost::asio::steady_timer poll(io_);
        WatchInterrupt(poll);
        auto start = std::chrono::steady_clock::now();
        for (size_t i = 0; i < clients_.size(); ++i) Next(i, write, &result);
        net::RunUntil(io_, [&] { return !running_ && Idle(); });
        result.seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        stop.cancel();
        poll.cancel();  // Their handlers see operation_aborted and touch nothing.
        return result;
    }

private:
    struct Client {
        std::unique_ptr<LoadClient> load;
        uint64_t next_key = 0;
        std::vector<std::string> written;  // Keys acknowledged in a write phase.
    };

    void WatchInterrupt(boost::asio::steady_timer& poll) {
        poll.expires_after(kInterruptPoll);
        poll.async_wait([this, &poll](const boost::system::error_code& ec) {
            if (ec || !running_) return;
            if (interrupted_) {
                running_ = false;
                return;
            }
            WatchInterrupt(poll);
        });
    }

    bool Idle() const {
        for (const auto& c : clients_) {
            if (c.load->busy()) return false;
        }
        return true;
    }

    void Next(size_t i, bool write, PhaseResult* result) {
        if (!running_) return;
        Client& c = clients_[i];
        if (!write && c.written.empty()) return;  // Nothing of its own to read: it sits out.
        bool fresh = write;
        std::string key = fresh ? fmt::format("bench/{:03}/{:08}", i, c.next_key)
                                : c.written[c.next_key % c.written.size()];
        ++c.next_key;
        auto begin = std::chrono::steady_clock::now();
        auto done = [this, i, write, result, begin, key](OpResult r) {
            Record(write ? &clients_[i].written : nullptr, key, r,
                   std::chrono::steady_clock::now() - begin, result);
            Next(i, write, result);
        };
        if (fresh) {
            c.load->Put(key, BenchValue(i), done);
        } else {
            c.load->Get(key, BenchValue(i), done);
        }
    }

    static void Record(std::vector<std::string>* written, const std::string& key,
                       const OpResult& r, std::chrono::steady_clock::duration took,
                       PhaseResult* result) {
        if (r.outcome != OpOutcome::kOk) {
            ++(r.outcome == OpOutcome::kFail ? result->fail : result->info);
            if (result->first_error.empty()) result->first_error = r.error;
            return;
        }
        ++result->ok;
        result->latencies_us.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        if (written != nullptr) written->push_back(key);
    }

    boost::asio::io_context& io_;
    const std::atomic<bool>& interrupted_;
    std::vector<Client> clients_;
    bool running_ = false;
};

}  // namespace orrery::tools::benchcluster
