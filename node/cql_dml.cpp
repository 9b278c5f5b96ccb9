// CQL data statements onto SQL (cql_translate.h, "Design"): INSERT, UPDATE, DELETE, SELECT,
// BATCH, and PREPARE's marker metadata.
#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_bind.h"
#include "node/cql_translate.h"

namespace orrery::node::cql {

void Translator::RunDml(const Request&, Statement, std::function<void(Outcome)> done) {
    done(Outcome::Fail(error_code::kInvalid, "data statements are not implemented yet"));
}

void Translator::RunBatch(std::string, std::vector<std::pair<Statement, QueryParams>>, Consistency,
                          std::function<void(Outcome)> done) {
    done(Outcome::Fail(error_code::kInvalid, "BATCH is not implemented yet"));
}

void Translator::DoPrepare(const std::string&, Statement, std::function<void(PrepareOutcome)> done) {
    done(PrepareOutcome{Prepared{}, std::nullopt});
}

std::unique_ptr<Backend> NewTranslator(SqlRunner& sql, Topology topology) {
    return std::make_unique<Translator>(sql, std::move(topology));
}

}  // namespace orrery::node::cql
