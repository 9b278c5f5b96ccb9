// Page sealing, verification and the meta page codec. See format.h.
#include "storage/btree/format.h"

#include <fmt/format.h>

#include <cstring>

#include "core/checksum.h"
#include "core/coding.h"

namespace orrery::storage::btree {
namespace {

// Offsets inside the meta page (see docs/04-storage.md for the table).
constexpr size_t kMetaMagicOff = 8;
constexpr size_t kMetaVersionOff = 16;
constexpr size_t kMetaPageSizeOff = 20;
constexpr size_t kMetaGenerationOff = 24;
constexpr size_t kMetaRootOff = 32;
constexpr size_t kMetaHeightOff = 36;
constexpr size_t kMetaPageCountOff = 40;
constexpr size_t kMetaFreeHeadOff = 44;
constexpr size_t kMetaFreePagesOff = 48;
constexpr size_t kMetaFreeCountOff = 56;
constexpr size_t kMetaLastSeqOff = 64;
constexpr size_t kMetaLiveKeysOff = 72;

uint32_t PageCrc(std::string_view page) { return MaskCrc(Crc32c(page.substr(4))); }

bool ChecksumOk(std::string_view page) { return DecodeFixed32(page.data()) == PageCrc(page); }

}  // namespace

std::string WalFileName(uint64_t generation) { return fmt::format("btree.wal.{}", generation); }

void SealPage(std::string* page, const PageHeader& h) {
    ORRERY_ASSERT(page->size() == kPageBytes);
    ORRERY_ASSERT(h.payload_bytes <= kPagePayloadBytes, "payload {}", h.payload_bytes);
    char* p = page->data();
    std::memset(p, 0, kPageHeaderBytes);
    p[4] = static_cast<char>(h.type);
    p[5] = static_cast<char>(h.level);
    std::memcpy(p + 6, &h.count, 2);
    EncodeFixed32(p + 8, h.id);
    EncodeFixed32(p + 12, h.next);
    EncodeFixed64(p + 16, h.generation);
    std::memcpy(p + 24, &h.payload_bytes, 2);
    EncodeFixed32(p, PageCrc(*page));
}

Result<PageHeader> VerifyPage(std::string_view page, PageId expected_id) {
    if (page.size() != kPageBytes) {
        return Status::Corruption(
            fmt::format("page {} is short ({} bytes)", expected_id, page.size()));
    }
    if (!ChecksumOk(page)) {
        return Status::Corruption(fmt::format("page {} checksum mismatch", expected_id));
    }
    PageHeader h;
    const char* p = page.data();
    h.type = static_cast<PageType>(p[4]);
    h.level = static_cast<uint8_t>(p[5]);
    std::memcpy(&h.count, p + 6, 2);
    h.id = DecodeFixed32(p + 8);
    h.next = DecodeFixed32(p + 12);
    h.generation = DecodeFixed64(p + 16);
    std::memcpy(&h.payload_bytes, p + 24, 2);
    if (h.id != expected_id) {
        return Status::Corruption(
            fmt::format("page {} claims to be page {} (misdirected write)", expected_id, h.id));
    }
    if (h.type < PageType::kLeaf || h.type > PageType::kFreeList ||
        h.payload_bytes > kPagePayloadBytes) {
        return Status::Corruption(fmt::format("page {} has a malformed header", expected_id));
    }
    return h;
}

std::string EncodeMeta(const Meta& m) {
    std::string page(kPageBytes, '\0');
    char* p = page.data();
    p[4] = static_cast<char>(PageType::kMeta);
    std::memcpy(p + kMetaMagicOff, kMagic.data(), kMagic.size());
    EncodeFixed32(p + kMetaVersionOff, kFormatVersion);
    EncodeFixed32(p + kMetaPageSizeOff, kPageBytes);
    EncodeFixed64(p + kMetaGenerationOff, m.generation);
    EncodeFixed32(p + kMetaRootOff, m.root);
    EncodeFixed32(p + kMetaHeightOff, m.height);
    EncodeFixed32(p + kMetaPageCountOff, m.page_count);
    EncodeFixed32(p + kMetaFreeHeadOff, m.freelist_head);
    EncodeFixed32(p + kMetaFreePagesOff, m.freelist_pages);
    EncodeFixed64(p + kMetaFreeCountOff, m.free_count);
    EncodeFixed64(p + kMetaLastSeqOff, m.last_seq);
    EncodeFixed64(p + kMetaLiveKeysOff, m.live_keys);
    EncodeFixed32(p, PageCrc(page));
    return page;
}

Result<Meta> DecodeMeta(std::string_view page) {
    if (page.size() != kPageBytes || page.substr(kMetaMagicOff, kMagic.size()) != kMagic) {
        return Status::InvalidArgument("not a B+-tree page file (no ORRBTREE marker)");
    }
    const char* p = page.data();
    uint32_t version = DecodeFixed32(p + kMetaVersionOff);
    if (!ChecksumOk(page)) {
        if (version > kFormatVersion && version < 1000) {
            return Status::NotSupported(
                fmt::format("B+-tree format version {} is newer than {}", version, kFormatVersion));
        }
        return Status::Corruption("meta page checksum mismatch");
    }
    if (version > kFormatVersion || version == 0) {
        return Status::NotSupported(
            fmt::format("B+-tree format version {} is not supported (this binary reads {})",
                        version, kFormatVersion));
    }
    if (DecodeFixed32(p + kMetaPageSizeOff) != kPageBytes || p[4] != char(PageType::kMeta)) {
        return Status::NotSupported("B+-tree page size differs from 4096");
    }
    Meta m;
    m.generation = DecodeFixed64(p + kMetaGenerationOff);
    m.root = DecodeFixed32(p + kMetaRootOff);
    m.height = DecodeFixed32(p + kMetaHeightOff);
    m.page_count = DecodeFixed32(p + kMetaPageCountOff);
    m.freelist_head = DecodeFixed32(p + kMetaFreeHeadOff);
    m.freelist_pages = DecodeFixed32(p + kMetaFreePagesOff);
    m.free_count = DecodeFixed64(p + kMetaFreeCountOff);
    m.last_seq = DecodeFixed64(p + kMetaLastSeqOff);
    m.live_keys = DecodeFixed64(p + kMetaLiveKeysOff);
    bool sane = m.page_count >= kFirstDataPage && m.page_count <= kMaxPages &&
                m.root < m.page_count && (m.root == kNoPage) == (m.height == 0) && m.height < 64 &&
                m.freelist_head < m.page_count && m.free_count < m.page_count;
    if (!sane) return Status::Corruption("meta page fields out of range");
    return m;
}

}  // namespace orrery::storage::btree
