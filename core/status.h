// Status and Result<T>: how every fallible call in Orrery reports failure.
//
// The core never throws. A function that can fail returns a [[nodiscard]] Status, or a Result<T>
// holding either a value or a non-OK Status. The code says what the *caller* may do next:
//   kNotLeader  - retry at another node (the message may name the leader);
//   kAborted    - the transaction lost a conflict: retry the whole transaction;
//   kTimeout    - the outcome is NOT KNOWN (Jepsen's "info"): it may or may not have happened;
//   kCorruption - stored bytes failed a checksum or a format check: never trust them;
//   kInvalidArgument - the request itself is wrong: do not retry it unchanged.
// Invariant: an OK status carries no message; a non-OK status always has a code other than kOk.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "core/assert.h"

namespace orrery {

enum class Code : uint8_t {
    kOk = 0,
    kNotFound,         // The key, file or object does not exist.
    kInvalidArgument,  // The request is malformed; retrying it unchanged cannot succeed.
    kCorruption,       // Stored or received bytes failed a checksum or format check.
    kIOError,          // The disk or the OS failed the operation (EIO and friends).
    kNoSpace,          // The disk is full (ENOSPC).
    kNotLeader,        // This node cannot serve the request; retry at the leader.
    kAborted,          // A transaction conflict; retry the transaction from the start.
    kTimeout,          // Outcome unknown: the operation may or may not have taken effect.
    kUnavailable,      // Temporarily unable to serve (no quorum, shutting down); retry later.
    kAlreadyExists,    // The object to create exists already.
    kNotSupported,     // The format version or feature is not supported by this binary.
    kBusy,             // A bounded queue is full; back off and retry.
};

// Returns the stable lower-case name of a code, e.g. "not_leader".
std::string_view CodeName(Code code);

class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Code code, std::string message) : code_(code), message_(std::move(message)) {
        ORRERY_ASSERT(code != Code::kOk, "a non-OK status needs a code other than kOk");
    }

    static Status Ok() { return Status(); }
    static Status NotFound(std::string m) { return {Code::kNotFound, std::move(m)}; }
    static Status InvalidArgument(std::string m) { return {Code::kInvalidArgument, std::move(m)}; }
    static Status Corruption(std::string m) { return {Code::kCorruption, std::move(m)}; }
    static Status IOError(std::string m) { return {Code::kIOError, std::move(m)}; }
    static Status NoSpace(std::string m) { return {Code::kNoSpace, std::move(m)}; }
    static Status NotLeader(std::string m) { return {Code::kNotLeader, std::move(m)}; }
    static Status Aborted(std::string m) { return {Code::kAborted, std::move(m)}; }
    static Status Timeout(std::string m) { return {Code::kTimeout, std::move(m)}; }
    static Status Unavailable(std::string m) { return {Code::kUnavailable, std::move(m)}; }
    static Status AlreadyExists(std::string m) { return {Code::kAlreadyExists, std::move(m)}; }
    static Status NotSupported(std::string m) { return {Code::kNotSupported, std::move(m)}; }
    static Status Busy(std::string m) { return {Code::kBusy, std::move(m)}; }

    bool ok() const { return code_ == Code::kOk; }
    Code code() const { return code_; }
    const std::string& message() const { return message_; }
    bool Is(Code code) const { return code_ == code; }

    // "ok", or "<code>: <message>", e.g. "corruption: block 7 checksum mismatch".
    std::string ToString() const;

    // Returns a copy with `context` prefixed to the message: "opening wal: <message>".
    Status WithContext(std::string_view context) const;

    // Marks a status as deliberately ignored (documents the decision at the call site).
    void IgnoreError() const {}

    friend bool operator==(const Status& a, const Status& b) {
        return a.code_ == b.code_ && a.message_ == b.message_;
    }

private:
    Code code_ = Code::kOk;
    std::string message_;
};

// Result<T> holds a T, or a non-OK Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design.
    Result(Status status) : value_(std::move(status)) {  // NOLINT: implicit by design.
        ORRERY_ASSERT(!std::get<Status>(value_).ok(), "Result built from an OK status");
    }

    bool ok() const { return std::holds_alternative<T>(value_); }
    // REQUIRES: !ok(). Returns the error.
    const Status& status() const& {
        static const Status kOkStatus;
        return ok() ? kOkStatus : std::get<Status>(value_);
    }
    Status status() && { return ok() ? Status() : std::get<Status>(std::move(value_)); }

    // REQUIRES: ok().
    T& value() & {
        ORRERY_ASSERT(ok(), "Result::value() on error: {}", std::get<Status>(value_).ToString());
        return std::get<T>(value_);
    }
    const T& value() const& {
        ORRERY_ASSERT(ok(), "Result::value() on error: {}", std::get<Status>(value_).ToString());
        return std::get<T>(value_);
    }
    T&& value() && {
        ORRERY_ASSERT(ok(), "Result::value() on error: {}", std::get<Status>(value_).ToString());
        return std::get<T>(std::move(value_));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

private:
    std::variant<T, Status> value_;
};

}  // namespace orrery

// Evaluates `expr` (a Status); returns it from the enclosing function if it is not OK.
#define ORRERY_RETURN_IF_ERROR(expr)                         \
    do {                                                     \
        ::orrery::Status orrery_status_ = (expr);            \
        if (!orrery_status_.ok()) return orrery_status_;     \
    } while (0)

#define ORRERY_CONCAT_INNER(a, b) a##b
#define ORRERY_CONCAT(a, b) ORRERY_CONCAT_INNER(a, b)

// ORRERY_ASSIGN_OR_RETURN(auto x, ResultExpr()): binds the value or returns the error.
#define ORRERY_ASSIGN_OR_RETURN(lhs, expr) \
    ORRERY_ASSIGN_OR_RETURN_IMPL(ORRERY_CONCAT(orrery_result_, __LINE__), lhs, expr)
#define ORRERY_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
    auto tmp = (expr);                               \
    if (!tmp.ok()) return std::move(tmp).status();   \
    lhs = std::move(tmp).value()
