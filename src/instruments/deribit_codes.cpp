// Deribit name fragments: expiry codes ("27MAR26" = 2026-03-27 08:00 UTC) and strikes ("100000", "0d5").
#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>

#include <fmt/format.h>

#include "greekbook/instruments/instrument.hpp"
#include "instruments/detail.hpp"

namespace greekbook::instruments {
namespace detail {
namespace {

constexpr std::array<std::string_view, 12> kMonths = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                      "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// Compile-time checks of the date arithmetic against dates whose epoch days are known.
static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 3, 1) == 11017);
static_assert(days_from_civil(2021, 9, 24) == 18894);  // BTC-24SEP21: 1632470400000 ms = 18894 d + 8 h
static_assert(civil_from_days(18894).year == 2021 && civil_from_days(18894).month == 9 &&
              civil_from_days(18894).day == 24);
static_assert(civil_from_days(-1).year == 1969 && civil_from_days(-1).month == 12 &&
              civil_from_days(-1).day == 31);

}  // namespace

Result<std::int64_t> parse_expiry_code(std::string_view code) {
  if (code.empty()) return make_error("expiry is empty");
  std::size_t i = 0;
  unsigned day = 0;
  while (i < code.size() && i < 2 && is_digit(code[i])) day = day * 10 + static_cast<unsigned>(code[i++] - '0');
  if (i == 0) return make_error(fmt::format("expiry '{}' does not start with a 1- or 2-digit day", code));
  if (code.size() != i + 5)
    return make_error(fmt::format("expiry '{}' is not a 1- or 2-digit day, 3-letter month and 2-digit year", code));
  const std::string_view month_text = code.substr(i, 3);
  const std::string_view year_text = code.substr(i + 3, 2);
  unsigned month = 0;
  for (unsigned m = 0; m < kMonths.size(); ++m)
    if (kMonths[m] == month_text) month = m + 1;
  if (month == 0) return make_error(fmt::format("month '{}' is not one of JAN..DEC", month_text));
  if (!is_digit(year_text[0]) || !is_digit(year_text[1]))
    return make_error(fmt::format("year '{}' in expiry '{}' is not two digits", year_text, code));
  const std::int64_t year = 2000 + (year_text[0] - '0') * 10 + (year_text[1] - '0');
  if (day == 0 || day > days_in_month(year, month))
    return make_error(fmt::format("day {} does not exist in {} {} (expiry '{}'; the month has {} days)", day,
                                  month_text, year, code, days_in_month(year, month)));
  return days_from_civil(year, month, day) * kMsPerDay + kDeribitExpiryHourMs;
}

Result<double> parse_strike(std::string_view text) {
  const auto bad = [&] {
    return make_error(fmt::format(
        "strike '{}' is not a positive number (digits, with 'd' as the decimal point as in 0d5)", text));
  };
  if (text.empty()) return bad();
  std::string plain;
  plain.reserve(text.size());
  std::size_t points = 0, digits_before = 0, digits_after = 0;
  for (const char c : text) {
    if (is_digit(c)) {
      (points == 0 ? digits_before : digits_after) += 1;
      plain.push_back(c);
    } else if (c == 'd') {
      ++points;
      plain.push_back('.');
    } else if (c == '.') {
      return make_error(
          fmt::format("strike '{}' uses '.'; Deribit writes the decimal point as 'd' (0d5 for 0.5)", text));
    } else {
      return bad();
    }
  }
  if (points > 1 || digits_before == 0 || (points == 1 && digits_after == 0)) return bad();
  double value = 0.0;
  const auto [ptr, ec] = std::from_chars(plain.data(), plain.data() + plain.size(), value);
  if (ec != std::errc{} || ptr != plain.data() + plain.size() || !std::isfinite(value)) return bad();
  if (!(value > 0.0)) return make_error(fmt::format("strike '{}' must be positive", text));
  return value;
}

std::string format_strike(double strike) {
  std::array<char, 512> buf{};
  const auto [ptr, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), strike, std::chars_format::fixed);
  std::string text = ec == std::errc{} ? std::string(buf.data(), ptr) : fmt::format("{}", strike);
  for (char& c : text)
    if (c == '.') c = 'd';
  return text;
}

}  // namespace detail

Result<std::int64_t> parse_deribit_expiry(std::string_view code) {
  auto ms = detail::parse_expiry_code(code);
  if (!ms)
    return make_error(fmt::format("expiry code '{}': {} (expected DMMMYY like 27MAR26 or 3JAN26)", code,
                                  ms.error().message));
  return ms;
}

std::string format_deribit_expiry(std::int64_t expiry_ms) {
  // Floor division: the date of the instant, whatever the time of day (08:00 for Deribit expiries).
  std::int64_t days = expiry_ms / detail::kMsPerDay;
  if (expiry_ms % detail::kMsPerDay < 0) --days;
  const detail::CivilDate date = detail::civil_from_days(days);
  const std::int64_t yy = ((date.year % 100) + 100) % 100;
  return fmt::format("{}{}{:02}", date.day, detail::kMonths[date.month - 1], yy);
}

}  // namespace greekbook::instruments
