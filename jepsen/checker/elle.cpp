// Checking transactional histories: inference, cycle search and the report. See elle.h.
#include "jepsen/checker/elle.h"

#include <fmt/format.h>

#include <map>

namespace orrery::jepsen::checker {
namespace {

// Anomalies print most severe first (Adya's order), then the non-Adya ones by name.
int Rank(const std::string& name) {
    static const char* const kOrder[] = {"G0", "G1a", "G1b", "G1c", "G-single", "G2-item"};
    for (int i = 0; i < 6; ++i) {
        if (name.rfind(kOrder[i], 0) == 0) return i;
    }
    return 6;
}

// Adds po edges between consecutive committed-or-unknown transactions of each process.
void AddProcessOrder(const TxnHistory& h, DepGraph& graph) {
    std::map<int64_t, int32_t> last;  // process -> its latest txn so far.
    for (size_t t = 0; t < h.txns.size(); ++t) {
        if (h.txns[t].outcome == OpType::kFail) continue;
        auto [it, inserted] = last.emplace(h.txns[t].process, static_cast<int32_t>(t));
        if (!inserted) {
            graph.Add({it->second, static_cast<int32_t>(t), DepKind::kProcess, -1, 0, 0, false});
            it->second = static_cast<int32_t>(t);
        }
    }
}

std::string RenderCycleBlock(const Cycle& c, const TxnHistory& h, TxnKind kind) {
    std::string out = "  " + RenderCycle(c, h) + "\n";
    for (const DepEdge& e : c.edges) out += "    " + ExplainEdge(e, h, kind) + "\n";
    for (const DepEdge& e : c.edges) {
        const Txn& t = h.txns[static_cast<size_t>(e.from)];
        out += fmt::format("    {} = p{} {} {}\n", TxnName(t), t.process, OpTypeName(t.outcome),
                           RenderValue(t.shown));
    }
    return out;
}

std::string RenderReport(const Inference& inference, const CycleSearchResult& cycles,
                         const TxnHistory& h, TxnKind kind, const ElleOptions& options,
                         std::vector<std::string>& anomalies) {
    std::map<std::pair<int, std::string>, std::string> sections;  // (rank, name) -> body.
    std::map<std::string, size_t> found, shown;
    for (const auto& [name, count] : cycles.found) found[name] = count;
    for (const Cycle& c : cycles.cycles) {
        ++shown[c.anomaly];
        sections[{Rank(c.anomaly), c.anomaly}] += RenderCycleBlock(c, h, kind);
    }
    for (const Anomaly& a : inference.anomalies) {
        if (found[a.name]++ >= options.anomalies_shown_max) continue;
        ++shown[a.name];
        sections[{Rank(a.name), a.name}] += "  " + a.text + "\n";
    }
    std::string names, body;
    for (const auto& [rank_name, text] : sections) {
        const std::string& name = rank_name.second;
        names += (names.empty() ? "" : " ") + name;
        anomalies.push_back(name);
        std::string more = shown[name] < found[name] ? fmt::format(", {} shown", shown[name]) : "";
        body += fmt::format("{} ({} found{}):\n{}", name, found[name], more, text);
    }
    std::string workload = kind == TxnKind::kListAppend ? "list-append" : "rw-register";
    std::string summary = fmt::format("{}, {} transactions, {} dependency edges{}", workload,
                                      h.txns.size(), inference.graph.edge_count(),
                                      options.process_order ? ", with process order" : "");
    if (names.empty()) return fmt::format("valid: no anomalies ({})\n", summary);
    return fmt::format("invalid: {} ({})\n{}", names, summary, body);
}

}  // namespace

std::string RenderList(const std::vector<int64_t>& list) {
    constexpr size_t kShownMax = 8;
    if (list.size() <= kShownMax) return fmt::format("[{}]", fmt::join(list, ","));
    return fmt::format("[{},{},..,{},{}]", list[0], list[1], list[list.size() - 2], list.back());
}

std::string RenderCycle(const Cycle& cycle, const TxnHistory& h) {
    ORRERY_ASSERT(!cycle.edges.empty(), "an empty cycle");
    std::string out = TxnName(h.txns[static_cast<size_t>(cycle.edges[0].from)]);
    for (const DepEdge& e : cycle.edges) {
        std::string label(DepKindName(e.kind));
        if (e.key >= 0) label += "(" + h.keys[static_cast<size_t>(e.key)] + ")";
        out += fmt::format(" -{}-> {}", label, TxnName(h.txns[static_cast<size_t>(e.to)]));
    }
    return out;
}

std::string ExplainEdge(const DepEdge& e, const TxnHistory& h, TxnKind kind) {
    std::string from = TxnName(h.txns[static_cast<size_t>(e.from)]);
    std::string to = TxnName(h.txns[static_cast<size_t>(e.to)]);
    if (e.kind == DepKind::kProcess) {
        return fmt::format("{} -po-> {}: {} is process p{}'s next transaction", from, to, to,
                           h.txns[static_cast<size_t>(e.to)].process);
    }
    const std::string& key = h.keys[static_cast<size_t>(e.key)];
    std::string head = fmt::format("{} -{}({})-> {}: ", from, DepKindName(e.kind), key, to);
    bool list = kind == TxnKind::kListAppend;
    switch (e.kind) {
        case DepKind::kWW:
            if (list && e.after_unread)
                return head + fmt::format("no read saw {}'s append of {}, so it came after {}'s {}",
                                          to, e.after, from, e.before);
            if (list)
                return head + fmt::format("{} appended {} right after {}'s {}", to, e.after, from,
                                          e.before);
            return head + fmt::format("{} wrote {} after {}'s {}", to, e.after, from, e.before);
        case DepKind::kWR:
            if (list)
                return head +
                       fmt::format("{} read {} up to {}, appended by {}", to, key, e.before, from);
            return head + fmt::format("{} read {} = {}, written by {}", to, key, e.before, from);
        case DepKind::kRW: {
            std::string seen = e.before_initial ? (list ? "as []" : "unwritten")
                               : list           ? fmt::format("up to {}", e.before)
                                                : fmt::format("= {}", e.before);
            if (list)
                return head + fmt::format("{} read {} {} and missed {}'s append of {}{}", from, key,
                                          seen, to, e.after,
                                          e.after_unread ? " (which no read saw)" : "");
            return head + fmt::format("{} read {} {}; {}'s write of {} came later", from, key, seen,
                                      to, e.after);
        }
        case DepKind::kProcess:
            break;
    }
    return head;
}

Result<CheckReport> CheckTransactions(const History& history, TxnKind kind,
                                      const SourceLines& lines, const ElleOptions& options) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<Operation> operations, CollectOperations(history, lines));
    ORRERY_ASSIGN_OR_RETURN(TxnHistory txns, ParseTxns(operations, kind, lines));
    Inference inference =
        kind == TxnKind::kListAppend ? InferListAppend(txns) : InferRwRegister(txns);
    FindLocalAnomalies(txns, kind, inference.anomalies);
    if (options.process_order) {
        AddProcessOrder(txns, inference.graph);
        inference.graph.Finalize();
    }
    CycleSearchResult cycles = FindCycles(inference.graph, options.limits);
    CheckReport report;
    bool anomalous = !cycles.cycles.empty() || !inference.anomalies.empty();
    report.verdict = anomalous ? Verdict::kInvalid : Verdict::kValid;
    report.text = RenderReport(inference, cycles, txns, kind, options, report.anomalies);
    return report;
}

}  // namespace orrery::jepsen::checker
