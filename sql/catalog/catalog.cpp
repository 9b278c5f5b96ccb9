// The transactional catalog (catalog.h).
#include "sql/catalog/catalog.h"

#include "core/coding.h"
#include "sql/encoding/keys.h"

namespace orrery::sql {
namespace {

SqlResult<uint64_t> ReadCounter(Txn& txn, const std::string& key) {
    auto got = txn.Get(key);
    if (!got.ok()) return ErrorFromStatus(got.status());
    if (!got.value()) return uint64_t{0};
    Decoder in(*got.value());
    uint64_t v = 0;
    if (!in.GetVarint64(&v)) {
        return MakeSqlError(ErrorKind::kInternal, "corrupt counter " + mvcc::PrintableKey(key));
    }
    return v;
}

SqlResult<bool> WriteCounter(Txn& txn, const std::string& key, uint64_t v) {
    std::string bytes;
    PutVarint64(&bytes, v);
    Status s = txn.Put(key, bytes);
    if (!s.ok()) return ErrorFromStatus(s);
    return true;
}

}  // namespace

SqlResult<uint64_t> Catalog::Version() { return ReadCounter(txn_, CatalogVersionKey()); }

SqlResult<TablePtr> Catalog::Lookup(const std::string& name) {
    auto it = cache_.find(name);
    if (it != cache_.end()) return it->second;
    auto got = txn_.Get(TableSchemaKey(name));
    if (!got.ok()) return ErrorFromStatus(got.status());
    TablePtr table;
    if (got.value()) {
        auto decoded = DecodeTableSchema(*got.value());
        if (!decoded.ok()) return ErrorFromStatus(decoded.status());
        table = std::make_shared<const TableSchema>(std::move(decoded).value());
    }
    cache_[name] = table;
    return table;
}

SqlResult<std::vector<TablePtr>> Catalog::List() {
    auto scan = txn_.Scan(TableSchemaRange());
    if (!scan.ok()) return ErrorFromStatus(scan.status());
    std::vector<TablePtr> out;
    auto& it = scan.value();
    for (; it->Valid(); it->Next()) {
        auto decoded = DecodeTableSchema(it->value());
        if (!decoded.ok()) return ErrorFromStatus(decoded.status());
        out.push_back(std::make_shared<const TableSchema>(std::move(decoded).value()));
    }
    if (!it->status().ok()) return ErrorFromStatus(it->status());
    return out;
}

SqlResult<TablePtr> Catalog::LookupById(uint64_t id) {
    auto all = List();
    if (!all.ok()) return all.error();
    for (const TablePtr& t : all.value()) {
        if (t->id == id) return t;
    }
    return TablePtr();
}

SqlResult<bool> Catalog::BumpVersion() {
    if (bumped_) return true;
    auto v = Version();
    if (!v.ok()) return v.error();
    bumped_ = true;
    return WriteCounter(txn_, CatalogVersionKey(), v.value() + 1);
}

SqlResult<uint64_t> Catalog::AllocateTableId() {
    auto bumped = BumpVersion();
    if (!bumped.ok()) return bumped.error();
    auto next = ReadCounter(txn_, TableIdCounterKey());
    if (!next.ok()) return next.error();
    uint64_t id = next.value() + 1;
    auto w = WriteCounter(txn_, TableIdCounterKey(), id);
    if (!w.ok()) return w.error();
    return id;
}

SqlResult<bool> Catalog::Save(const TableSchema& table) {
    auto bumped = BumpVersion();
    if (!bumped.ok()) return bumped.error();
    Status s = txn_.Put(TableSchemaKey(table.name), EncodeTableSchema(table));
    if (!s.ok()) return ErrorFromStatus(s);
    cache_[table.name] = std::make_shared<const TableSchema>(table);
    return true;
}

SqlResult<bool> Catalog::Remove(const std::string& name) {
    auto bumped = BumpVersion();
    if (!bumped.ok()) return bumped.error();
    Status s = txn_.Delete(TableSchemaKey(name));
    if (!s.ok()) return ErrorFromStatus(s);
    cache_[name] = nullptr;
    return true;
}

SqlResult<int64_t> Catalog::NextRowId(uint64_t table_id) {
    std::string key = RowIdCounterKey(table_id);
    auto next = ReadCounter(txn_, key);
    if (!next.ok()) return next.error();
    auto w = WriteCounter(txn_, key, next.value() + 1);
    if (!w.ok()) return w.error();
    return static_cast<int64_t>(next.value() + 1);
}

}  // namespace orrery::sql
