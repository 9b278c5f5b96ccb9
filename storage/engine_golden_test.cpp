// The engine golden suite: every script in testdata/engine/ runs against every engine (memory,
// LSM, and the B+-tree once it is built), and all must print the same thing. The memory engine is
// the reference, so a script's expected output is the specification of Engine's contract.
//
// Command language (one command per line; see testkit/golden.h for blocks and '!'):
//   set K V [sync=true]     write one key (no output)
//   delete K [sync=true]    delete one key (no output)
//   batch OP; OP; ...       one atomic batch; each OP is "set K V" or "delete K"
//   get K                   prints "K = V" or "K: not found"
//   scan [RANGE] [reverse]  prints each "K = V" in scan order, or "(empty)". RANGE is
//                           [lo,hi) with '[' / '(' and ']' / ')' for inclusive / exclusive ends
//                           and '*' for an unbounded end: "scan [b,*)", "scan (a,c] reverse"
//   prefix P [reverse]      scan of the keys starting with P, printed like scan
//   iter NAME [RANGE] [reverse]   opens a streaming iterator (a snapshot) without reading it
//   next NAME [N]           prints the next N (default 1) entries of iterator NAME, or "(end)"
//   sync                    makes every acknowledged write durable
//   flush / compact         engine maintenance (LSM: write the memtable / merge every run)
//   crash                   power loss: closes every iterator, destroys the engine, drops every
//                           unsynced byte and directory change of its disk, and reopens it
//   reopen                  clean restart: destroys and reopens the engine, no crash
//   count                   prints "keys=N", the number of keys a full scan returns
//   status                  prints "live_keys=N" from GetStatus (LSM: exact only after compact)
// K and V are words without spaces; "''" stands for the empty string and "x*N" for N copies
// of the character x (for size-limit tests). Long values print as "<N bytes>".
//
// Crash semantics are the same for every engine: a crash loses exactly what was not made
// durable by sync, flush or compact. The durable engines run on a SimDisk whose crash drops every
// unsynced sector and directory operation; the memory engine restores its state as of its last
// sync, flush or compact. Scripts therefore only crash where every engine agrees on what is
// durable (an engine may make more durable than asked, e.g. an LSM flush triggered by size, which
// the small scripts never reach).
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <functional>
#include <map>
#include <memory>
#include <sstream>

#include "sim/sim_disk.h"
#include "storage/lsm/lsm_engine.h"
#include "storage/memory_engine.h"
#include "testkit/golden.h"
#ifdef ORRERY_HAVE_BTREE_ENGINE
#include "storage/btree/btree_engine.h"
#endif

namespace orrery::storage {
namespace {

using testkit::GoldenCommand;

// One engine under test. `open` is empty for the memory engine, which lives without a disk.
struct EngineKind {
    std::string name;
    std::function<Result<std::unique_ptr<Engine>>(Disk&)> open;
};

std::vector<EngineKind> AllEngines() {
    std::vector<EngineKind> kinds;
    kinds.push_back({"memory", nullptr});
    kinds.push_back({"lsm", [](Disk& disk) -> Result<std::unique_ptr<Engine>> {
                         // Small tables so scripts cross block boundaries.
                         LsmOptions opts;
                         opts.table.block_bytes = 128;
                         opts.table.restart_interval = 2;
                         ORRERY_ASSIGN_OR_RETURN(auto e, LsmEngine::Open(disk, opts));
                         return std::unique_ptr<Engine>(std::move(e));
                     }});
#ifdef ORRERY_HAVE_BTREE_ENGINE
    kinds.push_back({"btree", [](Disk& disk) -> Result<std::unique_ptr<Engine>> {
                         ORRERY_ASSIGN_OR_RETURN(auto e, BTreeEngine::Open(disk));
                         return std::unique_ptr<Engine>(std::move(e));
                     }});
#endif
    return kinds;
}

// "''" is the empty string; "c*N" is N copies of c.
std::string Word(const std::string& w) {
    if (w == "''") return "";
    size_t star = w.find('*');
    if (star == 1 && w.size() > 2 && w.find_first_not_of("0123456789", 2) == std::string::npos) {
        return std::string(std::stoul(w.substr(2)), w[0]);
    }
    return w;
}

std::string Show(std::string_view s) {
    if (s.size() > 40) return fmt::format("<{} bytes>", s.size());
    return s.empty() ? "''" : std::string(s);
}

Bound ParseEnd(const std::string& text, bool inclusive) {
    if (text == "*") return Bound::Unbounded();
    return inclusive ? Bound::Inclusive(Word(text)) : Bound::Exclusive(Word(text));
}

// Parses "[a,c)" style ranges and the reverse flag from args.
Result<ScanOptions> ParseScan(const std::vector<std::string>& args, size_t first) {
    ScanOptions opts;
    for (size_t i = first; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "reverse") {
            opts.reverse = true;
            continue;
        }
        size_t comma = a.find(',');
        if (a.size() < 3 || comma == std::string::npos || (a[0] != '[' && a[0] != '(') ||
            (a.back() != ']' && a.back() != ')')) {
            return Status::InvalidArgument("bad range '" + a + "'");
        }
        opts.lower = ParseEnd(a.substr(1, comma - 1), a[0] == '[');
        opts.upper = ParseEnd(a.substr(comma + 1, a.size() - comma - 2), a.back() == ']');
    }
    return opts;
}

Result<std::string> Drain(Iterator& it, size_t limit) {
    std::string out;
    size_t n = 0;
    for (; n < limit && it.Valid(); it.Next(), ++n) {
        out += fmt::format("{} = {}\n", Show(it.key()), Show(it.value()));
    }
    ORRERY_RETURN_IF_ERROR(it.status());
    if (n == 0) out = limit == SIZE_MAX ? "(empty)" : "(end)";
    return out;
}

class Harness {
public:
    explicit Harness(EngineKind kind) : kind_(std::move(kind)), disk_(Random(42)) {
        disk_.SetFaults({.sector_lost = 1, .lose_unsynced_dir_ops = 1});
        Status s = Open();
        REQUIRE(s.ok());
    }
    ~Harness() { iters_.clear(); }

    Result<std::string> Run(const GoldenCommand& cmd);

private:
    Status Open() {
        if (!kind_.open) {
            engine_ = std::make_unique<MemoryEngine>();
            for (const auto& [k, v] : durable_) ORRERY_RETURN_IF_ERROR(engine_->Set(k, v));
            return Status::Ok();
        }
        ORRERY_ASSIGN_OR_RETURN(engine_, kind_.open(disk_));
        return Status::Ok();
    }
    // Memory engine only: remembers what a durable engine would keep through a crash.
    void MarkDurable() {
        if (kind_.open) return;
        durable_.clear();
        for (auto it = engine_->Scan({}); it->Valid(); it->Next()) {
            durable_.emplace(it->key(), it->value());
        }
    }
    Status Restart(bool crash) {
        iters_.clear();
        if (!crash) MarkDurable();
        engine_.reset();
        if (crash) disk_.Crash();
        return Open();
    }
    Result<std::string> RunWrite(const GoldenCommand& cmd);

    EngineKind kind_;
    sim::SimDisk disk_;
    std::unique_ptr<Engine> engine_;
    std::map<std::string, std::string> durable_;
    std::map<std::string, std::unique_ptr<Iterator>> iters_;
};

Result<std::string> Harness::RunWrite(const GoldenCommand& cmd) {
    WriteBatch batch;
    if (cmd.name == "batch") {
        std::stringstream ops(cmd.Rest());
        for (std::string op; std::getline(ops, op, ';');) {
            GoldenCommand sub = testkit::ParseGoldenCommand(op, cmd.line_number);
            if (sub.name == "set" && sub.args.size() == 2) {
                batch.Set(Word(sub.args[0]), Word(sub.args[1]));
            } else if (sub.name == "delete" && sub.args.size() == 1) {
                batch.Delete(Word(sub.args[0]));
            } else {
                return Status::InvalidArgument("bad batch op '" + op + "'");
            }
        }
    } else if (cmd.name == "set" && cmd.args.size() == 2) {
        batch.Set(Word(cmd.args[0]), Word(cmd.args[1]));
    } else if (cmd.name == "delete" && cmd.args.size() == 1) {
        batch.Delete(Word(cmd.args[0]));
    } else {
        return Status::InvalidArgument("usage: set K V | delete K | batch OP; OP");
    }
    bool sync = cmd.Get("sync") == "true";
    ORRERY_RETURN_IF_ERROR(engine_->Write(batch, sync));
    if (sync) MarkDurable();
    return std::string();
}

Result<std::string> Harness::Run(const GoldenCommand& cmd) {
    const std::string& c = cmd.name;
    if (c == "set" || c == "delete" || c == "batch") return RunWrite(cmd);
    if (c == "get" && cmd.args.size() == 1) {
        Result<std::string> r = engine_->Get(Word(cmd.args[0]));
        if (r.status().Is(Code::kNotFound)) return Show(Word(cmd.args[0])) + ": not found";
        ORRERY_RETURN_IF_ERROR(r.status());
        return fmt::format("{} = {}", Show(Word(cmd.args[0])), Show(r.value()));
    }
    if (c == "scan" || c == "prefix") {
        ScanOptions opts;
        if (c == "prefix") {
            if (cmd.args.empty()) return Status::InvalidArgument("usage: prefix P [reverse]");
            opts = PrefixScan(Word(cmd.args[0]), cmd.args.size() > 1 && cmd.args[1] == "reverse");
        } else {
            ORRERY_ASSIGN_OR_RETURN(opts, ParseScan(cmd.args, 0));
        }
        auto it = engine_->Scan(opts);
        return Drain(*it, SIZE_MAX);
    }
    if (c == "iter" && !cmd.args.empty()) {
        ORRERY_ASSIGN_OR_RETURN(ScanOptions opts, ParseScan(cmd.args, 1));
        iters_[cmd.args[0]] = engine_->Scan(opts);
        return std::string();
    }
    if (c == "next" && !cmd.args.empty() && iters_.count(cmd.args[0]) == 1) {
        size_t n = cmd.args.size() > 1 ? std::stoul(cmd.args[1]) : 1;
        return Drain(*iters_[cmd.args[0]], n);
    }
    if (c == "sync" || c == "flush" || c == "compact") {
        Status s = c == "sync" ? engine_->Sync() : c == "flush" ? engine_->Flush() : engine_->Compact();
        ORRERY_RETURN_IF_ERROR(s);
        MarkDurable();
        return std::string();
    }
    if (c == "crash" || c == "reopen") {
        ORRERY_RETURN_IF_ERROR(Restart(c == "crash"));
        return std::string();
    }
    if (c == "count") {
        uint64_t n = 0;
        auto it = engine_->Scan({});
        for (; it->Valid(); it->Next()) ++n;
        ORRERY_RETURN_IF_ERROR(it->status());
        return fmt::format("keys={}", n);
    }
    if (c == "status") return fmt::format("live_keys={}", engine_->GetStatus().live_keys);
    return Status::InvalidArgument("unknown command: " + cmd.line);
}

TEST_CASE("every engine passes the engine golden scripts", "[storage]") {
    for (const EngineKind& kind : AllEngines()) {
        for (const std::string& path : testkit::ListGoldenFiles("testdata/engine", ".txt")) {
            DYNAMIC_SECTION(kind.name << " " << path) {
                Harness harness(kind);
                testkit::RunGoldenFile(path, [&](const GoldenCommand& cmd) { return harness.Run(cmd); });
            }
        }
    }
}

}  // namespace
}  // namespace orrery::storage
