// Tests of PosixDisk against core/disk.h's contract, the errno mapping and the fsync probe.
// Every test works in its own directory under /tmp, removed afterwards.
#include "storage/posix/posix_disk.h"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <rapidcheck/catch.h>

#include <cerrno>
#include <filesystem>
#include <map>

#include "storage/posix/fsync_probe.h"
#include "testkit/temp_dir.h"
#include "testkit/golden.h"

namespace orrery::storage {
namespace {

using testkit::TempDir;

std::unique_ptr<PosixDisk> OpenDisk(const std::string& dir) {
    auto disk = PosixDisk::Open(dir, /*create_if_missing=*/true);
    REQUIRE(disk.ok());
    return std::move(disk).value();
}

// Renders bytes for golden output: printable ASCII as is, the rest as \xNN.
std::string Quote(std::string_view bytes) {
    std::string out = "\"";
    for (unsigned char c : bytes) {
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out.push_back(static_cast<char>(c));
        else out += fmt::format("\\x{:02x}", c);
    }
    return out + "\"";
}

Result<OpenMode> ParseMode(const std::string& mode) {
    static const std::map<std::string, OpenMode> kModes = {
        {"read", OpenMode::kRead},     {"readwrite", OpenMode::kReadWrite},
        {"create", OpenMode::kCreate}, {"truncate", OpenMode::kCreateTruncate},
        {"new", OpenMode::kCreateNew}};
    auto it = kModes.find(mode);
    if (it == kModes.end()) return Status::InvalidArgument("unknown mode " + mode);
    return it->second;
}

// The golden-script interpreter: one PosixDisk in a temp dir, one command per disk call.
class DiskScript {
public:
    explicit DiskScript(const std::string& dir) : dir_(dir), disk_(OpenDisk(dir)) {}

    Result<std::string> Run(const testkit::GoldenCommand& cmd) {
        Result<std::string> out = Dispatch(cmd);
        if (out.ok()) return out;
        // Error messages carry the temp dir's random path: show it as $DIR.
        std::string message = out.status().message();
        for (size_t at = message.find(dir_); at != std::string::npos; at = message.find(dir_)) {
            message.replace(at, dir_.size(), "$DIR");
        }
        return Status(out.status().code(), message);
    }

private:
    Result<std::unique_ptr<File>> OpenFor(const testkit::GoldenCommand& cmd, const char* dflt) {
        ORRERY_ASSIGN_OR_RETURN(OpenMode mode, ParseMode(cmd.Get("mode", dflt)));
        return disk_->Open(cmd.args.at(0), mode);
    }

    Result<std::string> Dispatch(const testkit::GoldenCommand& cmd) {
        const auto& a = cmd.args;
        if (cmd.name == "open") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "read"));
            return fmt::format("size={}", f->Size());
        }
        if (cmd.name == "write") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "create"));
            ORRERY_RETURN_IF_ERROR(f->Write(std::stoull(a.at(1)), a.at(2)));
            return fmt::format("size={}", f->Size());
        }
        if (cmd.name == "append") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "create"));
            ORRERY_RETURN_IF_ERROR(f->Append(a.at(1)));
            return fmt::format("size={}", f->Size());
        }
        if (cmd.name == "read") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "read"));
            std::string out = "junk";
            ORRERY_RETURN_IF_ERROR(f->Read(std::stoull(a.at(1)), std::stoull(a.at(2)), &out));
            return Quote(out);
        }
        if (cmd.name == "truncate") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "readwrite"));
            ORRERY_RETURN_IF_ERROR(f->Truncate(std::stoull(a.at(1))));
            return fmt::format("size={}", f->Size());
        }
        if (cmd.name == "sync") {
            ORRERY_ASSIGN_OR_RETURN(auto f, OpenFor(cmd, "readwrite"));
            ORRERY_RETURN_IF_ERROR(f->Sync());
            return std::string("ok");
        }
        return DispatchDirectory(cmd);
    }

    Result<std::string> DispatchDirectory(const testkit::GoldenCommand& cmd) {
        const auto& a = cmd.args;
        if (cmd.name == "rename") return Done(disk_->Rename(a.at(0), a.at(1)));
        if (cmd.name == "remove") return Done(disk_->Remove(a.at(0)));
        if (cmd.name == "syncdir") return Done(disk_->SyncDir());
        if (cmd.name == "exists") return std::string(disk_->Exists(a.at(0)) ? "yes" : "no");
        if (cmd.name == "list") {
            ORRERY_ASSIGN_OR_RETURN(auto names, disk_->List());
            return names.empty() ? std::string("(empty)") : fmt::format("{}", fmt::join(names, " "));
        }
        if (cmd.name == "mkdir") {  // A subdirectory made behind the disk's back.
            std::filesystem::create_directory(dir_ + "/" + a.at(0));
            return std::string("ok");
        }
        if (cmd.name == "reopen") {  // Close every handle and the disk, then open it again.
            disk_.reset();
            disk_ = OpenDisk(dir_);
            return std::string("ok");
        }
        if (cmd.name == "write-atomically") return Done(disk_->WriteAtomically(a.at(0), a.at(1)));
        if (cmd.name == "read-all") {
            ORRERY_ASSIGN_OR_RETURN(std::string all, disk_->ReadAll(a.at(0)));
            return Quote(all);
        }
        return Status::InvalidArgument("unknown command " + cmd.name);
    }

    static Result<std::string> Done(Status s) {
        if (!s.ok()) return s;
        return std::string("ok");
    }

    std::string dir_;
    std::unique_ptr<PosixDisk> disk_;
};

TEST_CASE("posix disk follows the disk contract script", "[storage][posix]") {
    TempDir tmp("posix-golden");
    DiskScript script(tmp.path());
    testkit::RunGoldenFile("testdata/posix_disk.txt",
                           [&](const testkit::GoldenCommand& cmd) { return script.Run(cmd); });
}

TEST_CASE("posix disk maps errno values to status codes with path and reason",
          "[storage][posix]") {
    Status s = StatusFromErrno(EIO, "pread", "/d/log");
    CHECK(s.code() == Code::kIOError);
    CHECK(s.message() == "pread /d/log: Input/output error");
    CHECK(StatusFromErrno(ENOENT, "open", "/d/x").code() == Code::kNotFound);
    CHECK(StatusFromErrno(EEXIST, "open", "/d/x").code() == Code::kAlreadyExists);
    CHECK(StatusFromErrno(ENOSPC, "pwrite", "/d/x").code() == Code::kNoSpace);
    CHECK(StatusFromErrno(EDQUOT, "pwrite", "/d/x").code() == Code::kNoSpace);
    CHECK(StatusFromErrno(EROFS, "open", "/d/x").code() == Code::kIOError);
}

TEST_CASE("posix disk reports a full device as kNoSpace", "[storage][posix]") {
    // /dev/full fails every write with ENOSPC: reach it through a symlink in the directory.
    if (::access("/dev/full", W_OK) != 0) {
        WARN("no writable /dev/full on this machine: nothing to check");
        return;
    }
    TempDir tmp("posix-full");
    REQUIRE(::symlink("/dev/full", (tmp.path() + "/full").c_str()) == 0);
    auto disk = OpenDisk(tmp.path());
    auto file = disk->Open("full", OpenMode::kReadWrite);
    REQUIRE(file.ok());
    Status s = (*file)->Write(0, "x");
    CHECK(s.code() == Code::kNoSpace);
    CHECK(s.message().find(tmp.path() + "/full") != std::string::npos);
}

TEST_CASE("posix disk opens only directories", "[storage][posix]") {
    TempDir tmp("posix-open");
    auto missing = PosixDisk::Open(tmp.path() + "/nope", /*create_if_missing=*/false);
    CHECK(missing.status().code() == Code::kNotFound);
    auto nested = PosixDisk::Open(tmp.path() + "/a/b/c", /*create_if_missing=*/true);
    CHECK(nested.ok());
    auto disk = OpenDisk(tmp.path());
    REQUIRE(disk->WriteAtomically("plain", "x").ok());
    auto not_dir = PosixDisk::Open(tmp.path() + "/plain", /*create_if_missing=*/false);
    CHECK(not_dir.status().code() == Code::kIOError);
    CHECK(PosixDisk::Open("", true).status().code() == Code::kInvalidArgument);
}

TEST_CASE("posix disk rejects names that are not flat", "[storage][posix]") {
    TempDir tmp("posix-names");
    auto disk = OpenDisk(tmp.path());
    const std::vector<std::string> bad_names = {"", ".", "..", "a/b", "../escape",
                                                std::string(201, 'n')};
    for (const std::string& bad : bad_names) {
        CHECK(disk->Open(bad, OpenMode::kCreate).status().code() == Code::kInvalidArgument);
        CHECK(disk->Remove(bad).code() == Code::kInvalidArgument);
        CHECK(disk->Rename("x", bad).code() == Code::kInvalidArgument);
        CHECK_FALSE(disk->Exists(bad));
    }
    CHECK_FALSE(std::filesystem::exists(tmp.path() + "/../escape"));
}

TEST_CASE("posix file matches a byte-string model under random operations",
          "[storage][posix]") {
    TempDir tmp("posix-model");
    auto disk = OpenDisk(tmp.path());
    int run = 0;
    rc::prop("writes, appends, truncates and reads agree with std::string", [&] {
        std::string name = fmt::format("f{}", run++);
        auto file = disk->Open(name, OpenMode::kCreateNew);
        RC_ASSERT(file.ok());
        std::string model;
        const int steps = *rc::gen::inRange(1, 40);
        for (int i = 0; i < steps; ++i) {
            const int op = *rc::gen::inRange(0, 4);
            const uint64_t offset = *rc::gen::inRange<uint64_t>(0, 3000);
            if (op == 0) {
                std::string data = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
                RC_ASSERT((*file)->Write(offset, data).ok());
                if (model.size() < offset + data.size()) model.resize(offset + data.size(), '\0');
                model.replace(offset, data.size(), data);
            } else if (op == 1) {
                std::string data = *rc::gen::container<std::string>(rc::gen::arbitrary<char>());
                RC_ASSERT((*file)->Append(data).ok());
                model += data;
            } else if (op == 2) {
                RC_ASSERT((*file)->Truncate(offset).ok());
                model.resize(offset, '\0');
            } else {
                std::string got;
                RC_ASSERT((*file)->Read(offset, 700, &got).ok());
                RC_ASSERT(got == (offset >= model.size() ? "" : model.substr(offset, 700)));
            }
            RC_ASSERT((*file)->Size() == model.size());
        }
        RC_ASSERT((*file)->Sync().ok());
        file.value().reset();
        RC_ASSERT(disk->ReadAll(name).value() == model);
        RC_ASSERT(disk->Remove(name).ok());
    });
}

TEST_CASE("fsync probe measures and cleans up", "[storage][posix]") {
    TempDir tmp("posix-probe");
    auto disk = OpenDisk(tmp.path());
    auto latency = MeasureFsyncLatency(*disk, 5, 512);
    REQUIRE(latency.ok());
    CHECK(latency->samples == 5);
    CHECK(latency->min <= latency->median);
    CHECK(latency->median <= latency->p99);
    CHECK(latency->p99 <= latency->max);
    CHECK(latency->min <= latency->mean);
    CHECK(latency->mean <= latency->max);
    CHECK_FALSE(disk->Exists(kFsyncProbeFile));
    CHECK(MeasureFsyncLatency(*disk, 0).status().code() == Code::kInvalidArgument);
    CHECK(MeasureFsyncLatency(*disk, 1, 0).status().code() == Code::kInvalidArgument);
}

}  // namespace
}  // namespace orrery::storage
