// Fuzz target: the LSM manifest (storage/lsm/manifest.h), the file recovery reads first to learn
// which runs exist. Property: a manifest that decodes re-encodes to one that decodes the same.
#include "fuzz/fuzz_util.h"
#include "storage/lsm/manifest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace orrery;
    fuzz::Input in = fuzz::Split(data, size);
    std::string bytes = in.fix_checksum ? fuzz::SealTrailer(in.bytes) : std::string(in.bytes);
    auto manifest = storage::lsm::DecodeManifest(bytes);
    if (!manifest.ok()) return 0;
    std::string once = storage::lsm::EncodeManifest(manifest.value());
    auto again = storage::lsm::DecodeManifest(once);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(storage::lsm::EncodeManifest(again.value()) == once);
    return 0;
}
