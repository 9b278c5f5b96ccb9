// The bank checker. See bank.h.
#include "jepsen/checker/bank.h"

#include <fmt/format.h>

#include <map>

#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {
namespace {

// Account -> balance, from an object or a list (accounts then named by position).
Result<std::map<std::string, int64_t>> Balances(const Operation& o, const SourceLines& lines) {
    std::map<std::string, int64_t> balances;
    auto bad = [&] {
        return Status::InvalidArgument(
            fmt::format("{}: a bank read returns integer balances, got {}",
                        lines.Describe(o.complete_index), RenderValue(o.output)));
    };
    if (o.output.is_object()) {
        for (const auto& [account, balance] : o.output.items()) {
            if (!balance.is_number_integer()) return bad();
            balances[account] = balance.get<int64_t>();
        }
        return balances;
    }
    if (!o.output.is_array()) return bad();
    for (size_t i = 0; i < o.output.size(); ++i) {
        if (!o.output[i].is_number_integer()) return bad();
        balances[std::to_string(i)] = o.output[i].get<int64_t>();
    }
    return balances;
}

}  // namespace

Result<CheckReport> CheckBank(const History& history, const SourceLines& lines,
                              const BankOptions& options) {
    ORRERY_ASSIGN_OR_RETURN(std::vector<Operation> operations, CollectOperations(history, lines));
    std::optional<int64_t> total = options.total;
    bool inferred = !total.has_value();
    size_t reads = 0, bad = 0, wrong_total = 0, negative = 0;
    std::string evidence;
    for (const Operation& o : operations) {
        if (o.f != "read" || o.outcome != OpType::kOk) continue;
        ORRERY_ASSIGN_OR_RETURN(auto balances, Balances(o, lines));
        ++reads;
        int64_t sum = 0;
        std::vector<std::string> problems;
        for (const auto& [account, balance] : balances) {
            sum += balance;
            if (balance < 0) problems.push_back(fmt::format("account {} is {}", account, balance));
            if (balance < 0) ++negative;
        }
        if (!total.has_value()) total = sum;
        if (sum != *total) {
            ++wrong_total;
            problems.insert(problems.begin(), fmt::format("sum {} != {}", sum, *total));
        }
        if (problems.empty()) continue;
        if (bad++ < options.shown_max) {
            evidence +=
                fmt::format("  read [{}..{}] p{} {}: {}\n", o.invoke_index, o.complete_index,
                            o.process, RenderValue(o.output), fmt::join(problems, ", "));
        }
    }
    CheckReport report;
    report.verdict = bad > 0 ? Verdict::kInvalid : Verdict::kValid;
    if (wrong_total > 0) report.anomalies.push_back("wrong-total");
    if (negative > 0) report.anomalies.push_back("negative-balance");
    std::string total_text = !total.has_value() ? "no total"
                             : inferred ? fmt::format("total {} (from the first read)", *total)
                                        : fmt::format("total {}", *total);
    report.text = fmt::format("{}: bank, {} ok reads, {}, {} bad reads\n{}",
                              VerdictName(report.verdict), reads, total_text, bad, evidence);
    return report;
}

}  // namespace orrery::jepsen::checker
