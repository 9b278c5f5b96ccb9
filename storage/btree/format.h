// The B+-tree's on-disk format: page size, page types, the common page header, the meta page,
// and the helpers that seal (checksum) and verify pages. See docs/04-storage.md, "The B+-tree".
//
// Every page is kPageBytes long and starts with a masked CRC32C of the rest of the page, so a torn
// sector or a flipped bit anywhere in a page is caught when the page is read. Every page also
// names its own id, which catches a page written to (or read from) the wrong offset.
//
// Invariants: page 0 and page 1 are the two meta slots (generation g lives in slot g % 2); tree,
// overflow and free-list pages have ids >= kFirstDataPage; page id 0 in a pointer means "none".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace orrery::storage::btree {

using PageId = uint32_t;

inline constexpr size_t kPageBytes = 4096;
inline constexpr size_t kPageHeaderBytes = 32;
inline constexpr size_t kPagePayloadBytes = kPageBytes - kPageHeaderBytes;
inline constexpr PageId kNoPage = 0;
inline constexpr PageId kFirstDataPage = 2;
inline constexpr uint32_t kMaxPages = 1u << 30;  // 4 TiB of pages: far beyond any test or bench.

// Keys and values longer than these live in overflow chains; the page keeps a reference. With
// both at 512 bytes a leaf page always holds at least three entries, so a split never fails.
inline constexpr size_t kInlineKeyMax = 512;
inline constexpr size_t kInlineValueMax = 512;
// The largest possible encoded leaf entry (flags, two 3-byte varints, two inline payloads).
inline constexpr size_t kMaxLeafEntryBytes = 1 + 3 + kInlineKeyMax + 3 + kInlineValueMax;
static_assert(3 * kMaxLeafEntryBytes <= kPagePayloadBytes, "a leaf must hold three entries");

// Bytes of data one overflow page carries.
inline constexpr size_t kOverflowDataBytes = kPagePayloadBytes;
// The most continuation pages a chain of kMaxValueBytes needs, with slack.
inline constexpr uint32_t kMaxValueChainPages = 300;
// Page ids one free-list page carries.
inline constexpr size_t kFreeListIdsPerPage = kPagePayloadBytes / 4;

// The B+-tree format version this binary writes and the newest it reads.
inline constexpr uint32_t kFormatVersion = 1;
// Identifies a B+-tree page file (bytes 8..16 of each meta page).
inline constexpr std::string_view kMagic = "ORRBTREE";

// File names inside the engine's directory. Every name starts with "btree.".
inline constexpr std::string_view kPagesFile = "btree.pages";
inline constexpr std::string_view kPagesTmpFile = "btree.pages.tmp";
inline constexpr std::string_view kFilePrefix = "btree.";
// Returns the name of the redo log that follows checkpoint `generation`, e.g. "btree.wal.7".
std::string WalFileName(uint64_t generation);

enum class PageType : uint8_t {
    kMeta = 1,
    kLeaf = 2,
    kInterior = 3,
    kOverflow = 4,
    kFreeList = 5,
};

// The header every non-meta page starts with. Layout (little-endian):
//   0 crc u32 | 4 type u8 | 5 level u8 | 6 count u16 | 8 id u32 | 12 next u32
//   16 generation u64 | 24 payload_bytes u16 | 26 reserved (6 zero bytes)
struct PageHeader {
    PageType type = PageType::kLeaf;
    uint8_t level = 0;           // 0 for leaves; interior nodes count up towards the root.
    uint16_t count = 0;          // Entries (leaf), separators (interior), ids (free list).
    PageId id = kNoPage;         // The page's own id.
    PageId next = kNoPage;       // Next page of an overflow or free-list chain.
    uint64_t generation = 0;     // The checkpoint that wrote the page.
    uint16_t payload_bytes = 0;  // Meaningful bytes after the header.
};

// Writes h into the first kPageHeaderBytes of page and seals the page with its checksum.
// REQUIRES: page->size() == kPageBytes, h.payload_bytes <= kPagePayloadBytes.
void SealPage(std::string* page, const PageHeader& h);

// Checks the checksum, the id and the header's sanity. Returns the header, or kCorruption.
Result<PageHeader> VerifyPage(std::string_view page, PageId expected_id);

// The meta page: the root of one checkpoint. Two slots are written alternately, so a torn meta
// write leaves the previous checkpoint intact.
struct Meta {
    uint64_t generation = 0;  // Checkpoint number; the slot is generation % 2.
    PageId root = kNoPage;    // Root of the tree; kNoPage when the tree is empty.
    uint32_t height = 0;      // Levels in the tree; 0 when empty, 1 when the root is a leaf.
    PageId page_count = kFirstDataPage;  // Pages in use by the file (the high-water mark).
    PageId freelist_head = kNoPage;      // First free-list page.
    uint32_t freelist_pages = 0;         // Pages in the free-list chain.
    uint64_t free_count = 0;             // Page ids listed in the chain.
    uint64_t last_seq = 0;   // Sequence number of the last batch the checkpoint includes.
    uint64_t live_keys = 0;  // Keys in the tree.
};

// Returns a sealed kPageBytes meta page.
std::string EncodeMeta(const Meta& meta);

// Decodes a meta page. kInvalidArgument if it is not a B+-tree meta page at all (wrong magic),
// kNotSupported if it comes from a newer format version, kCorruption if its checksum fails.
Result<Meta> DecodeMeta(std::string_view page);

}  // namespace orrery::storage::btree
