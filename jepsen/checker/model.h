// Sequential models for the linearizability checker.
//
// A model is the sequential specification an object must appear to follow: a state, and a
// step function that says whether an operation (with the result it returned) can happen in a
// state and what state it leaves. Linearizability (Herlihy & Wing) asks whether each
// operation can be placed at one instant inside its invoke..complete window so that the
// resulting sequence is legal for the model.
//
// States are small integers so that the search can memoize (linearized set, state) pairs
// cheaply (Lowe, "Testing for linearizability", §3). Register values are interned into a
// ValueTable: each distinct JSON value gets an id, and null (the initial, never-written
// register) is always id 0.
//
// The register model (read / write / cas) is the one Orrery's workloads use; a key-value map
// is one register per key, checked key by key (Herlihy & Wing's locality: a history is
// linearizable iff each object's sub-history is). The kv model (kv_model.h) adds append on
// string values, as Porcupine's key-value model has.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "jepsen/checker/operation.h"

namespace orrery::jepsen::checker {

// Interns JSON values as dense ids. Id 0 is null.
class ValueTable {
public:
    ValueTable();

    // Returns the id of `value`, adding it if new.
    int64_t Intern(const nlohmann::json& value);
    // Returns the value of `id`. REQUIRES: id was returned by Intern.
    const nlohmann::json& Value(int64_t id) const;

private:
    std::map<std::string, int64_t> ids_;  // Compact JSON text -> id.
    std::vector<nlohmann::json> values_;
};

// The state "any state at all": where a checker starts a window of a history whose earlier
// operations it left out (linearizability.h). Model::Step must accept it.
inline constexpr uint64_t kAnyState = ~uint64_t{0};

// One operation in a model's terms: a kind and up to two interned arguments.
struct ModelOp {
    enum class Kind : uint8_t { kRead, kWrite, kCas, kAppend };
    Kind kind = Kind::kRead;
    // read: the value returned; write: the value; cas: the expected value; append: the suffix.
    int64_t a = 0;
    int64_t b = 0;  // cas: the new value.
};

// A sequential specification.
class Model {
public:
    virtual ~Model() = default;

    // The model's name, e.g. "register".
    virtual std::string name() const = 0;

    // The initial state.
    virtual uint64_t Init() const = 0;

    // Returns the state after `op` runs in state `s`, or nullopt when `op` (with its result)
    // cannot happen in `s`. From kAnyState, an op that some state permits must return the one
    // state it leaves (a model whose ops do not pin the state must keep kAnyState instead).
    virtual std::optional<uint64_t> Step(uint64_t s, const ModelOp& op) const = 0;

    // Translates a history operation. Returns nullopt for an operation that constrains
    // nothing and can be left out of the search: a fail (it did not happen) or a read whose
    // result is unknown (info). InvalidArgument (naming the line) for an operation the model
    // does not know or whose value is malformed.
    virtual Result<std::optional<ModelOp>> Prepare(const Operation& op, ValueTable& values,
                                                   const SourceLines& lines) const = 0;

    // Renders an operation for reports, e.g. "write 3", "read -> 3", "cas 1->2".
    virtual std::string Describe(const ModelOp& op, const ValueTable& values) const = 0;

    // True if a read that returned `observed` (or a cas that expected it) may have seen the
    // effect of `write` (a write, cas or append): for a register, iff `observed` is the value
    // written. The checker drops operations of unknown outcome that nothing may have seen
    // (linearizability.cpp proves it sound), so a model must answer true when unsure.
    virtual bool MaySee(int64_t observed, const ModelOp& write) const;

    // True if appends alone (no write or cas) may take state `from` to the value `value`. The
    // search uses it to give up early on an order no read can follow (linear_search.cpp), so a
    // model must answer true when unsure; the default always does, which disables that.
    virtual bool MayReachByAppends(uint64_t from, int64_t value) const;
};

// A read/write/compare-and-set register whose state is the interned current value.
//   read   (aliases get):  ok value v            - legal iff the register holds v.
//   write  (aliases put):  invoke value v        - sets the register to v.
//   cas:                   invoke value [old,new] - legal iff the register holds old; sets new.
// A cas that failed (its compare did not match) is a `fail`: it did not happen.
class RegisterModel : public Model {
public:
    std::string name() const override { return "register"; }
    uint64_t Init() const override { return 0; }
    std::optional<uint64_t> Step(uint64_t s, const ModelOp& op) const override;
    Result<std::optional<ModelOp>> Prepare(const Operation& op, ValueTable& values,
                                           const SourceLines& lines) const override;
    std::string Describe(const ModelOp& op, const ValueTable& values) const override;
};

}  // namespace orrery::jepsen::checker
