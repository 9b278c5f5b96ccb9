// The model-based property (engine_model_test_util.h) for each durable engine on a SimDisk.
// Options are tiny so that flushes, merges and multi-block tables happen within a few dozen
// operations.
#include "storage/engine_model_test_util.h"
#include "storage/lsm/lsm_engine.h"
#ifdef ORRERY_HAVE_BTREE_ENGINE
#include "storage/btree/btree_engine.h"
#endif

namespace orrery::storage {
namespace {

TEST_CASE("the lsm engine matches the model through crashes", "[storage]") {
    LsmOptions opts;
    opts.memtable_bytes = 1024;
    opts.table.block_bytes = 128;
    opts.table.restart_interval = 3;
    opts.block_cache_bytes = 2048;
    opts.tier_width = 2;
    opts.wal_buffer_bytes = 256;  // Spill often, so crashes tear real WAL bytes.
    model_test::CheckEngineAgainstModel("lsm", [opts](Disk& disk) -> Result<std::unique_ptr<Engine>> {
        ORRERY_ASSIGN_OR_RETURN(auto e, LsmEngine::Open(disk, opts));
        return std::unique_ptr<Engine>(std::move(e));
    });
}

TEST_CASE("the lsm engine matches the model on a disk that keeps every unsynced byte", "[storage]") {
    LsmOptions opts;
    opts.memtable_bytes = 2048;
    opts.table.block_bytes = 256;
    opts.tier_width = 3;
    model_test::ModelTestOptions mopts;
    mopts.crash_faults = {};
    model_test::CheckEngineAgainstModel(
        "lsm (gentle disk)",
        [opts](Disk& disk) -> Result<std::unique_ptr<Engine>> {
            ORRERY_ASSIGN_OR_RETURN(auto e, LsmEngine::Open(disk, opts));
            return std::unique_ptr<Engine>(std::move(e));
        },
        mopts);
}

}  // namespace
}  // namespace orrery::storage
