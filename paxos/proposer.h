// Proposer: runs CASPaxos rounds for the requests this node coordinates (Rystsov 2018).
//
// A request is (key, the key's replicas, a change function f). The proposer:
//  1. prepare: picks a fresh ballot b and sends Prepare(b) to every replica; waits for a
//     quorum (a majority of the replicas) of promises. Of the values they report it takes the
//     one with the highest accepted ballot (§2.1: "picks the value with the highest ballot")
//     and computes f(value). Bug switch paxos.skip-accepted-value takes the *lowest* instead,
//     ignoring the newer value a quorum may have accepted;
//  2. accept: sends Accept(b, f(value)) to every replica and waits for a quorum of Accepted.
//     Then the change is chosen and the request completes with (previous, next).
// A conflict (an acceptor saw a higher ballot) raises the proposer's counter past it.
// Requests on one key are run one at a time, in arrival order (a bounded queue per key).
//
// One-round-trip optimisation (§2.2.1, switchable): each Accept carries the proposer's next
// ballot b+1 as a piggybacked Prepare. When a quorum accepts, every acceptor of that quorum has
// also promised b+1, and the proposer knows the value it just chose; the next request on the
// key then skips phase 1 and sends Accept(b+1, f(value)) directly. A conflict on that path (a
// rival proposer took the key over) clears the shortcut.
//
// Outcomes, as the client must read them:
//  - OK: chosen; f was applied exactly once, to `previous`.
//  - kUnavailable: no Accept was ever sent, so f was certainly not applied; retry is safe;
//  - kTimeout: an Accept was sent but no quorum answered: f may or may not take effect later
//    (a later proposer may adopt the value). Jepsen's "info".
// Retries inside the proposer happen only while no Accept was sent (a retried change would be
// applied twice otherwise), with a seeded random backoff, at most max_attempts times.
//
// Ballots are never reused across restarts: the proposer reserves counters in blocks of
// kBallotBlock and syncs the block's end to the engine before using any counter in it, so a
// restarted proposer starts above every ballot its previous lives could have sent.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/env.h"
#include "paxos/ballot.h"
#include "paxos/message.h"
#include "storage/engine.h"

namespace orrery::paxos {

inline constexpr uint64_t kBallotBlock = 1024;
inline constexpr size_t kMaxQueuedPerKey = 64;

// The change function: from the register's current value (nullopt: none) to its next value.
using ChangeFn = std::function<std::optional<std::string>(const std::optional<std::string>&)>;

struct Outcome {
    std::optional<std::string> previous;  // The value f was applied to.
    std::optional<std::string> next;      // The value chosen.
    Ballot ballot;                        // The ballot it was chosen at.
    int round_trips = 0;                  // 1 on the one-round-trip path, else 2 per attempt.
};

struct ProposerConfig {
    NodeId id;
    bool one_round_trip = true;       // §2.2.1, switchable for comparison.
    int timeout_ticks = 10;           // A phase without a quorum after this long fails.
    int max_attempts = 4;             // Prepare attempts per request.
    int backoff_ticks_max = 4;        // Random backoff in [1, max] ticks between attempts.
    std::string key_prefix = "paxos-proposer/";
    bool bug_skip_accepted_value = false;  // paxos.skip-accepted-value.
};

class Proposer {
public:
    using Send = std::function<void(NodeId to, std::string bytes)>;
    using Done = std::function<void(Result<Outcome>)>;

    // Reads the ballot block from `engine` (and reserves the next one, synced). Fails on a
    // disk error or a corrupt record: the node must not propose then.
    static Result<std::unique_ptr<Proposer>> Open(Env& env, storage::Engine& engine,
                                                  ProposerConfig config, Send send);

    // Runs f on `key` at `replicas` (sorted, distinct, non-empty; a majority is a quorum).
    // `done` is called exactly once, never inline. kBusy (through done) if the key's queue is
    // full; kInvalidArgument for a bad key or replica list.
    void Propose(std::string key, std::vector<NodeId> replicas, ChangeFn f, Done done);

    // A Promise or Accepted arrived. Other bytes are dropped with a trace note.
    void Step(NodeId from, std::string_view bytes);
    void Step(NodeId from, const Message& m);

    // One tick: timeouts and backoffs.
    void Tick();

    size_t in_flight() const { return ops_.size(); }
    bool HasShortcut(const std::string& key) const { return shortcuts_.contains(key); }
    // The largest counter this proposer has used or seen.
    uint64_t counter() const { return counter_; }

    // What the proposer did since it opened (the leaderless node's metrics report them).
    struct Stats {
        uint64_t prepares = 0;      // Phase-1 rounds sent (Prepare to the replicas).
        uint64_t fast_accepts = 0;  // Rounds that skipped phase 1 (the one-round-trip path).
        uint64_t conflicts = 0;     // Rounds refused because an acceptor saw a higher ballot.
        uint64_t chosen = 0;        // Requests whose change a quorum accepted.
        uint64_t unknown = 0;       // Requests that ended kTimeout: the change may take effect.
        uint64_t failed = 0;        // Requests that ended in another error: no effect.
    };
    const Stats& stats() const { return stats_; }

private:
    enum class Phase : uint8_t { kPrepare, kAccept, kBackoff };
    struct Op {
        std::string key;
        std::vector<NodeId> replicas;
        ChangeFn f;
        Done done;
        Phase phase = Phase::kPrepare;
        Ballot ballot;
        Ballot base;             // The accepted ballot of the value f was applied to.
        int attempts = 0;        // Prepare attempts so far.
        bool accept_sent = false;  // From then on the outcome can be unknown.
        bool fast = false;       // This attempt took the one-round-trip path.
        uint64_t deadline = 0;   // Tick by which the phase needs its quorum.
        uint64_t retry_at = 0;   // Backoff: tick of the next attempt.
        std::map<NodeId, Message> promises;
        std::set<NodeId> accepted;
        std::set<NodeId> rejected;
        Outcome outcome;
    };
    struct Shortcut {
        Ballot promised;                   // Promised by a quorum with our last accept.
        Ballot base;                       // The ballot our last value was chosen at.
        std::optional<std::string> value;  // That value.
    };

    Proposer(Env& env, storage::Engine& engine, ProposerConfig config, Send send);
    Status ReserveBlock();
    Result<Ballot> NextBallot();

    void Start(Op& op);
    void StartPrepare(Op& op);
    void StartAccept(Op& op, const std::optional<std::string>& current, Ballot base);
    void OnPromise(Op& op, NodeId from, const Message& m);
    void OnAccepted(Op& op, NodeId from, const Message& m);
    void Conflict(Op& op, Ballot seen);
    void Retry(Op& op, Status why);
    void Finish(const std::string& key, Result<Outcome> result);
    void Broadcast(const Op& op, const Message& m);
    static size_t Quorum(const Op& op) { return op.replicas.size() / 2 + 1; }

    Env& env_;
    storage::Engine& engine_;
    ProposerConfig config_;
    Send send_;
    Random rng_;
    Stats stats_;
    uint64_t counter_ = 0;         // The last counter used or seen.
    uint64_t reserved_until_ = 0;  // Counters up to this are durably reserved.
    uint64_t ticks_ = 0;
    std::map<std::string, std::deque<Op>> ops_;  // Per key: the front runs, the rest wait.
    std::map<std::string, Shortcut> shortcuts_;
    std::vector<std::pair<Done, Result<Outcome>>> completed_;  // Delivered on the next Tick.
};

}  // namespace orrery::paxos
