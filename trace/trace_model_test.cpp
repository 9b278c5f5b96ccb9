// The trace viewer's model: message pairing, roles and commits, log inference, and the page.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "trace/trace_html.h"
#include "trace/trace_model.h"

namespace orrery::trace {
namespace {

TraceModel Build(const std::vector<std::string>& lines) {
    std::string text;
    for (const auto& l : lines) text += l + "\n";
    auto events = ParseTrace(text);
    REQUIRE(events.ok());
    return BuildTraceModel(std::move(events).value());
}

size_t Count(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

TEST_CASE("a dropped message is named by the send it came from", "[trace]") {
    std::string text =
        R"({"t":10,"node":1,"kind":"send","to":2,"h":5,"msg":"Heartbeat t1 commit=0"})" "\n"
        R"({"t":11,"node":1,"kind":"send","to":3,"h":5,"msg":"Heartbeat t1 commit=0"})" "\n"
        R"({"t":12,"node":1,"kind":"drop","to":2,"h":5,"reason":"loss"})" "\n"
        R"({"t":13,"node":3,"kind":"drop","from":1,"h":5,"reason":"down"})" "\n"
        R"({"t":14,"node":2,"kind":"drop","from":1,"h":9,"reason":"cut"})" "\n"
        R"({"t":15,"node":1,"kind":"send","to":2,"h":6,"msg":"Append t1 prev=0@0 [1@1] commit=0"})" "\n"
        R"({"t":16,"node":1,"kind":"drop","to":2,"h":6,"reason":"cut"})" "\n";
    auto events = ParseTrace(text);
    REQUIRE(events.ok());
    NameDroppedMessages(*events);
    auto msg = [&](size_t i) { return (*events)[i].fields.value("msg", std::string("<none>")); };
    CHECK(msg(2) == "Heartbeat t1 commit=0");  // At the sender: (1 -> 2, h5).
    CHECK(msg(3) == "Heartbeat t1 commit=0");  // At the receiver: (1 -> 3, h5).
    CHECK(msg(4) == "<none>");                 // No send with hash 9: left unnamed.
    CHECK(msg(6) == "Append t1 prev=0@0 [1@1] commit=0");
}

TEST_CASE("messages pair sends with deliveries and drops, duplicates included", "[trace]") {
    auto m = Build({
        R"({"t":10,"node":1,"kind":"send","to":2,"len":3,"h":5,"msg":"Heartbeat t1 commit=0"})",
        R"({"t":10,"node":1,"kind":"send","to":3,"len":3,"h":5,"msg":"Heartbeat t1 commit=0"})",
        R"({"t":10,"node":1,"kind":"drop","to":3,"h":5,"reason":"cut"})",
        R"({"t":11,"node":1,"kind":"send","to":2,"len":9,"h":7,"msg":"Append t1 prev=0@0 [1@1] commit=0"})",
        R"({"t":11,"node":1,"kind":"dup","to":2,"h":7})",
        // Reordered: the later send arrives first.
        R"({"t":12,"node":2,"kind":"deliver","from":1,"len":9,"h":7,"msg":"Append t1 prev=0@0 [1@1] commit=0"})",
        R"({"t":13,"node":2,"kind":"deliver","from":1,"len":3,"h":5,"msg":"Heartbeat t1 commit=0"})",
        R"({"t":14,"node":2,"kind":"drop","from":1,"h":7,"reason":"down"})",
        R"({"t":15,"node":1,"kind":"send","to":1000,"len":4,"h":9,"msg":"Reply c1000#1 ok"})",
    });
    // n3 never records an event but is a peer, so it has a lane; the client comes last.
    REQUIRE(m.lanes.size() == 4);
    CHECK(m.lanes[0].name == "n1");
    CHECK(m.lanes[1].name == "n2");
    CHECK(m.lanes[2].name == "n3");
    CHECK(m.lanes[3].name == "c1000");
    CHECK(m.lanes[3].client);

    REQUIRE(m.messages.size() == 5);
    const Message& hb = m.messages[0];
    CHECK(hb.send == 0);
    CHECK(hb.end == 6u);
    CHECK(hb.fate == MessageFate::kDelivered);
    CHECK(hb.kind == "Heartbeat");
    const Message& cut = m.messages[1];
    CHECK(cut.send == 1);
    CHECK(cut.end == 2u);
    CHECK(cut.fate == MessageFate::kDroppedAtSender);
    CHECK(cut.to == 3);
    const Message& append = m.messages[2];
    CHECK(append.send == 3);
    CHECK(append.end == 5u);
    CHECK(append.fate == MessageFate::kDelivered);
    CHECK(append.kind == "Append");
    CHECK_FALSE(append.duplicate);
    const Message& copy = m.messages[3];
    CHECK(copy.send == 3);
    CHECK(copy.duplicate);
    CHECK(copy.end == 7u);
    CHECK(copy.fate == MessageFate::kDroppedAtReceiver);
    const Message& reply = m.messages[4];
    CHECK(reply.send == 8);
    CHECK_FALSE(reply.end.has_value());
    CHECK(reply.fate == MessageFate::kInFlight);
    CHECK(reply.kind == "Reply");
    CHECK(reply.to == 1000);
}

// A leader's entries reach a follower; a new leader's conflicting entry truncates them; a stale
// Append is ignored; a hidden-middle batch, a reject's "last=" and a snapshot follow.
const std::vector<std::string> kLogTrace = {
    /* 0*/ R"({"t":100,"node":1,"kind":"role","role":"leader","term":1})",
    /* 1*/ R"({"t":110,"node":1,"kind":"send","to":2,"len":9,"h":1,"msg":"Append t1 prev=0@0 [1@1 2@1] commit=0"})",
    /* 2*/ R"({"t":110,"node":1,"kind":"send","to":3,"len":9,"h":1,"msg":"Append t1 prev=0@0 [1@1 2@1] commit=0"})",
    /* 3*/ R"({"t":115,"node":2,"kind":"deliver","from":1,"len":9,"h":1,"msg":"Append t1 prev=0@0 [1@1 2@1] commit=0"})",
    /* 4*/ R"({"t":116,"node":2,"kind":"commit","index":1})",
    /* 5*/ R"({"t":200,"node":1,"kind":"crash","incarnation":0})",
    /* 6*/ R"({"t":300,"node":3,"kind":"term","term":2})",
    /* 7*/ R"({"t":300,"node":3,"kind":"role","role":"leader","term":2})",
    /* 8*/ R"({"t":310,"node":3,"kind":"send","to":2,"len":9,"h":2,"msg":"Append t2 prev=0@0 [1@2] commit=0"})",
    /* 9*/ R"({"t":315,"node":2,"kind":"deliver","from":3,"len":9,"h":2,"msg":"Append t2 prev=0@0 [1@2] commit=0"})",
    /*10*/ R"({"t":315,"node":2,"kind":"term","term":2})",
    // The old leader's Append to n3, delayed: stale at term 1, ignored.
    /*11*/ R"({"t":320,"node":3,"kind":"deliver","from":1,"len":9,"h":1,"msg":"Append t1 prev=0@0 [1@1 2@1] commit=0"})",
    /*12*/ R"({"t":330,"node":3,"kind":"send","to":2,"len":9,"h":3,"msg":"Append t2 prev=1@2 [2@2 3@2 … 6@3] (5 entries) commit=1"})",
    /*13*/ R"({"t":335,"node":2,"kind":"deliver","from":3,"len":9,"h":3,"msg":"Append t2 prev=1@2 [2@2 3@2 … 6@3] (5 entries) commit=1"})",
    /*14*/ R"({"t":340,"node":2,"kind":"send","to":3,"len":9,"h":4,"msg":"AppendResp t2 reject prev=9 last=4"})",
    /*15*/ R"({"t":350,"node":2,"kind":"deliver","from":3,"len":9,"h":5,"msg":"Snapshot t2 idx=3@2 chunk 1/2"})",
    /*16*/ R"({"t":351,"node":2,"kind":"deliver","from":3,"len":9,"h":6,"msg":"Snapshot t2 idx=3@2 chunk 2/2"})",
    /*17*/ R"({"t":400,"node":1,"kind":"restart","incarnation":1})",
    /*18*/ R"({"t":410,"node":1,"kind":"send","to":2,"len":9,"h":7,"msg":"PreVote t2 last=1@1"})",
    /*19*/ R"({"t":420,"node":2,"kind":"restart","incarnation":1})",
};

TEST_CASE("each node's log is inferred from the Raft messages, at every instant", "[trace]") {
    auto m = Build(kLogTrace);
    CHECK(LogAt(m, -1, 2).ToString() == "(empty)");
    // The leader owns what it sends.
    CHECK(LogAt(m, 1, 1).ToString() == "1@1 2@1");
    CHECK(LogAt(m, 2, 2).ToString() == "(empty)");
    CHECK(LogAt(m, 3, 2).ToString() == "1@1 2@1");
    // The new leader's 1@2 conflicts with 1@1: everything from index 1 goes.
    CHECK(LogAt(m, 8, 2).ToString() == "1@1 2@1");
    CHECK(LogAt(m, 9, 2).ToString() == "1@2");
    // The stale term-1 Append left n3 alone (it has only what it sent).
    CHECK(LogAt(m, 11, 3).ToString() == "1@2");
    // Hidden middle entries between 3@2 and 6@3 have unknown terms.
    CHECK(LogAt(m, 12, 3).ToString() == "1@2 2@2 3@2 4@? 5@? 6@3");
    CHECK(LogAt(m, 13, 2).ToString() == "1@2 2@2 3@2 4@? 5@? 6@3");
    // n2 says its log ends at 4.
    CHECK(LogAt(m, 14, 2).ToString() == "1@2 2@2 3@2 4@?");
    // Only the last chunk installs the snapshot; 3@2 matches, so 4 survives.
    CHECK(LogAt(m, 15, 2).ToString() == "1@2 2@2 3@2 4@?");
    CHECK(LogAt(m, 16, 2).ToString() == "base 3@2 | 4@?");
    // n1's log survived its crash; its PreVote says it ends at 1@1.
    CHECK(LogAt(m, 17, 1).ToString() == "1@1 2@1");
    CHECK(LogAt(m, 18, 1).ToString() == "1@1");

    // The ops are minimal: the conflict at event 9 keeps nothing and appends 1@2.
    const LogOp* conflict = nullptr;
    for (const LogOp& op : m.log_ops) if (op.event == 9) conflict = &op;
    REQUIRE(conflict != nullptr);
    CHECK(conflict->node == 2);
    CHECK(conflict->keep == 0);
    CHECK(conflict->terms == std::vector<int64_t>{2});
    CHECK_FALSE(conflict->base.has_value());
    std::vector<size_t> events;
    for (const LogOp& op : m.log_ops) events.push_back(op.event);
    CHECK(events == std::vector<size_t>{1, 3, 8, 9, 12, 13, 14, 16, 18});
}

TEST_CASE("roles, terms and commit indexes step along each lane", "[trace]") {
    auto m = Build(kLogTrace);
    std::vector<std::string> got;
    for (const RoleStep& r : m.roles) got.push_back(fmt::format("{}:n{}:{}:t{}", r.event, r.node, r.role, r.term));
    CHECK(got == std::vector<std::string>{
                     "-1:n1:follower:t0", "-1:n2:follower:t0", "-1:n3:follower:t0",
                     "0:n1:leader:t1", "5:n1:down:t1", "6:n3:follower:t2", "7:n3:leader:t2",
                     "10:n2:follower:t2", "17:n1:follower:t1", "19:n2:follower:t2"});
    std::vector<std::string> commits;
    for (const CommitStep& c : m.commits) commits.push_back(fmt::format("{}:n{}:{}", c.event, c.node, c.index));
    // n2's commit index is unknown after its restart; n1 never traced one.
    CHECK(commits == std::vector<std::string>{"4:n2:1", "19:n2:-1"});
}

TEST_CASE("server states at an event gather role and term and commit and log", "[trace]") {
    auto m = Build(kLogTrace);
    auto Show = [&](long event) {
        std::vector<std::string> out;
        for (const ServerState& n : ServerStatesAt(m, event)) {
            out.push_back(fmt::format("n{}:{}:t{}:c{}:{}", n.node, n.role, n.term, n.commit,
                                      n.log.ToString()));
        }
        return out;
    };
    // Each field is the last step at or before the event, and the log is LogAt's.
    for (long event : {-1L, 4L, 7L, 19L}) {
        auto states = ServerStatesAt(m, event);
        REQUIRE(states.size() == 3);
        for (const ServerState& n : states) CHECK(n.log == LogAt(m, event, n.node));
    }
    CHECK(Show(-1) == std::vector<std::string>{"n1:follower:t0:c0:(empty)",
                                               "n2:follower:t0:c0:(empty)",
                                               "n3:follower:t0:c0:(empty)"});
    auto at7 = Show(7);
    CHECK(at7[0].starts_with("n1:down:t1:c0:"));
    CHECK(at7[1].starts_with("n2:follower:t0:c1:"));
    CHECK(at7[2].starts_with("n3:leader:t2:c0:"));
    auto at19 = Show(19);
    CHECK(at19[1].starts_with("n2:follower:t2:c-1:"));  // Restarted: commit unknown.
}

TEST_CASE("nemesis faults span from fault to the matching heal", "[trace]") {
    auto m = Build({
        R"({"t":0,"node":0,"kind":"fault","what":"links","detail":"drop=0.02"})",
        R"({"t":5,"node":0,"kind":"fault","what":"crash","detail":"n3 for 100us"})",
        R"({"t":6,"node":0,"kind":"fault","what":"crash","detail":"n4 for 100us"})",
        R"({"t":7,"node":0,"kind":"fault","what":"partition","detail":"halves 1,2|3,4,5"})",
        R"({"t":105,"node":0,"kind":"heal","what":"crash","detail":"n3"})",
        R"({"t":110,"node":0,"kind":"heal","what":"partition","detail":""})",
    });
    REQUIRE(m.faults.size() == 4);
    CHECK_FALSE(m.faults[0].end.has_value());
    CHECK(m.faults[1].end == 4u);
    CHECK_FALSE(m.faults[2].end.has_value());  // n4's restart is not in this trace.
    CHECK(m.faults[3].end == 5u);
    CHECK(m.faults[3].detail == "halves 1,2|3,4,5");
}

TEST_CASE("the page is self-contained and its data cannot close the script", "[trace]") {
    auto m = Build({
        R"({"t":0,"node":0,"kind":"note","text":"</script><b>x</b>"})",
        R"({"t":1,"node":1,"kind":"send","to":2,"len":3,"h":-7261853034437062077,"msg":"Put c1#1 k=1"})",
    });
    std::string page = RenderTraceHtml(m, "run<1>.jsonl");
    // Two scripts (data and code), each closed once; the note's "</script>" is escaped.
    CHECK(Count(page, "</script>") == 2);
    CHECK(Count(page, "\\u003c/script>\\u003cb>x\\u003c/b>") == 1);
    CHECK(Count(page, "<title>Orrery trace: run&lt;1&gt;.jsonl</title>") == 1);
    // Nothing is fetched: no external scripts, styles, fonts or images.
    CHECK(Count(page, "src=") == 0);
    CHECK(Count(page, "<link") == 0);
    CHECK(Count(page, "@import") == 0);
    CHECK(Count(page, "url(") == 0);
    // 64-bit hashes travel as text, exactly.
    CHECK(Count(ModelJson(m, "t"), "\"h\":\"-7261853034437062077\"") == 1);
}

}  // namespace
}  // namespace orrery::trace
