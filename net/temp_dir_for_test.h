// TempDir: a fresh directory under /tmp for one test, removed with its contents on scope exit.
// Tests only.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/assert.h"

namespace orrery::net {

class TempDir {
public:
    // Creates /tmp/orrery-<label>-XXXXXX.
    explicit TempDir(const std::string& label) {
        std::string pattern = "/tmp/orrery-" + label + "-XXXXXX";
        char* made = ::mkdtemp(pattern.data());
        ORRERY_ASSERT(made != nullptr, "mkdtemp {} failed", pattern);
        path_ = made;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace orrery::net
