// Arithmetic, comparison, logic and concatenation of Values (ops.h). Casts and LIKE live in
// cast.cpp and like.cpp.
#include "sql/eval/ops.h"

#include <fmt/format.h>

#include <cmath>

#include "core/assert.h"

namespace orrery::sql {
namespace {

SqlError TypeError(std::string_view op, const Value& a, const Value& b) {
    return MakeSqlError(ErrorKind::kDatatypeMismatch,
                        fmt::format("operator does not exist: {} {} {}", DataTypeName(a.type()),
                                    op, DataTypeName(b.type())));
}

}  // namespace

std::string_view BinaryOpSymbol(BinaryOp op) {
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
    return "?";
}

namespace {

std::string_view OpText(BinaryOp op) { return BinaryOpSymbol(op); }

bool IsNumber(DataType t) { return t == DataType::kInteger || t == DataType::kFloat; }

double AsDouble(const Value& v) {
    return v.type() == DataType::kInteger ? static_cast<double>(v.integer()) : v.floating();
}

SqlError Overflow() { return MakeSqlError(ErrorKind::kNumericOutOfRange, "integer out of range"); }

SqlError DivisionByZero() { return MakeSqlError(ErrorKind::kDivisionByZero, "division by zero"); }

// INTEGER op INTEGER, checked.
ValueResult IntegerArithmetic(BinaryOp op, int64_t a, int64_t b) {
    int64_t out = 0;
    switch (op) {
        case BinaryOp::kAdd:
            if (__builtin_add_overflow(a, b, &out)) return Overflow();
            return Value::Integer(out);
        case BinaryOp::kSubtract:
            if (__builtin_sub_overflow(a, b, &out)) return Overflow();
            return Value::Integer(out);
        case BinaryOp::kMultiply:
            if (__builtin_mul_overflow(a, b, &out)) return Overflow();
            return Value::Integer(out);
        case BinaryOp::kDivide:
            if (b == 0) return DivisionByZero();
            if (a == INT64_MIN && b == -1) return Overflow();
            return Value::Integer(a / b);  // C++ truncates toward zero, as SQL does.
        case BinaryOp::kModulo:
            if (b == 0) return DivisionByZero();
            if (b == -1) return Value::Integer(0);  // INT64_MIN % -1 is undefined in C++.
            return Value::Integer(a % b);
        default: break;
    }
    ORRERY_ASSERT(false, "not an arithmetic operator");
    return Value();
}

// Either operand FLOAT: IEEE arithmetic, but an infinite result from finite operands is an
// overflow (22003) and a zero divisor an error, as in PostgreSQL.
ValueResult FloatArithmetic(BinaryOp op, double a, double b) {
    double out = 0;
    switch (op) {
        case BinaryOp::kAdd: out = a + b; break;
        case BinaryOp::kSubtract: out = a - b; break;
        case BinaryOp::kMultiply: out = a * b; break;
        case BinaryOp::kDivide:
            if (b == 0) return DivisionByZero();
            out = a / b;
            break;
        case BinaryOp::kModulo:
            if (b == 0) return DivisionByZero();
            out = std::fmod(a, b);
            break;
        default: ORRERY_ASSERT(false, "not an arithmetic operator");
    }
    if (std::isinf(out) && !std::isinf(a) && !std::isinf(b)) {
        return MakeSqlError(ErrorKind::kNumericOutOfRange, "value out of range: overflow");
    }
    return Value::Float(out);
}

ValueResult Arithmetic(BinaryOp op, const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) {
        bool ok = (a.is_null() || IsNumber(a.type())) && (b.is_null() || IsNumber(b.type()));
        if (!ok) return TypeError(OpText(op), a, b);
        return Value::Null();
    }
    if (!IsNumber(a.type()) || !IsNumber(b.type())) return TypeError(OpText(op), a, b);
    if (a.type() == DataType::kInteger && b.type() == DataType::kInteger) {
        return IntegerArithmetic(op, a.integer(), b.integer());
    }
    return FloatArithmetic(op, AsDouble(a), AsDouble(b));
}

ValueResult Concat(const Value& a, const Value& b) {
    if (a.is_null() || b.is_null()) return Value::Null();
    if (a.type() == DataType::kBlob && b.type() == DataType::kBlob) {
        return Value::Blob(a.blob() + b.blob());
    }
    // As in PostgreSQL, one text operand makes || concatenate the other's display form.
    if (a.type() != DataType::kString && b.type() != DataType::kString) {
        return TypeError("||", a, b);
    }
    return Value::String(a.ToString() + b.ToString());
}

bool CompareHolds(BinaryOp op, int c) {
    switch (op) {
        case BinaryOp::kEq: return c == 0;
        case BinaryOp::kNotEq: return c != 0;
        case BinaryOp::kLess: return c < 0;
        case BinaryOp::kLessEq: return c <= 0;
        case BinaryOp::kGreater: return c > 0;
        case BinaryOp::kGreaterEq: return c >= 0;
        default: break;
    }
    ORRERY_ASSERT(false, "not a comparison operator");
    return false;
}

}  // namespace

bool Comparable(DataType a, DataType b) {
    if (a == DataType::kNull || b == DataType::kNull) return true;
    if (IsNumber(a) && IsNumber(b)) return true;
    return a == b;
}

SqlResult<std::optional<int>> CompareSql(const Value& a, const Value& b) {
    if (!Comparable(a.type(), b.type())) return TypeError("=", a, b);
    if (a.is_null() || b.is_null()) return std::optional<int>();
    return std::optional<int>(CompareValues(a, b));
}

ValueResult EvalAnd(const Value& a, const Value& b) {
    for (const Value* v : {&a, &b}) {
        if (!v->is_null() && v->type() != DataType::kBoolean) {
            return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                fmt::format("argument of AND must be BOOLEAN, not {}",
                                            DataTypeName(v->type())));
        }
    }
    if ((!a.is_null() && !a.boolean()) || (!b.is_null() && !b.boolean())) {
        return Value::Boolean(false);
    }
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Boolean(true);
}

ValueResult EvalOr(const Value& a, const Value& b) {
    for (const Value* v : {&a, &b}) {
        if (!v->is_null() && v->type() != DataType::kBoolean) {
            return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                fmt::format("argument of OR must be BOOLEAN, not {}",
                                            DataTypeName(v->type())));
        }
    }
    if ((!a.is_null() && a.boolean()) || (!b.is_null() && b.boolean())) {
        return Value::Boolean(true);
    }
    if (a.is_null() || b.is_null()) return Value::Null();
    return Value::Boolean(false);
}

ValueResult EvalBinary(BinaryOp op, const Value& a, const Value& b) {
    switch (op) {
        case BinaryOp::kAnd: return EvalAnd(a, b);
        case BinaryOp::kOr: return EvalOr(a, b);
        case BinaryOp::kEq:
        case BinaryOp::kNotEq:
        case BinaryOp::kLess:
        case BinaryOp::kLessEq:
        case BinaryOp::kGreater:
        case BinaryOp::kGreaterEq: {
            if (!Comparable(a.type(), b.type())) return TypeError(OpText(op), a, b);
            if (a.is_null() || b.is_null()) return Value::Null();
            return Value::Boolean(CompareHolds(op, CompareValues(a, b)));
        }
        case BinaryOp::kIsDistinctFrom:
        case BinaryOp::kIsNotDistinctFrom: {
            if (!Comparable(a.type(), b.type())) return TypeError(OpText(op), a, b);
            bool distinct = !(a == b);  // NULL equals NULL in the total order.
            return Value::Boolean(op == BinaryOp::kIsDistinctFrom ? distinct : !distinct);
        }
        case BinaryOp::kAdd:
        case BinaryOp::kSubtract:
        case BinaryOp::kMultiply:
        case BinaryOp::kDivide:
        case BinaryOp::kModulo: return Arithmetic(op, a, b);
        case BinaryOp::kConcat: return Concat(a, b);
    }
    ORRERY_ASSERT(false, "unknown binary operator");
    return Value();
}

ValueResult EvalUnary(UnaryOp op, const Value& a) {
    if (op == UnaryOp::kNot) {
        if (a.is_null()) return Value::Null();
        if (a.type() != DataType::kBoolean) {
            return MakeSqlError(ErrorKind::kDatatypeMismatch,
                                fmt::format("argument of NOT must be BOOLEAN, not {}",
                                            DataTypeName(a.type())));
        }
        return Value::Boolean(!a.boolean());
    }
    if (a.is_null()) return Value::Null();
    if (!IsNumber(a.type())) {
        return MakeSqlError(ErrorKind::kDatatypeMismatch,
                            fmt::format("operator does not exist: {} {}", (op == UnaryOp::kNegate ? "-" : "+"),
                                        DataTypeName(a.type())));
    }
    if (op == UnaryOp::kPlus) return a;
    if (a.type() == DataType::kFloat) return Value::Float(-a.floating());
    if (a.integer() == INT64_MIN) return Overflow();
    return Value::Integer(-a.integer());
}

}  // namespace orrery::sql
