// Helpers shared by every Disk implementation. See disk.h.
#include "core/disk.h"

#include <fmt/format.h>

namespace orrery {

Status ValidateFileName(std::string_view name) {
    if (name.empty() || name == "." || name == "..") {
        return Status::InvalidArgument(fmt::format("bad file name '{}'", name));
    }
    if (name.size() > kMaxFileNameBytes) {
        return Status::InvalidArgument(fmt::format("file name longer than {} bytes", kMaxFileNameBytes));
    }
    if (name.find('/') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
        return Status::InvalidArgument(fmt::format("file name '{}' must be flat", name));
    }
    return Status::Ok();
}

Result<std::string> Disk::ReadAll(std::string_view name) {
    ORRERY_ASSIGN_OR_RETURN(auto file, Open(name, OpenMode::kRead));
    std::string out;
    ORRERY_RETURN_IF_ERROR(file->Read(0, file->Size(), &out));
    return out;
}

Status Disk::WriteAtomically(std::string_view name, std::string_view data) {
    std::string tmp = std::string(name) + ".tmp";
    {
        ORRERY_ASSIGN_OR_RETURN(auto file, Open(tmp, OpenMode::kCreateTruncate));
        ORRERY_RETURN_IF_ERROR(file->Append(data));
        ORRERY_RETURN_IF_ERROR(file->Sync());
    }
    ORRERY_RETURN_IF_ERROR(Rename(tmp, name));
    return SyncDir();
}

}  // namespace orrery
