// KvStateMachine: the replicated key-value store that Raft drives, stored in a storage::Engine.
//
// Raft hands it committed entries in log order; it applies each one to the engine. Three ideas
// keep it correct across crashes, retries and snapshots:
//
//  1. The applied index lives in the engine, written in the SAME WriteBatch as the state change
//     it describes. A WriteBatch is atomic and a crash keeps a prefix of batches (engine.h), so
//     after any crash the stored index names exactly the entries the stored state reflects, and
//     Raft re-applies precisely the entries after it.
//  2. Client sessions (Raft thesis §6.3): each command carries (client id, seq). The state
//     machine keeps, per client, the highest seq applied and the reply it produced, in the
//     engine (so they survive restarts and travel in snapshots). A command whose seq is not
//     above the session's is a retry that two leaders both appended: it is not applied again,
//     and its original reply is returned. Clients have one command outstanding at a time.
//  3. Snapshot() syncs the engine before it returns the state, so the engine is durable at least
//     up to the snapshot's index before Raft may discard the log entries below it.
//
// Engine key layout (one byte of namespace, then the rest):
//   'd' + user key                 -> user value
//   'm' "applied"                  -> fixed64 applied index
//   's' + fixed64 big-endian client -> varint64 seq, varint64 index applied at, cached reply
//   0x00..0x02 + ...               -> MVCC's keys (mvcc/key_codec.h), for transaction commands,
//                                     which TxnStateMachine decides (txn_state_machine.h)
//
// Bug switch (Jepsen teaching): bug_no_dedup ("kv.no-dedup") ignores sessions, so a retried
// command that reached the log twice is applied twice.
//
// Invariant: applied_index() equals the stored index after every Apply/Restore that returned
// with health() OK; after a failed engine write the machine freezes (health() is the error) and
// its host must stop (fail-stop) and recover from disk. While frozen, applied_index() follows
// Raft's apply loop without applying anything (Raft requires progress), and must not be read.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "node/kv_command.h"
#include "node/txn_state_machine.h"
#include "raft/raft.h"
#include "storage/engine.h"

namespace orrery::node {

struct KvStateMachineOptions {
    bool bug_no_dedup = false;      // kv.no-dedup: apply retried commands again.
    size_t max_sessions = 100000;   // Sessions kept; the least recently used are evicted beyond.
    int max_read_attempts = 8;      // Reads during Apply are retried on injected I/O errors.
    TxnStateMachineOptions txn;     // Includes mvcc.snapshot-only.
};

// What a session says about an incoming (client, seq) before it is proposed.
struct SessionLookup {
    enum class Kind : uint8_t { kNew, kDuplicate, kStale };
    Kind kind = Kind::kNew;
    CommandReply reply;  // kDuplicate: the cached reply of that very seq.
};

class KvStateMachine final : public raft::StateMachine {
public:
    // Called after each applied command: its index, the command, its reply, and whether it was
    // a duplicate that the session table suppressed.
    using ApplyListener = std::function<void(LogIndex index, const Command& command,
                                             const CommandReply& reply, bool duplicate)>;

    // Recovers the machine from `engine` (which outlives it): applied index and sessions.
    static Result<std::unique_ptr<KvStateMachine>> Open(storage::Engine& engine,
                                                        KvStateMachineOptions options = {});

    // raft::StateMachine.
    LogIndex applied_index() const override { return applied_; }
    void Apply(const raft::Entry& entry) override;
    Result<std::string> Snapshot() override;
    Status Restore(LogIndex index, std::string_view snapshot) override;

    // Reads the current value of key (kNotFound if absent).
    Result<std::string> Get(std::string_view key);

    // Returns up to `limit` pairs with start <= key < end ("" end: unbounded), in key order.
    Result<std::vector<std::pair<std::string, std::string>>> Scan(std::string_view start,
                                                                  std::string_view end,
                                                                  size_t limit);

    // Says whether (client, seq) was applied already. Always kNew under bug_no_dedup.
    SessionLookup LookupSession(uint64_t client_id, uint64_t seq) const;

    // The MVCC half: snapshot reads of transactions (commits arrive as commands).
    TxnStateMachine& txn() { return *txn_; }

    // Installs the listener (replacing any previous one).
    void SetApplyListener(ApplyListener listener) { listener_ = std::move(listener); }
    // Called at the start of every Restore, before the engine's contents are replaced: the
    // SQL server ends its transactions there (Mvcc::Reload requires none to be active).
    void SetRestoreListener(std::function<void()> listener) {
        restore_listener_ = std::move(listener);
    }

    // OK, or the engine error that froze the machine.
    const Status& health() const { return health_; }

    // Counters for status output and tests.
    uint64_t commands_applied() const { return commands_applied_; }
    uint64_t duplicates_suppressed() const { return duplicates_suppressed_; }
    uint64_t corrupt_commands() const { return corrupt_commands_; }
    size_t session_count() const { return sessions_.size(); }

private:
    struct Session {
        uint64_t seq = 0;
        LogIndex index;  // Where the session last applied a command (for eviction).
        CommandReply reply;
    };

    KvStateMachine(storage::Engine& engine, KvStateMachineOptions options)
        : engine_(engine), options_(options) {}

    Status Load();
    void SkipFrozen(LogIndex index);
    void ApplyCommand(LogIndex index, const Command& c, storage::WriteBatch* batch);
    CommandReply Execute(const Command& c, storage::WriteBatch* batch, Status* error);
    Result<std::string> GetWithRetry(std::string_view engine_key);
    void EvictSessions(storage::WriteBatch* batch);
    void Commit(LogIndex index, storage::WriteBatch* batch);

    storage::Engine& engine_;
    KvStateMachineOptions options_;
    LogIndex applied_;
    std::map<uint64_t, Session> sessions_;  // client id -> session (mirrors the engine).
    std::unique_ptr<TxnStateMachine> txn_;
    Status health_;
    ApplyListener listener_;
    std::function<void()> restore_listener_;
    uint64_t commands_applied_ = 0;
    uint64_t duplicates_suppressed_ = 0;
    uint64_t corrupt_commands_ = 0;
};

}  // namespace orrery::node
