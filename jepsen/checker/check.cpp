// Dispatch from a model name to its checker. See check.h.
#include "jepsen/checker/check.h"

#include <fmt/format.h>

#include "jepsen/checker/bank.h"
#include "jepsen/checker/elle.h"
#include "jepsen/checker/kv_model.h"
#include "jepsen/checker/linearizability.h"
#include "jepsen/checker/set_checker.h"

namespace orrery::jepsen::checker {

const std::vector<std::string>& ModelNames() {
    static const std::vector<std::string> kNames = {"register",    "kv",   "list-append",
                                                    "rw-register", "bank", "set"};
    return kNames;
}

Result<CheckReport> CheckHistory(std::string_view model, const History& history,
                                 const SourceLines& lines, const CheckOptions& options) {
    if (model == "register" || model == "kv") {
        LinearizabilityOptions lin;
        lin.budget_steps = options.budget_steps;
        if (model == "kv") {
            KvModel kv_model;  // One per check: it interns the values it meets (kv_model.h).
            return CheckLinearizable(kv_model, history, lines, lin);
        }
        RegisterModel register_model;
        return CheckLinearizable(register_model, history, lines, lin);
    }
    if (model == "list-append" || model == "rw-register") {
        ElleOptions elle;
        elle.process_order = options.process_order;
        TxnKind kind = model == "list-append" ? TxnKind::kListAppend : TxnKind::kRwRegister;
        return CheckTransactions(history, kind, lines, elle);
    }
    if (model == "bank") {
        BankOptions bank;
        bank.total = options.total;
        return CheckBank(history, lines, bank);
    }
    if (model == "set") return CheckSet(history, lines, SetOptions{});
    return Status::InvalidArgument(
        fmt::format("unknown model \"{}\" (one of: {})", model, fmt::join(ModelNames(), ", ")));
}

Result<History> ParseHistoryText(std::string_view text, SourceLines& lines) {
    lines.line_of_op.clear();
    int64_t line_no = 0;
    std::string_view rest = text;
    while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        ++line_no;
        if (line.find_first_not_of(" \t\r") != std::string_view::npos)
            lines.line_of_op.push_back(line_no);
    }
    return History::Parse(text);
}

}  // namespace orrery::jepsen::checker
