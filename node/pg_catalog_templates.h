// The psql queries PgCatalog serves, as templates (pg_catalog.h describes the match).
#pragma once

#include <string_view>
#include <vector>

#include "node/pg_catalog.h"

namespace orrery::node::pgcat {

struct PsqlTemplate {
    PsqlQuery kind;
    std::string_view text;
};

// Every template, in a fixed order; each kind once.
const std::vector<PsqlTemplate>& PsqlTemplates();

}  // namespace orrery::node::pgcat
