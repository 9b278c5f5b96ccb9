// An indented-tree rendering of a parsed Statement, for the parser's golden scripts
// (testdata/parser/*.txt) and the worked example of docs/09-sql-parser.md. Expressions print
// as ExprToSql (fully parenthesised), so a script shows both the statement's shape and every
// operator's grouping. Test-only: the format may change with the tests.
#pragma once

#include <string>

#include "sql/ast.h"

namespace orrery::sql {

std::string PrintStatementTree(const Statement& statement);

}  // namespace orrery::sql
