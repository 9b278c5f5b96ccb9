// Cell: see leaderless_cell.h.
#include "node/leaderless_cell.h"

#include <fmt/format.h>

#include <tuple>

#include "core/coding.h"

namespace orrery::node {

bool CellWins(const Cell& a, const Cell& b) {
    return std::make_tuple(a.timestamp_us, a.tombstone, std::string_view(a.value)) >
           std::make_tuple(b.timestamp_us, b.tombstone, std::string_view(b.value));
}

std::optional<Cell> MergeCells(const std::optional<Cell>& a, const std::optional<Cell>& b) {
    if (!a) return b;
    if (!b) return a;
    return CellWins(*b, *a) ? b : a;
}

std::string EncodeCell(const Cell& cell) {
    std::string out(1, '\x01');
    PutVarsint64(&out, cell.timestamp_us);
    out.push_back(cell.tombstone ? 1 : 0);
    PutLengthPrefixed(&out, cell.value);
    return out;
}

Result<Cell> DecodeCell(std::string_view bytes) {
    Decoder in(bytes);
    uint8_t version = 0, flags = 0;
    std::string_view value;
    Cell c;
    if (!in.GetU8(&version) || version != 1 || !in.GetVarsint64(&c.timestamp_us) ||
        !in.GetU8(&flags) || flags > 1 || !in.GetLengthPrefixed(&value) || !in.empty()) {
        return Status::Corruption("leaderless cell malformed");
    }
    c.tombstone = flags == 1;
    if (c.tombstone && !value.empty()) return Status::Corruption("a tombstone carries no value");
    c.value = std::string(value);
    return c;
}

std::string CellText(const Cell& cell) {
    return fmt::format("{}@{}", cell.tombstone ? "✝" : cell.value, cell.timestamp_us);
}

}  // namespace orrery::node
