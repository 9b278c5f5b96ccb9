// TempDir: a fresh directory under /tmp for one test, removed with everything in it on scope
// exit. Tests only (library code never creates scratch directories on its own). Shared by the
// test binaries of every layer that touches the real file system (net/, storage/posix/).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/assert.h"

namespace orrery::testkit {

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

    // The directory's absolute path.
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

}  // namespace orrery::testkit
