#pragma once
// UTC time as integer milliseconds since the Unix epoch; no time zones, no global state.
#include <cstdint>
#include <string>
#include <string_view>

#include "greekbook/core/result.hpp"

namespace greekbook::core {

inline constexpr std::int64_t kMsPerDay = 86'400'000;
/// Year fraction used by Deribit: ACT/365 from milliseconds.
inline constexpr double kMsPerYear365 = 365.0 * 86'400'000.0;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

constexpr bool is_leap_year(std::int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept {
  constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap_year(y) ? 29 : kDays[m - 1];
}

/// Parses "2026-01-01", "2026-01-01T09:18:35Z", "2026-01-01T09:18:35.173006+00:00" (any offset),
/// or an integer number of milliseconds since the epoch.
Result<std::int64_t> parse_utc_ms(std::string_view text);

/// "2026-01-01T09:18:35.173Z".
std::string format_utc_ms(std::int64_t ms);

/// ACT/365 year fraction between two instants (negative when `to` is earlier).
constexpr double years_between(std::int64_t from_ms, std::int64_t to_ms) noexcept {
  return static_cast<double>(to_ms - from_ms) / kMsPerYear365;
}

}  // namespace greekbook::core
