// The global Raft invariant checker. See invariants.h.
#include "raft/invariants.h"

#include <fmt/format.h>

#include "core/checksum.h"

namespace orrery::raft {

uint64_t EntryHash(const Entry& e) {
    return Hash64(e.data, Mix64(e.term.value() * 4 + static_cast<uint64_t>(e.type)));
}

Status InvariantChecker::Check(const std::vector<const RaftNode*>& nodes) {
    for (const RaftNode* n : nodes) ORRERY_RETURN_IF_ERROR(CheckNode(*n));
    for (size_t i = 0; i < nodes.size(); ++i) {
        for (size_t j = i + 1; j < nodes.size(); ++j) {
            ORRERY_RETURN_IF_ERROR(CheckLogMatching(*nodes[i], *nodes[j]));
        }
    }
    for (const RaftNode* n : nodes) {
        if (n->role() == Role::kLeader) ORRERY_RETURN_IF_ERROR(CheckLeaderCompleteness(*n));
    }
    return Status::Ok();
}

Status InvariantChecker::CheckNode(const RaftNode& n) {
    if (n.role() == Role::kLeader) {
        auto [it, inserted] = leaders_.emplace(n.term(), n.id());
        if (!inserted && it->second != n.id()) {
            return Status::Corruption(fmt::format("election safety: {} and {} both leaders in term {}",
                                                  it->second, n.id(), n.term()));
        }
    }
    NodeSeen& s = seen_[n.id()];
    if (n.commit_index() < s.commit) {
        return Status::Corruption(fmt::format("commit index of {} went back from {} to {}", n.id(),
                                              s.commit, n.commit_index()));
    }
    s.commit = n.commit_index();
    if (n.applied_index() > n.commit_index()) {
        return Status::Corruption(fmt::format("{} applied {} beyond its commit index {}", n.id(),
                                              n.applied_index(), n.commit_index()));
    }
    ORRERY_RETURN_IF_ERROR(Record(committed_, "committed", n, s.commit_scanned + 1, n.commit_index(),
                                  &s.commit_scanned));
    return Record(applied_, "applied", n, s.applied_scanned + 1, n.applied_index(),
                  &s.applied_scanned);
}

// Records (or compares) the entries in [from, to] of n into `seen`.
Status InvariantChecker::Record(std::map<LogIndex, Fingerprint>& seen, const char* what,
                                const RaftNode& n, LogIndex from, LogIndex to, LogIndex* scanned) {
    for (LogIndex i = std::max(from, n.first_index()); i <= to; ++i) {
        const Entry* e = n.FindEntry(i);
        if (e == nullptr) break;
        Fingerprint f{e->term, EntryHash(*e), n.id(), n.term()};
        auto [it, inserted] = seen.emplace(i, f);
        if (!inserted) it->second.seen = std::min(it->second.seen, f.seen);
        if (!inserted && (it->second.term != f.term || it->second.hash != f.hash)) {
            return Status::Corruption(fmt::format(
                "state machine safety: {} {} {}@{} but {} {} {}@{}", n.id(), what, i, f.term,
                it->second.by, what, i, it->second.term));
        }
    }
    *scanned = std::max(*scanned, to);
    return Status::Ok();
}

Status InvariantChecker::CheckLeaderCompleteness(const RaftNode& leader) const {
    for (auto it = committed_.lower_bound(leader.first_index()); it != committed_.end(); ++it) {
        if (it->second.seen >= leader.term()) continue;  // Committed in its term or later.
        const Entry* e = leader.FindEntry(it->first);
        if (e == nullptr || e->term != it->second.term || EntryHash(*e) != it->second.hash) {
            return Status::Corruption(fmt::format(
                "leader completeness: leader {} of term {} lacks committed entry {}@{}", leader.id(),
                leader.term(), it->first, it->second.term));
        }
    }
    return Status::Ok();
}

// Log matching (§5.3): find the highest index both logs hold with the same term; below it, within
// both logs, every entry must be identical.
Status InvariantChecker::CheckLogMatching(const RaftNode& a, const RaftNode& b) {
    LogIndex lo = std::max(a.first_index(), b.first_index());
    LogIndex hi = std::min(a.last_index(), b.last_index());
    if (lo > hi) return Status::Ok();
    LogIndex i = hi;
    while (i >= lo && a.FindEntry(i)->term != b.FindEntry(i)->term) --i;
    for (; i >= lo; --i) {
        const Entry* x = a.FindEntry(i);
        const Entry* y = b.FindEntry(i);
        if (x->term != y->term || x->type != y->type || x->data != y->data) {
            return Status::Corruption(fmt::format(
                "log matching: {} and {} share an entry at a higher index but differ at {} ({}@{} vs "
                "{}@{})", a.id(), b.id(), i, i, x->term, i, y->term));
        }
        if (i == LogIndex(0)) break;
    }
    return Status::Ok();
}

}  // namespace orrery::raft
