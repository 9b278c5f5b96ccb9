// TimedDisk. See timed_disk.h.
#include "core/timed_disk.h"

#include "core/assert.h"

namespace orrery {
namespace {

// A file whose Sync goes through its disk's timer; every other call is the base file's.
class TimedFile final : public File {
public:
    TimedFile(std::unique_ptr<File> base, TimedDisk& disk) : base_(std::move(base)), disk_(disk) {}

    Status Read(uint64_t offset, size_t n, std::string* out) override {
        return base_->Read(offset, n, out);
    }
    Status Write(uint64_t offset, std::string_view data) override {
        return base_->Write(offset, data);
    }
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Truncate(uint64_t size) override { return base_->Truncate(size); }
    Status Sync() override { return disk_.TimeSync(*base_); }
    uint64_t Size() const override { return base_->Size(); }

private:
    std::unique_ptr<File> base_;
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

Status TimedDisk::TimeSync(File& file) {
    if (clock_ == nullptr) return file.Sync();
    Timestamp start = clock_->Now();
    Status s = file.Sync();
    syncs_.Record(clock_->Now() - start);
    if (!s.ok()) ++sync_errors_;
    return s;
}

Status TimedDisk::SyncDir() {
    if (clock_ == nullptr) return base_->SyncDir();
    Timestamp start = clock_->Now();
    Status s = base_->SyncDir();
    syncs_.Record(clock_->Now() - start);
    if (!s.ok()) ++sync_errors_;
    return s;
}

}  // namespace orrery
