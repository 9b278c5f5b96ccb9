// PlanFixture: a catalog on a memory database for the binder's and optimizer's tests.
//
// Tables are declared with real CREATE TABLE / CREATE INDEX text, turned into a TableSchema here
// (a small subset of what the session's DDL does: columns, NOT NULL, literal DEFAULTs, PRIMARY
// KEY in both forms, UNIQUE as a unique index, CHECK kept as text) and saved with
// Catalog::Save in one transaction that stays open, so every later statement sees them.
// Header-only: the test CMake glob links *_test.cpp files only.
#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <variant>

#include "core/status.h"
#include "mvcc/mvcc.h"
#include "sql/mvcc_txn_store.h"
#include "storage/memory_engine.h"
#include "sql/eval/ops.h"
#include "sql/parser.h"
#include "sql/plan/binder.h"

namespace orrery::sql::testing {

inline Status ToStatus(const SqlError& error) {
    std::string where = error.position ? fmt::format(" at {}", *error.position) : "";
    return Status::InvalidArgument(
        fmt::format("{}{}: {}", SqlState(error.kind), where, error.message));
}

class PlanFixture {
public:
    PlanFixture() {
        // The stack EmbeddedDatabase::OpenInMemory builds, without its sessions.
        engine_ = std::make_unique<storage::MemoryEngine>();
        auto mvcc = mvcc::Mvcc::Open(*engine_);
        ORRERY_ASSERT(mvcc.ok(), "memory database: {}", mvcc.status().ToString());
        mvcc_ = std::move(mvcc).value();
        store_ = std::make_unique<MvccTxnStore>(*mvcc_);
        auto txn = store_->Begin(TxnOptions{});
        ORRERY_ASSERT(txn.ok(), "begin: {}", txn.status().ToString());
        txn_ = std::move(txn).value();
    }

    Txn& txn() { return *txn_; }

    // Runs CREATE TABLE or CREATE INDEX; "ok" or the error.
    Result<std::string> Create(const std::string& sql) {
        auto parsed = ParseStatement(sql);
        if (!parsed.ok()) return ToStatus(parsed.error());
        Catalog catalog(*txn_);
        if (auto* ct = std::get_if<CreateTable>(&parsed.value().body)) {
            auto made = MakeSchema(*ct, catalog);
            if (!made.ok()) return ToStatus(made.error());
            auto saved = catalog.Save(made.value());
            if (!saved.ok()) return ToStatus(saved.error());
            return std::string("ok");
        }
        if (auto* ci = std::get_if<CreateIndex>(&parsed.value().body)) {
            auto t = catalog.Lookup(ci->table);
            if (!t.ok()) return ToStatus(t.error());
            if (!t.value()) return Status::InvalidArgument("no table " + ci->table);
            TableSchema schema = *t.value();
            IndexSchema index;
            index.id = schema.next_index_id++;
            index.name = ci->name;
            index.unique = ci->unique;
            for (const std::string& c : ci->columns) {
                int pos = schema.ColumnIndexByName(c);
                if (pos < 0) return Status::InvalidArgument("no column " + c);
                index.column_ids.push_back(schema.columns[static_cast<size_t>(pos)].id);
            }
            schema.indexes.push_back(index);
            auto saved = catalog.Save(schema);
            if (!saved.ok()) return ToStatus(saved.error());
            return std::string("ok");
        }
        return Status::InvalidArgument("create takes CREATE TABLE or CREATE INDEX");
    }

    // Binds a SELECT, INSERT, UPDATE or DELETE. *param_types gets the inferred parameter types.
    SqlResult<PlanPtr> Bind(const Statement& s, std::vector<DataType>* param_types = nullptr) {
        Catalog catalog(*txn_);
        Binder binder(catalog, s.parameter_count);
        SqlResult<PlanPtr> plan = MakeSqlError(ErrorKind::kFeatureNotSupported, "not a DML");
        if (auto* q = std::get_if<SelectStatement>(&s.body)) plan = binder.BindSelect(*q->query);
        if (auto* i = std::get_if<Insert>(&s.body)) plan = binder.BindInsert(*i);
        if (auto* u = std::get_if<Update>(&s.body)) plan = binder.BindUpdate(*u);
        if (auto* d = std::get_if<Delete>(&s.body)) plan = binder.BindDelete(*d);
        if (param_types != nullptr) *param_types = binder.parameter_types();
        return plan;
    }

private:
    static SqlResult<TableSchema> MakeSchema(const CreateTable& ct, Catalog& catalog) {
        TableSchema t;
        auto id = catalog.AllocateTableId();
        if (!id.ok()) return id.error();
        t.id = id.value();
        t.name = ct.name;
        Binder binder(catalog, 0);
        auto key_of = [&](const std::vector<std::string>& names) -> std::vector<uint32_t> {
            std::vector<uint32_t> ids;
            for (const std::string& n : names) {
                int pos = t.ColumnIndexByName(n);
                ORRERY_ASSERT(pos >= 0, "test schema: no column {}", n);
                ids.push_back(t.columns[static_cast<size_t>(pos)].id);
            }
            return ids;
        };
        auto add_unique = [&](std::vector<uint32_t> ids) {
            IndexSchema index;
            index.id = t.next_index_id++;
            index.name = fmt::format("{}_unique{}", t.name, index.id);
            index.unique = true;
            index.column_ids = std::move(ids);
            t.indexes.push_back(index);
        };
        for (const ColumnDef& def : ct.columns) {
            ColumnSchema c;
            c.id = t.next_column_id++;
            c.name = def.name;
            c.type = def.type;
            c.not_null = def.not_null || def.primary_key;
            if (def.default_value) {
                auto e = binder.BindConstant(*def.default_value);
                if (!e.ok()) return e.error();
                if (e.value()->kind != BKind::kConstant) {
                    return MakeSqlError(ErrorKind::kFeatureNotSupported,
                                        "test schemas take literal defaults only");
                }
                auto v = AssignValue(e.value()->constant, c.type, c.name);
                if (!v.ok()) return v.error();
                c.default_value = v.value();
            }
            t.columns.push_back(c);
            if (def.primary_key) t.primary_key.push_back(c.id);
            if (def.unique) add_unique({c.id});
            if (def.check) {
                t.checks.push_back({fmt::format("{}_{}_check", t.name, c.name),
                                    ExprToSql(*def.check)});
            }
        }
        for (const TableConstraint& k : ct.constraints) {
            switch (k.kind) {
                case TableConstraint::Kind::kPrimaryKey:
                    t.primary_key = key_of(k.columns);
                    t.partition_key_columns = static_cast<uint32_t>(k.partition_columns.size());
                    for (uint32_t cid : t.primary_key) {
                        t.columns[static_cast<size_t>(t.ColumnIndex(cid))].not_null = true;
                    }
                    break;
                case TableConstraint::Kind::kUnique: add_unique(key_of(k.columns)); break;
                case TableConstraint::Kind::kCheck:
                    t.checks.push_back({k.name.empty()
                                            ? fmt::format("{}_check{}", t.name, t.checks.size() + 1)
                                            : k.name,
                                        ExprToSql(*k.check)});
                    break;
                case TableConstraint::Kind::kForeignKey: break;  // Not needed by plan tests.
            }
        }
        return t;
    }

    std::unique_ptr<storage::Engine> engine_;
    std::unique_ptr<mvcc::Mvcc> mvcc_;
    std::unique_ptr<MvccTxnStore> store_;
    std::unique_ptr<Txn> txn_;
};

}  // namespace orrery::sql::testing
