// TimedDisk. See timed_disk.h.
#include "core/timed_disk.h"

#include "core/assert.h"
#include "core/forwarding_file.h"

namespace orrery {
namespace {

// A file whose Sync goes through its disk's timer; every other call is the base file's.
class TimedFile final : public ForwardingFile {
public:
    TimedFile(std::unique_ptr<File> base, TimedDisk& disk)
        : ForwardingFile(std::move(base)), disk_(disk) {}
    Status Sync() override { return disk_.TimeSync([this] { return base().Sync(); }); }

private:
    TimedDisk& disk_;
};

}  // namespace

TimedDisk::TimedDisk(std::unique_ptr<Disk> base) : base_(std::move(base)) {
    ORRERY_ASSERT(base_ != nullptr);
}

Result<std::unique_ptr<File>> TimedDisk::Open(std::string_view name, OpenMode mode) {
    ORRERY_ASSIGN_OR_RETURN(auto file, base_->Open(name, mode));
    return std::unique_ptr<File>(std::make_unique<TimedFile>(std::move(file), *this));
}

Status TimedDisk::Rename(std::string_view from, std::string_view to) {
    return base_->Rename(from, to);
}
Status TimedDisk::Remove(std::string_view name) { return base_->Remove(name); }
Result<std::vector<std::string>> TimedDisk::List() { return base_->List(); }
bool TimedDisk::Exists(std::string_view name) { return base_->Exists(name); }

Status TimedDisk::TimeSync(const std::function<Status()>& sync) {
    if (clock_ == nullptr) return sync();
    Timestamp start = clock_->Now();
    Status s = sync();
    syncs_.Record(clock_->Now() - start);
    if (!s.ok()) ++sync_errors_;
    return s;
}

Status TimedDisk::SyncDir() {
    return TimeSync([this] { return base_->SyncDir(); });
}

}  // namespace orrery
