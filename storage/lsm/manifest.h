// The manifest (which tables and which WAL are live) and the engine identity marker.
//
// MANIFEST layout:
//   fixed64  magic kManifestMagic
//   fixed32  format version
//   varint64 next file number (never reused)
//   varint64 live WAL number
//   varint32 run count, then per run, newest first: varint64 table number, varint64 file bytes
//   fixed32  masked CRC32C of everything before it
// It is small (a few bytes per run) and always rewritten whole with Disk::WriteAtomically, so a
// crash leaves either the old or the new manifest: the set of live files changes atomically.
//
// ENGINE holds "orrery-lsm\nformat <N>\n". It is written before anything else in a fresh
// directory, so a directory without it holds no LSM data, and one whose first line names another
// engine is refused instead of misread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace orrery::storage::lsm {

struct RunMeta {
    uint64_t number = 0;
    uint64_t file_bytes = 0;
};

struct Manifest {
    uint64_t next_file = 1;
    uint64_t wal_number = 0;    // 0: no WAL yet.
    std::vector<RunMeta> runs;  // Newest first.
};

std::string EncodeManifest(const Manifest& m);
// kCorruption if damaged, kNotSupported if written by a newer format version.
Result<Manifest> DecodeManifest(std::string_view bytes);

std::string EncodeIdentity();
// OK for our own engine at a version we read; kInvalidArgument naming the other engine for a
// foreign marker; kNotSupported for a newer format version.
Status CheckIdentity(std::string_view contents);

}  // namespace orrery::storage::lsm
