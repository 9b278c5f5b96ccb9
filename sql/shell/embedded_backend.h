// EmbeddedBackend: the shell on an EmbeddedDatabase (sql/embedded.h) in this process, on a data
// directory (`orrery sql --data DIR`, created if missing) or in memory (tests). One session.
//
// Built only when the tree has the SQL engine (ORRERY_HAVE_SQL_ENGINE, sql/slt/CMakeLists.txt):
// until then `orrery sql --data` says the build has no engine.
#pragma once

#include <memory>
#include <string>

#include "sql/embedded.h"
#include "sql/shell/backend.h"

namespace orrery::sql::shell {

class EmbeddedBackend final : public ShellBackend {
public:
    // `dir` empty: a memory database (nothing survives).
    static Result<std::unique_ptr<EmbeddedBackend>> Open(const std::string& dir,
                                                         SessionOptions options = {});

    StatementOutcome Execute(std::string_view text) override;
    TxnStatus txn_status() const override { return session_->txn_status(); }
    std::string StatusText() override;

private:
    EmbeddedBackend() = default;
    std::string dir_;
    std::unique_ptr<EmbeddedDatabase> db_;
    std::unique_ptr<Session> session_;  // Destroyed before db_.
};

}  // namespace orrery::sql::shell
