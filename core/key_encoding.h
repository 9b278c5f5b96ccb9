// Order-preserving encoding of tuples, so that storage engines can compare keys as plain bytes.
//
// Invariant: for tuples a and b, Compare(a, b) < 0  <=>  EncodeKey(a) < EncodeKey(b) (memcmp order).
// The value order is: null < false < true < every int64 < every double < every string; within a
// kind, ints and doubles by numeric value and strings by bytes. A tuple that is a prefix of
// another sorts first. Doubles use IEEE total order with -0.0 folded into +0.0 and every NaN
// folded into one NaN above +infinity.
//
// Layout, one element after another (a tag byte, then the payload):
//   0x01 null | 0x02 false | 0x03 true
//   0x04 int64  : 8 bytes big-endian with the sign bit flipped
//   0x05 double : 8 bytes big-endian; negative: all bits flipped, otherwise the sign bit flipped
//   0x06 string : bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace orrery {

using KeyValue = std::variant<std::monostate, bool, int64_t, double, std::string>;
using KeyTuple = std::vector<KeyValue>;

// Appends the encoding of one value / a whole tuple to dst.
void AppendKeyValue(std::string* dst, const KeyValue& v);
std::string EncodeKey(const KeyTuple& tuple);

// Decodes a tuple; Corruption on malformed input.
Result<KeyTuple> DecodeKey(std::string_view bytes);

// Three-way comparison in the value order described above.
int CompareKeyValue(const KeyValue& a, const KeyValue& b);
int CompareKeyTuple(const KeyTuple& a, const KeyTuple& b);

// Returns the smallest byte string greater than every string that starts with prefix, or "" if
// there is none (prefix is all 0xFF). Used to turn a prefix scan into a range scan.
std::string PrefixEnd(std::string_view prefix);

}  // namespace orrery
