// Binder: gives the AST meaning and builds the initial plan (plan.h) for a query or a write.
//
// Name resolution. Each SELECT block has a Scope: the columns of its FROM clause, each with the
// alias it is qualified by. An unqualified name must match exactly one column (else 42702
// ambiguous, 42703 unknown); a qualified one must name a FROM item (42P01) and a column of it.
// A name found in no column of the block is looked up in the enclosing block's scope, then the
// next: that is an outer reference, and it makes every subquery between the two correlated.
// USING and NATURAL joins hide the right copy of a joined column from unqualified names and *.
// In a RIGHT or FULL join the unqualified name is a computed column instead (right.c, or
// COALESCE(left.c, right.c)), made by a Project over the join; both copies stay qualified.
//
// Shape of a SELECT plan, bottom up: FROM (scans and joins), Filter (WHERE), Aggregate (GROUP BY
// and aggregates; afterwards expressions may only use grouped expressions, matched by
// fingerprint, and aggregates: 42803 otherwise), Filter (HAVING), Project (the select list plus
// hidden ORDER BY expressions), Distinct, Sort, Limit, and a Project that drops the hidden
// columns. ORDER BY takes an ordinal, an output column name, or an expression.
//
// Types are checked from static types (42804): comparisons of incomparable types, arithmetic on
// non-numbers, non-boolean conditions, function arguments. A parameter's type is inferred from
// the other operand of a comparison or arithmetic, an IN list, or the column it is assigned to.
//
// The binder reads the catalog through the statement's transaction; CHECK constraints, stored as
// text, are parsed and bound against their table when a write needs them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sql/ast.h"
#include "sql/catalog/catalog.h"
#include "sql/plan/plan.h"

namespace orrery::sql {

struct Scope;
struct AggContext;

class Binder {
public:
    Binder(Catalog& catalog, uint32_t parameter_count);

    SqlResult<PlanPtr> BindSelect(const Query& query);
    SqlResult<PlanPtr> BindInsert(const Insert& insert);
    SqlResult<PlanPtr> BindUpdate(const Update& update);
    SqlResult<PlanPtr> BindDelete(const Delete& del);

    // Binds a constant expression (DEFAULT, LIMIT, AS OF SYSTEM TIME): no columns allowed.
    SqlResult<BExpr> BindConstant(const Expr& expr);
    // Binds an expression over the columns of `table` (CHECK constraints).
    SqlResult<BExpr> BindOverTable(const Expr& expr, const TableSchema& table);

    // The parameter types inferred so far (kNull: unknown), one per parameter.
    const std::vector<DataType>& parameter_types() const { return parameter_types_; }

    // Internal entry points shared by the binder's files (bind_*.cpp).
    SqlResult<BExpr> BindExpr(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindCondition(const Expr& expr, Scope& scope, std::string_view clause);
    SqlResult<PlanPtr> BindQuery(const Query& query, Scope* outer, bool* correlated);

private:
    SqlResult<BExpr> BindExprInner(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindColumn(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindFunction(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindAggregate(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindSubquery(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindBinary(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindCase(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindInList(const Expr& expr, Scope& scope);
    SqlResult<BExpr> BindChildren(const Expr& expr, Scope& scope, std::vector<BExpr>* out);
    SqlResult<BExpr> TryGroupKey(const Expr& expr, Scope& scope);
    void InferParameter(const BExpr& e, DataType type);

    SqlResult<PlanPtr> BindOperand(const Query::Operand& operand, Scope* outer, bool* correlated);
    SqlResult<PlanPtr> BindCore(const SelectCore& core, const Query* query, Scope* outer,
                                bool* correlated);
    SqlResult<PlanPtr> BindFrom(const SelectCore& core, Scope* outer, bool* correlated);
    SqlResult<PlanPtr> BindTableRef(const TableRef& ref, Scope* outer, bool* correlated);
    SqlResult<PlanPtr> BindJoin(const TableRef& ref, Scope* outer, bool* correlated);
    SqlResult<PlanPtr> BindValues(const SelectCore& core, Scope* outer, bool* correlated);
    SqlResult<PlanPtr> BindOrderLimit(const Query& query, PlanPtr plan, size_t visible,
                                      Scope* order_scope);
    SqlResult<PlanPtr> ScanOf(const std::string& name, const std::string& alias, Span span);
    SqlResult<std::vector<std::pair<std::string, BExpr>>> BindChecks(const TableSchema& table);
    // Writes (bind_dml.cpp): the target table (42P01 when missing), RETURNING items over `row`
    // (appended to node->returning and node->columns), and the IF clause of a conditional write.
    SqlResult<TablePtr> WriteTarget(const std::string& name);
    SqlResult<bool> BindReturning(const std::vector<SelectItem>& items, Scope& row,
                                  PlanNode* node);
    SqlResult<bool> BindWriteCondition(const WriteCondition& condition,
                                       const std::vector<SelectItem>& returning, Scope& row,
                                       const TableSchema& table, PlanNode* node);

    Catalog& catalog_;
    std::vector<DataType> parameter_types_;
};

// The scope of one SELECT block (binder.h's header comment).
struct Scope {
    std::vector<PlanColumn> columns;
    Scope* outer = nullptr;
    bool* correlated = nullptr;  // The flag of the subquery this block belongs to.
    AggContext* agg = nullptr;   // Set while binding post-aggregation expressions.
    bool allow_aggregates = false;
    std::string clause;          // "WHERE", "GROUP BY", ... for messages.
};

// Aggregation state while binding a grouped block.
struct AggContext {
    std::vector<BExpr> group_keys;          // Over the FROM row.
    std::vector<std::string> group_fingerprints;
    std::vector<PlanColumn> group_columns;
    std::vector<AggregateCall> calls;
    std::vector<std::string> call_fingerprints;
    Scope* from_scope = nullptr;            // The FROM columns (aggregate arguments bind here).
};

// The output column name of a select (or RETURNING) item: its alias, else the column or
// function name, else "?column?" (PostgreSQL's rule).
std::string SelectItemName(const SelectItem& item);

// True iff expr contains an aggregate call outside any subquery.
bool ContainsAggregate(const Expr& expr);

// SqlError at a span (position = offset + 1).
SqlError ErrorAt(ErrorKind kind, std::string message, Span span);

}  // namespace orrery::sql
