// The engine's sessions for SqlServer: sql::Session (sql/session.h) on an MvccTxnStore over the
// node's replicated MVCC, behind the SqlSession interface the server drives (sql_server.h).
// Snapshot reads are local (the server runs a ReadIndex first); commits are the server's
// business (one Raft entry each), so unlogged readers stay on, as the replicated rule has it.
//
// Built only when the tree has the engine (ORRERY_HAVE_SQL_ENGINE); KvServer uses it when its
// options name no other factory.
#pragma once

#include "node/sql_server.h"

namespace orrery::node {

// A factory of engine sessions with `options` (the sql.no-read-set switch lives there).
SqlSessionFactory EngineSqlSessions(sql::SessionOptions options);

}  // namespace orrery::node
