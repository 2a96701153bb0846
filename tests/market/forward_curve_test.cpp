// Unit tests of greekbook::market::ForwardCurve: knots, log-linear interpolation, the spot anchor,
// extrapolation with the last segment's carry, duplicate expiries and the empty curve.
#include "greekbook/market/forward_curve.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <vector>

namespace {
using greekbook::market::ForwardCurve;
using greekbook::market::ForwardPoint;

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kT0 = 1'768'464'000'000;  // 2026-01-15T08:00:00Z

double fwd(const ForwardCurve& c, std::int64_t expiry) {
  const auto f = c.forward(expiry);
  EXPECT_TRUE(f.has_value());
  return f.value_or(NAN);
}

TEST(ForwardCurve, EmptyCurveHasNoForward) {
  const ForwardCurve none;
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(none.forward(kT0).has_value());
  const ForwardCurve no_points(kT0, std::nullopt, {});
  EXPECT_TRUE(no_points.empty());
  EXPECT_FALSE(no_points.forward(kT0 + 30 * kDay).has_value());
  // Points that are not positive finite numbers are dropped, leaving an empty curve.
  const ForwardCurve junk(kT0, std::nullopt, {{kT0 + kDay, 0.0, "zero"}, {kT0 + 2 * kDay, -5.0, "neg"},
                                              {kT0 + 3 * kDay, NAN, "nan"}, {kT0 + 4 * kDay, INFINITY, "inf"}});
  EXPECT_TRUE(junk.empty());
  EXPECT_TRUE(junk.points().empty());
  EXPECT_FALSE(junk.forward(kT0 + kDay).has_value());
}

TEST(ForwardCurve, SpotOnlyIsFlat) {
  const ForwardCurve c(kT0, 96'500.0, {});
  EXPECT_FALSE(c.empty());
  EXPECT_EQ(c.spot(), 96'500.0);
  EXPECT_EQ(fwd(c, kT0), 96'500.0);
  EXPECT_EQ(fwd(c, kT0 + 365 * kDay), 96'500.0);
}

TEST(ForwardCurve, ExactKnotsReturnTheirValues) {
  const ForwardCurve c(kT0, 96'500.0,
                       {{kT0 + 15 * kDay, 96'780.0, "BTC-30JAN26 mark"},
                        {kT0 + 43 * kDay, 97'250.0, "BTC-27FEB26 mark"},
                        {kT0 + 71 * kDay, 97'720.0, "BTC-27MAR26 mark"}});
  EXPECT_EQ(fwd(c, kT0 + 15 * kDay), 96'780.0);
  EXPECT_EQ(fwd(c, kT0 + 43 * kDay), 97'250.0);
  EXPECT_EQ(fwd(c, kT0 + 71 * kDay), 97'720.0);
  EXPECT_NEAR(fwd(c, kT0), 96'500.0, 1e-9);  // the spot anchor
}

TEST(ForwardCurve, PointsAreSortedByExpiry) {
  const ForwardCurve c(kT0, std::nullopt,
                       {{kT0 + 71 * kDay, 300.0, "c"}, {kT0 + 15 * kDay, 100.0, "a"}, {kT0 + 43 * kDay, 200.0, "b"}});
  ASSERT_EQ(c.points().size(), 3u);
  EXPECT_EQ(c.points()[0].source, "a");
  EXPECT_EQ(c.points()[1].source, "b");
  EXPECT_EQ(c.points()[2].source, "c");
}

TEST(ForwardCurve, LogLinearBetweenTwoKnots) {
  const std::int64_t e1 = kT0 + 10 * kDay, e2 = kT0 + 30 * kDay;
  const double f1 = 100.0, f2 = 121.0;
  const ForwardCurve c(kT0, 99.0, {{e1, f1, "a"}, {e2, f2, "b"}});
  // Midpoint in time: exp((ln f1 + ln f2) / 2) = sqrt(f1 f2) = 110 (not the linear 110.5).
  EXPECT_NEAR(fwd(c, kT0 + 20 * kDay), 110.0, 1e-10);
  // A quarter of the way: f1 (f2/f1)^(1/4).
  EXPECT_NEAR(fwd(c, kT0 + 15 * kDay), f1 * std::pow(f2 / f1, 0.25), 1e-10);
  // Monotone between increasing knots.
  double prev = f1;
  for (std::int64_t e = e1 + kDay; e < e2; e += kDay) {
    const double f = fwd(c, e);
    EXPECT_GT(f, prev);
    prev = f;
  }
  EXPECT_LT(prev, f2);
}

TEST(ForwardCurve, SpotAnchorsTheCurveBeforeTheFirstKnot) {
  const std::int64_t e1 = kT0 + 20 * kDay;
  const ForwardCurve c(kT0, 100.0, {{e1, 104.04, "a"}, {kT0 + 60 * kDay, 110.0, "b"}});
  // Half-way from the valuation time to the first knot: sqrt(100 * 104.04) = 102.
  EXPECT_NEAR(fwd(c, kT0 + 10 * kDay), 102.0, 1e-10);
  EXPECT_NEAR(fwd(c, kT0), 100.0, 1e-10);
  // Without a spot the curve is flat before its first knot.
  const ForwardCurve no_spot(kT0, std::nullopt, {{e1, 104.04, "a"}, {kT0 + 60 * kDay, 110.0, "b"}});
  EXPECT_EQ(fwd(no_spot, kT0 + 10 * kDay), 104.04);
  EXPECT_EQ(fwd(no_spot, kT0), 104.04);
}

TEST(ForwardCurve, ExtrapolatesPastTheLastKnotWithTheLastSegmentsCarry) {
  const std::int64_t e1 = kT0 + 10 * kDay, e2 = kT0 + 40 * kDay, e3 = kT0 + 70 * kDay;
  const ForwardCurve c(kT0, 50.0, {{e1, 90.0, "a"}, {e2, 100.0, "b"}, {e3, 110.0, "c"}});
  // Carry of the last segment: ln(110/100) per 30 days. 30 days past e3: 110^2/100 = 121.
  EXPECT_NEAR(fwd(c, e3 + 30 * kDay), 121.0, 1e-9);
  // 15 days past: 110 * sqrt(1.1).
  EXPECT_NEAR(fwd(c, e3 + 15 * kDay), 110.0 * std::sqrt(1.1), 1e-9);
  // The spot and the earlier segment do not affect it.
  const ForwardCurve other(kT0, 80.0, {{e1, 60.0, "a"}, {e2, 100.0, "b"}, {e3, 110.0, "c"}});
  EXPECT_NEAR(fwd(other, e3 + 30 * kDay), 121.0, 1e-9);
}

TEST(ForwardCurve, SingleKnotExtrapolatesWithTheSpotCarryOrFlat) {
  const std::int64_t e1 = kT0 + 30 * kDay;
  const ForwardCurve c(kT0, 100.0, {{e1, 110.0, "a"}});
  EXPECT_NEAR(fwd(c, kT0 + 60 * kDay), 121.0, 1e-9);   // spot -> knot carry continued
  EXPECT_NEAR(fwd(c, kT0 + 15 * kDay), 100.0 * std::sqrt(1.1), 1e-9);
  const ForwardCurve flat(kT0, std::nullopt, {{e1, 110.0, "a"}});
  EXPECT_EQ(fwd(flat, kT0 + 60 * kDay), 110.0);
  EXPECT_EQ(fwd(flat, kT0 + 15 * kDay), 110.0);
}

TEST(ForwardCurve, DuplicateExpiriesFirstGivenWins) {
  const std::int64_t e1 = kT0 + 30 * kDay, e2 = kT0 + 60 * kDay;
  // The futures mark is listed before the synthetic forward of the same expiry; the list is
  // deliberately out of order so that the sort must keep the given order of equal expiries.
  const ForwardCurve c(kT0, 100.0,
                       {{e2, 120.0, "future e2"}, {e1, 105.0, "future e1"}, {e1, 999.0, "synthetic e1"},
                        {e2, 1.0, "synthetic e2"}});
  ASSERT_EQ(c.points().size(), 2u);
  EXPECT_EQ(c.points()[0].source, "future e1");
  EXPECT_EQ(c.points()[1].source, "future e2");
  EXPECT_EQ(fwd(c, e1), 105.0);
  EXPECT_EQ(fwd(c, e2), 120.0);
  EXPECT_NEAR(fwd(c, kT0 + 45 * kDay), std::sqrt(105.0 * 120.0), 1e-9);
  // Many expiries (enough for a non-stable sort to reorder equal keys): futures first, then
  // synthetic forwards, each group in descending expiry.
  std::vector<ForwardPoint> many;
  for (int i = 40; i >= 1; --i) many.push_back({kT0 + i * kDay, 100.0 + i, "future"});
  for (int i = 40; i >= 1; --i) many.push_back({kT0 + i * kDay, 500.0 + i, "synthetic"});
  const ForwardCurve big(kT0, 100.0, std::move(many));
  ASSERT_EQ(big.points().size(), 40u);
  for (int i = 1; i <= 40; ++i) {
    EXPECT_EQ(big.points()[i - 1].source, "future") << i;
    EXPECT_EQ(fwd(big, kT0 + i * kDay), 100.0 + i) << i;
  }
  // A non-positive first point does not shadow a valid later one.
  const ForwardCurve skip_bad(kT0, std::nullopt, {{e1, 0.0, "bad"}, {e1, 105.0, "good"}});
  ASSERT_EQ(skip_bad.points().size(), 1u);
  EXPECT_EQ(skip_bad.points()[0].source, "good");
}

}  // namespace
