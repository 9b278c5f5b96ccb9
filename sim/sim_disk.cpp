// SimDisk: inodes with durable and current bytes, a directory log, and seeded crash rules.
// See sim_disk.h for the model and its invariants.
#include "sim/sim_disk.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "core/assert.h"

namespace orrery::sim {

struct SimDisk::Inode {
    uint64_t id = 0;
    std::string current;       // What reads see now.
    std::string durable;       // What the last Sync made safe.
    // Sector indexes written (or zero-extended) since the last Sync. Invariant: outside these
    // sectors, current and durable hold the same bytes (up to the shorter length).
    std::set<uint64_t> dirty;

    void MarkDirty(uint64_t begin, uint64_t end) {
        if (begin >= end) return;
        for (uint64_t s = begin / kSectorBytes; s <= (end - 1) / kSectorBytes; ++s) dirty.insert(s);
    }
};

struct SimDisk::DirOp {
    enum Kind : uint8_t { kCreate, kRename, kRemove };
    Kind kind;
    std::string name;              // Created or removed name; rename source.
    std::string to;                // Rename target.
    std::shared_ptr<Inode> inode;  // The created inode (kCreate only).
};

namespace {
Status Invalidated() {
    return Status::IOError("handle invalidated by crash");
}
}  // namespace

// One open file: a reference to its inode plus the crash epoch it was opened in.
class SimFile final : public File {
public:
    SimFile(SimDisk* disk, std::shared_ptr<SimDisk::Inode> inode, std::string name, bool writable)
        : disk_(disk),
          inode_(std::move(inode)),
          name_(std::move(name)),
          writable_(writable),
          epoch_(disk->epoch_) {}

    Status Read(uint64_t offset, size_t n, std::string* out) override {
        ORRERY_RETURN_IF_ERROR(CheckAlive());
        out->clear();
        if (disk_->rng_.Chance(disk_->faults_.read_error)) {
            ++disk_->stats_.read_errors;
            return Status::IOError(fmt::format("injected read error in '{}'", name_));
        }
        const std::string& bytes = inode_->current;
        if (offset >= bytes.size()) return Status::Ok();
        out->assign(bytes, offset, std::min<uint64_t>(n, bytes.size() - offset));
        disk_->stats_.bytes_read += out->size();
        return Status::Ok();
    }

    Status Write(uint64_t offset, std::string_view data) override {
        ORRERY_RETURN_IF_ERROR(CheckWritable());
        std::string& bytes = inode_->current;
        uint64_t old_size = bytes.size();
        uint64_t end = offset + data.size();
        ORRERY_RETURN_IF_ERROR(disk_->CheckSpace(old_size, std::max(old_size, end)));
        if (end > old_size) {
            bytes.resize(end, '\0');
            inode_->MarkDirty(old_size, offset);  // The zero-filled gap, if any.
        }
        std::copy(data.begin(), data.end(), bytes.begin() + static_cast<ptrdiff_t>(offset));
        inode_->MarkDirty(offset, end);
        disk_->stats_.bytes_written += data.size();
        return Status::Ok();
    }

    Status Append(std::string_view data) override { return Write(inode_->current.size(), data); }

    Status Truncate(uint64_t size) override {
        ORRERY_RETURN_IF_ERROR(CheckWritable());
        uint64_t old_size = inode_->current.size();
        ORRERY_RETURN_IF_ERROR(disk_->CheckSpace(old_size, size));
        inode_->current.resize(size, '\0');
        inode_->MarkDirty(old_size, size);
        return Status::Ok();
    }

    Status Sync() override {
        ORRERY_RETURN_IF_ERROR(CheckAlive());
        // Clean sectors already equal their durable bytes: copy only the dirty ones, so a sync
        // costs what was written since the last one, not the file's size.
        SimDisk::Inode& in = *inode_;
        in.durable.resize(in.current.size());
        for (uint64_t sector : in.dirty) {
            uint64_t begin = sector * kSectorBytes;
            if (begin >= in.current.size()) break;  // Written, then truncated away.
            uint64_t n = std::min<uint64_t>(kSectorBytes, in.current.size() - begin);
            in.durable.replace(begin, n, in.current, begin, n);
        }
        in.dirty.clear();
        ++disk_->stats_.syncs;
        disk_->TraceSync("sync", name_, inode_->durable.size());
        return Status::Ok();
    }

    uint64_t Size() const override { return inode_->current.size(); }

private:
    Status CheckAlive() const { return epoch_ == disk_->epoch_ ? Status::Ok() : Invalidated(); }
    Status CheckWritable() const {
        ORRERY_RETURN_IF_ERROR(CheckAlive());
        if (!writable_) return Status::InvalidArgument(fmt::format("'{}' opened read-only", name_));
        return Status::Ok();
    }

    SimDisk* disk_;
    std::shared_ptr<SimDisk::Inode> inode_;
    std::string name_;
    bool writable_;
    uint64_t epoch_;
};

SimDisk::SimDisk(Random rng, DiskFaults faults) : rng_(rng), faults_(faults) {}

SimDisk::~SimDisk() = default;

Result<std::unique_ptr<File>> SimDisk::Open(std::string_view name, OpenMode mode) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    auto it = current_.find(name);
    bool exists = it != current_.end();
    if (!exists && (mode == OpenMode::kRead || mode == OpenMode::kReadWrite)) {
        return Status::NotFound(fmt::format("no file '{}'", name));
    }
    if (exists && mode == OpenMode::kCreateNew) {
        return Status::AlreadyExists(fmt::format("file '{}' exists", name));
    }
    std::shared_ptr<Inode> inode;
    if (exists) {
        inode = it->second;
        if (mode == OpenMode::kCreateTruncate) inode->current.clear();
    } else {
        inode = std::make_shared<Inode>();
        inode->id = next_inode_id_++;
        current_.emplace(std::string(name), inode);
        pending_ops_.push_back(DirOp{DirOp::kCreate, std::string(name), {}, inode});
    }
    bool writable = mode != OpenMode::kRead;
    return std::unique_ptr<File>(
        std::make_unique<SimFile>(this, std::move(inode), std::string(name), writable));
}

Status SimDisk::Rename(std::string_view from, std::string_view to) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(from));
    ORRERY_RETURN_IF_ERROR(ValidateFileName(to));
    auto it = current_.find(from);
    if (it == current_.end()) return Status::NotFound(fmt::format("no file '{}'", from));
    if (from == to) return Status::Ok();
    std::shared_ptr<Inode> inode = it->second;
    current_.erase(it);
    current_.insert_or_assign(std::string(to), std::move(inode));
    pending_ops_.push_back(DirOp{DirOp::kRename, std::string(from), std::string(to), nullptr});
    return Status::Ok();
}

Status SimDisk::Remove(std::string_view name) {
    ORRERY_RETURN_IF_ERROR(ValidateFileName(name));
    auto it = current_.find(name);
    if (it == current_.end()) return Status::NotFound(fmt::format("no file '{}'", name));
    current_.erase(it);
    pending_ops_.push_back(DirOp{DirOp::kRemove, std::string(name), {}, nullptr});
    return Status::Ok();
}

Status SimDisk::SyncDir() {
    durable_ = current_;
    pending_ops_.clear();
    ++stats_.dir_syncs;
    TraceSync("syncdir", "", current_.size());
    return Status::Ok();
}

Result<std::vector<std::string>> SimDisk::List() {
    std::vector<std::string> names;
    names.reserve(current_.size());
    for (const auto& [name, inode] : current_) names.push_back(name);
    return names;
}

bool SimDisk::Exists(std::string_view name) {
    return current_.find(name) != current_.end();
}

uint64_t SimDisk::UsedBytes() const {
    uint64_t total = 0;
    for (const auto& [name, inode] : current_) total += inode->current.size();
    return total;
}

Status SimDisk::CheckSpace(uint64_t old_size, uint64_t new_size) {
    if (faults_.capacity_bytes == 0 || new_size <= old_size) return Status::Ok();
    if (UsedBytes() - old_size + new_size <= faults_.capacity_bytes) return Status::Ok();
    ++stats_.no_space_errors;
    return Status::NoSpace(fmt::format("disk full ({} bytes)", faults_.capacity_bytes));
}

void SimDisk::Crash() {
    ++stats_.crashes;
    ++epoch_;
    CrashDirectory();
    // Each surviving inode once, in name order, so the draws are deterministic.
    std::set<uint64_t> done;
    for (auto& [name, inode] : durable_) {
        if (done.insert(inode->id).second) CrashInode(*inode);
    }
    current_ = durable_;
}

void SimDisk::CrashDirectory() {
    size_t kept = 0;
    while (kept < pending_ops_.size() && !rng_.Chance(faults_.lose_unsynced_dir_ops)) ++kept;
    stats_.dir_ops_lost += pending_ops_.size() - kept;
    for (size_t i = 0; i < kept; ++i) {
        const DirOp& op = pending_ops_[i];
        switch (op.kind) {
            case DirOp::kCreate:
                durable_.insert_or_assign(op.name, op.inode);
                break;
            case DirOp::kRename: {
                auto it = durable_.find(op.name);
                ORRERY_ASSERT(it != durable_.end(), "replayed rename of missing '{}'", op.name);
                std::shared_ptr<Inode> inode = it->second;
                durable_.erase(it);
                durable_.insert_or_assign(op.to, std::move(inode));
                break;
            }
            case DirOp::kRemove:
                ORRERY_ASSERT(durable_.erase(op.name) == 1, "replayed remove of missing '{}'",
                              op.name);
                break;
        }
    }
    pending_ops_.clear();
}

void SimDisk::CrashInode(Inode& inode) {
    enum Fate : uint8_t { kKept, kLost, kGarbage };
    const uint64_t c = inode.current.size();
    const uint64_t d = inode.durable.size();
    // An unsynced shrink is itself lost with probability sector_lost.
    bool shrink_lost = c < d && rng_.Chance(faults_.sector_lost);
    std::map<uint64_t, Fate> fate;
    for (uint64_t s : inode.dirty) {
        Fate f = kKept;
        if (rng_.Chance(faults_.sector_lost)) {
            f = kLost;
        } else if (rng_.Chance(faults_.sector_garbage)) {
            f = kGarbage;
        }
        fate[s] = f;
    }
    // The surviving length: growth is cut at the first lost sector beyond the durable end.
    uint64_t length = c;
    if (c < d) {
        length = shrink_lost ? d : c;
    } else if (c > d) {
        length = d;
        for (uint64_t s = d / kSectorBytes; s * kSectorBytes < c; ++s) {
            auto it = fate.find(s);
            ORRERY_ASSERT(it != fate.end(), "sector {} beyond the durable end is not dirty", s);
            if (it->second == kLost) break;
            length = std::min(c, (s + 1) * kSectorBytes);
        }
    }
    std::string out(length, '\0');
    for (uint64_t begin = 0; begin < length; begin += kSectorBytes) {
        uint64_t s = begin / kSectorBytes;
        uint64_t end = std::min(length, begin + kSectorBytes);
        auto it = fate.find(s);
        Fate f = it == fate.end() ? kLost : it->second;  // Clean sectors equal their durable bytes.
        if (it != fate.end() && f == kLost) ++stats_.sectors_lost;
        if (f == kGarbage) ++stats_.sectors_garbage;
        for (uint64_t p = begin; p < end; ++p) {
            // A byte that no write changed since the sync stays intact, even in a torn sector.
            bool unchanged = p < d && p < c && inode.current[p] == inode.durable[p];
            if (f == kGarbage && !unchanged) {
                out[p] = static_cast<char>(rng_.Next() & 0xff);
                continue;
            }
            bool from_current = f == kKept && p < c;
            ORRERY_ASSERT(from_current || p < d, "byte {} has no durable source", p);
            out[p] = from_current ? inode.current[p] : inode.durable[p];
        }
    }
    inode.durable = out;
    inode.current = std::move(out);
    inode.dirty.clear();
}

Status SimDisk::RotBit(std::string_view name, uint64_t seed_for_position) {
    auto it = current_.find(name);
    if (it == current_.end()) return Status::NotFound(fmt::format("no file '{}'", name));
    Inode& inode = *it->second;
    if (inode.current.empty()) {
        return Status::InvalidArgument(fmt::format("file '{}' is empty", name));
    }
    uint64_t pos = seed_for_position % inode.current.size();
    auto mask = static_cast<char>(1u << ((seed_for_position >> 32) % 8));
    inode.current[pos] ^= mask;
    if (pos < inode.durable.size()) inode.durable[pos] ^= mask;
    ++stats_.bits_rotted;
    return Status::Ok();
}

Result<std::string> SimDisk::DurableContent(std::string_view name) const {
    auto it = durable_.find(name);
    if (it == durable_.end()) return Status::NotFound(fmt::format("'{}' is not durable", name));
    return it->second->durable;
}

void SimDisk::TraceSync(std::string_view kind, std::string_view file, uint64_t size) {
    if (tracer_ == nullptr) return;
    if (file.empty()) {
        tracer_->Record(node_, kind, {{"files", size}});
    } else {
        tracer_->Record(node_, kind, {{"file", file}, {"size", size}});
    }
}

}  // namespace orrery::sim
