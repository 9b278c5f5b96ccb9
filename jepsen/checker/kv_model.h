// The key-value model: Porcupine's kv model (get, put, append on string values), one object
// per key, plus the register model's operations so that the kv workload's histories check
// unchanged.
//
// Each key holds one JSON value; a key never written holds null. Operations, by `f`:
//   get    (alias read):  ok value v        - legal iff the key holds v.
//   put    (alias write): invoke value v    - sets the key to v.
//   append:               invoke value "s"  - legal iff the key holds a string or null (null
//                                             reads as ""); the key then holds it + "s".
//   cas:                  invoke value [old, new], as in the register model.
// Porcupine's model starts every key at "" and its gets of an unwritten key return "". In
// Orrery's histories an absent value is null (as for registers), so a get of a key nobody wrote
// returns null here, and "" is a value like any other (the one a put of "" leaves).
//
// Why its own table. An append makes a value no operation of the history wrote (the
// concatenation), and the search's state is an interned id, so Step must intern. The model
// therefore keeps one table for both the operations' values and the states they lead to,
// ignoring the caller's ValueTable: interning is a cache (ids are dense and handed out in the
// order values are first met, which is a function of the history), so Step stays logically
// const. Use one KvModel per check. Equal strings get equal ids however they were built
// ("ab" + "c" and "a" + "bc"), so Lowe's memo merges the orders that reach them.
#pragma once

#include <string>

#include "jepsen/checker/model.h"

namespace orrery::jepsen::checker {

class KvModel : public Model {
public:
    std::string name() const override { return "kv"; }
    uint64_t Init() const override { return 0; }  // null: never written.
    std::optional<uint64_t> Step(uint64_t s, const ModelOp& op) const override;
    // InvalidArgument naming the line for an unknown f, an append whose value is not a string,
    // or a cas whose value is not [old, new].
    Result<std::optional<ModelOp>> Prepare(const Operation& op, ValueTable& values,
                                           const SourceLines& lines) const override;
    std::string Describe(const ModelOp& op, const ValueTable& values) const override;
    // An append may have been seen by any value that contains its suffix.
    bool MaySee(int64_t observed, const ModelOp& write) const override;
    // Appends only extend a string: iff `value` is `from` or (`from` being a string or null)
    // a string that starts with it.
    bool MayReachByAppends(uint64_t from, int64_t value) const override;

private:
    mutable ValueTable table_;  // Values and states; id 0 is null.
};

}  // namespace orrery::jepsen::checker
