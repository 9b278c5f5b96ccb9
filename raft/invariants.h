// InvariantChecker: Raft's safety properties (Raft §5.4, Figure 3), checked globally over every
// node after every event (the simulator and the scenario tests run it; LogCabin does the same).
//
//  - Election safety: at most one leader per term, over the whole run (crashes included).
//  - Log matching: if two logs hold an entry with the same index and term, they are identical in
//    every entry up to that index (checked over the in-memory logs of the live nodes).
//  - Leader completeness: a leader's log holds every entry seen committed (by any node) while
//    that node was in an earlier term than the leader's, at every index it has not compacted.
//  - State-machine safety: no two nodes apply different entries at one index (tracked globally,
//    across crashes), and no index ever commits two different entries.
//  - On each node within one lifetime the commit index never decreases; applied <= commit.
//
// The checker keeps its history (leaders per term, committed and applied entries by index) across
// crashes, so a violation that spans a restart is still caught. Call OnRestart(id) when a node's
// object is rebuilt: its commit index may then be re-learned from a lower value.
#pragma once

#include <cstdint>
#include <map>
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

    // A node restarted (a new RaftNode object): forget its per-lifetime state.
    void OnRestart(NodeId id) { seen_.erase(id); }

private:
    struct Fingerprint {
        Term term;
        uint64_t hash = 0;
        NodeId by;   // The first node seen with it.
        Term seen;   // The lowest term of a node seen holding it committed.
    };
    struct NodeSeen {
        LogIndex commit;
        LogIndex commit_scanned;   // Committed entries up to here are recorded.
        LogIndex applied_scanned;  // Applied entries up to here are recorded.
    };

    Status CheckNode(const RaftNode& n);
    Status Record(std::map<LogIndex, Fingerprint>& seen, const char* what, const RaftNode& n,
                  LogIndex from, LogIndex to, LogIndex* scanned);
    Status CheckLeaderCompleteness(const RaftNode& leader) const;
    static Status CheckLogMatching(const RaftNode& a, const RaftNode& b);

    std::map<Term, NodeId> leaders_;
    std::map<LogIndex, Fingerprint> committed_;
    std::map<LogIndex, Fingerprint> applied_;
    std::map<NodeId, NodeSeen> seen_;
};

// A 64-bit fingerprint of an entry's term, type and data.
uint64_t EntryHash(const Entry& e);

}  // namespace orrery::raft
