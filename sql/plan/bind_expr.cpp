// Binding expressions: names to positions, functions to their implementations, types checked
// (binder.h). The walk recurses; depth is bounded by the parser's nesting limit.
#include <fmt/format.h>

#include "core/assert.h"
#include "sql/eval/ops.h"
#include "sql/plan/binder.h"

namespace orrery::sql {

SqlError ErrorAt(ErrorKind kind, std::string message, Span span) {
    return MakeSqlError(kind, std::move(message), span.offset + 1);
}

bool ContainsAggregate(const Expr& expr) {
    if (expr.kind == ExprKind::kFunction &&
        (expr.star || LookupAggregate(expr.name).has_value())) {
        return true;
    }
    for (const ExprPtr& a : expr.args) {
        if (a && ContainsAggregate(*a)) return true;
    }
    return false;  // Subqueries are their own blocks: not descended into.
}

namespace {

#define BIND_OR_RETURN(lhs, expr)               \
    auto lhs##_result = (expr);                 \
    if (!lhs##_result.ok()) return lhs##_result.error(); \
    BExpr lhs = std::move(lhs##_result).value()

bool IsNumeric(DataType t) { return t == DataType::kInteger || t == DataType::kFloat; }

SqlError TypeMismatch(std::string message, Span span) {
    return ErrorAt(ErrorKind::kDatatypeMismatch, std::move(message), span);
}

// The common type of CASE branches / IN items: NULL adopts the other; numbers widen to FLOAT.
std::optional<DataType> CommonType(DataType a, DataType b) {
    if (a == DataType::kNull) return b;
    if (b == DataType::kNull || a == b) return a;
    if (IsNumeric(a) && IsNumeric(b)) return DataType::kFloat;
    return std::nullopt;
}

BExpr MakeNode(BKind kind, DataType type, std::vector<BExpr> args) {
    auto e = std::make_shared<BoundExpr>();
    e->kind = kind;
    e->type = type;
    e->args = std::move(args);
    return e;
}

// A string constant compared with a TIMESTAMP is read as a timestamp (PostgreSQL types an
// untyped literal from its context the same way).
SqlResult<BExpr> CoerceLiteral(const BExpr& e, DataType want, Span span) {
    if (e->kind != BKind::kConstant || e->type != DataType::kString ||
        want != DataType::kTimestamp) {
        return e;
    }
    auto v = CastValue(e->constant, TypeSpec{DataType::kTimestamp, std::nullopt});
    if (!v.ok()) return ErrorAt(v.error().kind, v.error().message, span);
    return MakeConstant(std::move(v).value());
}

}  // namespace

void Binder::InferParameter(const BExpr& e, DataType type) {
    if (e->kind != BKind::kParameter || type == DataType::kNull) return;
    DataType& slot = parameter_types_[e->parameter - 1];
    if (slot == DataType::kNull) slot = type;
}

SqlResult<BExpr> Binder::BindExpr(const Expr& expr, Scope& scope) {
    if (scope.agg != nullptr && expr.kind != ExprKind::kLiteral &&
        expr.kind != ExprKind::kParameter && !ContainsAggregate(expr)) {
        auto key = TryGroupKey(expr, scope);
        if (!key.ok()) return key.error();
        if (key.value()) return key;
    }
    return BindExprInner(expr, scope);
}

// In a grouped block, an expression equal to a GROUP BY key reads that key's column.
SqlResult<BExpr> Binder::TryGroupKey(const Expr& expr, Scope& scope) {
    AggContext& agg = *scope.agg;
    if (agg.group_keys.empty()) return BExpr();
    Scope& pure = *agg.from_scope;
    auto bound = BindExprInner(expr, pure);
    if (!bound.ok()) return BExpr();  // Not a key; binding it in grouped form reports why.
    std::string fp = ExprFingerprint(bound.value());
    for (size_t i = 0; i < agg.group_fingerprints.size(); ++i) {
        if (agg.group_fingerprints[i] == fp) {
            return MakeColumn(static_cast<uint32_t>(i), agg.group_keys[i]->type,
                              ExprString(agg.group_keys[i]));
        }
    }
    return BExpr();
}

SqlResult<BExpr> Binder::BindCondition(const Expr& expr, Scope& scope, std::string_view clause) {
    auto e = BindExpr(expr, scope);
    if (!e.ok()) return e;
    InferParameter(e.value(), DataType::kBoolean);
    DataType t = e.value()->type;
    if (t != DataType::kBoolean && t != DataType::kNull) {
        return TypeMismatch(fmt::format("argument of {} must be type BOOLEAN, not type {}", clause,
                                        DataTypeName(t)),
                            expr.span);
    }
    return e;
}

SqlResult<BExpr> Binder::BindExprInner(const Expr& expr, Scope& scope) {
    switch (expr.kind) {
        case ExprKind::kLiteral: {
            const Literal& l = expr.literal;
            switch (l.kind) {
                case Literal::Kind::kNull: return MakeConstant(Value::Null());
                case Literal::Kind::kBoolean: return MakeConstant(Value::Boolean(l.boolean));
                case Literal::Kind::kInteger: return MakeConstant(Value::Integer(l.integer));
                case Literal::Kind::kFloat: return MakeConstant(Value::Float(l.floating));
                case Literal::Kind::kString: return MakeConstant(Value::String(l.text));
                case Literal::Kind::kBlob: return MakeConstant(Value::Blob(l.text));
            }
            return MakeConstant(Value::Null());
        }
        case ExprKind::kColumn: return BindColumn(expr, scope);
        case ExprKind::kStar:
            return ErrorAt(ErrorKind::kSyntax, "* is allowed only in a select list or COUNT(*)",
                           expr.span);
        case ExprKind::kDefault:
            // INSERT's VALUES and UPDATE's SET replace it before binding (bind_dml.cpp).
            return ErrorAt(ErrorKind::kSyntax, "DEFAULT is not allowed in this context",
                           expr.span);
        case ExprKind::kParameter: {
            if (expr.parameter_index == 0 || expr.parameter_index > parameter_types_.size()) {
                return ErrorAt(ErrorKind::kInvalidParameter,
                               fmt::format("there is no parameter ${}", expr.parameter_index),
                               expr.span);
            }
            auto e = std::make_shared<BoundExpr>();
            e->kind = BKind::kParameter;
            e->parameter = expr.parameter_index;
            e->type = parameter_types_[expr.parameter_index - 1];
            return BExpr(e);
        }
        case ExprKind::kUnary: {
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            if (expr.unary_op == UnaryOp::kNot) {
                InferParameter(a, DataType::kBoolean);
                if (a->type != DataType::kBoolean && a->type != DataType::kNull) {
                    return TypeMismatch(fmt::format("argument of NOT must be type BOOLEAN, not "
                                                    "type {}", DataTypeName(a->type)),
                                        expr.span);
                }
                return MakeNot(a);
            }
            if (!IsNumeric(a->type) && a->type != DataType::kNull) {
                return TypeMismatch(fmt::format("operator does not exist: -{}",
                                                DataTypeName(a->type)),
                                    expr.span);
            }
            auto e = std::make_shared<BoundExpr>();
            e->kind = BKind::kUnary;
            e->unary_op = expr.unary_op;
            e->type = a->type == DataType::kNull ? DataType::kInteger : a->type;
            e->args = {a};
            return BExpr(e);
        }
        case ExprKind::kBinary: return BindBinary(expr, scope);
        case ExprKind::kIsNull: {
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kIsNull, DataType::kBoolean, {a}));
            e->negated = expr.negated;
            return BExpr(e);
        }
        case ExprKind::kIsBool: {
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            InferParameter(a, DataType::kBoolean);
            if (a->type != DataType::kBoolean && a->type != DataType::kNull) {
                return TypeMismatch(fmt::format("argument of IS {} must be type BOOLEAN, not "
                                                "type {}", expr.bool_value ? "TRUE" : "FALSE",
                                                DataTypeName(a->type)),
                                    expr.span);
            }
            auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kIsBool, DataType::kBoolean, {a}));
            e->negated = expr.negated;
            e->bool_value = expr.bool_value;
            return BExpr(e);
        }
        case ExprKind::kBetween: {
            // a BETWEEN lo AND hi  ==  a >= lo AND a <= hi (a is shared, evaluated twice).
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            BIND_OR_RETURN(lo, BindExpr(*expr.args[1], scope));
            BIND_OR_RETURN(hi, BindExpr(*expr.args[2], scope));
            for (BExpr* side : {&lo, &hi}) {
                InferParameter(*side, a->type);
                InferParameter(a, (*side)->type);
                auto c = CoerceLiteral(*side, a->type, expr.span);
                if (!c.ok()) return c.error();
                *side = c.value();
                if (!Comparable(a->type, (*side)->type)) {
                    return TypeMismatch(fmt::format("operator does not exist: {} BETWEEN {}",
                                                    DataTypeName(a->type),
                                                    DataTypeName((*side)->type)),
                                        expr.span);
                }
            }
            BExpr both = MakeAnd(MakeBinary(BinaryOp::kGreaterEq, a, lo, DataType::kBoolean),
                                 MakeBinary(BinaryOp::kLessEq, a, hi, DataType::kBoolean));
            return expr.negated ? MakeNot(both) : both;
        }
        case ExprKind::kInList: return BindInList(expr, scope);
        case ExprKind::kLike: {
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            BIND_OR_RETURN(p, BindExpr(*expr.args[1], scope));
            BExpr esc = MakeConstant(Value::String("\\"));
            if (expr.args.size() > 2) {
                auto bound = BindExpr(*expr.args[2], scope);
                if (!bound.ok()) return bound;
                esc = bound.value();
            }
            for (const BExpr& x : {a, p, esc}) {
                InferParameter(x, DataType::kString);
                if (x->type != DataType::kString && x->type != DataType::kNull) {
                    return TypeMismatch(fmt::format("operator does not exist: {} LIKE {}",
                                                    DataTypeName(a->type), DataTypeName(p->type)),
                                        expr.span);
                }
            }
            auto e = std::make_shared<BoundExpr>(
                *MakeNode(BKind::kLike, DataType::kBoolean, {a, p, esc}));
            e->negated = expr.negated;
            return BExpr(e);
        }
        case ExprKind::kCase: return BindCase(expr, scope);
        case ExprKind::kCast: {
            BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
            if (!CastDefined(a->type, expr.cast_type.type)) {
                return TypeMismatch(fmt::format("cannot cast type {} to {}",
                                                DataTypeName(a->type),
                                                DataTypeName(expr.cast_type.type)),
                                    expr.span);
            }
            auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kCast, expr.cast_type.type, {a}));
            e->cast_type = expr.cast_type;
            return BExpr(e);
        }
        case ExprKind::kFunction: return BindFunction(expr, scope);
        case ExprKind::kScalarSubquery:
        case ExprKind::kExists:
        case ExprKind::kInSubquery: return BindSubquery(expr, scope);
    }
    return ErrorAt(ErrorKind::kInternal, "unknown expression kind", expr.span);
}

SqlResult<BExpr> Binder::BindColumn(const Expr& expr, Scope& scope) {
    Scope* s = &scope;
    if (scope.agg != nullptr) s = scope.agg->from_scope;
    uint32_t depth = 0;
    bool table_seen = false;
    for (; s != nullptr; s = s->outer, ++depth) {
        int found = -1;
        for (size_t i = 0; i < s->columns.size(); ++i) {
            const PlanColumn& c = s->columns[i];
            if (!expr.table.empty()) {
                if (c.table != expr.table) continue;
                table_seen = true;
            } else if (c.merged) {
                continue;
            }
            if (c.name != expr.name) continue;
            if (found >= 0) {
                return ErrorAt(ErrorKind::kAmbiguousColumn,
                               fmt::format("column reference \"{}\" is ambiguous", expr.name),
                               expr.span);
            }
            found = static_cast<int>(i);
        }
        if (found < 0) continue;
        const PlanColumn& c = s->columns[static_cast<size_t>(found)];
        std::string display = c.table.empty() ? c.name : c.table + "." + c.name;
        if (depth == 0 && scope.agg != nullptr) {
            return ErrorAt(ErrorKind::kGrouping,
                           fmt::format("column \"{}\" must appear in the GROUP BY clause or be "
                                       "used in an aggregate function", display),
                           expr.span);
        }
        if (depth == 0) return MakeColumn(static_cast<uint32_t>(found), c.type, display);
        // An outer reference: every block between here and there is correlated.
        Scope* walk = scope.agg != nullptr ? scope.agg->from_scope : &scope;
        for (uint32_t d = 0; d < depth; ++d, walk = walk->outer) {
            if (walk->correlated != nullptr) *walk->correlated = true;
        }
        auto e = std::make_shared<BoundExpr>();
        e->kind = BKind::kOuterColumn;
        e->depth = depth;
        e->column = static_cast<uint32_t>(found);
        e->type = c.type;
        e->name = display;
        return BExpr(e);
    }
    if (!expr.table.empty() && !table_seen) {
        return ErrorAt(ErrorKind::kUndefinedTable,
                       fmt::format("missing FROM-clause entry for table \"{}\"", expr.table),
                       expr.span);
    }
    std::string full = expr.table.empty() ? expr.name : expr.table + "." + expr.name;
    return ErrorAt(ErrorKind::kUndefinedColumn, fmt::format("column \"{}\" does not exist", full),
                   expr.span);
}

SqlResult<BExpr> Binder::BindBinary(const Expr& expr, Scope& scope) {
    BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
    BIND_OR_RETURN(b, BindExpr(*expr.args[1], scope));
    BinaryOp op = expr.binary_op;
    InferParameter(a, b->type);
    InferParameter(b, a->type);
    auto mismatch = [&] {
        return TypeMismatch(fmt::format("operator does not exist: {} {} {}",
                                        DataTypeName(a->type), BinaryOpSymbol(op),
                                        DataTypeName(b->type)),
                            expr.span);
    };
    switch (op) {
        case BinaryOp::kAnd:
        case BinaryOp::kOr:
            for (const BExpr& x : {a, b}) {
                InferParameter(x, DataType::kBoolean);
                if (x->type != DataType::kBoolean && x->type != DataType::kNull) {
                    return TypeMismatch(fmt::format("argument of {} must be type BOOLEAN, not "
                                                    "type {}", BinaryOpSymbol(op),
                                                    DataTypeName(x->type)),
                                        expr.span);
                }
            }
            return MakeBinary(op, a, b, DataType::kBoolean);
        case BinaryOp::kAdd:
        case BinaryOp::kSubtract:
        case BinaryOp::kMultiply:
        case BinaryOp::kDivide:
        case BinaryOp::kModulo: {
            bool ok = (IsNumeric(a->type) || a->type == DataType::kNull) &&
                      (IsNumeric(b->type) || b->type == DataType::kNull);
            if (!ok) return mismatch();
            DataType t = (a->type == DataType::kFloat || b->type == DataType::kFloat)
                             ? DataType::kFloat
                             : DataType::kInteger;
            return MakeBinary(op, a, b, t);
        }
        case BinaryOp::kConcat: {
            if (a->type == DataType::kBlob && b->type == DataType::kBlob) {
                return MakeBinary(op, a, b, DataType::kBlob);
            }
            bool ok = a->type == DataType::kString || b->type == DataType::kString ||
                      (a->type == DataType::kNull && b->type == DataType::kNull);
            if (!ok) return mismatch();
            return MakeBinary(op, a, b, DataType::kString);
        }
        default: break;
    }
    // Comparisons and IS [NOT] DISTINCT FROM.
    auto ca = CoerceLiteral(a, b->type, expr.span);
    if (!ca.ok()) return ca.error();
    auto cb = CoerceLiteral(b, a->type, expr.span);
    if (!cb.ok()) return cb.error();
    a = ca.value();
    b = cb.value();
    if (!Comparable(a->type, b->type)) return mismatch();
    return MakeBinary(op, a, b, DataType::kBoolean);
}

SqlResult<BExpr> Binder::BindInList(const Expr& expr, Scope& scope) {
    std::vector<BExpr> args;
    BIND_OR_RETURN(a, BindExpr(*expr.args[0], scope));
    args.push_back(a);
    for (size_t i = 1; i < expr.args.size(); ++i) {
        BIND_OR_RETURN(item, BindExpr(*expr.args[i], scope));
        InferParameter(item, a->type);
        InferParameter(a, item->type);
        auto c = CoerceLiteral(item, a->type, expr.args[i]->span);
        if (!c.ok()) return c.error();
        item = c.value();
        if (!Comparable(a->type, item->type)) {
            return TypeMismatch(fmt::format("operator does not exist: {} IN ({})",
                                            DataTypeName(a->type), DataTypeName(item->type)),
                                expr.args[i]->span);
        }
        args.push_back(item);
    }
    auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kInList, DataType::kBoolean, args));
    e->negated = expr.negated;
    return BExpr(e);
}

SqlResult<BExpr> Binder::BindCase(const Expr& expr, Scope& scope) {
    std::vector<BExpr> args;
    for (const ExprPtr& a : expr.args) {
        BIND_OR_RETURN(b, BindExpr(*a, scope));
        args.push_back(b);
    }
    size_t i = 0;
    DataType operand = DataType::kNull;
    if (expr.has_operand) operand = args[i++]->type;
    size_t pairs_end = args.size() - (expr.has_else ? 1 : 0);
    DataType result = DataType::kNull;
    auto merge = [&](const BExpr& branch, Span span) -> std::optional<SqlError> {
        auto t = CommonType(result, branch->type);
        if (!t) {
            return TypeMismatch(fmt::format("CASE types {} and {} cannot be matched",
                                            DataTypeName(result), DataTypeName(branch->type)),
                                span);
        }
        result = *t;
        return std::nullopt;
    };
    for (; i + 1 < pairs_end + 1 && i < pairs_end; i += 2) {
        const BExpr& when = args[i];
        if (expr.has_operand) {
            InferParameter(when, operand);
            if (!Comparable(operand, when->type)) {
                return TypeMismatch(fmt::format("operator does not exist: {} = {}",
                                                DataTypeName(operand), DataTypeName(when->type)),
                                    expr.args[i]->span);
            }
        } else if (when->type != DataType::kBoolean && when->type != DataType::kNull) {
            return TypeMismatch(fmt::format("argument of CASE/WHEN must be type BOOLEAN, not "
                                            "type {}", DataTypeName(when->type)),
                                expr.args[i]->span);
        }
        if (auto err = merge(args[i + 1], expr.args[i + 1]->span)) return *err;
    }
    if (expr.has_else) {
        if (auto err = merge(args.back(), expr.args.back()->span)) return *err;
    }
    auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kCase, result, args));
    e->has_operand = expr.has_operand;
    e->has_else = expr.has_else;
    return BExpr(e);
}

SqlResult<BExpr> Binder::BindFunction(const Expr& expr, Scope& scope) {
    if (expr.star || LookupAggregate(expr.name)) return BindAggregate(expr, scope);
    if (expr.name == "now" || expr.name == "current_timestamp" ||
        expr.name == "transaction_timestamp" || expr.name == "statement_timestamp" ||
        expr.name == "clock_timestamp") {
        if (!expr.args.empty()) {
            return ErrorAt(ErrorKind::kUndefinedFunction,
                           fmt::format("function {} takes no arguments", expr.name), expr.span);
        }
        // One node kind for the three clocks; its name says which (eval_expr.cpp).
        auto node = std::make_shared<BoundExpr>();
        node->kind = BKind::kNow;
        node->type = DataType::kTimestamp;
        bool statement = expr.name == "statement_timestamp" || expr.name == "clock_timestamp";
        node->name = statement ? expr.name : "now";
        return BExpr(node);
    }
    auto sig = LookupScalarFunction(expr.name);
    if (!sig) {
        return ErrorAt(ErrorKind::kUndefinedFunction,
                       fmt::format("function {} does not exist", expr.name), expr.span);
    }
    if (expr.distinct) {
        return ErrorAt(ErrorKind::kSyntax,
                       fmt::format("DISTINCT specified, but {} is not an aggregate function",
                                   expr.name),
                       expr.span);
    }
    if (expr.args.size() < sig->min_args || expr.args.size() > sig->max_args) {
        return ErrorAt(ErrorKind::kUndefinedFunction,
                       fmt::format("function {} takes {} to {} arguments, not {}", expr.name,
                                   sig->min_args, sig->max_args, expr.args.size()),
                       expr.span);
    }
    std::vector<BExpr> args;
    std::vector<DataType> types;
    for (const ExprPtr& a : expr.args) {
        BIND_OR_RETURN(b, BindExpr(*a, scope));
        args.push_back(b);
        types.push_back(b->type);
    }
    auto type = ScalarResultType(*sig, types);
    if (!type.ok()) return ErrorAt(type.error().kind, type.error().message, expr.span);
    auto e = std::make_shared<BoundExpr>(*MakeNode(BKind::kFunction, type.value(), args));
    e->function = sig->function;
    e->name = std::string(sig->name);
    return BExpr(e);
}

SqlResult<BExpr> Binder::BindAggregate(const Expr& expr, Scope& scope) {
    if (expr.star && expr.name != "count") {  // Only count(*) counts rows.
        return ErrorAt(ErrorKind::kUndefinedFunction,
                       fmt::format("function {}(*) does not exist", expr.name), expr.span);
    }
    if (scope.agg == nullptr) {
        std::string where = scope.clause.empty() ? "here" : "in " + scope.clause;
        return ErrorAt(ErrorKind::kGrouping,
                       fmt::format("aggregate functions are not allowed {}", where), expr.span);
    }
    AggContext& agg = *scope.agg;
    AggregateCall call;
    call.distinct = expr.distinct;
    if (expr.star) {
        call.kind = AggregateKind::kCountStar;
        call.display = "count(*)";
    } else {
        call.kind = *LookupAggregate(expr.name);
        if (expr.args.size() != 1) {
            return ErrorAt(ErrorKind::kUndefinedFunction,
                           fmt::format("function {} takes exactly one argument", expr.name),
                           expr.span);
        }
        Scope& from = *agg.from_scope;
        std::string saved = from.clause;
        from.clause = "arguments of aggregate functions";  // Nested aggregates are refused.
        auto arg = BindExpr(*expr.args[0], from);
        from.clause = saved;
        if (!arg.ok()) return arg.error();
        call.arg = arg.value();
        call.display = fmt::format("{}({}{})", expr.name, expr.distinct ? "DISTINCT " : "",
                                   ExprString(call.arg));
    }
    auto type = AggregateResultType(call.kind, call.arg ? call.arg->type : DataType::kNull);
    if (!type.ok()) return ErrorAt(type.error().kind, type.error().message, expr.span);
    call.type = type.value();
    std::string fp = call.display + "|" + (call.arg ? ExprFingerprint(call.arg) : "");
    size_t index = agg.calls.size();
    for (size_t i = 0; i < agg.call_fingerprints.size(); ++i) {
        if (agg.call_fingerprints[i] == fp) index = i;
    }
    if (index == agg.calls.size()) {
        agg.calls.push_back(call);
        agg.call_fingerprints.push_back(fp);
    }
    return MakeColumn(static_cast<uint32_t>(agg.group_keys.size() + index), type.value(),
                      call.display);
}

SqlResult<BExpr> Binder::BindSubquery(const Expr& expr, Scope& scope) {
    // In a grouped block the subquery's outer row is the aggregate's output: it may see the
    // grouped columns only.
    Scope grouped;
    Scope* outer = &scope;
    if (scope.agg != nullptr) {
        grouped.columns = scope.agg->group_columns;
        for (const AggregateCall& c : scope.agg->calls) {
            grouped.columns.push_back({c.display, "", c.type, true, false});
        }
        grouped.outer = scope.agg->from_scope->outer;
        grouped.correlated = scope.agg->from_scope->correlated;
        outer = &grouped;
    }
    auto e = std::make_shared<BoundExpr>();
    e->kind = BKind::kSubquery;
    e->negated = expr.negated;
    bool correlated = false;
    auto plan = BindQuery(*expr.subquery, outer, &correlated);
    if (!plan.ok()) return plan.error();
    e->subquery = plan.value();
    e->correlated = correlated;
    const auto& cols = e->subquery->columns;
    if (expr.kind != ExprKind::kExists && cols.size() != 1) {
        return ErrorAt(ErrorKind::kSyntax, "subquery must return only one column", expr.span);
    }
    if (expr.kind == ExprKind::kExists) {
        e->subquery_kind = SubqueryKind::kExists;
        e->type = DataType::kBoolean;
    } else if (expr.kind == ExprKind::kScalarSubquery) {
        e->subquery_kind = SubqueryKind::kScalar;
        e->type = cols[0].type;
    } else {
        BIND_OR_RETURN(left, BindExpr(*expr.args[0], scope));
        InferParameter(left, cols[0].type);
        if (!Comparable(left->type, cols[0].type)) {
            return TypeMismatch(fmt::format("operator does not exist: {} IN {}",
                                            DataTypeName(left->type),
                                            DataTypeName(cols[0].type)),
                                expr.span);
        }
        e->subquery_kind = SubqueryKind::kIn;
        e->type = DataType::kBoolean;
        e->args = {left};
    }
    return BExpr(e);
}

}  // namespace orrery::sql
