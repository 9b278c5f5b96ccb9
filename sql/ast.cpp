// The AST's helpers (ast.h): offsets to line/column, operator and statement names, and deep
// copies. The SQL rendering (ExprToSql, QueryToSql) is in ast_sql.cpp.
//
// Clone recurses over the tree; the parser bounds every tree's height (parser_impl.h), so the
// recursion depth is bounded too.
#include <utility>

#include "core/assert.h"
#include "sql/ast.h"

namespace orrery::sql {
namespace {

template <typename T>
std::unique_ptr<T> CloneOrNull(const std::unique_ptr<T>& p) {
    return p ? p->Clone() : nullptr;
}

std::vector<ExprPtr> CloneList(const std::vector<ExprPtr>& list) {
    std::vector<ExprPtr> out;
    out.reserve(list.size());
    for (const ExprPtr& e : list) out.push_back(CloneOrNull(e));
    return out;
}

SelectItem CloneItem(const SelectItem& item) {
    return SelectItem{CloneOrNull(item.expr), item.alias, item.span};
}

TableRefPtr CloneTableRef(const TableRef& ref) {
    auto out = std::make_unique<TableRef>();
    out->kind = ref.kind;
    out->span = ref.span;
    out->name = ref.name;
    out->alias = ref.alias;
    out->subquery = CloneOrNull(ref.subquery);
    out->join_type = ref.join_type;
    out->left = ref.left ? CloneTableRef(*ref.left) : nullptr;
    out->right = ref.right ? CloneTableRef(*ref.right) : nullptr;
    out->on = CloneOrNull(ref.on);
    out->using_columns = ref.using_columns;
    out->natural = ref.natural;
    return out;
}

std::unique_ptr<SelectCore> CloneCore(const SelectCore& core) {
    auto out = std::make_unique<SelectCore>();
    out->span = core.span;
    out->distinct = core.distinct;
    for (const SelectItem& item : core.items) out->items.push_back(CloneItem(item));
    for (const TableRefPtr& ref : core.from) out->from.push_back(CloneTableRef(*ref));
    out->where = CloneOrNull(core.where);
    out->group_by = CloneList(core.group_by);
    out->having = CloneOrNull(core.having);
    for (const auto& row : core.values) out->values.push_back(CloneList(row));
    out->is_values = core.is_values;
    return out;
}

Query::Operand CloneOperand(const Query::Operand& operand) {
    ORRERY_ASSERT((operand.core != nullptr) != (operand.query != nullptr),
                  "a set operand holds exactly one of a core and a query");
    Query::Operand out;
    if (operand.core) out.core = CloneCore(*operand.core);
    if (operand.query) out.query = operand.query->Clone();
    return out;
}

}  // namespace

LineColumn LocateOffset(std::string_view text, uint32_t offset) {
    LineColumn at;
    size_t end = std::min<size_t>(offset, text.size());
    // Counts newlines before the offset: one pass, bounded by the text's size.
    for (size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++at.line;
            at.column = 1;
        } else {
            ++at.column;
        }
    }
    return at;
}

std::string_view UnaryOpName(UnaryOp op) {
    switch (op) {
        case UnaryOp::kNot: return "NOT";
        case UnaryOp::kNegate: return "-";
        case UnaryOp::kPlus: return "+";
    }
    ORRERY_ASSERT(false, "unknown UnaryOp {}", static_cast<int>(op));
    return "";
}

std::string_view BinaryOpName(BinaryOp op) {
    switch (op) {
        case BinaryOp::kOr: return "OR";
        case BinaryOp::kAnd: return "AND";
        case BinaryOp::kEq: return "=";
        case BinaryOp::kNotEq: return "<>";
        case BinaryOp::kLess: return "<";
        case BinaryOp::kLessEq: return "<=";
        case BinaryOp::kGreater: return ">";
        case BinaryOp::kGreaterEq: return ">=";
        case BinaryOp::kIsDistinctFrom: return "IS DISTINCT FROM";
        case BinaryOp::kIsNotDistinctFrom: return "IS NOT DISTINCT FROM";
        case BinaryOp::kAdd: return "+";
        case BinaryOp::kSubtract: return "-";
        case BinaryOp::kMultiply: return "*";
        case BinaryOp::kDivide: return "/";
        case BinaryOp::kModulo: return "%";
        case BinaryOp::kConcat: return "||";
    }
    ORRERY_ASSERT(false, "unknown BinaryOp {}", static_cast<int>(op));
    return "";
}

ExprPtr Expr::Clone() const {
    auto out = std::make_unique<Expr>();
    out->kind = kind;
    out->span = span;
    out->literal = literal;
    out->table = table;
    out->name = name;
    out->parameter_index = parameter_index;
    out->unary_op = unary_op;
    out->binary_op = binary_op;
    out->negated = negated;
    out->bool_value = bool_value;
    out->distinct = distinct;
    out->star = star;
    out->has_operand = has_operand;
    out->has_else = has_else;
    out->cast_type = cast_type;
    out->args = CloneList(args);
    out->subquery = CloneOrNull(subquery);
    return out;
}

QueryPtr Query::Clone() const {
    auto out = std::make_unique<Query>();
    out->span = span;
    out->first = CloneOperand(first);
    for (const auto& [op, operand] : rest) out->rest.emplace_back(op, CloneOperand(operand));
    for (const OrderItem& item : order_by) {
        out->order_by.push_back(
            OrderItem{CloneOrNull(item.expr), item.descending, item.nulls_first, item.span});
    }
    out->limit = CloneOrNull(limit);
    out->offset = CloneOrNull(offset);
    return out;
}

std::string_view StatementKindName(const Statement& statement) {
    struct Namer {
        std::string_view operator()(const SelectStatement&) const { return "SELECT"; }
        std::string_view operator()(const Insert&) const { return "INSERT"; }
        std::string_view operator()(const Update&) const { return "UPDATE"; }
        std::string_view operator()(const Delete&) const { return "DELETE"; }
        std::string_view operator()(const CreateTable&) const { return "CREATE TABLE"; }
        std::string_view operator()(const DropTable&) const { return "DROP TABLE"; }
        std::string_view operator()(const CreateIndex&) const { return "CREATE INDEX"; }
        std::string_view operator()(const DropIndex&) const { return "DROP INDEX"; }
        std::string_view operator()(const AlterTable&) const { return "ALTER TABLE"; }
        std::string_view operator()(const Truncate&) const { return "TRUNCATE TABLE"; }
        std::string_view operator()(const ShowTables& s) const {
            return s.catalog ? "SHOW CATALOG" : "SHOW TABLES";
        }
        std::string_view operator()(const Describe&) const { return "DESCRIBE"; }
        std::string_view operator()(const Begin&) const { return "BEGIN"; }
        std::string_view operator()(const Commit&) const { return "COMMIT"; }
        std::string_view operator()(const Rollback&) const { return "ROLLBACK"; }
        std::string_view operator()(const SetVariable&) const { return "SET"; }
        std::string_view operator()(const ShowVariable&) const { return "SHOW"; }
        std::string_view operator()(const std::unique_ptr<Explain>&) const { return "EXPLAIN"; }
    };
    return std::visit(Namer{}, statement.body);
}

}  // namespace orrery::sql
