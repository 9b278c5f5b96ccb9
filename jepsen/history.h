// Histories: what clients did and saw, in Jepsen's operation model.
//
// A client operation is *invoked*, then completes as exactly one of:
//   ok   - it happened, and `value` holds what it returned;
//   fail - it certainly did not happen;
//   info - the outcome is unknown (a timeout, a crash mid-request): it may have happened, or may
//          still happen later. Checkers must consider both.
// A process runs one operation at a time; after an info it never issues another op (Jepsen
// retires the process; a client uses a fresh process id instead).
//
// A history is JSON Lines, one event per line, written by every run and read by every checker:
//   {"index":0,"time":1500,"process":3,"type":"invoke","f":"write","key":"k1","value":5}
//   {"index":1,"time":2750,"process":3,"type":"ok","f":"write","key":"k1","value":5}
// Fields: index (position, 0-based), time (µs of true time), process (client process id),
// type (invoke|ok|fail|info), f (the function: read, write, cas, transfer, txn, add, ...),
// key (string; "" when the op spans keys), value (any JSON: a register value, [old,new] for cas,
// a list of micro-ops for txn: [["append","x",3],["r","y",[1,2]]], ...), and optional error text.
// Optional, for explanations only: node (the client endpoint, e.g. 1002) and, on a completion,
// server (the server whose reply decided it).
//
// Faults are recorded as Jepsen records them: events of the process "nemesis" (the only
// non-integer process), always of type info, one when a fault begins and one when it ends:
//   {"index":7,"time":5001000,"process":"nemesis","type":"info","f":"kill","key":"","value":"n3"}
// They say what the cluster went through and when; they are not client operations, so pairing
// and every checker skip them. Client processes are non-negative integers.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/types.h"

namespace orrery::jepsen {

enum class OpType : uint8_t { kInvoke, kOk, kFail, kInfo };

// Op::process of nemesis events; rendered and parsed as "process":"nemesis".
inline constexpr int64_t kNemesisProcess = -1;

std::string_view OpTypeName(OpType t);

struct Op {
    int64_t index = -1;      // Position in the history; assigned by History::Append.
    int64_t time_us = 0;     // True (virtual) time of the event.
    int64_t process = 0;     // The client process, or kNemesisProcess.
    OpType type = OpType::kInvoke;
    std::string f;           // The function.
    std::string key;         // The key, or "" for multi-key ops.
    nlohmann::json value;    // Arguments on invoke, results on completion.
    std::string error;       // Why it failed or is unknown (fail/info only).
    // Who, for explanations (no checker judges them; 0 = not recorded, and not rendered):
    int64_t node = 0;        // The client endpoint that ran the op (1000 and up: "c1000").
    int64_t server = 0;      // On a completion: the server whose reply decided it.
};

// True for a nemesis event (a fault beginning or ending), which no checker judges.
inline bool IsNemesis(const Op& op) { return op.process == kNemesisProcess; }

// Renders one op as a JSON line (no trailing newline) and parses one back.
std::string RenderOp(const Op& op);
Result<Op> ParseOp(std::string_view line);

// An append-only list of ops, plus pairing of invocations with completions.
class History {
public:
    // Appends an op, assigning its index. Returns the index.
    int64_t Append(Op op);

    const std::vector<Op>& ops() const { return ops_; }
    size_t size() const { return ops_.size(); }

    // Returns, for each op index, the index of its matching completion (for invokes) or
    // invocation (for completions), or -1 for an invoke that never completed and for nemesis
    // events. Pairing is by process: a process's next completion completes its outstanding
    // invoke.
    // Corruption if a process completes an op it never invoked, or invokes twice.
    Result<std::vector<int64_t>> Pair() const;

    // Renders the history as JSON Lines.
    std::string Render() const;

    // Parses JSON Lines text (blank lines ignored); the error names the bad line.
    static Result<History> Parse(std::string_view text);

private:
    std::vector<Op> ops_;
};

}  // namespace orrery::jepsen
