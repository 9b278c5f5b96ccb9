// The CQL native protocol v4: request bodies (v4 §4.1: STARTUP, REGISTER, QUERY, PREPARE,
// EXECUTE, BATCH) and their encoders for tests. Frames and primitives are in cql_protocol.cpp.
#include <fmt/format.h>

#include "core/assert.h"
#include "node/cql_protocol.h"

namespace orrery::node::cql {

// ---- Requests ----------------------------------------------------------------------------

namespace {

bool Finish(Reader& r, std::string* error) {
    if (r.ok() && !r.at_end()) {
        r.Fail(fmt::format("{} unexpected bytes after the body", r.remaining()));
    }
    if (!r.ok()) {
        *error = r.error();
        return false;
    }
    return true;
}

// <query_parameters> (v4 §4.1.4), after the query or id.
bool ReadQueryOptions(Reader& r, QueryOptions* out) {
    uint8_t flags = 0;
    if (!r.ReadConsistency(&out->params.consistency) || !r.Byte(&flags)) return false;
    if (flags & 0x80) return r.Fail(fmt::format("unknown query flags 0x{:02X}", flags));
    if (flags & kQueryValues) {
        uint16_t n = 0;
        if (!r.Short(&n)) return false;
        // Every value is at least its 4-byte length (and a name at least 2 more).
        size_t least = (flags & kQueryNamesForValues) ? 6 : 4;
        if (size_t{n} * least > r.remaining()) return r.Fail(fmt::format("{} values overrun", n));
        out->params.values.reserve(n);
        out->params.unset.reserve(n);
        for (uint16_t i = 0; i < n; ++i) {
            if (flags & kQueryNamesForValues) {
                std::string name;
                if (!r.String(&name)) return false;
                out->params.names.push_back(std::move(name));
            }
            Cell cell;
            bool unset = false;
            if (!r.Bytes(&cell, &unset)) return false;
            out->params.values.push_back(std::move(cell));
            out->params.unset.push_back(unset);
        }
    } else if (flags & kQueryNamesForValues) {
        return r.Fail("with_names_for_values without values");
    }
    out->skip_metadata = (flags & kQuerySkipMetadata) != 0;
    if (flags & kQueryPageSize) {
        int32_t page_size = 0;
        if (!r.Int(&page_size)) return false;
        out->page_size = page_size;
    }
    if (flags & kQueryPagingState) {
        Cell state;
        if (!r.Bytes(&state)) return false;
        if (state) out->paging_state = std::move(*state);
    }
    if (flags & kQuerySerialConsistency) {
        Consistency serial = Consistency::kSerial;
        if (!r.ReadConsistency(&serial)) return false;
        out->params.serial = serial;
    }
    if (flags & kQueryDefaultTimestamp) {
        int64_t ts = 0;
        if (!r.Long(&ts)) return false;
        out->params.timestamp = ts;
    }
    return r.ok();
}

}  // namespace

bool DecodeStartup(std::string_view body, std::map<std::string, std::string>* options,
                   std::string* error) {
    Reader r(body);
    r.StringMap(options);
    return Finish(r, error);
}

bool DecodeRegister(std::string_view body, std::vector<std::string>* events, std::string* error) {
    Reader r(body);
    r.StringList(events);
    return Finish(r, error);
}

bool DecodeQuery(std::string_view body, QueryMessage* out, std::string* error) {
    Reader r(body);
    if (r.LongString(&out->query)) ReadQueryOptions(r, &out->options);
    return Finish(r, error);
}

bool DecodePrepare(std::string_view body, std::string* query, std::string* error) {
    Reader r(body);
    r.LongString(query);
    return Finish(r, error);
}

bool DecodeExecute(std::string_view body, ExecuteMessage* out, std::string* error) {
    Reader r(body);
    if (r.ShortBytes(&out->id)) ReadQueryOptions(r, &out->options);
    return Finish(r, error);
}

bool DecodeBatch(std::string_view body, BatchMessage* out, std::string* error) {
    Reader r(body);
    uint16_t n = 0;
    if (r.Byte(&out->type) && out->type > 2) {
        r.Fail(fmt::format("unknown batch type {}", out->type));
    }
    r.Short(&n);
    // Each statement is at least its kind byte, a 2-byte id or 4-byte text length, and a
    // 2-byte value count.
    if (r.ok() && size_t{n} * 5 > r.remaining()) r.Fail(fmt::format("{} statements overrun", n));
    if (r.ok()) out->items.reserve(n);
    for (uint16_t i = 0; r.ok() && i < n; ++i) {
        BatchMessage::Item item;
        uint8_t kind = 0;
        if (!r.Byte(&kind)) break;
        if (kind == 0) {
            r.LongString(&item.text);
        } else if (kind == 1) {
            item.prepared = true;
            r.ShortBytes(&item.text);
        } else {
            r.Fail(fmt::format("unknown batch statement kind {}", kind));
            break;
        }
        uint16_t values = 0;
        if (!r.Short(&values)) break;
        if (size_t{values} * 4 > r.remaining()) {
            r.Fail(fmt::format("{} values overrun", values));
            break;
        }
        item.values.reserve(values);
        for (uint16_t v = 0; r.ok() && v < values; ++v) {
            Cell cell;
            bool unset = false;  // An unset value in a batch is passed on as null.
            if (r.Bytes(&cell, &unset)) item.values.push_back(std::move(cell));
        }
        out->items.push_back(std::move(item));
    }
    uint8_t flags = 0;
    if (r.ReadConsistency(&out->consistency) && r.Byte(&flags)) {
        if (flags & ~(kQuerySerialConsistency | kQueryDefaultTimestamp)) {
            r.Fail(fmt::format("unsupported batch flags 0x{:02X}", flags));
        }
    }
    if (r.ok() && (flags & kQuerySerialConsistency)) {
        Consistency serial = Consistency::kSerial;
        if (r.ReadConsistency(&serial)) out->serial = serial;
    }
    if (r.ok() && (flags & kQueryDefaultTimestamp)) {
        int64_t ts = 0;
        if (r.Long(&ts)) out->timestamp = ts;
    }
    return Finish(r, error);
}

std::string EncodeQueryOptions(const QueryOptions& o) {
    Writer w;
    uint8_t flags = 0;
    if (!o.params.values.empty()) flags |= kQueryValues;
    if (!o.params.names.empty()) flags |= kQueryNamesForValues;
    if (o.skip_metadata) flags |= kQuerySkipMetadata;
    if (o.page_size) flags |= kQueryPageSize;
    if (o.paging_state) flags |= kQueryPagingState;
    if (o.params.serial) flags |= kQuerySerialConsistency;
    if (o.params.timestamp) flags |= kQueryDefaultTimestamp;
    w.WriteConsistency(o.params.consistency);
    w.Byte(flags);
    if (flags & kQueryValues) {
        w.Short(static_cast<uint16_t>(o.params.values.size()));
        for (size_t i = 0; i < o.params.values.size(); ++i) {
            if (flags & kQueryNamesForValues) w.String(o.params.names.at(i));
            bool unset = i < o.params.unset.size() && o.params.unset[i];
            if (unset) {
                w.Unset();
            } else {
                w.Bytes(o.params.values[i]);
            }
        }
    }
    if (o.page_size) w.Int(*o.page_size);
    if (o.paging_state) w.Bytes(*o.paging_state);
    if (o.params.serial) w.WriteConsistency(*o.params.serial);
    if (o.params.timestamp) w.Long(*o.params.timestamp);
    return w.Take();
}

std::string EncodeQuery(const QueryMessage& m) {
    Writer w;
    w.LongString(m.query);
    return w.Take() + EncodeQueryOptions(m.options);
}

std::string EncodeExecute(const ExecuteMessage& m) {
    Writer w;
    w.ShortBytes(m.id);
    return w.Take() + EncodeQueryOptions(m.options);
}

std::string EncodeBatch(const BatchMessage& m) {
    Writer w;
    w.Byte(m.type);
    w.Short(static_cast<uint16_t>(m.items.size()));
    for (const auto& item : m.items) {
        w.Byte(item.prepared ? 1 : 0);
        if (item.prepared) {
            w.ShortBytes(item.text);
        } else {
            w.LongString(item.text);
        }
        w.Short(static_cast<uint16_t>(item.values.size()));
        for (const auto& v : item.values) w.Bytes(v);
    }
    w.WriteConsistency(m.consistency);
    uint8_t flags = (m.serial ? kQuerySerialConsistency : 0) |
                    (m.timestamp ? kQueryDefaultTimestamp : 0);
    w.Byte(flags);
    if (m.serial) w.WriteConsistency(*m.serial);
    if (m.timestamp) w.Long(*m.timestamp);
    return w.Take();
}

}  // namespace orrery::node::cql
