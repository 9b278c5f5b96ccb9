// Tests of the KV state machine: commands and sessions (golden scripts in testdata/), the applied
// index written atomically with the state (crash at any batch boundary -> consistent), and
// snapshots.
#include "node/kv_state_machine.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include "node/client_protocol.h"
#include "storage/memory_engine.h"
#include "testkit/golden.h"

namespace orrery::node {
namespace {

// An engine that remembers every batch, so a test can "crash" it: the rebuilt engine holds a
// prefix of the batches that includes every batch written before the last Sync (engine.h).
class CrashableEngine final : public storage::Engine {
public:
    CrashableEngine() : live_(std::make_unique<storage::MemoryEngine>()) {}

    Result<std::string> Get(std::string_view key) override { return live_->Get(key); }
    Status Write(const storage::WriteBatch& batch, bool sync) override {
        ORRERY_RETURN_IF_ERROR(live_->Write(batch));
        batches_.push_back(batch);
        if (sync) synced_ = batches_.size();
        return Status::Ok();
    }
    std::unique_ptr<storage::Iterator> Scan(const storage::ScanOptions& o) override {
        return live_->Scan(o);
    }
    Status Sync() override {
        synced_ = batches_.size();
        return Status::Ok();
    }
    storage::EngineStatus GetStatus() override { return live_->GetStatus(); }

    size_t batches() const { return batches_.size(); }
    size_t synced() const { return synced_; }

    // Power loss: keeps the first `keep` batches. REQUIRES: synced() <= keep <= batches().
    void Crash(size_t keep) {
        ORRERY_ASSERT(keep >= synced_ && keep <= batches_.size());
        batches_.resize(keep);
        live_ = std::make_unique<storage::MemoryEngine>();
        for (const auto& b : batches_) ORRERY_ASSERT(live_->Write(b).ok());
    }

private:
    std::unique_ptr<storage::MemoryEngine> live_;
    std::vector<storage::WriteBatch> batches_;
    size_t synced_ = 0;
};

raft::Entry NormalEntry(uint64_t index, const Command& c) {
    return raft::Entry{Term(1), LogIndex(index), raft::EntryType::kNormal, EncodeCommand(c)};
}

// The golden-script interpreter: one engine and one state machine, applied by hand.
class Harness {
public:
    Result<std::string> Run(const testkit::GoldenCommand& cmd) {
        if (cmd.name == "open") return Open(cmd);
        if (!sm_) return Status::InvalidArgument("open first");
        if (cmd.name == "apply") return ApplyCmd(cmd);
        if (cmd.name == "noop") {
            sm_->Apply({Term(1), sm_->applied_index() + 1, raft::EntryType::kNoop, ""});
            return fmt::format("applied={}", sm_->applied_index());
        }
        if (cmd.name == "get") {
            auto v = sm_->Get(cmd.args.at(0));
            if (!v.ok()) return v.status();
            return fmt::format("{} = {}", cmd.args.at(0), *v);
        }
        if (cmd.name == "scan") return ScanCmd();
        if (cmd.name == "lookup") return LookupCmd(cmd);
        if (cmd.name == "status") {
            return fmt::format("applied={} commands={} duplicates={} sessions={}",
                               sm_->applied_index(), sm_->commands_applied(),
                               sm_->duplicates_suppressed(), sm_->session_count());
        }
        if (cmd.name == "restart") {  // Reopen on the same engine (nothing lost: memory).
            sm_.reset();
            ORRERY_ASSIGN_OR_RETURN(sm_, KvStateMachine::Open(*engine_, options_));
            Listen();
            return fmt::format("applied={}", sm_->applied_index());
        }
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

private:
    Result<std::string> Open(const testkit::GoldenCommand& cmd) {
        options_ = {};
        for (const auto& a : cmd.args) {
            if (a != "kv.no-dedup") return Status::InvalidArgument("unknown bug " + a);
            options_.bug_no_dedup = true;
        }
        sm_.reset();
        engine_ = std::make_unique<storage::MemoryEngine>();
        ORRERY_ASSIGN_OR_RETURN(sm_, KvStateMachine::Open(*engine_, options_));
        Listen();
        return std::string();
    }

    void Listen() {
        sm_->SetApplyListener([this](LogIndex i, const Command& c, const CommandReply& r, bool dup) {
            last_ = fmt::format("{}: {} -> {}{}{}", i, DescribeCommand(c), ReplyCodeName(r.code),
                                r.value.empty() ? "" : " " + r.value, dup ? " (duplicate)" : "");
        });
    }

    Result<std::string> ApplyCmd(const testkit::GoldenCommand& cmd) {
        Command c;
        std::string op = cmd.args.at(0);
        c.op = op == "put" ? CommandOp::kPut : op == "delete" ? CommandOp::kDelete : CommandOp::kCas;
        c.client_id = static_cast<uint64_t>(cmd.GetInt("client", 0));
        c.seq = static_cast<uint64_t>(cmd.GetInt("seq", 0));
        c.key = cmd.Get("key");
        c.value = cmd.Get("value");
        c.expected = cmd.Get("expected");
        last_.clear();
        sm_->Apply(NormalEntry(sm_->applied_index().value() + 1, c));
        return last_;
    }

    Result<std::string> ScanCmd() {
        ORRERY_ASSIGN_OR_RETURN(auto pairs, sm_->Scan("", "", kMaxScanLimit));
        std::string out;
        for (const auto& [k, v] : pairs) out += fmt::format("{} = {}\n", k, v);
        return out;
    }

    Result<std::string> LookupCmd(const testkit::GoldenCommand& cmd) {
        SessionLookup s = sm_->LookupSession(static_cast<uint64_t>(cmd.GetInt("client", 0)),
                                             static_cast<uint64_t>(cmd.GetInt("seq", 0)));
        switch (s.kind) {
            case SessionLookup::Kind::kNew: return std::string("new");
            case SessionLookup::Kind::kStale: return std::string("stale");
            case SessionLookup::Kind::kDuplicate:
                return fmt::format("duplicate: {}", ReplyCodeName(s.reply.code));
        }
        return std::string();
    }

    KvStateMachineOptions options_;
    std::unique_ptr<storage::MemoryEngine> engine_;
    std::unique_ptr<KvStateMachine> sm_;
    std::string last_;
};

// A random command over a few keys and clients; seq is sometimes a retry of an earlier one.
Command GenCommand(std::map<uint64_t, uint64_t>* next_seq) {
    Command c;
    c.op = *rc::gen::element(CommandOp::kPut, CommandOp::kDelete, CommandOp::kCas);
    c.client_id = *rc::gen::inRange<uint64_t>(1, 4);
    uint64_t& next = (*next_seq)[c.client_id];
    if (next == 0) next = 1;
    bool retry = next > 1 && *rc::gen::inRange(0, 4) == 0;
    c.seq = retry ? *rc::gen::inRange<uint64_t>(1, next) : next++;
    c.key = *rc::gen::element<std::string>("a", "b", "c");
    c.value = std::to_string(*rc::gen::inRange(0, 4));
    c.expected = std::to_string(*rc::gen::inRange(0, 4));
    return c;
}

std::string Fingerprint(KvStateMachine& sm) {
    auto snap = sm.Snapshot();
    ORRERY_ASSERT(snap.ok());
    return *snap;
}

}  // namespace

TEST_CASE("kv state machine golden scripts", "[node]") {
    for (const auto& file : testkit::ListGoldenFiles("testdata", ".txt")) {
        if (file.find("sm_") == std::string::npos) continue;
        Harness h;
        testkit::RunGoldenFile(file, [&](const testkit::GoldenCommand& c) { return h.Run(c); });
    }
}

TEST_CASE("the applied index is atomic with the state it describes", "[node]") {
    rc::prop("a crash at any batch boundary leaves state == replay of entries 1..applied", [] {
        std::map<uint64_t, uint64_t> next_seq;
        int n = *rc::gen::inRange(1, 40);
        std::vector<raft::Entry> entries;
        for (int i = 1; i <= n; ++i) {
            bool noop = *rc::gen::inRange(0, 8) == 0;
            entries.push_back(noop ? raft::Entry{Term(1), LogIndex(i), raft::EntryType::kNoop, ""}
                                   : NormalEntry(i, GenCommand(&next_seq)));
        }
        CrashableEngine engine;
        auto sm = KvStateMachine::Open(engine);
        RC_ASSERT(sm.ok());
        int snapshot_at = *rc::gen::inRange(0, n + 1);  // Snapshot() syncs the engine.
        for (const auto& e : entries) {
            (*sm)->Apply(e);
            if (static_cast<int>(e.index.value()) == snapshot_at) Fingerprint(**sm);
        }
        std::string before_crash = Fingerprint(**sm);
        // Snapshot() synced; crash to any prefix at or after the last sync before it.
        size_t keep = *rc::gen::inRange(engine.synced(), engine.batches() + 1);
        sm->reset();
        engine.Crash(keep);
        auto reopened = KvStateMachine::Open(engine);
        RC_ASSERT(reopened.ok());
        uint64_t applied = (*reopened)->applied_index().value();
        RC_ASSERT(applied == keep);  // One batch per entry, so the index names the prefix.
        // The recovered state equals a fresh replay of exactly the entries it claims.
        storage::MemoryEngine fresh_engine;
        auto fresh = KvStateMachine::Open(fresh_engine);
        for (uint64_t i = 0; i < applied; ++i) (*fresh)->Apply(entries[i]);
        RC_ASSERT(Fingerprint(**reopened) == Fingerprint(**fresh));
        // Raft re-applies the rest; the result is what no crash would have given.
        for (uint64_t i = applied; i < entries.size(); ++i) (*reopened)->Apply(entries[i]);
        RC_ASSERT(Fingerprint(**reopened) == before_crash);
    });
}

TEST_CASE("restore from a snapshot replaces the whole state", "[node]") {
    rc::prop("restore(snapshot(A)) then the same entries == A", [] {
        std::map<uint64_t, uint64_t> next_seq;
        int n = *rc::gen::inRange(2, 30);
        int cut = *rc::gen::inRange(1, n);
        storage::MemoryEngine ea, eb;
        auto a = KvStateMachine::Open(ea);
        auto b = KvStateMachine::Open(eb);
        std::map<uint64_t, uint64_t> junk_seq;
        for (int i = 1; i <= 5; ++i) (*b)->Apply(NormalEntry(i, GenCommand(&junk_seq)));
        std::vector<raft::Entry> entries;
        for (int i = 1; i <= n; ++i) entries.push_back(NormalEntry(i, GenCommand(&next_seq)));
        for (int i = 0; i < cut; ++i) (*a)->Apply(entries[i]);
        auto snap = (*a)->Snapshot();
        RC_ASSERT(snap.ok());
        RC_ASSERT((*b)->Restore(LogIndex(cut), *snap).ok());
        RC_ASSERT((*b)->applied_index() == LogIndex(cut));
        for (int i = cut; i < n; ++i) {
            (*a)->Apply(entries[i]);
            (*b)->Apply(entries[i]);
        }
        RC_ASSERT(Fingerprint(**a) == Fingerprint(**b));
    });
}

TEST_CASE("a damaged snapshot is refused and changes nothing", "[node]") {
    storage::MemoryEngine e;
    auto sm = KvStateMachine::Open(e);
    REQUIRE(sm.ok());
    (*sm)->Apply(NormalEntry(1, {CommandOp::kPut, 1, 1, "k", "v", ""}));
    std::string snap = *(*sm)->Snapshot();
    std::string bad = snap;
    bad[bad.size() / 2] ^= 0x10;
    CHECK((*sm)->Restore(LogIndex(1), bad).Is(Code::kCorruption));
    CHECK((*sm)->Restore(LogIndex(2), snap).Is(Code::kCorruption));  // Index mismatch.
    CHECK((*sm)->Restore(LogIndex(1), snap.substr(0, 5)).Is(Code::kCorruption));
    CHECK(*(*sm)->Get("k") == "v");
    CHECK((*sm)->applied_index() == LogIndex(1));
}

}  // namespace orrery::node
