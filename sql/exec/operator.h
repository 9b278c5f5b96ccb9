// The executor's internals: the pull interface every operator implements, the per-statement
// state they share (memory bound, work budget, the expression evaluator), and the factory that
// turns a plan node into its operator.
//
// Pull protocol. Next(&row) answers kRow (row filled), kDone (no more rows, ever) or kYield (the
// statement's work budget ran out; call Next again later and the operator continues where it
// stopped). So an operator never keeps a half-done step in local variables across a call: all
// progress lives in members. Leaves count the work (a row read from storage, a VALUES row, a
// row written, a pair of rows a join tests), so a 1M-row scan yields every `budget` rows even
// under a Sort or an Aggregate that consumes it all before producing anything.
//
// Subqueries inside expressions run to completion when evaluated, with a budget of their own
// (unlimited): an expression cannot be suspended half-way. The outer query's budget still bounds
// how many rows reach such expressions.
//
// Outer rows. A subquery evaluated on row R runs with the outer stack [R, the stack R's query
// ran with...]; a kOuterColumn (depth d, column c) reads column c of the d-th entry. Every
// operator of one plan tree sees the same stack (derived tables bind against the enclosing
// block's outer scope, binder.h).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql/exec/eval_expr.h"
#include "sql/exec/executor.h"

namespace orrery::sql::exec {

enum class Pull : uint8_t { kRow, kDone, kYield };

// Units of work left in the current Run step.
class Budget {
public:
    explicit Budget(uint64_t units) : left_(units) {}
    // Takes one unit; false when none is left (the caller yields without doing the work).
    bool Take() {
        if (left_ == 0) return false;
        --left_;
        return true;
    }
    void Refill(uint64_t units) { left_ = units; }

private:
    uint64_t left_;
};

// The total order of value.h, lexicographic over rows (GROUP BY, DISTINCT, set operations).
struct RowLess {
    bool operator()(const Row& a, const Row& b) const;
};
// A hash and an equality consistent with RowLess (Value::Hash agrees with operator==, so 1 and
// 1.0 are one key): hash joins and GROUP BY's group index.
struct RowHash {
    size_t operator()(const Row& r) const;
};
struct RowEq {
    bool operator()(const Row& a, const Row& b) const;
};
// Approximate bytes of a row held in an operator's memory.
size_t RowBytes(const Row& row);

// INTEGER values of a FLOAT column read as FLOAT (VALUES, CASE and set operations whose
// branches mix the two number types, binder.cpp); every other value is returned unchanged.
Value CoerceToType(Value v, DataType type);

// Everything one statement's operators share. Owned by PlanRunnerImpl.
class StatementState {
public:
    explicit StatementState(ExecContext ctx);

    ExecContext ctx;
    ExprEvaluator evaluator;
    uint64_t rows_affected = 0;

    // Charges `bytes` of operator state against SessionOptions::memory_limit_bytes; past the
    // bound the statement fails with kProgramLimitExceeded naming it and `what` ("sort").
    SqlResult<bool> Charge(size_t bytes, std::string_view what);
    void Release(size_t bytes);
    size_t memory_used() const { return memory_used_; }

private:
    size_t memory_used_ = 0;
};

// Memory an operator holds: charged as it grows, released when the operator goes away.
class MemoryCharge {
public:
    MemoryCharge(StatementState& state, std::string_view what) : state_(state), what_(what) {}
    ~MemoryCharge() { state_.Release(bytes_); }
    MemoryCharge(const MemoryCharge&) = delete;
    MemoryCharge& operator=(const MemoryCharge&) = delete;
    SqlResult<bool> Add(size_t bytes) {
        bytes_ += bytes;
        return state_.Charge(bytes, what_);
    }
    // Gives back bytes an earlier Add charged (a top-N sort dropping a row it kept).
    void Release(size_t bytes) {
        ORRERY_ASSERT(bytes <= bytes_, "releasing {} bytes of {} charged", bytes, bytes_);
        bytes_ -= bytes;
        state_.Release(bytes);
    }

private:
    StatementState& state_;
    std::string_view what_;
    size_t bytes_ = 0;
};

// What an operator runs with: the statement, the budget that bounds its step, the outer rows.
struct OpEnv {
    StatementState* state = nullptr;
    Budget* budget = nullptr;
    const OuterRows* outer = nullptr;
};

class Operator {
public:
    explicit Operator(const OpEnv& env) : env_(env) {}
    virtual ~Operator() = default;
    Operator(const Operator&) = delete;
    Operator& operator=(const Operator&) = delete;

    // The pull protocol of the header comment.
    virtual SqlResult<Pull> Next(Row* out) = 0;

protected:
    SqlResult<Value> Eval(const BExpr& e, const Row& row) {
        return env_.state->evaluator.Eval(e, row, env_.outer);
    }
    ExecContext& ctx() { return env_.state->ctx; }
    // Evaluates a LIMIT or OFFSET count `e` (no input row): *out is its value, or stays unset
    // when e is null or evaluates to NULL (no bound). Errors: a non-integer (42804) or a
    // negative count (`negative`: 2201W for LIMIT, 2201X for OFFSET, as PostgreSQL).
    SqlResult<bool> EvalCount(const BExpr& e, std::string_view what, ErrorKind negative,
                              std::optional<int64_t>* out);

    OpEnv env_;
};
using OperatorPtr = std::unique_ptr<Operator>;

// The operator of `plan` (and, recursively, of its children). Every column of the plan's output
// is produced; below it, scans decode only the columns something reads (column_needs.h).
SqlResult<OperatorPtr> BuildOperator(const PlanPtr& plan, const OpEnv& env);

// Factories, one per operator file.
// `reads`: the positions of the stored row the scan decodes (column_needs.h's ScanReads; empty
// or a wrong width: all); the others read as NULL.
SqlResult<OperatorPtr> MakeScan(const PlanPtr& plan, const OpEnv& env, std::vector<bool> reads);
SqlResult<OperatorPtr> MakeJoin(const PlanPtr& plan, const OpEnv& env, OperatorPtr left,
                                OperatorPtr right);
SqlResult<OperatorPtr> MakeAggregate(const PlanPtr& plan, const OpEnv& env, OperatorPtr child);
SqlResult<OperatorPtr> MakeSort(const PlanPtr& plan, const OpEnv& env, OperatorPtr child);
SqlResult<OperatorPtr> MakeSetOp(const PlanPtr& plan, const OpEnv& env, OperatorPtr left,
                                 OperatorPtr right);
SqlResult<OperatorPtr> MakeWrite(const PlanPtr& plan, const OpEnv& env, OperatorPtr child);
// Values, Empty, Filter, Project, Distinct, Limit (simple_ops.cpp).
SqlResult<OperatorPtr> MakeSimple(const PlanPtr& plan, const OpEnv& env, OperatorPtr child);

// Runs `plan` to completion with an unlimited budget (subqueries), calling `row` on each row
// until it returns false.
SqlResult<bool> RunToCompletion(const PlanPtr& plan, StatementState& state,
                                const OuterRows* outer,
                                const std::function<SqlResult<bool>(const Row&)>& row);

}  // namespace orrery::sql::exec
