// Tests of the SQL server's plumbing in a simulated cluster, with scripted sessions
// (sql_server_test_util.h) instead of the engine: routing to the leader, one Raft entry per
// write transaction, exactly-once under resends, lost transactions after a leader crash,
// yielding between steps, the session bound and idle expiry, and the reply-size bound.
#include "node/sql_server.h"

#include <catch2/catch.hpp>

#include "node/client_protocol.h"
#include "node/sql_server_test_util.h"

namespace orrery::node {
namespace {

using testing::SqlHarness;

std::string Value(const SqlOutcome& o) {
    if (!o.result || o.result->rows.empty()) return "<none>";
    return o.result->rows[0][0].string();
}

// A raw endpoint that sends hand-made SQL requests and keeps every reply.
class RawClient final : public sim::Process {
public:
    explicit RawClient(Env& env) : env_(env) {
        env_.network.SetHandler([this](NodeId, std::string_view bytes) {
            auto framed = Unframe(bytes);
            if (!framed.ok() || framed->first != Channel::kSql) return;
            auto m = DecodeSqlMessage(framed->second);
            if (m.ok() && m->reply) replies.push_back(*m->reply);
        });
    }
    void Send(NodeId to, const SqlRequest& r) {
        env_.network.Send(to, Frame(Channel::kSql, EncodeSqlRequest(r)));
    }
    std::vector<SqlReply> replies;

private:
    Env& env_;
};

}  // namespace

TEST_CASE("sql statements run at the leader, whichever node the client asks", "[node][sql]") {
    SqlHarness h(3);
    NodeId leader = h.Leader();
    SqlClientOptions o;
    SqlClient& c = h.AddClient(0, o);
    SqlOutcome put = h.Run(c, "put a 1");
    REQUIRE(put.ok());
    CHECK(put.result->tag == "PUT");
    CHECK(put.server == leader);
    SqlOutcome get = h.Run(c, "get a");
    REQUIRE(get.ok());
    CHECK(Value(get) == "1");
    // A write costs one proposal; a read none.
    CHECK(h.Server(leader)->sql().commits_proposed() == 1);
    // Every replica applied the commit: its MVCC version is 1.
    h.sim().RunFor(Duration::Millis(200)).IgnoreError();
    for (uint32_t n = 1; n <= 3; ++n) {
        CHECK(h.Server(NodeId(n))->state_machine().txn().last_version() == 1);
    }
}

TEST_CASE("a transaction is one entry, and its status travels with the replies", "[node][sql]") {
    SqlHarness h(3);
    NodeId leader = h.Leader();
    SqlClient& c = h.AddClient(0);
    CHECK(h.Run(c, "begin").txn_status == sql::TxnStatus::kInTransaction);
    CHECK(h.Run(c, "put a 1").ok());
    CHECK(h.Run(c, "put b 2").ok());
    CHECK(h.Server(leader)->sql().commits_proposed() == 0);
    SqlOutcome commit = h.Run(c, "commit");
    REQUIRE(commit.ok());
    CHECK(commit.txn_status == sql::TxnStatus::kIdle);
    CHECK(h.Server(leader)->sql().commits_proposed() == 1);
    CHECK(Value(h.Run(c, "get b")) == "2");
    // An error fails the transaction until ROLLBACK.
    h.Run(c, "begin");
    SqlOutcome fail = h.Run(c, "fail");
    CHECK(fail.type == KvOutcome::Type::kFail);
    CHECK(fail.txn_status == sql::TxnStatus::kFailed);
    CHECK(h.Run(c, "get a").error->kind == sql::ErrorKind::kInFailedTransaction);
    CHECK(h.Run(c, "rollback").txn_status == sql::TxnStatus::kIdle);
}

TEST_CASE("a resent request is answered from the cache, never run twice", "[node][sql]") {
    SqlHarness h(3);
    NodeId leader = h.Leader();
    h.sim().AddClient(NodeId(2000), [](Env& env) { return std::make_unique<RawClient>(env); });
    auto* raw = static_cast<RawClient*>(h.sim().process(NodeId(2000)));
    SqlRequest r;
    r.client_id = 77;
    r.seq = 1;
    r.text = "incr n";
    raw->Send(leader, r);
    raw->Send(leader, r);  // While the first runs: attaches to it.
    h.sim().RunFor(Duration::Millis(500)).IgnoreError();
    raw->Send(leader, r);  // After it ended: the cached reply.
    h.sim().RunFor(Duration::Millis(200)).IgnoreError();
    REQUIRE(raw->replies.size() == 2);
    CHECK(raw->replies[0].result->tag == "INCR");
    CHECK(EncodeSqlReply(raw->replies[0]) == EncodeSqlReply(raw->replies[1]));
    r.seq = 2;
    r.text = "get n";
    raw->Send(leader, r);
    h.sim().RunFor(Duration::Millis(200)).IgnoreError();
    REQUIRE(raw->replies.size() == 3);
    CHECK(raw->replies[2].result->rows[0][0].string() == "1");
    CHECK(h.Server(leader)->sql().commits_proposed() == 1);
}

TEST_CASE("a seq whose commit an earlier leader applied is not executed again", "[node][sql]") {
    SqlHarness h(3);
    NodeId leader = h.Leader();
    h.sim().AddClient(NodeId(2000), [](Env& env) { return std::make_unique<RawClient>(env); });
    auto* raw = static_cast<RawClient*>(h.sim().process(NodeId(2000)));
    SqlRequest r;
    r.client_id = 78;
    r.seq = 1;
    r.text = "incr n";
    raw->Send(leader, r);
    h.sim().RunFor(Duration::Millis(500)).IgnoreError();
    REQUIRE(raw->replies.size() == 1);
    // The leader dies; the client retries the same seq at the next leader, which has no session
    // for it but finds the commit in the replicated session table.
    h.sim().Crash(leader);
    NodeId next = h.Leader();
    REQUIRE(next != leader);
    raw->Send(next, r);
    h.sim().RunFor(Duration::Millis(500)).IgnoreError();
    REQUIRE(raw->replies.size() == 2);
    CHECK(raw->replies[1].code == SqlReplyCode::kOk);
    CHECK(raw->replies[1].result->tag == "COMMITTED");
    CHECK(h.Server(next)->sql().commits_proposed() == 0);
    r.seq = 2;
    r.text = "get n";
    raw->Send(next, r);
    h.sim().RunFor(Duration::Millis(300)).IgnoreError();
    REQUIRE(raw->replies.size() == 3);
    CHECK(raw->replies[2].result->rows[0][0].string() == "1");
}

TEST_CASE("a transaction open at a crashed leader is reported lost, not continued",
          "[node][sql]") {
    SqlHarness h(3);
    NodeId leader = h.Leader();
    SqlClientOptions o;
    o.attempt_timeout = Duration::Millis(200);
    SqlClient& c = h.AddClient(0, o);
    REQUIRE(h.Run(c, "begin").ok());
    REQUIRE(h.Run(c, "put x 1").ok());
    h.sim().Crash(leader);
    // The next statement reaches the new leader, which holds no transaction for the client:
    // running it in autocommit would write x outside the transaction.
    SqlOutcome lost = h.Run(c, "put y 2");
    CHECK(lost.type == KvOutcome::Type::kFail);
    REQUIRE(lost.error.has_value());
    CHECK(lost.error->kind == sql::ErrorKind::kUnavailable);
    CHECK(lost.txn_status == sql::TxnStatus::kIdle);
    CHECK(Value(h.Run(c, "get x")) == "NULL");
    CHECK(Value(h.Run(c, "get y")) == "NULL");
    // The COMMIT of a lost transaction is unknown (an earlier node may have proposed it).
    h.Run(c, "begin");
    NodeId second = h.Leader();
    h.sim().Crash(second);
    h.sim().Restart(leader);
    SqlOutcome commit = h.Run(c, "commit");
    CHECK(commit.type == KvOutcome::Type::kInfo);
    CHECK(commit.error->kind == sql::ErrorKind::kUnknownOutcome);
}

TEST_CASE("a long statement yields between steps and Raft keeps ticking", "[node][sql]") {
    SqlServerOptions sql;
    sql.step_rows = 10;
    SqlHarness h(3, sql);
    NodeId leader = h.Leader();
    SqlClient& c = h.AddClient(0);
    uint64_t term = h.Server(leader)->raft().term().value();
    SqlOutcome slow = h.Run(c, "slow 100000");
    REQUIRE(slow.ok());
    // 10,000 turns of the event loop, and the leader stayed leader (heartbeats went out).
    CHECK(h.Server(leader)->raft().term().value() == term);
    CHECK(h.Server(leader)->raft().role() == raft::Role::kLeader);
}

TEST_CASE("a cancel stops the statement in flight with 57014, and the session goes on",
          "[node][sql]") {
    SqlServerOptions sql;
    sql.step_rows = 10;
    SqlHarness h(3, sql);
    h.Leader();
    SqlClient& c = h.AddClient(0);
    c.Cancel();  // Idle: nothing to cancel, nothing sent.
    CHECK(h.Run(c, "slow 20").ok());  // The client now knows the leader.
    const SqlServer& leader = h.Server(h.Leader())->sql();
    uint64_t started = leader.statements_executed();
    std::optional<SqlOutcome> out;
    c.Execute("slow 1000000", {}, [&](const SqlOutcome& o) { out = o; });
    // Cancel once the leader has the statement: a cancel that arrives before it names a seq the
    // session is not running and is ignored (the simulator's network reorders them otherwise).
    // The statement is waiting for its ReadIndex snapshot or stepping: it ends at its next step.
    for (int i = 0; i < 100000 && leader.statements_executed() == started; ++i) h.sim().Step();
    REQUIRE(leader.statements_executed() == started + 1);
    c.Cancel();
    for (int i = 0; i < 1000000 && !out; ++i) h.sim().Step();
    REQUIRE(out.has_value());
    REQUIRE(out->error.has_value());
    CHECK(out->error->kind == sql::ErrorKind::kQueryCanceled);
    CHECK(out->type == KvOutcome::Type::kFail);
    CHECK(leader.cancels() == 1);
    // The session is usable afterwards.
    CHECK(h.Run(c, "slow 20").ok());
}

TEST_CASE("the session table is bounded and idle sessions expire", "[node][sql]") {
    SqlServerOptions sql;
    sql.max_sessions = 2;
    sql.idle_timeout = Duration::Seconds(5);
    SqlHarness h(3, sql);
    NodeId leader = h.Leader();
    SqlClientOptions quick;
    quick.op_timeout = Duration::Seconds(1);
    SqlClient& a = h.AddClient(0, quick);
    SqlClient& b = h.AddClient(1, quick);
    SqlClient& c = h.AddClient(2, quick);
    REQUIRE(h.Run(a, "put a 1").ok());
    REQUIRE(h.Run(b, "put b 1").ok());
    SqlOutcome full = h.Run(c, "get a");
    CHECK_FALSE(full.ok());  // Busy until the op timeout.
    CHECK(h.Server(leader)->sql().session_count() == 2);
    h.sim().RunFor(Duration::Seconds(6)).IgnoreError();
    SqlOutcome later = h.Run(c, "get a");
    REQUIRE(later.ok());
    CHECK(Value(later) == "1");
    CHECK(h.Server(leader)->sql().sessions_expired() >= 1);
}

TEST_CASE("a reply above the size bound is an error, and the session stays usable",
          "[node][sql]") {
    SqlHarness h(3);
    h.Leader();
    SqlClient& c = h.AddClient(0);
    SqlOutcome big = h.Run(c, fmt::format("big {}", kMaxSqlReplyBytes + 1));
    REQUIRE(big.error.has_value());
    CHECK(big.error->kind == sql::ErrorKind::kProgramLimitExceeded);
    CHECK(big.error->message.find("reply bound") != std::string::npos);
    SqlOutcome fits = h.Run(c, "big 1000");
    REQUIRE(fits.ok());
    CHECK(Value(fits).size() == 1000);
}

TEST_CASE("sql.no-read-set is a server bug switch", "[node][sql]") {
    KvServerOptions o;
    REQUIRE(EnableServerBug("sql.no-read-set", &o).ok());
    CHECK(o.sql.session.bug_no_read_set);
}

}  // namespace orrery::node
