// Dependency graph, Tarjan's components and shortest-cycle search. See dep_graph.h.
#include "jepsen/checker/dep_graph.h"

#include <algorithm>
#include <map>

#include "core/assert.h"

namespace orrery::jepsen::checker {
namespace {

constexpr KindMask kWW = Bit(DepKind::kWW);
constexpr KindMask kWR = Bit(DepKind::kWR);
constexpr KindMask kRW = Bit(DepKind::kRW);
constexpr KindMask kPO = Bit(DepKind::kProcess);

// Breadth-first shortest paths inside one component, with scratch arrays reused across
// searches (stamped, so a search costs what it visits, not the graph's size).
class PathFinder {
public:
    PathFinder(const DepGraph& graph, const std::vector<int32_t>& component_of)
        : graph_(graph),
          component_of_(component_of),
          stamp_(graph.node_count(), 0),
          via_(graph.node_count()) {}

    // Returns the shortest path from `from` to `to` over `mask` edges within `from`'s
    // component, of at most `edges_max` edges; empty when there is none.
    std::vector<DepEdge> Find(int32_t from, int32_t to, KindMask mask, size_t edges_max);

private:
    const DepGraph& graph_;
    const std::vector<int32_t>& component_of_;
    std::vector<uint32_t> stamp_;  // == generation_ iff visited in this search.
    std::vector<DepEdge> via_;     // The edge that first reached each visited node.
    uint32_t generation_ = 0;
};

std::vector<DepEdge> PathFinder::Find(int32_t from, int32_t to, KindMask mask, size_t edges_max) {
    ++generation_;
    int32_t component = component_of_[static_cast<size_t>(from)];
    std::vector<int32_t> frontier{from}, next;
    stamp_[static_cast<size_t>(from)] = generation_;
    bool reached = from == to;
    for (size_t depth = 0; depth < edges_max && !reached && !frontier.empty(); ++depth) {
        next.clear();
        for (int32_t v : frontier) {
            for (const DepEdge& e : graph_.Out(v)) {
                auto w = static_cast<size_t>(e.to);
                if ((mask & Bit(e.kind)) == 0 || component_of_[w] != component) continue;
                if (stamp_[w] == generation_) continue;
                stamp_[w] = generation_;
                via_[w] = e;
                next.push_back(e.to);
                if (e.to == to) reached = true;
            }
        }
        frontier.swap(next);
    }
    std::vector<DepEdge> path;
    if (!reached || from == to) return path;
    for (int32_t v = to; v != from; v = via_[static_cast<size_t>(v)].from) {
        path.push_back(via_[static_cast<size_t>(v)]);
        ORRERY_ASSERT(path.size() <= edges_max, "BFS path longer than its bound");
    }
    std::reverse(path.begin(), path.end());
    return path;
}

std::string ClassOf(const std::vector<DepEdge>& edges) {
    size_t rw = 0, wr = 0, po = 0;
    for (const DepEdge& e : edges) {
        rw += e.kind == DepKind::kRW;
        wr += e.kind == DepKind::kWR;
        po += e.kind == DepKind::kProcess;
    }
    std::string name = rw >= 2 ? "G2-item" : rw == 1 ? "G-single" : wr > 0 ? "G1c" : "G0";
    return po > 0 ? name + "-process" : name;
}

struct ClassSearch {
    KindMask component_mask;  // Edges that define the components searched.
    KindMask path_mask;       // Edges the way back may use.
    DepKind target;           // The class's characteristic edge, tried first in each cycle.
};

// Searches one component for its shortest cycle that starts with a `target` edge.
std::vector<DepEdge> ShortestCycle(const DepGraph& graph, const std::vector<int32_t>& nodes,
                                   const ClassSearch& search, PathFinder& finder,
                                   const std::vector<int32_t>& component_of,
                                   const CycleSearchLimits& limits) {
    std::vector<DepEdge> best;
    size_t tries = 0;
    for (int32_t v : nodes) {
        for (const DepEdge& e : graph.Out(v)) {
            if (e.kind != search.target) continue;
            if (component_of[static_cast<size_t>(e.to)] != component_of[static_cast<size_t>(v)])
                continue;
            if (tries++ >= limits.tries_per_component_max) return best;
            size_t bound = best.empty() ? graph.node_count() : best.size() - 2;
            if (!best.empty() && best.size() <= 2) return best;
            std::vector<DepEdge> back = finder.Find(e.to, e.from, search.path_mask, bound);
            if (back.empty()) continue;
            back.insert(back.begin(), e);
            best = std::move(back);
        }
    }
    return best;
}

}  // namespace

std::string_view DepKindName(DepKind k) {
    switch (k) {
        case DepKind::kWW:
            return "ww";
        case DepKind::kWR:
            return "wr";
        case DepKind::kRW:
            return "rw";
        case DepKind::kProcess:
            return "po";
    }
    return "?";
}

void DepGraph::Add(const DepEdge& e) {
    ORRERY_ASSERT(e.from >= 0 && static_cast<size_t>(e.from) < out_.size(), "bad edge source");
    ORRERY_ASSERT(e.to >= 0 && static_cast<size_t>(e.to) < out_.size(), "bad edge target");
    if (e.from != e.to) out_[static_cast<size_t>(e.from)].push_back(e);
}

void DepGraph::Finalize() {
    for (std::vector<DepEdge>& edges : out_) {
        std::stable_sort(edges.begin(), edges.end(), [](const DepEdge& a, const DepEdge& b) {
            return a.to != b.to ? a.to < b.to : a.kind < b.kind;
        });
        auto last = std::unique(edges.begin(), edges.end(), [](const DepEdge& a, const DepEdge& b) {
            return a.to == b.to && a.kind == b.kind;
        });
        edges.erase(last, edges.end());
    }
}

size_t DepGraph::edge_count() const {
    size_t n = 0;
    for (const auto& edges : out_) n += edges.size();
    return n;
}

std::vector<std::vector<int32_t>> DepGraph::Components(KindMask mask) const {
    // Tarjan (1972), with an explicit stack of (node, next edge) frames instead of recursion.
    const auto n = static_cast<int32_t>(out_.size());
    std::vector<int32_t> index(out_.size(), -1), low(out_.size(), 0), stack;
    std::vector<bool> on_stack(out_.size(), false);
    std::vector<std::pair<int32_t, size_t>> frames;
    std::vector<std::vector<int32_t>> components;
    int32_t counter = 0;
    for (int32_t root = 0; root < n; ++root) {
        if (index[root] != -1) continue;
        frames.push_back({root, 0});
        index[root] = low[root] = counter++;
        stack.push_back(root);
        on_stack[root] = true;
        while (!frames.empty()) {
            auto& [v, next_edge] = frames.back();
            if (next_edge < out_[v].size()) {
                const DepEdge& e = out_[v][next_edge++];
                if ((mask & Bit(e.kind)) == 0) continue;
                int32_t w = e.to;
                if (index[w] == -1) {
                    index[w] = low[w] = counter++;
                    stack.push_back(w);
                    on_stack[w] = true;
                    frames.push_back({w, 0});  // Invalidates v and next_edge.
                } else if (on_stack[w]) {
                    low[v] = std::min(low[v], index[w]);
                }
                continue;
            }
            int32_t done = v;
            frames.pop_back();
            if (!frames.empty())
                low[frames.back().first] = std::min(low[frames.back().first], low[done]);
            if (low[done] != index[done]) continue;
            std::vector<int32_t> component;
            int32_t w = -1;
            do {
                w = stack.back();
                stack.pop_back();
                on_stack[w] = false;
                component.push_back(w);
            } while (w != done);
            if (component.size() < 2) continue;
            std::sort(component.begin(), component.end());
            components.push_back(std::move(component));
        }
    }
    std::sort(components.begin(), components.end());
    return components;
}

CycleSearchResult FindCycles(const DepGraph& graph, const CycleSearchLimits& limits) {
    // Most severe first. G-single's way back may not use rw edges; G2-item's may, and it is
    // searched only in components where no G-single was found, so its cycles have >= 2 rw.
    const ClassSearch kSearches[] = {
        {kWW | kPO, kWW | kPO, DepKind::kWW},
        {kWW | kWR | kPO, kWW | kWR | kPO, DepKind::kWR},
        {kWW | kWR | kRW | kPO, kWW | kWR | kPO, DepKind::kRW},
        {kWW | kWR | kRW | kPO, kWW | kWR | kRW | kPO, DepKind::kRW},
    };
    CycleSearchResult result;
    std::map<std::string, size_t> found;
    std::vector<bool> has_single;  // By component of the full graph (searches 2 and 3 share).
    for (size_t s = 0; s < 4; ++s) {
        const ClassSearch& search = kSearches[s];
        std::vector<std::vector<int32_t>> components = graph.Components(search.component_mask);
        std::vector<int32_t> component_of(graph.node_count(), -1);
        for (size_t c = 0; c < components.size(); ++c) {
            for (int32_t v : components[c])
                component_of[static_cast<size_t>(v)] = static_cast<int32_t>(c);
        }
        if (s == 2) has_single.assign(components.size(), false);
        PathFinder finder(graph, component_of);
        for (size_t c = 0; c < components.size(); ++c) {
            if (s == 3 && has_single[c]) continue;
            std::vector<DepEdge> edges =
                ShortestCycle(graph, components[c], search, finder, component_of, limits);
            if (edges.empty()) continue;
            if (s == 2) has_single[c] = true;
            std::string name = ClassOf(edges);
            if (found[name] == 0) result.found.emplace_back(name, 0);
            if (found[name]++ < limits.cycles_per_class_max) {
                result.cycles.push_back({name, std::move(edges)});
            }
        }
    }
    for (auto& [name, count] : result.found) count = found[name];
    return result;
}

}  // namespace orrery::jepsen::checker
