// PgConnection over a real engine session (the embedded database in memory, answering through a
// queue the test drains, so every statement's answer arrives after the call, as a node's does).
// Frames go in as a client would send them; what comes back is rendered one message per line:
//   R0  S name=value  K  Z I|T|E  T name:oid ...  D v|v|NULL  C tag  I(empty)  E code message
//   1 (ParseComplete)  2 (BindComplete)  3 (CloseComplete)  n (NoData)  t oid ...  s  N notice
#include "node/pg_server.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "node/pg_catalog.h"
#include "sql/embedded.h"

namespace orrery::node {
namespace {

using namespace std::string_literals;

// The engine's session, answering each statement on the next Drain(). Cancel() before the
// Drain makes the statement in flight end as the SQL server ends a cancelled one: 57014, and
// nothing of it done.
class EngineBackend final : public PgBackend {
public:
    void Cancel() override {
        ++cancels;
        if (!pending_.empty()) cancel_pending_ = true;
    }
    EngineBackend() : db_(sql::EmbeddedDatabase::OpenInMemory().value()), session_(db_->NewSession()) {}

    void Execute(std::string text, std::vector<sql::Value> params, Done done) override {
        pending_.push_back([this, text = std::move(text), params = std::move(params),
                            done = std::move(done)]() mutable {
            sql::StatementOutcome o =
                cancel_pending_ ? sql::StatementOutcome(sql::MakeSqlError(
                                      sql::ErrorKind::kQueryCanceled,
                                      "canceling statement due to user request"))
                                : db_->Execute(*session_, text, std::move(params));
            cancel_pending_ = false;
            SqlOutcome out;
            if (o.ok()) {
                out.result = std::move(o).value();
            } else {
                out.type = KvOutcome::Type::kFail;
                out.error = o.error();
            }
            out.txn_status = session_->txn_status();
            ++executed;
            done(out);
        });
    }
    void Drain() {
        while (!pending_.empty()) {
            auto f = std::move(pending_.front());
            pending_.pop_front();
            f();
        }
    }
    int executed = 0;
    int cancels = 0;

private:
    bool cancel_pending_ = false;
    std::unique_ptr<sql::EmbeddedDatabase> db_;
    std::unique_ptr<sql::Session> session_;
    std::deque<std::function<void()>> pending_;
};

std::string Frame(char type, std::string_view body) {
    std::string out(1, type);
    uint32_t n = static_cast<uint32_t>(body.size() + 4);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((n >> s) & 0xff));
    out.append(body);
    return out;
}
std::string Startup() {
    std::string body = "\0\x03\0\0user\0alice\0database\0orrery\0\0"s;
    std::string out;
    uint32_t n = static_cast<uint32_t>(body.size() + 4);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<char>((n >> s) & 0xff));
    return out + body;
}
std::string Query(std::string_view q) { return Frame('Q', std::string(q) + '\0'); }
std::string Parse(std::string_view name, std::string_view q, std::vector<int32_t> oids = {}) {
    std::string b = std::string(name) + '\0' + std::string(q) + '\0';
    b.push_back(static_cast<char>(oids.size() >> 8));
    b.push_back(static_cast<char>(oids.size() & 0xff));
    for (int32_t o : oids) {
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>((o >> s) & 0xff));
    }
    return Frame('P', b);
}
std::string Bind(std::string_view portal, std::string_view stmt,
                 std::vector<std::optional<std::string>> params) {
    std::string b = std::string(portal) + '\0' + std::string(stmt) + '\0' + "\0\0"s;
    b.push_back(static_cast<char>(params.size() >> 8));
    b.push_back(static_cast<char>(params.size() & 0xff));
    for (const auto& p : params) {
        uint32_t n = p ? static_cast<uint32_t>(p->size()) : 0xffffffffu;
        for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>((n >> s) & 0xff));
        if (p) b += *p;
    }
    return Frame('B', b + "\0\0"s);
}
std::string Describe(char what, std::string_view name) {
    return Frame('D', std::string(1, what) + std::string(name) + '\0');
}
std::string Execute(std::string_view portal, int32_t max_rows = 0) {
    std::string b = std::string(portal) + '\0';
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<char>((max_rows >> s) & 0xff));
    return Frame('E', b);
}
std::string Sync() { return Frame('S', ""); }

int32_t Int32At(std::string_view b, size_t at) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
    return static_cast<int32_t>(v);
}
int16_t Int16At(std::string_view b, size_t at) {
    return static_cast<int16_t>((static_cast<uint8_t>(b[at]) << 8) | static_cast<uint8_t>(b[at + 1]));
}

// One line per backend message.
std::string Render(std::string_view out) {
    std::string text;
    while (!out.empty()) {
        if (out[0] == 'N' && out.size() == 1) {  // The one-byte answer to SSLRequest.
            text += "ssl:N\n";
            break;
        }
        REQUIRE(out.size() >= 5);
        char type = out[0];
        size_t len = static_cast<size_t>(Int32At(out, 1));
        REQUIRE(out.size() >= len + 1);
        std::string_view body = out.substr(5, len - 4);
        out.remove_prefix(len + 1);
        std::string line(1, type);
        switch (type) {
            case 'R': line += std::to_string(Int32At(body, 0)); break;
            case 'S': {
                size_t nul = body.find('\0');
                line += fmt::format(" {}={}", body.substr(0, nul),
                                    body.substr(nul + 1, body.size() - nul - 2));
                break;
            }
            case 'Z': line += fmt::format(" {}", body); break;
            case 'C': line += fmt::format(" {}", body.substr(0, body.size() - 1)); break;
            case 'T': {
                int n = Int16At(body, 0);
                size_t at = 2;
                for (int i = 0; i < n; ++i) {
                    size_t nul = body.find('\0', at);
                    line += fmt::format(" {}:{}", body.substr(at, nul - at), Int32At(body, nul + 7));
                    at = nul + 19;
                }
                break;
            }
            case 'D': {
                int n = Int16At(body, 0);
                size_t at = 2;
                std::vector<std::string> vals;
                for (int i = 0; i < n; ++i) {
                    int32_t l = Int32At(body, at);
                    at += 4;
                    if (l < 0) {
                        vals.emplace_back("NULL");
                    } else {
                        vals.emplace_back(body.substr(at, static_cast<size_t>(l)));
                        at += static_cast<size_t>(l);
                    }
                }
                line += " " + fmt::format("{}", fmt::join(vals, "|"));
                break;
            }
            case 'E':
            case 'N': {
                std::map<char, std::string> fields;
                size_t at = 0;
                while (at < body.size() && body[at] != '\0') {
                    size_t nul = body.find('\0', at + 1);
                    fields[body[at]] = std::string(body.substr(at + 1, nul - at - 1));
                    at = nul + 1;
                }
                line += fmt::format(" {} {} {}", fields['S'], fields['C'], fields['M']);
                if (fields.count('P') != 0) line += " P=" + fields['P'];
                break;
            }
            case 't': {
                int n = Int16At(body, 0);
                for (int i = 0; i < n; ++i) line += fmt::format(" {}", Int32At(body, 2 + 4 * i));
                break;
            }
            default: break;
        }
        text += line + "\n";
    }
    return text;
}

struct Harness {
    Harness()
        : conn(backend, PgConnectionOptions{7, 99, "15.0 (Orrery)", nullptr},
               [this](std::string_view b) { out.append(b); }, [this] { ++closes; }) {}
    // Sends bytes, lets every statement answer, returns what came back, rendered.
    std::string Send(const std::string& bytes) {
        out.clear();
        conn.OnBytes(bytes);
        backend.Drain();
        return Render(out);
    }
    void Start() { REQUIRE(!Send(Startup()).empty()); }

    EngineBackend backend;
    std::string out;
    int closes = 0;
    PgConnection conn;
};

TEST_CASE("startup: SSL refused with N, then trust authentication and the parameters") {
    Harness h;
    CHECK(h.Send("\0\0\0\x08\x04\xd2\x16\x2f"s) == "ssl:N\n");
    CHECK(h.Send(Startup()) ==
          "R0\n"
          "S server_version=15.0 (Orrery)\n"
          "S server_encoding=UTF8\n"
          "S client_encoding=UTF8\n"
          "S DateStyle=ISO, MDY\n"
          "S integer_datetimes=on\n"
          "S standard_conforming_strings=on\n"
          "S TimeZone=UTC\n"
          "S IntervalStyle=postgres\n"
          "S is_superuser=off\n"
          "S session_authorization=alice\n"
          "S application_name=\n"
          "K\n"
          "Z I\n");
    CHECK(h.conn.startup_parameters().at("database") == "orrery");
}

TEST_CASE("simple query: several statements, one result each, PostgreSQL's tags") {
    Harness h;
    h.Start();
    CHECK(h.Send(Query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, f FLOAT, b BOOLEAN); "
                       "INSERT INTO t VALUES (1, 'a', 2.0, TRUE), (2, NULL, 2.5, FALSE); "
                       "SELECT * FROM t ORDER BY id; UPDATE t SET v = 'b' WHERE id = 2; "
                       "DELETE FROM t WHERE id = 1")) ==
          "C CREATE TABLE\n"
          "C INSERT 0 2\n"
          "T id:20 v:25 f:701 b:16\n"
          "D 1|a|2|t\n"
          "D 2|NULL|2.5|f\n"
          "C SELECT 2\n"
          "C UPDATE 1\n"
          "C DELETE 1\n"
          "Z I\n");
    CHECK(h.Send(Query("  ;  -- nothing\n")) == "I\nZ I\n");
}

TEST_CASE("an error ends the query's statements; a failed transaction answers 25P02 until ROLLBACK") {
    Harness h;
    h.Start();
    h.Send(Query("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    CHECK(h.Send(Query("SELEC 1; SELECT 2")) ==
          "E ERROR 42601 syntax error at line 1, column 1: expected statement, found 'SELEC' "
          "P=1\nZ I\n");
    CHECK(h.Send(Query("BEGIN; INSERT INTO t VALUES (1)")) == "C BEGIN\nC INSERT 0 1\nZ T\n");
    std::string failed = h.Send(Query("INSERT INTO t VALUES (1)"));
    CHECK(failed.find("E ERROR 23505 ") == 0);
    CHECK(failed.substr(failed.size() - 4) == "Z E\n");
    std::string blocked = h.Send(Query("SELECT 1"));
    CHECK(blocked.find("E ERROR 25P02 ") == 0);
    CHECK(h.Send(Query("ROLLBACK")) == "C ROLLBACK\nZ I\n");
    CHECK(h.Send(Query("SELECT count(*) FROM t")) == "T count:20\nD 0\nC SELECT 1\nZ I\n");
    CHECK(h.Send(Query("SET application_name = 'psql'; SET datestyle TO 'ISO'")) ==
          "C SET\nC SET\nZ I\n");
}

// psql 15's describe queries, by name, as `psql -E` printed them (testdata/).
std::map<std::string, std::string> PsqlQueries() {
    std::ifstream in("testdata/psql15_describe_queries.sql");
    REQUIRE(in.good());
    std::map<std::string, std::string> out;
    std::string line, name;
    while (std::getline(in, line)) {
        if (line.rfind("==== ", 0) == 0) {
            name = line.substr(5);
        } else if (!name.empty()) {
            out[name] += line + "\n";
        }
    }
    REQUIRE(out.size() == 22);
    return out;
}

std::string Replace(std::string text, std::string_view from, std::string_view to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

// Runs psql's query `name` with the OID (and name pattern) of the relation psql looked up.
std::string Describe(Harness& h, const std::map<std::string, std::string>& q, const std::string& name,
                     std::string_view oid, std::string_view pattern = "^(movie)$") {
    return h.Send(Query(Replace(Replace(q.at(name), "'16384'", fmt::format("'{}'", oid)),
                                "'^(movie)$'", fmt::format("'{}'", pattern))));
}

TEST_CASE("psql's \\dt, \\d and \\di are answered from the live catalog") {
    auto q = PsqlQueries();
    Harness h;
    h.Start();
    CHECK(h.Send(Query(q.at("dt"))) == "T Schema:25 Name:25 Type:25 Owner:25\nC SELECT 0\nZ I\n");
    h.Send(Query("CREATE TABLE movie (id BIGINT PRIMARY KEY, title TEXT NOT NULL, rating DOUBLE "
                 "PRECISION DEFAULT 5, seen BOOLEAN, at TIMESTAMP, poster BYTEA, code VARCHAR(8) "
                 "UNIQUE)"));
    h.Send(Query("CREATE TABLE review (id INTEGER PRIMARY KEY, movie_id INTEGER REFERENCES movie (id))"));
    h.Send(Query("CREATE INDEX review_movie ON review (movie_id)"));
    CHECK(h.Send(Query(q.at("dt"))) ==
          "T Schema:25 Name:25 Type:25 Owner:25\n"
          "D public|movie|table|alice\nD public|review|table|alice\nC SELECT 2\nZ I\n");
    std::string di = h.Send(Query(q.at("di")));
    CHECK(di.find("D public|movie_pkey|index|alice|movie\n") != std::string::npos);
    CHECK(di.find("D public|review_movie|index|alice|review\n") != std::string::npos);
    CHECK(h.Send(Query(Replace(q.at("dt_pattern"), "'^(movie)$'", "'^(rev.*)$'"))) ==
          "T Schema:25 Name:25 Type:25 Owner:25\nD public|review|table|alice\nC SELECT 1\nZ I\n");
    // A table created inside a transaction is seen by that session only.
    h.Send(Query("BEGIN; CREATE TABLE draft (k INTEGER)"));
    CHECK(h.Send(Query(q.at("d"))).find("D public|draft|table|alice") != std::string::npos);
    h.Send(Query("ROLLBACK"));
    CHECK(h.Send(Query(q.at("d"))).find("draft") == std::string::npos);
}

TEST_CASE("psql's \\d TABLE: columns, types, defaults, indexes and foreign keys") {
    auto q = PsqlQueries();
    Harness h;
    h.Start();
    h.Send(Query("CREATE TABLE movie (id BIGINT PRIMARY KEY, title TEXT NOT NULL, rating DOUBLE "
                 "PRECISION DEFAULT 5, seen BOOLEAN, at TIMESTAMP, poster BYTEA, code VARCHAR(8) "
                 "UNIQUE, note TEXT DEFAULT 'n/a')"));
    h.Send(Query("CREATE TABLE review (id INTEGER PRIMARY KEY, movie_id INTEGER, CONSTRAINT "
                 "review_movie_fk FOREIGN KEY (movie_id) REFERENCES movie (id))"));
    std::string lookup = Describe(h, q, "lookup", "");
    REQUIRE(lookup.find("D ") != std::string::npos);
    std::string oid = lookup.substr(lookup.find("D ") + 2, lookup.find('|') - lookup.find("D ") - 2);
    CHECK(lookup == fmt::format("T oid:20 nspname:25 relname:25\nD {}|public|movie\nC SELECT 1\nZ I\n", oid));
    // relkind r, has indexes, has "triggers" (the foreign key that refers to it), no checks.
    CHECK(Describe(h, q, "relation", oid).find("D 0|r|t|f|t|f|f|f|f||0||p|d|orrery\n") !=
          std::string::npos);
    CHECK(Describe(h, q, "columns", oid) ==
          "T attname:25 format_type:25 pg_get_expr:25 attnotnull:16 attcollation:25 "
          "attidentity:25 attgenerated:25\n"
          "D id|bigint|NULL|t|NULL||\n"
          "D title|text|NULL|t|NULL||\n"
          "D rating|double precision|5.0|f|NULL||\n"
          "D seen|boolean|NULL|f|NULL||\n"
          "D at|timestamp without time zone|NULL|f|NULL||\n"
          "D poster|bytea|NULL|f|NULL||\n"
          "D code|character varying(8)|NULL|f|NULL||\n"
          "D note|text|'n/a'::text|f|NULL||\n"
          "C SELECT 8\nZ I\n");
    std::string indexes = Describe(h, q, "indexes", oid);
    CHECK(indexes.find("D movie_pkey|t|t|f|t|CREATE UNIQUE INDEX movie_pkey ON public.movie USING "
                       "btree (id)|PRIMARY KEY (id)|p|f|f|f|0\n") != std::string::npos);
    CHECK(indexes.find("|f|t|f|t|CREATE UNIQUE INDEX ") != std::string::npos);  // code's UNIQUE.
    CHECK(indexes.find("USING btree (code)|NULL|NULL|f|f|f|0\nC SELECT 2\n") != std::string::npos);
    CHECK(Describe(h, q, "foreign_keys", oid) ==
          "T sametable:16 conname:25 condef:25 ontable:25\nC SELECT 0\nZ I\n");
    CHECK(Describe(h, q, "referenced_by", oid) ==
          "T conname:25 ontable:25 condef:25\n"
          "D review_movie_fk|review|FOREIGN KEY (movie_id) REFERENCES movie(id)\nC SELECT 1\nZ I\n");
    for (const char* none : {"checks", "policies", "statistics", "publications", "triggers",
                             "inherits", "partitions"}) {
        CAPTURE(none);
        CHECK(Describe(h, q, none, oid).find("C SELECT 0\nZ I\n") != std::string::npos);
    }
    std::string child = Describe(h, q, "lookup", "", "^(review)$");
    std::string child_oid = child.substr(child.find("D ") + 2, child.find('|') - child.find("D ") - 2);
    CHECK(child_oid != oid);
    CHECK(Describe(h, q, "foreign_keys", child_oid) ==
          "T sametable:16 conname:25 condef:25 ontable:25\n"
          "D t|review_movie_fk|FOREIGN KEY (movie_id) REFERENCES movie(id)|review\nC SELECT 1\nZ I\n");
    // An OID that names nothing: no rows, as PostgreSQL answers.
    CHECK(Describe(h, q, "columns", "99").find("C SELECT 0\n") != std::string::npos);
}

TEST_CASE("psql's \\d+ TABLE and \\d INDEX") {
    auto q = PsqlQueries();
    Harness h;
    h.Start();
    h.Send(Query("CREATE TABLE movie (id BIGINT PRIMARY KEY, title TEXT NOT NULL, code VARCHAR(8), "
                 "rating DOUBLE PRECISION DEFAULT 5)"));
    h.Send(Query("CREATE UNIQUE INDEX movie_code ON movie (code, title)"));
    std::string lookup = Describe(h, q, "lookup", "");
    std::string oid = lookup.substr(lookup.find("D ") + 2, lookup.find('|') - lookup.find("D ") - 2);
    // \d+: the same relation row as \d, and four more columns per column: plain storage (every
    // value inline, no TOAST), no compression, statistics target or description.
    CHECK(Describe(h, q, "relation_verbose", oid) == Describe(h, q, "relation", oid));
    CHECK(Describe(h, q, "columns_verbose", oid) ==
          "T attname:25 format_type:25 pg_get_expr:25 attnotnull:16 attcollation:25 "
          "attidentity:25 attgenerated:25 attstorage:25 attcompression:25 attstattarget:20 "
          "col_description:25\n"
          "D id|bigint|NULL|t|NULL|||p||NULL|NULL\n"
          "D title|text|NULL|t|NULL|||p||NULL|NULL\n"
          "D code|character varying(8)|NULL|f|NULL|||p||NULL|NULL\n"
          "D rating|double precision|5.0|f|NULL|||p||NULL|NULL\n"
          "C SELECT 4\nZ I\n");
    // \d movie_code: the lookup finds the index; its relation row says relkind i, btree.
    std::string index = Describe(h, q, "lookup", "", "^(movie_code)$");
    std::string index_oid =
        index.substr(index.find("D ") + 2, index.find('|') - index.find("D ") - 2);
    CHECK(index_oid != oid);
    CHECK(Describe(h, q, "relation", index_oid).find("D 0|i|f|f|f|f|f|f|f||0||p|d|btree\n") !=
          std::string::npos);
    CHECK(Describe(h, q, "index_columns", index_oid) ==
          "T attname:25 format_type:25 is_key:25 indexdef:25\n"
          "D code|character varying(8)|yes|code\n"
          "D title|text|yes|title\n"
          "C SELECT 2\nZ I\n");
    CHECK(Describe(h, q, "index_info", index_oid) ==
          "T indisunique:16 indisprimary:16 indisclustered:16 indisvalid:16 condeferrable:16 "
          "condeferred:16 indisreplident:16 indnullsnotdistinct:16 amname:25 relname:25 "
          "pg_get_expr:25\n"
          "D t|f|f|t|f|f|f|f|btree|movie|NULL\nC SELECT 1\nZ I\n");
    std::string pkey = Describe(h, q, "lookup", "", "^(movie_pkey)$");
    std::string pkey_oid = pkey.substr(pkey.find("D ") + 2, pkey.find('|') - pkey.find("D ") - 2);
    CHECK(Describe(h, q, "index_info", pkey_oid).find("D t|t|f|t|") != std::string::npos);
    CHECK(Describe(h, q, "index_columns", pkey_oid).find("D id|bigint|yes|id\n") !=
          std::string::npos);
    // Asked of a table, the index queries answer no rows (as PostgreSQL: no pg_index row).
    CHECK(Describe(h, q, "index_info", oid).find("C SELECT 0\n") != std::string::npos);
    CHECK(Describe(h, q, "index_columns", oid).find("C SELECT 0\n") != std::string::npos);
}

TEST_CASE("other pg_catalog queries are refused with 0A000, not answered wrongly") {
    auto q = PsqlQueries();
    Harness h;
    h.Start();
    int before = h.backend.executed;
    std::string refused =
        "E ERROR 0A000 this query of the PostgreSQL system catalogs (pg_catalog, "
        "information_schema) is not served: only psql 15's \\d, \\dt, \\di, \\d NAME and \\d+ NAME "
        "are; use SHOW TABLES and DESCRIBE t\nZ I\n";
    CHECK(h.Send(Query("SELECT c.relname FROM pg_catalog.pg_class c")) == refused);
    // psql's own query with one more condition is another query.
    CHECK(h.Send(Query(Replace(q.at("dt"), "ORDER BY 1,2", "AND c.relname <> 'x' ORDER BY 1,2"))) ==
          refused);
    CHECK(h.backend.executed == before);
    CHECK(MentionsPgCatalog("select * from information_schema.tables"));
    CHECK(!MentionsPgCatalog("select 'pg_class' from t"));
    CHECK(!MentionsPgCatalog("select my_pg_x from t"));
}

TEST_CASE("cancel: a CancelRequest with the right key stops the statement in flight") {
    Harness h;
    h.Start();
    h.Send(Query("CREATE TABLE t (id INTEGER PRIMARY KEY)"));
    // A cancel connection: the packet is routed to its owner, and closes without an answer.
    std::vector<std::pair<int32_t, int32_t>> routed;
    PgConnectionOptions o;
    o.on_cancel = [&](int32_t pid, int32_t secret) { routed.emplace_back(pid, secret); };
    std::string written;
    int closed = 0;
    PgConnection canceller(h.backend, o, [&](std::string_view b) { written.append(b); },
                           [&] { ++closed; });
    canceller.OnBytes("\0\0\0\x10\x04\xd2\x16\x2e\0\0\0\x07\0\0\0\x63"s);
    CHECK(routed == std::vector<std::pair<int32_t, int32_t>>{{7, 99}});
    CHECK(written.empty());
    CHECK(closed == 1);

    // Idle: nothing to cancel, whatever the key.
    CHECK(h.conn.Cancel(99));
    CHECK(h.backend.cancels == 0);
    // A statement in flight (the harness drains only in Send): a wrong key does nothing...
    h.out.clear();
    h.conn.OnBytes(Query("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)"));
    REQUIRE(h.conn.busy());
    CHECK(!h.conn.Cancel(98));
    CHECK(h.backend.cancels == 0);
    // ...the right one stops it: 57014, and the rest of the Query is skipped.
    CHECK(h.conn.Cancel(99));
    CHECK(h.backend.cancels == 1);
    h.backend.Drain();
    CHECK(Render(h.out) == "E ERROR 57014 canceling statement due to user request\nZ I\n");
    // The connection is usable afterwards, and nothing of the cancelled Query ran.
    CHECK(h.Send(Query("SELECT count(*) FROM t")) == "T count:20\nD 0\nC SELECT 1\nZ I\n");
}

TEST_CASE("the psql template match: tokens, holes, whitespace") {
    auto q = PsqlQueries();
    auto dt = pgcat::RecognizePsqlQuery(q.at("dt"));
    REQUIRE(dt.has_value());
    CHECK(dt->kind == pgcat::PsqlQuery::kList);
    CHECK(dt->kinds == std::vector<std::string>{"r", "p", ""});
    auto squeezed = pgcat::RecognizePsqlQuery(Replace(Replace(q.at("dt"), "\n", " "), "  ", " "));
    CHECK(squeezed.has_value());
    auto lookup = pgcat::RecognizePsqlQuery(Replace(q.at("lookup"), "movie", "it''s"));
    REQUIRE(lookup.has_value());
    CHECK(lookup->pattern == "^(it's)$");
    // Every OID of one query must be the same relation.
    std::string pubs = q.at("publications");
    size_t first = pubs.find("'16384'");
    CHECK(!pgcat::RecognizePsqlQuery(pubs.replace(first, 7, "'16385'")).has_value());
    CHECK(!pgcat::RecognizePsqlQuery("SELECT 1 FROM pg_catalog.pg_class WHERE x = 'unterminated")
               .has_value());
}

TEST_CASE("extended query: Parse, Bind with $n parameters, Describe, Execute, Sync") {
    Harness h;
    h.Start();
    h.Send(Query("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"));
    CHECK(h.Send(Parse("ins", "INSERT INTO t VALUES ($1, $2)", {20, 25}) +
                 Bind("", "ins", {"1", "one"}) + Execute("") + Bind("", "ins", {"2", std::nullopt}) +
                 Execute("") + Sync()) ==
          "1\n2\nC INSERT 0 1\n2\nC INSERT 0 1\nZ I\n");
    CHECK(h.Send(Parse("", "SELECT id, v FROM t WHERE id >= $1 ORDER BY id") + Bind("p", "", {"1"}) +
                 Describe('P', "p") + Execute("p", 1) + Execute("p", 0) + Sync()) ==
          "1\n2\nT id:20 v:25\nD 1|one\ns\nD 2|NULL\nC SELECT 2\nZ I\n");
    // Describe of the statement names its parameters; of one returning rows it cannot say more.
    CHECK(h.Send(Parse("d", "DELETE FROM t WHERE id = $1", {20}) + Describe('S', "d") + Sync()) ==
          "1\nt 20\nn\nZ I\n");
    // An error skips everything up to Sync, then the connection goes on.
    CHECK(h.Send(Bind("", "nope", {}) + Execute("") + Sync() + Query("SELECT 1 AS x")) ==
          "E ERROR 42704 prepared statement \"nope\" does not exist\nZ I\nT x:20\nD 1\nC SELECT 1\n"
          "Z I\n");
    CHECK(h.Send(Bind("", "ins", {"1"}) + Sync()) ==
          "E ERROR 42P02 bind message supplies 1 parameters, but prepared statement \"ins\" "
          "requires 2\nZ I\n");
    CHECK(h.Send(Bind("", "ins", {"x", "y"}) + Sync()) ==
          "E ERROR 22P02 parameter $1: invalid input for type bigint: \"x\"\nZ I\n");
}

TEST_CASE("a malformed frame ends only the connection, with a FATAL error") {
    Harness h;
    h.Start();
    CHECK(h.Send("Q\x7f\xff\xff\xff"s) ==
          "E FATAL 08P01 invalid message length 2147483647 (4 to 16777216 bytes)\n");
    CHECK(h.closes == 1);
    CHECK(h.conn.closed());
    CHECK(h.Send(Query("SELECT 1")).empty());

    Harness v2;
    CHECK(v2.Send("\0\0\0\x08\0\x02\0\0"s) ==
          "E FATAL 0A000 unsupported frontend protocol 2.0: the server speaks 3.0\n");
    Harness terminate;
    terminate.Start();
    CHECK(terminate.Send(Frame('X', "")).empty());
    CHECK(terminate.closes == 1);
}

TEST_CASE("random bytes after startup never crash the connection") {
    rc::prop("any byte stream ends in answers or a FATAL close", [] {
        Harness h;
        h.Start();
        std::vector<std::string> chunks = *rc::gen::container<std::vector<std::string>>(
            rc::gen::oneOf(rc::gen::arbitrary<std::string>(),
                           rc::gen::just(Query("SELECT 1")), rc::gen::just(Sync()),
                           rc::gen::just(Parse("", "SELECT $1")), rc::gen::just(Bind("", "", {"1"})),
                           rc::gen::just(Execute(""))));
        for (const std::string& c : chunks) h.Send(c);
        RC_ASSERT(h.closes <= 1);
        RC_ASSERT(!h.conn.busy());
    });
}

}  // namespace
}  // namespace orrery::node
