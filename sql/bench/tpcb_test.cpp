// The tpcb-like workload on the embedded database: the mix runs, contended clients abort and
// uncontended ones do not, the invariant holds after a run, and the check catches a broken one.
#include "sql/bench/tpcb.h"

#include <catch2/catch.hpp>

#include "sql/embedded.h"
#include "sql/error.h"

namespace orrery::sql::bench {
namespace {

std::unique_ptr<EmbeddedDatabase> Loaded(const TpcbOptions& options) {
    auto db = EmbeddedDatabase::OpenInMemory();
    REQUIRE(db.ok());
    REQUIRE(LoadTpcbEmbedded(**db, options).ok());
    return std::move(db).value();
}

TEST_CASE("tpcb_load_script_fills_every_table") {
    TpcbOptions options{3, 7};
    auto db = Loaded(options);
    auto session = db->NewSession();
    auto count = [&](const char* q) {
        StatementOutcome o = db->Execute(*session, q);
        REQUIRE(o.ok());
        return o.value().rows.at(0).at(0).integer();
    };
    CHECK(count("SELECT COUNT(*) FROM branches") == 3);
    CHECK(count("SELECT COUNT(*) FROM tellers") == 3 * kTpcbTellersPerBranch);
    CHECK(count("SELECT COUNT(*) FROM accounts") == 7);
    // Every account belongs to an existing branch (7 / 3 leaves a remainder for the last one).
    CHECK(count("SELECT MAX(bid) FROM accounts") == 2);
    CHECK(count("SELECT COUNT(*) FROM history") == 0);
}

TEST_CASE("tpcb_single_client_commits_every_transaction") {
    TpcbOptions options{2, 100};
    auto db = Loaded(options);
    TpcbWorkload workload(options, 1, 7);
    TpcbStats stats = RunTpcbEmbedded(*db, workload, 70);  // Seven statements each: ten.
    CHECK(stats.committed == 10);
    CHECK(stats.aborted == 0);
    CHECK(stats.failed == 0);
    REQUIRE(stats.latencies_us.size() == 10);
    CHECK(stats.LatencyMs(0.5) == 0.007);  // Seven ticks of one statement each, 1 µs a tick.
    auto balances = ReadTpcbBalancesEmbedded(*db);
    REQUIRE(balances.ok());
    CHECK(balances->history_rows == 10);
    CHECK(CheckTpcbInvariant(*balances, stats.committed).ok());
}

TEST_CASE("tpcb_one_branch_interleaved_clients_abort_and_keep_the_invariant") {
    TpcbOptions options{1, 1000};
    auto db = Loaded(options);
    TpcbWorkload workload(options, 4, 11);
    TpcbStats stats = RunTpcbEmbedded(*db, workload, 200);
    INFO(FormatTpcbSummary(stats, 1.0) << " first failure: " << stats.first_failure);
    CHECK(stats.failed == 0);
    CHECK(stats.unknown == 0);
    CHECK(stats.committed > 0);
    // All four update the one branch row in overlapping transactions: first committer wins.
    CHECK(stats.aborted > 0);
    INFO(FormatTpcbAbortCauses(stats));
    CHECK(stats.abort_causes.size() == 1);
    CHECK(stats.abort_causes["write-write"] == stats.aborted);
    auto balances = ReadTpcbBalancesEmbedded(*db);
    REQUIRE(balances.ok());
    INFO(FormatTpcbBalances(*balances));
    CHECK(balances->history_rows == static_cast<int64_t>(stats.committed));
    CHECK(CheckTpcbInvariant(*balances, stats.committed).ok());
}

// Point reads and writes by primary key must read only their keys: were an UPDATE's read set its
// whole table, every pair of overlapping transactions would conflict and this run, where the
// clients' rows almost never meet (2,000 branches, 20,000 tellers and accounts), would abort most
// transactions, as the one-branch run above does.
TEST_CASE("tpcb_interleaved_clients_on_disjoint_rows_almost_never_abort") {
    TpcbOptions options{2000, 20000};
    auto db = Loaded(options);
    TpcbWorkload workload(options, 4, 11);
    TpcbStats stats = RunTpcbEmbedded(*db, workload, 350);
    INFO(FormatTpcbSummary(stats, 1.0));
    CHECK(stats.committed >= 195);
    CHECK(stats.aborted <= 2);  // Two draws meeting on a row by chance: a real conflict.
}

// Two transactions interleaved statement by statement, by hand: on different rows of every
// table both commit; on the same branch row the second committer aborts (first committer wins).
TEST_CASE("tpcb_overlapping_transactions_conflict_only_on_a_shared_row") {
    auto run = [](int64_t bid_b) {
        auto db = Loaded(TpcbOptions{2, 100});
        auto a = db->NewSession();
        auto b = db->NewSession();
        auto I = [](int64_t v) { return Value::Integer(v); };
        auto script = [&](int64_t aid, int64_t tid, int64_t bid, int64_t hid) {
            return std::vector<TpcbStatement>{
                {"BEGIN", {}},
                {"UPDATE accounts SET abalance = abalance + 5 WHERE aid = ?", {I(aid)}},
                {"SELECT abalance FROM accounts WHERE aid = ?", {I(aid)}},
                {"UPDATE tellers SET tbalance = tbalance + 5 WHERE tid = ?", {I(tid)}},
                {"UPDATE branches SET bbalance = bbalance + 5 WHERE bid = ?", {I(bid)}},
                {"INSERT INTO history VALUES (?, ?, ?, ?, 5)", {I(hid), I(tid), I(bid), I(aid)}}};
        };
        auto sa = script(1, 1, 0, 1);
        auto sb = script(60, 11, bid_b, 2);
        for (size_t i = 0; i < sa.size(); ++i) {
            REQUIRE(db->Execute(*a, sa[i].text, sa[i].params).ok());
            REQUIRE(db->Execute(*b, sb[i].text, sb[i].params).ok());
        }
        REQUIRE(db->Execute(*a, "COMMIT").ok());
        StatementOutcome second = db->Execute(*b, "COMMIT");
        return second.ok() ? std::string("ok") : std::string(SqlState(second.error().kind));
    };
    CHECK(run(/*bid_b=*/1) == "ok");
    CHECK(run(/*bid_b=*/0) == "40001");
}

TEST_CASE("tpcb_invariant_check_catches_a_lost_update") {
    TpcbOptions options{4, 400};
    auto db = Loaded(options);
    TpcbWorkload workload(options, 3, 5);
    TpcbStats stats = RunTpcbEmbedded(*db, workload, 100);
    REQUIRE(stats.committed > 0);
    auto before = ReadTpcbBalancesEmbedded(*db);
    REQUIRE(before.ok());
    REQUIRE(CheckTpcbInvariant(*before, stats.committed).ok());
    // One account's update lost behind the workload's back: only accounts change.
    auto session = db->NewSession();
    REQUIRE(db->Execute(*session, "UPDATE accounts SET abalance = abalance + 1 WHERE aid = 0").ok());
    auto after = ReadTpcbBalancesEmbedded(*db);
    REQUIRE(after.ok());
    Status broken = CheckTpcbInvariant(*after, stats.committed);
    CHECK(broken.Is(Code::kCorruption));
    CHECK(broken.message().find("sum(abalance) != sum(tbalance)") != std::string::npos);
}

TEST_CASE("tpcb_invariant_check_names_each_equality") {
    TpcbBalances ok{5, 5, 5, 5, 2};
    CHECK(CheckTpcbInvariant(ok, 2).ok());
    CHECK(CheckTpcbInvariant(ok, std::nullopt).ok());
    auto fails = [](TpcbBalances b, std::optional<uint64_t> committed, const char* what) {
        Status s = CheckTpcbInvariant(b, committed);
        INFO(s.ToString());
        CHECK(s.Is(Code::kCorruption));
        CHECK(s.message().find(what) != std::string::npos);
    };
    fails({5, 4, 5, 5, 2}, 2, "sum(abalance) != sum(tbalance)");
    fails({5, 5, 4, 5, 2}, 2, "sum(tbalance) != sum(bbalance)");
    fails({5, 5, 5, 4, 2}, 2, "sum(bbalance) != sum(history.delta)");
    fails({5, 5, 5, 5, 3}, 2, "history rows != committed");
}

TEST_CASE("tpcb_abort_causes_follow_the_mvcc_messages") {
    CHECK(TpcbAbortCause("serialization failure: write-write conflict on k: v9 wrote it after "
                         "snapshot v3; retry") == "write-write");
    CHECK(TpcbAbortCause("serialization failure: dangerous structure v4 -rw(a)-> this -rw(b)-> "
                         "v5, and v5 committed first") == "rw-pivot");
    CHECK(TpcbAbortCause("serialization failure: dangerous structure this -rw(a)-> v4 -rw-> v5, "
                         "and v5 committed first") == "rw-reader");
    CHECK(TpcbAbortCause("serialization failure: v5 overwrote what this transaction read after "
                         "its snapshot v3, and an unlogged read-only transaction may have seen "
                         "v5 but not this one") == "rw-unlogged-reader");
    CHECK(TpcbAbortCause("snapshot v1 is below the GC horizon v7: retry") == "gc-horizon");
    CHECK(TpcbAbortCause("something else") == "other");
    TpcbStats s;
    CHECK(FormatTpcbAbortCauses(s) == "none");
    s.abort_causes = {{"write-write", 3}, {"rw-pivot", 1}};
    CHECK(FormatTpcbAbortCauses(s) == "rw-pivot=1 write-write=3");
}

TEST_CASE("tpcb_balances_parse_nulls_as_zero_and_reject_other_rows") {
    auto b = ParseTpcbBalances({Value::Null(), Value::Integer(1), Value::Integer(2),
                                Value::Null(), Value::Integer(0)});
    REQUIRE(b.ok());
    CHECK(b->accounts == 0);
    CHECK(b->tellers == 1);
    CHECK(b->branches == 2);
    CHECK(!ParseTpcbBalances({Value::Integer(1)}).ok());
    CHECK(!ParseTpcbBalances({Value::String("x"), Value::Integer(1), Value::Integer(2),
                              Value::Null(), Value::Integer(0)})
               .ok());
}

TEST_CASE("tpcb_workload_rolls_back_a_failed_transaction_and_counts_it") {
    TpcbOptions options{1, 10};
    TpcbWorkload w(options, 1, 3);
    CHECK(w.AtBoundary(0));
    CHECK(w.Next(0, 0).text == "BEGIN");
    CHECK(!w.AtBoundary(0));
    w.OnReply(0, {TpcbReplyKind::kOk, true, ""}, 1);
    CHECK(w.Next(0, 1).text.rfind("UPDATE accounts", 0) == 0);
    w.OnReply(0, {TpcbReplyKind::kAborted, true, "could not serialize"}, 2);
    CHECK(!w.AtBoundary(0));  // ROLLBACK owed.
    CHECK(w.Next(0, 2).text == "ROLLBACK");
    w.OnReply(0, {TpcbReplyKind::kOk, false, ""}, 3);
    CHECK(w.AtBoundary(0));
    CHECK(w.Next(0, 3).text == "BEGIN");
    w.OnReply(0, {TpcbReplyKind::kFailed, false, "boom"}, 4);
    CHECK(w.AtBoundary(0));  // Idle after the failure: nothing to roll back.
    TpcbStats s = w.TakeStats();
    CHECK(s.aborted == 1);
    CHECK(s.failed == 1);
    CHECK(s.first_failure == "boom");
    CHECK(s.committed == 0);
    CHECK(s.abort_percent() == 50.0);
    CHECK(w.stats().tried() == 0);
}

}  // namespace
}  // namespace orrery::sql::bench
