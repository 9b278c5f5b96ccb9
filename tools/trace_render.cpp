// Human rendering of trace events. See trace_render.h.
#include "tools/trace_render.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sstream>

#include "tools/cli_util.h"
#include "trace/trace_model.h"

namespace orrery::tools {
namespace {

std::string NodeName(int64_t id) { return trace::LaneName(id); }

bool IsNetworkEvent(const TraceEvent& e) {
    return e.kind == "send" || e.kind == "deliver" || e.kind == "drop" || e.kind == "dup";
}

std::set<std::string> SplitSet(const std::string& list) {
    std::set<std::string> out;
    std::stringstream in(list);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.insert(item);
    }
    return out;
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
    if (!messages.empty() && (!IsNetworkEvent(e) || !messages.count(trace::MessageKind(e)))) {
        return false;
    }
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
        kinds = SplitSet(value);
    } else if (key == "msg") {
        messages = SplitSet(value);
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
            fmt::format("unknown filter '{}' (want node=, kind=, msg=, from=, to=)", key));
    }
    return Status::Ok();
}

std::vector<std::string> TraceFilter::Unmatched(const std::vector<TraceEvent>& events) const {
    std::set<std::string> have_kinds, have_messages;
    for (const TraceEvent& e : events) {
        have_kinds.insert(e.kind);
        if (IsNetworkEvent(e)) have_messages.insert(trace::MessageKind(e));
    }
    std::vector<std::string> out;
    for (const std::string& k : kinds) {
        if (have_kinds.count(k)) continue;
        if (have_messages.count(k)) {
            out.push_back(fmt::format("'{}' is a message type, not an event kind: filter it with "
                                      "msg={} (--msg {})",
                                      k, k, k));
        } else {
            out.push_back(fmt::format("no event of kind '{}' in this trace (kinds: {})", k,
                                      fmt::join(have_kinds, ", ")));
        }
    }
    for (const std::string& m : messages) {
        if (have_messages.count(m)) continue;
        out.push_back(fmt::format("no message of type '{}' in this trace (types: {})", m,
                                  fmt::join(have_messages, ", ")));
    }
    return out;
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
    // A field named like the kind is its main value: "role leader term=2", not "role
    // role=leader term=2".
    std::string head = e.kind;
    if (auto it = e.fields.find(e.kind); it != e.fields.end()) head += " " + ValueText(*it);
    std::string all = RestFields(e.fields, {"t", "node", "kind", "h", e.kind});
    return fmt::format("{} {} {}{}{}", time, who, head, all.empty() ? "" : " ", all);
}

}  // namespace orrery::tools
