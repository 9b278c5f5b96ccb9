// Batch: see batch.h.
#include "paxos/batch.h"

#include "core/coding.h"

namespace orrery::paxos {

std::string EncodeCells(const Cells& cells) {
    std::string out;
    PutVarint64(&out, cells.size());
    for (const auto& [cell, value] : cells) {
        PutLengthPrefixed(&out, cell);
        PutLengthPrefixed(&out, value);
    }
    return out;
}

Result<Cells> DecodeCells(std::string_view bytes) {
    Decoder in(bytes);
    uint64_t n = 0;
    if (!in.GetVarint64(&n) || n > in.remaining() / 2) return Status::Corruption("bad cell count");
    Cells cells;
    for (uint64_t i = 0; i < n; ++i) {
        std::string_view cell, value;
        if (!in.GetLengthPrefixed(&cell) || !in.GetLengthPrefixed(&value)) {
            return Status::Corruption("cells truncated");
        }
        if (!cells.empty() && cell <= cells.rbegin()->first) {
            return Status::Corruption("cells out of order");
        }
        cells.emplace(cell, value);
    }
    if (!in.empty()) return Status::Corruption("cells have trailing bytes");
    return cells;
}

Result<Cells> CellsOf(const std::optional<std::string>& value) {
    if (!value) return Cells{};
    return DecodeCells(*value);
}

Result<BatchResult> EvaluateBatch(const Batch& batch, const std::optional<std::string>& previous) {
    BatchResult r;
    ORRERY_ASSIGN_OR_RETURN(r.before, CellsOf(previous));
    r.applied = true;
    for (const CellCondition& c : batch.conditions) {
        auto it = r.before.find(c.cell);
        std::optional<std::string> have;
        if (it != r.before.end()) have = it->second;
        if (have != c.expected) r.applied = false;
    }
    return r;
}

ChangeFn MakeBatchChange(Batch batch) {
    return [batch = std::move(batch)](const std::optional<std::string>& previous)
               -> std::optional<std::string> {
        Result<BatchResult> r = EvaluateBatch(batch, previous);
        if (!r.ok() || !r->applied || batch.writes.empty()) return previous;
        Cells cells = std::move(r->before);
        for (const CellWrite& w : batch.writes) {
            if (w.value) {
                cells[w.cell] = *w.value;
            } else {
                cells.erase(w.cell);
            }
        }
        if (cells.empty()) return std::nullopt;
        return EncodeCells(cells);
    };
}

std::string DescribeBatch(const Batch& batch) {
    if (batch.conditions.empty() && batch.writes.empty()) return "read";
    std::string out;
    if (!batch.conditions.empty()) {
        out += "if";
        for (const CellCondition& c : batch.conditions) {
            out += fmt::format(" {}={}", c.cell, ValueText(c.expected));
        }
    }
    std::string_view mode;  // "set" or "del": a word is printed when the kind changes.
    for (const CellWrite& w : batch.writes) {
        std::string_view kind = w.value ? "set" : "del";
        if (kind != mode) out += fmt::format("{}{}", out.empty() ? "" : " ", kind);
        mode = kind;
        out += w.value ? fmt::format(" {}={}", w.cell, *w.value) : fmt::format(" {}", w.cell);
    }
    return out;
}

}  // namespace orrery::paxos
