// Constant evaluation (const_eval.h).
#include "sql/plan/const_eval.h"

#include "sql/eval/functions.h"
#include "sql/eval/ops.h"

namespace orrery::sql {

SqlResult<Value> EvalConstantExpr(const BExpr& e) {
    switch (e->kind) {
        case BKind::kConstant: return e->constant;
        case BKind::kUnary: {
            auto a = EvalConstantExpr(e->args[0]);
            if (!a.ok()) return a;
            return EvalUnary(e->unary_op, a.value());
        }
        case BKind::kBinary: {
            auto a = EvalConstantExpr(e->args[0]);
            if (!a.ok()) return a;
            auto b = EvalConstantExpr(e->args[1]);
            if (!b.ok()) return b;
            if (e->binary_op == BinaryOp::kAnd) return EvalAnd(a.value(), b.value());
            if (e->binary_op == BinaryOp::kOr) return EvalOr(a.value(), b.value());
            return EvalBinary(e->binary_op, a.value(), b.value());
        }
        case BKind::kIsNull: {
            auto a = EvalConstantExpr(e->args[0]);
            if (!a.ok()) return a;
            return Value::Boolean(a.value().is_null() != e->negated);
        }
        case BKind::kCast: {
            auto a = EvalConstantExpr(e->args[0]);
            if (!a.ok()) return a;
            return CastValue(a.value(), e->cast_type);
        }
        case BKind::kFunction: {
            std::vector<Value> args;
            for (const BExpr& arg : e->args) {
                auto v = EvalConstantExpr(arg);
                if (!v.ok()) return v;
                args.push_back(std::move(v).value());
            }
            auto v = EvalScalarFunction(e->function, args);
            if (!v.ok()) return v;
            // As the executor: coalesce(1, 2.5) is typed FLOAT, so its value is the FLOAT 1.0.
            if (e->type == DataType::kFloat && v.value().type() == DataType::kInteger) {
                return Value::Float(static_cast<double>(v.value().integer()));
            }
            return v;
        }
        default:
            return MakeSqlError(ErrorKind::kFeatureNotSupported,
                                "only constant expressions are supported here (no columns, "
                                "parameters, subqueries or now())");
    }
}

}  // namespace orrery::sql
