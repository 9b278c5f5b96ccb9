// The tpcb-like workload of `orrery bench sql --cluster` (pgbench's default script), as a library:
// the schema and its load statements, one client's transaction mix as a state machine, the
// invariant the mix keeps, and the statistics of a run. Who sends the statements is the caller's
// business: the tool drives it over node::SqlClient against a real cluster, and RunTpcbEmbedded
// (below) drives the very same mix on an embedded database, interleaving its clients' statements
// one at a time on one thread, so tests see real SSI conflicts without a network.
//
// Schema (loaded in multi-row INSERTs of kTpcbLoadBatch rows; one Raft entry each on a cluster):
//   branches(bid PK, bbalance), tellers(tid PK, bid, tbalance) with kTpcbTellersPerBranch per
//   branch, accounts(aid PK, bid, abalance), history(hid PK, tid, bid, aid, delta).
// One transaction, as pgbench's tpcb-like script, with a delta drawn in [-5000, 5000]:
//   BEGIN; UPDATE accounts SET abalance = abalance + d WHERE aid = a;
//   SELECT abalance FROM accounts WHERE aid = a; UPDATE tellers ...; UPDATE branches ...;
//   INSERT INTO history ...; COMMIT
// Differences from pgbench, on purpose: history has a primary key (client, sequence), so its
// inserts never conflict; and Orrery is optimistic (SSI, first committer wins), so transactions
// that update the same branch concurrently abort instead of waiting for a row lock: the abort
// rate is part of the result, and `branches` sets the contention (pgbench's scale factor).
// A client retries nothing: an aborted transaction counts as an abort (after a ROLLBACK if the
// session is still in it) and the client starts a fresh one.
//
// The invariant: every committed transaction adds the same delta to one account, one teller,
// one branch and one history row, and an aborted one adds nothing, so
//   sum(abalance) = sum(tbalance) = sum(bbalance) = sum(history.delta)
// and history holds one row per committed transaction. A lost update, a dirty write or a torn
// commit breaks one of these equalities.
//
// Deterministic: draws come from core's Random, times from the caller (now_us arguments).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/random.h"
#include "core/status.h"
#include "sql/value.h"

namespace orrery::sql {
class EmbeddedDatabase;
}

namespace orrery::sql::bench {

inline constexpr int kTpcbTellersPerBranch = 10;
inline constexpr int kTpcbLoadBatch = 200;
inline constexpr int kTpcbClientsMax = 1024;
inline constexpr int64_t kTpcbDeltaMax = 5000;

struct TpcbOptions {
    int branches = 16;
    int accounts = 10000;
};

// REQUIRES-style validation for user input: branches and accounts at least 1, accounts at least
// branches (every branch owns an account), both at most 10,000,000.
Status ValidateTpcb(const TpcbOptions& options);

struct TpcbStatement {
    std::string text;
    std::vector<Value> params;
};

// CREATE TABLE statements, then the INSERTs that fill branches, tellers and accounts (all
// balances 0). REQUIRES: ValidateTpcb(options) is ok.
std::vector<std::string> TpcbLoadScript(const TpcbOptions& options);

// One transaction's statements, BEGIN first and COMMIT last, for `client`'s `seq`-th
// transaction (history's key is client * 10^9 + seq). Draws aid, tid and delta from `rng`.
std::vector<TpcbStatement> TpcbTransaction(const TpcbOptions& options, int client, uint64_t seq,
                                           Random& rng);

// What the caller saw of one statement.
enum class TpcbReplyKind : uint8_t {
    kOk,
    kAborted,  // A serialization failure (40001): the transaction is gone, retryable.
    kFailed,   // Any other error.
    kUnknown,  // The outcome is not known (a timeout, a lost leader): Jepsen's info.
};
struct TpcbReply {
    TpcbReplyKind kind = TpcbReplyKind::kOk;
    bool in_transaction = false;  // The session is still in (or failed inside) a transaction.
    std::string message;          // The error, when not ok.
};

struct TpcbStats {
    uint64_t committed = 0;
    uint64_t aborted = 0;  // Serialization failures.
    uint64_t failed = 0;   // Other errors.
    uint64_t unknown = 0;  // Unknown outcome.
    std::vector<int64_t> latencies_us;  // BEGIN sent to COMMIT's reply, of committed ones.
    std::string first_failure;          // The first kFailed message, for the report.
    // Aborts by cause (TpcbAbortCause of their messages), to tell real conflicts from spurious.
    std::map<std::string, uint64_t> abort_causes;

    uint64_t tried() const { return committed + aborted + failed + unknown; }
    // Aborted over tried, in percent (0 when nothing was tried).
    double abort_percent() const;
    // The p-quantile (0 <= p <= 1) of latencies_us in milliseconds (0 when empty).
    double LatencyMs(double p) const;
};

// The mix of `clients` clients: each client is a state machine that yields its next statement
// and takes the reply. The caller sends at most one statement per client at a time.
class TpcbWorkload {
public:
    TpcbWorkload(TpcbOptions options, int clients, uint64_t seed);

    int clients() const { return static_cast<int>(clients_.size()); }
    // True iff `client` is between transactions (nothing in flight, no ROLLBACK owed): where a
    // caller that is stopping stops sending.
    bool AtBoundary(int client) const;
    // The statement `client` sends next (a new transaction's BEGIN at a boundary).
    // REQUIRES: no reply pending for client.
    const TpcbStatement& Next(int client, int64_t now_us);
    // Records the reply to the statement Next gave. REQUIRES: a reply pending for client.
    void OnReply(int client, const TpcbReply& reply, int64_t now_us);

    // The statistics so far; TakeStats also resets them (a warm-up's figures are dropped).
    const TpcbStats& stats() const { return stats_; }
    TpcbStats TakeStats();

private:
    struct Client {
        explicit Client(Random r) : rng(r) {}
        Random rng;
        uint64_t seq = 0;
        std::vector<TpcbStatement> script;  // Empty at a boundary.
        size_t next = 0;                    // Index in script of the statement to send.
        bool pending = false;               // Sent, reply not yet recorded.
        bool rolling_back = false;          // The statement in flight is our ROLLBACK.
        int64_t begin_us = 0;
    };
    void Count(const TpcbReply& reply);

    TpcbOptions options_;
    std::vector<Client> clients_;
    TpcbStats stats_;
    TpcbStatement rollback_{"ROLLBACK", {}};
};

// The query whose one row ReadTpcbBalances parses: the four sums and history's row count.
extern const char* const kTpcbBalancesQuery;

struct TpcbBalances {
    int64_t accounts = 0;       // sum(abalance)
    int64_t tellers = 0;        // sum(tbalance)
    int64_t branches = 0;       // sum(bbalance)
    int64_t history = 0;        // sum(history.delta)
    int64_t history_rows = 0;   // count(*) of history
};

// Parses the row of kTpcbBalancesQuery (NULL sums of empty tables read as 0). kInvalidArgument
// if it has not five integer-or-NULL values.
Result<TpcbBalances> ParseTpcbBalances(const std::vector<Value>& row);

// Checks the invariant (header comment): the four sums equal and, when `committed` is known (a
// run with no unknown outcomes), history_rows == committed. kCorruption naming the first
// equality that fails.
Status CheckTpcbInvariant(const TpcbBalances& balances, std::optional<uint64_t> committed);

// The cause an abort's message names, from the MVCC layer's wording (mvcc/conflicts.cpp,
// mvcc/mvcc.cpp): "write-write" (a newer version of a key this transaction writes: first
// committer wins), "rw-pivot" and "rw-reader" (SSI's dangerous structure, this transaction as
// its pivot or as its reader), "rw-unlogged-reader" (a key read was overwritten, and an unlogged
// reader may have seen that), "gc-horizon", else "other".
std::string TpcbAbortCause(const std::string& message);

// "write-write=N rw-pivot=M ..." in the causes' name order ("none" when there are none).
std::string FormatTpcbAbortCauses(const TpcbStats& stats);

// "a=.. t=.. b=.. h=.. rows=.." for a report.
std::string FormatTpcbBalances(const TpcbBalances& balances);

// The summary line of a run that lasted `seconds`: TPS, committed, aborts and their rate,
// failed, unknown, p50 and p99.
std::string FormatTpcbSummary(const TpcbStats& stats, double seconds);

// Loads `options`' tables into `db` (which must not have them yet).
Status LoadTpcbEmbedded(EmbeddedDatabase& db, const TpcbOptions& options);

// Runs `workload` on `db`, one session per client, for `rounds` rounds: in each round every
// client sends one statement, in client order, so up to `clients` transactions are open at
// once and interleave statement by statement. Clients then finish their open transactions.
// Latencies count statements (each statement is one tick of now_us). Returns the stats.
TpcbStats RunTpcbEmbedded(EmbeddedDatabase& db, TpcbWorkload& workload, int rounds);

// Runs kTpcbBalancesQuery on `db` in a fresh session and parses it.
Result<TpcbBalances> ReadTpcbBalancesEmbedded(EmbeddedDatabase& db);

}  // namespace orrery::sql::bench
