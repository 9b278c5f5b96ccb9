// Scan: reads a table's rows through its access path (plan.h's ScanAccess) and keeps those
// passing `filter`.
//
// Access paths become a list of sources, each one Get of a whole primary key or one key range
// (of rows, or of index entries whose row is then fetched by primary key):
//   kFull             the table's row range;
//   kPoint            one source per key prefix: a Get when it is the whole primary key, else
//                     the range of keys starting with it; duplicates are dropped and the
//                     sources sorted, so `id IN (2, 1, 2)` reads rows 1 and 2 once, in order;
//   kRange            the keys starting with the prefix keys[0], whose next column lies between
//                     lower and upper.
// Key values are converted to the key column's type first. A prefix value that cannot equal any
// stored value (NULL, 1.5 for an INTEGER column) drops its source; a bound that cannot be
// converted is dropped (the range widens) and one that converts inexactly becomes inclusive. So
// the path may return extra rows but never misses one, and the filter, always re-checked,
// decides. Every row read (for an index, entry plus row) is one unit of work.
//
// Every read is as of the statement's start (txn.h): a scan never sees the rows its own
// statement wrote, however it is nested (a subquery of an UPDATE, a RETURNING item).
//
// Column pruning: the scan decodes only the positions `reads_` flags (what the operators above
// it and its own filter read, column_needs.h); the rest of each row is NULL, never looked at.
#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "core/key_encoding.h"
#include "sql/encoding/keys.h"
#include "sql/encoding/row_codec.h"
#include "sql/exec/operator.h"
#include "sql/exec/row_store.h"

namespace orrery::sql::exec {
namespace {

struct Source {
    bool get = false;       // A Get of `key`; else a scan of `range`.
    std::string key;
    mvcc::KeyRange range;
};

class ScanOp final : public Operator {
public:
    ScanOp(const OpEnv& env, PlanPtr plan, std::vector<bool> reads)
        : Operator(env), plan_(std::move(plan)), reads_(std::move(reads)) {
        // A set of the wrong width (or one reading everything) decodes the whole row.
        bool all = std::find(reads_.begin(), reads_.end(), false) == reads_.end();
        if (all || reads_.size() != StoredRowWidth(table())) reads_.clear();
    }

    SqlResult<Pull> Next(Row* out) override {
        if (!planned_) {
            auto s = PlanSources();
            if (!s.ok()) return s.error();
            planned_ = true;
        }
        for (;;) {
            if (!it_ && next_source_ >= sources_.size()) return Pull::kDone;
            if (!env_.budget->Take()) return Pull::kYield;
            auto got = ReadOne(out);
            if (!got.ok()) return got.error();
            if (!got.value()) continue;  // A source ended or held no row; no row produced.
            if (plan_->filter) {
                auto keep = env_.state->evaluator.EvalPredicate(plan_->filter, *out, env_.outer);
                if (!keep.ok()) return keep.error();
                if (!keep.value()) continue;
            }
            return Pull::kRow;
        }
    }

private:
    const TableSchema& table() const { return *plan_->table; }
    bool on_index() const { return plan_->access.index >= 0; }
    const IndexSchema& index() const {
        return table().indexes[static_cast<size_t>(plan_->access.index)];
    }

    // One row from the current source (opening the next one when needed); false when none was
    // produced by this call.
    SqlResult<bool> ReadOne(Row* out) {
        if (!it_) {
            const Source& s = sources_[next_source_++];
            if (s.get) {
                auto row = GetRowAtStatementStart(ctx().txn, table(), s.key, reads_);
                if (!row.ok()) return row.error();
                if (!row.value()) return false;
                *out = std::move(*row.value());
                return true;
            }
            auto scan = ctx().txn.ScanAtStatementStart(s.range);
            if (!scan.ok()) return StatusError(scan.status());
            it_ = std::move(scan).value();
        }
        if (!it_->Valid()) {
            Status st = it_->status();
            it_.reset();
            if (!st.ok()) return StatusError(st);
            return false;
        }
        if (on_index()) {
            auto key = IndexEntryRowKey(table(), index(), it_->key());
            it_->Next();
            if (!key.ok()) return key.error();
            auto row = GetRowAtStatementStart(ctx().txn, table(), RowKey(table().id, key.value()),
                                              reads_);
            if (!row.ok()) return row.error();
            if (!row.value()) {
                return MakeSqlError(ErrorKind::kInternal,
                                    fmt::format("index \"{}\" has an entry for a missing row",
                                                index().name));
            }
            *out = std::move(*row.value());
            return true;
        }
        auto decoded = DecodeStoredRowInto(table(), it_->value(), out, reads_);
        it_->Next();
        if (!decoded.ok()) return decoded.error();
        return true;
    }

    // The key columns the access path's values are for.
    std::vector<TypeSpec> KeyColumnTypes() const {
        std::vector<TypeSpec> types;
        std::vector<int> slots = on_index() ? table().Positions(index().column_ids)
                                            : KeySlots(table());
        for (int s : slots) {
            size_t p = static_cast<size_t>(s);
            types.push_back(p < table().columns.size() ? table().columns[p].type
                                                       : TypeSpec{DataType::kInteger, {}});
        }
        return types;
    }

    std::string KeyBase() const {
        return on_index() ? IndexPrefix(table().id, index().id) : RowPrefix(table().id);
    }

    // Encodes a prefix of exact key values; false when one cannot match any stored value.
    SqlResult<bool> EncodePrefix(const std::vector<BExpr>& exprs,
                                 const std::vector<TypeSpec>& types, std::string* key) {
        if (exprs.size() > types.size()) {
            return MakeSqlError(ErrorKind::kInternal, "access path key longer than the key");
        }
        static const Row kNoInput;
        for (size_t i = 0; i < exprs.size(); ++i) {
            auto v = Eval(exprs[i], kNoInput);
            if (!v.ok()) return v.error();
            bool exact = true;
            auto kv = KeyValueFor(v.value(), types[i], &exact);
            if (!kv || !exact) return false;
            AppendKeyPart(key, *kv);
        }
        return true;
    }

    SqlResult<bool> PlanSources() {
        const ScanAccess& a = plan_->access;
        if (on_index() && static_cast<size_t>(a.index) >= table().indexes.size()) {
            return MakeSqlError(ErrorKind::kInternal, "scan of an index the table does not have");
        }
        std::string base = KeyBase();
        std::vector<TypeSpec> types = KeyColumnTypes();
        switch (a.kind) {
            case ScanAccess::Kind::kFull:
                sources_.push_back({false, "", mvcc::KeyRange::Prefix(RowPrefix(table().id))});
                return true;
            case ScanAccess::Kind::kPoint: return PlanPoints(base, types);
            case ScanAccess::Kind::kRange: return PlanRange(base, types);
        }
        return MakeSqlError(ErrorKind::kInternal, "unknown access path");
    }

    SqlResult<bool> PlanPoints(const std::string& base, const std::vector<TypeSpec>& types) {
        std::vector<std::pair<std::string, bool>> keys;  // (key, whole primary key)
        for (const std::vector<BExpr>& prefix : plan_->access.keys) {
            std::string key = base;
            auto ok = EncodePrefix(prefix, types, &key);
            if (!ok.ok()) return ok;
            if (!ok.value()) continue;
            keys.emplace_back(std::move(key), !on_index() && prefix.size() == types.size());
        }
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        for (auto& [key, whole] : keys) {
            if (whole) {
                sources_.push_back({true, key, {}});
            } else {
                sources_.push_back({false, "", mvcc::KeyRange::Prefix(key)});
            }
        }
        return true;
    }

    SqlResult<bool> PlanRange(const std::string& base, const std::vector<TypeSpec>& types) {
        const ScanAccess& a = plan_->access;
        std::string prefix = base;
        std::vector<BExpr> none;
        const std::vector<BExpr>& eq = a.keys.empty() ? none : a.keys[0];
        auto ok = EncodePrefix(eq, types, &prefix);
        if (!ok.ok()) return ok;
        if (!ok.value()) return true;  // The prefix matches nothing.
        if (eq.size() >= types.size()) {
            return MakeSqlError(ErrorKind::kInternal, "range access past the last key column");
        }
        const TypeSpec& type = types[eq.size()];
        mvcc::KeyRange range{prefix, PrefixEnd(prefix)};
        static const Row kNoInput;
        for (bool lower : {true, false}) {
            const BExpr& bound = lower ? a.lower : a.upper;
            if (!bound) continue;
            auto v = Eval(bound, kNoInput);
            if (!v.ok()) return v.error();
            bool exact = true;
            auto kv = KeyValueFor(v.value(), type, &exact);
            if (!kv) continue;  // Widen: the filter decides.
            bool inclusive = (lower ? a.lower_inclusive : a.upper_inclusive) || !exact;
            std::string at = prefix;
            AppendKeyPart(&at, *kv);
            if (lower) {
                range.start = inclusive ? at : PrefixEnd(at);
            } else {
                range.end = inclusive ? PrefixEnd(at) : at;
            }
        }
        if (range.end.empty() || range.start < range.end) sources_.push_back({false, "", range});
        return true;
    }

    PlanPtr plan_;
    std::vector<bool> reads_;  // Positions of the stored row to decode; empty: all.
    bool planned_ = false;
    std::vector<Source> sources_;
    size_t next_source_ = 0;
    std::unique_ptr<KvIterator> it_;
};

}  // namespace

SqlResult<OperatorPtr> MakeScan(const PlanPtr& plan, const OpEnv& env, std::vector<bool> reads) {
    if (!plan->table) return MakeSqlError(ErrorKind::kInternal, "scan without a table");
    return OperatorPtr(std::make_unique<ScanOp>(env, plan, std::move(reads)));
}

}  // namespace orrery::sql::exec
