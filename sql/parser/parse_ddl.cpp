// Schema statements: CREATE TABLE / INDEX, DROP TABLE / INDEX, ALTER TABLE, TRUNCATE, SHOW
// TABLES / COLUMNS, DESCRIBE.
//
//   create_table := CREATE TABLE [IF NOT EXISTS] name ( element {, element} )
//   element      := column_def | [CONSTRAINT name] table_constraint
//   column_def   := name type { NOT NULL | NULL | DEFAULT expr(||) | PRIMARY KEY | UNIQUE
//                             | CHECK ( expr ) | REFERENCES name [( name )] }
//   table_constraint := PRIMARY KEY ( key_cols ) | UNIQUE ( names ) | CHECK ( expr )
//                     | FOREIGN KEY ( names ) REFERENCES name [( names )]
//   key_cols     := ( names ) {, name} | names       (the first form: partition columns)
//   create_index := CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON name ( names )
//   drop         := DROP TABLE [IF EXISTS] name {, name} | DROP INDEX [IF EXISTS] name
//   alter        := ALTER TABLE name ( ADD [COLUMN] [IF NOT EXISTS] column_def
//                 | DROP [COLUMN] [IF EXISTS] name | RENAME [COLUMN] name TO name
//                 | RENAME TO name )
//   truncate     := TRUNCATE [TABLE] name {, name}
//   show         := SHOW TABLES | SHOW CATALOG | SHOW COLUMNS FROM name | SHOW name
//                 | SHOW TRANSACTION ISOLATION LEVEL
//   describe     := DESCRIBE name
//
// DEFAULT takes an expression at the || level (PostgreSQL's b_expr), so `DEFAULT 0 NOT NULL`
// reads as a default and a constraint.
#include <fmt/format.h>

#include <utility>

#include "core/assert.h"
#include "sql/parser/parser_impl.h"

namespace orrery::sql {

bool Parser::ParseIfNotExists() {
    if (!IsWord("if") || !IsWord("not", 1)) return false;
    Advance();
    Advance();
    return ExpectWord("exists");
}

bool Parser::ParseIfExists() {
    if (!IsWord("if") || !IsWord("exists", 1)) return false;
    Advance();
    Advance();
    return true;
}

bool Parser::ParseCreate(StatementBody* out) {
    Advance();  // CREATE
    if (IsWord("table")) {
        CreateTable create;
        if (!ParseCreateTable(&create)) return false;
        *out = std::move(create);
        return true;
    }
    if (IsWord("index") || IsWord("unique")) {
        CreateIndex create;
        if (!ParseCreateIndex(&create)) return false;
        *out = std::move(create);
        return true;
    }
    return FailExpected("TABLE or INDEX");
}

bool Parser::ParseCreateTable(CreateTable* out) {
    Advance();  // TABLE
    out->if_not_exists = ParseIfNotExists();
    std::optional<std::string> name = ParseName("table name");
    if (!name) return false;
    out->name = std::move(*name);
    if (!ExpectSymbol("(")) return false;
    // One column or constraint per iteration.
    do {
        if (!ParseTableElement(out)) return false;
    } while (AcceptSymbol(","));
    return ExpectSymbol(")");
}

bool Parser::ParseTableElement(CreateTable* out) {
    bool constraint = IsWord("constraint") || IsWord("primary") || IsWord("unique") ||
                      IsWord("foreign") || IsWord("check");
    if (constraint) {
        TableConstraint c;
        if (!ParseTableConstraint(&c)) return false;
        out->constraints.push_back(std::move(c));
        return true;
    }
    ColumnDef column;
    if (!ParseColumnDef(&column)) return false;
    out->columns.push_back(std::move(column));
    return true;
}

bool Parser::ParseColumnDef(ColumnDef* out) {
    uint32_t start = NextOffset();
    std::optional<std::string> name = ParseName("column name");
    if (!name) return false;
    out->name = std::move(*name);
    std::optional<TypeSpec> type = ParseType();
    if (!type) return false;
    out->type = *type;
    // One constraint per iteration; each consumes at least one token.
    while (!failed() && (IsWord("not") || IsWord("null") || IsWord("default") ||
                         IsWord("primary") || IsWord("unique") || IsWord("check") ||
                         IsWord("references"))) {
        if (!ParseColumnConstraint(out)) return false;
    }
    out->span = SpanFrom(start);
    return !failed();
}

bool Parser::ParseColumnConstraint(ColumnDef* column) {
    uint32_t at = NextOffset();
    if (AcceptWord("not")) {
        if (!ExpectWord("null")) return false;
        if (column->explicit_null) return FailAt(at, "conflicting NULL and NOT NULL constraints");
        column->not_null = true;
    } else if (AcceptWord("null")) {
        if (column->not_null) return FailAt(at, "conflicting NULL and NOT NULL constraints");
        column->explicit_null = true;
    } else if (AcceptWord("default")) {
        if (column->default_value) return FailAt(at, "multiple DEFAULT values for one column");
        column->default_value = ParseBinary(kConcatLevel);
        return column->default_value != nullptr;
    } else if (AcceptWord("primary")) {
        if (!ExpectWord("key")) return false;
        column->primary_key = true;
    } else if (AcceptWord("unique")) {
        column->unique = true;
    } else if (AcceptWord("check")) {
        if (column->check) return FailAt(at, "multiple CHECK constraints for one column");
        if (!ExpectSymbol("(")) return false;
        column->check = ParseExpr();
        return column->check != nullptr && ExpectSymbol(")");
    } else {
        ORRERY_ASSERT(IsWord("references"));
        Advance();
        if (column->references) return FailAt(at, "multiple REFERENCES for one column");
        ForeignKeyRef ref;
        if (!ParseReferences(&ref)) return false;
        if (ref.columns.size() > 1) return FailAt(at, "a column REFERENCES one column");
        column->references = std::move(ref);
    }
    return true;
}

bool Parser::ParseReferences(ForeignKeyRef* out) {
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    if (IsSymbol("(")) return ParseNameList("column name", &out->columns);
    return true;
}

bool Parser::ParseTableConstraint(TableConstraint* out) {
    uint32_t start = NextOffset();
    if (AcceptWord("constraint")) {
        std::optional<std::string> name = ParseName("constraint name");
        if (!name) return false;
        out->name = std::move(*name);
    }
    if (AcceptWord("primary")) {
        out->kind = TableConstraint::Kind::kPrimaryKey;
        if (!ExpectWord("key") || !ParsePrimaryKeyColumns(out)) return false;
    } else if (AcceptWord("unique")) {
        out->kind = TableConstraint::Kind::kUnique;
        if (!ParseNameList("column name", &out->columns)) return false;
    } else if (AcceptWord("foreign")) {
        out->kind = TableConstraint::Kind::kForeignKey;
        if (!ExpectWord("key") || !ParseNameList("column name", &out->columns)) return false;
        if (!ExpectWord("references") || !ParseReferences(&out->references)) return false;
    } else if (AcceptWord("check")) {
        out->kind = TableConstraint::Kind::kCheck;
        if (!ExpectSymbol("(")) return false;
        out->check = ParseExpr();
        if (!out->check || !ExpectSymbol(")")) return false;
    } else {
        return FailExpected("PRIMARY KEY, UNIQUE, FOREIGN KEY or CHECK");
    }
    out->span = SpanFrom(start);
    return true;
}

bool Parser::ParsePrimaryKeyColumns(TableConstraint* out) {
    if (!ExpectSymbol("(")) return false;
    if (IsSymbol("(")) {
        // PRIMARY KEY ((p1, p2), c1, ...): the partition columns, then the clustering ones.
        if (!ParseNameList("column name", &out->partition_columns)) return false;
        out->columns = out->partition_columns;
        if (!AcceptSymbol(",")) return ExpectSymbol(")");
    }
    do {
        std::optional<std::string> name = ParseName("column name");
        if (!name) return false;
        out->columns.push_back(std::move(*name));
    } while (AcceptSymbol(","));
    return ExpectSymbol(")");
}

bool Parser::ParseCreateIndex(CreateIndex* out) {
    out->unique = AcceptWord("unique");
    if (!ExpectWord("index")) return false;
    out->if_not_exists = ParseIfNotExists();
    std::optional<std::string> name = ParseName("index name");
    if (!name || !ExpectWord("on")) return false;
    out->name = std::move(*name);
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    return ParseNameList("column name", &out->columns);
}

bool Parser::ParseDrop(StatementBody* out) {
    Advance();  // DROP
    if (AcceptWord("table")) {
        DropTable drop;
        drop.if_exists = ParseIfExists();
        do {
            std::optional<std::string> name = ParseName("table name");
            if (!name) return false;
            drop.names.push_back(std::move(*name));
        } while (AcceptSymbol(","));
        *out = std::move(drop);
        return true;
    }
    if (AcceptWord("index")) {
        DropIndex drop;
        drop.if_exists = ParseIfExists();
        std::optional<std::string> name = ParseName("index name");
        if (!name) return false;
        drop.name = std::move(*name);
        *out = std::move(drop);
        return true;
    }
    return FailExpected("TABLE or INDEX");
}

bool Parser::ParseAlter(AlterTable* out) {
    Advance();  // ALTER
    if (!ExpectWord("table")) return false;
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    if (AcceptWord("add")) {
        out->action = AlterTable::Action::kAddColumn;
        AcceptWord("column");
        out->if_not_exists = ParseIfNotExists();
        return !failed() && ParseColumnDef(&out->column);
    }
    if (AcceptWord("drop")) {
        out->action = AlterTable::Action::kDropColumn;
        AcceptWord("column");
        out->if_exists = ParseIfExists();
        std::optional<std::string> name = ParseName("column name");
        if (!name) return false;
        out->name = std::move(*name);
        return true;
    }
    if (!AcceptWord("rename")) return FailExpected("ADD, DROP or RENAME");
    if (AcceptWord("to")) {
        out->action = AlterTable::Action::kRenameTable;
        std::optional<std::string> name = ParseName("table name");
        if (!name) return false;
        out->new_name = std::move(*name);
        return true;
    }
    out->action = AlterTable::Action::kRenameColumn;
    AcceptWord("column");
    std::optional<std::string> old_name = ParseName("column name");
    if (!old_name || !ExpectWord("to")) return false;
    out->name = std::move(*old_name);
    std::optional<std::string> new_name = ParseName("column name");
    if (!new_name) return false;
    out->new_name = std::move(*new_name);
    return true;
}

bool Parser::ParseTruncate(Truncate* out) {
    Advance();  // TRUNCATE
    AcceptWord("table");
    do {
        std::optional<std::string> name = ParseName("table name");
        if (!name) return false;
        out->tables.push_back(std::move(*name));
    } while (AcceptSymbol(","));
    return true;
}

bool Parser::ParseShow(StatementBody* out) {
    Advance();  // SHOW
    if (AcceptWord("tables")) {
        *out = ShowTables{};
        return true;
    }
    if (AcceptWord("catalog")) {
        *out = ShowTables{/*catalog=*/true};
        return true;
    }
    if (IsWord("columns") && IsWord("from", 1)) {
        Advance();
        Advance();
        std::optional<std::string> table = ParseName("table name");
        if (!table) return false;
        *out = Describe{std::move(*table)};
        return true;
    }
    if (IsWord("transaction") && IsWord("isolation", 1)) {
        Advance();
        Advance();
        if (!ExpectWord("level")) return false;
        *out = ShowVariable{"transaction_isolation"};
        return true;
    }
    if (AcceptWord("all")) {  // ALL is reserved, so ParseName would refuse it.
        *out = ShowVariable{"all"};
        return true;
    }
    std::optional<std::string> name = ParseName("parameter name");
    if (!name) return false;
    *out = ShowVariable{std::move(*name)};
    return true;
}

bool Parser::ParseDescribe(Describe* out) {
    Advance();  // DESCRIBE
    std::optional<std::string> table = ParseName("table name");
    if (!table) return false;
    out->table = std::move(*table);
    return true;
}

}  // namespace orrery::sql
