#include "greekbook/core/time.hpp"

#include <charconv>
#include <cstdio>

#include <fmt/format.h>

namespace greekbook::core {
namespace {
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}
}  // namespace

Result<std::int64_t> parse_utc_ms(std::string_view text) {
  const auto bad = [&](const char* why) {
    return make_error(fmt::format("time '{}': {} (expected ISO 8601 like 2026-01-01T09:18:35Z or "
                                  "milliseconds since the epoch)", text, why));
  };
  if (text.empty()) return bad("empty");
  if (text.find('-') == std::string_view::npos || text.front() == '-') {
    std::int64_t ms = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), ms);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size()) return bad("not a number");
    return ms;
  }
  int y, mo, d, h = 0, mi = 0, s = 0;
  if (!digits(text, 0, 4, y) || text.size() < 10 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d))
    return bad("bad date");
  if (mo < 1 || mo > 12 || d < 1 || d > static_cast<int>(days_in_month(y, static_cast<unsigned>(mo))))
    return bad("no such date");
  std::size_t p = 10;
  std::int64_t frac_ms = 0, offset_min = 0;
  if (p < text.size()) {
    if (text[p] != 'T' && text[p] != ' ') return bad("expected 'T' after the date");
    if (!digits(text, p + 1, 2, h) || text.size() < p + 6 || text[p + 3] != ':' || !digits(text, p + 4, 2, mi))
      return bad("bad time of day");
    p += 6;
    if (p < text.size() && text[p] == ':') {
      if (!digits(text, p + 1, 2, s)) return bad("bad seconds");
      p += 3;
      if (p < text.size() && text[p] == '.') {
        ++p;
        if (p >= text.size() || text[p] < '0' || text[p] > '9') return bad("no digits after the decimal point");
        int scale = 100;
        while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
          frac_ms += (text[p] - '0') * scale;
          scale /= 10;
          ++p;
        }
      }
    }
    if (h > 23 || mi > 59 || s > 60) return bad("time of day out of range");
    if (p < text.size()) {
      if (text[p] == 'Z' && p + 1 == text.size()) {
        ++p;
      } else if ((text[p] == '+' || text[p] == '-') && p + 6 == text.size() && text[p + 3] == ':') {
        int oh, om;
        if (!digits(text, p + 1, 2, oh) || !digits(text, p + 4, 2, om) || oh > 23 || om > 59)
          return bad("bad UTC offset");
        offset_min = (text[p] == '+' ? 1 : -1) * (oh * 60 + om);
        p += 6;
      } else {
        return bad("unexpected trailing characters");
      }
    }
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * kMsPerDay + (h * 3600LL + mi * 60LL + s) * 1000LL + frac_ms - offset_min * 60'000LL;
}

std::string format_utc_ms(std::int64_t ms) {
  std::int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  std::int64_t rem = ms - days * kMsPerDay;
  // civil_from_days (Hinnant)
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  const int h = static_cast<int>(rem / 3'600'000);
  const int mi = static_cast<int>(rem / 60'000 % 60);
  const int s = static_cast<int>(rem / 1000 % 60);
  const int milli = static_cast<int>(rem % 1000);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", y, m, d, h, mi, s, milli);
}

}  // namespace greekbook::core
