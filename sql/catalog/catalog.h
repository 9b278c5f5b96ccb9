// Catalog: the schema of the database, read and written through a transaction like any data.
//
// DDL is therefore transactional and replicated exactly as writes are: CREATE TABLE inside
// BEGIN ... ROLLBACK leaves nothing behind, and on a cluster the schema change is part of the
// transaction's one Raft entry. Every DDL bumps the catalog version key (encoding/keys.h): two
// concurrent DDLs write the same key and conflict, and a statement that planned against an
// older schema conflicts with the DDL at commit (it read the version).
//
// A Catalog object is a per-statement view: it caches the schemas it has read for the life of
// one statement (a transaction sees its own DDL, since reads go through the transaction).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sql/catalog/schema.h"
#include "sql/session.h"
#include "sql/txn.h"

namespace orrery::sql {

using TablePtr = std::shared_ptr<const TableSchema>;

class Catalog {
public:
    explicit Catalog(Txn& txn) : txn_(txn) {}

    // The catalog version (0 before the first DDL). Recorded in the read set.
    SqlResult<uint64_t> Version();
    // The table named `name`, or nullptr when there is none.
    SqlResult<TablePtr> Lookup(const std::string& name);
    // The table with id `id` (every foreign key names its parent by id), or nullptr.
    SqlResult<TablePtr> LookupById(uint64_t id);
    // Every table, by name.
    SqlResult<std::vector<TablePtr>> List();

    // DDL: each bumps the version once per statement (the first call in this object).
    SqlResult<uint64_t> AllocateTableId();
    SqlResult<bool> Save(const TableSchema& table);
    // Removes the schema only; the caller deletes the rows and index entries.
    SqlResult<bool> Remove(const std::string& name);
    // The next hidden row id of a table (read-modify-write of its counter).
    SqlResult<int64_t> NextRowId(uint64_t table_id);

private:
    SqlResult<bool> BumpVersion();

    Txn& txn_;
    std::map<std::string, TablePtr> cache_;
    bool bumped_ = false;
};

}  // namespace orrery::sql
