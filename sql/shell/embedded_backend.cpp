#include "sql/shell/embedded_backend.h"

#include <fmt/format.h>

namespace orrery::sql::shell {

Result<std::unique_ptr<EmbeddedBackend>> EmbeddedBackend::Open(const std::string& dir,
                                                               SessionOptions options) {
    std::unique_ptr<EmbeddedBackend> b(new EmbeddedBackend());
    b->dir_ = dir;
    if (dir.empty()) {
        ORRERY_ASSIGN_OR_RETURN(b->db_, EmbeddedDatabase::OpenInMemory());
    } else {
        ORRERY_ASSIGN_OR_RETURN(b->db_, EmbeddedDatabase::Open(dir));
    }
    b->session_ = b->db_->NewSession(options);
    return b;
}

StatementOutcome EmbeddedBackend::Execute(std::string_view text) {
    return db_->Execute(*session_, text);
}

std::string EmbeddedBackend::StatusText() {
    if (dir_.empty()) return "embedded database in memory\n";
    return fmt::format("embedded database in {}\n", dir_);
}

}  // namespace orrery::sql::shell
