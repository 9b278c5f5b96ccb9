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
    "n [k]     next k events, listing those passed over (Enter repeats the last command)\n"
    "b [k]     back k events\n"
    "j TIME    jump to the first event at or after TIME (e.g. 1.5s, 250ms)\n"
    "f WORD..  filter: node=1,2 kind=send,deliver msg=Append,Vote from=1s to=2s; f alone clears\n"
    "/TEXT     search forward for TEXT in the rendered lines (/ alone: again)\n"
    "?TEXT     search backward (? alone: again)\n"
    "l [k]     list k events from here\n"
    "p         panel: each server's role, term, commit index and log here\n"
    "s         summary: events by kind and node\n"
    "q         quit";

// The optional count of n, b and l: a positive integer, or `fallback` when absent.
Result<long> ParseCount(std::istringstream& in, long fallback) {
    std::string word, extra;
    in >> word;
    if (in >> extra) {
        return Status::InvalidArgument(fmt::format("unexpected '{}' after the count", extra));
    }
    if (word.empty()) return fallback;
    auto n = ParseUint64(word);
    if (!n || *n == 0 || *n > 1'000'000'000) {
        return Status::InvalidArgument(
            fmt::format("bad count '{}' (want a positive integer, e.g. n 5)", word));
    }
    return static_cast<long>(*n);
}

// Moves, searches and lists are what Enter repeats; a filter, panel or help is not.
bool Repeatable(const std::string& command) {
    std::istringstream in(command);
    std::string verb;
    in >> verb;
    return verb == "n" || verb == "next" || verb == "b" || verb == "back" || verb == "l" ||
           verb == "list" || verb[0] == '/' || verb[0] == '?';
}

}  // namespace

TraceStepper::TraceStepper(std::vector<TraceEvent> events)
    : model_(trace::BuildTraceModel(std::move(events))) {}

std::vector<size_t> TraceStepper::Visible() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < events().size(); ++i) {
        if (filter_.Matches(events()[i])) out.push_back(i);
    }
    return out;
}

std::string TraceStepper::Current() const {
    auto visible = Visible();
    auto it = std::find(visible.begin(), visible.end(), cursor_);
    if (it == visible.end()) return "(no events match the filter)";
    return fmt::format("[{}/{}] {}", (it - visible.begin()) + 1, visible.size(),
                       RenderEvent(events()[cursor_]));
}

std::string TraceStepper::Move(long steps) {
    auto visible = Visible();
    if (visible.empty()) return Current();
    auto it = std::lower_bound(visible.begin(), visible.end(), cursor_);
    long pos = it - visible.begin();
    long target = std::clamp(pos + steps, 0L, static_cast<long>(visible.size()) - 1);
    // The events passed over on the way, in trace order (a step of one passes none).
    std::string passed;
    long lo = std::min(pos, target) + 1, hi = std::max(pos, target) - 1;
    if (hi - lo + 1 > kMaxListCount) {
        passed = fmt::format("  ... ({} events passed)\n", hi - lo + 1);
    } else {
        for (long i = lo; i <= hi; ++i) passed += "  " + RenderEvent(events()[visible[i]]) + "\n";
    }
    std::string note;
    if (pos + steps >= static_cast<long>(visible.size())) note = "(end of trace)\n";
    if (pos + steps < 0) note = "(start of trace)\n";
    cursor_ = visible[target];
    return passed + note + Current();
}

std::string TraceStepper::Jump(const std::string& time) {
    auto d = ParseDuration(time);
    if (!d) return fmt::format("bad time '{}' (want e.g. 1.5s or 250ms)", time);
    for (size_t i : Visible()) {
        if (events()[i].t_us >= d->us()) {
            cursor_ = i;
            return Current();
        }
    }
    return "(no event at or after " + time + ")";
}

std::string TraceStepper::Search(const std::string& text, bool forward) {
    if (text.empty()) return "(no search yet: /TEXT searches forward, ?TEXT backward)";
    last_search_ = text;
    last_search_forward_ = forward;
    auto visible = Visible();
    auto found = [&](size_t i) { return RenderEvent(events()[i]).find(text) != std::string::npos; };
    if (forward) {
        for (size_t i : visible) {
            if (i > cursor_ && found(i)) {
                cursor_ = i;
                return Current();
            }
        }
    } else {
        for (auto it = visible.rbegin(); it != visible.rend(); ++it) {
            if (*it < cursor_ && found(*it)) {
                cursor_ = *it;
                return Current();
            }
        }
    }
    return fmt::format("(not found {}: {})", forward ? "after here" : "before here", text);
}

std::string TraceStepper::List(long count) const {
    std::string out;
    long shown = 0;
    for (size_t i : Visible()) {
        if (i < cursor_) continue;
        if (shown++ >= std::min(count, kMaxListCount)) break;
        out += (i == cursor_ ? "> " : "  ") + RenderEvent(events()[i]) + "\n";
    }
    return out.empty() ? "(nothing to list)" : out;
}

std::string TraceStepper::Panel() const {
    auto visible = Visible();
    long event = visible.empty() ? -1 : static_cast<long>(cursor_);
    std::string out = visible.empty() ? "at the start:" : "after " + Current() + ":";
    auto states = trace::ServerStatesAt(model_, event);
    if (states.empty()) return out + "\n(no server events in this trace)";
    for (const trace::ServerState& n : states) {
        std::string role = n.role.empty() ? "?" : n.role;
        std::string commit = n.commit < 0 ? "?" : fmt::format("{}", n.commit);
        out += fmt::format("\n{:<6} {:<13} term {:<3} commit {:<4} log {}",
                           trace::LaneName(n.node), role, n.term, commit, n.log.ToString());
    }
    return out;
}

std::string TraceStepper::Summary() const {
    std::map<std::string, long> kinds;
    std::map<int64_t, long> nodes;
    auto visible = Visible();
    for (size_t i : visible) {
        ++kinds[events()[i].kind];
        ++nodes[events()[i].node];
    }
    std::string out = fmt::format("{} events", visible.size());
    if (!visible.empty()) {
        out += fmt::format(" from {} to {}", FormatTime(events()[visible.front()].t_us),
                           FormatTime(events()[visible.back()].t_us));
    }
    out += "\nby kind:";
    for (const auto& [k, n] : kinds) out += fmt::format(" {}={}", k, n);
    out += "\nby node:";
    for (const auto& [k, n] : nodes) out += fmt::format(" {}={}", trace::LaneName(k), n);
    return out;
}

Result<std::string> TraceStepper::Handle(const std::string& command) {
    // Enter (an empty line) repeats the last move, search or list that worked: after
    // "/commit", the next match; after "n 5", five more.
    bool blank = command.find_first_not_of(" \t") == std::string::npos;
    if (blank) return Run(last_command_);
    Result<std::string> out = Run(command);
    if (out.ok() && Repeatable(command)) last_command_ = command;
    return out;
}

Result<std::string> TraceStepper::Run(const std::string& command) {
    std::istringstream in(command);
    std::string verb;
    in >> verb;
    if (verb.empty() || verb == "n" || verb == "next") {
        ORRERY_ASSIGN_OR_RETURN(long count, ParseCount(in, 1));
        return Move(count);
    }
    if (verb == "b" || verb == "back") {
        ORRERY_ASSIGN_OR_RETURN(long count, ParseCount(in, 1));
        return Move(-count);
    }
    if (verb == "j" || verb == "jump") {
        std::string arg;
        in >> arg;
        return Jump(arg);
    }
    if (verb[0] == '/' || verb[0] == '?') {
        bool forward = verb[0] == '/';
        size_t at = command.find(verb[0]);
        std::string text = command.substr(at + 1);
        // "/" or "?" alone repeats the last search's text in that direction.
        return Search(text.empty() ? last_search_ : text, forward);
    }
    if (verb == "l" || verb == "list") {
        ORRERY_ASSIGN_OR_RETURN(long count, ParseCount(in, 10));
        return List(count);
    }
    if (verb == "p" || verb == "panel") return Panel();
    if (verb == "s" || verb == "summary") return Summary();
    if (verb == "h" || verb == "help") return std::string(kHelp);
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
        std::string warnings;
        for (const std::string& w : filter_.Unmatched(events())) warnings += "warning: " + w + "\n";
        return warnings + Current();
    }
    return Status::InvalidArgument(fmt::format("unknown command '{}' (h for help)", verb));
}

}  // namespace orrery::tools
