// The expression evaluator (eval_expr.h).
#include "sql/exec/eval_expr.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "sql/eval/ops.h"
#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

SqlError Internal(std::string message) {
    return MakeSqlError(ErrorKind::kInternal, std::move(message));
}

}  // namespace

Value InResult(bool matched, bool saw_null, bool x_null, bool negated) {
    if (matched) return Value::Boolean(!negated);
    if (saw_null || x_null) return Value::Null();
    return Value::Boolean(negated);
}

SqlResult<bool> ExprEvaluator::EvalPredicate(const BExpr& e, const Row& row,
                                             const OuterRows* outer) {
    auto v = Eval(e, row, outer);
    if (!v.ok()) return v.error();
    return IsTrue(v.value());
}

SqlResult<Value> ExprEvaluator::Eval(const BExpr& expr, const Row& row, const OuterRows* outer) {
    ORRERY_ASSERT(expr != nullptr, "evaluating a null expression");
    const BoundExpr& e = *expr;
    auto arg = [&](size_t i) { return Eval(e.args[i], row, outer); };
    switch (e.kind) {
        case BKind::kConstant: return e.constant;
        case BKind::kColumn:
            if (e.column >= row.size()) {
                return Internal(fmt::format("column {} ({}) outside a row of {} values", e.column,
                                            e.name, row.size()));
            }
            return row[e.column];
        case BKind::kOuterColumn: {
            const OuterRows* o = outer;
            for (uint32_t d = 1; d < e.depth && o != nullptr; ++d) o = o->parent;
            if (e.depth == 0 || o == nullptr || o->row == nullptr || e.column >= o->row->size()) {
                return Internal(fmt::format("outer column {} at depth {} is not available",
                                            e.name, e.depth));
            }
            return (*o->row)[e.column];
        }
        case BKind::kParameter: {
            const auto& params = state_.ctx.params;
            if (e.parameter == 0 || e.parameter > params.size()) {
                return MakeSqlError(ErrorKind::kInvalidParameter,
                                    fmt::format("there is no parameter ${}", e.parameter));
            }
            return params[e.parameter - 1];
        }
        case BKind::kUnary: {
            auto a = arg(0);
            if (!a.ok()) return a;
            return EvalUnary(e.unary_op, a.value());
        }
        case BKind::kBinary: {
            if (e.binary_op == BinaryOp::kAnd || e.binary_op == BinaryOp::kOr) {
                return EvalLogic(e, row, outer);
            }
            auto a = arg(0);
            if (!a.ok()) return a;
            auto b = arg(1);
            if (!b.ok()) return b;
            return EvalBinary(e.binary_op, a.value(), b.value());
        }
        case BKind::kIsNull: {
            auto a = arg(0);
            if (!a.ok()) return a;
            return Value::Boolean(a.value().is_null() != e.negated);
        }
        case BKind::kIsBool: {
            auto a = arg(0);
            if (!a.ok()) return a;
            const Value& v = a.value();
            bool is = v.type() == DataType::kBoolean && v.boolean() == e.bool_value;
            return Value::Boolean(is != e.negated);
        }
        case BKind::kInList: return EvalInList(e, row, outer);
        case BKind::kLike: {
            auto a = arg(0);
            if (!a.ok()) return a;
            auto p = arg(1);
            if (!p.ok()) return p;
            auto esc = arg(2);
            if (!esc.ok()) return esc;
            auto m = EvalLike(a.value(), p.value(), esc.value());
            if (!m.ok() || !e.negated || m.value().is_null()) return m;
            return Value::Boolean(!m.value().boolean());
        }
        case BKind::kCase: return EvalCase(e, row, outer);
        case BKind::kCast: {
            auto a = arg(0);
            if (!a.ok()) return a;
            return CastValue(a.value(), e.cast_type);
        }
        case BKind::kFunction: return EvalFunction(e, row, outer);
        case BKind::kNow: return Now(e.name);
        case BKind::kSubquery: return EvalSubquery(e, row, outer);
    }
    return Internal("unknown expression kind");
}

// AND / OR: the left side decides alone when it can (FALSE AND x, TRUE OR x).
SqlResult<Value> ExprEvaluator::EvalLogic(const BoundExpr& e, const Row& row,
                                          const OuterRows* outer) {
    bool is_and = e.binary_op == BinaryOp::kAnd;
    auto a = Eval(e.args[0], row, outer);
    if (!a.ok()) return a;
    const Value& l = a.value();
    if (l.type() == DataType::kBoolean && l.boolean() != is_and) return l;
    auto b = Eval(e.args[1], row, outer);
    if (!b.ok()) return b;
    return is_and ? EvalAnd(l, b.value()) : EvalOr(l, b.value());
}

SqlResult<Value> ExprEvaluator::EvalInList(const BoundExpr& e, const Row& row,
                                           const OuterRows* outer) {
    auto x = Eval(e.args[0], row, outer);
    if (!x.ok()) return x;
    if (x.value().is_null()) return Value::Null();
    bool saw_null = false;
    for (size_t i = 1; i < e.args.size(); ++i) {
        auto c = Eval(e.args[i], row, outer);
        if (!c.ok()) return c;
        auto cmp = CompareSql(x.value(), c.value());
        if (!cmp.ok()) return cmp.error();
        if (!cmp.value()) {
            saw_null = true;
        } else if (*cmp.value() == 0) {
            return InResult(true, saw_null, false, e.negated);
        }
    }
    return InResult(false, saw_null, false, e.negated);
}

// args = [operand?] when1 then1 ... [else?] (expr.h, as ast.h).
SqlResult<Value> ExprEvaluator::EvalCase(const BoundExpr& e, const Row& row,
                                         const OuterRows* outer) {
    size_t i = 0;
    Value operand;
    if (e.has_operand) {
        auto o = Eval(e.args[i++], row, outer);
        if (!o.ok()) return o;
        operand = o.value();
    }
    size_t pairs_end = e.args.size() - (e.has_else ? 1 : 0);
    for (; i + 1 < pairs_end; i += 2) {
        auto w = Eval(e.args[i], row, outer);
        if (!w.ok()) return w;
        bool hit = false;
        if (e.has_operand) {
            auto cmp = CompareSql(operand, w.value());
            if (!cmp.ok()) return cmp.error();
            hit = cmp.value() && *cmp.value() == 0;
        } else {
            hit = IsTrue(w.value());
        }
        if (!hit) continue;
        auto t = Eval(e.args[i + 1], row, outer);
        if (!t.ok()) return t;
        return CoerceToType(t.value(), e.type);
    }
    if (!e.has_else) return Value::Null();
    auto el = Eval(e.args.back(), row, outer);
    if (!el.ok()) return el;
    return CoerceToType(el.value(), e.type);
}

SqlResult<Value> ExprEvaluator::EvalFunction(const BoundExpr& e, const Row& row,
                                             const OuterRows* outer) {
    bool lazy = e.function == ScalarFunction::kCoalesce || e.function == ScalarFunction::kIfnull;
    std::vector<Value> args;
    args.reserve(e.args.size());
    for (const BExpr& a : e.args) {
        auto v = Eval(a, row, outer);
        if (!v.ok()) return v;
        args.push_back(v.value());
        if (lazy && !args.back().is_null()) return CoerceToType(args.back(), e.type);
    }
    if (e.function == ScalarFunction::kNow) return Now("now");
    // A function typed FLOAT over mixed numbers (nullif(1, 2.5)) returns a FLOAT value.
    auto v = EvalScalarFunction(e.function, args);
    if (!v.ok()) return v;
    return CoerceToType(v.value(), e.type);
}

SqlResult<Value> ExprEvaluator::Now(const std::string& which) {
    const ExecContext& ctx = state_.ctx;
    std::optional<int64_t> now = ctx.now_us;
    if (which == "statement_timestamp") now = ctx.statement_us;
    // clock_timestamp() is the clock as it is now: it moves within a statement (PostgreSQL's).
    if (which == "clock_timestamp" && ctx.options.wall_clock_us) now = ctx.options.wall_clock_us();
    if (!now) {
        return MakeSqlError(ErrorKind::kFeatureNotSupported,
                            which == "now"
                                ? std::string("now() and current_timestamp need a clock, and "
                                              "this session has none")
                                : fmt::format("{}() needs a clock, and this session has none",
                                              which));
    }
    return Value::Timestamp(*now);
}

// Runs a subquery once. With `probe` (an IN over a correlated subquery) it stops at the first
// value equal to the probe; otherwise it collects what `out` holds for the kind.
SqlResult<bool> ExprEvaluator::Fill(const BoundExpr& e, const OuterRows* outer,
                                    const Value* probe, Cached* out) {
    uint64_t rows = 0;
    auto on_row = [&](const Row& r) -> SqlResult<bool> {
        ++rows;
        switch (e.subquery_kind) {
            case SubqueryKind::kExists: out->any_row = true; return false;
            case SubqueryKind::kScalar:
                if (rows > 1) {
                    return MakeSqlError(ErrorKind::kCardinality,
                                        "more than one row returned by a subquery used as an "
                                        "expression");
                }
                out->scalar = r.empty() ? Value() : r[0];
                return true;
            case SubqueryKind::kIn: {
                const Value& v = r[0];
                if (v.is_null()) {
                    out->has_null = true;
                    return true;
                }
                if (probe != nullptr) {
                    auto cmp = CompareSql(*probe, v);
                    if (!cmp.ok()) return cmp.error();
                    if (cmp.value() && *cmp.value() == 0) {
                        out->values.insert(v);
                        return false;
                    }
                    return true;
                }
                if (out->values.insert(v).second) {
                    auto charged = state_.Charge(v.MemoryBytes() + 32, "IN (subquery) set");
                    if (!charged.ok()) return charged.error();
                }
                return true;
            }
        }
        return true;
    };
    return RunToCompletion(e.subquery, state_, outer, on_row);
}

SqlResult<Value> ExprEvaluator::EvalSubquery(const BoundExpr& e, const Row& row,
                                             const OuterRows* outer) {
    ORRERY_ASSERT(e.subquery != nullptr, "a subquery expression without a plan");
    Value x;
    if (e.subquery_kind == SubqueryKind::kIn) {
        auto l = Eval(e.args[0], row, outer);
        if (!l.ok()) return l;
        x = l.value();
    }
    OuterRows inner{&row, outer};
    Cached local;
    const Cached* result = &local;
    if (e.correlated) {
        // Re-run for this row; an IN stops at the first match.
        auto ran = Fill(e, &inner, x.is_null() ? nullptr : &x, &local);
        if (!ran.ok()) return ran.error();
    } else {
        auto it = cache_.find(&e);
        if (it == cache_.end()) {
            Cached fresh;
            // Uncorrelated: it reads no outer row, so the stack it runs with does not matter.
            auto ran = Fill(e, &inner, nullptr, &fresh);
            if (!ran.ok()) return ran.error();
            it = cache_.emplace(&e, std::move(fresh)).first;
        }
        result = &it->second;
    }
    switch (e.subquery_kind) {
        case SubqueryKind::kScalar: return result->scalar;
        case SubqueryKind::kExists: return Value::Boolean(result->any_row != e.negated);
        case SubqueryKind::kIn: {
            bool empty = result->values.empty() && !result->has_null;
            if (e.correlated) {
                // local.values holds the match, if one was found; has_null any NULL seen.
                bool matched = !result->values.empty();
                if (!matched && !result->has_null && !x.is_null()) {
                    return Value::Boolean(e.negated);
                }
                if (x.is_null()) {
                    // NULL IN (empty set) is FALSE; over a non-empty one it is NULL.
                    bool any = result->has_null || !result->values.empty();
                    return any ? Value() : Value::Boolean(e.negated);
                }
                return InResult(matched, result->has_null, false, e.negated);
            }
            if (empty) return Value::Boolean(e.negated);
            if (x.is_null()) return Value::Null();
            bool matched = result->values.count(x) > 0;
            if (!matched && !result->values.empty()) {
                // Check comparability once, so a type error is not silently FALSE.
                auto cmp = CompareSql(x, *result->values.begin());
                if (!cmp.ok()) return cmp.error();
            }
            return InResult(matched, result->has_null, false, e.negated);
        }
    }
    return Internal("unknown subquery kind");
}

}  // namespace orrery::sql::exec
