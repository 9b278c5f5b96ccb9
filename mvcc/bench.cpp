// The MVCC benchmark. See bench.h.
#include "mvcc/bench.h"

#include <fmt/format.h>

#include <optional>

#include "core/random.h"
#include "mvcc/mvcc.h"
#include "mvcc/transaction.h"

namespace orrery::mvcc {
namespace {

enum class Mix { kReadOnly, kReadOnlySi, kWriteOnly, kBank };

constexpr int64_t kInitialBalance = 1000;
constexpr int kPreloadBatch = 1000;

std::optional<Mix> ParseMix(std::string_view name) {
    if (name == "read-only") return Mix::kReadOnly;
    if (name == "read-only-si") return Mix::kReadOnlySi;
    if (name == "write-only") return Mix::kWriteOnly;
    if (name == "bank") return Mix::kBank;
    return std::nullopt;
}

std::string Key(int i) { return fmt::format("key/{:08d}", i); }

// One client's transaction in flight.
struct Slot {
    std::optional<Transaction> txn;
    int step = 0;
    std::vector<int> keys;  // Keys to touch; for bank: {from, to}.
    int64_t amount = 0;
    int64_t from_balance = 0;
};

class BenchRun {
public:
    BenchRun(Mvcc& mvcc, Mix mix, const MvccBenchOptions& opts, MvccBenchResult* result)
        : mvcc_(mvcc), mix_(mix), opts_(opts), rng_(opts.seed), result_(result) {}

    Status Preload() {
        std::string value = mix_ == Mix::kBank ? std::to_string(kInitialBalance) : "v";
        for (int first = 0; first < opts_.keys; first += kPreloadBatch) {
            ORRERY_ASSIGN_OR_RETURN(Transaction txn, mvcc_.Begin());
            for (int i = first; i < std::min(opts_.keys, first + kPreloadBatch); ++i) {
                ORRERY_RETURN_IF_ERROR(txn.Set(Key(i), value));
            }
            ORRERY_RETURN_IF_ERROR(txn.Commit().status());
        }
        return Status::Ok();
    }

    // Runs opts.txns transactions, `concurrency` at a time, interleaved step by step.
    Status Run() {
        std::vector<Slot> slots(static_cast<size_t>(opts_.concurrency));
        std::vector<size_t> live;
        uint64_t started = 0, finished = 0;
        for (size_t i = 0; i < slots.size() && started < opts_.txns; ++i, ++started) {
            ORRERY_RETURN_IF_ERROR(Start(&slots[i]));
            live.push_back(i);
        }
        const uint64_t max_steps = opts_.txns * static_cast<uint64_t>(opts_.ops_per_txn + 4);
        for (uint64_t steps = 0; !live.empty(); ++steps) {
            ORRERY_ASSERT(steps <= max_steps, "benchmark scheduler did not converge");
            size_t pick = rng_.Uniform(live.size());
            Slot& slot = slots[live[pick]];
            ORRERY_ASSIGN_OR_RETURN(bool ended, Step(&slot));
            if (!ended) continue;
            slot.txn.reset();
            if (++finished % opts_.gc_every == 0) {
                ORRERY_RETURN_IF_ERROR(mvcc_.CollectGarbage(mvcc_.OldestActiveSnapshot()).status());
            }
            if (started < opts_.txns) {
                ++started;
                ORRERY_RETURN_IF_ERROR(Start(&slot));
            } else {
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
            }
        }
        return Status::Ok();
    }

private:
    Status Start(Slot* slot) {
        TxnOptions options = TxnOptions::ReadWrite();
        if (mix_ == Mix::kReadOnly) options = TxnOptions::ReadOnly();
        if (mix_ == Mix::kReadOnlySi) options = TxnOptions::ReadOnly(Isolation::kSnapshot);
        ORRERY_ASSIGN_OR_RETURN(Transaction txn, mvcc_.Begin(options));
        slot->txn.emplace(std::move(txn));
        slot->step = 0;
        slot->keys.clear();
        int n = mix_ == Mix::kBank ? 2 : opts_.ops_per_txn;
        for (int i = 0; i < n; ++i) {
            slot->keys.push_back(static_cast<int>(rng_.Uniform(static_cast<uint64_t>(opts_.keys))));
        }
        if (mix_ == Mix::kBank && slot->keys[0] == slot->keys[1]) {
            slot->keys[1] = (slot->keys[1] + 1) % opts_.keys;
        }
        slot->amount = rng_.Range(1, kInitialBalance / 2);
        return Status::Ok();
    }

    Result<int64_t> Balance(Transaction& txn, int account) {
        ORRERY_ASSIGN_OR_RETURN(std::optional<std::string> v, txn.Get(Key(account)));
        if (!v) return Status::Corruption("bank account missing: " + Key(account));
        return std::stoll(*v);
    }

    // Advances one step; returns true when the transaction has ended.
    Result<bool> Step(Slot* slot) {
        Transaction& txn = *slot->txn;
        int step = slot->step++;
        if (mix_ != Mix::kBank) {
            if (step >= opts_.ops_per_txn) return Commit(slot);
            const std::string key = Key(slot->keys[static_cast<size_t>(step)]);
            if (mix_ == Mix::kWriteOnly) {
                ORRERY_RETURN_IF_ERROR(txn.Set(key, fmt::format("t{}", txn.id())));
            } else {
                ORRERY_RETURN_IF_ERROR(txn.Get(key).status());
            }
            return false;
        }
        if (step == 0) {
            ORRERY_ASSIGN_OR_RETURN(slot->from_balance, Balance(txn, slot->keys[0]));
            if (slot->from_balance >= slot->amount) return false;
            txn.Rollback();  // Insufficient funds: the transfer's own logic gives up.
            ++result_->gave_up;
            return true;
        }
        if (step == 1) {
            ORRERY_ASSIGN_OR_RETURN(int64_t to_balance, Balance(txn, slot->keys[1]));
            ORRERY_RETURN_IF_ERROR(txn.Set(Key(slot->keys[0]),
                                           std::to_string(slot->from_balance - slot->amount)));
            ORRERY_RETURN_IF_ERROR(txn.Set(Key(slot->keys[1]),
                                           std::to_string(to_balance + slot->amount)));
            return false;
        }
        return Commit(slot);
    }

    Result<bool> Commit(Slot* slot) {
        Transaction& txn = *slot->txn;
        if (txn.NeedsCommitEntry()) {
            ++result_->log_entries;
            result_->log_bytes += EncodeCommitRequest(txn.BuildCommitRequest()).size();
        }
        Result<CommitOutcome> outcome = txn.Commit();
        if (outcome.ok()) {
            ++result_->committed;
        } else if (outcome.status().Is(Code::kAborted)) {
            ++result_->aborted;
        } else {
            return outcome.status();
        }
        return true;
    }

    Mvcc& mvcc_;
    Mix mix_;
    const MvccBenchOptions& opts_;
    Random rng_;
    MvccBenchResult* result_;
};

}  // namespace

Status ValidateMvccBench(const MvccBenchOptions& opts) {
    if (opts.mix != "all" && !ParseMix(opts.mix)) {
        return Status::InvalidArgument(fmt::format("unknown mix '{}' (expected all or one of: {})",
                                                   opts.mix, kMvccBenchMixes));
    }
    if (opts.txns == 0 || opts.concurrency < 1 || opts.concurrency > 10000 || opts.keys < 2 ||
        opts.ops_per_txn < 1 || opts.ops_per_txn > 1000 || opts.gc_every == 0) {
        return Status::InvalidArgument(
            "need txns >= 1, 1 <= concurrency <= 10000, keys >= 2, 1 <= ops <= 1000, gc-every >= "
            "1");
    }
    return Status::Ok();
}

Result<std::vector<MvccBenchResult>> RunMvccBench(
    const std::function<Result<std::unique_ptr<storage::Engine>>()>& make_engine,
    const MvccBenchOptions& opts, const std::function<int64_t()>& now_us) {
    ORRERY_RETURN_IF_ERROR(ValidateMvccBench(opts));
    std::vector<std::string> mixes;
    if (opts.mix == "all") {
        mixes = {"read-only", "read-only-si", "write-only", "bank"};
    } else {
        mixes = {opts.mix};
    }
    std::vector<MvccBenchResult> results;
    for (const std::string& name : mixes) {
        ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<storage::Engine> engine, make_engine());
        ORRERY_ASSIGN_OR_RETURN(std::unique_ptr<Mvcc> mvcc, Mvcc::Open(*engine));
        MvccBenchResult result;
        result.mix = name;
        BenchRun run(*mvcc, *ParseMix(name), opts, &result);
        ORRERY_RETURN_IF_ERROR(run.Preload());
        int64_t start = now_us();
        ORRERY_RETURN_IF_ERROR(run.Run());
        result.elapsed_us = now_us() - start;
        results.push_back(result);
    }
    return results;
}

}  // namespace orrery::mvcc
