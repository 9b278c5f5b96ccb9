// Strong types for the quantities protocol code juggles: node ids, terms, log indexes, time.
//
// A Term cannot be passed where a LogIndex is expected, and a Timestamp minus a Timestamp is a
// Duration, not another Timestamp. All times are integer microseconds: virtual microseconds in
// the simulator, steady-clock microseconds in the real world.
#pragma once

#include <fmt/format.h>

#include <compare>
#include <cstdint>
#include <functional>
#include <limits>

namespace orrery {

// A value of type Rep that only compares and converts with its own Tag.
template <typename Tag, typename Rep>
class StrongId {
public:
    using rep = Rep;
    constexpr StrongId() = default;
    constexpr explicit StrongId(Rep v) : v_(v) {}
    constexpr Rep value() const { return v_; }
    constexpr auto operator<=>(const StrongId&) const = default;

private:
    Rep v_{};
};

struct NodeIdTag {};
struct TermTag {};

// A process on the network: a server node (1..999) or a client endpoint (1000 and up).
using NodeId = StrongId<NodeIdTag, uint32_t>;
// A Raft term (Raft §5.1). Term 0 means "before any election".
using Term = StrongId<TermTag, uint64_t>;

// A position in the Raft log. Index 0 means "before the first entry". Supports +/- counts.
class LogIndex {
public:
    constexpr LogIndex() = default;
    constexpr explicit LogIndex(uint64_t v) : v_(v) {}
    constexpr uint64_t value() const { return v_; }
    constexpr auto operator<=>(const LogIndex&) const = default;
    constexpr LogIndex operator+(uint64_t n) const { return LogIndex(v_ + n); }
    constexpr LogIndex operator-(uint64_t n) const { return LogIndex(v_ - n); }
    constexpr LogIndex& operator++() { ++v_; return *this; }
    constexpr LogIndex& operator--() { --v_; return *this; }

private:
    uint64_t v_ = 0;
};

// A span of time in microseconds. May be negative (clock skew).
class Duration {
public:
    constexpr Duration() = default;
    constexpr explicit Duration(int64_t us) : us_(us) {}
    static constexpr Duration Micros(int64_t n) { return Duration(n); }
    static constexpr Duration Millis(int64_t n) { return Duration(n * 1000); }
    static constexpr Duration Seconds(int64_t n) { return Duration(n * 1000000); }
    constexpr int64_t us() const { return us_; }
    constexpr double ms() const { return static_cast<double>(us_) / 1000.0; }
    constexpr auto operator<=>(const Duration&) const = default;
    constexpr Duration operator+(Duration d) const { return Duration(us_ + d.us_); }
    constexpr Duration operator-(Duration d) const { return Duration(us_ - d.us_); }
    constexpr Duration operator*(int64_t k) const { return Duration(us_ * k); }
    constexpr Duration operator/(int64_t k) const { return Duration(us_ / k); }

private:
    int64_t us_ = 0;
};

// A point in monotonic time, microseconds since the clock's epoch (the start of the run).
class Timestamp {
public:
    constexpr Timestamp() = default;
    constexpr explicit Timestamp(int64_t us) : us_(us) {}
    static constexpr Timestamp Max() { return Timestamp(std::numeric_limits<int64_t>::max()); }
    constexpr int64_t us() const { return us_; }
    constexpr auto operator<=>(const Timestamp&) const = default;
    constexpr Timestamp operator+(Duration d) const { return Timestamp(us_ + d.us()); }
    constexpr Timestamp operator-(Duration d) const { return Timestamp(us_ - d.us()); }
    constexpr Duration operator-(Timestamp t) const { return Duration(us_ - t.us_); }
    constexpr Timestamp& operator+=(Duration d) { us_ += d.us(); return *this; }

private:
    int64_t us_ = 0;
};

// The first client endpoint id; ids below it are server nodes.
inline constexpr uint32_t kFirstClientId = 1000;
inline constexpr bool IsClient(NodeId id) { return id.value() >= kFirstClientId; }

}  // namespace orrery

template <typename Tag, typename Rep>
struct std::hash<orrery::StrongId<Tag, Rep>> {
    size_t operator()(const orrery::StrongId<Tag, Rep>& v) const { return std::hash<Rep>()(v.value()); }
};

// fmt: "n3" for nodes (clients "c1000"), "t7" for terms, plain numbers for indexes and times.
template <>
struct fmt::formatter<orrery::NodeId> : fmt::formatter<std::string_view> {
    auto format(orrery::NodeId id, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "{}{}", orrery::IsClient(id) ? "c" : "n", id.value());
    }
};
template <>
struct fmt::formatter<orrery::Term> : fmt::formatter<std::string_view> {
    auto format(orrery::Term t, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "{}", t.value());
    }
};
template <>
struct fmt::formatter<orrery::LogIndex> : fmt::formatter<std::string_view> {
    auto format(orrery::LogIndex i, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "{}", i.value());
    }
};
template <>
struct fmt::formatter<orrery::Duration> : fmt::formatter<std::string_view> {
    auto format(orrery::Duration d, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "{:.3f}ms", d.ms());
    }
};
template <>
struct fmt::formatter<orrery::Timestamp> : fmt::formatter<std::string_view> {
    auto format(orrery::Timestamp t, format_context& ctx) const {
        return fmt::format_to(ctx.out(), "{:.3f}ms", static_cast<double>(t.us()) / 1000.0);
    }
};
