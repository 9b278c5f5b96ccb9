// The set checker. See set_checker.h.
#include "jepsen/checker/set_checker.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {
namespace {

std::string Listed(const std::vector<std::string>& elements, size_t shown_max) {
    std::vector<std::string> shown(
        elements.begin(),
        elements.begin() + static_cast<std::ptrdiff_t>(std::min(shown_max, elements.size())));
    std::string more = elements.size() > shown_max
                           ? fmt::format(" (and {} more)", elements.size() - shown_max)
                           : "";
    return fmt::format("{}{}", fmt::join(shown, " "), more);
}

}  // namespace

Result<CheckReport> CheckSet(const History& history, const SourceLines& lines,
                             const SetOptions& options) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<Operation> operations, CollectOperations(history, lines));
    std::set<std::string> attempted;
    std::map<std::string, int64_t> ok_adds;  // Element -> completion position.
    std::set<std::string> info_adds;
    const Operation* final_read = nullptr;
    std::set<std::string> unexpected;
    for (const Operation& o : operations) {
        if (o.f == "add") {
            std::string e = RenderValue(o.input);
            attempted.insert(e);
            if (o.outcome == OpType::kOk) ok_adds[e] = o.complete_index;
            if (o.outcome == OpType::kInfo) info_adds.insert(e);
        }
    }
    std::set<std::string> final_elements;
    for (const Operation& o : operations) {
        if (o.f != "read" || o.outcome != OpType::kOk) continue;
        if (!o.output.is_array()) {
            return Status::InvalidArgument(fmt::format("{}: a set read returns a list, got {}",
                                                       lines.Describe(o.complete_index),
                                                       RenderValue(o.output)));
        }
        std::set<std::string> elements;
        for (const nlohmann::json& e : o.output) elements.insert(RenderValue(e));
        for (const std::string& e : elements) {
            if (attempted.count(e) == 0) unexpected.insert(e);
        }
        if (final_read == nullptr || o.complete_index > final_read->complete_index) {
            final_read = &o;
            final_elements = std::move(elements);
        }
    }
    CheckReport report;
    if (final_read == nullptr) {
        report.verdict = Verdict::kUnknown;
        report.text =
            fmt::format("unknown: set, {} adds attempted, but no ok read\n", attempted.size());
        return report;
    }
    std::vector<std::string> lost, recovered;
    for (const auto& [e, done] : ok_adds) {
        if (done < final_read->invoke_index && final_elements.count(e) == 0) lost.push_back(e);
    }
    for (const std::string& e : info_adds) {
        if (final_elements.count(e) != 0) recovered.push_back(e);
    }
    std::vector<std::string> unexpected_list(unexpected.begin(), unexpected.end());
    report.verdict = lost.empty() && unexpected.empty() ? Verdict::kValid : Verdict::kInvalid;
    if (!lost.empty()) report.anomalies.push_back("lost");
    if (!unexpected.empty()) report.anomalies.push_back("unexpected");
    report.text = fmt::format(
        "{}: set, {} adds attempted ({} ok, {} info), final read [{}..{}] has {} elements: {} "
        "lost, "
        "{} unexpected, {} recovered\n",
        VerdictName(report.verdict), attempted.size(), ok_adds.size(), info_adds.size(),
        final_read->invoke_index, final_read->complete_index, final_elements.size(), lost.size(),
        unexpected.size(), recovered.size());
    if (!lost.empty()) report.text += "  lost: " + Listed(lost, options.shown_max) + "\n";
    if (!unexpected.empty())
        report.text += "  unexpected: " + Listed(unexpected_list, options.shown_max) + "\n";
    return report;
}

}  // namespace orrery::jepsen::checker
