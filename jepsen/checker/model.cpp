// The value table and the register model. See model.h.
#include "jepsen/checker/model.h"

#include <fmt/format.h>

namespace orrery::jepsen::checker {

ValueTable::ValueTable() { Intern(nullptr); }

int64_t ValueTable::Intern(const nlohmann::json& value) {
    std::string text = RenderValue(value);
    auto [it, inserted] = ids_.emplace(std::move(text), static_cast<int64_t>(values_.size()));
    if (inserted) values_.push_back(value);
    return it->second;
}

const nlohmann::json& ValueTable::Value(int64_t id) const {
    ORRERY_ASSERT(id >= 0 && static_cast<size_t>(id) < values_.size(), "unknown value id {}", id);
    return values_[static_cast<size_t>(id)];
}

bool Model::MaySee(int64_t observed, const ModelOp& write) const {
    switch (write.kind) {
        case ModelOp::Kind::kWrite: return observed == write.a;
        case ModelOp::Kind::kCas: return observed == write.b;
        case ModelOp::Kind::kRead: return false;
        case ModelOp::Kind::kAppend: return true;  // Only the kv model knows its strings.
    }
    return true;
}

bool Model::MayReachByAppends(uint64_t /*from*/, int64_t /*value*/) const { return true; }

std::optional<uint64_t> RegisterModel::Step(uint64_t s, const ModelOp& op) const {
    // Every register op pins the state: a read or cas saw its value, a write set it.
    if (s == kAnyState) s = static_cast<uint64_t>(op.a);
    switch (op.kind) {
        case ModelOp::Kind::kRead:
            if (s != static_cast<uint64_t>(op.a)) return std::nullopt;
            return s;
        case ModelOp::Kind::kWrite:
            return static_cast<uint64_t>(op.a);
        case ModelOp::Kind::kCas:
            if (s != static_cast<uint64_t>(op.a)) return std::nullopt;
            return static_cast<uint64_t>(op.b);
        case ModelOp::Kind::kAppend:
            return std::nullopt;  // Not a register operation; Prepare never makes one.
    }
    return std::nullopt;
}

Result<std::optional<ModelOp>> RegisterModel::Prepare(const Operation& op, ValueTable& values,
                                                      const SourceLines& lines) const {
    if (op.outcome == OpType::kFail) return std::optional<ModelOp>();
    ModelOp m;
    if (op.f == "read" || op.f == "get") {
        if (op.outcome != OpType::kOk) return std::optional<ModelOp>();
        m.kind = ModelOp::Kind::kRead;
        m.a = values.Intern(op.output);
        return std::optional<ModelOp>(m);
    }
    if (op.f == "write" || op.f == "put") {
        const nlohmann::json& v = op.input.is_null() ? op.output : op.input;
        m.kind = ModelOp::Kind::kWrite;
        m.a = values.Intern(v);
        return std::optional<ModelOp>(m);
    }
    if (op.f == "cas") {
        if (!op.input.is_array() || op.input.size() != 2) {
            return Status::InvalidArgument(
                fmt::format("{}: cas needs the value [expected, new], got {}",
                            lines.Describe(op.invoke_index), RenderValue(op.input)));
        }
        m.kind = ModelOp::Kind::kCas;
        m.a = values.Intern(op.input[0]);
        m.b = values.Intern(op.input[1]);
        return std::optional<ModelOp>(m);
    }
    return Status::InvalidArgument(
        fmt::format("{}: the register model knows read, write and cas, not \"{}\"",
                    lines.Describe(op.invoke_index), op.f));
}

std::string RegisterModel::Describe(const ModelOp& op, const ValueTable& values) const {
    switch (op.kind) {
        case ModelOp::Kind::kRead:
            return fmt::format("read -> {}", RenderValue(values.Value(op.a)));
        case ModelOp::Kind::kWrite:
            return fmt::format("write {}", RenderValue(values.Value(op.a)));
        case ModelOp::Kind::kCas:
            return fmt::format("cas {} -> {}", RenderValue(values.Value(op.a)),
                               RenderValue(values.Value(op.b)));
        case ModelOp::Kind::kAppend:
            return fmt::format("append {}", RenderValue(values.Value(op.a)));
    }
    return "?";
}

}  // namespace orrery::jepsen::checker
