// ShellBackend: what the SQL shell (shell.h) needs of a database, so the same shell drives an
// embedded database on a data directory (embedded_backend.h) and a cluster node through the
// network client (tools/sql_remote.h, which lives in tools/ because it needs net/ and node/).
//
// A backend is one session: it runs one statement at a time to its outcome and keeps the
// session's open transaction between statements.
#pragma once

#include <string>
#include <string_view>

#include "sql/session.h"

namespace orrery::sql::shell {

class ShellBackend {
public:
    virtual ~ShellBackend() = default;
    // Runs one statement (no ';' needed) to its outcome.
    virtual StatementOutcome Execute(std::string_view text) = 0;
    // The session's transaction status after the last statement (the prompt shows it).
    virtual TxnStatus txn_status() const = 0;
    // Lines for \status: where the session runs (a data directory; the node, leader, term).
    virtual std::string StatusText() = 0;
};

}  // namespace orrery::sql::shell
