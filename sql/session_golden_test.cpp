// The engine's golden SQL scripts, testdata/engine/*.sql, run on EmbeddedDatabase::OpenInMemory.
//
// Each block is one statement, "----", and its rendered outcome: the column names joined by
// " | ", one line per row (values as Value::ToString, NULL as NULL), a line "notice: ..." per
// notice, and the command tag; or "error <SQLSTATE>: <message>". Sessions: a statement runs on
// session "a" unless prefixed "@name " (created on first use), so a script interleaves several
// clients to show an anomaly. "session NAME bug_no_read_set" (re)creates a session with the
// bug switch sql.no-read-set; "session NAME wall_clock" one whose now() reads the script's clock,
// which "clock MICROS" sets (microseconds since the Unix epoch; it starts at 0).
// UPDATE_GOLDEN=1 rewrites the expected outputs.
//
// Also here: persistence of EmbeddedDatabase::Open across a reopen, and the step protocol.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "sql/embedded.h"
#include "testkit/golden.h"

namespace orrery::sql {
namespace {

std::string Render(const StatementOutcome& outcome) {
    if (!outcome.ok()) {
        return fmt::format("error {}: {}", SqlState(outcome.error().kind), outcome.error().message);
    }
    const StatementResult& r = outcome.value();
    std::string out;
    if (!r.columns.empty()) {
        std::string header;
        for (size_t i = 0; i < r.columns.size(); ++i) {
            header += (i ? " | " : "") + r.columns[i].name;
        }
        out += header + "\n";
        for (const Row& row : r.rows) {
            std::string line;
            for (size_t i = 0; i < row.size(); ++i) line += (i ? " | " : "") + row[i].ToString();
            out += line + "\n";
        }
    }
    for (const std::string& n : r.notices) out += "notice: " + n + "\n";
    out += r.tag;
    return out;
}

class Script {
public:
    Script() {
        auto db = EmbeddedDatabase::OpenInMemory();
        REQUIRE(db.ok());
        db_ = std::move(db).value();
    }

    Result<std::string> Run(const testkit::GoldenCommand& cmd) {
        std::string line = cmd.line;
        if (cmd.name == "clock") {
            if (cmd.args.size() != 1) return Status::InvalidArgument("clock MICROS");
            clock_us_ = std::stoll(cmd.args[0]);
            return std::string("ok");
        }
        if (cmd.name == "session") {
            SessionOptions options;
            for (const std::string& a : cmd.args) {
                if (a == "bug_no_read_set") options.bug_no_read_set = true;
                if (a == "wall_clock") options.wall_clock_us = [this] { return clock_us_; };
            }
            if (cmd.args.empty()) {
                return Status::InvalidArgument("session NAME [bug_no_read_set] [wall_clock]");
            }
            sessions_[cmd.args[0]] = db_->NewSession(options);
            return std::string("ok");
        }
        std::string name = "a";
        if (!line.empty() && line[0] == '@') {
            size_t space = line.find(' ');
            if (space == std::string::npos) return Status::InvalidArgument("@name needs a statement");
            name = line.substr(1, space - 1);
            line = line.substr(space + 1);
        }
        auto& session = sessions_[name];
        if (!session) session = db_->NewSession();
        return Render(db_->Execute(*session, line));
    }

private:
    std::unique_ptr<EmbeddedDatabase> db_;
    std::map<std::string, std::unique_ptr<Session>> sessions_;
    int64_t clock_us_ = 0;  // The wall clock of "session NAME wall_clock" sessions.
};

TEST_CASE("session golden scripts", "[sql][session]") {
    for (const std::string& path :
         testkit::ListGoldenFiles("testdata/engine", ".sql")) {
        SECTION(path) {
            Script script;
            testkit::RunGoldenFile(path, [&](const testkit::GoldenCommand& cmd) {
                return script.Run(cmd);
            });
        }
    }
}

// The bad input of errors.sql that is too big to keep in a file: generated here.
TEST_CASE("bad input: deep nesting and a 10 MB literal leave the session usable",
          "[sql][session]") {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    REQUIRE(Render(db.value()->Execute(*s, "CREATE TABLE kept (id INT PRIMARY KEY, v TEXT)")) ==
            "CREATE TABLE");
    REQUIRE(Render(db.value()->Execute(*s, "INSERT INTO kept VALUES (1, 'one')")) == "INSERT 1");

    // 10,000 nested parentheses: the parser's depth limit answers, no stack overflow.
    std::string nested = "SELECT " + std::string(10'000, '(') + "1" + std::string(10'000, ')');
    StatementOutcome deep = db.value()->Execute(*s, nested);
    REQUIRE(!deep.ok());
    CHECK(SqlState(deep.error().kind) == "54000");
    CHECK(deep.error().message.find("nest") != std::string::npos);
    // Just under the limit is fine: nesting is limited, not forbidden.
    std::string shallow = "SELECT " + std::string(50, '(') + "1" + std::string(50, ')');
    CHECK(Render(db.value()->Execute(*s, shallow)) == "?column?\n1\nSELECT 1");

    // A 10 MB string literal is a value like any other in an expression; stored, it exceeds the
    // storage's bound on one value, which the statement names (54000) without writing anything.
    const size_t big = 10u << 20;
    std::string literal(big, 'x');
    CHECK(Render(db.value()->Execute(*s, "SELECT length('" + literal + "')")) ==
          fmt::format("length\n{}\nSELECT 1", big));
    StatementOutcome inserted =
        db.value()->Execute(*s, "INSERT INTO kept VALUES (2, '" + literal + "')");
    REQUIRE(!inserted.ok());
    CHECK(SqlState(inserted.error().kind) == "54000");
    CHECK(inserted.error().message.find("limit") != std::string::npos);
    // Unterminated, it is a syntax error that points at its start.
    StatementOutcome open = db.value()->Execute(*s, "SELECT '" + literal);
    REQUIRE(!open.ok());
    CHECK(Render(open) ==
          "error 42601: syntax error at line 1, column 8: unterminated string literal");

    // The session works, and the committed rows are intact.
    CHECK(Render(db.value()->Execute(*s, "SELECT id, length(v) FROM kept ORDER BY id")) ==
          "id | length\n1 | 3\nSELECT 1");
}

TEST_CASE("EmbeddedDatabase::Open keeps committed DDL across a reopen", "[sql][session]") {
    std::string dir = (std::filesystem::temp_directory_path() / "orrery_session_persist").string();
    std::filesystem::remove_all(dir);
    {
        auto db = EmbeddedDatabase::Open(dir);
        REQUIRE(db.ok());
        auto s = db.value()->NewSession();
        REQUIRE(db.value()->Execute(*s, "CREATE TABLE kept (id INT PRIMARY KEY, name TEXT)").ok());
        REQUIRE(db.value()->Execute(*s, "BEGIN").ok());
        REQUIRE(db.value()->Execute(*s, "CREATE TABLE dropped (x INT)").ok());
        REQUIRE(db.value()->Execute(*s, "ROLLBACK").ok());
    }
    {
        auto db = EmbeddedDatabase::Open(dir);
        REQUIRE(db.ok());
        auto s = db.value()->NewSession();
        auto tables = db.value()->Execute(*s, "SHOW TABLES");
        REQUIRE(tables.ok());
        CHECK(Render(tables) == "table\nkept\nSHOW");
        auto described = db.value()->Execute(*s, "DESCRIBE kept");
        REQUIRE(described.ok());
        CHECK(described.value().rows.size() == 2);
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("a commit decided kAborted is a serialization failure; kTimeout an unknown outcome",
          "[sql][session]") {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    s->Start("CREATE TABLE t (a INT)");
    REQUIRE(s->Step() == Session::StepState::kNeedsCommit);
    CHECK(s->txn_status() == TxnStatus::kIdle);
    s->CommitDecided(Status::Aborted("conflict"));
    REQUIRE(s->Step() == Session::StepState::kDone);
    auto outcome = s->TakeOutcome();
    REQUIRE(!outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::kSerializationFailure);
    // Nothing happened: the table does not exist.
    CHECK(Render(db.value()->Execute(*s, "SHOW TABLES")) == "table\nSHOW");

    REQUIRE(db.value()->Execute(*s, "BEGIN").ok());
    REQUIRE(db.value()->Execute(*s, "CREATE TABLE t (a INT)").ok());
    CHECK(s->txn_status() == TxnStatus::kInTransaction);
    s->Start("COMMIT");
    REQUIRE(s->Step() == Session::StepState::kNeedsCommit);
    s->CommitDecided(Status::Timeout("no answer"));
    REQUIRE(s->Step() == Session::StepState::kDone);
    outcome = s->TakeOutcome();
    REQUIRE(!outcome.ok());
    CHECK(outcome.error().kind == ErrorKind::kUnknownOutcome);
    CHECK(s->txn_status() == TxnStatus::kIdle);
    CHECK(s->needs_snapshot());
}

}  // namespace
}  // namespace orrery::sql

namespace orrery::sql {
namespace {

TEST_CASE("Prepare reports parameter types and columns; DDL and unknown ids", "[sql][session]") {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    REQUIRE(db.value()->Execute(*s, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT)").ok());
    auto info = s->Prepare("SELECT name, id FROM t WHERE id = $1 AND name = $2");
    REQUIRE(info.ok());
    CHECK(info.value().parameter_count == 2);
    CHECK(info.value().parameter_types ==
          std::vector<DataType>{DataType::kInteger, DataType::kString});
    REQUIRE(info.value().columns.size() == 2);
    CHECK(info.value().columns[0].name == "name");
    CHECK(info.value().columns[1].type == DataType::kInteger);

    auto ddl = s->Prepare("CREATE TABLE u (a INT)");
    REQUIRE(ddl.ok());
    CHECK(ddl.value().columns.empty());
    s->StartPrepared(ddl.value().id, {});
    auto created = [&] {
        for (;;) {
            switch (s->Step()) {
                case Session::StepState::kYield: break;
                case Session::StepState::kNeedsCommit:
                    s->CommitDecided(db.value()->Commit(s->pending_commit()));
                    break;
                case Session::StepState::kDone: return s->TakeOutcome();
            }
        }
    }();
    REQUIRE(created.ok());
    CHECK(created.value().tag == "CREATE TABLE");

    // Wrong parameter counts and unknown statements are errors, not crashes.
    s->StartPrepared(info.value().id, {Value::Integer(1)});
    REQUIRE(s->Step() == Session::StepState::kDone);
    CHECK(s->TakeOutcome().error().kind == ErrorKind::kInvalidParameter);
    s->Deallocate(info.value().id);
    s->StartPrepared(info.value().id, {Value::Integer(1), Value::String("x")});
    REQUIRE(s->Step() == Session::StepState::kDone);
    CHECK(s->TakeOutcome().error().kind == ErrorKind::kUndefinedObject);

    auto bad = s->Prepare("SELECT nosuch FROM t");
    REQUIRE(!bad.ok());
    CHECK(bad.error().kind == ErrorKind::kUndefinedColumn);
    CHECK(bad.error().position.has_value());
}

TEST_CASE("a prepared statement's cached plan is re-made after DDL changes the table", "[sql][session]") {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    auto run = [&](std::string_view text) { return db.value()->Execute(*s, text); };
    REQUIRE(run("CREATE TABLE t (id INT PRIMARY KEY, name TEXT)").ok());
    REQUIRE(run("INSERT INTO t VALUES (1, 'a')").ok());
    auto info = s->Prepare("SELECT * FROM t WHERE id = $1");
    REQUIRE(info.ok());
    auto execute = [&] {
        s->StartPrepared(info.value().id, {Value::Integer(1)});
        for (;;) {
            switch (s->Step()) {
                case Session::StepState::kYield: break;
                case Session::StepState::kNeedsCommit:
                    s->CommitDecided(db.value()->Commit(s->pending_commit()));
                    break;
                case Session::StepState::kDone: return s->TakeOutcome();
            }
        }
    };
    auto before = execute();
    REQUIRE(before.ok());
    CHECK(before.value().columns.size() == 2);
    CHECK(execute().value().rows.size() == 1);  // The second run uses the cached plan.

    // The new column must appear: a stale cached plan would still answer two columns.
    REQUIRE(run("ALTER TABLE t ADD COLUMN extra INT DEFAULT 7").ok());
    auto after = execute();
    REQUIRE(after.ok());
    REQUIRE(after.value().columns.size() == 3);
    CHECK(after.value().columns[2].name == "extra");
    REQUIRE(after.value().rows.size() == 1);
    CHECK(after.value().rows[0][2] == Value::Integer(7));

    // A dropped table: the prepared statement fails cleanly, not with a dangling plan.
    REQUIRE(run("DROP TABLE t").ok());
    auto dropped = execute();
    REQUIRE(!dropped.ok());
    CHECK(dropped.error().kind == ErrorKind::kUndefinedTable);
}

TEST_CASE("an explicit transaction's statements reuse its catalog version until its own DDL",
          "[sql][session]") {
    // The session reads the catalog version once per explicit transaction (session_impl.h,
    // txn_catalog_version_). A reuse past the transaction's own DDL, or into the next
    // transaction, would run a stale cached plan: two columns instead of three.
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    auto other = db.value()->NewSession();
    auto run = [&](Session& session, std::string_view text) {
        return db.value()->Execute(session, text);
    };
    REQUIRE(run(*s, "CREATE TABLE t (id INT PRIMARY KEY, name TEXT)").ok());
    REQUIRE(run(*s, "INSERT INTO t VALUES (1, 'a')").ok());
    auto info = s->Prepare("SELECT * FROM t WHERE id = $1");
    REQUIRE(info.ok());
    auto execute = [&] {
        s->StartPrepared(info.value().id, {Value::Integer(1)});
        for (;;) {
            switch (s->Step()) {
                case Session::StepState::kYield: break;
                case Session::StepState::kNeedsCommit:
                    s->CommitDecided(db.value()->Commit(s->pending_commit()));
                    break;
                case Session::StepState::kDone: return s->TakeOutcome();
            }
        }
    };
    auto width = [&] {
        auto out = execute();
        REQUIRE(out.ok());
        return out.value().columns.size();
    };

    // DDL inside the transaction: the statements after it see the new column.
    REQUIRE(run(*s, "BEGIN").ok());
    CHECK(width() == 2);
    CHECK(width() == 2);
    REQUIRE(run(*s, "ALTER TABLE t ADD COLUMN extra INT DEFAULT 7").ok());
    CHECK(width() == 3);
    REQUIRE(run(*s, "COMMIT").ok());

    // DDL by another session between two transactions: the next transaction sees it.
    REQUIRE(run(*s, "BEGIN").ok());
    CHECK(width() == 3);
    REQUIRE(run(*s, "COMMIT").ok());
    REQUIRE(run(*other, "ALTER TABLE t ADD COLUMN more TEXT").ok());
    REQUIRE(run(*s, "BEGIN").ok());
    CHECK(width() == 4);
    CHECK(width() == 4);
    REQUIRE(run(*s, "ROLLBACK").ok());

    // DDL by another session during a transaction: its snapshot still has the old schema.
    REQUIRE(run(*s, "BEGIN").ok());
    CHECK(width() == 4);
    REQUIRE(run(*other, "ALTER TABLE t DROP COLUMN more").ok());
    CHECK(width() == 4);
    REQUIRE(run(*s, "ROLLBACK").ok());
    CHECK(width() == 3);
}

TEST_CASE("AbortTransaction drops an open or failed transaction", "[sql][session]") {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    auto s = db.value()->NewSession();
    REQUIRE(db.value()->Execute(*s, "BEGIN").ok());
    REQUIRE(db.value()->Execute(*s, "CREATE TABLE t (a INT)").ok());
    s->AbortTransaction("client went away");
    CHECK(s->txn_status() == TxnStatus::kIdle);
    CHECK(Render(db.value()->Execute(*s, "SHOW TABLES")) == "table\nSHOW");
    REQUIRE(db.value()->Execute(*s, "BEGIN").ok());
    CHECK(!db.value()->Execute(*s, "DROP TABLE nosuch").ok());
    CHECK(s->txn_status() == TxnStatus::kFailed);
    s->AbortTransaction("client went away");
    CHECK(s->txn_status() == TxnStatus::kIdle);
    CHECK(db.value()->Execute(*s, "SHOW TABLES").ok());
}

}  // namespace
}  // namespace orrery::sql
