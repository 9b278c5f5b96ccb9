// OrreryDatabase: Orrery's SQL engine behind the slt Database interface (database.h), driven
// through one sql::Session whose commits are decided by a local CommitFn (the embedded
// database's Mvcc::ApplyCommit). The sqllogictest runner, the differential test and
// `orrery bench sql` reach Orrery only through this class.
//
// Values become cells as SQLite would give them: BOOLEAN -> INTEGER 0/1 (SQLite's comparison
// results), INTEGER, FLOAT, STRING as they are, TIMESTAMP and BLOB as their display text. An
// error is a Status whose message is "<SQLSTATE>: <the engine's message>".
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "sql/session.h"
#include "sql/slt/database.h"

namespace orrery::sql::slt {

class OrreryDatabase final : public Database {
public:
    // `session` and whatever `commit` uses must outlive this object.
    OrreryDatabase(Session& session, Session::CommitFn commit)
        : session_(session), commit_(std::move(commit)) {}

    std::string_view name() const override { return "orrery"; }
    Result<ResultSet> Run(std::string_view sql) override;
    Result<uint32_t> Prepare(std::string_view sql) override;
    Result<ResultSet> RunPrepared(uint32_t id, const std::vector<Cell>& params) override;

    // The conversions of the header comment (exposed for tests).
    static Cell ToCell(const Value& v);
    static Value ToValue(const Cell& c);

private:
    // Steps the statement in progress to its end, deciding commits with commit_.
    StatementOutcome Finish();

    Session& session_;
    Session::CommitFn commit_;
};

}  // namespace orrery::sql::slt
