// File naming for the LSM engine. See format.h.
#include "storage/lsm/format.h"

#include <fmt/format.h>

namespace orrery::storage::lsm {

std::string FileName(FileKind kind, uint64_t number) {
    return fmt::format("{:06d}.{}", number, kind == FileKind::kTable ? "sst" : "log");
}

std::optional<ParsedName> ParseFileName(std::string_view name) {
    size_t dot = name.find('.');
    if (dot == std::string_view::npos || dot == 0 || dot > 19) return std::nullopt;
    std::string_view ext = name.substr(dot + 1);
    FileKind kind;
    if (ext == "sst") {
        kind = FileKind::kTable;
    } else if (ext == "log") {
        kind = FileKind::kWal;
    } else {
        return std::nullopt;
    }
    uint64_t number = 0;
    for (char c : name.substr(0, dot)) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + static_cast<uint64_t>(c - '0');
    }
    return ParsedName{kind, number};
}

}  // namespace orrery::storage::lsm
