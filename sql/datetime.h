// Timestamps as text: the one display form and the forms CAST('...' AS TIMESTAMP) accepts.
//
// A TIMESTAMP is microseconds since 1970-01-01 00:00:00 UTC (no time zones). The display form is
// "YYYY-MM-DD HH:MM:SS" with ".ffffff" appended when the microseconds are not zero. Parsing
// accepts "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.f{1,6}]]" and the ISO 'T' separator; years
// 0001..9999. Calendar arithmetic is Howard Hinnant's days_from_civil, exact for the proleptic
// Gregorian calendar.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace orrery::sql {

// "2026-12-02 19:39:22" or "2026-12-02 19:39:22.000125".
std::string FormatTimestamp(int64_t micros_since_epoch);

// The timestamp text means, or nullopt when it is not one of the accepted forms or names an
// impossible date (February 30th).
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace orrery::sql
