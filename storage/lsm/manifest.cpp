// Manifest and identity encoding. See manifest.h.
#include "storage/lsm/manifest.h"

#include <fmt/format.h>

#include <cstdio>

#include "core/checksum.h"
#include "core/coding.h"
#include "storage/lsm/format.h"

namespace orrery::storage::lsm {

std::string EncodeManifest(const Manifest& m) {
    std::string out;
    PutFixed64(&out, kManifestMagic);
    PutFixed32(&out, kFormatVersion);
    PutVarint64(&out, m.next_file);
    PutVarint64(&out, m.wal_number);
    PutVarint32(&out, static_cast<uint32_t>(m.runs.size()));
    for (const RunMeta& r : m.runs) {
        PutVarint64(&out, r.number);
        PutVarint64(&out, r.file_bytes);
    }
    PutFixed32(&out, MaskCrc(Crc32c(out)));
    return out;
}

Result<Manifest> DecodeManifest(std::string_view bytes) {
    if (bytes.size() < 16 || DecodeFixed64(bytes.data()) != kManifestMagic) {
        return Status::Corruption("MANIFEST: bad magic or too short");
    }
    uint32_t version = DecodeFixed32(bytes.data() + 8);
    if (version > kFormatVersion) {
        return Status::NotSupported(fmt::format(
            "MANIFEST format version {} is newer than this binary's {}", version, kFormatVersion));
    }
    size_t n = bytes.size() - 4;
    if (Crc32c(bytes.substr(0, n)) != UnmaskCrc(DecodeFixed32(bytes.data() + n))) {
        return Status::Corruption("MANIFEST: checksum mismatch");
    }
    Manifest m;
    Decoder d(bytes.substr(12, n - 12));
    uint32_t count = 0;
    if (!d.GetVarint64(&m.next_file) || !d.GetVarint64(&m.wal_number) || !d.GetVarint32(&count) ||
        count > d.remaining()) {
        return Status::Corruption("MANIFEST: malformed header");
    }
    for (uint32_t i = 0; i < count; ++i) {
        RunMeta r;
        if (!d.GetVarint64(&r.number) || !d.GetVarint64(&r.file_bytes) || r.number >= m.next_file) {
            return Status::Corruption("MANIFEST: malformed run");
        }
        m.runs.push_back(r);
    }
    if (!d.empty() || m.wal_number >= m.next_file) return Status::Corruption("MANIFEST: malformed");
    return m;
}

std::string EncodeIdentity() { return fmt::format("{}\nformat {}\n", kEngineName, kFormatVersion); }

Status CheckIdentity(std::string_view contents) {
    std::string_view first = contents.substr(0, contents.find('\n'));
    if (first != kEngineName) {
        std::string shown(first.substr(0, 64));
        for (char& c : shown) {
            if (c < 0x20 || c > 0x7e) c = '?';
        }
        return Status::InvalidArgument(fmt::format(
            "directory belongs to another engine ('{}'), not {}", shown, kEngineName));
    }
    std::string_view rest = contents.substr(first.size() + (first.size() < contents.size() ? 1 : 0));
    unsigned version = 0;
    if (std::sscanf(std::string(rest).c_str(), "format %u", &version) != 1) {
        return Status::Corruption("ENGINE marker: missing format version");
    }
    if (version > kFormatVersion) {
        return Status::NotSupported(fmt::format(
            "LSM directory has format version {}; this binary reads up to {}", version, kFormatVersion));
    }
    return Status::Ok();
}

}  // namespace orrery::storage::lsm
