// InvariantChecker: Raft's safety properties (Raft §5.4, Figure 3), checked globally over every
// node after every event (the simulator and the scenario tests run it; LogCabin does the same).
//
//  - Election safety: at most one leader per term, over the whole run (crashes included).
//  - Log matching (§5.3): an (index, term) pair names one entry, ever: every log that holds it
//    holds the same bytes, preceded by the same term at index - 1. By induction on the index,
//    two logs sharing an (index, term) are then identical up to it (within both logs), which is
//    the property of Figure 3.
//  - Leader completeness: a leader's log holds every entry seen committed (by any node) while
//    that node was in an earlier term than the leader's, at every index it has not compacted.
//  - State-machine safety: no two nodes apply different entries at one index (tracked globally,
//    across crashes), and no index ever commits two different entries.
//  - Vote safety (the root of election safety): a node promises at most one candidate per term,
//    across its crashes (RaftNode::promised_vote). Two leaders need this broken and a split vote
//    besides; a broken vote alone is already a violation.
//  - Commit safety (what §5.4.2 protects): when a leader advances its commit index to c, no voter
//    whose log lacks entry c could still win an election, i.e. none is at least as up to date
//    (§5.4.1) as a quorum of voters, itself included. A crashed voter counts with the log it had
//    when last seen. This is the inductive step behind leader completeness, so it fails at the
//    moment of a bad commit (Figure 8 (c)), before any later leader erases the entry.
//  - On each node within one lifetime the commit index never decreases; applied <= commit.
//
// The checker is incremental, so a check costs O(what changed since the last one), not O(nodes²
// × log length): it records every (index, term) it has seen once, in `entries_`, and remembers
// per node how far it has verified that node's log. A log is re-verified from its start only when
// its RaftNode::log_rewrites() count moved (a suffix truncated or the log replaced). A leader's
// completeness is checked in full once per (leader, term, rewrite count), then only against the
// entries newly seen committed. The checker keeps its history (leaders per term, entries,
// committed and applied entries by index) across crashes, so a violation that spans a restart
// is still caught. Call OnRestart(id) when a node's object is rebuilt.
#pragma once

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "core/status.h"
#include "raft/raft.h"

namespace orrery::raft {

class InvariantChecker {
public:
    // Checks every property over the live nodes (crashed nodes are simply not passed). Returns
    // kCorruption describing the first violation found, e.g.
    // "election safety: n1 and n3 both leaders in term 4".
    Status Check(const std::vector<const RaftNode*>& nodes);

    // A node restarted (a new RaftNode object): forget its per-lifetime state (what it promised
    // and how up to date it was are kept: they outlive a crash).
    void OnRestart(NodeId id) {
        LastSeen last = seen_[id].last;
        seen_.erase(id);
        seen_[id].last = last;
    }

    // How many log entries the checker has examined for log matching so far (for tests that
    // show the work is incremental).
    uint64_t entries_examined() const { return entries_examined_; }

private:
    struct Fingerprint {
        Term term;
        uint64_t hash = 0;
        NodeId by;   // The first node seen with it.
        Term seen;   // The lowest term of a node seen holding it committed.
    };
    // What one (index, term) holds, as first seen.
    struct EntryRecord {
        uint64_t hash = 0;
        NodeId by;               // The first node seen with it.
        bool prev_known = false;
        Term prev;               // The term at index - 1 (once some node showed it).
    };
    struct LastSeen {  // How up to date a node's log was when last seen (Term 0: never seen).
        Term term;
        LogIndex index;
    };
    struct NodeSeen {
        LastSeen last;
        LogIndex commit;
        LogIndex commit_safe;      // Commit safety checked up to here (as leader, this lifetime).
        LogIndex commit_scanned;   // Committed entries up to here are recorded.
        LogIndex applied_scanned;  // Applied entries up to here are recorded.
        LogIndex matched;          // Log entries up to here are verified against entries_.
        uint64_t rewrites = 0;     // log_rewrites() as of `matched`.
        Term led;                  // Leader completeness fully checked in this term (0: never)...
        uint64_t led_rewrites = 0; // ...with this rewrite count.
    };

    Status CheckNode(const RaftNode& n);
    Status Record(std::map<LogIndex, Fingerprint>& seen, const char* what, const RaftNode& n,
                  LogIndex from, LogIndex to, LogIndex* scanned, bool track);
    Status CheckLogMatching(const RaftNode& n);
    Status CheckEntry(const RaftNode& n, const Entry& e, const Entry* prev);
    Status CheckLeaderCompleteness(const RaftNode& leader);
    Status CheckVote(const RaftNode& n);
    Status CheckCommitSafety(const RaftNode& leader, const std::vector<const RaftNode*>& nodes);
    bool HoldsEntry(const RaftNode* live, const LastSeen& last, LogIndex index, Term term) const;
    static Status CheckLeaderHas(const RaftNode& leader, LogIndex index, const Fingerprint& f);

    std::map<Term, NodeId> leaders_;
    std::map<std::pair<NodeId, Term>, NodeId> votes_;  // (voter, term) -> promised candidate.
    std::map<std::pair<LogIndex, Term>, EntryRecord> entries_;
    std::map<LogIndex, Fingerprint> committed_;
    std::map<LogIndex, Fingerprint> applied_;
    std::map<NodeId, NodeSeen> seen_;
    std::vector<LogIndex> touched_;  // Committed indexes recorded or re-seen in this Check.
    uint64_t entries_examined_ = 0;
};

// A 64-bit fingerprint of an entry's term, type and data.
uint64_t EntryHash(const Entry& e);

}  // namespace orrery::raft
