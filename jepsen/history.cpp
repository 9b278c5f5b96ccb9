// History rendering, parsing and pairing. See history.h for the format.
#include "jepsen/history.h"

#include <fmt/format.h>

#include <map>

namespace orrery::jepsen {

std::string_view OpTypeName(OpType t) {
    switch (t) {
        case OpType::kInvoke: return "invoke";
        case OpType::kOk: return "ok";
        case OpType::kFail: return "fail";
        case OpType::kInfo: return "info";
    }
    return "?";
}

std::string RenderOp(const Op& op) {
    nlohmann::ordered_json j;
    j["index"] = op.index;
    j["time"] = op.time_us;
    if (IsNemesis(op)) {
        j["process"] = "nemesis";
    } else {
        j["process"] = op.process;
    }
    j["type"] = OpTypeName(op.type);
    j["f"] = op.f;
    j["key"] = op.key;
    j["value"] = op.value;
    if (!op.error.empty()) j["error"] = op.error;
    if (op.node != 0) j["node"] = op.node;
    if (op.server != 0) j["server"] = op.server;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<Op> ParseOp(std::string_view line) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
    Op op;
    auto type = j.find("type");
    auto process = j.find("process");
    auto f = j.find("f");
    if (type == j.end() || !type->is_string()) return Status::InvalidArgument("missing \"type\"");
    bool nemesis = process != j.end() && *process == "nemesis";
    if (!nemesis && (process == j.end() || !process->is_number_integer() ||
                     process->get<int64_t>() < 0)) {
        return Status::InvalidArgument(
            "\"process\" must be a non-negative integer or \"nemesis\"");
    }
    if (f == j.end() || !f->is_string()) return Status::InvalidArgument("missing \"f\"");
    std::string t = type->get<std::string>();
    if (t == "invoke") op.type = OpType::kInvoke;
    else if (t == "ok") op.type = OpType::kOk;
    else if (t == "fail") op.type = OpType::kFail;
    else if (t == "info") op.type = OpType::kInfo;
    else return Status::InvalidArgument(fmt::format("unknown type \"{}\"", t));
    if (nemesis && op.type != OpType::kInfo) {
        return Status::InvalidArgument(
            fmt::format("a nemesis event must be of type \"info\", not \"{}\"", t));
    }
    op.process = nemesis ? kNemesisProcess : process->get<int64_t>();
    op.f = f->get<std::string>();
    if (auto it = j.find("index"); it != j.end() && it->is_number_integer()) op.index = it->get<int64_t>();
    if (auto it = j.find("time"); it != j.end() && it->is_number_integer()) op.time_us = it->get<int64_t>();
    if (auto it = j.find("key"); it != j.end()) {
        if (!it->is_string()) return Status::InvalidArgument("\"key\" must be a string");
        op.key = it->get<std::string>();
    }
    if (auto it = j.find("value"); it != j.end()) op.value = *it;
    if (auto it = j.find("error"); it != j.end() && it->is_string()) op.error = it->get<std::string>();
    if (auto it = j.find("node"); it != j.end() && it->is_number_integer()) op.node = it->get<int64_t>();
    if (auto it = j.find("server"); it != j.end() && it->is_number_integer()) {
        op.server = it->get<int64_t>();
    }
    return op;
}

int64_t History::Append(Op op) {
    op.index = static_cast<int64_t>(ops_.size());
    ops_.push_back(std::move(op));
    return ops_.back().index;
}

Result<std::vector<int64_t>> History::Pair() const {
    std::vector<int64_t> pair(ops_.size(), -1);
    std::map<int64_t, int64_t> open;  // process -> index of its outstanding invoke.
    for (size_t i = 0; i < ops_.size(); ++i) {
        const Op& op = ops_[i];
        if (IsNemesis(op)) continue;
        auto it = open.find(op.process);
        if (op.type == OpType::kInvoke) {
            if (it != open.end()) {
                return Status::Corruption(fmt::format(
                    "op {}: process {} invoked again before op {} completed", i, op.process, it->second));
            }
            open[op.process] = static_cast<int64_t>(i);
            continue;
        }
        if (it == open.end()) {
            return Status::Corruption(fmt::format(
                "op {}: process {} completed an op it never invoked", i, op.process));
        }
        pair[i] = it->second;
        pair[it->second] = static_cast<int64_t>(i);
        open.erase(it);
    }
    return pair;
}

std::string History::Render() const {
    std::string out;
    for (const Op& op : ops_) out += RenderOp(op) + "\n";
    return out;
}

Result<History> History::Parse(std::string_view text) {
    History h;
    size_t line_no = 0;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
        Result<Op> op = ParseOp(line);
        if (!op.ok()) {
            return Status::InvalidArgument(
                fmt::format("history line {}: {}", line_no, op.status().message()));
        }
        h.Append(std::move(op).value());
    }
    return h;
}

}  // namespace orrery::jepsen
