// dYdX v4: the open-interest IMF by hand, the isolated liquidation closed form
// p' = (e - s p) / (|s| MMF - s) for a long and a short, notes and errors, shipped parameters.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "greekbook/margin/dydx.hpp"

using namespace greekbook;
using scenario::AccountState;
using scenario::PositionState;

namespace {
PositionState position(const std::string& ticker, double qty, double entry, double price) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(ticker, "dydx");
  p.quantity = qty;
  p.entry = entry;
  p.spot = price;
  p.forward = price;
  p.mark = price;
  p.delta = 1.0;
  return p;
}

AccountState account(const std::string& mode) {
  AccountState a;
  a.id = "dydx-sub-0";
  a.venue = "dydx";
  a.margin_mode = mode;
  return a;
}

margin::ModelPtr model(const io::Json* params = nullptr) {
  auto m = margin::make_dydx(params, {"test", ""});
  EXPECT_TRUE(m) << (m ? "" : m.error().message);
  return std::move(*m);
}
}  // namespace

TEST(Dydx, OpenInterestImfByHand) {
  // Base 5%, caps 500k / 1M USDC (the "Isolated" tier), open notional 750k:
  // scaling 0.5, IMF = 0.05 + 0.5 x 0.95 = 0.525.
  margin::LiquidityTier t{4, "Isolated", 50000, 600000, 500e3, 1e6};
  EXPECT_NEAR(margin::dydx_initial_margin_fraction(t, 750e3), 0.525, 1e-15);
  EXPECT_DOUBLE_EQ(margin::dydx_initial_margin_fraction(t, 100e3), 0.05);  // below the lower cap: base
  EXPECT_DOUBLE_EQ(margin::dydx_initial_margin_fraction(t, 2e6), 1.0);     // above the upper cap: 100%
  EXPECT_NEAR(margin::dydx_maintenance_margin_fraction(t), 0.03, 1e-15);   // does not scale
  t.open_interest_upper_cap = 0;  // 0 disables the scaling
  EXPECT_DOUBLE_EQ(margin::dydx_initial_margin_fraction(t, 750e3), 0.05);

  // Through the model: 7,500 SOL of market open interest at 100 = 750k notional.
  const io::Json params = io::Json::parse(R"({"markets": {"SOL-USD": {"liquidity_tier": 4, "open_interest": 7500}}})");
  AccountState a = account("cross");
  a.collateral["USDC"] = 2000.0;
  a.positions.push_back(position("SOL-USD", -10.0, 100.0, 100.0));
  const auto r = model(&params)->compute(a);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->initial_margin, 1000.0 * 0.525, 1e-9);
  EXPECT_NEAR(r->maintenance_margin, 1000.0 * 0.03, 1e-9);
  EXPECT_NEAR(r->equity, 2000.0, 1e-9);
  EXPECT_TRUE(r->notes.empty());
  EXPECT_NEAR(r->details["positions"]["SOL-USD"]["imf"].get<double>(), 0.525, 1e-15);
}

TEST(Dydx, IsolatedLiquidationClosedForm) {
  // Large-Cap: IMF 5%, MMF 5% x 0.6 = 3%. p' = (e - s p) / (|s| MMF - s), e = equity at price p.
  const double mmf = 0.03;
  struct Case {
    double s, entry, p, margin;
  };
  for (const Case c : {Case{1.0, 95000.0, 100000.0, 10000.0}, Case{-1.0, 100000.0, 100000.0, 10000.0},
                       Case{-2.5, 104000.0, 100000.0, 30000.0}}) {
    AccountState a = account("isolated");
    a.positions.push_back(position("BTC-USD", c.s, c.entry, c.p));
    a.positions[0].isolated_margin = c.margin;
    const auto m = model();
    const auto now = m->compute(a);
    ASSERT_TRUE(now) << now.error().message;
    const double e = c.margin + c.s * (c.p - c.entry);
    EXPECT_NEAR(now->pools.back().equity, e, 1e-9);
    EXPECT_NEAR(now->maintenance_margin, std::abs(c.s) * c.p * mmf, 1e-9);
    const double liq = (e - c.s * c.p) / (std::abs(c.s) * mmf - c.s);
    const auto at = *m->compute(scenario::shifted(a, "BTC", liq / c.p));
    EXPECT_NEAR(at.pools.back().excess() / at.pools.back().maintenance_margin, 0.0, 1e-9) << c.s;
    // A step further against the position is below maintenance.
    const double worse = liq * (c.s > 0 ? 0.999 : 1.001);
    EXPECT_LT(m->compute(scenario::shifted(a, "BTC", worse / c.p))->min_excess_usd(), 0.0) << c.s;
  }
  // Hand check of the long: e = 15,000, p' = (15,000 - 100,000) / (0.03 - 1) = 87,628.87.
  EXPECT_NEAR((15000.0 - 100000.0) / (0.03 - 1.0), 87628.8659793814, 1e-6);
}

TEST(Dydx, MissingOpenInterestIsNotedAndMissingMarketIsAnError) {
  const io::Json params = io::Json::parse(R"({"markets": {"SOL-USD": {"liquidity_tier": 5}}})");
  AccountState a = account("cross");
  a.collateral["USDC"] = 1000.0;
  a.positions.push_back(position("SOL-USD", 1.0, 100.0, 100.0));
  a.positions.push_back(position("BTC-USD", 0.01, 100000.0, 100000.0));  // Large-Cap: no caps, no note
  const auto r = model(&params)->compute(a);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->notes.size(), 1u);
  EXPECT_NE(r->notes[0].find("markets.SOL-USD.open_interest"), std::string::npos) << r->notes[0];
  EXPECT_NEAR(r->initial_margin, 100.0 * 0.05 + 1000.0 * 0.05, 1e-9);

  a.positions.push_back(position("DOGE-USD", 100.0, 0.1, 0.1));
  const auto e = model(&params)->compute(a);
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("dydx-sub-0"), std::string::npos);
  EXPECT_NE(e.error().message.find("markets.DOGE-USD"), std::string::npos) << e.error().message;
}

TEST(Dydx, ParamErrorsNameThePath) {
  const auto err = [](const char* text) {
    const io::Json j = io::Json::parse(text);
    auto p = margin::read_dydx_params(&j, {"p.json", "dydx"});
    EXPECT_FALSE(p) << text;
    return p ? std::string() : p.error().message;
  };
  auto m = err(R"({"liquidity_tiers": [{"id": 4, "open_interest_lower_cap": 2000000}]})");
  EXPECT_NE(m.find("p.json: dydx.liquidity_tiers[0].open_interest_upper_cap"), std::string::npos) << m;
  m = err(R"({"liquidity_tiers": [{"id": 0, "initial_margin_ppm": 2000000}]})");
  EXPECT_NE(m.find("liquidity_tiers[0].initial_margin_ppm"), std::string::npos) << m;
  m = err(R"({"markets": {"BTC-USD": {"liquidity_tier": 9}}})");
  EXPECT_NE(m.find("markets.BTC-USD.liquidity_tier"), std::string::npos) << m;
  m = err(R"({"markets": {"BTC-USD": {"open_interest": -1}}})");
  EXPECT_NE(m.find("markets.BTC-USD.open_interest"), std::string::npos) << m;
  m = err(R"({"liquidity_tiers": [{"id": 9, "initial_margin_ppm": 20000}]})");
  EXPECT_NE(m.find("maintenance_fraction_ppm"), std::string::npos) << m;
}

TEST(Dydx, ShippedParameterFileEqualsDefaults) {
  const std::string path = GREEKBOOK_SOURCE_DIR "/params/margin/dydx.json";
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  const auto j = io::parse_json(ss.str(), path);
  ASSERT_TRUE(j) << j.error().message;
  const auto p = margin::read_dydx_params(&*j, {path, ""});
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, margin::dydx_defaults());
  EXPECT_EQ(p->liquidity_tiers.size(), 7u);
}
