// InvariantChecker tests: each property, when broken on purpose over hand-made node states, is
// reported; and the checker's work is incremental (it looks only at entries that are new since
// the last check, or at a whole log again after that log was rewritten).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "raft/invariants.h"

namespace orrery::raft {
namespace {

// A RaftNode whose introspected state a test sets directly; the protocol calls do nothing.
class FakeNode final : public RaftNode {
public:
    explicit FakeNode(uint32_t id) : id_(id) {}

    // Appends an entry of `term` carrying `data` at the end of the log.
    void Add(uint64_t term, std::string data) {
        log_.push_back(Entry{Term(term), last_index() + 1, EntryType::kNormal, std::move(data)});
    }
    // Drops entries >= i (a rewrite, as the LogStore counts it).
    void TruncateFrom(uint64_t i) {
        while (!log_.empty() && log_.back().index >= LogIndex(i)) log_.pop_back();
        ++rewrites_;
    }

    Role role_ = Role::kFollower;
    Term term_ = Term(1);
    LogIndex commit_;
    LogIndex applied_;
    std::optional<std::pair<Term, NodeId>> promised_;
    std::vector<NodeId> voters_;  // Empty: the commit-safety check has nobody to count.

    void Step(NodeId, std::string_view) override {}
    void Tick() override {}
    Result<LogIndex> Propose(std::string) override { return Status::NotLeader("fake"); }
    void ReadIndex(std::function<void(Status)>) override {}
    Status Ready() override { return Status::Ok(); }
    Result<LogIndex> AddLearner(NodeId) override { return Status::NotLeader("fake"); }
    Result<LogIndex> PromoteLearner(NodeId) override { return Status::NotLeader("fake"); }
    Result<LogIndex> RemoveServer(NodeId) override { return Status::NotLeader("fake"); }
    Status TransferLeadership(NodeId) override { return Status::NotLeader("fake"); }
    void Campaign() override {}
    NodeId id() const override { return id_; }
    Role role() const override { return role_; }
    Term term() const override { return term_; }
    std::optional<NodeId> voted_for() const override { return std::nullopt; }
    std::optional<std::pair<Term, NodeId>> promised_vote() const override { return promised_; }
    std::optional<NodeId> leader() const override { return std::nullopt; }
    LogIndex commit_index() const override { return commit_; }
    LogIndex applied_index() const override { return applied_; }
    LogIndex last_index() const override { return LogIndex(log_.size()); }
    Term last_term() const override { return log_.empty() ? Term(0) : log_.back().term; }
    LogIndex first_index() const override { return LogIndex(1); }
    LogIndex snapshot_index() const override { return LogIndex(0); }
    std::optional<Entry> EntryAt(LogIndex i) const override {
        const Entry* e = FindEntry(i);
        return e ? std::optional<Entry>(*e) : std::nullopt;
    }
    const Entry* FindEntry(LogIndex i) const override {
        if (i < LogIndex(1) || i > last_index()) return nullptr;
        return &log_[i.value() - 1];
    }
    uint64_t log_rewrites() const override { return rewrites_; }
    std::vector<NodeId> voters() const override { return voters_; }
    std::vector<NodeId> learners() const override { return {}; }

private:
    NodeId id_;
    std::vector<Entry> log_;
    uint64_t rewrites_ = 0;
};

std::string Check(InvariantChecker& c, const std::vector<const RaftNode*>& nodes) {
    Status s = c.Check(nodes);
    return s.ok() ? "ok" : std::string(s.message());
}

TEST_CASE("invariants: one (index, term) with two payloads breaks log matching", "[raft]") {
    FakeNode a(1), b(2);
    a.Add(1, "x");
    a.Add(1, "y");
    b.Add(1, "x");
    b.Add(1, "z");
    InvariantChecker c;
    CHECK(Check(c, {&a, &b}) == "log matching: n2 and n1 hold different entries at 2@1");
}

TEST_CASE("invariants: one (index, term) after two different terms breaks log matching",
          "[raft]") {
    FakeNode a(1), b(2);
    a.Add(1, "x");
    a.Add(2, "y");
    b.Add(2, "w");
    b.Add(2, "y");
    InvariantChecker c;
    CHECK(Check(c, {&a, &b}) == "log matching: 2@2 follows term 2 on n2 but term 1 on n1");
}

TEST_CASE("invariants: the conflict is caught even when the two logs never coexist", "[raft]") {
    FakeNode a(1);
    a.Add(1, "x");
    InvariantChecker c;
    CHECK(Check(c, {&a}) == "ok");
    FakeNode b(2);  // a crashed; b shows another entry 1@1.
    b.Add(1, "other");
    CHECK(Check(c, {&b}) == "log matching: n2 and n1 hold different entries at 1@1");
}

TEST_CASE("invariants: a rewritten log is verified again from its start", "[raft]") {
    FakeNode a(1), b(2);
    for (FakeNode* n : {&a, &b}) {
        n->Add(1, "x");
        n->Add(1, "y");
    }
    InvariantChecker c;
    REQUIRE(Check(c, {&a, &b}) == "ok");
    b.TruncateFrom(2);
    b.Add(1, "evil");  // Same index and term as a's entry 2, other bytes.
    CHECK(Check(c, {&a, &b}) == "log matching: n2 and n1 hold different entries at 2@1");
}

TEST_CASE("invariants: log matching costs O(new entries) per check", "[raft]") {
    std::vector<FakeNode> nodes{FakeNode(1), FakeNode(2), FakeNode(3)};
    std::vector<const RaftNode*> view;
    for (FakeNode& n : nodes) view.push_back(&n);
    InvariantChecker c;
    for (int i = 0; i < 1000; ++i) {
        for (FakeNode& n : nodes) n.Add(1, "cmd" + std::to_string(i));
        REQUIRE(Check(c, view) == "ok");
    }
    // Each entry of each log examined once: 3,000, not the ~1.5 million a pairwise rescan of
    // whole logs after every append would cost.
    CHECK(c.entries_examined() == 3000);
    nodes[2].TruncateFrom(1001);  // A rewrite that removed nothing still forces a full rescan.
    REQUIRE(Check(c, view) == "ok");
    CHECK(c.entries_examined() == 4000);
}

TEST_CASE("invariants: leader completeness, checked in full and then incrementally", "[raft]") {
    FakeNode leader(1), old(2);
    leader.Add(1, "a");
    leader.role_ = Role::kLeader;
    leader.term_ = Term(2);
    InvariantChecker c;
    REQUIRE(Check(c, {&leader}) == "ok");  // Leadership in term 2 fully checked here.
    // n2, still in term 1, commits 1@1 and 2@1; the leader of term 2 lacks 2@1.
    old.Add(1, "a");
    old.Add(1, "b");
    old.commit_ = LogIndex(2);
    CHECK(Check(c, {&leader, &old}) ==
          "leader completeness: leader n1 of term 2 lacks committed entry 2@1");
}

TEST_CASE("invariants: election safety, commit regress, apply beyond commit", "[raft]") {
    FakeNode a(1), b(2);
    a.role_ = b.role_ = Role::kLeader;
    InvariantChecker c;
    CHECK(Check(c, {&a, &b}) == "election safety: n1 and n2 both leaders in term 1");

    FakeNode d(4);
    d.Add(1, "x");
    d.commit_ = d.applied_ = LogIndex(1);
    InvariantChecker c2;
    REQUIRE(Check(c2, {&d}) == "ok");
    d.commit_ = LogIndex(0);
    CHECK(Check(c2, {&d}) == "commit index of n4 went back from 1 to 0");
    c2.OnRestart(NodeId(4));  // A restarted node may re-learn its commit index from below.
    d.applied_ = LogIndex(0);
    CHECK(Check(c2, {&d}) == "ok");
    d.applied_ = LogIndex(1);
    CHECK(Check(c2, {&d}) == "n4 applied 1 beyond its commit index 0");
}

TEST_CASE("invariants: two nodes applying different entries at one index", "[raft]") {
    FakeNode a(1), b(2);
    a.Add(1, "x");
    b.Add(2, "y");
    a.commit_ = a.applied_ = LogIndex(1);
    b.commit_ = b.applied_ = LogIndex(1);
    b.term_ = Term(2);
    InvariantChecker c;
    CHECK(Check(c, {&a, &b}) == "state machine safety: n2 committed 1@2 but n1 committed 1@1");
}

TEST_CASE("invariants: a node promises one candidate per term, across its crashes", "[raft]") {
    FakeNode a(3);
    InvariantChecker c;
    a.promised_ = std::make_pair(Term(4), NodeId(1));
    REQUIRE(Check(c, {&a}) == "ok");
    c.OnRestart(NodeId(3));  // The same vote remembered after a restart is fine...
    REQUIRE(Check(c, {&a}) == "ok");
    a.promised_ = std::make_pair(Term(5), NodeId(2));  // ...and so is a new vote in a new term.
    REQUIRE(Check(c, {&a}) == "ok");
    c.OnRestart(NodeId(3));  // raft.forget-vote: the vote of term 5 did not survive the crash.
    a.promised_ = std::make_pair(Term(5), NodeId(4));
    CHECK(Check(c, {&a}) == "vote safety: n3 voted for n2 and then for n4 in term 5");
}

// Figure 8 (c): n1, leader of term 4, has replicated 2@2 to n2 and n3 and commits it by counting
// replicas; n5 holds 2@3 and, being more up to date than everyone, could still win an election
// and erase 2@2 (Figure 8 (d)).
struct Figure8 {
    FakeNode n1{1}, n2{2}, n3{3}, n4{4}, n5{5};
    std::vector<const RaftNode*> all() { return {&n1, &n2, &n3, &n4, &n5}; }
    Figure8() {
        for (FakeNode* n : {&n1, &n2, &n3, &n4, &n5}) {
            n->voters_ = {NodeId(1), NodeId(2), NodeId(3), NodeId(4), NodeId(5)};
            n->Add(1, "a");
            n->commit_ = n->applied_ = LogIndex(1);
        }
        for (FakeNode* n : {&n1, &n2, &n3}) n->Add(2, "b");
        n5.Add(3, "c");
        n1.role_ = Role::kLeader;
        n1.term_ = n2.term_ = n3.term_ = n4.term_ = Term(4);
        n5.term_ = Term(3);
    }
};

TEST_CASE("invariants: committing an old-term entry a more up-to-date node lacks", "[raft]") {
    Figure8 f;
    InvariantChecker c;
    REQUIRE(Check(c, f.all()) == "ok");
    f.n1.commit_ = LogIndex(2);
    CHECK(Check(c, f.all()) ==
          "commit safety: leader n1 of term 4 committed 2@2, but n5, whose log lacks it, could "
          "still be elected by n1,n2,n3,n4,n5");
}

TEST_CASE("invariants: commit safety remembers the log of a node that is down", "[raft]") {
    Figure8 f;
    InvariantChecker c;
    REQUIRE(Check(c, f.all()) == "ok");  // n5 seen once with 2@3 at the end of its log...
    f.n1.commit_ = LogIndex(2);          // ...and down when n1 commits 2@2.
    CHECK(Check(c, {&f.n1, &f.n2, &f.n3, &f.n4}) ==
          "commit safety: leader n1 of term 4 committed 2@2, but n5, whose log lacks it, could "
          "still be elected by n1,n2,n3,n4,n5 (it is down; its log as last seen)");
}

TEST_CASE("invariants: a commit is safe once an entry of the leader's term is on a quorum",
          "[raft]") {
    Figure8 f;
    for (FakeNode* n : {&f.n1, &f.n2, &f.n3}) n->Add(4, "d");  // §5.4.2: commit 3@4, not 2@2.
    InvariantChecker c;
    REQUIRE(Check(c, f.all()) == "ok");
    f.n1.commit_ = LogIndex(3);
    CHECK(Check(c, f.all()) == "ok");  // n5 (last 2@3) is less up to date than n1, n2 and n3.
    f.n4.Add(2, "b");  // Holding the entry, n4 would not elect n5 either.
    CHECK(Check(c, f.all()) == "ok");
}

}  // namespace
}  // namespace orrery::raft
