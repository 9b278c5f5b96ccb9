// Human rendering of trace events. See trace_render.h.
#include "tools/trace_render.h"

#include <fmt/format.h>

#include <sstream>

#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

std::string NodeName(int64_t id) {
    if (id == 0) return "sim";
    return fmt::format("{}{}", id >= 1000 ? "c" : "n", id);
}

std::string ValueText(const nlohmann::ordered_json& v) {
    if (v.is_string()) return v.get<std::string>();
    return v.dump();
}

// "key=value key=value" for every field not already shown.
std::string RestFields(const nlohmann::ordered_json& obj, const std::set<std::string>& skip) {
    std::string out;
    for (const auto& [key, value] : obj.items()) {
        if (skip.count(key)) continue;
        if (!out.empty()) out += ' ';
        out += key + "=" + ValueText(value);
    }
    return out;
}

Result<std::set<int64_t>> ParseNodeList(const std::string& list) {
    std::set<int64_t> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty() && (item[0] == 'n' || item[0] == 'c')) item.erase(0, 1);
        try {
            size_t pos = 0;
            long long v = std::stoll(item, &pos);
            if (pos != item.size()) throw std::invalid_argument(item);
            out.insert(v);
        } catch (...) {
            return Status::InvalidArgument(fmt::format("bad node '{}' (want e.g. 1 or n1)", item));
        }
    }
    return out;
}

}  // namespace

std::string FormatTime(int64_t us) {
    return fmt::format("{}.{:03d}ms", us / 1000, static_cast<int>(us % 1000));
}

bool TraceFilter::Matches(const TraceEvent& e) const {
    if (from_us && e.t_us < *from_us) return false;
    if (to_us && e.t_us > *to_us) return false;
    if (!kinds.empty() && !kinds.count(e.kind)) return false;
    if (nodes.empty()) return true;
    if (nodes.count(e.node)) return true;
    for (const char* peer : {"to", "from"}) {
        auto it = e.fields.find(peer);
        if (it != e.fields.end() && it->is_number_integer() && nodes.count(it->get<int64_t>())) {
            return true;
        }
    }
    return false;
}

Status TraceFilter::ParseWord(const std::string& word) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) {
        return Status::InvalidArgument(fmt::format("bad filter '{}' (want key=value)", word));
    }
    std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    if (key == "node") {
        ORRERY_ASSIGN_OR_RETURN(nodes, ParseNodeList(value));
    } else if (key == "kind") {
        kinds.clear();
        std::stringstream in(value);
        for (std::string k; std::getline(in, k, ',');) kinds.insert(k);
    } else if (key == "from" || key == "to") {
        auto d = ParseDuration(value);
        if (!d) return Status::InvalidArgument(fmt::format("bad time '{}' (want e.g. 1.5s)", value));
        std::optional<int64_t> from = from_us, to = to_us;
        (key == "from" ? from : to) = d->us();
        // An empty window would print nothing and look like an empty trace: refuse it.
        if (from && to && *from > *to) {
            return Status::InvalidArgument(fmt::format(
                "empty time window: from={} is after to={}", FormatTime(*from), FormatTime(*to)));
        }
        from_us = from;
        to_us = to;
    } else {
        return Status::InvalidArgument(
            fmt::format("unknown filter '{}' (want node=, kind=, from=, to=)", key));
    }
    return Status::Ok();
}

std::string RenderEvent(const TraceEvent& e) {
    static const std::set<std::string> kBase = {"t", "node", "kind", "h", "msg", "to", "from", "len"};
    std::string who = NodeName(e.node);
    std::string msg;
    if (auto it = e.fields.find("msg"); it != e.fields.end()) msg = ValueText(*it);
    auto peer = [&](const char* key) -> std::string {
        auto it = e.fields.find(key);
        return it != e.fields.end() && it->is_number_integer() ? NodeName(it->get<int64_t>()) : "?";
    };
    if (msg.empty()) {
        if (auto it = e.fields.find("len"); it != e.fields.end()) msg = fmt::format("({} bytes)", ValueText(*it));
    }
    std::string rest = RestFields(e.fields, kBase);
    if (!rest.empty()) rest = " " + rest;
    std::string time = FormatTime(e.t_us);
    if (e.kind == "send") return fmt::format("{} {} → {} {}{}", time, who, peer("to"), msg, rest);
    if (e.kind == "deliver") return fmt::format("{} {} ← {} {}{}", time, who, peer("from"), msg, rest);
    if (e.kind == "drop") {
        // Dropped at the sender (a cut link: "to") or on arrival (a cut or a down receiver:
        // "from", recorded at the receiver).
        if (!e.fields.contains("to") && e.fields.contains("from")) {
            return fmt::format("{} {} ✗ ← {} {}{}", time, who, peer("from"), msg, rest);
        }
        return fmt::format("{} {} ✗ {} {}{}", time, who, peer("to"), msg, rest);
    }
    if (e.kind == "dup") return fmt::format("{} {} ⇉ {} {}{}", time, who, peer("to"), msg, rest);
    std::string all = RestFields(e.fields, {"t", "node", "kind", "h"});
    return fmt::format("{} {} {}{}{}", time, who, e.kind, all.empty() ? "" : " ", all);
}

}  // namespace orrery::tools
