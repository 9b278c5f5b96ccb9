// Parsing txn micro-ops. See txn.h.
#include "jepsen/checker/txn.h"

#include <fmt/format.h>

namespace orrery::jepsen::checker {
namespace {

class KeyTable {
public:
    explicit KeyTable(std::vector<std::string>& names) : names_(names) {}
    int32_t Intern(const std::string& key) {
        auto [it, inserted] = ids_.emplace(key, static_cast<int32_t>(names_.size()));
        if (inserted) names_.push_back(key);
        return it->second;
    }

private:
    std::map<std::string, int32_t> ids_;
    std::vector<std::string>& names_;
};

Result<MicroOp> ParseMicroOp(const nlohmann::json& m, TxnKind kind, bool reads_known,
                             KeyTable& keys) {
    if (!m.is_array() || m.size() != 3 || !m[0].is_string()) {
        return Status::InvalidArgument("a micro-op is [f, key, value], got " + RenderValue(m));
    }
    MicroOp op;
    std::string f = m[0].get<std::string>();
    if (m[1].is_string())
        op.key = keys.Intern(m[1].get<std::string>());
    else if (m[1].is_number_integer())
        op.key = keys.Intern(std::to_string(m[1].get<int64_t>()));
    else
        return Status::InvalidArgument("a micro-op key is a string or integer: " + RenderValue(m));
    const nlohmann::json& v = m[2];
    bool writes = (f == "append" && kind == TxnKind::kListAppend) ||
                  (f == "w" && kind == TxnKind::kRwRegister);
    if (writes) {
        if (!v.is_number_integer())
            return Status::InvalidArgument("written values are integers: " + RenderValue(m));
        op.kind = f == "append" ? MicroOp::Kind::kAppend : MicroOp::Kind::kWrite;
        op.value = v.get<int64_t>();
        return op;
    }
    if (f != "r") {
        return Status::InvalidArgument(fmt::format(
            "unknown micro-op \"{}\" for {}", f,
            kind == TxnKind::kListAppend ? "list-append (append, r)" : "rw-register (w, r)"));
    }
    op.kind = MicroOp::Kind::kRead;
    op.read_known = reads_known;
    if (!reads_known) return op;
    if (kind == TxnKind::kRwRegister) {
        if (v.is_number_integer())
            op.register_read = v.get<int64_t>();
        else if (!v.is_null())
            return Status::InvalidArgument("a register read is an integer or null: " +
                                           RenderValue(m));
        return op;
    }
    if (v.is_null()) return op;  // Nothing there yet: the empty list.
    if (!v.is_array())
        return Status::InvalidArgument("a list read is a list of integers: " + RenderValue(m));
    for (const nlohmann::json& e : v) {
        if (!e.is_number_integer())
            return Status::InvalidArgument("a list read is a list of integers: " + RenderValue(m));
        op.list_read.push_back(e.get<int64_t>());
    }
    return op;
}

}  // namespace

Result<TxnHistory> ParseTxns(const std::vector<Operation>& operations, TxnKind kind,
                             const SourceLines& lines) {
    TxnHistory history;
    KeyTable keys(history.keys);
    for (const Operation& o : operations) {
        if (o.f != "txn") continue;
        Txn t;
        t.id = o.invoke_index;
        t.process = o.process;
        t.outcome = o.outcome;
        bool reads_known = o.outcome == OpType::kOk && o.output.is_array();
        const nlohmann::json& value = reads_known ? o.output : o.input;
        int64_t where = reads_known ? o.complete_index : o.invoke_index;
        t.shown = value;
        if (!value.is_array()) {
            return Status::InvalidArgument(
                fmt::format("{}: a txn value is a list of micro-ops", lines.Describe(where)));
        }
        for (const nlohmann::json& m : value) {
            Result<MicroOp> op = ParseMicroOp(m, kind, reads_known, keys);
            if (!op.ok()) return op.status().WithContext(lines.Describe(where));
            t.ops.push_back(std::move(op).value());
        }
        history.txns.push_back(std::move(t));
    }
    return history;
}

std::string TxnName(const Txn& t) { return fmt::format("T{}", t.id); }

}  // namespace orrery::jepsen::checker
