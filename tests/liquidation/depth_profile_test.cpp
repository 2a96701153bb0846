// Depth profiles (piecewise-linear impact, integrated by hand), the constant-product AMM against its
// closed form, the JSON format with located errors, and the shipped calibrated profiles.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "greekbook/liquidation/depth_profile.hpp"

using namespace greekbook;
using liquidation::AmmPool;
using liquidation::DepthProfile;
using liquidation::Side;

namespace {
DepthProfile hand_profile() {
  // Bids: half-spread 5 bps, 100k within 10 bps, 300k within 30 bps. Asks: from the mid, 50k within 20 bps.
  auto p = DepthProfile::make({{5, 0}, {10, 100000}, {30, 300000}}, {{20, 50000}}, "hand");
  EXPECT_TRUE(p) << p.error().message;
  return *p;
}
}  // namespace

TEST(DepthProfile, ImpactIsTheAverageOfThePiecewiseLinearCurve) {
  const auto p = hand_profile();
  // 50k: d(q) = 5 + 5 q / 100k -> average 6.25 bps, marginal 7.5.
  auto i = p.impact(Side::Sell, 50000);
  EXPECT_NEAR(i.average, 6.25e-4, 1e-15);
  EXPECT_NEAR(i.marginal, 7.5e-4, 1e-15);
  EXPECT_FALSE(i.beyond_depth);
  // 200k: (100k x 7.5 + 100k x 10 + ½ 1e-4 x 100k²) / 200k = 11.25 bps, marginal 20.
  i = p.impact(Side::Sell, 200000);
  EXPECT_NEAR(i.average, 11.25e-4, 1e-15);
  EXPECT_NEAR(i.marginal, 20e-4, 1e-15);
  // 400k: 100k past the last level, extrapolated with the last slope: 8.25e6 / 4e5 = 20.625 bps.
  i = p.impact(Side::Sell, 400000);
  EXPECT_NEAR(i.average, 20.625e-4, 1e-15);
  EXPECT_NEAR(i.marginal, 40e-4, 1e-15);
  EXPECT_TRUE(i.beyond_depth);
  // Zero size: the touch.
  EXPECT_NEAR(p.impact(Side::Sell, 0).average, 5e-4, 1e-18);
  // Asks start at the mid (no level at 0 notional): 25k -> d = 10 bps at the end, 5 average.
  i = p.impact(Side::Buy, 25000);
  EXPECT_NEAR(i.average, 5e-4, 1e-15);
  EXPECT_NEAR(i.marginal, 10e-4, 1e-15);
  EXPECT_EQ(p.impact(Side::Buy, 0).average, 0.0);
}

TEST(DepthProfile, InvalidLevelsAreNamed) {
  auto r = DepthProfile::make({{5, 0}, {4, 100}}, {{1, 10}}, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("depth profile 'x': bid[1]: bps 4 is below"), std::string::npos) << r.error().message;
  r = DepthProfile::make({{5, 10}}, {{1, 10}, {2, 10}}, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("ask[1]: cumulative notional 10 must exceed"), std::string::npos);
  r = DepthProfile::make({}, {{1, 10}}, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bid side has no levels"), std::string::npos);
  r = DepthProfile::make({{1, 0}}, {{1, 10}}, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("holds no notional"), std::string::npos);
  r = DepthProfile::make({{std::nan(""), 10}}, {{1, 10}}, "x");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("bps nan"), std::string::npos);
}

TEST(Amm, ExecutionPriceEqualsConstantProductClosedForm) {
  const AmmPool pool{1000, 1e8, 0.003, "btc-usd"};  // mid 100,000 USD
  EXPECT_DOUBLE_EQ(pool.mid(), 100000);
  // Sell 10 BTC: out = y·Δx(1 − fee) / (x + Δx(1 − fee)).
  auto s = liquidation::amm_sell(pool, 10);
  ASSERT_TRUE(s);
  const double out = 1e8 * 10 * 0.997 / (1000 + 10 * 0.997);
  EXPECT_NEAR(s->quote, out, 1e-6);
  EXPECT_NEAR(s->price, out / 10, 1e-9);
  EXPECT_NEAR(s->price, 98715.8034, 1e-4);  // by hand: 997e6 / 1009.97 / 10
  EXPECT_DOUBLE_EQ(s->after.base_reserve, 1010);
  EXPECT_NEAR(s->after.quote_reserve, 1e8 - out, 1e-6);
  EXPECT_GE(s->after.base_reserve * s->after.quote_reserve, 1000 * 1e8);  // fees grow k
  // Buy 10 BTC: in = y·Δx / ((x − Δx)(1 − fee)).
  auto b = liquidation::amm_buy(pool, 10);
  ASSERT_TRUE(b);
  const double in = 1e8 * 10 / (990 * 0.997);
  EXPECT_NEAR(b->quote, in, 1e-6);
  EXPECT_NEAR(b->price, 101314.0431, 1e-4);  // 1e9 / 987.03 / 10
  // Tiny orders trade at the mid less/plus the fee.
  EXPECT_NEAR(liquidation::amm_sell(pool, 1e-9)->price, 100000 * 0.997, 1e-3);
  // The pool cannot deliver its whole base reserve.
  auto e = liquidation::amm_buy(pool, 1000);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("cannot buy 1000 coin, the pool holds 1000"), std::string::npos);
  EXPECT_FALSE(liquidation::amm_sell(pool, -1));
  EXPECT_FALSE(liquidation::amm_sell(AmmPool{0, 1e8, 0.003, "empty"}, 1));
}

TEST(Amm, ExecuteMovesTheReserves) {
  liquidation::LiquiditySource src = AmmPool{1000, 1e8, 0.003, "p"};
  auto i = liquidation::execute(src, Side::Sell, 1e6);  // 10 BTC at the mid
  ASSERT_TRUE(i);
  EXPECT_NEAR(i->average, 1 - 98715.80344 / 100000, 1e-9);
  EXPECT_NEAR(i->marginal, 1 - (1e8 - 1e8 * 9.97 / 1009.97) / 1010 / 100000, 1e-12);
  EXPECT_DOUBLE_EQ(std::get<AmmPool>(src).base_reserve, 1010);
}

TEST(DepthProfileJson, ParsesAndNamesErrors) {
  const io::JsonPath at{"book.json", "liquidity.BTC"};
  auto j = io::Json::parse(R"({"kind": "depth", "venue": "test", "market": "BTC", "source": "hand",
                               "bid": [[5, 0], [10, 100000], [30, 300000]], "ask": [[20, 50000]]})");
  auto src = liquidation::parse_liquidity_source(j, at);
  ASSERT_TRUE(src) << src.error().message;
  const auto& p = std::get<DepthProfile>(*src);
  EXPECT_EQ(p.name(), "test-BTC");
  EXPECT_NEAR(p.impact(Side::Sell, 200000).average, 11.25e-4, 1e-15);

  auto amm = io::Json::parse(R"({"kind": "amm", "base_reserve": 1000, "quote_reserve": 1e8, "fee": 0.003})");
  src = liquidation::parse_liquidity_source(amm, at);
  ASSERT_TRUE(src) << src.error().message;
  EXPECT_DOUBLE_EQ(std::get<AmmPool>(*src).mid(), 100000);

  const auto expect_error = [&](const char* text, const char* needle) {
    auto r = liquidation::parse_liquidity_source(io::Json::parse(text), at);
    ASSERT_FALSE(r) << text;
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
  };
  expect_error(R"({"kind": "depth", "bid": [[5, 0], [4, 10]], "ask": [[1, 1]]})", "bid[1]: bps 4");
  expect_error(R"({"kind": "depth", "bid": [[5, "x"]], "ask": [[1, 1]]})", "liquidity.BTC.bid[0]");
  expect_error(R"({"kind": "depth", "ask": [[1, 1]]})", "missing field 'bid'");
  expect_error(R"({"kind": "depth", "bid": [[1, 1]], "ask": [[1, 1]], "asks": 3})", "liquidity.BTC.asks");
  expect_error(R"({"kind": "amm", "base_reserve": -1, "quote_reserve": 1})", "liquidity.BTC.base_reserve");
  expect_error(R"({"kind": "amm", "quote_reserve": 1})", "missing field 'base_reserve'");
  expect_error(R"({"kind": "book"})", "'book' is not one of depth, amm");
}

TEST(DepthProfileJson, ShippedCalibratedProfilesLoad) {
  // examples/depth/*.json, fitted by scripts/calibrate_depth.py from real L2 captures.
  const std::filesystem::path dir = std::filesystem::path(GREEKBOOK_SOURCE_DIR) / "examples" / "depth";
  ASSERT_TRUE(std::filesystem::exists(dir));
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".json") continue;
    ++n;
    EXPECT_LT(std::filesystem::file_size(e.path()), 20000u) << e.path();
    auto src = liquidation::load_liquidity_source(e.path().string());
    ASSERT_TRUE(src) << src.error().message;
    const auto& p = std::get<DepthProfile>(*src);
    for (const Side side : {Side::Sell, Side::Buy}) {
      // Impact grows with size and 10k USD trades within 1% on these liquid books.
      const auto small = p.impact(side, 1e4), large = p.impact(side, 1e6);
      EXPECT_LE(small.average, large.average) << e.path();
      EXPECT_LT(small.average, 0.01) << e.path();
      EXPECT_GT(large.average, 0.0) << e.path();
    }
  }
  EXPECT_GE(n, 3);
}
