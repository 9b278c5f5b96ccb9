// TimedDisk over a simulated disk: every file sync and directory sync is timed on the clock it
// was given, nothing before a clock is attached, and everything else passes through.
#include "core/timed_disk.h"

#include <catch2/catch.hpp>

#include "sim/sim_disk.h"

namespace orrery {
namespace {

// A clock that moves 3 ms forward at every reading, so each timed sync takes exactly 3 ms.
class SteppingClock final : public Clock {
public:
    Timestamp Now() const override {
        now_ += Duration::Millis(3);
        return now_;
    }
    TimerId SetTimer(Duration, std::function<void()>) override { return 0; }
    void CancelTimer(TimerId) override {}

private:
    mutable Timestamp now_;
};

TEST_CASE("a timed disk records each sync's latency once it has a clock", "[timed-disk]") {
    auto base = std::make_unique<sim::SimDisk>(Random(1));
    sim::SimDisk* sim = base.get();
    TimedDisk disk(std::move(base));
    auto file = disk.Open("a", OpenMode::kCreate);
    REQUIRE(file.ok());
    REQUIRE((*file)->Append("hello").ok());
    REQUIRE((*file)->Sync().ok());  // No clock yet: not timed.
    CHECK(disk.syncs().count() == 0);

    SteppingClock clock;
    disk.AttachClock(clock);
    REQUIRE((*file)->Sync().ok());
    REQUIRE(disk.SyncDir().ok());
    CHECK(disk.syncs().count() == 2);
    CHECK(disk.syncs().sum_micros() == 6000);
    CHECK(disk.syncs().QuantileUpperBound(1.0) == Duration::Millis(5));  // 3 ms: the 5 ms bucket.
    CHECK(disk.sync_errors() == 0);

    // The syncs reached the disk underneath, and so did everything else.
    CHECK(sim->stats().syncs == 2);
    CHECK(sim->stats().dir_syncs == 1);
    REQUIRE(disk.Rename("a", "b").ok());
    CHECK(disk.Exists("b"));
    CHECK(disk.List().value() == std::vector<std::string>{"b"});
    std::string out;
    auto reopened = disk.Open("b", OpenMode::kRead);
    REQUIRE(reopened.ok());
    REQUIRE((*reopened)->Read(0, 5, &out).ok());
    CHECK(out == "hello");
    CHECK((*reopened)->Size() == 5);
}

}  // namespace
}  // namespace orrery
