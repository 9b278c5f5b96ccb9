// Set operations: UNION ALL streams both inputs; UNION streams each distinct row once; INTERSECT
// and EXCEPT first collect the right input's distinct rows, then stream the left input's
// distinct rows that are (INTERSECT) or are not (EXCEPT) among them. Rows compare as DISTINCT
// does: NULLs equal, 1 = 1.0. A FLOAT output column reads an INTEGER branch's values as FLOAT.
#include <set>

#include "sql/exec/operator.h"

namespace orrery::sql::exec {
namespace {

class SetOpOp final : public Operator {
public:
    SetOpOp(const OpEnv& env, PlanPtr plan, OperatorPtr left, OperatorPtr right)
        : Operator(env), plan_(std::move(plan)), left_(std::move(left)), right_(std::move(right)),
          memory_(*env.state, "set operation") {}

    SqlResult<Pull> Next(Row* out) override {
        SetOp op = plan_->set_op;
        bool filtering = op == SetOp::kIntersect || op == SetOp::kExcept;
        while (filtering && !right_done_) {
            auto p = right_->Next(out);
            if (!p.ok() || p.value() == Pull::kYield) return p;
            if (p.value() == Pull::kDone) {
                right_done_ = true;
                break;
            }
            Coerce(out);
            if (right_rows_.count(*out) > 0) continue;
            auto charged = memory_.Add(RowBytes(*out));
            if (!charged.ok()) return charged.error();
            right_rows_.insert(*out);
        }
        for (;;) {
            Operator& from = on_left_ ? *left_ : *right_;
            auto p = from.Next(out);
            if (!p.ok() || p.value() == Pull::kYield) return p;
            if (p.value() == Pull::kDone) {
                bool second_branch = op == SetOp::kUnion || op == SetOp::kUnionAll;
                if (on_left_ && second_branch) {
                    on_left_ = false;
                    continue;
                }
                return Pull::kDone;
            }
            Coerce(out);
            if (op == SetOp::kUnionAll) return Pull::kRow;
            if (filtering && (right_rows_.count(*out) > 0) != (op == SetOp::kIntersect)) continue;
            if (emitted_.count(*out) > 0) continue;
            auto charged = memory_.Add(RowBytes(*out));
            if (!charged.ok()) return charged.error();
            emitted_.insert(*out);
            return Pull::kRow;
        }
    }

private:
    void Coerce(Row* row) const {
        for (size_t i = 0; i < row->size() && i < plan_->columns.size(); ++i) {
            (*row)[i] = CoerceToType(std::move((*row)[i]), plan_->columns[i].type);
        }
    }

    PlanPtr plan_;
    OperatorPtr left_;
    OperatorPtr right_;
    MemoryCharge memory_;
    std::set<Row, RowLess> right_rows_;
    std::set<Row, RowLess> emitted_;
    bool right_done_ = false;
    bool on_left_ = true;
};

}  // namespace

SqlResult<OperatorPtr> MakeSetOp(const PlanPtr& plan, const OpEnv& env, OperatorPtr left,
                                 OperatorPtr right) {
    return OperatorPtr(std::make_unique<SetOpOp>(env, plan, std::move(left), std::move(right)));
}

}  // namespace orrery::sql::exec
