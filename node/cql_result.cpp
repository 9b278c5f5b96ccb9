// The CQL native protocol v4: RESULT (v4 §4.2.5), ERROR (v4 §9) and SUPPORTED (v4 §4.2.4)
// bodies, and their decoders for tests. Frames and primitives are in cql_protocol.cpp.
#include <fmt/format.h>

#include "core/assert.h"

#include "node/cql_protocol.h"

namespace orrery::node::cql {

namespace {

// True iff every column has the same keyspace and table, so the metadata carries them once
// (Global_tables_spec, v4 §4.2.5.2), as Cassandra always does for one-table results.
bool OneTable(const std::vector<ColumnSpec>& columns) {
    if (columns.empty()) return false;
    for (const auto& c : columns) {
        if (c.keyspace != columns[0].keyspace || c.table != columns[0].table) return false;
    }
    return true;
}

void WriteColumnSpecs(Writer& w, const std::vector<ColumnSpec>& columns, bool global) {
    if (global) {
        w.String(columns[0].keyspace);
        w.String(columns[0].table);
    }
    for (const auto& c : columns) {
        if (!global) {
            w.String(c.keyspace);
            w.String(c.table);
        }
        w.String(c.name);
        w.WriteType(c.type);
    }
}

// <metadata> of a Rows result (v4 §4.2.5.2).
void WriteRowsMetadata(Writer& w, const std::vector<ColumnSpec>& columns,
                       const std::optional<std::string>& paging_state, bool no_metadata) {
    bool global = !no_metadata && OneTable(columns);
    int32_t flags = (global ? kMetaGlobalTablesSpec : 0) |
                    (paging_state ? kMetaHasMorePages : 0) | (no_metadata ? kMetaNoMetadata : 0);
    w.Int(flags);
    w.Int(static_cast<int32_t>(columns.size()));
    if (paging_state) w.Bytes(*paging_state);
    if (!no_metadata) WriteColumnSpecs(w, columns, global);
}

bool ReadColumnSpecs(Reader& r, int32_t count, bool global, std::vector<ColumnSpec>* out) {
    // Each spec is at least a 2-byte name and a 2-byte type id.
    if (count < 0 || size_t(count) * 4 > r.remaining()) {
        return r.Fail(fmt::format("column count {} overruns", count));
    }
    std::string keyspace, table;
    if (global && (!r.String(&keyspace) || !r.String(&table))) return false;
    for (int32_t i = 0; i < count; ++i) {
        ColumnSpec c{keyspace, table, "", {}};
        if (!global && (!r.String(&c.keyspace) || !r.String(&c.table))) return false;
        if (!r.String(&c.name) || !r.ReadType(&c.type)) return false;
        out->push_back(std::move(c));
    }
    return true;
}

bool ReadRowsMetadata(Reader& r, DecodedResult* out, int32_t* column_count) {
    int32_t flags = 0;
    if (!r.Int(&flags) || !r.Int(column_count)) return false;
    if (flags & kMetaHasMorePages) {
        Cell state;
        if (!r.Bytes(&state)) return false;
        out->paging_state = state.value_or("");
    }
    out->no_metadata = (flags & kMetaNoMetadata) != 0;
    if (out->no_metadata) return *column_count >= 0 || r.Fail("negative column count");
    return ReadColumnSpecs(r, *column_count, (flags & kMetaGlobalTablesSpec) != 0,
                           &out->result.columns);
}

}  // namespace

std::string EncodeResult(const Result& result, size_t first_row, size_t row_count,
                         const std::optional<std::string>& paging_state, bool no_metadata) {
    Writer w;
    switch (result.kind) {
        case Result::Kind::kVoid:
            w.Int(kResultVoid);
            break;
        case Result::Kind::kSetKeyspace:
            w.Int(kResultSetKeyspace);
            w.String(result.keyspace);
            break;
        case Result::Kind::kSchemaChange:
            // v4 §4.2.5.5: <change_type><target><options>; options name the keyspace, and
            // the table for TABLE (and TYPE).
            w.Int(kResultSchemaChange);
            w.String(result.change_type);
            w.String(result.target);
            w.String(result.keyspace);
            if (result.target != "KEYSPACE") w.String(result.name);
            break;
        case Result::Kind::kRows: {
            ORRERY_ASSERT(first_row <= result.rows.size() &&
                          row_count <= result.rows.size() - first_row);
            w.Int(kResultRows);
            WriteRowsMetadata(w, result.columns, paging_state, no_metadata);
            w.Int(static_cast<int32_t>(row_count));
            for (size_t i = first_row; i < first_row + row_count; ++i) {
                const auto& row = result.rows[i];
                ORRERY_ASSERT(row.size() == result.columns.size());
                for (const auto& cell : row) w.Bytes(cell);
            }
            break;
        }
    }
    return w.Take();
}

std::string EncodePrepared(std::string_view id, const Prepared& prepared) {
    Writer w;
    w.Int(kResultPrepared);
    w.ShortBytes(id);
    // <metadata> of the bind markers (v4 §4.2.5.4): flags, count, pk_count, pk indexes, specs.
    bool global = OneTable(prepared.markers);
    w.Int(global ? kMetaGlobalTablesSpec : 0);
    w.Int(static_cast<int32_t>(prepared.markers.size()));
    w.Int(static_cast<int32_t>(prepared.partition_key_indexes.size()));
    for (uint16_t index : prepared.partition_key_indexes) {
        ORRERY_ASSERT(index < prepared.markers.size());
        w.Short(index);
    }
    WriteColumnSpecs(w, prepared.markers, global);
    // <result_metadata>: the columns of a SELECT; a statement with no rows has none
    // (No_metadata, 0 columns), as Cassandra sends.
    if (prepared.result_columns) {
        WriteRowsMetadata(w, *prepared.result_columns, std::nullopt, false);
    } else {
        w.Int(kMetaNoMetadata);
        w.Int(0);
    }
    return w.Take();
}

std::string EncodeError(const Error& error) {
    Writer w;
    w.Int(error.code);
    w.String(error.message);  // Cut at 65535 bytes by the writer.
    switch (error.code) {
        case error_code::kUnavailable:
            w.WriteConsistency(error.consistency);
            w.Int(error.required);
            w.Int(error.alive);
            break;
        case error_code::kWriteTimeout:
            w.WriteConsistency(error.consistency);
            w.Int(error.received);
            w.Int(error.block_for);
            w.String(error.write_type.empty() ? "SIMPLE" : error.write_type);
            break;
        case error_code::kReadTimeout:
            w.WriteConsistency(error.consistency);
            w.Int(error.received);
            w.Int(error.block_for);
            w.Byte(error.data_present ? 1 : 0);
            break;
        case error_code::kReadFailure:  // <cl><received><blockfor><numfailures><data_present>
            w.WriteConsistency(error.consistency);
            w.Int(error.received);
            w.Int(error.block_for);
            w.Int(0);
            w.Byte(error.data_present ? 1 : 0);
            break;
        case error_code::kAlreadyExists:
            w.String(error.keyspace);
            w.String(error.table);
            break;
        case error_code::kUnprepared:
            w.ShortBytes(error.unprepared_id);
            break;
        default:
            break;
    }
    return w.Take();
}

std::string EncodeSupported(const std::map<std::string, std::vector<std::string>>& options) {
    Writer w;
    w.StringMultimap(options);
    return w.Take();
}

bool DecodeResult(std::string_view body, DecodedResult* out, std::string* error) {
    Reader r(body);
    r.Int(&out->kind);
    switch (out->kind) {
        case kResultVoid:
            out->result.kind = Result::Kind::kVoid;
            break;
        case kResultSetKeyspace:
            out->result.kind = Result::Kind::kSetKeyspace;
            r.String(&out->result.keyspace);
            break;
        case kResultSchemaChange:
            out->result.kind = Result::Kind::kSchemaChange;
            r.String(&out->result.change_type);
            r.String(&out->result.target);
            r.String(&out->result.keyspace);
            if (r.ok() && out->result.target != "KEYSPACE") r.String(&out->result.name);
            break;
        case kResultRows: {
            out->result.kind = Result::Kind::kRows;
            int32_t columns = 0, rows = 0;
            if (!ReadRowsMetadata(r, out, &columns) || !r.Int(&rows)) break;
            // A row of c columns takes at least 4c bytes; zero columns allow no rows.
            if (rows < 0 || (columns == 0 && rows > 0) ||
                (columns > 0 && size_t(rows) * size_t(columns) * 4 > r.remaining())) {
                r.Fail(fmt::format("{} rows of {} columns overrun", rows, columns));
                break;
            }
            for (int32_t i = 0; r.ok() && i < rows; ++i) {
                std::vector<Cell> row(static_cast<size_t>(columns));
                for (auto& cell : row) r.Bytes(&cell);
                out->result.rows.push_back(std::move(row));
            }
            break;
        }
        case kResultPrepared: {
            int32_t flags = 0, count = 0, pk_count = 0;
            r.ShortBytes(&out->prepared_id);
            r.Int(&flags);
            r.Int(&count);
            r.Int(&pk_count);
            if (r.ok() && (pk_count < 0 || size_t(pk_count) * 2 > r.remaining())) {
                r.Fail(fmt::format("pk count {} overruns", pk_count));
            }
            for (int32_t i = 0; r.ok() && i < pk_count; ++i) {
                uint16_t index = 0;
                if (r.Short(&index)) out->prepared.partition_key_indexes.push_back(index);
            }
            if (r.ok()) {
                ReadColumnSpecs(r, count, (flags & kMetaGlobalTablesSpec) != 0,
                                &out->prepared.markers);
            }
            int32_t result_columns = 0;
            DecodedResult meta;
            if (r.ok() && ReadRowsMetadata(r, &meta, &result_columns) && !meta.no_metadata) {
                out->prepared.result_columns = std::move(meta.result.columns);
            }
            break;
        }
        default:
            r.Fail(fmt::format("unknown result kind {}", out->kind));
    }
    if (r.ok() && !r.at_end()) r.Fail("unexpected bytes after the result");
    if (!r.ok()) *error = r.error();
    return r.ok();
}

bool DecodeError(std::string_view body, Error* out, std::string* error) {
    Reader r(body);
    r.Int(&out->code);
    r.String(&out->message);
    switch (out->code) {
        case error_code::kUnavailable:
            r.ReadConsistency(&out->consistency);
            r.Int(&out->required);
            r.Int(&out->alive);
            break;
        case error_code::kWriteTimeout:
            r.ReadConsistency(&out->consistency);
            r.Int(&out->received);
            r.Int(&out->block_for);
            r.String(&out->write_type);
            break;
        case error_code::kReadTimeout: {
            uint8_t present = 0;
            r.ReadConsistency(&out->consistency);
            r.Int(&out->received);
            r.Int(&out->block_for);
            r.Byte(&present);
            out->data_present = present != 0;
            break;
        }
        case error_code::kReadFailure: {
            uint8_t present = 0;
            int32_t failures = 0;
            r.ReadConsistency(&out->consistency);
            r.Int(&out->received);
            r.Int(&out->block_for);
            r.Int(&failures);
            r.Byte(&present);
            out->data_present = present != 0;
            break;
        }
        case error_code::kAlreadyExists:
            r.String(&out->keyspace);
            r.String(&out->table);
            break;
        case error_code::kUnprepared:
            r.ShortBytes(&out->unprepared_id);
            break;
        default:
            break;
    }
    if (r.ok() && !r.at_end()) r.Fail("unexpected bytes after the error");
    if (!r.ok()) *error = r.error();
    return r.ok();
}

}  // namespace orrery::node::cql
