// SimDisk properties: what a crash must keep, what it may lose, and that corruption is caught.
#include "sim/sim_disk.h"

#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::sim {
namespace {

DiskFaults FaultsFrom(int lost, int garbage, int dir) {
    // Probabilities as tenths, so rapidcheck shrinks toward a fault-free disk.
    DiskFaults f;
    f.sector_lost = lost / 10.0;
    f.sector_garbage = garbage / 10.0;
    f.lose_unsynced_dir_ops = dir / 10.0;
    return f;
}

std::string MustRead(SimDisk& disk, const std::string& name) {
    auto r = disk.ReadAll(name);
    RC_ASSERT(r.ok());
    return *r;
}

void MustWrite(SimDisk& disk, const std::string& name, std::string_view data, bool sync) {
    auto file = disk.Open(name, OpenMode::kCreate);
    RC_ASSERT(file.ok());
    RC_ASSERT((*file)->Append(data).ok());
    if (sync) RC_ASSERT((*file)->Sync().ok());
}

TEST_CASE("after a crash every synced byte is intact", "[sim]") {
    rc::prop("synced prefixes survive any torn unsynced appends", [] {
        auto synced = *rc::gen::container<std::vector<std::string>>(*rc::gen::inRange(1, 5),
                                                                    rc::gen::string<std::string>());
        auto appends =
            *rc::gen::container<std::vector<std::pair<size_t, std::string>>>(rc::gen::pair(
                rc::gen::inRange<size_t>(0, synced.size()), rc::gen::string<std::string>()));
        auto fresh = *rc::gen::container<std::vector<std::string>>(rc::gen::string<std::string>());
        SimDisk disk(Random(*rc::gen::arbitrary<uint64_t>()),
                     FaultsFrom(*rc::gen::inRange(0, 11), *rc::gen::inRange(0, 11),
                                *rc::gen::inRange(0, 11)));
        for (size_t i = 0; i < synced.size(); ++i) {
            MustWrite(disk, fmt::format("f{}", i), synced[i], true);
        }
        RC_ASSERT(disk.SyncDir().ok());
        for (const auto& [i, data] : appends) MustWrite(disk, fmt::format("f{}", i), data, false);
        for (size_t i = 0; i < fresh.size(); ++i) {
            MustWrite(disk, fmt::format("new{}", i), fresh[i], i % 2 == 0);
            RC_ASSERT(disk.Rename(fmt::format("new{}", i), fmt::format("g{}", i)).ok());
        }
        disk.Crash();
        for (size_t i = 0; i < synced.size(); ++i) {
            std::string now = MustRead(disk, fmt::format("f{}", i));
            RC_ASSERT(now.size() >= synced[i].size());
            RC_ASSERT(now.substr(0, synced[i].size()) == synced[i]);
        }
    });
}

TEST_CASE("a second crash with nothing new written changes nothing", "[sim]") {
    rc::prop("crash is idempotent", [] {
        auto data = *rc::gen::string<std::string>();
        SimDisk disk(Random(*rc::gen::arbitrary<uint64_t>()), FaultsFrom(5, 5, 5));
        MustWrite(disk, "a", data, false);
        disk.Crash();
        std::vector<std::string> once = disk.List().value();
        std::optional<std::string> content;
        if (disk.Exists("a")) content = MustRead(disk, "a");
        disk.Crash();
        std::vector<std::string> twice = disk.List().value();
        RC_ASSERT(twice == once);
        if (content) RC_ASSERT(MustRead(disk, "a") == *content);
    });
}

// A model of the directory: name -> the id written into the file (each create writes a new id).
using DirModel = std::map<std::string, std::string>;

struct DirOpModel {
    int kind;  // 0 create, 1 rename, 2 remove, 3 syncdir
    int a;
    int b;
};

void ApplyToModel(DirModel& dir, const DirOpModel& op, const std::string& id) {
    std::string a = fmt::format("n{}", op.a), b = fmt::format("n{}", op.b);
    if (op.kind == 0) dir[a] = id;
    if (op.kind == 1) {
        std::string moved = dir.at(a);
        dir.erase(a);
        dir[b] = moved;
    }
    if (op.kind == 2) dir.erase(a);
}

DirModel ReadDir(SimDisk& disk) {
    DirModel out;
    std::vector<std::string> names = disk.List().value();
    for (const auto& name : names) out[name] = MustRead(disk, name);
    return out;
}

TEST_CASE("unsynced directory operations survive as a prefix; synced ones always", "[sim]") {
    rc::prop("the directory after a crash replays a prefix of the unsynced operations", [] {
        auto ops = *rc::gen::container<std::vector<DirOpModel>>(
            rc::gen::build<DirOpModel>(rc::gen::set(&DirOpModel::kind, rc::gen::inRange(0, 4)),
                                       rc::gen::set(&DirOpModel::a, rc::gen::inRange(0, 4)),
                                       rc::gen::set(&DirOpModel::b, rc::gen::inRange(0, 4))));
        int loss = *rc::gen::element(0, 5, 10);
        SimDisk disk(Random(*rc::gen::arbitrary<uint64_t>()), FaultsFrom(0, 0, loss));
        DirModel current, durable;
        std::vector<std::pair<DirOpModel, std::string>> pending;
        int next_id = 0;
        for (const auto& op : ops) {
            std::string a = fmt::format("n{}", op.a), b = fmt::format("n{}", op.b);
            if (op.kind == 3) {
                RC_ASSERT(disk.SyncDir().ok());
                durable = current;
                pending.clear();
                continue;
            }
            bool has_a = current.count(a) == 1;
            if (op.kind == 0 && has_a) continue;
            if (op.kind != 0 && (!has_a || (op.kind == 1 && a == b))) continue;
            std::string id = fmt::format("id{}", next_id++);
            if (op.kind == 0) MustWrite(disk, a, id, true);  // Data synced; the name is not.
            if (op.kind == 1) RC_ASSERT(disk.Rename(a, b).ok());
            if (op.kind == 2) RC_ASSERT(disk.Remove(a).ok());
            ApplyToModel(current, op, id);
            pending.emplace_back(op, id);
        }
        disk.Crash();
        DirModel after = ReadDir(disk);
        std::vector<DirModel> prefixes{durable};
        for (const auto& [op, id] : pending) {
            prefixes.push_back(prefixes.back());
            ApplyToModel(prefixes.back(), op, id);
        }
        RC_ASSERT(std::find(prefixes.begin(), prefixes.end(), after) != prefixes.end());
        if (loss == 0) RC_ASSERT(after == current);
        if (loss == 10) RC_ASSERT(after == durable);
    });
}

TEST_CASE("an unsynced create or rename vanishes when directory operations are lost", "[sim]") {
    SimDisk disk(Random(1), FaultsFrom(0, 0, 10));
    REQUIRE(disk.WriteAtomically("kept", "1").ok());
    auto f = disk.Open("fresh", OpenMode::kCreateNew);
    REQUIRE(f.ok());
    REQUIRE((*f)->Append("x").ok());
    REQUIRE((*f)->Sync().ok());
    REQUIRE(disk.Rename("kept", "moved").ok());
    disk.Crash();
    std::vector<std::string> names = disk.List().value();
    CHECK(names == std::vector<std::string>{"kept"});
    CHECK(disk.ReadAll("kept").value() == "1");
    CHECK(disk.stats().dir_ops_lost == 2);
}

TEST_CASE("WriteAtomically leaves the old or the new content after any crash", "[sim]") {
    rc::prop("atomic replace", [] {
        auto old_data = *rc::gen::string<std::string>();
        auto new_data = *rc::gen::string<std::string>();
        int stop_after = *rc::gen::inRange(0, 4);  // Crash part-way through the protocol.
        SimDisk disk(Random(*rc::gen::arbitrary<uint64_t>()), FaultsFrom(5, 5, 5));
        RC_ASSERT(disk.WriteAtomically("x", old_data).ok());
        {
            auto tmp = disk.Open("x.tmp", OpenMode::kCreateTruncate).value();
            RC_ASSERT(tmp->Append(new_data).ok());
            if (stop_after >= 1) RC_ASSERT(tmp->Sync().ok());
        }
        if (stop_after >= 2) RC_ASSERT(disk.Rename("x.tmp", "x").ok());
        if (stop_after >= 3) RC_ASSERT(disk.SyncDir().ok());
        disk.Crash();
        std::string now = MustRead(disk, "x");
        RC_ASSERT(now == old_data || now == new_data);
        if (stop_after == 3) RC_ASSERT(now == new_data);
    });
}

// Checksummed records: [masked crc32c of the rest: 4][length: 4][payload].
void AppendRecord(std::string* out, std::string_view payload) {
    std::string body;
    PutFixed32(&body, static_cast<uint32_t>(payload.size()));
    body.append(payload);
    PutFixed32(out, MaskCrc(Crc32c(body)));
    out->append(body);
}

// Returns the (offset, payload) of every record that verifies, and whether the whole file did.
std::pair<std::map<size_t, std::string>, bool> ParseRecords(const std::string& bytes) {
    std::map<size_t, std::string> good;
    size_t pos = 0;
    while (pos + 8 <= bytes.size()) {
        uint32_t crc = UnmaskCrc(DecodeFixed32(bytes.data() + pos));
        uint32_t len = DecodeFixed32(bytes.data() + pos + 4);
        if (len > bytes.size() - pos - 8) return {good, false};
        if (Crc32c(std::string_view(bytes).substr(pos + 4, 4 + len)) != crc) return {good, false};
        good[pos] = bytes.substr(pos + 8, len);
        pos += 8 + len;
    }
    return {good, pos == bytes.size()};
}

TEST_CASE("bit rot and garbage sectors are always caught by Crc32c", "[sim]") {
    auto gen_payloads = [] {
        return *rc::gen::nonEmpty(
            rc::gen::container<std::vector<std::string>>(rc::gen::string<std::string>()));
    };
    rc::prop("a rotted bit fails verification", [&] {
        auto payloads = gen_payloads();
        std::string bytes;
        for (const auto& p : payloads) AppendRecord(&bytes, p);
        SimDisk disk(Random(1));
        MustWrite(disk, "log", bytes, true);
        RC_ASSERT(ParseRecords(MustRead(disk, "log")).second);
        RC_ASSERT(disk.RotBit("log", *rc::gen::arbitrary<uint64_t>()).ok());
        auto [good, clean] = ParseRecords(MustRead(disk, "log"));
        RC_ASSERT(!clean);
    });
    rc::prop("garbage sectors never pass as valid records", [&] {
        auto synced = gen_payloads();
        auto unsynced = gen_payloads();
        std::string bytes;
        for (const auto& p : synced) AppendRecord(&bytes, p);
        size_t synced_bytes = bytes.size();
        for (const auto& p : unsynced) AppendRecord(&bytes, p);
        SimDisk disk(Random(*rc::gen::arbitrary<uint64_t>()),
                     FaultsFrom(*rc::gen::inRange(0, 11), *rc::gen::inRange(1, 11), 0));
        MustWrite(disk, "log", std::string_view(bytes).substr(0, synced_bytes), true);
        RC_ASSERT(disk.SyncDir().ok());
        MustWrite(disk, "log", std::string_view(bytes).substr(synced_bytes), false);
        disk.Crash();
        auto original = ParseRecords(bytes).first;
        auto [good, clean] = ParseRecords(MustRead(disk, "log"));
        for (const auto& [pos, payload] : good) {
            RC_ASSERT(original.count(pos) == 1);
            RC_ASSERT(original.at(pos) == payload);
        }
        for (const auto& [pos, payload] : original) {
            if (pos + 8 + payload.size() <= synced_bytes) RC_ASSERT(good.count(pos) == 1);
        }
        if (disk.stats().sectors_garbage > 0) RC_ASSERT(!clean || good.size() < original.size());
    });
}

TEST_CASE("a crash invalidates open handles", "[sim]") {
    SimDisk disk(Random(3));
    auto f = disk.Open("a", OpenMode::kCreate).value();
    REQUIRE(f->Append("hello").ok());
    disk.Crash();
    Status s = f->Append("more");
    CHECK(s.code() == Code::kIOError);
    CHECK(s.message() == "handle invalidated by crash");
    std::string out;
    CHECK(f->Read(0, 5, &out).code() == Code::kIOError);
    CHECK(f->Sync().code() == Code::kIOError);
}

TEST_CASE("read errors are injected with their probability", "[sim]") {
    DiskFaults faults;
    faults.read_error = 1.0;
    SimDisk disk(Random(3), faults);
    REQUIRE(disk.WriteAtomically("a", "data").ok());
    CHECK(disk.ReadAll("a").status().code() == Code::kIOError);
    faults.read_error = 0;
    disk.SetFaults(faults);
    CHECK(disk.ReadAll("a").value() == "data");
    CHECK(disk.stats().read_errors == 1);
}

TEST_CASE("a write past capacity fails with kNoSpace and changes nothing", "[sim]") {
    DiskFaults faults;
    faults.capacity_bytes = 10;
    SimDisk disk(Random(3), faults);
    auto f = disk.Open("a", OpenMode::kCreate).value();
    REQUIRE(f->Append("123456").ok());
    CHECK(f->Append("78901").code() == Code::kNoSpace);
    CHECK(f->Write(8, "xyz").code() == Code::kNoSpace);
    CHECK(f->Truncate(11).code() == Code::kNoSpace);
    CHECK(f->Size() == 6);
    CHECK(f->Append("7890").ok());
    CHECK(f->Write(0, "ab").ok());  // Overwriting needs no new space.
    CHECK(disk.ReadAll("a").value() == "ab34567890");
}

TEST_CASE("the same seed and calls give the same disk after crashes", "[sim]") {
    auto run = [](uint64_t seed) {
        SimDisk disk(Random(seed), FaultsFrom(3, 3, 3));
        std::string all;
        for (int round = 0; round < 5; ++round) {
            for (int i = 0; i < 4; ++i) {
                MustWrite(disk, fmt::format("f{}", i), std::string(700, char('a' + round)), i < 2);
            }
            disk.Crash();
            std::vector<std::string> names = disk.List().value();
            for (const auto& name : names) all += name + "=" + MustRead(disk, name);
        }
        return all;
    };
    CHECK(run(9) == run(9));
    CHECK(run(9) != run(10));
}

TEST_CASE("file names are validated and modes enforced", "[sim]") {
    SimDisk disk(Random(3));
    CHECK(disk.Open("a/b", OpenMode::kCreate).status().code() == Code::kInvalidArgument);
    CHECK(disk.Open("missing", OpenMode::kRead).status().code() == Code::kNotFound);
    REQUIRE(disk.WriteAtomically("a", "1").ok());
    CHECK(disk.Open("a", OpenMode::kCreateNew).status().code() == Code::kAlreadyExists);
    auto ro = disk.Open("a", OpenMode::kRead).value();
    CHECK(ro->Append("x").code() == Code::kInvalidArgument);
    CHECK(disk.Remove("nope").code() == Code::kNotFound);
    CHECK(disk.RotBit("nope", 1).code() == Code::kNotFound);
}

TEST_CASE("a sync makes exactly the current bytes durable", "[sim]") {
    // Sync copies only the sectors written since the last sync; whatever mix of overwrites,
    // gaps, shrinks, regrowth and reopen-with-truncate came before, the durable bytes must then
    // equal what reads see.
    rc::prop("durable == current after every sync", [] {
        SimDisk disk(Random(1), DiskFaults{});
        RC_ASSERT(disk.Open("f", OpenMode::kCreate).ok());
        RC_ASSERT(disk.SyncDir().ok());
        auto file = disk.Open("f", OpenMode::kReadWrite);
        RC_ASSERT(file.ok());
        const int steps = *rc::gen::inRange(1, 40);
        for (int i = 0; i < steps; ++i) {
            switch (*rc::gen::inRange(0, 4)) {
                case 0: {
                    auto offset = *rc::gen::inRange<uint64_t>(0, 3 * kSectorBytes);
                    auto data = *rc::gen::container<std::string>(*rc::gen::inRange(0, 700),
                                                                 rc::gen::arbitrary<char>());
                    RC_ASSERT((*file)->Write(offset, data).ok());
                    break;
                }
                case 1:
                    RC_ASSERT((*file)->Truncate(*rc::gen::inRange<uint64_t>(0, 4 * kSectorBytes))
                                  .ok());
                    break;
                case 2:
                    file = disk.Open("f", OpenMode::kCreateTruncate);
                    RC_ASSERT(file.ok());
                    break;
                default:
                    RC_ASSERT((*file)->Sync().ok());
                    RC_ASSERT(disk.DurableContent("f").value() == MustRead(disk, "f"));
            }
        }
    });
}

}  // namespace
}  // namespace orrery::sim
