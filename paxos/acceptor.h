// Acceptor: the CASPaxos acceptor for every key on one node (Rystsov 2018, §2.1).
//
// Per key it keeps (promised ballot, accepted ballot, accepted value) and answers:
//   Prepare(b): a conflict if it saw a ballot greater than b (promised or accepted); otherwise
//               it promises b and returns what it accepted;
//   Accept(b, v, next): a conflict if it saw a ballot greater than b; otherwise it accepts v at
//               b and, with the one-round-trip optimisation, promises `next` at the same time.
// "Saw" means max(promised, accepted). A repeated Prepare or Accept at the same ballot is
// answered the same way again (the network duplicates messages).
//
// Durability (the rule that makes Paxos survive crashes): the new state is written to the
// storage engine *and synced* before Handle returns the reply, so an acceptor never forgets a
// promise or an accepted value it told anyone about. Bug switch paxos.forget-promise breaks
// exactly this for promises: they are kept in memory only, and a restarted acceptor can accept
// a ballot lower than one it promised.
//
// Records live in the engine under key_prefix + key; each is version (1) | promised | accepted
// | value, and the engine checksums it. A record that fails to decode is kCorruption: the node
// must stop rather than answer from state it cannot trust.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "core/env.h"
#include "paxos/ballot.h"
#include "paxos/message.h"
#include "storage/engine.h"

namespace orrery::paxos {

struct AcceptorState {
    Ballot promised;
    Ballot accepted;
    std::optional<std::string> value;
    // The highest ballot this acceptor has seen for the key.
    Ballot seen() const { return std::max(promised, accepted); }
    friend bool operator==(const AcceptorState&, const AcceptorState&) = default;
};

// Told of every promise made and every durable accept, for the global invariants
// (invariants.h).
class AcceptObserver {
public:
    virtual ~AcceptObserver() = default;
    // The acceptor answers a Prepare at `ballot` with a promise.
    virtual void OnPromised(NodeId acceptor, const std::string& key, Ballot ballot) = 0;
    virtual void OnAccepted(NodeId acceptor, const std::string& key, Ballot ballot, Ballot base,
                            const std::optional<std::string>& value) = 0;
};

struct AcceptorConfig {
    std::string key_prefix = "paxos/";
    bool bug_forget_promise = false;  // paxos.forget-promise: promises are not persisted.
};

class Acceptor {
public:
    // `env`, `engine` and `observer` (may be null) outlive the acceptor.
    Acceptor(Env& env, storage::Engine& engine, AcceptorConfig config,
             AcceptObserver* observer = nullptr);

    // Handles a Prepare or Accept and returns the reply, whose state is durable by then.
    // InvalidArgument for other message types; IOError/NoSpace/Corruption when the engine
    // fails (the host must then stop the node: fail-stop).
    Result<Message> Handle(const Message& m);

    // The state of `key` (durable, or in memory under the forget-promise bug).
    Result<AcceptorState> Load(const std::string& key);

    uint64_t syncs() const { return syncs_; }

private:
    Result<Message> HandlePrepare(const Message& m);
    Result<Message> HandleAccept(const Message& m);
    Status Store(const std::string& key, const AcceptorState& s, bool durable);

    Env& env_;
    storage::Engine& engine_;
    AcceptorConfig config_;
    AcceptObserver* observer_;
    // A cache of the records read or written in this lifetime. Bounded by the keys touched,
    // which the workloads keep small; it dies with the process, so a restart reads the disk.
    std::map<std::string, AcceptorState> cache_;
    uint64_t syncs_ = 0;
};

// The record format (exposed for tests).
std::string EncodeAcceptorState(const AcceptorState& s);
Result<AcceptorState> DecodeAcceptorState(std::string_view bytes);

}  // namespace orrery::paxos
