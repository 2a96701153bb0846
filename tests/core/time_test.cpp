// Unit tests of greekbook::core time helpers: parse_utc_ms, format_utc_ms, days_from_civil,
// years_between. Reference instants computed independently with Python's datetime
// (int(datetime.fromisoformat(s).timestamp() * 1000)).
#include "greekbook/core/time.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace {
using greekbook::core::days_from_civil;
using greekbook::core::format_utc_ms;
using greekbook::core::kMsPerDay;
using greekbook::core::parse_utc_ms;
using greekbook::core::years_between;

constexpr std::int64_t kHour = 3'600'000;
constexpr std::int64_t kMinute = 60'000;

std::int64_t ok(std::string_view text) {
  const auto r = parse_utc_ms(text);
  EXPECT_TRUE(r.has_value()) << text << ": " << (r ? "" : r.error().message);
  return r ? *r : INT64_MIN;
}

std::string err(std::string_view text) {
  const auto r = parse_utc_ms(text);
  EXPECT_FALSE(r.has_value()) << "'" << text << "' parsed as " << (r ? *r : 0);
  return r ? std::string() : r.error().message;
}

TEST(DaysFromCivil, KnownDates) {
  static_assert(days_from_civil(1970, 1, 1) == 0);
  static_assert(days_from_civil(1969, 12, 31) == -1);
  EXPECT_EQ(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28), 2);  // 2000 is a leap year
  EXPECT_EQ(days_from_civil(1900, 3, 1) - days_from_civil(1900, 2, 28), 1);  // 1900 is not
  EXPECT_EQ(days_from_civil(2026, 1, 1) - days_from_civil(2025, 1, 1), 365);
  EXPECT_EQ(days_from_civil(2025, 1, 1) - days_from_civil(2024, 1, 1), 366);
  EXPECT_EQ(days_from_civil(2000, 2, 29) * kMsPerDay, 951'782'400'000);
}

TEST(ParseUtcMs, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(ok("1970-01-01"), 0);
  EXPECT_EQ(ok("2020-05-14"), 1'589'414'400'000);
  EXPECT_EQ(ok("2000-02-29"), 951'782'400'000);
}

TEST(ParseUtcMs, KnownInstants) {
  EXPECT_EQ(ok("2026-03-27T08:00:00Z"), 1'774'598'400'000);
  EXPECT_EQ(ok("2021-09-24T08:00:00Z"), 1'632'470'400'000);  // BTC-24SEP21 expiry
  EXPECT_EQ(ok("2020-05-29T08:00:00Z"), 1'590'739'200'000);
  EXPECT_EQ(ok("2026-01-01T09:18:35Z"), 1'767'259'115'000);
  EXPECT_EQ(ok("1969-12-31T23:59:59Z"), -1000);
}

TEST(ParseUtcMs, SpaceSeparatorAndNoSeconds) {
  EXPECT_EQ(ok("2026-01-03 08:00:00+00:00"), ok("2026-01-03T08:00:00Z"));
  EXPECT_EQ(ok("2026-01-03T08:00"), ok("2026-01-03T08:00:00Z"));
  EXPECT_EQ(ok("2026-01-03T08:00Z"), ok("2026-01-03") + 8 * kHour);
}

TEST(ParseUtcMs, FractionalSecondsTruncateToMilliseconds) {
  const std::int64_t base = 1'767'259'115'000;  // 2026-01-01T09:18:35Z
  EXPECT_EQ(ok("2026-01-01T09:18:35.173006+00:00"), base + 173);  // microseconds dropped
  EXPECT_EQ(ok("2026-01-01T09:18:35.999999Z"), base + 999);       // truncated, not rounded
  EXPECT_EQ(ok("2026-01-01T09:18:35.5Z"), base + 500);
  EXPECT_EQ(ok("2026-01-01T09:18:35.05Z"), base + 50);
  EXPECT_EQ(ok("2026-01-01T09:18:35.007Z"), base + 7);
  EXPECT_EQ(ok("2026-01-01T09:18:35.000999999Z"), base);
}

TEST(ParseUtcMs, OffsetsConvertToUtc) {
  const std::int64_t utc = ok("2026-01-01T09:18:35Z");
  EXPECT_EQ(ok("2026-01-01T09:18:35+00:00"), utc);
  EXPECT_EQ(ok("2026-01-01T11:18:35+02:00"), utc);
  EXPECT_EQ(ok("2026-01-01T14:48:35+05:30"), utc);
  EXPECT_EQ(ok("2026-01-01T04:18:35-05:00"), utc);
  EXPECT_EQ(ok("2026-01-01T07:48:35-01:30"), utc);
  // An offset moving the instant across midnight into the previous day.
  EXPECT_EQ(ok("2026-01-01T01:00:00+02:00"), ok("2025-12-31T23:00:00Z"));
  // Fraction and offset together.
  EXPECT_EQ(ok("2026-01-01T10:18:35.250+01:00"), utc + 250);
}

TEST(ParseUtcMs, EpochMillisecondIntegers) {
  EXPECT_EQ(ok("0"), 0);
  EXPECT_EQ(ok("1632470400000"), 1'632'470'400'000);
  EXPECT_EQ(ok("1589434896486"), 1'589'434'896'486);
  EXPECT_EQ(ok("-1000"), -1000);
}

TEST(ParseUtcMs, RejectsImpossibleDates) {
  EXPECT_NE(err("2026-02-30").find("no such date"), std::string::npos);
  EXPECT_NE(err("2026-02-29").find("no such date"), std::string::npos);  // 2026 is not a leap year
  err("2026-13-01");
  err("2026-00-10");
  err("2026-04-31");
  err("2026-01-00");
  EXPECT_EQ(ok("2024-02-29"), ok("2024-03-01") - kMsPerDay);
}

TEST(ParseUtcMs, RejectsOutOfRangeTimeOfDay) {
  EXPECT_NE(err("2026-01-01T25:00:00Z").find("out of range"), std::string::npos);
  err("2026-01-01T24:00:00Z");
  err("2026-01-01T12:60:00Z");
  err("2026-01-01T12:00:61Z");
}

TEST(ParseUtcMs, RejectsMalformedText) {
  const std::string e = err("");
  EXPECT_NE(e.find("empty"), std::string::npos) << e;
  err("2026-01-01T09:18:35Zjunk");
  err("2026-01-01T09:18:35 junk");
  err("2026-01-01junk");
  err("2026-01-01T");
  err("2026-01-01T9:18:35Z");
  err("2026-1-01");
  err("26-01-01");
  err("2026/01/01");
  err("2026-01-01T09:18:35+0100");    // offset without the colon
  err("2026-01-01T09:18:35+01:00Z");  // offset then Z
  err("12abc");
  err("1.5e12");
  err("   ");
}

TEST(ParseUtcMs, ErrorQuotesTheTextAndTheExpectedShape) {
  const std::string e = err("2026-02-30T08:00:00Z");
  EXPECT_NE(e.find("'2026-02-30T08:00:00Z'"), std::string::npos) << e;
  EXPECT_NE(e.find("ISO 8601"), std::string::npos) << e;
}

TEST(FormatUtcMs, KnownInstants) {
  EXPECT_EQ(format_utc_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'774'598'400'000), "2026-03-27T08:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'632'470'400'000), "2021-09-24T08:00:00.000Z");
  EXPECT_EQ(format_utc_ms(1'767'259'115'173), "2026-01-01T09:18:35.173Z");
  EXPECT_EQ(format_utc_ms(951'782'400'000), "2000-02-29T00:00:00.000Z");
  // Before the epoch: floor division, not truncation toward zero.
  EXPECT_EQ(format_utc_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_utc_ms(-kMsPerDay), "1969-12-31T00:00:00.000Z");
}

TEST(FormatUtcMs, RoundTripsThroughParse) {
  const std::int64_t samples[] = {0,
                                  1,
                                  -1,
                                  -1000,
                                  1'589'434'896'486,
                                  1'774'598'400'000,
                                  1'767'259'115'173,
                                  951'782'400'000 + kMsPerDay - 1,   // 2000-02-29T23:59:59.999
                                  4'102'444'800'000 - 1,             // 2099-12-31T23:59:59.999
                                  -2'208'988'800'000};               // 1900-01-01
  for (const std::int64_t ms : samples) {
    const std::string s = format_utc_ms(ms);
    const auto back = parse_utc_ms(s);
    ASSERT_TRUE(back.has_value()) << s;
    EXPECT_EQ(*back, ms) << s;
  }
  // Every day of a leap year and a common year, at a time with milliseconds.
  for (std::int64_t day = days_from_civil(2023, 1, 1); day < days_from_civil(2025, 1, 1); ++day) {
    const std::int64_t ms = day * kMsPerDay + 23 * kHour + 59 * kMinute + 58'765;
    const auto back = parse_utc_ms(format_utc_ms(ms));
    ASSERT_TRUE(back.has_value()) << format_utc_ms(ms);
    ASSERT_EQ(*back, ms) << format_utc_ms(ms);
  }
}

TEST(YearsBetween, Act365) {
  const std::int64_t t0 = 1'767'225'600'000;  // 2026-01-01
  EXPECT_DOUBLE_EQ(years_between(t0, t0 + 365 * kMsPerDay), 1.0);
  EXPECT_DOUBLE_EQ(years_between(t0, t0 + kMsPerDay), 1.0 / 365.0);
  EXPECT_DOUBLE_EQ(years_between(t0 + kMsPerDay, t0), -1.0 / 365.0);
  EXPECT_EQ(years_between(t0, t0), 0.0);
  // 2024 has 366 days: ACT/365 gives 366/365 for the calendar year.
  EXPECT_DOUBLE_EQ(years_between(ok("2024-01-01"), ok("2025-01-01")), 366.0 / 365.0);
  // 2026-01-01T09:18:35.173Z to 2026-01-03T08:00Z: 168084.827 s.
  EXPECT_DOUBLE_EQ(years_between(ok("2026-01-01T09:18:35.173Z"), ok("2026-01-03T08:00:00Z")),
                   168'084'827.0 / (365.0 * 86'400'000.0));
}

}  // namespace

namespace {
TEST(ParseUtcMs, RejectsOutOfRangeOffsetsAndEmptyFractions) {
  EXPECT_FALSE(greekbook::core::parse_utc_ms("2026-01-01T09:18:35+99:99").has_value());
  EXPECT_FALSE(greekbook::core::parse_utc_ms("2026-01-01T09:18:35+24:00").has_value());
  EXPECT_FALSE(greekbook::core::parse_utc_ms("2026-01-01T09:18:35.").has_value());
  EXPECT_FALSE(greekbook::core::parse_utc_ms("2026-01-01T09:18:35.Z").has_value());
  EXPECT_TRUE(greekbook::core::parse_utc_ms("2026-01-01T09:18:35+23:59").has_value());
}
}  // namespace
