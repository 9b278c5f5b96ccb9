// ForwardingFile: a File that passes every call to the File under it. Disk decorators that
// change one call of their files (TimedDisk times Sync, the no-sync bug switch skips it) derive
// from it and override only that call.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/assert.h"
#include "core/disk.h"

namespace orrery {

class ForwardingFile : public File {
public:
    // REQUIRES: base != nullptr.
    explicit ForwardingFile(std::unique_ptr<File> base) : base_(std::move(base)) {
        ORRERY_ASSERT(base_ != nullptr);
    }

    Status Read(uint64_t offset, size_t n, std::string* out) override {
        return base_->Read(offset, n, out);
    }
    Status Write(uint64_t offset, std::string_view data) override {
        return base_->Write(offset, data);
    }
    Status Append(std::string_view data) override { return base_->Append(data); }
    Status Truncate(uint64_t size) override { return base_->Truncate(size); }
    Status Sync() override { return base_->Sync(); }
    uint64_t Size() const override { return base_->Size(); }

protected:
    File& base() { return *base_; }

private:
    std::unique_ptr<File> base_;
};

}  // namespace orrery
