// Generated histories with known verdicts, for property tests and `orrery bench check`.
//
// Each generator simulates a correct object: client processes issue operations with random,
// overlapping invoke..complete windows; every operation takes effect at one random instant
// inside its window (its linearization point), and its result is computed by applying the
// operations in the order of those instants. The history is therefore linearizable (register,
// kv) or serializable (list-append) by construction. Some operations end as info (the client
// timed out): those take effect or not at random, possibly after the client gave up, and the
// client's process is retired, as in Jepsen.
//
// Everything is drawn from one seeded Random: the same seed and options give the same history.
#pragma once

#include <cstdint>
#include <optional>

#include "core/random.h"
#include "jepsen/history.h"

namespace orrery::jepsen::checker {

struct RegisterGenOptions {
    size_t ops = 1000;       // Operations (each an invoke and a completion).
    size_t keys = 1;         // Registers, named "r0", "r1", ...
    size_t concurrency = 5;  // Client slots with an operation in flight at once.
    double info_probability = 0.02;
    double read_fraction = 0.5;  // The rest splits write 60% / cas 40%.
};

// Generates a linearizable register history. Written values are unique per key.
History GenerateRegisterHistory(Random& rng, const RegisterGenOptions& options);

// Makes one ok read return a stale value: one that a write W1 installed before another write
// W2 (W1 completed before W2 began) which completed before the read began. With unique written
// values no linearization can then explain the read. The read is the first such one invoked at
// or after history position `not_before`. Returns the history index of the changed completion,
// or nullopt when no read has such writes before it.
std::optional<int64_t> InjectStaleRead(History& history, int64_t not_before = 0);

struct KvGenOptions {
    size_t ops = 1000;      // Operations (each an invoke and a completion).
    size_t keys = 10;       // Keys, named "0", "1", ... as in Porcupine's kv histories.
    size_t clients = 10;    // Client slots with an operation in flight at once.
    double info_probability = 0.02;
    double get_fraction = 0.5;     // The rest splits append 70% / put 30%.
};

// Generates a linearizable history of Porcupine's kv shape: get, put and append on string
// values. Every put and append writes a token unique in the history, "x <process> <n> y", so a
// key's value is a concatenation of tokens and the last token names the last put or append.
History GenerateKvHistory(Random& rng, const KvGenOptions& options);

// Makes one ok get return an earlier get's value although a put or append on its key ran
// entirely between them: get G0 returned v (not null) and completed before ok write W
// invoked, W completed before get G invoked, and G now returns v. The last token of v names
// the write the key's value ended with at G0, and W must come after it and before G, so no
// linearization explains G. G is the first such get invoked at or after `not_before`. Returns
// the history index of G's completion, or nullopt when no get has such a pair before it.
std::optional<int64_t> InjectStaleGet(History& history, int64_t not_before = 0);

// Loses one acknowledged append: an ok append A of token t, and an ok get G invoked after A
// completed whose value contains t and more, with no put or cas on the key (of any outcome but fail)
// that could take effect between A's invoke and G's completion. In every linearization the
// key's value at G then still holds t. The token is removed from every get of the key that
// saw it, as if the store dropped it. G is the first such get invoked at or after
// `not_before`. Returns the history index of G's completion, or nullopt when there is none.
std::optional<int64_t> InjectLostAppend(History& history, int64_t not_before = 0);

struct ListAppendGenOptions {
    size_t txns = 1000;
    size_t concurrency = 10;
    size_t active_keys = 8;           // Keys in use at once; a full key is replaced by a new one.
    size_t appends_per_key_max = 32;  // Bounds list length (and so read sizes).
    size_t micro_ops_max = 4;         // Micro-ops per transaction: 1..max.
    double info_probability = 0.01;
    double fail_probability = 0.01;  // Aborted: no effect, reported as fail.
};

// Generates a serializable (indeed strictly serializable) list-append history.
History GenerateListAppendHistory(Random& rng, const ListAppendGenOptions& options);

}  // namespace orrery::jepsen::checker
