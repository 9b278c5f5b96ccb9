// PaxosInvariants: see invariants.h.
#include "paxos/invariants.h"

namespace orrery::paxos {

void PaxosInvariants::Violate(std::string what) {
    if (violation_.ok()) violation_ = Status::Corruption(std::move(what));
}

void PaxosInvariants::OnPromised(NodeId acceptor, const std::string& key, Ballot ballot) {
    Ballot& highest = promised_[{acceptor, key}];
    if (ballot < highest) {
        Violate(fmt::format("promise broken: {} promised {} on {} after promising {}", acceptor,
                            ballot, key, highest));
    }
    highest = std::max(highest, ballot);
}

void PaxosInvariants::OnAccepted(NodeId acceptor, const std::string& key, Ballot ballot,
                                 Ballot base, const std::optional<std::string>& value) {
    auto promise = promised_.find({acceptor, key});
    if (promise != promised_.end() && ballot < promise->second) {
        Violate(fmt::format("promise broken: {} accepted {} on {} after promising {}", acceptor,
                            ballot, key, promise->second));
    }
    auto [it, fresh] = accepts_[key].try_emplace(ballot, Accepts{value, base, {}});
    Accepts& a = it->second;
    if (!fresh && (a.value != value || a.base != base)) {
        Violate(fmt::format("two values for one ballot: {} accepted {}={} at {}, another acceptor "
                            "{}", acceptor, key, ValueText(value), ballot, ValueText(a.value)));
    }
    a.acceptors.insert(acceptor);
    if (a.acceptors.size() == quorum_) Chosen(key, ballot, base);
}

void PaxosInvariants::Chosen(const std::string& key, Ballot ballot, Ballot base) {
    ++chosen_count_;
    std::map<Ballot, Ballot>& chosen = chosen_[key];
    // A value chosen between this one's base and this one was skipped: it is lost.
    for (auto it = chosen.upper_bound(base); it != chosen.end() && it->first < ballot; ++it) {
        Violate(fmt::format("chosen value lost: {} at {} was chosen, but the value chosen at {} "
                            "was computed from the value at {}", key, it->first, ballot, base));
    }
    // And a value chosen after this one must not have skipped this one.
    for (auto it = chosen.upper_bound(ballot); it != chosen.end(); ++it) {
        if (it->second < ballot) {
            Violate(fmt::format("chosen value lost: {} at {} was chosen, but the value chosen at "
                                "{} was computed from the value at {}", key, ballot, it->first,
                                it->second));
        }
    }
    chosen.emplace(ballot, base);
}

}  // namespace orrery::paxos
