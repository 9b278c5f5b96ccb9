// OpenEmbeddedOrrery (embedded_orrery.h): the database, its one session and the adapter, owned
// together so the caller holds one object.
#include "sql/slt/embedded_orrery.h"

#include "sql/embedded.h"
#include "sql/slt/orrery_database.h"

namespace orrery::sql::slt {
namespace {

class EmbeddedOrrery final : public Database {
public:
    EmbeddedOrrery(std::unique_ptr<EmbeddedDatabase> db, const SessionOptions& options)
        : db_(std::move(db)), session_(db_->NewSession(options)), adapter_(*session_, db_->commit_fn()) {}

    std::string_view name() const override { return adapter_.name(); }
    Result<ResultSet> Run(std::string_view sql) override { return adapter_.Run(sql); }
    Result<uint32_t> Prepare(std::string_view sql) override { return adapter_.Prepare(sql); }
    Result<ResultSet> RunPrepared(uint32_t id, const std::vector<Cell>& params) override {
        return adapter_.RunPrepared(id, params);
    }

private:
    // Declaration order is destruction order reversed: the adapter and the session go before
    // the database they use.
    std::unique_ptr<EmbeddedDatabase> db_;
    std::unique_ptr<Session> session_;
    OrreryDatabase adapter_;
};

}  // namespace

Result<std::unique_ptr<Database>> OpenEmbeddedOrrery(const std::string& dir,
                                                     const SessionOptions& options) {
    Result<std::unique_ptr<EmbeddedDatabase>> db =
        dir.empty() ? EmbeddedDatabase::OpenInMemory() : EmbeddedDatabase::Open(dir);
    if (!db.ok()) return db.status();
    return std::unique_ptr<Database>(new EmbeddedOrrery(std::move(db).value(), options));
}

}  // namespace orrery::sql::slt
