// A model-based rapidcheck property for any durable Engine on a SimDisk, reusable by every engine:
//
//   TEST_CASE("my engine matches the model", "[storage]") {
//       CheckEngineAgainstModel("my engine", [](Disk& d) { ... open the engine on d ... }, {});
//   }
//
// rapidcheck generates sequences of operations (set, delete, batch, get, scan, sync, flush,
// compact, crash, clean restart, and long-lived iterators) over a small key space, so keys are
// overwritten and deleted often. Each is applied to the engine and to a std::map model:
//  - Get and Scan must return exactly the model's answer (a scan: the model's range, in order,
//    in the requested direction);
//  - an iterator opened earlier must keep returning the snapshot it was opened on, across any
//    writes, flushes and compactions, one entry per later operation;
//  - a crash (destroy the engine, SimDisk::Crash() with torn, lost and garbage sectors and lost
//    directory operations, reopen) must leave the state after some prefix of the acknowledged
//    batches that includes every batch acknowledged before the last successful sync. The
//    property finds that prefix and continues from it: the batches after it were never durable.
// Any other engine error fails the property. Failures shrink to a short operation list.
#pragma once

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "sim/sim_disk.h"
#include "storage/engine.h"

namespace orrery::storage::model_test {

using EngineOpener = std::function<Result<std::unique_ptr<Engine>>(Disk&)>;

struct ModelTestOptions {
    // What a crash does to unsynced data.
    sim::DiskFaults crash_faults{.sector_lost = 0.3, .sector_garbage = 0.3,
                                 .lose_unsynced_dir_ops = 0.3};
    int keys = 40;                // Key space: k00 .. k<keys-1>.
    size_t long_value_bytes = 300;  // Every seventh value is this long (fills memtables fast).
    double ops_scale = 3.0;       // Operation lists grow to ops_scale * rapidcheck's size.
};

using Map = std::map<std::string, std::string>;
// One generated operation: (kind 0..99, a, b, c); see Interpret() for their meaning.
using RawOp = std::tuple<int, int, int, int>;

inline std::string ModelKey(int i) { return fmt::format("k{:02d}", i); }

inline std::string ModelValue(int c, const ModelTestOptions& o) {
    std::string v = fmt::format("v{}", c);
    if (c % 7 == 0) v.resize(o.long_value_bytes, '.');
    return v;
}

inline void ApplyBatch(const WriteBatch& b, Map* m) {
    for (const auto& op : b.ops()) {
        if (op.is_delete) {
            m->erase(op.key);
        } else {
            (*m)[op.key] = op.value;
        }
    }
}

// Reads the whole engine; RC_FAILs on an error.
inline Map ReadAll(Engine& e) {
    Map out;
    auto it = e.Scan({});
    for (; it->Valid(); it->Next()) out.emplace(it->key(), it->value());
    RC_ASSERT(it->status().ok());
    return out;
}

// The engine and its model, driven one operation at a time.
class ModelRun {
public:
    ModelRun(EngineOpener open, ModelTestOptions opts, uint64_t seed)
        : open_(std::move(open)), opts_(opts), disk_(Random(seed)) {
        disk_.SetFaults(opts_.crash_faults);
        Open();
    }
    ~ModelRun() { iter_.reset(); }

    void Step(const RawOp& raw) {
        auto [kind, a, b, c] = raw;
        a %= opts_.keys;
        b %= opts_.keys;
        if (kind < 30) {
            WriteBatch batch;
            batch.Set(ModelKey(a), ModelValue(c, opts_));
            Write(batch, c % 13 == 0);
        } else if (kind < 40) {
            WriteBatch batch;
            batch.Delete(ModelKey(a));
            Write(batch, false);
        } else if (kind < 50) {
            Write(MakeBatch(a, b, c), c % 5 == 0);
        } else if (kind < 60) {
            CheckGet(ModelKey(a));
        } else if (kind < 68) {
            CheckScan(a, b, c);
        } else if (kind < 75) {
            RC_ASSERT(engine_->Sync().ok());
            synced_ = log_.size();
        } else if (kind < 81) {
            RC_ASSERT(engine_->Flush().ok());
        } else if (kind < 84) {
            RC_ASSERT(engine_->Compact().ok());
        } else if (kind < 91) {
            Restart(/*crash=*/true);
        } else if (kind < 94) {
            Restart(/*crash=*/false);
        } else if (!iter_) {
            iter_ = engine_->Scan({});
            iter_expected_ = Current();
            iter_pos_ = iter_expected_.begin();
        }
        StepIterator();
    }

private:
    void Open() {
        auto e = open_(disk_);
        RC_ASSERT(e.ok());
        engine_ = std::move(e).value();
    }
    WriteBatch MakeBatch(int a, int b, int c) const {
        WriteBatch batch;
        int n = 2 + c % 4;
        for (int i = 0; i < n; ++i) {
            std::string key = ModelKey((a + i * (b + 1)) % opts_.keys);
            if ((c >> i) & 1) {
                batch.Delete(key);
            } else {
                batch.Set(key, fmt::format("b{}.{}", c, i));
            }
        }
        return batch;
    }
    Map Current() const {
        Map m = base_;
        for (const auto& b : log_) ApplyBatch(b, &m);
        return m;
    }
    void Write(const WriteBatch& batch, bool sync) {
        RC_ASSERT(engine_->Write(batch, sync).ok());
        log_.push_back(batch);
        if (sync) synced_ = log_.size();
    }
    void CheckGet(const std::string& key) {
        Map m = Current();
        Result<std::string> r = engine_->Get(key);
        auto it = m.find(key);
        if (it == m.end()) {
            RC_ASSERT(r.status().Is(Code::kNotFound));
        } else {
            RC_ASSERT(r.ok());
            RC_ASSERT(r.value() == it->second);
        }
    }
    void CheckScan(int a, int b, int c) {
        ScanOptions opts;
        opts.reverse = c % 2 == 1;
        if (c % 3 != 0) opts.lower = Bound::Inclusive(ModelKey(std::min(a, b)));
        if (c % 5 != 0) opts.upper = Bound::Exclusive(ModelKey(std::max(a, b)));
        std::vector<std::pair<std::string, std::string>> want;
        for (const auto& kv : Current()) {
            if (InRange(kv.first, opts)) want.push_back(kv);
        }
        if (opts.reverse) std::reverse(want.begin(), want.end());
        std::vector<std::pair<std::string, std::string>> got;
        auto it = engine_->Scan(opts);
        for (; it->Valid(); it->Next()) got.emplace_back(it->key(), it->value());
        RC_ASSERT(it->status().ok());
        RC_ASSERT(got == want);
    }
    // A held iterator advances one entry per operation and must match its snapshot.
    void StepIterator() {
        if (!iter_) return;
        if (iter_pos_ == iter_expected_.end()) {
            RC_ASSERT(!iter_->Valid());
            RC_ASSERT(iter_->status().ok());
            iter_.reset();
            return;
        }
        RC_ASSERT(iter_->Valid());
        RC_ASSERT(std::string(iter_->key()) == iter_pos_->first);
        RC_ASSERT(std::string(iter_->value()) == iter_pos_->second);
        iter_->Next();
        ++iter_pos_;
    }
    void Restart(bool crash) {
        iter_.reset();  // Iterators must not outlive their engine.
        engine_.reset();
        if (crash) disk_.Crash();
        Open();
        Map got = ReadAll(*engine_);
        if (!crash) {
            RC_ASSERT(got == Current());
            return;
        }
        // Find the prefix the engine recovered: at least every synced batch.
        Map m = base_;
        for (size_t i = 0; i < synced_; ++i) ApplyBatch(log_[i], &m);
        std::optional<size_t> prefix;
        for (size_t p = synced_;; ++p) {
            if (m == got) {
                prefix = p;
                break;
            }
            if (p == log_.size()) break;
            ApplyBatch(log_[p], &m);
        }
        RC_ASSERT(prefix.has_value());
        log_.resize(*prefix);
    }

    EngineOpener open_;
    ModelTestOptions opts_;
    sim::SimDisk disk_;
    std::unique_ptr<Engine> engine_;
    Map base_;                      // State before the first batch of log_ (always empty here).
    std::vector<WriteBatch> log_;   // Acknowledged batches, in order.
    size_t synced_ = 0;             // log_[0, synced_) is durable.
    std::unique_ptr<Iterator> iter_;
    Map iter_expected_;
    Map::const_iterator iter_pos_;
};

// Runs the property (call inside a TEST_CASE).
inline void CheckEngineAgainstModel(const std::string& name, const EngineOpener& open,
                                    const ModelTestOptions& opts = {}) {
    rc::prop(name + " matches a std::map model through crashes", [&] {
        uint64_t seed = *rc::gen::arbitrary<uint64_t>();
        auto op = rc::gen::tuple(rc::gen::inRange(0, 100), rc::gen::inRange(0, 1000),
                                 rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000));
        auto ops = *rc::gen::scale(opts.ops_scale, rc::gen::container<std::vector<RawOp>>(op));
        ModelRun run(open, opts, seed);
        for (const RawOp& raw : ops) run.Step(raw);
    });
}

}  // namespace orrery::storage::model_test
