// The trace stepper. See trace_step.h.
#include "tools/trace_step.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "tools/cli_util.h"

namespace orrery::tools {
namespace {

constexpr long kMaxListCount = 200;

const char* kHelp =
    "n [k]     next k events (Enter repeats n)\n"
    "b [k]     back k events\n"
    "j TIME    jump to the first event at or after TIME (e.g. 1.5s, 250ms)\n"
    "f WORD..  filter: node=1,2 kind=send,deliver from=1s to=2s; f alone clears\n"
    "/TEXT     search forward for TEXT in the rendered lines\n"
    "l [k]     list k events from here\n"
    "s         summary: events by kind and node\n"
    "q         quit";

long ParseCount(const std::string& word, long fallback) {
    if (word.empty()) return fallback;
    try {
        return std::max(1L, std::stol(word));
    } catch (...) {
        return fallback;
    }
}

}  // namespace

TraceStepper::TraceStepper(std::vector<TraceEvent> events) : events_(std::move(events)) {}

std::vector<size_t> TraceStepper::Visible() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < events_.size(); ++i) {
        if (filter_.Matches(events_[i])) out.push_back(i);
    }
    return out;
}

std::string TraceStepper::Current() const {
    auto visible = Visible();
    auto it = std::find(visible.begin(), visible.end(), cursor_);
    if (it == visible.end()) return "(no events match the filter)";
    return fmt::format("[{}/{}] {}", (it - visible.begin()) + 1, visible.size(),
                       RenderEvent(events_[cursor_]));
}

std::string TraceStepper::Move(long steps) {
    auto visible = Visible();
    if (visible.empty()) return Current();
    auto it = std::lower_bound(visible.begin(), visible.end(), cursor_);
    long pos = it - visible.begin();
    long target = std::clamp(pos + steps, 0L, static_cast<long>(visible.size()) - 1);
    std::string note;
    if (pos + steps >= static_cast<long>(visible.size())) note = "(end of trace)\n";
    if (pos + steps < 0) note = "(start of trace)\n";
    cursor_ = visible[target];
    return note + Current();
}

std::string TraceStepper::Jump(const std::string& time) {
    auto d = ParseDuration(time);
    if (!d) return fmt::format("bad time '{}' (want e.g. 1.5s or 250ms)", time);
    for (size_t i : Visible()) {
        if (events_[i].t_us >= d->us()) {
            cursor_ = i;
            return Current();
        }
    }
    return "(no event at or after " + time + ")";
}

std::string TraceStepper::Search(const std::string& text) {
    auto visible = Visible();
    for (size_t i : visible) {
        if (i > cursor_ && RenderEvent(events_[i]).find(text) != std::string::npos) {
            cursor_ = i;
            return Current();
        }
    }
    return "(not found: " + text + ")";
}

std::string TraceStepper::List(long count) const {
    std::string out;
    long shown = 0;
    for (size_t i : Visible()) {
        if (i < cursor_) continue;
        if (shown++ >= std::min(count, kMaxListCount)) break;
        out += (i == cursor_ ? "> " : "  ") + RenderEvent(events_[i]) + "\n";
    }
    return out.empty() ? "(nothing to list)" : out;
}

std::string TraceStepper::Summary() const {
    std::map<std::string, long> kinds;
    std::map<int64_t, long> nodes;
    auto visible = Visible();
    for (size_t i : visible) {
        ++kinds[events_[i].kind];
        ++nodes[events_[i].node];
    }
    std::string out = fmt::format("{} events", visible.size());
    if (!visible.empty()) {
        out += fmt::format(" from {} to {}", FormatTime(events_[visible.front()].t_us),
                           FormatTime(events_[visible.back()].t_us));
    }
    out += "\nby kind:";
    for (const auto& [k, n] : kinds) out += fmt::format(" {}={}", k, n);
    out += "\nby node:";
    for (const auto& [k, n] : nodes) out += fmt::format(" {}={}", k, n);
    return out;
}

Result<std::string> TraceStepper::Handle(const std::string& command) {
    std::istringstream in(command);
    std::string verb, arg;
    in >> verb;
    if (verb.empty() || verb == "n" || verb == "next") {
        in >> arg;
        return Move(ParseCount(arg, 1));
    }
    if (verb == "b" || verb == "back") {
        in >> arg;
        return Move(-ParseCount(arg, 1));
    }
    if (verb == "j" || verb == "jump") {
        in >> arg;
        return Jump(arg);
    }
    if (verb[0] == '/') return Search(command.substr(command.find('/') + 1));
    if (verb == "l" || verb == "list") {
        in >> arg;
        return List(ParseCount(arg, 10));
    }
    if (verb == "s" || verb == "summary") return Summary();
    if (verb == "h" || verb == "help" || verb == "?") return std::string(kHelp);
    if (verb == "q" || verb == "quit") {
        done_ = true;
        return std::string();
    }
    if (verb == "f" || verb == "filter") {
        TraceFilter next;
        for (std::string word; in >> word;) ORRERY_RETURN_IF_ERROR(next.ParseWord(word));
        filter_ = next;
        auto visible = Visible();
        auto it = std::lower_bound(visible.begin(), visible.end(), cursor_);
        if (it == visible.end() && !visible.empty()) --it;
        if (it != visible.end()) cursor_ = *it;
        return Current();
    }
    return Status::InvalidArgument(fmt::format("unknown command '{}' (h for help)", verb));
}

}  // namespace orrery::tools
