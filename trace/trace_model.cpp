// The trace viewer's model. See trace_model.h for what is derived and how.
#include "trace/trace_model.h"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <tuple>

#include "core/assert.h"

namespace orrery::trace {
namespace {

constexpr std::string_view kEllipsis = "\xE2\x80\xA6";  // "…", the hidden middle of a batch.

int64_t IntField(const TraceEvent& e, const char* key, int64_t fallback = 0) {
    auto it = e.fields.find(key);
    return it != e.fields.end() && it->is_number_integer() ? it->get<int64_t>() : fallback;
}

std::string StringField(const TraceEvent& e, const char* key) {
    auto it = e.fields.find(key);
    return it != e.fields.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool HasField(const TraceEvent& e, const char* key) { return e.fields.contains(key); }

// Parses a decimal integer at the start of `s`, advancing it; nullopt if none.
std::optional<int64_t> TakeInt(std::string_view& s) {
    size_t n = 0;
    int64_t v = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n < 18) v = v * 10 + (s[n++] - '0');
    if (n == 0) return std::nullopt;
    s.remove_prefix(n);
    return v;
}

// "I@T" at the start of `s`.
std::optional<std::pair<int64_t, int64_t>> TakeEntryId(std::string_view& s) {
    auto index = TakeInt(s);
    if (!index || s.empty() || s[0] != '@') return std::nullopt;
    s.remove_prefix(1);
    auto term = TakeInt(s);
    if (!term) return std::nullopt;
    return std::make_pair(*index, *term);
}

// The entry id after `key` ("prev=", "last=", "idx=") in a message rendering.
std::optional<std::pair<int64_t, int64_t>> EntryIdAfter(std::string_view msg, std::string_view key) {
    size_t at = msg.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = msg.substr(at + key.size());
    return TakeEntryId(rest);
}

std::optional<int64_t> IntAfter(std::string_view msg, std::string_view key) {
    size_t at = msg.find(key);
    if (at == std::string_view::npos) return std::nullopt;
    std::string_view rest = msg.substr(at + key.size());
    return TakeInt(rest);
}

// The message's term: "Append t3 ..." -> 3.
std::optional<int64_t> MessageTerm(std::string_view msg) { return IntAfter(msg, " t"); }

struct Entry {
    int64_t index;
    int64_t term;  // 0: unknown.
};

// The entries of "[5@3 6@3 … 9@4]": contiguous indexes; hidden ones take the term of their
// neighbours when both agree, else 0.
std::optional<std::vector<Entry>> ParseEntries(std::string_view msg) {
    size_t open = msg.find('['), close = msg.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        return std::nullopt;
    }
    std::string_view body = msg.substr(open + 1, close - open - 1);
    std::vector<Entry> shown;
    size_t gap_after = SIZE_MAX;  // Index into `shown` after which entries are hidden.
    while (!body.empty()) {
        if (body[0] == ' ') {
            body.remove_prefix(1);
            continue;
        }
        if (body.substr(0, kEllipsis.size()) == kEllipsis) {
            gap_after = shown.size();
            body.remove_prefix(kEllipsis.size());
            continue;
        }
        auto id = TakeEntryId(body);
        if (!id) return std::nullopt;
        shown.push_back({id->first, id->second});
    }
    if (gap_after == SIZE_MAX || gap_after == 0 || gap_after >= shown.size()) return shown;
    std::vector<Entry> out(shown.begin(), shown.begin() + static_cast<long>(gap_after));
    const Entry& before = shown[gap_after - 1];
    const Entry& after = shown[gap_after];
    for (int64_t i = before.index + 1; i < after.index; ++i) {
        out.push_back({i, before.term == after.term ? before.term : 0});
    }
    out.insert(out.end(), shown.begin() + static_cast<long>(gap_after), shown.end());
    return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
    return s.substr(0, prefix.size()) == prefix;
}

// Sets the term of entry `index` (which must exist above the base).
void SetTerm(NodeLog& log, int64_t index, int64_t term) {
    log.terms[static_cast<size_t>(index - log.base_index - 1)] = term;
}

void TruncateAfter(NodeLog& log, int64_t index) {
    if (index < log.last_index()) {
        log.terms.resize(static_cast<size_t>(std::max<int64_t>(0, index - log.base_index)));
    }
}

// Makes the log reach `index` with `term` there (padding unknown entries), for evidence.
void Reach(NodeLog& log, int64_t index, int64_t term) {
    if (index <= log.base_index) return;
    while (log.last_index() < index) log.terms.push_back(0);
    auto have = log.TermAt(index);
    if (term == 0 || !have || *have == term) return;
    if (*have == 0) {
        SetTerm(log, index, term);
        return;
    }
    TruncateAfter(log, index - 1);  // Our inferred entry there was wrong.
    log.terms.push_back(term);
}

// Raft's append rule for entries after a matching prev: skip what is there, truncate at the
// first conflict, append the rest. Unknown terms (0) on either side never count as conflicts.
void MergeEntries(NodeLog& log, const std::vector<Entry>& entries) {
    for (const Entry& e : entries) {
        if (e.index <= log.base_index) continue;
        if (e.index > log.last_index() + 1) break;  // Not contiguous: cannot happen in Raft.
        if (e.index == log.last_index() + 1) {
            log.terms.push_back(e.term);
            continue;
        }
        int64_t have = *log.TermAt(e.index);
        if (have == e.term || e.term == 0) continue;
        if (have == 0) {
            SetTerm(log, e.index, e.term);
            continue;
        }
        TruncateAfter(log, e.index - 1);
        log.terms.push_back(e.term);
    }
}

void ApplyOp(NodeLog& log, const LogOp& op) {
    if (op.base) {
        int64_t old_base = log.base_index;
        auto [index, term] = *op.base;
        std::vector<int64_t> rest;
        for (size_t i = 0; i < log.terms.size(); ++i) {
            if (old_base + 1 + static_cast<int64_t>(i) > index) rest.push_back(log.terms[i]);
        }
        // Entries between the old log's end and the new base do not exist.
        if (log.last_index() < index) rest.clear();
        log.base_index = index;
        log.base_term = term;
        log.terms = std::move(rest);
    }
    TruncateAfter(log, op.keep);
    log.terms.insert(log.terms.end(), op.terms.begin(), op.terms.end());
}

// The minimal op that turns `before` into `after`, if they differ.
std::optional<LogOp> Diff(const NodeLog& before, const NodeLog& after, size_t event, int64_t node) {
    LogOp op;
    op.event = event;
    op.node = node;
    if (before.base_index != after.base_index || before.base_term != after.base_term) {
        op.base = std::make_pair(after.base_index, after.base_term);
        op.keep = after.base_index;
        op.terms = after.terms;
        return op;
    }
    int64_t end = std::max(before.last_index(), after.last_index());
    for (int64_t i = before.base_index + 1; i <= end; ++i) {
        if (before.TermAt(i) == after.TermAt(i)) continue;
        op.keep = i - 1;
        for (int64_t j = i; j <= after.last_index(); ++j) op.terms.push_back(*after.TermAt(j));
        return op;
    }
    return std::nullopt;
}

struct NodeState {
    NodeLog log;
    int64_t term = 0;
    std::string role;
    bool raft = false;
    bool had_commit = false;
};

class Builder {
public:
    explicit Builder(TraceModel& m) : m_(m) {}

    void Run() {
        Lanes();
        for (size_t i = 0; i < m_.events.size(); ++i) Event(i);
    }

private:
    void Lanes() {
        std::set<int64_t> nodes, raft_nodes;
        for (const TraceEvent& e : m_.events) {
            nodes.insert(e.node);
            // A peer that never records an event of its own still gets a lane for its arrows.
            if (e.kind == "send" || e.kind == "deliver" || e.kind == "drop" || e.kind == "dup") {
                for (const char* peer : {"to", "from"}) {
                    if (HasField(e, peer)) nodes.insert(IntField(e, peer));
                }
            }
            if (e.kind == "role" || e.kind == "term" || e.kind == "commit") raft_nodes.insert(e.node);
        }
        auto add = [&](int64_t n) {
            m_.lanes.push_back({n, LaneName(n), n >= 1000});
            NodeState& s = state_[n];
            s.raft = raft_nodes.count(n) > 0;
            if (n != 0 && n < 1000) {
                s.role = s.raft ? "follower" : "";
                m_.roles.push_back({-1, n, s.role, 0});
            }
        };
        if (nodes.count(0)) add(0);
        for (int64_t n : nodes) if (n > 0 && n < 1000) add(n);
        for (int64_t n : nodes) if (n >= 1000) add(n);
        for (int64_t n : nodes) if (n < 0) add(n);
    }

    void Role(size_t i, int64_t node, std::string role, int64_t term) {
        NodeState& s = state_[node];
        s.role = std::move(role);
        s.term = term;
        m_.roles.push_back({static_cast<long>(i), node, s.role, s.term});
    }

    void ChangeLog(size_t i, int64_t node, const NodeLog& after) {
        NodeState& s = state_[node];
        auto op = Diff(s.log, after, i, node);
        if (!op) return;
        NodeLog check = s.log;
        ApplyOp(check, *op);
        ORRERY_ASSERT(check == after, "trace model: log op does not reproduce the log of n{}", node);
        s.log = after;
        m_.log_ops.push_back(std::move(*op));
    }

    void Event(size_t i) {
        const TraceEvent& e = m_.events[i];
        NodeState& s = state_[e.node];
        const std::string& k = e.kind;
        if (k == "send" || k == "deliver" || k == "drop" || k == "dup") Network(i);
        if (k == "send") Sent(i);
        if (k == "deliver") Delivered(i);
        if (k == "role") {
            Role(i, e.node, StringField(e, "role"), IntField(e, "term", s.term));
        } else if (k == "term") {
            Role(i, e.node, s.role, IntField(e, "term", s.term));
        } else if (k == "commit") {
            s.had_commit = true;
            m_.commits.push_back({static_cast<long>(i), e.node, IntField(e, "index")});
        } else if (k == "crash") {
            Role(i, e.node, "down", s.term);
        } else if (k == "restart") {
            Role(i, e.node, s.raft ? "follower" : "", s.term);
            if (s.had_commit) m_.commits.push_back({static_cast<long>(i), e.node, -1});
        } else if (k == "fault" && e.node == 0) {
            m_.faults.push_back({i, std::nullopt, StringField(e, "what"), StringField(e, "detail")});
        } else if (k == "heal" && e.node == 0) {
            std::string what = StringField(e, "what"), detail = StringField(e, "detail");
            for (FaultSpan& f : m_.faults) {
                if (f.end || f.what != what) continue;
                if (detail.empty() || f.detail == detail || StartsWith(f.detail, detail + " ")) f.end = i;
            }
        }
    }

    void Network(size_t i) {
        const TraceEvent& e = m_.events[i];
        int64_t h = IntField(e, "h");
        if (e.kind == "send") {
            Message msg;
            msg.send = i;
            msg.from = e.node;
            msg.to = IntField(e, "to");
            msg.kind = MessageKind(e);
            pending_[{msg.from, msg.to, h}].push_back(m_.messages.size());
            m_.messages.push_back(std::move(msg));
        } else if (e.kind == "dup") {
            auto& q = pending_[{e.node, IntField(e, "to"), h}];
            if (q.empty()) return;
            Message copy = m_.messages[q.back()];
            copy.duplicate = true;
            q.push_back(m_.messages.size());
            m_.messages.push_back(std::move(copy));
        } else if (e.kind == "drop" && HasField(e, "to")) {
            // Decided at send time: the send just made.
            auto& q = pending_[{e.node, IntField(e, "to"), h}];
            if (q.empty()) return;
            Message& msg = m_.messages[q.back()];
            q.pop_back();
            msg.end = i;
            msg.fate = MessageFate::kDroppedAtSender;
        } else {
            bool deliver = e.kind == "deliver";
            if (!deliver && e.kind != "drop") return;
            auto& q = pending_[{IntField(e, "from"), e.node, h}];
            if (q.empty()) return;  // The trace began after the send.
            Message& msg = m_.messages[q.front()];
            q.pop_front();
            msg.end = i;
            msg.fate = deliver ? MessageFate::kDelivered : MessageFate::kDroppedAtReceiver;
        }
    }

    // Evidence about the sender's own log, from what it sends.
    void Sent(size_t i) {
        const TraceEvent& e = m_.events[i];
        NodeState& s = state_[e.node];
        std::string msg = StringField(e, "msg");
        NodeLog log = s.log;
        if (StartsWith(msg, "Append ")) {
            auto prev = EntryIdAfter(msg, "prev=");
            auto entries = ParseEntries(msg);
            if (!prev || !entries) return;
            if (prev->first > 0) Reach(log, prev->first, prev->second);
            MergeEntries(log, *entries);
        } else if (StartsWith(msg, "AppendResp ")) {
            if (msg.find(" reject ") != std::string::npos) {
                if (auto last = IntAfter(msg, " last=")) TruncateAfter(log, *last);
            } else if (auto match = IntAfter(msg, " match=")) {
                Reach(log, *match, 0);
            }
        } else if (StartsWith(msg, "Vote ") || StartsWith(msg, "PreVote ")) {
            auto last = EntryIdAfter(msg, "last=");
            if (!last) return;
            TruncateAfter(log, last->first);
            Reach(log, last->first, last->second);
        } else {
            return;
        }
        ChangeLog(i, e.node, log);
    }

    // A follower taking entries or a snapshot.
    void Delivered(size_t i) {
        const TraceEvent& e = m_.events[i];
        NodeState& s = state_[e.node];
        std::string msg = StringField(e, "msg");
        bool append = StartsWith(msg, "Append "), snapshot = StartsWith(msg, "Snapshot ");
        if (!append && !snapshot) return;
        auto term = MessageTerm(msg);
        if (!term || *term < s.term) return;  // Stale: Raft rejects it.
        NodeLog log = s.log;
        if (append) {
            auto prev = EntryIdAfter(msg, "prev=");
            auto entries = ParseEntries(msg);
            if (!prev || !entries) return;
            auto [p, pt] = *prev;
            if (p > log.last_index()) return;  // Missing prev: rejected.
            if (p > log.base_index) {
                int64_t have = *log.TermAt(p);
                if (have != 0 && have != pt) return;  // Conflicting prev: rejected.
                if (have == 0) SetTerm(log, p, pt);
            }
            MergeEntries(log, *entries);
        } else {
            auto idx = EntryIdAfter(msg, "idx=");
            size_t chunk = msg.find(" chunk ");
            if (!idx || chunk == std::string::npos) return;
            std::string_view rest = std::string_view(msg).substr(chunk + 7);
            auto no = TakeInt(rest);
            if (rest.empty() || rest[0] != '/') return;
            rest.remove_prefix(1);
            auto count = TakeInt(rest);
            if (!no || !count || *no != *count) return;  // Only the last chunk installs it.
            auto [index, t] = *idx;
            if (index <= log.base_index) return;
            bool keep_suffix = log.TermAt(index) == t;
            NodeLog next;
            next.base_index = index;
            next.base_term = t;
            if (keep_suffix) {
                for (int64_t j = index + 1; j <= log.last_index(); ++j) next.terms.push_back(*log.TermAt(j));
            }
            log = std::move(next);
        }
        ChangeLog(i, e.node, log);
    }

    TraceModel& m_;
    std::map<int64_t, NodeState> state_;
    std::map<std::tuple<int64_t, int64_t, int64_t>, std::deque<size_t>> pending_;
};

}  // namespace

std::optional<int64_t> NodeLog::TermAt(int64_t index) const {
    if (index == base_index) return base_term;
    if (index < base_index || index > last_index()) return std::nullopt;
    return terms[static_cast<size_t>(index - base_index - 1)];
}

std::string NodeLog::ToString() const {
    std::string out;
    if (base_index > 0) out = fmt::format("base {}@{} |", base_index, base_term);
    for (size_t i = 0; i < terms.size(); ++i) {
        int64_t index = base_index + 1 + static_cast<int64_t>(i);
        if (!out.empty()) out += ' ';
        out += terms[i] == 0 ? fmt::format("{}@?", index) : fmt::format("{}@{}", index, terms[i]);
    }
    return out.empty() ? "(empty)" : out;
}

std::string LaneName(int64_t node) {
    if (node == 0) return "sim";
    return fmt::format("{}{}", node >= 1000 ? "c" : "n", node);
}

std::string MessageKind(const TraceEvent& e) {
    auto it = e.fields.find("msg");
    if (it == e.fields.end() || !it->is_string()) return "message";
    const std::string& msg = it->get_ref<const std::string&>();
    size_t end = msg.find(' ');
    std::string word = msg.substr(0, end);
    return word.empty() ? "message" : word;
}

TraceModel BuildTraceModel(std::vector<TraceEvent> events) {
    TraceModel m;
    m.events = std::move(events);
    Builder(m).Run();
    return m;
}

NodeLog LogAt(const TraceModel& model, long event, int64_t node) {
    NodeLog log;
    for (const LogOp& op : model.log_ops) {
        if (static_cast<long>(op.event) > event) break;
        if (op.node == node) ApplyOp(log, op);
    }
    return log;
}

std::vector<ServerState> ServerStatesAt(const TraceModel& model, long event) {
    std::vector<ServerState> out;
    for (const Lane& lane : model.lanes) {
        if (lane.client || lane.node == 0) continue;
        ServerState state;
        state.node = lane.node;
        // Steps are in event order: the last one at or before `event` holds.
        for (const RoleStep& r : model.roles) {
            if (r.event > event) break;
            if (r.node != lane.node) continue;
            state.role = r.role;
            state.term = r.term;
        }
        for (const CommitStep& c : model.commits) {
            if (c.event > event) break;
            if (c.node == lane.node) state.commit = c.index;
        }
        state.log = LogAt(model, event, lane.node);
        out.push_back(std::move(state));
    }
    return out;
}

}  // namespace orrery::trace
