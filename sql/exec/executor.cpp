// PlanRunner (executor.h), the operator factory and the shared statement state (operator.h).
#include "sql/exec/executor.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "sql/exec/column_needs.h"
#include "sql/exec/operator.h"

namespace orrery::sql {
namespace exec {

bool RowLess::operator()(const Row& a, const Row& b) const {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        int c = CompareValues(a[i], b[i]);
        if (c != 0) return c < 0;
    }
    return a.size() < b.size();
}

size_t RowHash::operator()(const Row& r) const {
    size_t h = 0x9e3779b97f4a7c15ull;
    for (const Value& v : r) h = (h ^ v.Hash()) * 0x100000001b3ull;
    return h;
}

bool RowEq::operator()(const Row& a, const Row& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (CompareValues(a[i], b[i]) != 0) return false;
    }
    return true;
}

size_t RowBytes(const Row& row) {
    // The vector itself, its values, and a map node's bookkeeping where the row is a key.
    size_t bytes = sizeof(Row) + 48;
    for (const Value& v : row) bytes += v.MemoryBytes();
    return bytes;
}

Value CoerceToType(Value v, DataType type) {
    if (type == DataType::kFloat && v.type() == DataType::kInteger) {
        return Value::Float(static_cast<double>(v.integer()));
    }
    return v;
}

StatementState::StatementState(ExecContext c) : ctx(c), evaluator(*this) {}

SqlResult<bool> StatementState::Charge(size_t bytes, std::string_view what) {
    memory_used_ += bytes;
    size_t limit = ctx.options.memory_limit_bytes;
    if (memory_used_ > limit) {
        return MakeSqlError(ErrorKind::kProgramLimitExceeded,
                            fmt::format("{} needs more memory than the statement's bound "
                                        "(memory_limit_bytes = {})",
                                        what, limit));
    }
    return true;
}

void StatementState::Release(size_t bytes) {
    ORRERY_ASSERT(bytes <= memory_used_, "releasing {} of {} bytes", bytes, memory_used_);
    memory_used_ -= bytes;
}

namespace {

// The operator of `plan`, whose consumer reads the columns `needed` of its output: the needs
// flow down (column_needs.h) so that each Scan decodes only what is read above it.
SqlResult<OperatorPtr> BuildWithNeeds(const PlanPtr& plan, const OpEnv& env,
                                      const ColumnSet& needed) {
    ORRERY_ASSERT(plan != nullptr, "building an operator for a null plan");
    ORRERY_ASSERT(needed.size() == plan->columns.size(), "{} needs for {} columns",
                  needed.size(), plan->columns.size());
    std::vector<ColumnSet> child_needs = ChildNeeds(*plan, needed);
    ORRERY_ASSERT(child_needs.size() == plan->children.size(), "{} needs for {} children",
                  child_needs.size(), plan->children.size());
    std::vector<OperatorPtr> children;
    for (size_t i = 0; i < plan->children.size(); ++i) {
        auto op = BuildWithNeeds(plan->children[i], env, child_needs[i]);
        if (!op.ok()) return op;
        children.push_back(std::move(op).value());
    }
    auto need = [&](size_t n) -> std::optional<SqlError> {
        if (children.size() == n) return std::nullopt;
        return MakeSqlError(ErrorKind::kInternal,
                            fmt::format("plan node with {} children, {} expected",
                                        children.size(), n));
    };
    switch (plan->kind) {
        case PlanKind::kValues:
        case PlanKind::kEmpty:
            if (auto e = need(0)) return *e;
            return MakeSimple(plan, env, nullptr);
        case PlanKind::kScan:
            if (auto e = need(0)) return *e;
            return MakeScan(plan, env, ScanReads(*plan, needed));
        case PlanKind::kFilter:
        case PlanKind::kProject:
        case PlanKind::kDistinct:
        case PlanKind::kLimit:
            if (auto e = need(1)) return *e;
            return MakeSimple(plan, env, std::move(children[0]));
        case PlanKind::kSort:
            if (auto e = need(1)) return *e;
            return MakeSort(plan, env, std::move(children[0]));
        case PlanKind::kAggregate:
            if (auto e = need(1)) return *e;
            return MakeAggregate(plan, env, std::move(children[0]));
        case PlanKind::kJoin:
            if (auto e = need(2)) return *e;
            return MakeJoin(plan, env, std::move(children[0]), std::move(children[1]));
        case PlanKind::kSetOp:
            if (auto e = need(2)) return *e;
            return MakeSetOp(plan, env, std::move(children[0]), std::move(children[1]));
        case PlanKind::kInsert:
        case PlanKind::kUpdate:
        case PlanKind::kDelete:
            if (auto e = need(1)) return *e;
            return MakeWrite(plan, env, std::move(children[0]));
    }
    return MakeSqlError(ErrorKind::kInternal, "unknown plan kind");
}

}  // namespace

SqlResult<OperatorPtr> BuildOperator(const PlanPtr& plan, const OpEnv& env) {
    ORRERY_ASSERT(plan != nullptr, "building an operator for a null plan");
    return BuildWithNeeds(plan, env, AllColumns(*plan));
}

SqlResult<bool> RunToCompletion(const PlanPtr& plan, StatementState& state,
                                const OuterRows* outer,
                                const std::function<SqlResult<bool>(const Row&)>& row) {
    Budget unlimited(UINT64_MAX);
    OpEnv env{&state, &unlimited, outer};
    auto op = BuildOperator(plan, env);
    if (!op.ok()) return op.error();
    Row r;
    for (;;) {
        auto p = op.value()->Next(&r);
        if (!p.ok()) return p.error();
        if (p.value() == Pull::kDone) return true;
        // An unlimited budget never runs out; refill in case of 2^64 units of work.
        if (p.value() == Pull::kYield) {
            unlimited.Refill(UINT64_MAX);
            continue;
        }
        auto more = row(r);
        if (!more.ok()) return more;
        if (!more.value()) return true;
    }
}

}  // namespace exec

class PlanRunnerImpl {
public:
    PlanRunnerImpl(PlanPtr plan, ExecContext ctx)
        : plan_(std::move(plan)), state_(ctx), budget_(0) {}

    SqlResult<bool> Run(uint64_t budget_rows, std::vector<Row>* out) {
        if (error_) return *error_;
        if (done_) return true;
        // A step does at least one unit of work, so a zero budget still makes progress.
        budget_.Refill(std::max<uint64_t>(budget_rows, 1));
        if (!root_) {
            exec::OpEnv env{&state_, &budget_, nullptr};
            auto op = exec::BuildOperator(plan_, env);
            if (!op.ok()) return Fail(op.error());
            root_ = std::move(op).value();
        }
        Row row;
        for (;;) {
            auto p = root_->Next(&row);
            if (!p.ok()) return Fail(p.error());
            switch (p.value()) {
                case exec::Pull::kRow: out->push_back(std::move(row)); break;
                case exec::Pull::kYield: return false;
                case exec::Pull::kDone:
                    done_ = true;
                    root_.reset();  // Releases the operators' memory.
                    return true;
            }
        }
    }

    uint64_t rows_affected() const { return state_.rows_affected; }

private:
    SqlResult<bool> Fail(SqlError e) {
        error_ = e;
        root_.reset();
        return e;
    }

    PlanPtr plan_;
    exec::StatementState state_;
    exec::Budget budget_;
    exec::OperatorPtr root_;  // Declared after state_: destroyed first, releasing memory.
    bool done_ = false;
    std::optional<SqlError> error_;
};

PlanRunner::PlanRunner(PlanPtr plan, ExecContext ctx)
    : impl_(std::make_unique<PlanRunnerImpl>(std::move(plan), ctx)) {}
PlanRunner::~PlanRunner() = default;

SqlResult<bool> PlanRunner::Run(uint64_t budget_rows, std::vector<Row>* out) {
    ORRERY_ASSERT(out != nullptr, "Run needs an output vector");
    return impl_->Run(budget_rows, out);
}

uint64_t PlanRunner::rows_affected() const { return impl_->rows_affected(); }

}  // namespace orrery::sql
