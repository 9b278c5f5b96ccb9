// The trace viewer page. See trace_html.h.
#include "trace/trace_html.h"

#include <map>
#include <nlohmann/json.hpp>

#include "core/assert.h"
#include "trace/viewer_page.inc"

namespace orrery::trace {
namespace {

using Json = nlohmann::json;

// Interns strings as small integers, in order of first use.
class Names {
public:
    int Id(const std::string& name) {
        auto [it, fresh] = ids_.emplace(name, static_cast<int>(names_.size()));
        if (fresh) names_.push_back(name);
        return it->second;
    }
    Json ToJson() const { return Json(names_); }

private:
    std::map<std::string, int> ids_;
    std::vector<std::string> names_;
};

}  // namespace

std::string ModelJson(const TraceModel& m, std::string_view title) {
    std::map<int64_t, int> lane_of;
    Json lanes = Json::array();
    for (size_t i = 0; i < m.lanes.size(); ++i) {
        lane_of[m.lanes[i].node] = static_cast<int>(i);
        lanes.push_back({{"node", m.lanes[i].node}, {"name", m.lanes[i].name}, {"client", m.lanes[i].client}});
    }
    auto lane = [&](int64_t node) {
        auto it = lane_of.find(node);
        ORRERY_ASSERT(it != lane_of.end(), "trace model: node {} has no lane", node);
        return it->second;
    };
    Names kinds, mkinds, roles;

    std::vector<long> event_msg(m.events.size(), -1);
    Json ms = {{"send", Json::array()}, {"end", Json::array()}, {"fate", Json::array()},
               {"from", Json::array()}, {"to", Json::array()}, {"mk", Json::array()},
               {"dup", Json::array()}};
    for (size_t i = 0; i < m.messages.size(); ++i) {
        const Message& msg = m.messages[i];
        if (!msg.duplicate) event_msg[msg.send] = static_cast<long>(i);
        if (msg.end) event_msg[*msg.end] = static_cast<long>(i);
        ms["send"].push_back(msg.send);
        ms["end"].push_back(msg.end ? static_cast<long>(*msg.end) : -1L);
        ms["fate"].push_back(static_cast<int>(msg.fate));
        ms["from"].push_back(lane(msg.from));
        ms["to"].push_back(lane(msg.to));
        ms["mk"].push_back(mkinds.Id(msg.kind));
        ms["dup"].push_back(msg.duplicate ? 1 : 0);
    }

    Json t = Json::array(), lanes_of_events = Json::array(), kind = Json::array(),
         emsg = Json::array(), fields = Json::array();
    for (size_t i = 0; i < m.events.size(); ++i) {
        const TraceEvent& e = m.events[i];
        t.push_back(e.t_us);
        lanes_of_events.push_back(lane(e.node));
        kind.push_back(kinds.Id(e.kind));
        emsg.push_back(event_msg[i]);
        Json f = Json::object();
        for (const auto& [key, value] : e.fields.items()) {
            if (key == "t" || key == "node" || key == "kind") continue;
            // 64-bit hashes do not survive JavaScript numbers: shown as text.
            if (key == "h" && value.is_number_integer()) {
                f[key] = std::to_string(value.get<int64_t>());
            } else {
                f[key] = value;
            }
        }
        fields.push_back(std::move(f));
    }

    Json role_steps = Json::array();
    for (const RoleStep& r : m.roles) role_steps.push_back({r.event, lane(r.node), roles.Id(r.role), r.term});
    Json commits = Json::array();
    for (const CommitStep& c : m.commits) commits.push_back({c.event, lane(c.node), c.index});
    Json ops = Json::array();
    for (const LogOp& op : m.log_ops) {
        Json o = {op.event, lane(op.node), op.keep, op.terms};
        if (op.base) {
            o.push_back(op.base->first);
            o.push_back(op.base->second);
        }
        ops.push_back(std::move(o));
    }
    Json faults = Json::array();
    for (const FaultSpan& f : m.faults) {
        faults.push_back({f.start, f.end ? static_cast<long>(*f.end) : -1L, f.what, f.detail});
    }

    Json out = {
        {"title", std::string(title)},
        {"lanes", std::move(lanes)},
        {"ev", {{"t", std::move(t)}, {"lane", std::move(lanes_of_events)}, {"kind", std::move(kind)},
                {"msg", std::move(emsg)}, {"f", std::move(fields)}}},
        {"msgs", std::move(ms)},
        {"kinds", kinds.ToJson()},
        {"mkinds", mkinds.ToJson()},
        {"roleNames", roles.ToJson()},
        {"roles", std::move(role_steps)},
        {"commits", std::move(commits)},
        {"logops", std::move(ops)},
        {"faults", std::move(faults)},
    };
    return out.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string RenderTraceHtml(const TraceModel& model, std::string_view title) {
    // Inside <script type="application/json"> only "</script" or "<!--" could end the data
    // early; JSON allows "\u003c" for every "<", which rules both out.
    std::string json = ModelJson(model, title);
    std::string safe;
    safe.reserve(json.size() + json.size() / 64);
    for (char c : json) {
        if (c == '<') safe += "\\u003c";
        else safe += c;
    }
    std::string page = kViewerPage;
    const std::string marker = "/*ORRERY_DATA*/";
    size_t at = page.find(marker);
    ORRERY_ASSERT(at != std::string::npos, "viewer page lacks its data marker");
    page.replace(at, marker.size(), safe);
    std::string title_marker = "ORRERY_TITLE";
    std::string escaped;
    for (char c : title) {
        if (c == '<') escaped += "&lt;";
        else if (c == '>') escaped += "&gt;";
        else if (c == '&') escaped += "&amp;";
        else escaped += c;
    }
    if (size_t tt = page.find(title_marker); tt != std::string::npos) page.replace(tt, title_marker.size(), escaped);
    return page;
}

}  // namespace orrery::trace
