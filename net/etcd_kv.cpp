// etcd's JSON key-value API: bodies and reply checks. See etcd_kv.h.
#include "net/etcd_kv.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>

#include "core/assert.h"

namespace orrery::net {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of one base64 character, or -1.
int Sextet(char c) {
    size_t at = kAlphabet.find(c);
    return at == std::string_view::npos ? -1 : static_cast<int>(at);
}

// A JSON string holding a decimal int64, as the gateway writes them; nullopt otherwise.
std::optional<int64_t> JsonInt64(const nlohmann::json& j) {
    if (!j.is_string()) return std::nullopt;
    const std::string& s = j.get_ref<const std::string&>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

Result<nlohmann::json> ParseObject(std::string_view body) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) {
        return Status::InvalidArgument(fmt::format("not a JSON object: {:.80}", body));
    }
    if (j.contains("error")) {  // The gateway's error reply: {"error": ..., "code": N}.
        return Status::InvalidArgument(fmt::format("etcd error: {:.120}", body));
    }
    return j;
}

}  // namespace

std::string EncodeBase64(std::string_view bytes) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    // Each 3 bytes become 4 characters; a last group of 1 or 2 bytes is padded with '='.
    for (size_t i = 0; i < bytes.size(); i += 3) {
        size_t n = std::min<size_t>(3, bytes.size() - i);
        uint32_t group = 0;
        for (size_t k = 0; k < 3; ++k) {
            uint32_t b = k < n ? static_cast<unsigned char>(bytes[i + k]) : 0;
            group = (group << 8) | b;
        }
        for (size_t k = 0; k < 4; ++k) {
            out.push_back(k <= n ? kAlphabet[(group >> (18 - 6 * k)) & 63] : '=');
        }
    }
    ORRERY_ASSERT(out.size() % 4 == 0);
    return out;
}

Result<std::string> DecodeBase64(std::string_view text) {
    if (text.size() % 4 != 0) return Status::InvalidArgument("base64 length not a multiple of 4");
    std::string out;
    out.reserve(text.size() / 4 * 3);
    for (size_t i = 0; i < text.size(); i += 4) {
        bool last = i + 4 == text.size();
        size_t pad = 0;
        if (last && text[i + 3] == '=') pad = text[i + 2] == '=' ? 2 : 1;
        uint32_t group = 0;
        for (size_t k = 0; k < 4; ++k) {
            int s = k < 4 - pad ? Sextet(text[i + k]) : 0;
            if (s < 0) return Status::InvalidArgument("not a base64 character");
            group = (group << 6) | static_cast<uint32_t>(s);
        }
        for (size_t k = 0; k < 3 - pad; ++k) {
            out.push_back(static_cast<char>((group >> (16 - 8 * k)) & 0xff));
        }
    }
    return out;
}

std::string EtcdPutRequest(std::string_view key, std::string_view value) {
    return fmt::format(R"({{"key":"{}","value":"{}"}})", EncodeBase64(key), EncodeBase64(value));
}

std::string EtcdRangeRequest(std::string_view key) {
    return fmt::format(R"({{"key":"{}"}})", EncodeBase64(key));
}

Result<int64_t> CheckEtcdPutReply(std::string_view body) {
    ORRERY_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
    if (!j.contains("header") || !j["header"].is_object() || !j["header"].contains("revision")) {
        return Status::InvalidArgument(fmt::format("put reply without header.revision: {:.120}",
                                                   body));
    }
    std::optional<int64_t> revision = JsonInt64(j["header"]["revision"]);
    if (!revision || *revision < 1) {
        return Status::InvalidArgument(fmt::format("put reply with a bad revision: {:.120}", body));
    }
    return *revision;
}

Status CheckEtcdRangeReply(std::string_view body, std::string_view key, std::string_view expected) {
    ORRERY_ASSIGN_OR_RETURN(nlohmann::json j, ParseObject(body));
    // An absent key: no "kvs" and no "count" (the gateway omits empty and zero fields).
    if (!j.contains("kvs") || !j["kvs"].is_array() || j["kvs"].size() != 1) {
        return Status::InvalidArgument(fmt::format("range of '{}' did not return one kv", key));
    }
    const nlohmann::json& kv = j["kvs"][0];
    if (!kv.is_object() || !kv.contains("key") || !kv["key"].is_string()) {
        return Status::InvalidArgument("range reply kv without a key");
    }
    auto got_key = DecodeBase64(kv["key"].get_ref<const std::string&>());
    if (!got_key.ok() || *got_key != key) {
        return Status::InvalidArgument(fmt::format("range of '{}' returned another key", key));
    }
    std::string value;  // An empty value is omitted.
    if (kv.contains("value")) {
        if (!kv["value"].is_string()) return Status::InvalidArgument("range value not a string");
        ORRERY_ASSIGN_OR_RETURN(value, DecodeBase64(kv["value"].get_ref<const std::string&>()));
    }
    if (value != expected) {
        return Status::InvalidArgument(fmt::format("range of '{}' returned another value ({} "
                                                   "bytes; {} written)", key, value.size(),
                                                   expected.size()));
    }
    return Status::Ok();
}

}  // namespace orrery::net
