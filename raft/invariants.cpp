// The global Raft invariant checker, incremental. See invariants.h.
#include "raft/invariants.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/checksum.h"

namespace orrery::raft {

uint64_t EntryHash(const Entry& e) {
    return Hash64(e.data, Mix64(e.term.value() * 4 + static_cast<uint64_t>(e.type)));
}

Status InvariantChecker::Check(const std::vector<const RaftNode*>& nodes) {
    touched_.clear();
    for (const RaftNode* n : nodes) ORRERY_RETURN_IF_ERROR(CheckNode(*n));
    for (const RaftNode* n : nodes) ORRERY_RETURN_IF_ERROR(CheckLogMatching(*n));
    for (const RaftNode* n : nodes) {
        if (n->role() != Role::kLeader) continue;
        ORRERY_RETURN_IF_ERROR(CheckLeaderCompleteness(*n));
        ORRERY_RETURN_IF_ERROR(CheckCommitSafety(*n, nodes));
    }
    return Status::Ok();
}

Status InvariantChecker::CheckVote(const RaftNode& n) {
    auto promised = n.promised_vote();
    if (!promised) return Status::Ok();
    auto [it, inserted] = votes_.emplace(std::make_pair(n.id(), promised->first), promised->second);
    if (!inserted && it->second != promised->second) {
        return Status::Corruption(fmt::format("vote safety: {} voted for {} and then for {} in term {}",
                                              n.id(), it->second, promised->second,
                                              promised->first));
    }
    return Status::Ok();
}

namespace {

// §5.4.1: a voter grants its vote only to a candidate whose log is at least as up to date.
bool AtLeastAsUpToDate(Term term, LogIndex index, Term other_term, LogIndex other_index) {
    return term != other_term ? term > other_term : index >= other_index;
}

}  // namespace

// Only a voter whose last term is above the committed entry's term can be unsafe: one whose last
// term is at most that term either holds the entry (log matching) or is less up to date than
// every holder, and the holders are a quorum, so the others are too few to elect it.
Status InvariantChecker::CheckCommitSafety(const RaftNode& leader,
                                           const std::vector<const RaftNode*>& nodes) {
    NodeSeen& s = seen_[leader.id()];
    LogIndex c = leader.commit_index();
    if (c <= s.commit_safe) return Status::Ok();
    s.commit_safe = c;
    const Entry* entry = leader.FindEntry(c);
    std::vector<NodeId> voters = leader.voters();
    if (entry == nullptr || voters.empty()) return Status::Ok();
    size_t quorum = voters.size() / 2 + 1;
    for (NodeId candidate : voters) {
        auto cand = seen_.find(candidate);
        if (cand == seen_.end() || cand->second.last.term <= entry->term) continue;
        const LastSeen& last = cand->second.last;
        auto live = std::find_if(nodes.begin(), nodes.end(),
                                 [&](const RaftNode* n) { return n->id() == candidate; });
        if (HoldsEntry(live == nodes.end() ? nullptr : *live, last, c, entry->term)) continue;
        std::vector<NodeId> electors;
        for (NodeId v : voters) {
            auto it = seen_.find(v);
            if (it == seen_.end() || it->second.last.term == Term(0)) continue;  // Never seen.
            const LastSeen& m = it->second.last;
            if (AtLeastAsUpToDate(last.term, last.index, m.term, m.index)) electors.push_back(v);
        }
        if (electors.size() >= quorum) {
            return Status::Corruption(fmt::format(
                "commit safety: leader {} of term {} committed {}@{}, but {}, whose log lacks it, "
                "could still be elected by {}{}",
                leader.id(), leader.term(), c, entry->term, candidate, fmt::join(electors, ","),
                live == nodes.end() ? " (it is down; its log as last seen)" : ""));
        }
    }
    return Status::Ok();
}

// Whether a node holds (index, term). A live node is asked; for a node that is down, its log as
// last seen is followed back from its last entry through the (index, term) -> previous term
// records of log matching. Where that chain is unknown, the node is assumed to hold the entry
// (the check stays free of false alarms).
bool InvariantChecker::HoldsEntry(const RaftNode* live, const LastSeen& last, LogIndex index,
                                  Term term) const {
    if (live != nullptr) {
        if (live->first_index() > index) return true;  // Compacted past it: it was applied.
        const Entry* e = live->FindEntry(index);
        return e != nullptr && e->term == term;
    }
    if (last.index < index) return false;
    Term t = last.term;
    for (LogIndex i = last.index; i > index; --i) {
        if (t <= term) return t == term;  // Log matching: terms only fall going back.
        auto it = entries_.find(std::make_pair(i, t));
        if (it == entries_.end() || !it->second.prev_known) return true;
        t = it->second.prev;
    }
    return t == term;
}

Status InvariantChecker::CheckNode(const RaftNode& n) {
    if (n.role() == Role::kLeader) {
        auto it = leaders_.find(n.term());
        if (it == leaders_.end()) {
            leaders_.emplace(n.term(), n.id());
        } else if (it->second != n.id()) {
            return Status::Corruption(fmt::format("election safety: {} and {} both leaders in term {}",
                                                  it->second, n.id(), n.term()));
        }
    }
    NodeSeen& s = seen_[n.id()];
    s.last = LastSeen{n.last_term(), n.last_index()};
    ORRERY_RETURN_IF_ERROR(CheckVote(n));
    if (n.commit_index() < s.commit) {
        return Status::Corruption(fmt::format("commit index of {} went back from {} to {}", n.id(),
                                              s.commit, n.commit_index()));
    }
    s.commit = n.commit_index();
    if (n.applied_index() > n.commit_index()) {
        return Status::Corruption(fmt::format("{} applied {} beyond its commit index {}", n.id(),
                                              n.applied_index(), n.commit_index()));
    }
    ORRERY_RETURN_IF_ERROR(Record(committed_, "committed", n, s.commit_scanned + 1,
                                  n.commit_index(), &s.commit_scanned, /*track=*/true));
    return Record(applied_, "applied", n, s.applied_scanned + 1, n.applied_index(),
                  &s.applied_scanned, /*track=*/false);
}

// Records (or compares) the entries in [from, to] of n into `seen`. With `track`, every index
// recorded, or whose lowest committing term went down, is noted in touched_.
Status InvariantChecker::Record(std::map<LogIndex, Fingerprint>& seen, const char* what,
                                const RaftNode& n, LogIndex from, LogIndex to, LogIndex* scanned,
                                bool track) {
    for (LogIndex i = std::max(from, n.first_index()); i <= to; ++i) {
        const Entry* e = n.FindEntry(i);
        if (e == nullptr) break;
        Fingerprint f{e->term, EntryHash(*e), n.id(), n.term()};
        auto [it, inserted] = seen.emplace(i, f);
        if (!inserted && (it->second.term != f.term || it->second.hash != f.hash)) {
            return Status::Corruption(fmt::format(
                "state machine safety: {} {} {}@{} but {} {} {}@{}", n.id(), what, i, f.term,
                it->second.by, what, i, it->second.term));
        }
        bool lowered = !inserted && f.seen < it->second.seen;
        if (lowered) it->second.seen = f.seen;
        if (track && (inserted || lowered)) touched_.push_back(i);
    }
    *scanned = std::max(*scanned, to);
    return Status::Ok();
}

// Log matching (§5.3), incrementally: only entries beyond what was verified of this log (all of
// it again after a rewrite) are looked up in entries_.
Status InvariantChecker::CheckLogMatching(const RaftNode& n) {
    NodeSeen& s = seen_[n.id()];
    if (s.rewrites != n.log_rewrites()) {
        s.rewrites = n.log_rewrites();
        s.matched = LogIndex(0);
    }
    s.matched = std::min(s.matched, n.last_index());
    const Entry* prev = nullptr;
    LogIndex from = std::max(s.matched + 1, n.first_index());
    if (from > n.first_index()) prev = n.FindEntry(from - 1);
    for (LogIndex i = from; i <= n.last_index(); ++i) {
        const Entry* e = n.FindEntry(i);
        ORRERY_RETURN_IF_ERROR(CheckEntry(n, *e, prev));
        prev = e;
    }
    s.matched = n.last_index();
    return Status::Ok();
}

// One entry of n's log against what entries_ knows of its (index, term); prev is the entry
// before it in n's log (nullptr when compacted).
Status InvariantChecker::CheckEntry(const RaftNode& n, const Entry& e, const Entry* prev) {
    ++entries_examined_;
    EntryRecord r{EntryHash(e), n.id(), prev != nullptr, prev ? prev->term : Term(0)};
    auto [it, inserted] = entries_.emplace(std::make_pair(e.index, e.term), r);
    if (inserted) return Status::Ok();
    EntryRecord& known = it->second;
    if (known.hash != r.hash) {
        return Status::Corruption(fmt::format(
            "log matching: {} and {} hold different entries at {}@{}", n.id(), known.by, e.index,
            e.term));
    }
    if (!known.prev_known) {
        known.prev_known = r.prev_known;
        known.prev = r.prev;
    } else if (r.prev_known && known.prev != r.prev) {
        return Status::Corruption(fmt::format(
            "log matching: {}@{} follows term {} on {} but term {} on {}", e.index, e.term,
            r.prev, n.id(), known.prev, known.by));
    }
    return Status::Ok();
}

// Leader completeness (§5.4.1): in full the first time this node leads in this term (or after
// its log was rewritten), then only for the committed entries recorded in this Check.
Status InvariantChecker::CheckLeaderCompleteness(const RaftNode& leader) {
    NodeSeen& s = seen_[leader.id()];
    if (s.led == leader.term() && s.led_rewrites == leader.log_rewrites()) {
        for (LogIndex i : touched_) ORRERY_RETURN_IF_ERROR(CheckLeaderHas(leader, i, committed_[i]));
        return Status::Ok();
    }
    for (auto it = committed_.lower_bound(leader.first_index()); it != committed_.end(); ++it) {
        ORRERY_RETURN_IF_ERROR(CheckLeaderHas(leader, it->first, it->second));
    }
    s.led = leader.term();
    s.led_rewrites = leader.log_rewrites();
    return Status::Ok();
}

Status InvariantChecker::CheckLeaderHas(const RaftNode& leader, LogIndex index,
                                        const Fingerprint& f) {
    if (index < leader.first_index()) return Status::Ok();  // Compacted: covered by a snapshot.
    if (f.seen >= leader.term()) return Status::Ok();      // Committed in its term or later.
    const Entry* e = leader.FindEntry(index);
    if (e == nullptr || e->term != f.term || EntryHash(*e) != f.hash) {
        return Status::Corruption(fmt::format(
            "leader completeness: leader {} of term {} lacks committed entry {}@{}", leader.id(),
            leader.term(), index, f.term));
    }
    return Status::Ok();
}

}  // namespace orrery::raft
