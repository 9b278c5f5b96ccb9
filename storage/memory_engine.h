// MemoryEngine: an ordered map behind the Engine interface. It is the reference the durable
// engines are checked against, and the engine of tests that do not care about disks.
//
// Iterators see a snapshot: the map is shared copy-on-write, so a write while an iterator is
// open copies the map once (cheap enough for a reference engine, and obviously correct).
// Nothing is durable: Sync() succeeds and a "crash" is simply destroying the object.
#pragma once

#include <map>
#include <memory>

#include "storage/engine.h"

namespace orrery::storage {

class MemoryEngine final : public Engine {
public:
    MemoryEngine();

    Result<std::string> Get(std::string_view key) override;
    Status Write(const WriteBatch& batch, bool sync = false) override;
    std::unique_ptr<Iterator> Scan(const ScanOptions& opts) override;
    Status Sync() override { return Status::Ok(); }
    EngineStatus GetStatus() override;

private:
    using Map = std::map<std::string, std::string, std::less<>>;
    std::shared_ptr<Map> map_;
    uint64_t user_bytes_written_ = 0;
};

}  // namespace orrery::storage
