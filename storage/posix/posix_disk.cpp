// PosixDisk and its files: the Disk contract over pread/pwrite/fdatasync. See posix_disk.h.
#include "storage/posix/posix_disk.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace orrery::storage {

namespace {

// Upper bound on names one List() returns: a directory this large is a bug, not a database.
constexpr size_t kMaxListedFiles = 1'000'000;

// Retries a syscall that failed with EINTR (a signal arrived); returns its final result.
template <typename F>
auto RetryOnInterrupt(F call) {
    auto result = call();
    for (int attempt = 0; result < 0 && errno == EINTR && attempt < 1000; ++attempt) {
        result = call();
    }
    return result;
}

class PosixFile final : public File {
public:
    PosixFile(int fd, std::string path, bool writable)
        : fd_(fd), path_(std::move(path)), writable_(writable) {
        ORRERY_ASSERT(fd_ >= 0, "PosixFile needs an open descriptor");
        synced_size_ = Size();
    }
    ~PosixFile() override { ::close(fd_); }

    Status Read(uint64_t offset, size_t n, std::string* out) override {
        out->resize(n);
        size_t done = 0;
        while (done < n) {
            ssize_t got = RetryOnInterrupt(
                [&] { return ::pread(fd_, out->data() + done, n - done, offset + done); });
            if (got < 0) {
                out->clear();
                return StatusFromErrno(errno, "pread", path_);
            }
            if (got == 0) break;  // End of file: a short read.
            done += static_cast<size_t>(got);
        }
        out->resize(done);
        return Status::Ok();
    }

    Status Write(uint64_t offset, std::string_view data) override {
        ORRERY_RETURN_IF_ERROR(CheckWritable());
        // An empty write past the end still extends the file, as SimDisk does.
        if (data.empty() && offset > Size()) return Truncate(offset);
        size_t done = 0;
        while (done < data.size()) {
            ssize_t put = RetryOnInterrupt([&] {
                return ::pwrite(fd_, data.data() + done, data.size() - done, offset + done);
            });
            if (put < 0) return StatusFromErrno(errno, "pwrite", path_);
            ORRERY_ASSERT(put > 0, "pwrite wrote nothing for a non-empty buffer");
            done += static_cast<size_t>(put);
        }
        return Status::Ok();
    }

    // Appends at the current size. Not O_APPEND: Linux's pwrite ignores the offset on O_APPEND
    // descriptors, which would break Write() on the same handle.
    Status Append(std::string_view data) override { return Write(Size(), data); }

    Status Truncate(uint64_t size) override {
        ORRERY_RETURN_IF_ERROR(CheckWritable());
        int rc = RetryOnInterrupt([&] { return ::ftruncate(fd_, static_cast<off_t>(size)); });
        if (rc < 0) return StatusFromErrno(errno, "ftruncate", path_);
        return Status::Ok();
    }

    Status Sync() override {
        uint64_t size = Size();
        bool size_changed = size != synced_size_;
        int rc = size_changed ? RetryOnInterrupt([&] { return ::fsync(fd_); })
                              : RetryOnInterrupt([&] { return ::fdatasync(fd_); });
        if (rc < 0) return StatusFromErrno(errno, size_changed ? "fsync" : "fdatasync", path_);
        synced_size_ = size;
        return Status::Ok();
    }

    uint64_t Size() const override {
        struct stat st {};
        int rc = ::fstat(fd_, &st);
        // fstat on a descriptor we own can only fail if the descriptor is broken: an invariant.
        ORRERY_ASSERT(rc == 0, "fstat {}: {}", path_, std::strerror(errno));
        return static_cast<uint64_t>(st.st_size);
    }

private:
    Status CheckWritable() const {
        if (!writable_) return Status::InvalidArgument(fmt::format("'{}' opened read-only", path_));
        return Status::Ok();
    }

    int fd_;
    std::string path_;
    bool writable_;
    uint64_t synced_size_ = 0;  // The size at the last successful Sync (or at open).
};

// The open(2) flags for each OpenMode.
int FlagsFor(OpenMode mode) {
    switch (mode) {
        case OpenMode::kRead: return O_RDONLY;
        case OpenMode::kReadWrite: return O_RDWR;
        case OpenMode::kCreate: return O_RDWR | O_CREAT;
        case OpenMode::kCreateTruncate: return O_RDWR | O_CREAT | O_TRUNC;
        case OpenMode::kCreateNew: return O_RDWR | O_CREAT | O_EXCL;
    }
    ORRERY_ASSERT(false, "unknown OpenMode {}", static_cast<int>(mode));
    return O_RDONLY;
}

// Returns true iff the entry is a directory (so List() skips it). Follows no symlinks.
bool IsDirectoryEntry(int dir_fd, const struct dirent* entry) {
    if (entry->d_type != DT_UNKNOWN) return entry->d_type == DT_DIR;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    return S_ISDIR(st.st_mode);
}

}  // namespace

Status StatusFromErrno(int err, std::string_view op, std::string_view path) {
    ORRERY_ASSERT(err != 0, "StatusFromErrno needs an error");
    std::string message = fmt::format("{} {}: {}", op, path, std::strerror(err));
    switch (err) {
        case ENOENT: return Status::NotFound(std::move(message));
        case EEXIST: return Status::AlreadyExists(std::move(message));
        case ENOSPC:
        case EDQUOT: return Status::NoSpace(std::move(message));
        default: return Status::IOError(std::move(message));
    }
}

Result<std::unique_ptr<PosixDisk>> PosixDisk::Open(std::string dir, bool create_if_missing) {
    if (dir.empty()) return Status::InvalidArgument("PosixDisk needs a directory path");
    if (create_if_missing) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return StatusFromErrno(ec.value(), "mkdir", dir);
    }
    int fd = RetryOnInterrupt(
        [&] { return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); });
    if (fd < 0) return StatusFromErrno(errno, "open directory", dir);
    return std::unique_ptr<PosixDisk>(new PosixDisk(std::move(dir), fd));
}

PosixDisk::~PosixDisk() { ::close(dir_fd_); }

std::string PosixDisk::PathOf(std::string_view name) const {
    return fmt::format("{}/{}", dir_, name);
}

Result<std::unique_ptr<File>> PosixDisk::Open(std::string_view name, OpenMode mode) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    std::string n(name);
    int fd = RetryOnInterrupt(
        [&] { return ::openat(dir_fd_, n.c_str(), FlagsFor(mode) | O_CLOEXEC, 0644); });
    if (fd < 0) return StatusFromErrno(errno, "open", PathOf(name));
    return std::unique_ptr<File>(
        std::make_unique<PosixFile>(fd, PathOf(name), mode != OpenMode::kRead));
}

Status PosixDisk::Rename(std::string_view from, std::string_view to) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(from));
    ORRERY_RETURN_IF_ERROR(ValidateFileName(to));
    std::string f(from), t(to);
    int rc = RetryOnInterrupt([&] { return ::renameat(dir_fd_, f.c_str(), dir_fd_, t.c_str()); });
    if (rc < 0) return StatusFromErrno(errno, "rename " + PathOf(from) + " to", PathOf(to));
    return Status::Ok();
}

Status PosixDisk::Remove(std::string_view name) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    std::string n(name);
    int rc = RetryOnInterrupt([&] { return ::unlinkat(dir_fd_, n.c_str(), 0); });
    if (rc < 0) return StatusFromErrno(errno, "unlink", PathOf(name));
    return Status::Ok();
}

Status PosixDisk::SyncDir() {
    int rc = RetryOnInterrupt([&] { return ::fsync(dir_fd_); });
    if (rc < 0) return StatusFromErrno(errno, "fsync directory", dir_);
    return Status::Ok();
}

Result<std::vector<std::string>> PosixDisk::List() {
    // fdopendir takes ownership of its descriptor, so hand it a duplicate of ours.
    int fd = ::openat(dir_fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return StatusFromErrno(errno, "open directory", dir_);
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
        Status s = StatusFromErrno(errno, "fdopendir", dir_);
        ::close(fd);
        return s;
    }
    std::vector<std::string> names;
    int err = 0;
    while (names.size() <= kMaxListedFiles) {
        errno = 0;  // readdir reports an error only through errno.
        const struct dirent* e = ::readdir(d);
        if (e == nullptr) {
            err = errno;
            break;
        }
        std::string_view name = e->d_name;
        if (name == "." || name == ".." || IsDirectoryEntry(fd, e)) continue;
        names.emplace_back(name);
    }
    ::closedir(d);
    if (err != 0) return StatusFromErrno(err, "readdir", dir_);
    if (names.size() > kMaxListedFiles) {
        return Status::IOError(fmt::format("directory {} holds more than {} files", dir_,
                                           kMaxListedFiles));
    }
    std::sort(names.begin(), names.end());
    return names;
}

bool PosixDisk::Exists(std::string_view name) {
    if (!ValidateFileName(name).ok()) return false;
    std::string n(name);
    struct stat st {};
    return ::fstatat(dir_fd_, n.c_str(), &st, 0) == 0 && !S_ISDIR(st.st_mode);
}

}  // namespace orrery::storage
