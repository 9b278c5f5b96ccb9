// Golden scripts for what is specific to the B+-tree: splits, merges, redistribution, the free
// list, overflow pages and recovery, made visible through `stats` and `dump`. The engine-wide
// contract is covered by storage/testdata/engine (every engine runs those).
//
// Commands (see testkit/golden.h for the block format):
//   set K V | delete K | get K       one-key operations; K or V may be "c*N" (N copies of c)
//   fill A B [value=N] [step=S]      sets k<A>, k<A+S>, ... below k<B> (5-digit numbers) to
//                                    N-byte values (default 100)
//   erase A B [step=S]               deletes those keys, one batch per key
//   scan [LO] [HI] [reverse]         prints "N keys: first .. last" over [LO, HI)
//   iter NAME / drain NAME           opens a snapshot iterator; later counts what it sees
//   sync | flush | reopen | crash    crash drops every unsynced sector and directory change
//   stats | dump | status            tree shape, tree structure, GetStatus
// After every command the whole tree and the page accounting are checked (Check()).
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <map>

#include "sim/sim_disk.h"
#include "storage/btree/btree_engine.h"
#include "testkit/golden.h"

namespace orrery::storage {
namespace {

using testkit::GoldenCommand;

std::string Word(const std::string& w) {
    size_t star = w.find('*');
    if (star == 1 && w.size() > 2) return std::string(std::stoul(w.substr(2)), w[0]);
    return w;
}

std::string Show(std::string_view s) {
    return s.size() > 40 ? fmt::format("<{} bytes>", s.size()) : std::string(s);
}

std::string Key(int64_t i) { return fmt::format("k{:05}", i); }

class Harness {
public:
    Harness() : disk_(Random(7)) {
        disk_.SetFaults({.sector_lost = 1, .lose_unsynced_dir_ops = 1});
        REQUIRE(Open().ok());
    }
    ~Harness() { iters_.clear(); }

    Result<std::string> Run(const GoldenCommand& cmd) {
        ORRERY_ASSIGN_OR_RETURN(std::string out, Dispatch(cmd));
        ORRERY_RETURN_IF_ERROR(engine_->Check().status());
        return out;
    }

private:
    Status Open() {
        ORRERY_ASSIGN_OR_RETURN(engine_, BTreeEngine::Open(disk_));
        return Status::Ok();
    }

    Status Restart(bool crash) {
        iters_.clear();
        engine_.reset();
        if (crash) disk_.Crash();
        return Open();
    }

    Result<std::string> Dispatch(const GoldenCommand& cmd) {
        const auto& a = cmd.args;
        auto arg = [&](size_t i) { return i < a.size() ? a[i] : std::string(); };
        if (cmd.name == "set") return Done(engine_->Set(Word(arg(0)), Word(arg(1))));
        if (cmd.name == "delete") return Done(engine_->Delete(Word(arg(0))));
        if (cmd.name == "get") {
            Result<std::string> v = engine_->Get(Word(arg(0)));
            if (v.status().Is(Code::kNotFound)) return arg(0) + ": not found";
            ORRERY_RETURN_IF_ERROR(v.status());
            return fmt::format("{} = {}", arg(0), Show(*v));
        }
        if (cmd.name == "fill" || cmd.name == "erase") return Fill(cmd);
        if (cmd.name == "scan") return Scan(cmd);
        if (cmd.name == "iter") {
            iters_[arg(0)] = engine_->Scan({});
            return std::string();
        }
        if (cmd.name == "drain") return Drain(arg(0));
        if (cmd.name == "sync") return Done(engine_->Sync());
        if (cmd.name == "flush") return Done(engine_->Flush());
        if (cmd.name == "reopen" || cmd.name == "crash") return Done(Restart(cmd.name == "crash"));
        if (cmd.name == "stats") return Stats();
        if (cmd.name == "dump") return engine_->Dump();
        if (cmd.name == "status") {
            EngineStatus s = engine_->GetStatus();
            return fmt::format("live_keys={} disk_bytes={} garbage_bytes={}", s.live_keys,
                               s.disk_bytes, s.garbage_bytes);
        }
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

    static Result<std::string> Done(Status s) {
        ORRERY_RETURN_IF_ERROR(s);
        return std::string();
    }

    Result<std::string> Fill(const GoldenCommand& cmd) {
        int64_t from = std::stoll(cmd.args.at(0)), to = std::stoll(cmd.args.at(1));
        int64_t step = cmd.GetInt("step", 1);
        auto value_bytes = static_cast<size_t>(cmd.GetInt("value", 100));
        for (int64_t i = from; i < to; i += step) {
            if (cmd.name == "fill") {
                ORRERY_RETURN_IF_ERROR(
                    engine_->Set(Key(i), std::string(value_bytes, char('a' + i % 26))));
            } else {
                ORRERY_RETURN_IF_ERROR(engine_->Delete(Key(i)));
            }
        }
        return std::string();
    }

    Result<std::string> Scan(const GoldenCommand& cmd) {
        ScanOptions opts;
        std::vector<std::string> ends;
        for (const std::string& a : cmd.args) {
            if (a == "reverse") {
                opts.reverse = true;
            } else {
                ends.push_back(a);
            }
        }
        if (ends.size() > 0 && ends[0] != "*") opts.lower = Bound::Inclusive(ends[0]);
        if (ends.size() > 1 && ends[1] != "*") opts.upper = Bound::Exclusive(ends[1]);
        return Count(*engine_->Scan(opts));
    }

    Result<std::string> Drain(const std::string& name) {
        auto it = iters_.find(name);
        if (it == iters_.end()) return Status::InvalidArgument("no iterator " + name);
        Result<std::string> out = Count(*it->second);
        iters_.erase(it);
        return out;
    }

    static Result<std::string> Count(Iterator& it) {
        uint64_t n = 0;
        std::string first, last;
        for (; it.Valid(); it.Next(), ++n) {
            if (n == 0) first = it.key();
            last = it.key();
        }
        ORRERY_RETURN_IF_ERROR(it.status());
        if (n == 0) return std::string("0 keys");
        return fmt::format("{} keys: {} .. {}", n, first, last);
    }

    Result<std::string> Stats() {
        ORRERY_ASSIGN_OR_RETURN(BTreeStats s, engine_->Check());
        return fmt::format(
            "height={} keys={} leaves={} interior={} overflow={}\n"
            "pages={} free={} retired={} freelist={} generation={}",
            s.height, s.keys, s.leaf_pages, s.interior_pages, s.overflow_pages, s.page_count,
            s.free_pages, s.retired_pages, s.freelist_pages, s.generation);
    }

    sim::SimDisk disk_;
    std::unique_ptr<BTreeEngine> engine_;
    std::map<std::string, std::unique_ptr<Iterator>> iters_;
};

}  // namespace

TEST_CASE("the B+-tree golden scripts", "[btree]") {
    for (const std::string& path : testkit::ListGoldenFiles("testdata", ".txt")) {
        SECTION(path) {
            Harness h;
            testkit::RunGoldenFile(path, [&](const GoldenCommand& cmd) { return h.Run(cmd); });
        }
    }
}

}  // namespace orrery::storage
