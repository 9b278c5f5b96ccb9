// Pairing invocations with completions. See operation.h.
#include "jepsen/checker/operation.h"

#include <fmt/format.h>

#include <map>

namespace orrery::jepsen::checker {

Result<std::vector<Operation>> CollectOperations(const History& history, const SourceLines& lines) {
    std::vector<Operation> result;
    std::map<int64_t, size_t> open;  // process -> position in `result` of its open invoke.
    const std::vector<Op>& ops = history.ops();
    for (size_t i = 0; i < ops.size(); ++i) {
        const Op& op = ops[i];
        if (IsNemesis(op)) continue;  // A fault, not a client operation.
        auto it = open.find(op.process);
        if (op.type == OpType::kInvoke) {
            if (it != open.end()) {
                return Status::InvalidArgument(
                    fmt::format("{}: process {} invoked again before its op at {} completed",
                                lines.Describe(op.index), op.process,
                                lines.Describe(result[it->second].invoke_index)));
            }
            Operation o;
            o.invoke_index = op.index;
            o.invoke_time_us = op.time_us;
            o.node = op.node;
            o.process = op.process;
            o.f = op.f;
            o.key = op.key;
            o.input = op.value;
            open[op.process] = result.size();
            result.push_back(std::move(o));
            continue;
        }
        if (it == open.end()) {
            return Status::InvalidArgument(
                fmt::format("{}: process {} completed an op it never invoked",
                            lines.Describe(op.index), op.process));
        }
        Operation& o = result[it->second];
        o.complete_index = op.index;
        o.complete_time_us = op.time_us;
        o.server = op.server;
        o.outcome = op.type;
        o.output = op.value;
        open.erase(it);
    }
    return result;
}

std::string RenderValue(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace orrery::jepsen::checker
