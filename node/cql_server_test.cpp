// CqlConnection against a scripted Backend: the handshake, version negotiation, pipelined
// streams, paging, USE, PREPARE/EXECUTE (shared ids, Unprepared), BATCH, errors, and hostile
// frames that close only their own connection.
#include "node/cql_server.h"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <random>

namespace orrery::node::cql {
namespace {

// Answers Execute by the query text from `answers` (unknown text: a syntax error), Prepare from
// `prepared`; with `hold` set the answers wait in `held` until Release().
struct ScriptedBackend final : Backend {
    std::map<std::string, Outcome> answers;
    std::map<std::string, Prepared> prepared;
    std::vector<Request> requests;
    std::vector<BatchRequest> batches;
    std::vector<std::pair<std::string, std::string>> prepares;  // (keyspace, query).
    bool hold = false;
    std::deque<std::function<void()>> held;
    int outstanding = 0;
    int outstanding_max = 0;

    void Answer(std::function<void()> f) {
        ++outstanding;
        outstanding_max = std::max(outstanding_max, outstanding);
        auto run = [this, f = std::move(f)] {
            --outstanding;
            f();
        };
        if (hold) {
            held.push_back(std::move(run));
        } else {
            run();
        }
    }
    void Release() {
        REQUIRE(!held.empty());
        auto f = std::move(held.front());
        held.pop_front();
        f();
    }
    void Execute(Request request, std::function<void(Outcome)> done) override {
        requests.push_back(request);
        auto it = answers.find(request.query);
        Outcome o = it != answers.end() ? it->second
                                        : Outcome::Fail(error_code::kSyntax, "no such statement");
        Answer([o, done = std::move(done)] { done(o); });
    }
    void Prepare(std::string keyspace, std::string query,
                 std::function<void(PrepareOutcome)> done) override {
        prepares.emplace_back(keyspace, query);
        PrepareOutcome o;
        auto it = prepared.find(query);
        if (it != prepared.end()) {
            o.prepared = it->second;
        } else {
            Error e;
            e.code = error_code::kInvalid;
            e.message = "unknown table";
            o.error = e;
        }
        Answer([o, done = std::move(done)] { done(o); });
    }
    void Batch(BatchRequest request, std::function<void(Outcome)> done) override {
        batches.push_back(request);
        Answer([done = std::move(done)] { done(Outcome::Ok(Result{})); });
    }
};

std::string RequestFrame(int16_t stream, Opcode opcode, std::string_view body, uint8_t version = 4,
                         uint8_t flags = 0) {
    Writer w;
    w.Byte(version);
    w.Byte(flags);
    w.Short(static_cast<uint16_t>(stream));
    w.Byte(static_cast<uint8_t>(opcode));
    w.Int(static_cast<int32_t>(body.size()));
    return w.Take() + std::string(body);
}

std::string StartupBody(std::map<std::string, std::string> options = {{"CQL_VERSION", "3.0.0"}}) {
    Writer w;
    w.StringMap(options);
    return w.Take();
}

std::string QueryBody(std::string query, QueryOptions options = {}) {
    return EncodeQuery(QueryMessage{std::move(query), std::move(options)});
}

struct Response {
    FrameHeader header;
    std::string body;
    Opcode opcode() const { return static_cast<Opcode>(header.opcode); }
    Error error() const {
        Error e;
        std::string why;
        REQUIRE(opcode() == Opcode::kError);
        REQUIRE(DecodeError(body, &e, &why));
        return e;
    }
    DecodedResult result() const {
        DecodedResult r;
        std::string why;
        REQUIRE(opcode() == Opcode::kResult);
        REQUIRE(DecodeResult(body, &r, &why));
        return r;
    }
};

// One connection and the frames it wrote.
struct Client {
    explicit Client(ScriptedBackend& backend, std::shared_ptr<PreparedCache> shared = nullptr)
        : conn(backend, CqlConnectionOptions{std::move(shared)},
               [this](std::string_view bytes) { out.append(bytes); }, [this] { ++closes; }) {}

    std::vector<Response> Send(std::string_view bytes) {
        conn.OnBytes(bytes);
        return Take();
    }
    std::vector<Response> Take() {
        std::vector<Response> frames;
        std::string_view rest = out;
        while (true) {
            FrameCut cut = CutFrame(rest);
            if (cut.kind != FrameCut::Kind::kFrame) break;
            CHECK(cut.header.version == 0x84);
            frames.push_back({cut.header, std::string(cut.body)});
            rest.remove_prefix(cut.consumed);
        }
        REQUIRE(rest.empty());
        out.clear();
        return frames;
    }
    void Start() {
        auto r = Send(RequestFrame(0, Opcode::kStartup, StartupBody()));
        REQUIRE(r.size() == 1);
        REQUIRE(r[0].opcode() == Opcode::kReady);
    }

    std::string out;
    int closes = 0;
    CqlConnection conn;
};

Result Rows(int n) {
    Result r;
    r.kind = Result::Kind::kRows;
    r.columns = {ColumnSpec{"ks", "t", "k", Type::Native(TypeId::kInt)}};
    for (int i = 0; i < n; ++i) r.rows.push_back({std::string(1, static_cast<char>('a' + i))});
    return r;
}

TEST_CASE("OPTIONS answers SUPPORTED; STARTUP and REGISTER answer READY", "[node][cql]") {
    ScriptedBackend backend;
    Client c(backend);
    auto r = c.Send(RequestFrame(5, Opcode::kOptions, ""));
    REQUIRE(r.size() == 1);
    CHECK(r[0].header.stream == 5);
    REQUIRE(r[0].opcode() == Opcode::kSupported);
    Reader reader(r[0].body);
    std::map<std::string, std::vector<std::string>> supported;
    REQUIRE(reader.StringMultimap(&supported));
    CHECK(supported.at("CQL_VERSION") == std::vector<std::string>{"3.4.4"});
    CHECK(supported.at("COMPRESSION").empty());
    CHECK(supported.at("PROTOCOL_VERSIONS") == std::vector<std::string>{"4/v4"});

    // A statement before STARTUP is refused, and the connection stays usable.
    r = c.Send(RequestFrame(1, Opcode::kQuery, QueryBody("SELECT 1")));
    REQUIRE(r.size() == 1);
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(r[0].error().message == "Unexpected message QUERY, expecting STARTUP or OPTIONS");
    CHECK(!c.conn.closed());
    CHECK(backend.requests.empty());

    c.Start();
    Writer events;
    events.StringList({"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"});
    r = c.Send(RequestFrame(2, Opcode::kRegister, events.out()));
    REQUIRE(r.size() == 1);
    CHECK(r[0].opcode() == Opcode::kReady);
    CHECK(r[0].header.stream == 2);
    CHECK(c.closes == 0);
}

TEST_CASE("a frame of another protocol version gets Cassandra 3.11's ProtocolError and closes",
          "[node][cql]") {
    for (uint8_t version : {uint8_t{5}, uint8_t{0x42}, uint8_t{3}}) {
        ScriptedBackend backend;
        Client c(backend);
        auto r = c.Send(RequestFrame(7, Opcode::kStartup, StartupBody(), version));
        REQUIRE(r.size() == 1);
        CHECK(r[0].header.stream == 7);
        Error e = r[0].error();
        CHECK(e.code == error_code::kProtocol);
        // The driver downgrades when the message says "unsupported protocol version".
        CHECK(e.message == fmt::format("Invalid or unsupported protocol version ({}); the lowest "
                                       "supported version is 4 and the greatest is 4",
                                       int{version}));
        CHECK(c.conn.closed());
        CHECK(c.closes == 1);
        CHECK(c.Send(RequestFrame(8, Opcode::kOptions, "")).empty());  // Nothing after close.
    }
}

TEST_CASE("STARTUP asking for compression is refused with a protocol error", "[node][cql]") {
    ScriptedBackend backend;
    Client c(backend);
    auto r = c.Send(RequestFrame(0, Opcode::kStartup,
                                 StartupBody({{"CQL_VERSION", "3.0.0"}, {"COMPRESSION", "lz4"}})));
    REQUIRE(r.size() == 1);
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(r[0].error().message.find("lz4") != std::string::npos);
    CHECK(!c.conn.started());
    r = c.Send(RequestFrame(0, Opcode::kStartup, StartupBody({})));
    CHECK(r[0].error().message == "CQL_VERSION is mandatory");
    c.Start();
}

TEST_CASE("pipelined streams run one at a time, each answered on its own stream; OPTIONS does "
          "not wait", "[node][cql]") {
    ScriptedBackend backend;
    backend.answers["A"] = Outcome::Ok(Rows(1));
    backend.answers["B"] = Outcome::Ok(Result{});
    Client c(backend);
    c.Start();
    backend.hold = true;
    std::string bytes = RequestFrame(11, Opcode::kQuery, QueryBody("A")) +
                        RequestFrame(12, Opcode::kQuery, QueryBody("B")) +
                        RequestFrame(13, Opcode::kQuery, QueryBody("C")) +
                        RequestFrame(14, Opcode::kOptions, "");
    // Delivered in awkward pieces.
    std::vector<Response> r;
    for (size_t i = 0; i < bytes.size(); i += 7) {
        auto part = c.Send(std::string_view(bytes).substr(i, 7));
        r.insert(r.end(), part.begin(), part.end());
    }
    REQUIRE(r.size() == 1);
    CHECK(r[0].header.stream == 14);
    CHECK(r[0].opcode() == Opcode::kSupported);
    CHECK(backend.requests.size() == 1);
    CHECK(c.conn.busy());
    CHECK(c.conn.queued() == 2);

    backend.Release();
    r = c.Take();
    REQUIRE(r.size() == 1);
    CHECK(r[0].header.stream == 11);
    CHECK(r[0].result().result.rows.size() == 1);
    backend.Release();
    backend.Release();
    r = c.Take();
    REQUIRE(r.size() == 2);
    CHECK(r[0].header.stream == 12);
    CHECK(r[0].result().kind == kResultVoid);
    CHECK(r[1].header.stream == 13);
    CHECK(r[1].error().code == error_code::kSyntax);  // A backend error: the connection goes on.
    CHECK(backend.outstanding_max == 1);
    CHECK(!c.conn.closed());
}

TEST_CASE("paging cuts Rows into page_size pages with an opaque state that continues them",
          "[node][cql]") {
    ScriptedBackend backend;
    backend.answers["SELECT k FROM t"] = Outcome::Ok(Rows(5));
    Client c(backend);
    c.Start();
    QueryOptions o;
    o.page_size = 2;
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
        auto r = c.Send(RequestFrame(3, Opcode::kQuery, QueryBody("SELECT k FROM t", o)));
        REQUIRE(r.size() == 1);
        DecodedResult page = r[0].result();
        ++pages;
        REQUIRE(page.result.rows.size() <= 2);
        for (const auto& row : page.result.rows) seen.push_back(*row[0]);
        if (!page.paging_state) break;
        o.paging_state = page.paging_state;
        REQUIRE(pages < 10);
    }
    CHECK(pages == 3);
    CHECK(seen == std::vector<std::string>{"a", "b", "c", "d", "e"});
    CHECK(backend.requests.size() == 3);  // Re-run per page (cql_server.h).

    // A state of another statement is refused without running anything.
    backend.answers["SELECT v FROM t"] = Outcome::Ok(Rows(5));
    o.paging_state = EncodePagingState(2, "", "SELECT k FROM t");
    auto r = c.Send(RequestFrame(4, Opcode::kQuery, QueryBody("SELECT v FROM t", o)));
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(backend.requests.size() == 3);
    o.paging_state = "garbage";
    r = c.Send(RequestFrame(4, Opcode::kQuery, QueryBody("SELECT k FROM t", o)));
    CHECK(r[0].error().code == error_code::kProtocol);

    // Exactly page_size rows: one page, no state.
    o.paging_state.reset();
    o.page_size = 5;
    r = c.Send(RequestFrame(4, Opcode::kQuery, QueryBody("SELECT k FROM t", o)));
    CHECK(r[0].result().result.rows.size() == 5);
    CHECK(!r[0].result().paging_state);
}

TEST_CASE("USE: a Set_keyspace result becomes the connection's keyspace", "[node][cql]") {
    ScriptedBackend backend;
    Result ks;
    ks.kind = Result::Kind::kSetKeyspace;
    ks.keyspace = "app";
    backend.answers["USE app"] = Outcome::Ok(ks);
    backend.answers["SELECT k FROM t"] = Outcome::Ok(Rows(1));
    Client c(backend);
    c.Start();
    auto r = c.Send(RequestFrame(1, Opcode::kQuery, QueryBody("USE app")));
    CHECK(r[0].result().kind == kResultSetKeyspace);
    CHECK(r[0].result().result.keyspace == "app");
    CHECK(c.conn.keyspace() == "app");
    c.Send(RequestFrame(1, Opcode::kQuery, QueryBody("SELECT k FROM t")));
    CHECK(backend.requests.back().keyspace == "app");
}

TEST_CASE("PREPARE gives a stable id shared between connections; an unknown id answers "
          "Unprepared with the id", "[node][cql]") {
    ScriptedBackend backend;
    Prepared p;
    p.markers = {ColumnSpec{"ks", "t", "k", Type::Native(TypeId::kInt)}};
    p.partition_key_indexes = {0};
    p.result_columns = Rows(0).columns;
    const std::string q = "SELECT k FROM t WHERE k = ?";
    backend.prepared[q] = p;
    backend.answers[q] = Outcome::Ok(Rows(3));
    auto shared = std::make_shared<PreparedCache>();
    Client a(backend, shared);
    Client b(backend, shared);
    Client lone(backend);
    a.Start();
    b.Start();
    lone.Start();

    Writer prepare;
    prepare.LongString(q);
    auto r = a.Send(RequestFrame(9, Opcode::kPrepare, prepare.out()));
    DecodedResult prepared = r[0].result();
    CHECK(prepared.kind == kResultPrepared);
    CHECK(prepared.prepared_id == PreparedId("", q));
    CHECK(prepared.prepared_id.size() == 16);
    CHECK(prepared.prepared.markers.size() == 1);
    CHECK(prepared.prepared.partition_key_indexes == std::vector<uint16_t>{0});

    ExecuteMessage e;
    e.id = prepared.prepared_id;
    e.options.params.values = {std::string("\0\0\0\1", 4)};
    e.options.params.unset = {false};
    e.options.skip_metadata = true;
    // Another connection of the same listener finds it.
    r = b.Send(RequestFrame(10, Opcode::kExecute, EncodeExecute(e)));
    DecodedResult rows = r[0].result();
    CHECK(rows.no_metadata);
    CHECK(rows.result.rows.size() == 3);
    CHECK(backend.requests.back().query == q);
    CHECK(backend.requests.back().params.values == e.options.params.values);

    // A connection that shares nothing does not: Unprepared, with the id.
    r = lone.Send(RequestFrame(11, Opcode::kExecute, EncodeExecute(e)));
    Error error = r[0].error();
    CHECK(error.code == error_code::kUnprepared);
    CHECK(error.unprepared_id == e.id);
    CHECK(!lone.conn.closed());

    // A failed PREPARE is an ERROR frame.
    Writer bad;
    bad.LongString("SELECT x FROM nowhere");
    r = a.Send(RequestFrame(12, Opcode::kPrepare, bad.out()));
    CHECK(r[0].error().code == error_code::kInvalid);
}

TEST_CASE("BATCH resolves prepared ids to their text and runs as one backend call", "[node][cql]") {
    ScriptedBackend backend;
    const std::string q = "INSERT INTO t (k) VALUES (?)";
    backend.prepared[q] = Prepared{};
    Client c(backend);
    c.Start();
    Writer prepare;
    prepare.LongString(q);
    std::string id = c.Send(RequestFrame(1, Opcode::kPrepare, prepare.out()))[0].result().prepared_id;

    BatchMessage b;
    b.type = 0;
    b.items.push_back({true, id, {std::string("x")}});
    b.items.push_back({false, "DELETE FROM t WHERE k = 'y'", {}});
    b.consistency = Consistency::kQuorum;
    auto r = c.Send(RequestFrame(2, Opcode::kBatch, EncodeBatch(b)));
    CHECK(r[0].result().kind == kResultVoid);
    REQUIRE(backend.batches.size() == 1);
    REQUIRE(backend.batches[0].statements.size() == 2);
    CHECK(backend.batches[0].statements[0].query == q);
    CHECK(backend.batches[0].statements[0].values == std::vector<Cell>{std::string("x")});
    CHECK(backend.batches[0].statements[1].query == "DELETE FROM t WHERE k = 'y'");
    CHECK(backend.batches[0].consistency == Consistency::kQuorum);

    b.items[0].text = std::string(16, '\0');
    r = c.Send(RequestFrame(3, Opcode::kBatch, EncodeBatch(b)));
    CHECK(r[0].error().code == error_code::kUnprepared);
    CHECK(backend.batches.size() == 1);
}

TEST_CASE("a malformed frame gets a protocol error and closes only its connection", "[node][cql]") {
    ScriptedBackend backend;
    backend.answers["SELECT 1"] = Outcome::Ok(Rows(1));
    Client bad(backend);
    Client good(backend);
    bad.Start();
    good.Start();
    // A QUERY whose [long string] claims 2 GiB.
    Writer w;
    w.Int(0x7FFFFFFF);
    auto r = bad.Send(RequestFrame(6, Opcode::kQuery, w.out()));
    REQUIRE(r.size() == 1);
    CHECK(r[0].header.stream == 6);
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(bad.conn.closed());
    CHECK(bad.closes == 1);
    r = good.Send(RequestFrame(1, Opcode::kQuery, QueryBody("SELECT 1")));
    CHECK(r[0].result().result.rows.size() == 1);

    // A header announcing a body over the bound: refused before the body arrives.
    Client big(backend);
    Writer h;
    h.Byte(4);
    h.Byte(0);
    h.Short(2);
    h.Byte(static_cast<uint8_t>(Opcode::kQuery));
    h.Int(static_cast<int32_t>(kFrameBodyMax + 1));
    r = big.Send(h.out());
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(big.conn.closed());

    // A compressed frame, a response opcode.
    Client z(backend);
    z.Start();
    r = z.Send(RequestFrame(3, Opcode::kQuery, QueryBody("SELECT 1"), 4, kFlagCompression));
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(z.conn.closed());
    Client res(backend);
    res.Start();
    r = res.Send(RequestFrame(3, Opcode::kResult, ""));
    CHECK(r[0].error().code == error_code::kProtocol);
    CHECK(res.conn.closed());
}

TEST_CASE("a frame with a custom payload is read past it", "[node][cql]") {
    ScriptedBackend backend;
    backend.answers["SELECT 1"] = Outcome::Ok(Rows(1));
    Client c(backend);
    c.Start();
    Writer payload;
    payload.Short(1);
    payload.String("k");
    payload.Bytes(std::string("v"));
    auto r = c.Send(RequestFrame(1, Opcode::kQuery, payload.out() + QueryBody("SELECT 1"), 4,
                                 kFlagCustomPayload));
    CHECK(r[0].result().result.rows.size() == 1);
}

TEST_CASE("a refused connection answers Overloaded and closes", "[node][cql]") {
    ScriptedBackend backend;
    Client c(backend);
    c.conn.Refuse("too many connections");
    auto r = c.Send(RequestFrame(4, Opcode::kOptions, ""));
    REQUIRE(r.size() == 1);
    CHECK(r[0].error().code == error_code::kOverloaded);
    CHECK(c.conn.closed());
}

// Random frames from a seeded generator: valid headers with random opcodes and bodies, random
// bytes, truncations. A connection either answers every frame or closes; none crashes; a
// connection next to it still serves a good frame.
TEST_CASE("random and truncated frames never crash the connection (seeded)", "[node][cql]") {
    std::mt19937_64 rng(16);
    ScriptedBackend backend;
    backend.answers["SELECT 1"] = Outcome::Ok(Rows(2));
    Client good(backend);
    good.Start();
    const uint8_t opcodes[] = {0x01, 0x05, 0x07, 0x09, 0x0A, 0x0B, 0x0D, 0x0F, 0x08, 0x33};
    std::vector<std::string> bodies = {QueryBody("SELECT 1"), StartupBody(),
                                       EncodeExecute(ExecuteMessage{std::string(16, 'i'), {}})};
    for (int round = 0; round < 3000; ++round) {
        Client c(backend);
        if (rng() % 2) c.Start();
        std::string bytes;
        int frames = 1 + static_cast<int>(rng() % 4);
        for (int f = 0; f < frames; ++f) {
            std::string body = bodies[rng() % bodies.size()];
            if (rng() % 2) body = body.substr(0, rng() % (body.size() + 1));
            for (size_t i = 0; i < body.size(); ++i) {
                if (rng() % 8 == 0) body[i] = static_cast<char>(rng());
            }
            bytes += RequestFrame(static_cast<int16_t>(rng()),
                                  static_cast<Opcode>(opcodes[rng() % std::size(opcodes)]),
                                  body, rng() % 16 == 0 ? static_cast<uint8_t>(rng()) : 4,
                                  static_cast<uint8_t>(rng() % 8 == 0 ? rng() : 0));
        }
        if (rng() % 4 == 0) bytes = bytes.substr(0, rng() % (bytes.size() + 1));
        c.Send(bytes);
        CHECK(c.closes <= 1);
        CHECK(c.closes == (c.conn.closed() ? 1 : 0));
    }
    auto r = good.Send(RequestFrame(1, Opcode::kQuery, QueryBody("SELECT 1")));
    REQUIRE(r.size() == 1);
    CHECK(r[0].result().result.rows.size() == 2);
}

}  // namespace
}  // namespace orrery::node::cql
