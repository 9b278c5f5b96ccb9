// Orrery's embedded database (sql/embedded.h) with one session, behind the slt Database
// interface: what `orrery slt`, `orrery bench sql` and the differential test open for the engine
// "orrery". Built only where the tree has the engine (ORRERY_HAVE_SQL_ENGINE, sql/slt/CMakeLists).
#pragma once

#include <memory>
#include <string>

#include "sql/session.h"
#include "sql/slt/database.h"

namespace orrery::sql::slt {

// Opens (creating if needed) the embedded database in directory `dir`, with durable commits;
// an empty `dir` opens the same stack on a memory engine (nothing survives).
// `options` configure its session (the optimizer's equivalence test turns rules off).
Result<std::unique_ptr<Database>> OpenEmbeddedOrrery(const std::string& dir,
                                                     const SessionOptions& options = {});

}  // namespace orrery::sql::slt
