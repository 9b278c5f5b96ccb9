// The golden scripts' statement printer (ast_printer_for_test.h).
#include "sql/parser/ast_printer_for_test.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace orrery::sql {
namespace {

class TreePrinter {
public:
    std::string Take() { return std::move(out_); }

    void Line(int indent, std::string_view text) {
        out_.append(static_cast<size_t>(indent) * 2, ' ');
        out_ += text;
        out_ += '\n';
    }

    static std::string Names(const std::vector<std::string>& names) {
        std::string out;
        for (size_t i = 0; i < names.size(); ++i) out += (i ? ", " : "") + SqlName(names[i]);
        return out;
    }

    static std::string Exprs(const std::vector<ExprPtr>& list) {
        std::string out;
        for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + ExprToSql(*list[i]);
        return out;
    }

    static std::string Items(const std::vector<SelectItem>& items) {
        std::string out;
        for (size_t i = 0; i < items.size(); ++i) {
            out += (i ? ", " : "") + ExprToSql(*items[i].expr);
            if (!items[i].alias.empty()) out += " AS " + SqlName(items[i].alias);
        }
        return out;
    }

    void Query(const struct Query& q, int indent) {
        Operand(q.first, indent);
        for (const auto& [op, operand] : q.rest) {
            static constexpr const char* kNames[] = {"union", "union all", "intersect", "except"};
            Line(indent, kNames[static_cast<int>(op)]);
            Operand(operand, indent);
        }
        if (!q.order_by.empty()) {
            std::string items;
            for (size_t i = 0; i < q.order_by.size(); ++i) {
                const OrderItem& item = q.order_by[i];
                items += (i ? ", " : "") + ExprToSql(*item.expr) + (item.descending ? " DESC" : "");
                if (item.nulls_first) items += *item.nulls_first ? " NULLS FIRST" : " NULLS LAST";
            }
            Line(indent, "order by " + items);
        }
        if (q.limit) Line(indent, "limit " + ExprToSql(*q.limit));
        if (q.offset) Line(indent, "offset " + ExprToSql(*q.offset));
    }

    void Operand(const Query::Operand& operand, int indent) {
        if (operand.query) {
            Line(indent, "(query)");
            return Query(*operand.query, indent + 1);
        }
        const SelectCore& core = *operand.core;
        if (core.is_values) {
            Line(indent, "values");
            for (const auto& row : core.values) Line(indent + 1, "row " + Exprs(row));
            return;
        }
        Line(indent, core.distinct ? "select distinct" : "select");
        for (const SelectItem& item : core.items) {
            std::string alias = item.alias.empty() ? "" : " AS " + SqlName(item.alias);
            Line(indent + 1, "item " + ExprToSql(*item.expr) + alias);
        }
        for (const TableRefPtr& ref : core.from) {
            Line(indent + 1, "from");
            TableRef(*ref, indent + 2);
        }
        if (core.where) Line(indent + 1, "where " + ExprToSql(*core.where));
        if (!core.group_by.empty()) Line(indent + 1, "group by " + Exprs(core.group_by));
        if (core.having) Line(indent + 1, "having " + ExprToSql(*core.having));
    }

    void TableRef(const struct TableRef& ref, int indent) {
        std::string alias = ref.alias.empty() ? "" : " AS " + SqlName(ref.alias);
        switch (ref.kind) {
            case TableRef::Kind::kTable: return Line(indent, "table " + SqlName(ref.name) + alias);
            case TableRef::Kind::kSubquery:
                Line(indent, "subquery" + alias);
                return Query(*ref.subquery, indent + 1);
            case TableRef::Kind::kJoin: {
                static constexpr const char* kTypes[] = {"cross", "inner", "left", "right", "full"};
                Line(indent, fmt::format("join {}{}", ref.natural ? "natural " : "",
                                         kTypes[static_cast<int>(ref.join_type)]));
                TableRef(*ref.left, indent + 1);
                TableRef(*ref.right, indent + 1);
                if (ref.on) Line(indent + 1, "on " + ExprToSql(*ref.on));
                if (!ref.using_columns.empty()) {
                    Line(indent + 1, "using (" + Names(ref.using_columns) + ")");
                }
                return;
            }
        }
    }

    void Column(const ColumnDef& c, int indent) {
        std::string s = "column " + SqlName(c.name) + " " + c.type.ToString();
        if (c.not_null) s += " NOT NULL";
        if (c.explicit_null) s += " NULL";
        if (c.primary_key) s += " PRIMARY KEY";
        if (c.unique) s += " UNIQUE";
        if (c.default_value) s += " DEFAULT " + ExprToSql(*c.default_value);
        if (c.check) s += " CHECK " + ExprToSql(*c.check);
        if (c.references) s += " REFERENCES " + Reference(*c.references);
        Line(indent, s);
    }

    static std::string Reference(const ForeignKeyRef& ref) {
        std::string s = SqlName(ref.table);
        if (!ref.columns.empty()) s += " (" + Names(ref.columns) + ")";
        return s;
    }

    void Constraint(const TableConstraint& c, int indent) {
        std::string s = "constraint ";
        if (!c.name.empty()) s += SqlName(c.name) + " ";
        switch (c.kind) {
            case TableConstraint::Kind::kPrimaryKey:
                s += "PRIMARY KEY (" + Names(c.columns) + ")";
                if (!c.partition_columns.empty()) {
                    s += " partition (" + Names(c.partition_columns) + ")";
                }
                break;
            case TableConstraint::Kind::kUnique: s += "UNIQUE (" + Names(c.columns) + ")"; break;
            case TableConstraint::Kind::kForeignKey:
                s += "FOREIGN KEY (" + Names(c.columns) + ") REFERENCES " + Reference(c.references);
                break;
            case TableConstraint::Kind::kCheck: s += "CHECK " + ExprToSql(*c.check); break;
        }
        Line(indent, s);
    }

    void Condition(const WriteCondition& c, int indent) {
        switch (c.kind) {
            case WriteCondition::Kind::kNone: return;
            case WriteCondition::Kind::kNotExists: return Line(indent, "if not exists");
            case WriteCondition::Kind::kExists: return Line(indent, "if exists");
            case WriteCondition::Kind::kColumns: {
                std::string s = "if ";
                for (size_t i = 0; i < c.conditions.size(); ++i) {
                    s += (i ? " and " : "") + ExprToSql(*c.conditions[i]);
                }
                return Line(indent, s);
            }
        }
    }

    void Returning(const std::vector<SelectItem>& items, int indent) {
        if (!items.empty()) Line(indent, "returning " + Items(items));
    }

    static std::string Alias(const std::string& alias) {
        return alias.empty() ? "" : " AS " + SqlName(alias);
    }

    void Statement(const struct Statement& s, int indent);

private:
    std::string out_;
};

struct BodyPrinter {
    TreePrinter* p;
    int indent;

    void operator()(const SelectStatement& s) const { p->Query(*s.query, indent); }
    void operator()(const Insert& s) const {
        p->Line(indent, "insert into " + SqlName(s.table) + TreePrinter::Alias(s.alias));
        if (!s.columns.empty()) p->Line(indent + 1, "columns " + TreePrinter::Names(s.columns));
        for (const auto& row : s.values) p->Line(indent + 1, "row " + TreePrinter::Exprs(row));
        if (s.default_values) p->Line(indent + 1, "default values");
        if (s.select) {
            p->Line(indent + 1, "query");
            p->Query(*s.select, indent + 2);
        }
        p->Condition(s.condition, indent + 1);
        p->Returning(s.returning, indent + 1);
    }
    void operator()(const Update& s) const {
        p->Line(indent, "update " + SqlName(s.table) + TreePrinter::Alias(s.alias));
        for (const Assignment& a : s.assignments) {
            p->Line(indent + 1, "set " + SqlName(a.column) + " = " + ExprToSql(*a.value));
        }
        if (s.where) p->Line(indent + 1, "where " + ExprToSql(*s.where));
        p->Condition(s.condition, indent + 1);
        p->Returning(s.returning, indent + 1);
    }
    void operator()(const Delete& s) const {
        p->Line(indent, "delete from " + SqlName(s.table) + TreePrinter::Alias(s.alias));
        if (s.where) p->Line(indent + 1, "where " + ExprToSql(*s.where));
        p->Condition(s.condition, indent + 1);
        p->Returning(s.returning, indent + 1);
    }
    void operator()(const CreateTable& s) const {
        p->Line(indent, "create table " + SqlName(s.name) + (s.if_not_exists ? " if not exists" : ""));
        for (const ColumnDef& c : s.columns) p->Column(c, indent + 1);
        for (const TableConstraint& c : s.constraints) p->Constraint(c, indent + 1);
    }
    void operator()(const DropTable& s) const {
        p->Line(indent, std::string("drop table ") + (s.if_exists ? "if exists " : "") +
                            TreePrinter::Names(s.names));
    }
    void operator()(const CreateIndex& s) const {
        p->Line(indent, fmt::format("create {}index {}{} on {} ({})", s.unique ? "unique " : "",
                                    s.if_not_exists ? "if not exists " : "", SqlName(s.name),
                                    SqlName(s.table), TreePrinter::Names(s.columns)));
    }
    void operator()(const DropIndex& s) const {
        p->Line(indent, std::string("drop index ") + (s.if_exists ? "if exists " : "") +
                            SqlName(s.name));
    }
    void operator()(const AlterTable& s) const {
        std::string head = "alter table " + SqlName(s.table) + " ";
        switch (s.action) {
            case AlterTable::Action::kAddColumn:
                p->Line(indent, head + "add column" + (s.if_not_exists ? " if not exists" : ""));
                return p->Column(s.column, indent + 1);
            case AlterTable::Action::kDropColumn:
                return p->Line(indent, head + "drop column " + (s.if_exists ? "if exists " : "") +
                                           SqlName(s.name));
            case AlterTable::Action::kRenameColumn:
                return p->Line(indent, head + "rename column " + SqlName(s.name) + " to " +
                                           SqlName(s.new_name));
            case AlterTable::Action::kRenameTable:
                return p->Line(indent, head + "rename to " + SqlName(s.new_name));
        }
    }
    void operator()(const Truncate& s) const {
        p->Line(indent, "truncate " + TreePrinter::Names(s.tables));
    }
    void operator()(const ShowTables& s) const {
        p->Line(indent, s.catalog ? "show catalog" : "show tables");
    }
    void operator()(const Describe& s) const { p->Line(indent, "describe " + SqlName(s.table)); }
    void operator()(const Begin& s) const {
        std::string line = "begin";
        if (s.read_only) line += " read only";
        if (s.read_write) line += " read write";
        if (s.isolation == IsolationLevel::kSerializable) line += " isolation serializable";
        if (s.isolation == IsolationLevel::kSnapshot) line += " isolation snapshot";
        if (s.as_of) line += " as of " + ExprToSql(*s.as_of);
        p->Line(indent, line);
    }
    void operator()(const Commit&) const { p->Line(indent, "commit"); }
    void operator()(const Rollback&) const { p->Line(indent, "rollback"); }
    void operator()(const SetVariable& s) const {
        p->Line(indent, fmt::format("set {} = [{}]", s.name, s.value));
    }
    void operator()(const ShowVariable& s) const { p->Line(indent, "show " + s.name); }
    void operator()(const std::unique_ptr<Explain>& s) const {
        p->Line(indent, s->steps ? "explain steps" : "explain");
        p->Statement(s->statement, indent + 1);
    }
};

void TreePrinter::Statement(const struct Statement& s, int indent) {
    std::visit(BodyPrinter{this, indent}, s.body);
}

}  // namespace

std::string PrintStatementTree(const Statement& statement) {
    TreePrinter printer;
    printer.Statement(statement, 0);
    if (statement.parameter_count > 0) {
        printer.Line(0, fmt::format("parameters {}", statement.parameter_count));
    }
    return printer.Take();
}

}  // namespace orrery::sql
