// etcd's v3 key-value API as JSON, as its grpc-gateway serves it over HTTP/1.1 (etcd 3.4:
// `POST /v3/kv/put`, `POST /v3/kv/range`), for `orrery bench cluster --compare etcd`.
//
// The gateway maps each gRPC message to JSON with the proto field names; bytes fields (key,
// value) are base64 (RFC 4648, with padding), and 64-bit integers (revision, count) are JSON
// strings. A range with only "key" reads that one key, linearizably (serializable is false by
// default). These are pure functions; net/http_client.h carries the bytes.
//
// Invariant: a reply is accepted only if it says what the request asked for. A put's reply must
// carry a header with a revision >= 1; a range's must hold exactly the key asked for, with the
// value expected. Anything else is an error with the reason, never a silent ok.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace orrery::net {

// RFC 4648 base64 with padding.
std::string EncodeBase64(std::string_view bytes);
// The bytes of a padded base64 text; kInvalidArgument for any other character or length.
Result<std::string> DecodeBase64(std::string_view text);

// The JSON body of `POST /v3/kv/put` for key = value.
std::string EtcdPutRequest(std::string_view key, std::string_view value);
// The JSON body of `POST /v3/kv/range` reading one key (linearizable: etcd's default).
std::string EtcdRangeRequest(std::string_view key);

// Ok iff `body` is a put reply with header.revision >= 1. Returns the revision.
Result<int64_t> CheckEtcdPutReply(std::string_view body);
// Ok iff `body` is a range reply holding exactly one kv, for `key`, whose value is `expected`.
Status CheckEtcdRangeReply(std::string_view body, std::string_view key, std::string_view expected);

}  // namespace orrery::net
