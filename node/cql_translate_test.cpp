// The CQL statement side on a real engine session (the embedded database in memory, answering
// through a queue drained after each command, so every SQL answer arrives after the call, as a
// node's does), driven by golden scripts in testdata/cql/:
//
//   cql STATEMENT                 runs it as a QUERY with no values (USE changes the keyspace)
//   execute STATEMENT | v | v     prepares it, binds the values (CQL literals, 'unset' for an
//                                 unset value) by the markers' types, and runs it
//   prepare STATEMENT             prints the markers, partition key indexes and result columns
//   batch STATEMENT | STATEMENT   one BATCH message of statements without values
//   fault PREFIX KIND COUNT       the next COUNT SQL statements starting with PREFIX fail
//                                 (KIND serialization | unavailable | info), during the next
//                                 request only
//   injected                      how many faults fired so far
//
// Results print as: void | keyspace KS | schema CHANGE TARGET KS [NAME] | a header line
// "name:type ..." and one line per row | error 0xCODE: message [fields].
// Also: cql_values round trips and hostile bytes.
#include "node/cql_translate.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <deque>

#include "node/cql_bind.h"
#include "node/sql_engine_sessions.h"
#include "node/sql_server_test_util.h"
#include "sql/embedded.h"
#include "testkit/golden.h"

namespace orrery::node::cql {
namespace {

using namespace std::string_literals;

// A SqlRunner a test can drive: Drain() runs until every SQL statement issued (including the
// ones issued from callbacks) is answered.
class TestRunner : public SqlRunner {
public:
    virtual void Drain() = 0;
    virtual sql::TxnStatus txn_status() const = 0;
    // Faults (EngineRunner only): see EngineRunner::Fault.
    struct Fault {
        std::string prefix;
        std::string kind;
        int count = 0;
    };
    std::vector<Fault> faults;
    int injected = 0;
};

class EngineRunner final : public TestRunner {
public:
    EngineRunner() : db_(sql::EmbeddedDatabase::OpenInMemory().value()), session_(db_->NewSession()) {}

    // Each of `faults` makes the next `count` statements starting with `prefix` fail with
    // `kind` without running: serialization | unavailable (fail), or info (the outcome is
    // unknown; as a node's session after an info, the engine's open transaction is rolled back).
    void Execute(std::string text, std::vector<sql::Value> params,
                 std::function<void(const SqlOutcome&)> done) override {
        pending_.push_back([this, text = std::move(text), params = std::move(params),
                            done = std::move(done)]() mutable {
            SqlOutcome out;
            for (Fault& f : faults) {
                if (f.count == 0 || text.rfind(f.prefix, 0) != 0) continue;
                --f.count;
                if (f.kind == "info") {
                    out.type = KvOutcome::Type::kInfo;
                    out.error = sql::MakeSqlError(sql::ErrorKind::kUnknownOutcome, "injected: no answer");
                    if (session_->txn_status() != sql::TxnStatus::kIdle) {
                        (void)db_->Execute(*session_, "ROLLBACK", {});
                    }
                } else {
                    out.type = KvOutcome::Type::kFail;
                    out.error = sql::MakeSqlError(f.kind == "unavailable" ? sql::ErrorKind::kUnavailable
                                                                          : sql::ErrorKind::kSerializationFailure,
                                                  "injected " + f.kind);
                }
                out.txn_status = session_->txn_status();
                ++injected;
                done(out);
                return;
            }
            sql::StatementOutcome o = db_->Execute(*session_, text, std::move(params));
            if (o.ok()) {
                out.result = std::move(o).value();
            } else {
                out.type = KvOutcome::Type::kFail;
                out.error = o.error();
            }
            out.txn_status = session_->txn_status();
            ++executed;
            if (log) log->push_back(text);
            done(out);
        });
    }
    void Drain() override {
        for (int i = 0; i < 100000 && !pending_.empty(); ++i) {
            auto f = std::move(pending_.front());
            pending_.pop_front();
            f();
        }
        REQUIRE(pending_.empty());
    }
    sql::TxnStatus txn_status() const override { return session_->txn_status(); }
    int executed = 0;
    std::vector<std::string>* log = nullptr;

private:
    std::unique_ptr<sql::EmbeddedDatabase> db_;
    std::unique_ptr<sql::Session> session_;
    std::deque<std::function<void()>> pending_;
};

// The node's real path: a SqlClient on a simulated 3-node Raft cluster whose nodes run the
// engine's sessions (every statement goes to the leader, every write is a Raft entry).
class ClusterRunner final : public TestRunner {
public:
    ClusterRunner() : harness_(3, Options()), client_(harness_.AddClient(0)) { harness_.Leader(); }

    void Execute(std::string text, std::vector<sql::Value> params,
                 std::function<void(const SqlOutcome&)> done) override {
        ++outstanding_;
        client_.Execute(std::move(text), std::move(params), [this, done](const SqlOutcome& o) {
            --outstanding_;
            done(o);
        });
    }
    void Drain() override {
        const Timestamp end = harness_.sim().Now() + Duration::Seconds(120);
        while (outstanding_ > 0 && harness_.sim().Now() < end && harness_.sim().Step()) {
        }
        REQUIRE(outstanding_ == 0);
    }
    sql::TxnStatus txn_status() const override { return client_.txn_status(); }

private:
    static SqlServerOptions Options() {
        SqlServerOptions o;
        o.sessions = EngineSqlSessions(sql::SessionOptions{});
        return o;
    }
    testing::SqlHarness harness_;
    SqlClient& client_;
    int outstanding_ = 0;
};

Topology TestTopology() {
    Topology t;
    t.cluster_name = "orrery-test";
    t.self = NodeInfo{"11111111-1111-4111-8111-111111111111", "127.0.0.1", 9042, "datacenter1",
                      "rack1", {"-3074457345618258603"}};
    t.peers.push_back(NodeInfo{"22222222-2222-4222-8222-222222222222", "127.0.0.2", 9042,
                               "datacenter1", "rack1", {"3074457345618258602"}});
    return t;
}

// Renders one cell of `type` for the golden output.
std::string RenderCell(const Type& type, const Cell& cell) {
    if (!cell) return "NULL";
    if (type.id == TypeId::kInet) {
        if (cell->size() != 4) return fmt::format("inet({} bytes)", cell->size());
        return fmt::format("{}.{}.{}.{}", static_cast<unsigned char>((*cell)[0]),
                           static_cast<unsigned char>((*cell)[1]), static_cast<unsigned char>((*cell)[2]),
                           static_cast<unsigned char>((*cell)[3]));
    }
    if (IsCollection(type)) {
        // A map is rendered from its raw layout (n, then n key-value pairs).
        std::string out = type.id == TypeId::kList ? "[" : "{";
        if (type.id == TypeId::kMap) {
            std::string_view b = *cell;
            auto get32 = [&b] {
                uint32_t x = 0;
                for (int k = 0; k < 4; ++k) x = (x << 8) | static_cast<unsigned char>(b[static_cast<size_t>(k)]);
                b.remove_prefix(4);
                return x;
            };
            const uint32_t n = get32();
            for (uint32_t i = 0; i < n; ++i) {
                uint32_t kl = get32();
                std::string k(b.substr(0, kl));
                b.remove_prefix(kl);
                uint32_t vl = get32();
                std::string v(b.substr(0, vl));
                b.remove_prefix(vl);
                out += (i ? ", " : "") + RenderCell(type.params[0], k) + ": " + RenderCell(type.params[1], v);
            }
            return out + "}";
        }
        orrery::Result<std::vector<std::string>> parts = SplitCollection(*cell);
        if (!parts.ok()) return "<bad collection>";
        for (size_t i = 0; i < parts.value().size(); ++i) {
            out += (i ? ", " : "") + RenderCell(type.params[0], parts.value()[i]);
        }
        return out + (type.id == TypeId::kList ? "]" : "}");
    }
    orrery::Result<sql::Value> v = Decode(type, cell);
    if (!v.ok()) return "<" + v.status().message() + ">";
    return v.value().ToString();
}

std::string RenderOutcome(const Outcome& o) {
    if (o.error) {
        const Error& e = *o.error;
        std::string out = fmt::format("error 0x{:04x}: {}", e.code, e.message);
        if (e.code == error_code::kAlreadyExists) out += fmt::format(" [ks={} table={}]", e.keyspace, e.table);
        if (e.code == error_code::kWriteTimeout) out += " [write_type=" + e.write_type + "]";
        if (e.code == error_code::kUnavailable) out += fmt::format(" [required={} alive={}]", e.required, e.alive);
        return out;
    }
    const Result& r = *o.result;
    switch (r.kind) {
    case Result::Kind::kVoid: return "void";
    case Result::Kind::kSetKeyspace: return "keyspace " + r.keyspace;
    case Result::Kind::kSchemaChange:
        return fmt::format("schema {} {} {}{}", r.change_type, r.target, r.keyspace,
                           r.name.empty() ? "" : " " + r.name);
    case Result::Kind::kRows: break;
    }
    std::string out;
    for (size_t i = 0; i < r.columns.size(); ++i) {
        out += (i ? " " : "") + r.columns[i].name + ":" + TypeName(r.columns[i].type);
    }
    for (const auto& row : r.rows) {
        out += "\n";
        REQUIRE(row.size() == r.columns.size());
        for (size_t i = 0; i < row.size(); ++i) out += (i ? " | " : "") + RenderCell(r.columns[i].type, row[i]);
    }
    if (r.rows.empty()) out += "\n(no rows)";
    return out;
}

std::string RenderSpec(const ColumnSpec& c) {
    return fmt::format("{}.{}.{}:{}", c.keyspace, c.table, c.name, TypeName(c.type));
}

std::vector<std::string> SplitBars(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t bar = s.find(" | ", start);
        out.push_back(s.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
        if (bar == std::string::npos) return out;
        start = bar + 3;
    }
}

// A CQL literal's bytes for a marker of `type`, read through the parser and the binder.
orrery::Result<Cell> LiteralCell(const std::string& literal, const Type& type) {
    orrery::Result<Statement> s = ParseStatement("INSERT INTO x (a) VALUES (" + literal + ")");
    if (!s.ok()) return s.status();
    QueryParams none;
    Binder binder(s.value(), none);
    orrery::Result<std::optional<sql::Value>> v = binder.Bind(s.value().insert_values[0], type, "a");
    if (!v.ok()) return v.status();
    return Encode(type, **v);
}

class Harness {
public:
    explicit Harness(TestRunner& runner) : runner_(runner), translator_(NewTranslator(runner_, TestTopology())) {}

    orrery::Result<std::string> Run(const testkit::GoldenCommand& c) {
        const std::string rest = c.Rest();
        if (c.name == "cql") return Query(rest, {}, {});
        if (c.name == "prepare") return RenderPrepared(Prepare(rest));
        if (c.name == "execute") {
            std::vector<std::string> parts = SplitBars(rest);
            PrepareOutcome p = Prepare(parts[0]);
            if (p.error) return RenderOutcome(Outcome::Fail(*p.error));
            std::vector<Cell> values;
            std::vector<bool> unset;
            for (size_t i = 1; i < parts.size(); ++i) {
                if (i - 1 >= p.prepared->markers.size()) return Status::InvalidArgument("too many values");
                unset.push_back(parts[i] == "unset");
                if (parts[i] == "unset") {
                    values.push_back(std::nullopt);
                    continue;
                }
                orrery::Result<Cell> cell = LiteralCell(parts[i], p.prepared->markers[i - 1].type);
                if (!cell.ok()) return cell.status();
                values.push_back(cell.value());
            }
            return Query(parts[0], std::move(values), std::move(unset));
        }
        if (c.name == "fault") {
            if (c.args.size() != 3) return Status::InvalidArgument("fault PREFIX KIND COUNT");
            runner_.faults.push_back(TestRunner::Fault{c.args[0], c.args[1], std::stoi(c.args[2])});
            return std::string();
        }
        if (c.name == "injected") return fmt::format("{} injected", runner_.injected);
        if (c.name == "batch") {
            BatchRequest b;
            b.keyspace = keyspace_;
            for (const std::string& q : SplitBars(rest)) b.statements.push_back(BatchStatement{q, {}});
            std::optional<Outcome> out;
            translator_->Batch(std::move(b), [&out](Outcome o) { out = std::move(o); });
            runner_.Drain();
            runner_.faults.clear();
            REQUIRE(out.has_value());
            return RenderOutcome(*out);
        }
        return Status::InvalidArgument("unknown command " + c.name);
    }

private:
    std::string Query(const std::string& text, std::vector<Cell> values, std::vector<bool> unset) {
        Request r;
        r.keyspace = keyspace_;
        r.query = text;
        r.params.values = std::move(values);
        r.params.unset = std::move(unset);
        std::optional<Outcome> out;
        translator_->Execute(std::move(r), [&out](Outcome o) { out = std::move(o); });
        runner_.Drain();
        runner_.faults.clear();  // A fault is for the next request only.
        REQUIRE(out.has_value());
        // Every request leaves the session outside a transaction.
        REQUIRE(runner_.txn_status() == sql::TxnStatus::kIdle);
        if (out->result && out->result->kind == Result::Kind::kSetKeyspace) keyspace_ = out->result->keyspace;
        return RenderOutcome(*out);
    }

    PrepareOutcome Prepare(const std::string& text) {
        std::optional<PrepareOutcome> out;
        translator_->Prepare(keyspace_, text, [&out](PrepareOutcome o) { out = std::move(o); });
        runner_.Drain();
        REQUIRE(out.has_value());
        return *out;
    }

    static std::string RenderPrepared(const PrepareOutcome& p) {
        if (p.error) return RenderOutcome(Outcome::Fail(*p.error));
        std::string out = "markers:";
        for (const ColumnSpec& m : p.prepared->markers) out += " " + RenderSpec(m);
        out += "\npartition key:";
        for (uint16_t i : p.prepared->partition_key_indexes) out += fmt::format(" {}", i);
        if (p.prepared->result_columns) {
            out += "\nresult:";
            for (const ColumnSpec& c : *p.prepared->result_columns) out += " " + RenderSpec(c);
        }
        return out;
    }

    TestRunner& runner_;
    std::unique_ptr<Backend> translator_;
    std::string keyspace_;
};

}  // namespace

TEST_CASE("cql translate: golden scripts", "[node][cql]") {
    for (const std::string& file : testkit::ListGoldenFiles("testdata/cql", ".txt")) {
        SECTION(file) {
            EngineRunner runner;
            Harness h(runner);
            testkit::RunGoldenFile(file, [&h](const testkit::GoldenCommand& c) { return h.Run(c); });
        }
    }
}

// The same scripts through a SqlClient on a simulated Raft cluster give the same answers
// (faults.txt injects failures into the embedded runner only).
TEST_CASE("cql translate: golden scripts on a 3-node Raft cluster", "[node][cql]") {
    for (const std::string& file : testkit::ListGoldenFiles("testdata/cql", ".txt")) {
        if (file.find("faults") != std::string::npos) continue;
        SECTION(file) {
            ClusterRunner runner;
            Harness h(runner);
            testkit::RunGoldenFile(file, [&h](const testkit::GoldenCommand& c) { return h.Run(c); });
        }
    }
}

TEST_CASE("cql translate: requests sent together are answered one by one, in order", "[node][cql]") {
    // The driver sends system.peers and system.local at once on a new control connection.
    EngineRunner runner;
    std::vector<std::string> sql_log;
    runner.log = &sql_log;
    std::unique_ptr<Backend> t = NewTranslator(runner, TestTopology());
    std::vector<std::string> answers;
    for (const char* q : {"SELECT * FROM system.peers", "SELECT key FROM system.local",
                          "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
                          "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = 'ks'"}) {
        Request r;
        r.query = q;
        t->Execute(std::move(r), [&answers, q](Outcome o) {
            answers.push_back(std::string(q).substr(0, 20) + " -> " + RenderOutcome(o));
        });
    }
    CHECK(answers.empty());  // Nothing answers before the SQL side does.
    runner.Drain();
    REQUIRE(answers.size() == 4);
    CHECK(answers[2] == "CREATE KEYSPACE ks W -> schema CREATED KEYSPACE ks");
    CHECK(answers[3] == "SELECT keyspace_name -> keyspace_name:text\nks");
    CHECK(runner.txn_status() == sql::TxnStatus::kIdle);
}

TEST_CASE("cql translate: an answer arriving after the translator is gone is dropped", "[node][cql]") {
    EngineRunner runner;
    int answered = 0;
    {
        std::unique_ptr<Backend> t = NewTranslator(runner, TestTopology());
        Request r;
        r.query = "SELECT * FROM system.local";
        t->Execute(std::move(r), [&answered](Outcome) { ++answered; });
    }
    runner.Drain();
    CHECK(answered == 0);
}

TEST_CASE("cql translate: hostile bound values give errors; what is written reads back", "[node][cql]") {
    EngineRunner runner;
    std::unique_ptr<Backend> t = NewTranslator(runner, TestTopology());
    auto run = [&](const std::string& q, std::vector<Cell> values) {
        Request r;
        r.keyspace = "ks";
        r.query = q;
        r.params.values = std::move(values);
        std::optional<Outcome> out;
        t->Execute(std::move(r), [&out](Outcome o) { out = std::move(o); });
        runner.Drain();
        RC_ASSERT(out.has_value());
        RC_ASSERT(runner.txn_status() == sql::TxnStatus::kIdle);
        return *out;
    };
    REQUIRE(!run("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", {}).error);
    REQUIRE(!run("CREATE TABLE t (k int PRIMARY KEY, a text, b blob, c bigint, d list<int>, e map<text, uuid>, f inet)", {}).error);
    rc::prop("an INSERT of arbitrary bytes is refused or reads back as written", [&](int32_t key, const std::vector<std::string>& raw) {
        std::vector<Cell> values = {EncodeInt(key)};
        for (size_t i = 0; i < 6; ++i) values.push_back(i < raw.size() ? Cell(raw[i]) : Cell(std::nullopt));
        Outcome w = run("INSERT INTO t (k, a, b, c, d, e, f) VALUES (?, ?, ?, ?, ?, ?, ?)", values);
        if (w.error) {
            RC_ASSERT(w.error->code == error_code::kInvalid);
            return;
        }
        Outcome r = run("SELECT a, b, c, f FROM t WHERE k = ?", {EncodeInt(key)});
        RC_ASSERT(!r.error);
        RC_ASSERT(r.result->rows.size() == 1u);
        const std::vector<Cell>& row = r.result->rows[0];
        // text and blob come back byte for byte; an empty bigint or inet is Cassandra's empty
        // value, read back as null.
        RC_ASSERT(row[0] == values[1]);
        RC_ASSERT(row[1] == values[2]);
        for (int i : {2, 3}) {
            const Cell& sent = values[static_cast<size_t>(i == 2 ? 3 : 6)];
            RC_ASSERT(row[static_cast<size_t>(i)] == (sent && sent->empty() ? Cell(std::nullopt) : sent));
        }
    });
}

namespace {

// One SqlClient of a shared simulated cluster, as a SqlRunner.
class ClientRunner final : public SqlRunner {
public:
    explicit ClientRunner(SqlClient& client) : client_(client) {}
    void Execute(std::string text, std::vector<sql::Value> params,
                 std::function<void(const SqlOutcome&)> done) override {
        ++outstanding;
        client_.Execute(std::move(text), std::move(params), [this, done](const SqlOutcome& o) {
            --outstanding;
            done(o);
        });
    }
    int outstanding = 0;

private:
    SqlClient& client_;
};

}  // namespace

TEST_CASE("cql translate: two connections racing on one cluster", "[node][cql]") {
    SqlServerOptions options;
    options.sessions = EngineSqlSessions(sql::SessionOptions{});
    testing::SqlHarness h(3, options);
    ClientRunner ra(h.AddClient(0)), rb(h.AddClient(1));
    h.Leader();
    std::unique_ptr<Backend> a = NewTranslator(ra, TestTopology());
    std::unique_ptr<Backend> b = NewTranslator(rb, TestTopology());
    // Sends one request on each connection at once and runs the cluster until both answer.
    auto both = [&](const std::string& qa, const std::string& qb) {
        std::vector<std::string> out(2);
        int answered = 0;
        Backend* t[2] = {a.get(), b.get()};
        const std::string* q[2] = {&qa, &qb};
        for (int i = 0; i < 2; ++i) {
            Request r;
            r.keyspace = "ks";
            r.query = *q[i];
            t[i]->Execute(std::move(r), [&out, &answered, i](Outcome o) {
                out[static_cast<size_t>(i)] = RenderOutcome(o);
                ++answered;
            });
        }
        const Timestamp end = h.sim().Now() + Duration::Seconds(120);
        while (answered < 2 && h.sim().Now() < end && h.sim().Step()) {
        }
        REQUIRE(answered == 2);
        return out;
    };
    const std::string create = "CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}";
    std::vector<std::string> ks = both(create, create);
    std::sort(ks.begin(), ks.end());
    CHECK(ks[0] == "error 0x2400: Cannot add existing keyspace \"ks\" [ks=ks table=]");
    CHECK(ks[1] == "schema CREATED KEYSPACE ks");
    std::vector<std::string> tables = both("CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text)",
                                           "CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text)");
    std::sort(tables.begin(), tables.end());
    CHECK(tables[0] == "schema CREATED TABLE ks kv");
    CHECK(tables[1] == "void");
    // Upserts of one key from both sides all succeed (a lost race is retried).
    for (int i = 0; i < 10; ++i) {
        std::vector<std::string> w = both(fmt::format("INSERT INTO kv (k, v) VALUES ({}, 'a')", i % 3),
                                          fmt::format("UPDATE kv SET v = 'b' WHERE k = {}", i % 3));
        CHECK(w[0] == "void");
        CHECK(w[1] == "void");
    }
    // Exactly one of two conditional inserts of one key applies.
    std::vector<std::string> lwt = both("INSERT INTO kv (k, v) VALUES (7, 'a') IF NOT EXISTS",
                                        "INSERT INTO kv (k, v) VALUES (7, 'b') IF NOT EXISTS");
    const bool a_won = lwt[0] == "[applied]:boolean\ntrue";
    const bool b_won = lwt[1] == "[applied]:boolean\ntrue";
    CHECK(a_won != b_won);
    CHECK(lwt[a_won ? 1 : 0] ==
          fmt::format("[applied]:boolean k:int v:text\nfalse | 7 | {}", a_won ? "a" : "b"));
    std::vector<std::string> read = both("SELECT v FROM kv WHERE k = 7", "SELECT count(*) FROM kv");
    CHECK(read[0] == fmt::format("v:text\n{}", a_won ? "a" : "b"));
    CHECK(read[1] == "count:bigint\n4");
    CHECK(ra.outstanding == 0);
    CHECK(rb.outstanding == 0);
}

TEST_CASE("cql values: native round trips", "[node][cql]") {
    struct Case {
        const char* type;
        sql::Value value;
        std::string bytes;
    };
    const std::vector<Case> cases = {
        {"int", sql::Value::Integer(-2), std::string("\xff\xff\xff\xfe", 4)},
        {"bigint", sql::Value::Integer(1), std::string("\0\0\0\0\0\0\0\1", 8)},
        {"boolean", sql::Value::Boolean(true), std::string("\1", 1)},
        {"double", sql::Value::Float(1.0), std::string("\x3f\xf0\0\0\0\0\0\0", 8)},
        {"float", sql::Value::Float(1.0), std::string("\x3f\x80\0\0", 4)},
        {"text", sql::Value::String("héllo"), "héllo"},
        {"blob", sql::Value::Blob(std::string("\0\1", 2)), std::string("\0\1", 2)},
        {"timestamp", sql::Value::Timestamp(1000), std::string("\0\0\0\0\0\0\0\1", 8)},
        {"uuid", sql::Value::String("00000000-0000-0000-0000-000000000001"),
         std::string(15, '\0') + "\1"},
        {"inet", sql::Value::Blob("\x7f\0\0\1"s), "\x7f\0\0\1"s},
        {"list<int>", sql::Value::Blob("\0\0\0\1\0\0\0\4\0\0\0\7"s), "\0\0\0\1\0\0\0\4\0\0\0\7"s},
    };
    for (const Case& c : cases) {
        INFO(c.type);
        Type t = ParseType(c.type).value();
        orrery::Result<Cell> enc = Encode(t, c.value);
        REQUIRE(enc.ok());
        CHECK(*enc.value() == c.bytes);
        orrery::Result<sql::Value> dec = Decode(t, c.bytes);
        REQUIRE(dec.ok());
        CHECK(dec.value() == c.value);
    }
    CHECK(Decode(ParseType("int").value(), Cell(std::nullopt)).value().is_null());
    CHECK(!Encode(ParseType("int").value(), sql::Value::Integer(int64_t{1} << 40)).ok());
    CHECK(!ParseType("counter").ok());
    CHECK(TypeName(ParseType("MAP<text, frozen<list<int>>>").value()) == "map<text, list<int>>");
    // A set's elements come out in one canonical order, duplicates once.
    Type set = ParseType("set<int>").value();
    std::string two_three = "\0\0\0\3\0\0\0\4\0\0\0\3\0\0\0\4\0\0\0\2\0\0\0\4\0\0\0\3"s;
    CHECK(Decode(set, two_three).value().blob() == "\0\0\0\2\0\0\0\4\0\0\0\2\0\0\0\4\0\0\0\3"s);
}

TEST_CASE("cql values: hostile bytes give errors, and what decodes re-encodes", "[node][cql]") {
    const std::vector<std::string> types = {"int", "bigint", "boolean", "double", "float", "text",
                                            "ascii", "blob", "timestamp", "uuid", "timeuuid", "inet",
                                            "smallint", "tinyint", "list<int>", "set<text>",
                                            "map<text, list<bigint>>", "list<uuid>"};
    rc::prop("Decode never crashes; Encode(Decode(b)) decodes to the same value",
             [&types](const std::string& bytes, uint8_t pick) {
                 Type t = ParseType(types[pick % types.size()]).value();
                 orrery::Result<sql::Value> v = Decode(t, Cell(bytes));
                 if (!v.ok()) return;
                 orrery::Result<Cell> again = Encode(t, v.value());
                 RC_ASSERT(again.ok());
                 if (!again.value()) return;  // An empty value decodes as NULL.
                 orrery::Result<sql::Value> v2 = Decode(t, again.value());
                 RC_ASSERT(v2.ok());
                 RC_ASSERT(v2.value() == v.value());
             });
    // A count far beyond the bytes present.
    CHECK(!Decode(ParseType("list<int>").value(), Cell("\x7f\xff\xff\xff"s)).ok());
    CHECK(!Decode(ParseType("int").value(), Cell("\1\2\3"s)).ok());
    CHECK(!Decode(ParseType("text").value(), Cell("\xff"s)).ok());
}

TEST_CASE("cql parser: every input parses or fails, never crashes", "[node][cql]") {
    rc::prop("ParseStatement is total", [](const std::string& text) {
        (void)ParseStatement(text);
        (void)ParseStatement("SELECT * FROM t WHERE k = " + text);
        (void)ParseStatement("INSERT INTO t (a) VALUES (" + text);
    });
}

}  // namespace orrery::node::cql

namespace orrery::node::cql {
namespace {

std::string Hex(const std::string& b) {
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xf]);
    }
    return out;
}

std::string JsonString(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

}  // namespace

// Not run by ctest (hidden tag): prints, one JSON object per line, what the driver's schema
// queries answer, for node/testdata/cql/driver_metadata_check.py, which decodes every cell with
// the Cassandra Python driver's own types and runs its SchemaParserV3 on the rows.
TEST_CASE("cql translate: dump the driver's metadata queries", "[.dump]") {
    EngineRunner runner;
    std::unique_ptr<Backend> t = NewTranslator(runner, TestTopology());
    auto run = [&](const std::string& ks, const std::string& q) {
        Request r;
        r.keyspace = ks;
        r.query = q;
        std::optional<Outcome> out;
        t->Execute(std::move(r), [&out](Outcome o) { out = std::move(o); });
        runner.Drain();
        REQUIRE(out.has_value());
        return *out;
    };
    for (const char* ddl :
         {"CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
          "CREATE TABLE ks.kv (k int PRIMARY KEY, v text, ok boolean)",
          "CREATE TABLE ks.\"Events\" (p text, \"Day\" int, seq bigint, body blob, tags set<text>, "
          "m map<text, int>, l list<timestamp>, id uuid, ip inet, PRIMARY KEY ((p, \"Day\"), seq)) "
          "WITH CLUSTERING ORDER BY (seq DESC)"}) {
        REQUIRE(!run("", ddl).error);
    }
    const char* where_kv = " WHERE keyspace_name = 'ks' AND table_name = 'kv'";
    std::vector<std::string> queries = {
        "SELECT * FROM system.local WHERE key='local'", "SELECT * FROM system.peers",
        "SELECT * FROM system.peers_v2",
        "SELECT peer, host_id, tokens, schema_version FROM system.peers",
        "SELECT schema_version FROM system.local WHERE key='local'",
    };
    for (const char* t : {"keyspaces", "tables", "columns", "types", "functions", "aggregates",
                          "triggers", "indexes", "views"}) {
        queries.push_back(std::string("SELECT * FROM system_schema.") + t);
        queries.push_back(std::string("SELECT * FROM system_schema.") + t + " WHERE keyspace_name = 'ks'");
    }
    for (const char* t : {"tables", "columns", "indexes", "triggers"}) {
        queries.push_back(std::string("SELECT * FROM system_schema.") + t + where_kv);
    }
    queries.push_back("SELECT * FROM system_schema.views WHERE keyspace_name = 'ks' AND view_name = 'kv'");
    for (const std::string& q : queries) {
        Outcome o = run("", q);
        std::string line = "{\"query\": " + JsonString(q);
        if (o.error) {
            line += fmt::format(", \"error\": {}, \"message\": {}}}", o.error->code, JsonString(o.error->message));
        } else {
            line += ", \"columns\": [";
            for (size_t i = 0; i < o.result->columns.size(); ++i) {
                line += (i ? ", " : "") + std::string("[") + JsonString(o.result->columns[i].name) + ", " +
                        JsonString(TypeName(o.result->columns[i].type)) + "]";
            }
            line += "], \"rows\": [";
            for (size_t r = 0; r < o.result->rows.size(); ++r) {
                line += r ? ", [" : "[";
                for (size_t i = 0; i < o.result->rows[r].size(); ++i) {
                    const Cell& c = o.result->rows[r][i];
                    line += (i ? ", " : "") + (c ? JsonString(Hex(*c)) : std::string("null"));
                }
                line += "]";
            }
            line += "]}";
        }
        std::printf("%s\n", line.c_str());
    }
}

}  // namespace orrery::node::cql
