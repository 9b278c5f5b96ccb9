// Tests of the replicated MVCC state machine (txn_state_machine.h through KvStateMachine):
// golden scripts testdata/txn_*.txt (commits, aborts, autocommit, sessions, restart, snapshot
// install, the mvcc.snapshot-only bug) and a property: a crash at any batch boundary leaves a
// state equal to a fresh replay of exactly the entries the applied index names, aborts included.
#include "node/txn_state_machine.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <sstream>

#include "mvcc/commit_request.h"
#include "node/client_protocol.h"
#include "node/kv_state_machine.h"
#include "storage/memory_engine.h"
#include "testkit/golden.h"

namespace orrery::node {
namespace {

raft::Entry Entry(uint64_t index, const Command& c) {
    return raft::Entry{Term(1), LogIndex(index), raft::EntryType::kNormal, EncodeCommand(c)};
}

// "k1:v1,k2:-" -> writes (":-" deletes), sorted as CommitRequest wants.
std::vector<mvcc::Write> ParseWrites(const std::string& text) {
    std::map<std::string, std::optional<std::string>> sorted;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (item.empty()) continue;
        size_t colon = item.find(':');
        std::string value = item.substr(colon + 1);
        sorted[item.substr(0, colon)] = value == "-" ? std::nullopt : std::optional(value);
    }
    std::vector<mvcc::Write> out;
    for (auto& [k, v] : sorted) out.push_back(mvcc::Write{k, v});
    return out;
}

std::vector<std::string> ParseKeys(const std::string& text) {
    std::set<std::string> sorted;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (!item.empty()) sorted.insert(item);
    }
    return {sorted.begin(), sorted.end()};
}

Command TxnCommand(uint64_t client, uint64_t seq, const mvcc::CommitRequest& req, bool autocommit) {
    Command c;
    c.op = autocommit ? CommandOp::kTxnAutocommit : CommandOp::kTxn;
    c.client_id = client;
    c.seq = seq;
    c.key = "txn";
    c.value = mvcc::EncodeCommitRequest(req);
    return c;
}

// Every engine record, for comparing two states byte for byte.
std::string Dump(storage::Engine& engine) {
    std::string out;
    auto it = engine.Scan(storage::ScanOptions{});
    for (; it->Valid(); it->Next()) out += fmt::format("{}={};", it->key(), it->value());
    return out;
}

class Harness {
public:
    Result<std::string> Run(const testkit::GoldenCommand& cmd) {
        if (cmd.name == "open") {
            options_ = {};
            options_.txn.bug_snapshot_only =
                !cmd.args.empty() && cmd.args[0] == "mvcc.snapshot-only";
            sm_.reset();
            engine_ = std::make_unique<storage::MemoryEngine>();
            return Reopen();
        }
        if (!sm_) return Status::InvalidArgument("open first");
        if (cmd.name == "commit" || cmd.name == "autocommit") return Commit(cmd);
        if (cmd.name == "gc") {
            Command c{CommandOp::kTxnGc, static_cast<uint64_t>(cmd.GetInt("client", 9)),
                      static_cast<uint64_t>(cmd.GetInt("seq", 1)), "gc", cmd.Get("keep"), ""};
            last_.clear();
            sm_->Apply(Entry(sm_->applied_index().value() + 1, c));
            return fmt::format("{}\ncollected={}", last_, sm_->txn().versions_collected());
        }
        if (cmd.name == "read") return Read(cmd);
        if (cmd.name == "restart") {
            sm_.reset();
            return Reopen();
        }
        if (cmd.name == "install") {  // Snapshot this machine, restore it into a fresh one.
            ORRERY_ASSIGN_OR_RETURN(std::string snap, sm_->Snapshot());
            LogIndex index = sm_->applied_index();
            sm_.reset();
            engine_ = std::make_unique<storage::MemoryEngine>();
            ORRERY_RETURN_IF_ERROR(Reopen().status());
            ORRERY_RETURN_IF_ERROR(sm_->Restore(index, snap));
            return Status();
        }
        if (cmd.name == "status") return Status();
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

private:
    Result<std::string> Reopen() {
        ORRERY_ASSIGN_OR_RETURN(sm_, KvStateMachine::Open(*engine_, options_));
        sm_->SetApplyListener([this](LogIndex i, const Command& c, const CommandReply& r, bool d) {
            last_ = fmt::format("{}: c{}#{} {} -> {}{}{}", i, c.client_id, c.seq,
                                CommandOpName(c.op), ReplyCodeName(r.code),
                                r.value.empty() ? "" : " " + r.value, d ? " (duplicate)" : "");
        });
        return Status();
    }

    std::string Status() {
        return fmt::format("applied={} version={} commits={} aborts={}", sm_->applied_index(),
                           sm_->txn().last_version(), sm_->txn().commits(), sm_->txn().aborts());
    }

    Result<std::string> Commit(const testkit::GoldenCommand& cmd) {
        mvcc::CommitRequest req;
        req.snapshot_version = static_cast<uint64_t>(cmd.GetInt("snapshot", 0));
        req.writes = ParseWrites(cmd.Get("set"));
        req.read_keys = ParseKeys(cmd.Get("read"));
        if (cmd.kv.count("scan")) {
            std::string r = cmd.Get("scan");
            size_t dash = r.find('-');
            req.read_ranges.push_back(mvcc::KeyRange{r.substr(0, dash), r.substr(dash + 1)});
        }
        req.read_only = req.writes.empty();
        Command c = TxnCommand(static_cast<uint64_t>(cmd.GetInt("client", 1)),
                               static_cast<uint64_t>(cmd.GetInt("seq", 1)), req,
                               cmd.name == "autocommit");
        last_.clear();
        sm_->Apply(Entry(sm_->applied_index().value() + 1, c));
        return last_;
    }

    Result<std::string> Read(const testkit::GoldenCommand& cmd) {
        auto snapshot = static_cast<mvcc::Version>(cmd.GetInt("at", 0));
        ORRERY_ASSIGN_OR_RETURN(auto pairs, sm_->txn().Scan("", "", 100, snapshot));
        std::string out = fmt::format("v{}:", snapshot);
        for (const auto& [k, v] : pairs) out += fmt::format(" {}={}", k, v);
        return out;
    }

    KvStateMachineOptions options_;
    std::unique_ptr<storage::MemoryEngine> engine_;
    std::unique_ptr<KvStateMachine> sm_;
    std::string last_;
};

TEST_CASE("txn state machine golden scripts", "[node]") {
    for (const auto& file : testkit::ListGoldenFiles("testdata", ".txt")) {
        if (file.find("txn_") == std::string::npos) continue;
        Harness h;
        testkit::RunGoldenFile(file, [&](const testkit::GoldenCommand& c) { return h.Run(c); });
    }
}

// An engine whose crash keeps a prefix of the batches written (engine.h's contract).
class PrefixEngine final : public storage::Engine {
public:
    PrefixEngine() : live_(std::make_unique<storage::MemoryEngine>()) {}
    Result<std::string> Get(std::string_view key) override { return live_->Get(key); }
    Status Write(const storage::WriteBatch& batch, bool sync) override {
        if (fail_writes_) return Status::IOError("injected write failure");
        ORRERY_RETURN_IF_ERROR(live_->Write(batch, sync));
        batches_.push_back(batch);
        return Status::Ok();
    }
    std::unique_ptr<storage::Iterator> Scan(const storage::ScanOptions& o) override {
        return live_->Scan(o);
    }
    Status Sync() override { return Status::Ok(); }
    storage::EngineStatus GetStatus() override { return live_->GetStatus(); }
    size_t batches() const { return batches_.size(); }
    void FailWrites(bool fail) { fail_writes_ = fail; }
    void Crash(size_t keep) {
        batches_.resize(keep);
        live_ = std::make_unique<storage::MemoryEngine>();
        for (const auto& b : batches_) ORRERY_ASSERT(live_->Write(b).ok());
    }

private:
    std::unique_ptr<storage::MemoryEngine> live_;
    std::vector<storage::WriteBatch> batches_;
    bool fail_writes_ = false;
};

// A random transaction command over keys a..d: reads some keys, writes some, from a snapshot
// at or below the number of entries before it (so many abort), sometimes a retried duplicate.
Command GenTxn(uint64_t index, uint64_t* seq) {
    mvcc::CommitRequest req;
    req.snapshot_version = *rc::gen::inRange<uint64_t>(0, index);
    std::set<std::string> reads, writes;
    for (const char* k : {"a", "b", "c", "d"}) {
        if (*rc::gen::inRange(0, 3) == 0) reads.insert(k);
        if (*rc::gen::inRange(0, 3) == 0) writes.insert(k);
    }
    if (writes.empty()) writes.insert("a");
    for (const auto& k : writes) req.writes.push_back(mvcc::Write{k, std::to_string(index)});
    req.read_keys.assign(reads.begin(), reads.end());
    bool retry = *seq > 0 && *rc::gen::inRange(0, 5) == 0;
    if (!retry) ++*seq;
    return TxnCommand(1, *seq, req, *rc::gen::inRange(0, 4) == 0);
}

TEST_CASE("the applied index is atomic with MVCC commits and aborts", "[node]") {
    rc::prop("a crash at any batch boundary == replay of entries 1..applied", [] {
        int n = *rc::gen::inRange(1, 30);
        std::vector<raft::Entry> entries;
        uint64_t seq = 0;
        for (int i = 1; i <= n; ++i) entries.push_back(Entry(i, GenTxn(i, &seq)));
        PrefixEngine engine;
        auto sm = KvStateMachine::Open(engine);
        RC_ASSERT(sm.ok());
        for (const auto& e : entries) (*sm)->Apply(e);
        std::string full = Dump(engine);
        size_t keep = *rc::gen::inRange<size_t>(0, engine.batches() + 1);
        sm->reset();
        engine.Crash(keep);
        auto reopened = KvStateMachine::Open(engine);
        RC_ASSERT(reopened.ok());
        uint64_t applied = (*reopened)->applied_index().value();
        RC_ASSERT(applied == keep);  // One batch per entry, aborts included.
        storage::MemoryEngine fresh_engine;
        auto fresh = KvStateMachine::Open(fresh_engine);
        for (uint64_t i = 0; i < applied; ++i) (*fresh)->Apply(entries[i]);
        RC_ASSERT(Dump(engine) == Dump(fresh_engine));
        RC_ASSERT((*reopened)->txn().last_version() == (*fresh)->txn().last_version());
        for (uint64_t i = applied; i < entries.size(); ++i) (*reopened)->Apply(entries[i]);
        RC_ASSERT(Dump(engine) == full);
    });
}

TEST_CASE("a machine frozen by a failed write keeps pace with Raft and recovers", "[node]") {
    // Raft's apply loop requires progress; the host halts and reopens from the engine.
    PrefixEngine engine;
    auto sm = KvStateMachine::Open(engine).value();
    uint64_t seq = 0;
    mvcc::CommitRequest req;
    req.writes.push_back(mvcc::Write{"a", "1"});
    sm->Apply(Entry(1, TxnCommand(1, ++seq, req, true)));
    REQUIRE(sm->health().ok());
    engine.FailWrites(true);
    sm->Apply(Entry(2, TxnCommand(1, ++seq, req, true)));
    sm->Apply(Entry(3, TxnCommand(1, ++seq, req, true)));
    CHECK(!sm->health().ok());
    CHECK(sm->applied_index() == LogIndex(3));  // Kept pace, applied nothing.
    engine.FailWrites(false);
    sm.reset();
    auto reopened = KvStateMachine::Open(engine).value();
    CHECK(reopened->applied_index() == LogIndex(1));  // Raft re-applies 2 and 3.
    CHECK(reopened->txn().last_version() == 1);
}

TEST_CASE("transaction requests, replies and commands round-trip", "[node]") {
    ClientRequest get;
    get.client_id = 7;
    get.seq = 3;
    get.op = RequestOp::kTxnScan;
    get.key = "a";
    get.end = "b";
    get.limit = 10;
    get.snapshot = 12345;
    std::string bytes = EncodeRequest(get);
    auto back = DecodeClientMessage(bytes);
    REQUIRE(back.ok());
    REQUIRE(back->request.has_value());
    CHECK(*back->request == get);
    CHECK(DescribeDatagram(Frame(Channel::kClient, bytes)) ==
          "Txn-scan c7#3 [a,b)@v12345 limit=10");
    // Only txn-get and txn-scan carry the snapshot field; other requests keep their layout.
    get.op = RequestOp::kScan;
    std::string plain = EncodeRequest(get);
    CHECK(plain.size() < bytes.size());

    ClientRequest commit;
    commit.client_id = 7;
    commit.seq = 4;
    commit.op = RequestOp::kTxnCommit;
    commit.key = "txn";
    commit.value = mvcc::EncodeCommitRequest(mvcc::CommitRequest{});
    CHECK(commit.is_write());
    CHECK(DecodeClientMessage(EncodeRequest(commit))->request == commit);

    ClientReply aborted;
    aborted.client_id = 7;
    aborted.seq = 4;
    aborted.code = ReplyCode::kAborted;
    aborted.message = "serialization failure";
    CHECK(DecodeClientMessage(EncodeReply(aborted))->reply == aborted);
    CHECK(DecodeCommandReply(EncodeCommandReply({ReplyCode::kAborted, "x"}))->code ==
          ReplyCode::kAborted);

    Command c = TxnCommand(9, 1, mvcc::CommitRequest{}, /*autocommit=*/true);
    CHECK(DecodeCommand(EncodeCommand(c)).value() == c);
}

}  // namespace
}  // namespace orrery::node
