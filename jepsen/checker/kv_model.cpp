// The key-value model. See kv_model.h.
#include "jepsen/checker/kv_model.h"

#include <fmt/format.h>

namespace orrery::jepsen::checker {

std::optional<uint64_t> KvModel::Step(uint64_t s, const ModelOp& op) const {
    switch (op.kind) {
        case ModelOp::Kind::kRead:
            if (s == kAnyState) return static_cast<uint64_t>(op.a);  // A get pins the state.
            if (s != static_cast<uint64_t>(op.a)) return std::nullopt;
            return s;
        case ModelOp::Kind::kWrite:
            return static_cast<uint64_t>(op.a);
        case ModelOp::Kind::kCas:
            if (s != kAnyState && s != static_cast<uint64_t>(op.a)) return std::nullopt;
            return static_cast<uint64_t>(op.b);
        case ModelOp::Kind::kAppend: {
            // From an unknown state the result is unknown too: the state stays "any", which
            // accepts more than any real state would, so a window search stays a weakening.
            if (s == kAnyState) return kAnyState;
            const nlohmann::json& current = table_.Value(static_cast<int64_t>(s));
            if (!current.is_null() && !current.is_string()) return std::nullopt;
            std::string after = current.is_null() ? "" : current.get<std::string>();
            after += table_.Value(op.a).get<std::string>();
            return static_cast<uint64_t>(table_.Intern(after));
        }
    }
    return std::nullopt;
}

Result<std::optional<ModelOp>> KvModel::Prepare(const Operation& op, ValueTable& /*values*/,
                                                const SourceLines& lines) const {
    if (op.outcome == OpType::kFail) return std::optional<ModelOp>();  // It did not happen.
    ModelOp m;
    if (op.f == "get" || op.f == "read") {
        if (op.outcome != OpType::kOk) return std::optional<ModelOp>();  // Saw nothing known.
        m.kind = ModelOp::Kind::kRead;
        m.a = table_.Intern(op.output);
        return std::optional<ModelOp>(m);
    }
    if (op.f == "put" || op.f == "write") {
        m.kind = ModelOp::Kind::kWrite;
        m.a = table_.Intern(op.input.is_null() ? op.output : op.input);
        return std::optional<ModelOp>(m);
    }
    if (op.f == "append") {
        if (!op.input.is_string()) {
            return Status::InvalidArgument(
                fmt::format("{}: append needs a string value, got {}",
                            lines.Describe(op.invoke_index), RenderValue(op.input)));
        }
        m.kind = ModelOp::Kind::kAppend;
        m.a = table_.Intern(op.input);
        return std::optional<ModelOp>(m);
    }
    if (op.f == "cas") {
        if (!op.input.is_array() || op.input.size() != 2) {
            return Status::InvalidArgument(
                fmt::format("{}: cas needs the value [expected, new], got {}",
                            lines.Describe(op.invoke_index), RenderValue(op.input)));
        }
        m.kind = ModelOp::Kind::kCas;
        m.a = table_.Intern(op.input[0]);
        m.b = table_.Intern(op.input[1]);
        return std::optional<ModelOp>(m);
    }
    return Status::InvalidArgument(
        fmt::format("{}: the kv model knows get, put and append (and read, write, cas), not \"{}\"",
                    lines.Describe(op.invoke_index), op.f));
}

bool KvModel::MaySee(int64_t observed, const ModelOp& write) const {
    if (write.kind != ModelOp::Kind::kAppend) return Model::MaySee(observed, write);
    const nlohmann::json& value = table_.Value(observed);
    if (!value.is_string()) return false;  // A get of a non-string saw no append at all.
    const std::string& suffix = table_.Value(write.a).get_ref<const std::string&>();
    return value.get_ref<const std::string&>().find(suffix) != std::string::npos;
}

bool KvModel::MayReachByAppends(uint64_t from, int64_t value) const {
    if (from == kAnyState || from == static_cast<uint64_t>(value)) return true;
    const nlohmann::json& start = table_.Value(static_cast<int64_t>(from));
    const nlohmann::json& end = table_.Value(value);
    if (!end.is_string() || !(start.is_null() || start.is_string())) return false;
    if (start.is_null()) return true;  // Appends to null start from "".
    return end.get_ref<const std::string&>().starts_with(start.get_ref<const std::string&>());
}

std::string KvModel::Describe(const ModelOp& op, const ValueTable& /*values*/) const {
    switch (op.kind) {
        case ModelOp::Kind::kRead:
            return fmt::format("get -> {}", RenderValue(table_.Value(op.a)));
        case ModelOp::Kind::kWrite:
            return fmt::format("put {}", RenderValue(table_.Value(op.a)));
        case ModelOp::Kind::kCas:
            return fmt::format("cas {} -> {}", RenderValue(table_.Value(op.a)),
                               RenderValue(table_.Value(op.b)));
        case ModelOp::Kind::kAppend:
            return fmt::format("append {}", RenderValue(table_.Value(op.a)));
    }
    return "?";
}

}  // namespace orrery::jepsen::checker
