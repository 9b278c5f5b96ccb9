// Status rendering. See status.h for the contract of each code.
#include "core/status.h"

#include <fmt/format.h>

namespace orrery {

std::string_view CodeName(Code code) {
    switch (code) {
        case Code::kOk: return "ok";
        case Code::kNotFound: return "not_found";
        case Code::kInvalidArgument: return "invalid_argument";
        case Code::kCorruption: return "corruption";
        case Code::kIOError: return "io_error";
        case Code::kNoSpace: return "no_space";
        case Code::kNotLeader: return "not_leader";
        case Code::kAborted: return "aborted";
        case Code::kTimeout: return "timeout";
        case Code::kUnavailable: return "unavailable";
        case Code::kAlreadyExists: return "already_exists";
        case Code::kNotSupported: return "not_supported";
        case Code::kBusy: return "busy";
    }
    return "unknown";
}

std::string Status::ToString() const {
    if (ok()) return "ok";
    if (message_.empty()) return std::string(CodeName(code_));
    return fmt::format("{}: {}", CodeName(code_), message_);
}

Status Status::WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code_, fmt::format("{}: {}", context, message_));
}

}  // namespace orrery
