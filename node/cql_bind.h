// Binding: a CQL term (a literal, a bind marker, a collection literal) plus the type of the
// column it is compared with or written to -> the SQL value the translator passes to the
// engine as a parameter. Literals never reach SQL text: every value travels as a parameter, so
// no quoting can go wrong.
//
// Literal forms by type (as Cassandra reads them): integers for int/bigint/smallint/tinyint
// (range-checked), numbers for double/float (also NaN, Infinity), true/false for boolean,
// 'strings' for text/ascii/inet, 'yyyy-mm-dd[ hh:mm[:ss[.fff]]][Z|+hhmm]' or integer
// milliseconds for timestamp, uuids unquoted, 0x... for blob, [..] {..} {k: v} for collections.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "node/cql_backend.h"
#include "node/cql_parser.h"
#include "node/cql_values.h"

namespace orrery::node::cql {

class Binder {
public:
    // `statement` and `params` outlive the binder.
    Binder(const Statement& statement, const QueryParams& params)
        : statement_(statement), params_(params) {}

    // InvalidArgument when the number of values sent differs from the statement's markers.
    Status CheckCount() const;

    // The SQL value of `term` for a column of `type` named `column`. std::nullopt: the marker's
    // value is "unset" (the column is left as it is). InvalidArgument (Cassandra's wording) for a
    // literal of the wrong kind, an out-of-range number or bad bytes.
    orrery::Result<std::optional<sql::Value>> Bind(const Term& term, const Type& type,
                                                   const std::string& column) const;

    // The raw cell of a marker (for IN ?, a list of values).
    orrery::Result<std::optional<Cell>> MarkerCell(const Term& term, const std::string& column) const;

private:
    orrery::Result<sql::Value> Literal(const Term& term, const Type& type, int depth) const;
    orrery::Result<sql::Value> CollectionLiteral(const Term& term, const Type& type, int depth) const;

    const Statement& statement_;
    const QueryParams& params_;
};

// Parses a timestamp literal into microseconds since the epoch.
orrery::Result<int64_t> ParseTimestampLiteral(const std::string& text);

// Splits a serialized list or set into its elements' bytes.
orrery::Result<std::vector<std::string>> SplitCollection(std::string_view bytes);

}  // namespace orrery::node::cql
