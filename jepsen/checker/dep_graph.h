// The transaction dependency graph (Adya's direct serialization graph, DSG) and its cycles.
//
// Nodes are transactions; an edge Ti -> Tj says Ti must come before Tj in any serial order:
//   ww(k)  Tj installed the version of k that follows Ti's      (write dependency)
//   wr(k)  Tj read the version of k that Ti installed            (read dependency)
//   rw(k)  Tj installed the version of k that follows the one Ti read (anti-dependency)
//   po     Tj is the next transaction of the same client process (process order; optional)
// A cycle means no serial order exists. Adya (MIT thesis, 1999, §4.4) names cycles by their
// edges: G0 (ww only), G1c (ww and wr), G-single (exactly one rw), G2-item (two or more rw).
//
// Cycle search (Elle, §4.3): Tarjan's algorithm finds the strongly connected components; a
// cycle lies inside one. For each class in turn, from the most to the least severe, the search
// takes each edge of the class's characteristic kind inside a component and looks for the
// shortest path back over the edges the class allows (breadth-first), and keeps the shortest
// cycle. Everything is iterative: no recursion on graphs with 100,000 nodes.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::jepsen::checker {

enum class DepKind : uint8_t { kWW, kWR, kRW, kProcess };

// "ww", "wr", "rw", "po".
std::string_view DepKindName(DepKind k);

using KindMask = uint8_t;
constexpr KindMask Bit(DepKind k) { return static_cast<KindMask>(1u << static_cast<unsigned>(k)); }

// One dependency, with what is needed to explain it.
struct DepEdge {
    int32_t from = 0;  // Transaction indexes.
    int32_t to = 0;
    DepKind kind = DepKind::kWW;
    int32_t key = -1;             // Interned key; -1 for process order.
    int64_t before = 0;           // ww: the earlier version; wr/rw: the version read.
    int64_t after = 0;            // ww: the later version; rw: the version that followed.
    bool before_initial = false;  // rw: the version read was the initial one (nothing).
    bool after_unread = false;    // ww/rw: no read saw `after`; it came later, not next.
};

class DepGraph {
public:
    explicit DepGraph(size_t nodes) : out_(nodes) {}

    // Adds an edge; self-edges are ignored (a txn never depends on itself).
    void Add(const DepEdge& e);
    // Sorts each node's edges and keeps one per (target, kind), the first added. Call after
    // the last Add (again after adding more).
    void Finalize();

    size_t node_count() const { return out_.size(); }
    size_t edge_count() const;
    const std::vector<DepEdge>& Out(int32_t node) const { return out_[static_cast<size_t>(node)]; }

    // Returns the strongly connected components of two or more nodes over the edges in
    // `mask`, each sorted, ordered by their smallest node.
    std::vector<std::vector<int32_t>> Components(KindMask mask) const;

private:
    std::vector<std::vector<DepEdge>> out_;
};

// A cycle and its class.
struct Cycle {
    std::string anomaly;         // "G0", "G1c", "G-single", "G2-item"; "-process" appended
                                 // when it needs a process-order edge.
    std::vector<DepEdge> edges;  // edges[i].to == edges[i+1].from; last.to == first.from.
};

struct CycleSearchLimits {
    size_t cycles_per_class_max = 3;      // Cycles reported per anomaly class.
    size_t tries_per_component_max = 64;  // Characteristic edges tried per component.
};

struct CycleSearchResult {
    std::vector<Cycle> cycles;                          // Reported cycles, most severe first.
    std::vector<std::pair<std::string, size_t>> found;  // Class -> components where found,
                                                        // in the order first found.
};

// Finds, per class, the shortest cycle of each component (up to the limits).
CycleSearchResult FindCycles(const DepGraph& graph, const CycleSearchLimits& limits);

}  // namespace orrery::jepsen::checker
