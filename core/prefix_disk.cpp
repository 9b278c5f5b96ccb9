// PrefixDisk. See prefix_disk.h.
#include "core/prefix_disk.h"

namespace orrery {

PrefixDisk::PrefixDisk(Disk& base, std::string prefix) : base_(base), prefix_(std::move(prefix)) {
    ORRERY_ASSERT(!prefix_.empty() && prefix_.find('/') == std::string::npos, "bad prefix");
}

Result<std::unique_ptr<File>> PrefixDisk::Open(std::string_view name, OpenMode mode) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    return base_.Open(Full(name), mode);
}

Status PrefixDisk::Rename(std::string_view from, std::string_view to) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(from));
    ORRERY_RETURN_IF_ERROR(ValidateFileName(to));
    return base_.Rename(Full(from), Full(to));
}

Status PrefixDisk::Remove(std::string_view name) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    return base_.Remove(Full(name));
}

Result<std::vector<std::string>> PrefixDisk::List() {
    ORRERY_ASSIGN_OR_RETURN(auto all, base_.List());
    std::vector<std::string> mine;
    for (auto& name : all) {
        if (name.size() > prefix_.size() && name.compare(0, prefix_.size(), prefix_) == 0) {
            mine.push_back(name.substr(prefix_.size()));
        }
    }
    return mine;  // Still sorted: stripping a common prefix preserves order.
}

bool PrefixDisk::Exists(std::string_view name) {
    return ValidateFileName(name).ok() && base_.Exists(Full(name));
}

}  // namespace orrery
