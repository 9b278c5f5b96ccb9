// Model-based property test: random sequences of sets, deletes, batches, scans (both directions,
// every bound kind), snapshot iterators, syncs, checkpoints, clean restarts and crashes with
// torn writes, run on a SimDisk and checked against a std::map.
//
// What it asserts:
//  - every Get and every scan returns exactly what the model holds (scans: the exact range);
//  - an iterator sees the state as of its creation, whatever is written meanwhile;
//  - after a crash the tree equals the model after some prefix of the batches written since
//    the last sync or checkpoint (the contract's "prefix containing every synced batch");
//  - after every step the tree's structure and page accounting are intact (Check()).
// The engine runs with a tiny cache and tiny checkpoint thresholds so that eviction, re-reading
// pages, automatic checkpoints and free-page reuse all happen within a hundred steps.
#include <fmt/format.h>
#include <rapidcheck.h>
#include <rapidcheck/catch.h>

#include <catch2/catch.hpp>
#include <map>
#include <optional>
#include <tuple>

#include "sim/sim_disk.h"
#include "storage/btree/btree_engine.h"

namespace orrery::storage {
namespace {

using Model = std::map<std::string, std::string>;
using Step = std::tuple<int, int, int, int>;

constexpr int kKeySpace = 600;

// Keys share a prefix of prefix_bytes, so separators (and so interior fan-out) follow its
// length: a long prefix grows the tree three or four levels high within a few hundred keys.
size_t prefix_bytes = 0;

std::string ModelKey(int i) {
    std::string k = std::string(prefix_bytes, 'p') + fmt::format("key{:04}", i);
    if (i % 97 == 5) {  // Long keys, up to the limit.
        k += std::string(std::min(kMaxKeyBytes - k.size(), 520 + static_cast<size_t>(i) * 7 % 3600),
                         'x');
    }
    return k;
}

std::string ModelValue(Random& rng) {
    size_t n = rng.Chance(0.05) ? 513 + rng.Uniform(20000) : rng.Uniform(250);
    std::string v(n, '\0');
    for (char& c : v) c = static_cast<char>('a' + rng.Uniform(26));
    return v;
}

void ApplyToModel(const WriteBatch& b, Model* m) {
    for (const auto& op : b.ops()) {
        if (op.is_delete) {
            m->erase(op.key);
        } else {
            (*m)[op.key] = op.value;
        }
    }
}

Model ReadAll(Engine& e) {
    Model m;
    auto it = e.Scan({});
    for (; it->Valid(); it->Next()) m.emplace(it->key(), it->value());
    RC_ASSERT(it->status().ok());
    return m;
}

ScanOptions RandomRange(Random& rng) {
    ScanOptions o;
    auto bound = [&]() {
        std::string k = ModelKey(static_cast<int>(rng.Uniform(kKeySpace)));
        switch (rng.Uniform(3)) {
            case 0:
                return Bound::Unbounded();
            case 1:
                return Bound::Inclusive(k);
            default:
                return Bound::Exclusive(k);
        }
    };
    o.lower = bound();
    o.upper = bound();
    o.reverse = rng.Chance(0.5);
    return o;
}

// Drains it and compares with the model's slice of the range.
void CheckScan(Iterator& it, const Model& m, const ScanOptions& o) {
    std::vector<std::pair<std::string, std::string>> want;
    for (const auto& kv : m) {
        if (InRange(kv.first, o)) want.push_back(kv);
    }
    if (o.reverse) std::reverse(want.begin(), want.end());
    size_t i = 0;
    for (; it.Valid(); it.Next(), ++i) {
        RC_ASSERT(i < want.size());
        RC_ASSERT(it.key() == want[i].first);
        RC_ASSERT(it.value() == want[i].second);
    }
    RC_ASSERT(it.status().ok());
    RC_ASSERT(i == want.size());
}

class Runner {
public:
    explicit Runner(uint64_t seed, sim::DiskFaults faults) : disk_(Random(seed)), faults_(faults) {
        opts_.cache_bytes = 24 * 4096;
        opts_.checkpoint_log_bytes = 48 << 10;
        opts_.checkpoint_dirty_pages = 40;
        opts_.log_buffer_bytes = 1024;
        Reopen(false);
    }

    void Run(const Step& step) {
        auto [kind, a, b, c] = step;
        Random rng(static_cast<uint64_t>(a) * 1000003 + static_cast<uint64_t>(b) * 7919 +
                   static_cast<uint64_t>(c));
        if (kind < 30) {
            WriteBatch w;
            w.Set(ModelKey(a % kKeySpace), ModelValue(rng));
            Write(w);
        } else if (kind < 42) {
            WriteBatch w;
            w.Delete(ModelKey(a % kKeySpace));
            Write(w);
        } else if (kind < 58) {
            WriteBatch w;  // A mixed batch, or a run of adjacent keys to force splits/merges.
            int n = 1 + b % 60;
            for (int i = 0; i < n; ++i) {
                int k = kind < 50 ? static_cast<int>(rng.Uniform(kKeySpace)) : (a + i) % kKeySpace;
                bool del = kind < 50 ? rng.Chance(0.3) : kind >= 54;
                if (del) {
                    w.Delete(ModelKey(k));
                } else {
                    w.Set(ModelKey(k), ModelValue(rng));
                }
            }
            Write(w);
        } else if (kind < 68) {
            std::string k = ModelKey(a % kKeySpace);
            Result<std::string> got = engine_->Get(k);
            auto want = current_.find(k);
            if (want == current_.end()) {
                RC_ASSERT(got.status().Is(Code::kNotFound));
            } else {
                RC_ASSERT(got.ok());
                RC_ASSERT(*got == want->second);
            }
        } else if (kind < 78) {
            ScanOptions o = RandomRange(rng);
            CheckScan(*engine_->Scan(o), current_, o);
        } else if (kind < 84) {
            Snapshot(rng);
        } else if (kind < 88) {
            RC_ASSERT(engine_->Sync().ok());
            MarkDurable();
        } else if (kind < 91) {
            RC_ASSERT(engine_->Flush().ok());
            MarkDurable();  // A checkpoint is durable (the B+-tree's guarantee, beyond the
                            // contract).
        } else if (kind < 96) {
            Reopen(true);
        } else {
            Reopen(false);
        }
        auto check = engine_->Check();
        RC_ASSERT(check.ok());
        RC_ASSERT(check->keys == current_.size());
        RC_ASSERT(engine_->GetStatus().live_keys == current_.size());
        max_height_ = std::max(max_height_, check->height);
    }

    uint32_t max_height() const { return max_height_; }
    int lossy_crashes() const { return lossy_crashes_; }

private:
    void Write(const WriteBatch& w) {
        RC_ASSERT(engine_->Write(w).ok());
        ApplyToModel(w, &current_);
        pending_.push_back(w);
    }

    void MarkDurable() {
        durable_ = current_;
        pending_.clear();
    }

    // Opens an iterator now and drains it a few steps later (or at once if one is open).
    void Snapshot(Random& rng) {
        if (snap_) {
            CheckScan(*snap_, snap_model_, snap_opts_);
            snap_.reset();
            return;
        }
        snap_opts_ = RandomRange(rng);
        snap_model_ = current_;
        snap_ = engine_->Scan(snap_opts_);
    }

    void Reopen(bool crash) {
        snap_.reset();
        engine_.reset();
        if (crash) {
            disk_.SetFaults(faults_);
            disk_.Crash();
            disk_.SetFaults({});
        }
        auto opened = BTreeEngine::Open(disk_, opts_);
        RC_ASSERT(opened.ok());
        engine_ = std::move(*opened);
        Model got = ReadAll(*engine_);
        if (crash) {
            // Some prefix of the batches since the last durable point must be what survived.
            Model m = durable_;
            bool matched = got == m;
            for (size_t i = 0; i < pending_.size() && !matched; ++i) {
                ApplyToModel(pending_[i], &m);
                matched = got == m;
            }
            RC_ASSERT(matched);
            if (got != current_) ++lossy_crashes_;
            current_ = got;
        } else {
            RC_ASSERT(got == current_);
        }
        MarkDurable();
    }

    sim::SimDisk disk_;
    sim::DiskFaults faults_;
    BTreeOptions opts_;
    std::unique_ptr<BTreeEngine> engine_;
    Model current_;
    Model durable_;
    std::vector<WriteBatch> pending_;
    std::unique_ptr<Iterator> snap_;
    Model snap_model_;
    ScanOptions snap_opts_;
    uint32_t max_height_ = 0;
    int lossy_crashes_ = 0;
};

}  // namespace

TEST_CASE("the B+-tree matches a map through writes, scans, snapshots and crashes", "[btree]") {
    rc::prop("model", [](uint64_t seed) {
        sim::DiskFaults faults;
        faults.sector_lost = *rc::gen::element(0.0, 0.5, 1.0);
        faults.sector_garbage = *rc::gen::element(0.0, 0.3);
        faults.lose_unsynced_dir_ops = *rc::gen::element(0.0, 0.5, 1.0);
        auto steps = *rc::gen::container<std::vector<Step>>(
            rc::gen::tuple(rc::gen::inRange(0, 100), rc::gen::inRange(0, 1000),
                           rc::gen::inRange(0, 1000), rc::gen::inRange(0, 1000)));
        prefix_bytes = *rc::gen::element<size_t>(0, 0, 300);
        Runner runner(seed, faults);
        for (const Step& s : steps) runner.Run(s);
        RC_TAG(fmt::format("height {}", runner.max_height()));
        RC_CLASSIFY(runner.lossy_crashes() > 0, "a crash lost unsynced batches");
    });
}

}  // namespace orrery::storage
