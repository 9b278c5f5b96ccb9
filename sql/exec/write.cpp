// Insert, Update and Delete, with their constraints, RETURNING, and the conditional writes of
// the LWT syntax (executor.h documents the [applied] row).
//
// Phases, each resumable under the work budget:
//  1. collect: the child's rows are read to the end before anything is written (INSERT: the
//     source rows, turned into new rows; UPDATE/DELETE: the old rows, as the table's scan
//     outputs them). Writing while reading would let a statement see its own writes through a
//     later Get (UPDATE t SET id = id + 10 WHERE id IN (1, 11) must not move row 1 twice).
//  2. decide: a conditional write decides whether it applies, all rows or none.
//  3. apply: one row per unit of work. NOT NULL (23502) and CHECK (23514; NULL passes) on the
//     new row, then the primary key and UNIQUE indexes (23505) against what is stored, then the
//     row and every index entry are written (an UPDATE moving its key deletes the old ones).
//  4. foreign keys (23503), once every row is written, against the statement's result:
//     each new or changed child reference must find its parent row, and each removed or changed
//     parent key must have no child row left referencing it (restrict; a self-referencing table
//     may so delete a parent and its children in one statement). NULL references are not
//     checked (MATCH SIMPLE).
//  5. emit: the RETURNING rows, or the one [applied] row.
// The collected rows are not charged against the memory bound: they are what the transaction
// buffers anyway.
#include <fmt/format.h>

#include <map>

#include "core/assert.h"
#include "sql/encoding/keys.h"
#include "sql/encoding/row_codec.h"
#include "sql/eval/ops.h"
#include "sql/exec/operator.h"
#include "sql/exec/row_store.h"

namespace orrery::sql::exec {
namespace {

bool AnyNull(const std::vector<Value>& values) {
    for (const Value& v : values) {
        if (v.is_null()) return true;
    }
    return false;
}

bool SameValues(const std::vector<Value>& a, const std::vector<Value>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (CompareValues(a[i], b[i]) != 0) return false;
    }
    return true;
}

std::string FkName(const TableSchema& child, const ForeignKeySchema& fk) {
    if (!fk.name.empty()) return fk.name;
    std::string cols;
    for (int p : child.Positions(fk.column_ids)) {
        if (p >= 0) cols += "_" + child.columns[static_cast<size_t>(p)].name;
    }
    return child.name + cols + "_fkey";
}

// True iff `table` has a row whose values at `slots` equal `values` (converted to the
// columns' types first). Uses the primary key or an index led by those columns when one
// exists, else scans the table.
SqlResult<bool> RowWithValuesExists(Txn& txn, const TableSchema& table,
                                    const std::vector<uint32_t>& column_ids,
                                    const std::vector<Value>& values) {
    std::vector<int> slots = table.Positions(column_ids);
    std::vector<Value> converted;
    for (size_t i = 0; i < slots.size(); ++i) {
        if (slots[i] < 0) return MakeSqlError(ErrorKind::kInternal, "foreign key on a dropped column");
        bool exact = true;
        auto kv = KeyValueFor(values[i], table.columns[static_cast<size_t>(slots[i])].type, &exact);
        if (!kv || !exact) return false;
        converted.push_back(*kv);
    }
    if (column_ids == table.primary_key) {
        auto row = GetRowByKey(txn, table, converted);
        if (!row.ok()) return row.error();
        return row.value().has_value();
    }
    for (const IndexSchema& index : table.indexes) {
        if (index.column_ids.size() < column_ids.size() ||
            !std::equal(column_ids.begin(), column_ids.end(), index.column_ids.begin())) {
            continue;
        }
        return AnyKeyIn(txn, IndexValuesRange(table, index, converted), "");
    }
    auto scan = txn.Scan(mvcc::KeyRange::Prefix(RowPrefix(table.id)));
    if (!scan.ok()) return StatusError(scan.status());
    auto& it = scan.value();
    for (; it->Valid(); it->Next()) {
        auto row = DecodeStoredRow(table, it->value());
        if (!row.ok()) return row.error();
        if (SameValues(ValuesAt(row.value(), slots), converted)) return true;
    }
    if (!it->status().ok()) return StatusError(it->status());
    return false;
}

class WriteOp final : public Operator {
public:
    WriteOp(const OpEnv& env, PlanPtr plan, OperatorPtr child)
        : Operator(env), plan_(std::move(plan)), child_(std::move(child)),
          table_(*plan_->table) {}

    SqlResult<Pull> Next(Row* out) override {
        if (phase_ == Phase::kCollect) {
            auto p = Collect();
            if (!p.ok() || p.value() != Pull::kDone) return p;
            auto d = Decide();
            if (!d.ok()) return d.error();
            phase_ = Phase::kApply;
        }
        if (phase_ == Phase::kApply) {
            while (applied_ && apply_pos_ < input_.size()) {
                if (!env_.budget->Take()) return Pull::kYield;
                auto a = ApplyOne(input_[apply_pos_++]);
                if (!a.ok()) return a.error();
            }
            auto c = CheckForeignKeys();
            if (!c.ok()) return c.error();
            if (plan_->condition_kind != WriteCondition::Kind::kNone) {
                output_.push_back(AppliedRow());
            }
            phase_ = Phase::kEmit;
        }
        if (emit_pos_ >= output_.size()) return Pull::kDone;
        *out = std::move(output_[emit_pos_++]);
        return Pull::kRow;
    }

private:
    enum class Phase : uint8_t { kCollect, kApply, kEmit };

    struct ChildRef {  // A new reference from this table's row to a parent.
        const ForeignKeySchema* fk;
        std::vector<Value> values;
    };
    struct ParentRef {  // A removed key of this table that `child` must not reference.
        TablePtr child;
        size_t fk;
        std::vector<Value> values;
    };

    SqlResult<Pull> Collect() {
        Row r;
        for (;;) {
            auto p = child_->Next(&r);
            if (!p.ok() || p.value() != Pull::kRow) return p;
            if (plan_->kind == PlanKind::kInsert) {
                auto row = BuildInsertRow(r);
                if (!row.ok()) return row.error();
                input_.push_back(std::move(row).value());
                continue;
            }
            if (r.size() != StoredRowWidth(table_)) {
                return MakeSqlError(ErrorKind::kInternal,
                                    fmt::format("{} of \"{}\" read rows of {} values, not {}",
                                                plan_->kind == PlanKind::kUpdate ? "UPDATE"
                                                                                 : "DELETE",
                                                table_.name, r.size(), StoredRowWidth(table_)));
            }
            input_.push_back(std::move(r));
        }
    }

    // The stored row an INSERT source row makes: the named columns assigned, the others their
    // DEFAULT or NULL, and a fresh hidden row id where the table has no key.
    SqlResult<Row> BuildInsertRow(const Row& src) {
        if (src.size() != plan_->insert_columns.size()) {
            return MakeSqlError(ErrorKind::kSyntax,
                                fmt::format("INSERT has {} target columns but {} expressions",
                                            plan_->insert_columns.size(), src.size()));
        }
        Row row(StoredRowWidth(table_));
        for (size_t i = 0; i < table_.columns.size(); ++i) {
            if (table_.columns[i].default_value) row[i] = *table_.columns[i].default_value;
        }
        for (size_t i = 0; i < src.size(); ++i) {
            int pos = plan_->insert_columns[i];
            if (pos < 0 || static_cast<size_t>(pos) >= table_.columns.size()) {
                return MakeSqlError(ErrorKind::kInternal, "INSERT into a column out of range");
            }
            const ColumnSchema& c = table_.columns[static_cast<size_t>(pos)];
            auto v = AssignValue(src[i], c.type, c.name);
            if (!v.ok()) return v.error();
            row[static_cast<size_t>(pos)] = v.value();
        }
        if (table_.has_hidden_rowid()) {
            auto id = ctx().catalog.NextRowId(table_.id);
            if (!id.ok()) return id.error();
            row.back() = Value::Integer(id.value());
        }
        return row;
    }

    SqlResult<bool> Decide() {
        using K = WriteCondition::Kind;
        K kind = plan_->condition_kind;
        if (kind != K::kNone && !plan_->returning.empty()) {
            return MakeSqlError(ErrorKind::kFeatureNotSupported,
                                "RETURNING cannot be combined with a conditional write (IF ...)");
        }
        switch (kind) {
            case K::kNone: return true;
            case K::kNotExists:
                if (plan_->kind != PlanKind::kInsert) {
                    return MakeSqlError(ErrorKind::kSyntax, "IF NOT EXISTS applies to INSERT only");
                }
                for (const Row& row : input_) {
                    auto existing = GetRowByKey(ctx().txn, table_, RowKeyValues(table_, row));
                    if (!existing.ok()) return existing.error();
                    if (existing.value()) {
                        applied_ = false;
                        current_ = *existing.value();
                        return true;
                    }
                }
                return true;
            case K::kExists:
            case K::kColumns:
                if (plan_->kind == PlanKind::kInsert) {
                    return MakeSqlError(ErrorKind::kSyntax, "INSERT accepts IF NOT EXISTS only");
                }
                applied_ = !input_.empty();
                if (kind == K::kExists) return true;
                for (const Row& row : input_) {
                    for (const BExpr& cond : plan_->write_conditions) {
                        auto ok = env_.state->evaluator.EvalPredicate(cond, row, env_.outer);
                        if (!ok.ok()) return ok.error();
                        if (ok.value()) continue;
                        applied_ = false;
                        current_ = row;
                        return true;
                    }
                }
                return true;
        }
        return true;
    }

    // [applied], then the columns the IF names: their current values when the write did not
    // apply and a row exists, else NULL.
    Row AppliedRow() const {
        Row row{Value::Boolean(applied_)};
        for (int c : plan_->write_condition_columns) {
            bool show = !applied_ && current_ && c >= 0 && static_cast<size_t>(c) < current_->size();
            row.push_back(show ? (*current_)[static_cast<size_t>(c)] : Value());
        }
        return row;
    }

    SqlResult<bool> Validate(const Row& row) {
        std::vector<int> key = table_.KeyPositions();
        for (size_t i = 0; i < table_.columns.size(); ++i) {
            const ColumnSchema& c = table_.columns[i];
            bool required = c.not_null || std::find(key.begin(), key.end(), static_cast<int>(i)) != key.end();
            if (required && row[i].is_null()) {
                return MakeSqlError(ErrorKind::kNotNullViolation,
                                    fmt::format("null value in column \"{}\" of relation \"{}\" "
                                                "violates not-null constraint",
                                                c.name, table_.name));
            }
        }
        for (const auto& [name, check] : plan_->checks) {
            auto v = Eval(check, row);
            if (!v.ok()) return v.error();
            if (v.value().type() == DataType::kBoolean && !v.value().boolean()) {
                return MakeSqlError(ErrorKind::kCheckViolation,
                                    fmt::format("new row for relation \"{}\" violates check "
                                                "constraint \"{}\"",
                                                table_.name, name));
            }
        }
        return true;
    }

    SqlError Duplicate(const std::string& constraint, const std::vector<int>& slots,
                       const Row& row) const {
        return MakeSqlError(ErrorKind::kUniqueViolation,
                            fmt::format("duplicate key value violates unique constraint \"{}\": "
                                        "key {} already exists",
                                        constraint, KeyDetail(table_, slots, ValuesAt(row, slots))));
    }

    // Checks the UNIQUE indexes for `row`'s values (entries of the row itself already gone).
    SqlResult<bool> CheckUnique(const Row& row, const Row* old) {
        for (const IndexSchema& index : table_.indexes) {
            if (!index.unique) continue;
            std::vector<int> slots = table_.Positions(index.column_ids);
            std::vector<Value> values = ValuesAt(row, slots);
            if (AnyNull(values)) continue;
            if (old != nullptr && SameValues(values, ValuesAt(*old, slots))) continue;
            auto taken = AnyKeyIn(ctx().txn, IndexValuesRange(table_, index, values),
                                  old != nullptr ? IndexEntryKey(table_, index, *old) : "");
            if (!taken.ok()) return taken;
            if (taken.value()) return Duplicate(index.name, slots, row);
        }
        return true;
    }

    SqlResult<bool> ApplyOne(const Row& row) {
        switch (plan_->kind) {
            case PlanKind::kInsert: return Insert(row);
            case PlanKind::kUpdate: return Update(row);
            case PlanKind::kDelete: return Delete(row);
            default: break;
        }
        return MakeSqlError(ErrorKind::kInternal, "not a write");
    }

    SqlResult<bool> Insert(const Row& row) {
        auto valid = Validate(row);
        if (!valid.ok()) return valid;
        const std::string key = StoredRowKey(table_, row);
        auto existing = ctx().txn.Get(key);
        if (!existing.ok()) return StatusError(existing.status());
        if (existing.value()) return Duplicate(table_.name + "_pkey", KeySlots(table_), row);
        auto unique = CheckUnique(row, nullptr);
        if (!unique.ok()) return unique;
        auto put = PutRowAndEntries(ctx().txn, table_, row, key);
        if (!put.ok()) return put;
        NoteChildRefs(row, nullptr);
        return Wrote(row);
    }

    SqlResult<bool> Update(const Row& old) {
        Row row = old;
        for (const auto& [pos, e] : plan_->assignments) {
            if (pos < 0 || static_cast<size_t>(pos) >= table_.columns.size()) {
                return MakeSqlError(ErrorKind::kInternal, "UPDATE of a column out of range");
            }
            const ColumnSchema& c = table_.columns[static_cast<size_t>(pos)];
            auto v = Eval(e, old);
            if (!v.ok()) return v.error();
            auto assigned = AssignValue(v.value(), c.type, c.name);
            if (!assigned.ok()) return assigned.error();
            row[static_cast<size_t>(pos)] = assigned.value();
        }
        auto valid = Validate(row);
        if (!valid.ok()) return valid;
        Txn& txn = ctx().txn;
        std::string old_key = StoredRowKey(table_, old);
        std::string new_key = StoredRowKey(table_, row);
        if (new_key != old_key) {
            auto existing = txn.Get(new_key);
            if (!existing.ok()) return StatusError(existing.status());
            if (existing.value()) return Duplicate(table_.name + "_pkey", KeySlots(table_), row);
        }
        auto unique = CheckUnique(row, &old);
        if (!unique.ok()) return unique;
        for (const IndexSchema& index : table_.indexes) {
            std::string before = IndexEntryKey(table_, index, old);
            std::string after = IndexEntryKey(table_, index, row);
            if (before == after) continue;
            Status s = txn.Delete(before);
            if (s.ok()) s = txn.Put(after, "");
            if (!s.ok()) return StatusError(s);
        }
        if (new_key != old_key) {
            Status s = txn.Delete(old_key);
            if (!s.ok()) return StatusError(s);
        }
        Status s = txn.Put(new_key, EncodeRow(table_, row));
        if (!s.ok()) return StatusError(s);
        NoteChildRefs(row, &old);
        auto parents = NoteParentRefs(old, &row);
        if (!parents.ok()) return parents;
        return Wrote(row);
    }

    SqlResult<bool> Delete(const Row& old) {
        auto del = DeleteRowAndEntries(ctx().txn, table_, old);
        if (!del.ok()) return del;
        auto parents = NoteParentRefs(old, nullptr);
        if (!parents.ok()) return parents;
        return Wrote(old);
    }

    SqlResult<bool> Wrote(const Row& row) {
        ++env_.state->rows_affected;
        if (plan_->returning.empty()) return true;
        Row out;
        for (const BExpr& e : plan_->returning) {
            auto v = Eval(e, row);
            if (!v.ok()) return v.error();
            out.push_back(v.value());
        }
        output_.push_back(std::move(out));
        return true;
    }

    void NoteChildRefs(const Row& row, const Row* old) {
        for (const ForeignKeySchema& fk : table_.foreign_keys) {
            std::vector<int> slots = table_.Positions(fk.column_ids);
            std::vector<Value> values = ValuesAt(row, slots);
            if (AnyNull(values)) continue;
            if (old != nullptr && SameValues(values, ValuesAt(*old, slots))) continue;
            child_refs_.push_back({&fk, std::move(values)});
        }
    }

    SqlResult<bool> NoteParentRefs(const Row& old, const Row* row) {
        if (!children_) {
            auto all = ctx().catalog.List();
            if (!all.ok()) return all.error();
            children_.emplace();
            for (const TablePtr& t : all.value()) {
                for (size_t i = 0; i < t->foreign_keys.size(); ++i) {
                    if (t->foreign_keys[i].parent_table_id == table_.id) children_->push_back({t, i});
                }
            }
        }
        for (const auto& [child, i] : *children_) {
            const ForeignKeySchema& fk = child->foreign_keys[i];
            std::vector<int> slots = table_.Positions(fk.parent_column_ids);
            std::vector<Value> values = ValuesAt(old, slots);
            if (AnyNull(values)) continue;
            if (row != nullptr && SameValues(values, ValuesAt(*row, slots))) continue;
            parent_refs_.push_back({child, i, std::move(values)});
        }
        return true;
    }

    SqlResult<TablePtr> Parent(uint64_t id) {
        auto it = parents_.find(id);
        if (it != parents_.end()) return it->second;
        auto t = ctx().catalog.LookupById(id);
        if (!t.ok()) return t;
        parents_[id] = t.value();
        return t;
    }

    SqlResult<bool> CheckForeignKeys() {
        for (const ChildRef& ref : child_refs_) {
            auto parent = Parent(ref.fk->parent_table_id);
            if (!parent.ok()) return parent.error();
            bool found = false;
            if (parent.value()) {
                auto f = RowWithValuesExists(ctx().txn, *parent.value(), ref.fk->parent_column_ids,
                                             ref.values);
                if (!f.ok()) return f;
                found = f.value();
            }
            if (!found) {
                std::string parent_name = parent.value() ? parent.value()->name : "?";
                return MakeSqlError(
                    ErrorKind::kForeignKeyViolation,
                    fmt::format("insert or update on table \"{}\" violates foreign key constraint "
                                "\"{}\": key {} is not present in table \"{}\"",
                                table_.name, FkName(table_, *ref.fk),
                                KeyDetail(table_, table_.Positions(ref.fk->column_ids), ref.values),
                                parent_name));
            }
        }
        for (const ParentRef& ref : parent_refs_) {
            const ForeignKeySchema& fk = ref.child->foreign_keys[ref.fk];
            // The parent key may exist again (an UPDATE that swapped keys): then nothing dangles.
            auto again = RowWithValuesExists(ctx().txn, table_, fk.parent_column_ids, ref.values);
            if (!again.ok()) return again;
            if (again.value()) continue;
            // A self-referencing table sees its own new schema; others the catalog's.
            auto used = RowWithValuesExists(ctx().txn, *ref.child, fk.column_ids, ref.values);
            if (!used.ok()) return used;
            if (used.value()) {
                return MakeSqlError(
                    ErrorKind::kForeignKeyViolation,
                    fmt::format("update or delete on table \"{}\" violates foreign key "
                                "constraint \"{}\" on table \"{}\": key {} is still referenced",
                                table_.name, FkName(*ref.child, fk), ref.child->name,
                                KeyDetail(table_, table_.Positions(fk.parent_column_ids),
                                          ref.values)));
            }
        }
        return true;
    }

    PlanPtr plan_;
    OperatorPtr child_;
    const TableSchema& table_;
    Phase phase_ = Phase::kCollect;
    std::vector<Row> input_;
    size_t apply_pos_ = 0;
    bool applied_ = true;
    std::optional<Row> current_;
    std::vector<Row> output_;
    size_t emit_pos_ = 0;
    std::vector<ChildRef> child_refs_;
    std::vector<ParentRef> parent_refs_;
    std::optional<std::vector<std::pair<TablePtr, size_t>>> children_;
    std::map<uint64_t, TablePtr> parents_;
};

}  // namespace

SqlResult<OperatorPtr> MakeWrite(const PlanPtr& plan, const OpEnv& env, OperatorPtr child) {
    if (!plan->table) return MakeSqlError(ErrorKind::kInternal, "write without a table");
    if (plan->children.size() != 1) return MakeSqlError(ErrorKind::kInternal, "write without input");
    return OperatorPtr(std::make_unique<WriteOp>(env, plan, std::move(child)));
}

}  // namespace orrery::sql::exec
