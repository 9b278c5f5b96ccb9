// Timestamp text conversions (datetime.h).
#include "sql/datetime.h"

#include <fmt/format.h>

#include "core/assert.h"

namespace orrery::sql {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct Civil {
    int64_t year;
    unsigned month;
    unsigned day;
};

// The inverse (Hinnant's civil_from_days).
Civil CivilFromDays(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
    static constexpr unsigned kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `digits` decimal digits at text[*pos].
std::optional<int64_t> Digits(std::string_view text, size_t* pos, size_t digits) {
    if (*pos + digits > text.size()) return std::nullopt;
    int64_t v = 0;
    for (size_t i = 0; i < digits; ++i) {
        char c = text[*pos + i];
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    *pos += digits;
    return v;
}

bool Expect(std::string_view text, size_t* pos, char c) {
    if (*pos >= text.size() || text[*pos] != c) return false;
    ++*pos;
    return true;
}

// Parses "HH:MM[:SS[.f{1,6}]]" at *pos into micros of the day.
std::optional<int64_t> ParseTime(std::string_view text, size_t* pos) {
    auto hh = Digits(text, pos, 2);
    if (!hh || !Expect(text, pos, ':')) return std::nullopt;
    auto mm = Digits(text, pos, 2);
    if (!mm) return std::nullopt;
    int64_t ss = 0;
    int64_t micros = 0;
    if (*pos < text.size() && text[*pos] == ':') {
        ++*pos;
        auto s = Digits(text, pos, 2);
        if (!s) return std::nullopt;
        ss = *s;
        if (*pos < text.size() && text[*pos] == '.') {
            ++*pos;
            int64_t scale = 100000;
            size_t n = 0;
            while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9' && n < 6) {
                micros += (text[*pos] - '0') * scale;
                scale /= 10;
                ++*pos;
                ++n;
            }
            if (n == 0) return std::nullopt;
        }
    }
    if (*hh > 23 || *mm > 59 || ss > 59) return std::nullopt;
    return ((*hh * 60 + *mm) * 60 + ss) * kMicrosPerSecond + micros;
}

}  // namespace

std::string FormatTimestamp(int64_t micros) {
    int64_t seconds = FloorDiv(micros, kMicrosPerSecond);
    int64_t frac = micros - seconds * kMicrosPerSecond;
    int64_t days = FloorDiv(seconds, kSecondsPerDay);
    int64_t sod = seconds - days * kSecondsPerDay;
    Civil c = CivilFromDays(days);
    std::string out = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", c.year, c.month, c.day,
                                  sod / 3600, sod / 60 % 60, sod % 60);
    if (frac != 0) out += fmt::format(".{:06}", frac);
    return out;
}

std::optional<int64_t> ParseTimestamp(std::string_view text) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    size_t pos = 0;
    auto y = Digits(text, &pos, 4);
    if (!y || !Expect(text, &pos, '-')) return std::nullopt;
    auto m = Digits(text, &pos, 2);
    if (!m || !Expect(text, &pos, '-')) return std::nullopt;
    auto d = Digits(text, &pos, 2);
    if (!d || *y < 1 || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
    if (*d > DaysInMonth(*y, static_cast<unsigned>(*m))) return std::nullopt;
    int64_t day_micros = 0;
    if (pos < text.size()) {
        if (text[pos] != ' ' && text[pos] != 'T') return std::nullopt;
        ++pos;
        auto t = ParseTime(text, &pos);
        if (!t) return std::nullopt;
        day_micros = *t;
    }
    if (pos != text.size()) return std::nullopt;
    int64_t days = DaysFromCivil(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
    ORRERY_ASSERT(days > -1000000 && days < 3000000, "year 1..9999 keeps days small");
    return days * kSecondsPerDay * kMicrosPerSecond + day_micros;
}

}  // namespace orrery::sql
