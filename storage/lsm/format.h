// The LSM engine's on-disk vocabulary: file names, magic numbers, format versions and limits.
//
// Every file the engine writes is named here, so recovery can tell its own files (live or
// orphaned) from anything else. docs/04-storage.md draws each format as a byte-layout table.
//
//   ENGINE         identity marker: "orrery-lsm\nformat <N>\n" (written once, atomically)
//   MANIFEST       the live tables and the live WAL, replaced atomically (Disk::WriteAtomically)
//   <n>.sst        an SSTable (one sorted run), n = file number (six or more decimal digits)
//   <n>.log        a write-ahead log
//   *.tmp          a half-written atomic replacement (always an orphan at open)
//
// Invariant: file numbers are never reused (MANIFEST persists the next one), so a block cached
// under (file number, offset) can never be confused with a block of a later file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::storage::lsm {

inline constexpr std::string_view kEngineFile = "ENGINE";
inline constexpr std::string_view kManifestFile = "MANIFEST";
inline constexpr std::string_view kEngineName = "orrery-lsm";

// Versions of the formats this binary writes and reads. A file of a newer version is refused
// with kNotSupported rather than misread.
inline constexpr uint32_t kFormatVersion = 1;

inline constexpr uint64_t kTableMagic = 0x4c42545352524f00ull;     // "\0ORRSTBL" little-endian.
inline constexpr uint64_t kManifestMagic = 0x464d4d5352524f00ull;  // "\0ORRSMMF" little-endian.

// Bytes of the fixed table footer (see table_format in the docs).
inline constexpr size_t kFooterBytes = 52;
// Bytes of the CRC trailer after every block.
inline constexpr size_t kBlockTrailerBytes = 4;
// Bytes of a WAL record header: masked CRC (4), payload length (4), type (1).
inline constexpr size_t kWalHeaderBytes = 9;

// Limits: a batch larger than this is refused (kInvalidArgument) so a WAL record length always
// fits its 32-bit field with room to spare.
inline constexpr uint64_t kMaxBatchBytes = 256ull << 20;
// A block or metadata block larger than this is treated as corruption when read back.
inline constexpr uint32_t kMaxBlockBytes = 64u << 20;

enum class FileKind : uint8_t { kTable, kWal };

// Returns "000042.sst" / "000042.log".
std::string FileName(FileKind kind, uint64_t number);

struct ParsedName {
    FileKind kind;
    uint64_t number;
};
// Parses a table or WAL file name; nullopt for anything else.
std::optional<ParsedName> ParseFileName(std::string_view name);

}  // namespace orrery::storage::lsm
