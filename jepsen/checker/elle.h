// Elle-style checking of transactional histories (Kingsbury & Alvaro, "Elle: Inferring
// Isolation Anomalies from Experimental Observations", VLDB 2020).
//
// Elle does not search over orders the way the linearizability checker does. It *infers* the
// order of versions of each key from what reads saw, derives the dependency edges between
// transactions (dep_graph.h), and looks for cycles. Two workloads make the inference possible:
//
//  list-append: every read returns the whole list, so the longest read of a key shows the
//    order of every append it contains, and every other read must be a prefix of it (else the
//    versions were seen in incompatible orders). See list_append.cpp.
//  rw-register: a read names the one write it saw (written values are unique), but says
//    nothing about the order of other writes. Only some version order can be inferred, so
//    some cycles go unseen. See rw_register.cpp for exactly what is inferred.
//
// Besides cycles, the inference reports anomalies that need no cycle: G1a (aborted read: a
// read saw a write of a transaction that failed), G1b (intermediate read: a read saw a
// version its writer later overwrote in the same transaction), incompatible-order,
// duplicate-elements (a list read shows an element twice), dirty-update (a committed append
// after a failed one), duplicate-append / duplicate-write (a value written twice: the
// workload's promise broken), and unwritten-value (a read saw a value no operation wrote).
// txn_local.cpp adds internal (a read disagrees with its own transaction's earlier micro-ops)
// and lost-update (two committed transactions read one version of a key and both wrote it).
// The names are Elle's.
#pragma once

#include <string>
#include <vector>

#include "jepsen/checker/dep_graph.h"
#include "jepsen/checker/txn.h"
#include "jepsen/checker/verdict.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

// An anomaly found without a cycle.
struct Anomaly {
    std::string name;  // "G1a", "G1b", "incompatible-order", ...
    std::string text;  // One line of evidence.
};

// What the inference of one workload produced.
struct Inference {
    explicit Inference(size_t txns) : graph(txns) {}
    DepGraph graph;
    std::vector<Anomaly> anomalies;
};

// Infers the list-append dependency graph and cycle-free anomalies. The graph is finalized.
Inference InferListAppend(const TxnHistory& history);

// Infers the rw-register dependency graph and cycle-free anomalies. The graph is finalized.
Inference InferRwRegister(const TxnHistory& history);

// Appends the internal and lost-update anomalies of `history` to `out`.
void FindLocalAnomalies(const TxnHistory& history, TxnKind kind, std::vector<Anomaly>& out);

struct ElleOptions {
    // Add po edges between consecutive transactions of one process: checks strong session
    // serializability instead of serializability.
    bool process_order = false;
    CycleSearchLimits limits;
    size_t anomalies_shown_max = 4;  // Cycle-free anomalies printed per name.
};

// Checks a list-append or rw-register history. InvalidArgument names a malformed line.
Result<CheckReport> CheckTransactions(const History& history, TxnKind kind,
                                      const SourceLines& lines, const ElleOptions& options);

// Renders a cycle as a chain: "T12 -ww(x)-> T40 -rw(y)-> T12".
std::string RenderCycle(const Cycle& cycle, const TxnHistory& history);

// Renders a read list, eliding the middle of long ones: [1,2,3] or [1,2,..,9,10].
std::string RenderList(const std::vector<int64_t>& list);

// Explains one edge in words, e.g. "T40 read x = [.., 3] and missed T12's append of 4".
std::string ExplainEdge(const DepEdge& e, const TxnHistory& history, TxnKind kind);

}  // namespace orrery::jepsen::checker
