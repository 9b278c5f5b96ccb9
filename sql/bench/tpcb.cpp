// The tpcb-like workload: statements, the client state machine, the invariant. See tpcb.h.
#include "sql/bench/tpcb.h"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>

#include "core/assert.h"
#include "sql/embedded.h"
#include "sql/error.h"
#include "sql/session.h"

namespace orrery::sql::bench {
namespace {

constexpr int kTpcbRowsMax = 10'000'000;
constexpr int64_t kHistoryKeysPerClient = 1'000'000'000;
// A transaction is seven statements plus a ROLLBACK: after the last round, each client needs at
// most this many more to reach a boundary.
constexpr int kDrainRoundsMax = 16;

void AddInserts(std::vector<std::string>* script, const std::string& table, int n,
                const std::function<std::string(int)>& row) {
    for (int start = 0; start < n; start += kTpcbLoadBatch) {
        std::string values;
        for (int i = start; i < std::min(n, start + kTpcbLoadBatch); ++i) {
            values += (values.empty() ? "" : ", ") + row(i);
        }
        script->push_back(fmt::format("INSERT INTO {} VALUES {}", table, values));
    }
}

TpcbReply ToReply(const StatementOutcome& outcome, TxnStatus status) {
    TpcbReply reply;
    reply.in_transaction = status != TxnStatus::kIdle;
    if (outcome.ok()) return reply;
    const SqlError& error = outcome.error();
    reply.message = error.message;
    switch (error.kind) {
        case ErrorKind::kSerializationFailure: reply.kind = TpcbReplyKind::kAborted; break;
        case ErrorKind::kUnknownOutcome: reply.kind = TpcbReplyKind::kUnknown; break;
        default: reply.kind = TpcbReplyKind::kFailed; break;
    }
    return reply;
}

}  // namespace

Status ValidateTpcb(const TpcbOptions& o) {
    if (o.branches < 1 || o.branches > kTpcbRowsMax) {
        return Status::InvalidArgument("branches must be in [1, 10000000]");
    }
    if (o.accounts < o.branches || o.accounts > kTpcbRowsMax) {
        return Status::InvalidArgument("accounts must be in [branches, 10000000]");
    }
    return Status::Ok();
}

std::vector<std::string> TpcbLoadScript(const TpcbOptions& options) {
    ORRERY_ASSERT(ValidateTpcb(options).ok(), "TpcbLoadScript: invalid options");
    std::vector<std::string> script = {
        "CREATE TABLE branches (bid INTEGER PRIMARY KEY, bbalance INTEGER NOT NULL)",
        "CREATE TABLE tellers (tid INTEGER PRIMARY KEY, bid INTEGER NOT NULL, "
        "tbalance INTEGER NOT NULL)",
        "CREATE TABLE accounts (aid INTEGER PRIMARY KEY, bid INTEGER NOT NULL, "
        "abalance INTEGER NOT NULL)",
        "CREATE TABLE history (hid INTEGER PRIMARY KEY, tid INTEGER, bid INTEGER, "
        "aid INTEGER, delta INTEGER)"};
    AddInserts(&script, "branches", options.branches,
               [](int i) { return fmt::format("({}, 0)", i); });
    AddInserts(&script, "tellers", options.branches * kTpcbTellersPerBranch, [](int i) {
        return fmt::format("({}, {}, 0)", i, i / kTpcbTellersPerBranch);
    });
    int per_branch = options.accounts / options.branches;
    int last_branch = options.branches - 1;
    AddInserts(&script, "accounts", options.accounts, [=](int i) {
        return fmt::format("({}, {}, 0)", i, std::min(last_branch, i / per_branch));
    });
    return script;
}

std::vector<TpcbStatement> TpcbTransaction(const TpcbOptions& options, int client, uint64_t seq,
                                           Random& rng) {
    ORRERY_ASSERT(client >= 0 && client < kTpcbClientsMax, "TpcbTransaction: bad client");
    ORRERY_ASSERT(seq < static_cast<uint64_t>(kHistoryKeysPerClient), "TpcbTransaction: seq");
    auto I = [](int64_t v) { return Value::Integer(v); };
    int64_t aid = static_cast<int64_t>(rng.Uniform(static_cast<uint64_t>(options.accounts)));
    int64_t tid = static_cast<int64_t>(
        rng.Uniform(static_cast<uint64_t>(options.branches) * kTpcbTellersPerBranch));
    int64_t bid = tid / kTpcbTellersPerBranch;
    int64_t delta = rng.Range(-kTpcbDeltaMax, kTpcbDeltaMax);
    int64_t hid = client * kHistoryKeysPerClient + static_cast<int64_t>(seq);
    return {{"BEGIN", {}},
            {"UPDATE accounts SET abalance = abalance + ? WHERE aid = ?", {I(delta), I(aid)}},
            {"SELECT abalance FROM accounts WHERE aid = ?", {I(aid)}},
            {"UPDATE tellers SET tbalance = tbalance + ? WHERE tid = ?", {I(delta), I(tid)}},
            {"UPDATE branches SET bbalance = bbalance + ? WHERE bid = ?", {I(delta), I(bid)}},
            {"INSERT INTO history VALUES (?, ?, ?, ?, ?)",
             {I(hid), I(tid), I(bid), I(aid), I(delta)}},
            {"COMMIT", {}}};
}

double TpcbStats::abort_percent() const {
    uint64_t n = tried();
    return n == 0 ? 0.0 : 100.0 * static_cast<double>(aborted) / static_cast<double>(n);
}

double TpcbStats::LatencyMs(double p) const {
    ORRERY_ASSERT(p >= 0 && p <= 1, "LatencyMs: p outside [0, 1]");
    if (latencies_us.empty()) return 0;
    std::vector<int64_t> v = latencies_us;
    size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
    std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(k), v.end());
    return static_cast<double>(v[k]) / 1000.0;
}

TpcbWorkload::TpcbWorkload(TpcbOptions options, int clients, uint64_t seed) : options_(options) {
    ORRERY_ASSERT(ValidateTpcb(options).ok(), "TpcbWorkload: invalid options");
    ORRERY_ASSERT(clients >= 1 && clients <= kTpcbClientsMax, "TpcbWorkload: bad client count");
    Random root(seed);
    for (int i = 0; i < clients; ++i) {
        clients_.emplace_back(root.Fork(fmt::format("tpcb/client{}", i)));
    }
}

bool TpcbWorkload::AtBoundary(int client) const {
    const Client& c = clients_.at(static_cast<size_t>(client));
    return !c.pending && !c.rolling_back && c.script.empty();
}

const TpcbStatement& TpcbWorkload::Next(int client, int64_t now_us) {
    Client& c = clients_.at(static_cast<size_t>(client));
    ORRERY_ASSERT(!c.pending, "TpcbWorkload::Next: a reply is pending");
    c.pending = true;
    if (c.rolling_back) return rollback_;
    if (c.script.empty()) {
        c.script = TpcbTransaction(options_, client, ++c.seq, c.rng);
        c.next = 0;
        c.begin_us = now_us;
    }
    ORRERY_ASSERT(c.next < c.script.size(), "TpcbWorkload::Next: past COMMIT");
    return c.script[c.next];
}

void TpcbWorkload::OnReply(int client, const TpcbReply& reply, int64_t now_us) {
    Client& c = clients_.at(static_cast<size_t>(client));
    ORRERY_ASSERT(c.pending, "TpcbWorkload::OnReply: no statement in flight");
    c.pending = false;
    if (c.rolling_back) {  // Whatever ROLLBACK answered, the next BEGIN starts afresh.
        c.rolling_back = false;
        c.script.clear();
        return;
    }
    if (reply.kind == TpcbReplyKind::kOk) {
        if (++c.next < c.script.size()) return;
        ++stats_.committed;
        stats_.latencies_us.push_back(now_us - c.begin_us);
        c.script.clear();
        return;
    }
    Count(reply);
    c.rolling_back = reply.in_transaction;  // A failed statement leaves a failed transaction.
    if (!c.rolling_back) c.script.clear();
}

void TpcbWorkload::Count(const TpcbReply& reply) {
    switch (reply.kind) {
        case TpcbReplyKind::kAborted:
            ++stats_.aborted;
            ++stats_.abort_causes[TpcbAbortCause(reply.message)];
            break;
        case TpcbReplyKind::kUnknown: ++stats_.unknown; break;
        case TpcbReplyKind::kFailed:
            if (stats_.failed++ == 0) stats_.first_failure = reply.message;
            break;
        case TpcbReplyKind::kOk: ORRERY_ASSERT(false, "Count: an ok reply"); break;
    }
}

TpcbStats TpcbWorkload::TakeStats() { return std::exchange(stats_, TpcbStats{}); }

const char* const kTpcbBalancesQuery =
    "SELECT (SELECT SUM(abalance) FROM accounts), (SELECT SUM(tbalance) FROM tellers), "
    "(SELECT SUM(bbalance) FROM branches), (SELECT SUM(delta) FROM history), "
    "(SELECT COUNT(*) FROM history)";

Result<TpcbBalances> ParseTpcbBalances(const std::vector<Value>& row) {
    constexpr size_t kColumns = 5;
    if (row.size() != kColumns) {
        return Status::InvalidArgument(fmt::format("balances: {} values, not 5", row.size()));
    }
    int64_t v[kColumns] = {};
    for (size_t i = 0; i < kColumns; ++i) {
        if (row[i].is_null()) continue;  // SUM of no rows.
        if (row[i].type() != DataType::kInteger) {
            return Status::InvalidArgument("balances: not an integer: " + row[i].ToString());
        }
        v[i] = row[i].integer();
    }
    return TpcbBalances{v[0], v[1], v[2], v[3], v[4]};
}

Status CheckTpcbInvariant(const TpcbBalances& b, std::optional<uint64_t> committed) {
    auto unequal = [&](const char* what, int64_t x, int64_t y) {
        return Status::Corruption(fmt::format("{} ({} != {}): {}", what, x, y,
                                              FormatTpcbBalances(b)));
    };
    if (b.accounts != b.tellers) return unequal("sum(abalance) != sum(tbalance)", b.accounts, b.tellers);
    if (b.tellers != b.branches) return unequal("sum(tbalance) != sum(bbalance)", b.tellers, b.branches);
    if (b.branches != b.history) return unequal("sum(bbalance) != sum(history.delta)", b.branches, b.history);
    if (committed && b.history_rows != static_cast<int64_t>(*committed)) {
        return unequal("history rows != committed transactions", b.history_rows,
                       static_cast<int64_t>(*committed));
    }
    return Status::Ok();
}

std::string TpcbAbortCause(const std::string& message) {
    auto has = [&](const char* phrase) { return message.find(phrase) != std::string::npos; };
    if (has("write-write conflict")) return "write-write";
    if (has("-> this -rw(")) return "rw-pivot";
    if (has("dangerous structure this -rw(")) return "rw-reader";
    if (has("unlogged read-only transaction may have seen")) return "rw-unlogged-reader";
    if (has("below the GC horizon")) return "gc-horizon";
    return "other";
}

std::string FormatTpcbAbortCauses(const TpcbStats& stats) {
    std::string out;
    for (const auto& [cause, n] : stats.abort_causes) {
        out += fmt::format("{}{}={}", out.empty() ? "" : " ", cause, n);
    }
    return out.empty() ? "none" : out;
}

std::string FormatTpcbBalances(const TpcbBalances& b) {
    return fmt::format("sum(abalance)={} sum(tbalance)={} sum(bbalance)={} sum(delta)={} "
                       "history rows={}",
                       b.accounts, b.tellers, b.branches, b.history, b.history_rows);
}

std::string FormatTpcbSummary(const TpcbStats& s, double seconds) {
    double tps = seconds > 0 ? static_cast<double>(s.committed) / seconds : 0.0;
    return fmt::format("tpcb-like: {:.0f} TPS  committed={} aborted={} abort rate={:.1f}% "
                       "failed={} unknown={}  latency p50={:.2f}ms p99={:.2f}ms",
                       tps, s.committed, s.aborted, s.abort_percent(), s.failed, s.unknown,
                       s.LatencyMs(0.50), s.LatencyMs(0.99));
}

Status LoadTpcbEmbedded(EmbeddedDatabase& db, const TpcbOptions& options) {
    std::unique_ptr<Session> session = db.NewSession();
    for (const std::string& statement : TpcbLoadScript(options)) {
        StatementOutcome o = db.Execute(*session, statement);
        if (!o.ok()) return Status::IOError(statement.substr(0, 60) + ": " + o.error().message);
    }
    return Status::Ok();
}

TpcbStats RunTpcbEmbedded(EmbeddedDatabase& db, TpcbWorkload& workload, int rounds) {
    ORRERY_ASSERT(rounds >= 0, "RunTpcbEmbedded: negative rounds");
    std::vector<std::unique_ptr<Session>> sessions;
    for (int i = 0; i < workload.clients(); ++i) sessions.push_back(db.NewSession());
    int64_t tick = 0;  // The clock: one tick per statement.
    auto step = [&](int i) {
        const TpcbStatement& s = workload.Next(i, tick);
        Session& session = *sessions[static_cast<size_t>(i)];
        StatementOutcome o = db.Execute(session, s.text, s.params);
        ++tick;
        workload.OnReply(i, ToReply(o, session.txn_status()), tick);
    };
    for (int r = 0; r < rounds; ++r) {
        for (int i = 0; i < workload.clients(); ++i) step(i);
    }
    for (int r = 0; r < kDrainRoundsMax; ++r) {
        for (int i = 0; i < workload.clients(); ++i) {
            if (!workload.AtBoundary(i)) step(i);
        }
    }
    for (int i = 0; i < workload.clients(); ++i) {
        ORRERY_ASSERT(workload.AtBoundary(i), "RunTpcbEmbedded: a client did not finish");
    }
    return workload.TakeStats();
}

Result<TpcbBalances> ReadTpcbBalancesEmbedded(EmbeddedDatabase& db) {
    std::unique_ptr<Session> session = db.NewSession();
    StatementOutcome o = db.Execute(*session, kTpcbBalancesQuery);
    if (!o.ok()) return Status::IOError("balances: " + o.error().message);
    if (o.value().rows.size() != 1) return Status::IOError("balances: not one row");
    return ParseTpcbBalances(o.value().rows[0]);
}

}  // namespace orrery::sql::bench
