// PgCatalog: psql's \d family answered from Orrery's live catalog, for the PostgreSQL front end
// (pg_server.h).
//
// Why a recogniser and not pg_catalog tables in the engine. psql's describe queries use a good
// part of PostgreSQL's SQL that the engine does not have (OPERATOR(pg_catalog.~) regex matches,
// COLLATE, ::regclass and ::regtype casts, correlated subqueries in the select list, UNION with
// VALUES, set-returning functions such as pg_partition_ancestors, arrays), and a dozen catalog
// relations whose columns only PostgreSQL's planner gives a meaning. Serving them generally is
// an engine project of its own. What psql sends, on the other hand, is a small fixed set of
// texts (src/bin/psql/describe.c of psql 15, for a server that says it is 15.0): this module
// recognises exactly those and computes their answers from the catalog, and every other
// catalog query still gets 0A000.
//
// The structural match. A query and a template are both cut into tokens (words compared
// without case, single punctuation characters, '...' literals; whitespace and comments are
// not tokens, a final ';' is dropped). They match iff the token streams are equal, where a
// template literal written '$OID', '$PATTERN' or '$KINDS' is a hole: '$OID' and '$PATTERN'
// take one literal of the query, '$KINDS' a comma-separated list of literals. Every other
// literal must be equal too. So `\dt` with a pattern and `\dt` without are two templates, and
// a query that differs by one condition is not served.
//
// Where the answer comes from. The front end runs SHOW CATALOG (sql/catalog/show_catalog.h) on
// the connection's own session, so the answer is the catalog at the session's snapshot (inside
// a transaction: its own DDL included), then this module builds psql's rows from those rows.
// Catalog objects Orrery does not have (policies, rules, triggers, statistics objects,
// publications, inheritance, partitions) are answered with no rows, which is what they are.
//
// The mapping: one schema, "public"; relation OIDs are 16384 + (table id << 10) for a table,
// +1 for its primary key's index "<table>_pkey", +1+i for its i-th index; types as PostgreSQL
// names them (INTEGER bigint, FLOAT double precision, STRING text or character varying(n),
// BOOLEAN boolean, TIMESTAMP timestamp without time zone, BLOB bytea); every relation's owner is
// the connected user (Orrery has no roles).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/error.h"
#include "sql/session.h"

namespace orrery::node::pgcat {

// The psql queries served, named after what psql prints from them.
enum class PsqlQuery : uint8_t {
    kList,               // \d, \dt, \di (kinds from the IN list), without a pattern.
    kListPattern,        // The same with a name pattern.
    kListIndexes,        // \di: with the "Table" column.
    kListIndexesPattern,
    kLookup,             // \d NAME, first step: which relations the pattern names.
    kRelationInfo,       // \d: relkind, hasindex, hastriggers, ...
    kRelationInfoVerbose,  // \d+: the same, with the relation's options.
    kColumns,            // \d: the Column / Type / Collation / Nullable / Default table.
    kColumnsVerbose,     // \d+: the same with Storage, Compression, Stats target, Description.
    kIndexes,            // \d: "Indexes:".
    kChecks,             // \d: "Check constraints:".
    kForeignKeys,        // \d: "Foreign-key constraints:".
    kReferencedBy,       // \d: "Referenced by:".
    kIndexColumns,       // \d INDEX: the Column / Type / Key? / Definition table.
    kIndexInfo,          // \d INDEX: "unique, btree, for table ..." under it.
    kPolicies,           // The rest: objects Orrery has none of.
    kStatistics,
    kPublications,
    kTriggers,
    kInherits,
    kPartitions,
};

struct RecognizedQuery {
    PsqlQuery kind = PsqlQuery::kList;
    std::optional<std::string> oid;      // '$OID' (the same value wherever it occurs).
    std::optional<std::string> pattern;  // '$PATTERN': a regular expression on names.
    std::vector<std::string> kinds;      // '$KINDS': relkind letters.
};

// The template `query` matches (file comment), or nullopt.
std::optional<RecognizedQuery> RecognizePsqlQuery(std::string_view query);

// psql's answer to `query` from the rows of SHOW CATALOG. `user` is the connected user (the
// owner column). Errors: malformed catalog rows (kInternal), an OID that names nothing gives no
// rows (as PostgreSQL), a pattern std::regex cannot read (kFeatureNotSupported).
sql::SqlResult<sql::StatementResult> AnswerPsqlQuery(const RecognizedQuery& query,
                                                     const sql::StatementResult& show_catalog,
                                                     std::string_view user);

// The catalog statement the answers are computed from.
inline constexpr std::string_view kShowCatalog = "SHOW CATALOG";

}  // namespace orrery::node::pgcat
