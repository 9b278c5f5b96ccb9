// Dispatch from a model name to its checker. See check.h.
#include "jepsen/checker/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/assert.h"
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

namespace {

// The functions each transactional, bank and set history is made of. The linearizability
// models check their own (register: read/write/cas; kv: get/put/append and the register's).
// Without this check a history of another model would be judged on none of its operations
// and answer "valid" (`--model list-append` on a register history did).
std::vector<std::string_view> FunctionsOf(std::string_view model) {
    if (model == "list-append" || model == "rw-register") return {"txn"};
    if (model == "bank") return {"read", "transfer"};
    if (model == "set") return {"add", "read"};
    return {};
}

// InvalidArgument naming the first client operation whose function `model` does not know.
Status CheckFunctions(std::string_view model, const History& history, const SourceLines& lines) {
    std::vector<std::string_view> known = FunctionsOf(model);
    if (known.empty()) return Status::Ok();
    for (const Op& op : history.ops()) {
        if (IsNemesis(op)) continue;
        if (std::find(known.begin(), known.end(), op.f) != known.end()) continue;
        return Status::InvalidArgument(
            fmt::format("{}: the {} checker judges {} operations, not \"{}\" (is this a history "
                        "of another model?)",
                        lines.Describe(op.index), model, fmt::join(known, " and "), op.f));
    }
    return Status::Ok();
}

}  // namespace

Result<CheckReport> CheckHistory(std::string_view model, const History& history,
                                 const SourceLines& lines, const CheckOptions& options) {
    const std::vector<std::string>& names = ModelNames();
    if (std::find(names.begin(), names.end(), model) == names.end()) {
        return Status::InvalidArgument(
            fmt::format("unknown model \"{}\" (one of: {})", model, fmt::join(names, ", ")));
    }
    // Nothing to judge is not "valid": an empty file (or one of nemesis events only) says
    // nothing about the system, so the verdict is unknown.
    bool any_client_op = std::any_of(history.ops().begin(), history.ops().end(),
                                     [](const Op& op) { return !IsNemesis(op); });
    if (!any_client_op) {
        CheckReport empty;
        empty.verdict = Verdict::kUnknown;
        empty.text = fmt::format("unknown: {} model: the history has no client operations, so "
                                 "there is nothing to judge\n",
                                 model);
        return empty;
    }
    if (Status functions = CheckFunctions(model, history, lines); !functions.ok()) {
        return functions;
    }
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
    ORRERY_ASSERT(model == "set", "every name of ModelNames() has a checker above");
    return CheckSet(history, lines, SetOptions{});
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
