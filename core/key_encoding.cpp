// Order-preserving tuple encoding. See key_encoding.h for the layout and the order.
#include "core/key_encoding.h"

#include <bit>
#include <cmath>
#include <limits>

namespace orrery {
namespace {

enum Tag : uint8_t { kNull = 1, kFalse = 2, kTrue = 3, kInt = 4, kDouble = 5, kString = 6 };

void PutBigEndian64(std::string* dst, uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) dst->push_back(static_cast<char>(v >> shift));
}

uint64_t GetBigEndian64(std::string_view s) {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
    return v;
}

double Canonical(double d) {
    if (std::isnan(d)) return std::numeric_limits<double>::quiet_NaN();
    if (d == 0.0) return 0.0;  // Folds -0.0 into +0.0.
    return d;
}

uint64_t DoubleBits(double d) {
    uint64_t bits = std::bit_cast<uint64_t>(Canonical(d));
    if (std::isnan(d)) bits = 0x7ff8000000000000ull;
    return (bits & (1ull << 63)) ? ~bits : bits ^ (1ull << 63);
}

int Sign(int64_t x) { return (x > 0) - (x < 0); }

}  // namespace

void AppendKeyValue(std::string* dst, const KeyValue& v) {
    switch (v.index()) {
        case 0: dst->push_back(kNull); break;
        case 1: dst->push_back(std::get<bool>(v) ? kTrue : kFalse); break;
        case 2:
            dst->push_back(kInt);
            PutBigEndian64(dst, static_cast<uint64_t>(std::get<int64_t>(v)) ^ (1ull << 63));
            break;
        case 3:
            dst->push_back(kDouble);
            PutBigEndian64(dst, DoubleBits(std::get<double>(v)));
            break;
        case 4:
            dst->push_back(kString);
            for (char c : std::get<std::string>(v)) {
                dst->push_back(c);
                if (c == '\0') dst->push_back('\xff');
            }
            dst->push_back('\0');
            dst->push_back('\x01');
            break;
    }
}

std::string EncodeKey(const KeyTuple& tuple) {
    std::string out;
    for (const auto& v : tuple) AppendKeyValue(&out, v);
    return out;
}

Result<KeyTuple> DecodeKey(std::string_view in) {
    KeyTuple out;
    while (!in.empty()) {
        auto tag = static_cast<uint8_t>(in[0]);
        in.remove_prefix(1);
        if (tag == kNull) {
            out.emplace_back(std::monostate{});
        } else if (tag == kFalse || tag == kTrue) {
            out.emplace_back(tag == kTrue);
        } else if (tag == kInt || tag == kDouble) {
            if (in.size() < 8) return Status::Corruption("key: truncated number");
            uint64_t bits = GetBigEndian64(in);
            in.remove_prefix(8);
            if (tag == kInt) {
                out.emplace_back(static_cast<int64_t>(bits ^ (1ull << 63)));
            } else {
                bits = (bits & (1ull << 63)) ? bits ^ (1ull << 63) : ~bits;
                out.emplace_back(std::bit_cast<double>(bits));
            }
        } else if (tag == kString) {
            std::string s;
            for (;;) {
                if (in.size() < 2) return Status::Corruption("key: unterminated string");
                if (in[0] != '\0') {
                    s.push_back(in[0]);
                    in.remove_prefix(1);
                } else if (in[1] == '\xff') {
                    s.push_back('\0');
                    in.remove_prefix(2);
                } else if (in[1] == '\x01') {
                    in.remove_prefix(2);
                    break;
                } else {
                    return Status::Corruption("key: bad string escape");
                }
            }
            out.emplace_back(std::move(s));
        } else {
            return Status::Corruption("key: unknown tag " + std::to_string(tag));
        }
    }
    return out;
}

int CompareKeyValue(const KeyValue& a, const KeyValue& b) {
    auto rank = [](const KeyValue& v) -> int {
        if (v.index() == 1) return std::get<bool>(v) ? 2 : 1;
        return v.index() == 0 ? 0 : static_cast<int>(v.index()) + 1;
    };
    if (rank(a) != rank(b)) return rank(a) < rank(b) ? -1 : 1;
    switch (a.index()) {
        case 2: {
            int64_t x = std::get<int64_t>(a), y = std::get<int64_t>(b);
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        case 3: {
            uint64_t x = DoubleBits(std::get<double>(a)), y = DoubleBits(std::get<double>(b));
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        case 4: return Sign(std::get<std::string>(a).compare(std::get<std::string>(b)));
        default: return 0;
    }
}

int CompareKeyTuple(const KeyTuple& a, const KeyTuple& b) {
    size_t n = std::min(a.size(), b.size());
    for (size_t i = 0; i < n; ++i) {
        if (int c = CompareKeyValue(a[i], b[i]); c != 0) return c;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

std::string PrefixEnd(std::string_view prefix) {
    std::string end(prefix);
    while (!end.empty()) {
        auto last = static_cast<uint8_t>(end.back());
        if (last != 0xff) {
            end.back() = static_cast<char>(last + 1);
            return end;
        }
        end.pop_back();
    }
    return end;
}

}  // namespace orrery
