// Tests of RealClock against core/clock.h's contract, on a real io_context.
#include "net/real_clock.h"

#include <boost/asio/post.hpp>
#include <catch2/catch.hpp>

#include <vector>

#include "net/loop_for_test.h"

namespace orrery::net {
namespace {

TEST_CASE("real clock fires timers in deadline order, ties in the order they were set",
          "[net]") {
    boost::asio::io_context io;
    RealClock clock(io);
    std::vector<int> fired;
    clock.SetTimer(Duration::Millis(30), [&] { fired.push_back(3); });
    clock.SetTimer(Duration::Millis(10), [&] { fired.push_back(1); });
    clock.SetTimer(Duration::Millis(10), [&] { fired.push_back(2); });
    for (int i = 4; i <= 8; ++i) clock.SetTimer(Duration::Millis(40), [&, i] { fired.push_back(i); });
    REQUIRE(RunUntil(io, [&] { return fired.size() == 8; }));
    CHECK(fired == std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(clock.pending() == 0);
}

TEST_CASE("real clock never runs a timer inline and waits at least the delay", "[net]") {
    boost::asio::io_context io;
    RealClock clock(io);
    bool ran = false;
    Timestamp set_at = clock.Now();
    Timestamp ran_at;
    clock.SetTimer(Duration(0), [&] { ran = true; });
    CHECK_FALSE(ran);
    clock.SetTimer(Duration::Millis(20), [&] { ran_at = clock.Now(); });
    CHECK(clock.SetTimer(Duration(-5), [] {}) > 0);  // Negative delays clamp to zero.
    REQUIRE(RunUntil(io, [&] { return clock.pending() == 0; }));
    CHECK(ran);
    CHECK(ran_at - set_at >= Duration::Millis(20));
}

TEST_CASE("real clock cancel guarantees the callback does not run", "[net]") {
    boost::asio::io_context io;
    RealClock clock(io);
    int runs = 0;
    TimerId early = clock.SetTimer(Duration::Millis(5), [&] { runs += 100; });
    TimerId later = clock.SetTimer(Duration::Millis(15), [&] { runs += 1; });
    clock.CancelTimer(early);
    clock.CancelTimer(early);      // Twice: a no-op.
    clock.CancelTimer(424242);     // Unknown: a no-op.
    REQUIRE(RunUntil(io, [&] { return runs > 0; }));
    RunFor(io, std::chrono::milliseconds(20));
    CHECK(runs == 1);
    clock.CancelTimer(later);  // Already fired: a no-op.
    // A timer cancelled by another timer's callback at the same instant does not run.
    TimerId victim = 0;
    clock.SetTimer(Duration::Millis(5), [&] { clock.CancelTimer(victim); });
    victim = clock.SetTimer(Duration::Millis(5), [&] { runs += 100; });
    RunFor(io, std::chrono::milliseconds(30));
    CHECK(runs == 1);
}

TEST_CASE("real clock: a timer re-arming itself with zero delay does not starve the loop",
          "[net]") {
    boost::asio::io_context io;
    RealClock clock(io);
    int rearms = 0;
    std::function<void()> again = [&] {
        ++rearms;
        clock.SetTimer(Duration(0), again);
    };
    clock.SetTimer(Duration(0), again);
    bool other_work_ran = false;
    boost::asio::post(io, [&] { other_work_ran = true; });
    REQUIRE(RunUntil(io, [&] { return other_work_ran && rearms > 10; }));
}

TEST_CASE("real clock time is monotonic and a destroyed clock runs nothing", "[net]") {
    boost::asio::io_context io;
    bool ran = false;
    {
        RealClock clock(io);
        Timestamp a = clock.Now();
        Timestamp b = clock.Now();
        CHECK(a <= b);
        clock.SetTimer(Duration(0), [&] { ran = true; });
    }
    RunFor(io, std::chrono::milliseconds(10));
    CHECK_FALSE(ran);
}

}  // namespace
}  // namespace orrery::net
