// CASPaxos pieces in isolation: the codec, the acceptor's rules and durability, batches and the
// invariant checker.
#include <catch2/catch.hpp>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include "paxos/acceptor.h"
#include "paxos/batch.h"
#include "paxos/invariants.h"
#include "paxos/message.h"
#include "sim/sim_disk.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/memory_engine.h"

namespace orrery::paxos {
namespace {

class FixedClock final : public Clock {
public:
    Timestamp Now() const override { return Timestamp(0); }
    TimerId SetTimer(Duration, std::function<void()>) override { return 0; }
    void CancelTimer(TimerId) override {}
};

class NoNetwork final : public Network {
public:
    NodeId self() const override { return NodeId(1); }
    void Send(NodeId, std::string) override {}
    void SetHandler(Handler) override {}
};

struct World {
    FixedClock clock;
    Random random{1};
    sim::SimDisk disk{Random(2)};
    NoNetwork network;
    NullTracer tracer;
    NoFaultPoints faults;
    Env env{NodeId(1), clock, random, disk, network, tracer, faults};
};

Message Prepare(uint64_t c, uint32_t n) { return MakeMessage(MsgType::kPrepare, "k", Ballot{c, NodeId(n)}); }
Message Accept(uint64_t c, uint32_t n, std::string v, Ballot next = {}) {
    Message m = MakeMessage(MsgType::kAccept, "k", Ballot{c, NodeId(n)});
    m.value = std::move(v);
    m.next = next;
    return m;
}

TEST_CASE("paxos messages round trip and reject every flipped bit", "[paxos]") {
    Message m = Accept(7, 2, "value", Ballot{8, NodeId(2)});
    m.base = Ballot{3, NodeId(1)};
    std::string bytes = EncodeMessage(m);
    Result<Message> back = DecodeMessage(bytes);
    REQUIRE(back.ok());
    CHECK(*back == m);
    CHECK(DescribeMessage(bytes) == "Accept k b=7.n2 value=value base=3.n1 next=8.n2");
    for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        std::string bad = bytes;
        bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
        CHECK(DecodeMessage(bad).status().Is(Code::kCorruption));
    }
    rc::prop("arbitrary bytes never decode to something else", [](const std::string& b) {
        Result<Message> r = DecodeMessage(b);
        if (r.ok()) RC_ASSERT(EncodeMessage(*r) == b);
    });
}

TEST_CASE("acceptor: promises, conflicts, and the piggybacked promise", "[paxos]") {
    World w;
    storage::MemoryEngine engine;
    Acceptor a(w.env, engine, {});
    Result<Message> r = a.Handle(Prepare(2, 1));
    REQUIRE(r.ok());
    CHECK(r->ok);
    CHECK(r->accepted.none());
    r = a.Handle(Prepare(1, 2));  // Lower than the promise: a conflict naming what it saw.
    REQUIRE(r.ok());
    CHECK_FALSE(r->ok);
    CHECK(r->seen == Ballot{2, NodeId(1)});
    r = a.Handle(Accept(1, 2, "x"));
    CHECK_FALSE(r->ok);
    r = a.Handle(Accept(2, 1, "x", Ballot{3, NodeId(1)}));
    CHECK(r->ok);
    AcceptorState s = a.Load("k").value();
    CHECK(s.accepted == Ballot{2, NodeId(1)});
    CHECK(s.promised == Ballot{3, NodeId(1)});  // One round trip: the next ballot is promised.
    CHECK(s.value == std::optional<std::string>("x"));
    r = a.Handle(Accept(3, 1, "y"));  // The shortcut: accepted without a Prepare.
    CHECK(r->ok);
    CHECK_FALSE(a.Handle(Accept(2, 3, "z"))->ok);  // 2.n3 < 3.n1.
    CHECK(a.Handle(Accept(3, 1, "y"))->ok);        // A duplicate is answered again.
    CHECK(a.Handle(MakeMessage(MsgType::kPromise, "k", Ballot{1, NodeId(1)})).status().Is(
        Code::kInvalidArgument));
}

TEST_CASE("acceptor: a promise survives a crash, unless paxos.forget-promise", "[paxos]") {
    for (bool bug : {false, true}) {
        World w;
        {
            auto engine = storage::LsmEngine::Open(w.disk).value();
            AcceptorConfig c;
            c.bug_forget_promise = bug;
            Acceptor a(w.env, *engine, c);
            REQUIRE(a.Handle(Prepare(5, 1))->ok);
        }
        w.disk.Crash();
        auto engine = storage::LsmEngine::Open(w.disk).value();
        Acceptor a(w.env, *engine, {});
        // A correct acceptor still refuses the lower ballot; the buggy one forgot its promise.
        CHECK(a.Handle(Accept(4, 2, "old"))->ok == bug);
    }
}

TEST_CASE("batches: all writes or none, against the partition's cells", "[paxos]") {
    Batch put{{}, {{"a", "1"}, {"b", "2"}}};
    std::optional<std::string> v = MakeBatchChange(put)(std::nullopt);
    CHECK(CellsOf(v).value() == Cells{{"a", "1"}, {"b", "2"}});
    Batch cas{{{"a", "1"}, {"c", std::nullopt}}, {{"a", "9"}, {"b", std::nullopt}}};
    CHECK(EvaluateBatch(cas, v)->applied);
    std::optional<std::string> v2 = MakeBatchChange(cas)(v);
    CHECK(CellsOf(v2).value() == Cells{{"a", "9"}});
    CHECK_FALSE(EvaluateBatch(cas, v2)->applied);     // a is 9 now.
    CHECK(MakeBatchChange(cas)(v2) == v2);            // Not applied: unchanged.
    CHECK(DescribeBatch(cas) == "if a=1 c=∅ set a=9 del b");
    CHECK(DecodeCells("\x05").status().Is(Code::kCorruption));
}

TEST_CASE("the invariant checker catches two values for a ballot and a lost chosen value",
          "[paxos]") {
    PaxosInvariants ok(2);
    Ballot b1{1, NodeId(1)}, b2{2, NodeId(2)}, b3{3, NodeId(3)};
    ok.OnAccepted(NodeId(1), "k", b1, {}, "a");
    ok.OnAccepted(NodeId(2), "k", b1, {}, "a");
    ok.OnAccepted(NodeId(2), "k", b2, b1, "b");
    ok.OnAccepted(NodeId(3), "k", b2, b1, "b");
    CHECK(ok.violation().ok());
    CHECK(ok.chosen() == 2);

    PaxosInvariants two(2);
    two.OnAccepted(NodeId(1), "k", b1, {}, "a");
    two.OnAccepted(NodeId(2), "k", b1, {}, "b");
    CHECK_FALSE(two.violation().ok());

    PaxosInvariants lost(2);
    lost.OnAccepted(NodeId(1), "k", b1, {}, "a");
    lost.OnAccepted(NodeId(2), "k", b1, {}, "a");  // Chosen at b1.
    lost.OnAccepted(NodeId(2), "k", b3, {}, "c");  // Built on nothing: skips b1.
    lost.OnAccepted(NodeId(3), "k", b3, {}, "c");
    CHECK(lost.violation().message().find("chosen value lost") != std::string::npos);
}

}  // namespace
}  // namespace orrery::paxos
