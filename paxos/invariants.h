// Global CASPaxos invariants, checked across every acceptor of a run (the simulator and the
// scenario tests feed it every durable accept through AcceptObserver).
//
//  1. One value per ballot: no two acceptors accept different values at the same (key, ballot).
//     (A proposer sends one value per ballot, and ballots are never reused: proposer.h.)
//  2. A chosen value is never lost: once a quorum accepted (key, b), every value later chosen on
//     the key at a ballot b2 > b was computed from a value accepted at b or later (its `base`,
//     carried by the Accept, is >= b). This is Paxos' safety stated for CASPaxos: the change
//     functions form one chain, and no chosen link is skipped.
//  3. A promise is kept: an acceptor never promises or accepts a ballot lower than one it
//     promised before, in this life or an earlier one (Paxos' acceptor rule, which holds across
//     crashes only because the promise is synced before the Promise leaves).
// A violation is kept (the first one) and reported through violation().
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "core/status.h"
#include "paxos/acceptor.h"

namespace orrery::paxos {

class PaxosInvariants final : public AcceptObserver {
public:
    // `quorum`: how many acceptors make a value chosen (a majority of the replication factor).
    explicit PaxosInvariants(size_t quorum) : quorum_(quorum) {}

    void OnPromised(NodeId acceptor, const std::string& key, Ballot ballot) override;
    void OnAccepted(NodeId acceptor, const std::string& key, Ballot ballot, Ballot base,
                    const std::optional<std::string>& value) override;

    // OK, or the first violation.
    const Status& violation() const { return violation_; }
    uint64_t chosen() const { return chosen_count_; }

private:
    struct Accepts {
        std::optional<std::string> value;
        Ballot base;
        std::set<NodeId> acceptors;
    };
    void Chosen(const std::string& key, Ballot ballot, Ballot base);
    void Violate(std::string what);

    size_t quorum_;
    std::map<std::string, std::map<Ballot, Accepts>> accepts_;
    std::map<std::string, std::map<Ballot, Ballot>> chosen_;  // key -> ballot -> base.
    std::map<std::pair<NodeId, std::string>, Ballot> promised_;  // The highest promise made.
    uint64_t chosen_count_ = 0;
    Status violation_;
};

}  // namespace orrery::paxos
