// Liquidation prices by full revaluation against closed forms (Hyperliquid worked example, dYdX
// isolated formula, inverse perp), an options account crossing on both sides, equity = MM at the
// result, accounts already under maintenance and accounts that never liquidate.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/pricing/black76.hpp"
#include "liquidation/test_models.hpp"

using namespace greekbook;
using liquidation::LiquidationPriceOptions;
using liquidation::LiquidationStatus;
using liquidation::MoveMode;
using liqtest::SimpleModel;

namespace {

LiquidationPriceOptions opts(const std::string& u) {
  LiquidationPriceOptions o;
  o.underlying = u;
  return o;
}

// The worst pool's equity equals its maintenance margin to 1e-8 relative at a crossing.
void expect_at_maintenance(const liquidation::Crossing& c) {
  EXPECT_FALSE(c.jump);
  EXPECT_LE(std::abs(c.equity - c.maintenance_margin), 1e-8 * std::max(std::abs(c.equity), c.maintenance_margin))
      << "equity " << c.equity << " MM " << c.maintenance_margin;
}

// Hyperliquid, venues-and-peers 3.2 / 8.9: 1 BTC long at 100,000, isolated margin 10,000, max
// leverage 40 -> MM rate 1/(2 x 40) = 0.0125 of notional.
scenario::AccountState hyperliquid_long(double price) {
  auto a = liqtest::account("hl");
  a.venue = "hyperliquid";
  auto p = liqtest::perp("BTC", 1.0, 100000, price, "hyperliquid");
  p.isolated_margin = 10000;
  a.positions.push_back(p);
  a.usd_rates["BTC"] = price;
  return a;
}

}  // namespace

TEST(LiquidationPrice, HyperliquidWorkedExample) {
  const SimpleModel model(1.0 / (2 * 40));
  auto lp = liquidation::liquidation_price(hyperliquid_long(100000), model, opts("BTC"));
  ASSERT_TRUE(lp) << lp.error().message;
  EXPECT_EQ(lp->status, LiquidationStatus::AboveMaintenance);
  ASSERT_TRUE(lp->below);
  EXPECT_NEAR(lp->below->price_usd, 91139.24, 0.01);
  EXPECT_NEAR(lp->below->price_usd, 90000 / 0.9875, 1e-6);  // liq = 100,000 − 8,750 / 0.9875
  EXPECT_EQ(lp->below->pool, "isolated BTC");
  EXPECT_NEAR(lp->below->equity, 1139.24, 0.01);  // equity 1,139.24 = MM
  expect_at_maintenance(*lp->below);
  EXPECT_NEAR(lp->below->distance_pct, -8.860759, 1e-6);
  EXPECT_FALSE(lp->above);  // a long never liquidates upward
  EXPECT_EQ(lp->above_note, "none within [100000, 1e+07] USD");
  // No vol known: no distance in standard deviations, said so, never 0.
  EXPECT_FALSE(lp->below->distance_sd);
  ASSERT_FALSE(lp->notes.empty());
  EXPECT_NE(lp->notes.front().find("no ATM vol for BTC"), std::string::npos);
}

TEST(LiquidationPrice, DydxIsolatedClosedFormLongAndShort) {
  // p' = (e − s p) / (|s| MMF − s), e = equity at the current price p, s = signed size.
  const double mmf = 0.03, p = 2000;
  for (const double s : {5.0, -5.0}) {
    auto a = liqtest::account("dydx");
    a.venue = "dydx";
    a.positions.push_back(liqtest::perp("ETH-USD", s, 1900, p, "dydx"));
    a.collateral["USDC"] = 2500;
    a.usd_rates["ETH"] = p;
    const double e = 2500 + s * (p - 1900);
    const double expected = (e - s * p) / (std::abs(s) * mmf - s);
    auto lp = liquidation::liquidation_price(a, SimpleModel(mmf), opts("ETH"));
    ASSERT_TRUE(lp) << lp.error().message;
    const auto& c = s > 0 ? lp->below : lp->above;
    ASSERT_TRUE(c) << "s = " << s;
    EXPECT_NEAR(c->price_usd, expected, 1e-8 * expected) << "s = " << s;
    expect_at_maintenance(*c);
    EXPECT_FALSE(s > 0 ? lp->above : lp->below) << "s = " << s;
  }
  // Hand values: long 5 at 2000, e = 3000 -> (3000 − 10000) / (0.15 − 5) = 1443.30; short -> 2524.27.
  EXPECT_NEAR((3000 - 10000) / (0.15 - 5), 1443.2990, 1e-4);
}

TEST(LiquidationPrice, InversePerpBtcCollateral) {
  // Deribit-style: quantity = USD notional, PnL and collateral in BTC, MM = m |q| / P (BTC).
  // Crossing: C + q/E − q/P = m|q|/P  ->  P = (q + m|q|) / (C + q/E).
  const double m = 0.005, C = 1.0, E = 100000;
  {
    auto a = liqtest::account("inv-long");
    a.positions.push_back(liqtest::perp("BTC-PERPETUAL", 200000, E, 100000));
    a.collateral["BTC"] = C;
    a.usd_rates["BTC"] = 100000;
    auto lp = liquidation::liquidation_price(a, SimpleModel(m), opts("BTC"));
    ASSERT_TRUE(lp) << lp.error().message;
    ASSERT_TRUE(lp->below);
    EXPECT_NEAR(lp->below->price_usd, 67000.0, 1e-6);  // 201,000 / 3
    EXPECT_EQ(lp->below->currency, "BTC");
    expect_at_maintenance(*lp->below);
    EXPECT_FALSE(lp->above);
  }
  {
    auto a = liqtest::account("inv-short");
    a.positions.push_back(liqtest::perp("BTC-PERPETUAL", -300000, E, 100000));
    a.collateral["BTC"] = C;
    a.usd_rates["BTC"] = 100000;
    auto lp = liquidation::liquidation_price(a, SimpleModel(m), opts("BTC"));
    ASSERT_TRUE(lp) << lp.error().message;
    ASSERT_TRUE(lp->above);
    EXPECT_NEAR(lp->above->price_usd, 149250.0, 1e-6);  // −298,500 / −2
    expect_at_maintenance(*lp->above);
    EXPECT_FALSE(lp->below);
  }
}

TEST(LiquidationPrice, ShortStrangleCrossesOnBothSides) {
  // Short 10 x 80,000 put and 10 x 120,000 call (inverse, 30 days, vol 60%), 2.5 BTC collateral.
  auto a = liqtest::account("strangle");
  const double S = 100000, T = 30 / 365.0;
  a.positions.push_back(liqtest::option("BTC-27MAR26-120000-C", -10, S, 0.6, T));
  a.positions.push_back(liqtest::option("BTC-27MAR26-80000-P", -10, S, 0.6, T));
  a.collateral["BTC"] = 2.5;
  a.usd_rates["BTC"] = S;
  a.atm_vol["BTC"] = 0.6;
  const SimpleModel model(0.01);
  auto lp = liquidation::liquidation_price(a, model, opts("BTC"));
  ASSERT_TRUE(lp) << lp.error().message;
  EXPECT_EQ(lp->status, LiquidationStatus::AboveMaintenance);
  ASSERT_TRUE(lp->below);
  ASSERT_TRUE(lp->above);
  EXPECT_LT(lp->below->price_usd, S);
  EXPECT_GT(lp->above->price_usd, S);
  for (const auto* c : {&*lp->below, &*lp->above}) {
    expect_at_maintenance(*c);
    // By hand with Black-76: equity − MM = 2.5 − 10 x 0.15 − 20 (call + put) in BTC = 0 at the crossing.
    const double F = c->price_usd;
    const double call = pricing::black76_price({pricing::OptionType::Call, F, 120000, T, 0.6, 0}) / F;
    const double put = pricing::black76_price({pricing::OptionType::Put, F, 80000, T, 0.6, 0}) / F;
    EXPECT_NEAR(2.5 - 1.5 - 20 * (call + put), 0.0, 1e-12) << "F " << F;
    // Independent check by full repricing: the excess changes sign across the reported price.
    for (const double eps : {-1e-6, 1e-6}) {
      auto r = model.compute(scenario::shifted(a, "BTC", c->factor * (1 + eps)));
      ASSERT_TRUE(r);
      const bool outside = (c == &*lp->below) ? eps < 0 : eps > 0;
      EXPECT_EQ(r->min_excess_usd() < 0, outside) << "factor " << c->factor << " eps " << eps;
    }
    // Distance in standard deviations over 1 day at the ATM vol.
    ASSERT_TRUE(c->distance_sd);
    EXPECT_NEAR(*c->distance_sd, std::log(c->factor) / (0.6 * std::sqrt(1 / 365.0)), 1e-12);
  }
  EXPECT_LT(*lp->below->distance_sd, 0);
  EXPECT_GT(*lp->above->distance_sd, 0);
  // A given vol and horizon override the account's.
  auto o = opts("BTC");
  o.vol = 0.8;
  o.horizon_years = 7 / 365.0;
  auto lp2 = liquidation::liquidation_price(a, model, o);
  ASSERT_TRUE(lp2);
  EXPECT_NEAR(*lp2->above->distance_sd, std::log(lp2->above->factor) / (0.8 * std::sqrt(7 / 365.0)), 1e-12);
}

TEST(LiquidationPrice, AlreadyBelowMaintenance) {
  const SimpleModel model(0.0125);
  auto lp = liquidation::liquidation_price(hyperliquid_long(90000), model, opts("BTC"));
  ASSERT_TRUE(lp) << lp.error().message;
  EXPECT_EQ(lp->status, LiquidationStatus::BelowMaintenance);
  EXPECT_NEAR(lp->excess_usd, 0.0 - 1125.0, 1e-9);  // equity 0, MM 1,125
  // The crossing above is where the account is safe again: the same 91,139.24.
  ASSERT_TRUE(lp->above);
  EXPECT_NEAR(lp->above->price_usd, 91139.24, 0.01);
  EXPECT_FALSE(lp->below);
  bool said = false;
  for (const auto& n : lp->notes) said = said || n.find("below maintenance at the current price") != std::string::npos;
  EXPECT_TRUE(said);
}

TEST(LiquidationPrice, FullyCollateralisedSpotNeverLiquidates) {
  auto a = liqtest::account("spot");
  a.venue = "binance";
  auto p = liqtest::perp("BTC/USDT", 2.0, 50000, 100000, "spot");
  a.positions.push_back(p);
  a.usd_rates["BTC"] = 100000;
  auto lp = liquidation::liquidation_price(a, SimpleModel(0.01), opts("BTC"));
  ASSERT_TRUE(lp) << lp.error().message;
  EXPECT_EQ(lp->status, LiquidationStatus::AboveMaintenance);
  EXPECT_FALSE(lp->below);
  EXPECT_FALSE(lp->above);
  EXPECT_EQ(lp->below_note, "none within [10, 100000] USD");
  EXPECT_EQ(lp->above_note, "none within [100000, 1e+07] USD");
}

TEST(LiquidationPrice, BetaModeMovesOtherUnderlyingsByPower) {
  // Long BTC and long ETH linear perps; ETH moves with beta 1.5.
  auto a = liqtest::account("beta");
  a.positions.push_back(liqtest::perp("BTC_USDC-PERPETUAL", 1, 100000, 100000));
  a.positions.push_back(liqtest::perp("ETH_USDC-PERPETUAL", 20, 4000, 4000));
  a.collateral["USDC"] = 30000;
  a.usd_rates["BTC"] = 100000;
  a.usd_rates["ETH"] = 4000;
  const SimpleModel model(0.01);
  auto o = opts("BTC");
  o.mode = MoveMode::Beta;
  o.betas["ETH"] = 1.5;
  auto lp = liquidation::liquidation_price(a, model, o);
  ASSERT_TRUE(lp) << lp.error().message;
  ASSERT_EQ(lp->betas.size(), 2u);
  EXPECT_EQ(lp->betas.at("BTC"), 1.0);
  EXPECT_EQ(lp->betas.at("ETH"), 1.5);
  ASSERT_TRUE(lp->below);
  const double f = lp->below->factor;
  // Equity − MM at (f, f^1.5) by hand.
  const double pb = 100000 * f, pe = 4000 * std::pow(f, 1.5);
  const double excess = 30000 + (pb - 100000) + 20 * (pe - 4000) - 0.01 * (pb + 20 * pe);
  EXPECT_NEAR(excess, 0.0, 1e-6);
  // Single mode: ETH stays, so the BTC crossing is further away.
  auto single = liquidation::liquidation_price(a, model, opts("BTC"));
  ASSERT_TRUE(single && single->below);
  EXPECT_LT(single->below->price_usd, lp->below->price_usd);
  EXPECT_NEAR(single->below->price_usd, (30000 - 100000 - 0.01 * 80000) / (0.01 - 1), 1e-6);
  // Every underlying held, Single mode each.
  auto all = liquidation::liquidation_prices(a, model, 1 / 365.0);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].underlying, "BTC");
  EXPECT_EQ((*all)[1].underlying, "ETH");
}

TEST(LiquidationPrice, JumpAtATierBoundaryIsFlagged) {
  // MM rate steps from 1% to 5% below 95,000: the excess jumps from positive to negative there.
  class Tiered final : public margin::MarginModel {
   public:
    std::string name() const override { return "test-tiered"; }
    Result<margin::MarginResult> compute(const scenario::AccountState& a) const override {
      const double rate = a.positions[0].mark < 95000 ? 0.05 : 0.01;
      return SimpleModel(rate).compute(a);
    }
  };
  auto a = liqtest::account("tier");
  a.positions.push_back(liqtest::perp("BTC_USDC-PERPETUAL", 1, 100000, 100000));
  a.collateral["USDC"] = 8000;  // excess +2,050 just above 95,000 (1%), −1,750 just below (5%)
  a.usd_rates["BTC"] = 100000;
  auto lp = liquidation::liquidation_price(a, Tiered(), opts("BTC"));
  ASSERT_TRUE(lp) << lp.error().message;
  ASSERT_TRUE(lp->below);
  EXPECT_NEAR(lp->below->price_usd, 95000, 1e-6);
  EXPECT_TRUE(lp->below->jump);
}

TEST(LiquidationPrice, ErrorsNameAccountAndParameter) {
  const SimpleModel model(0.01);
  auto a = hyperliquid_long(100000);
  auto o = opts("BTC");
  o.floor_factor = 1.5;
  auto r = liquidation::liquidation_price(a, model, o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("account 'hl'"), std::string::npos);
  EXPECT_NE(r.error().message.find("floor_factor = 1.5"), std::string::npos);

  r = liquidation::liquidation_price(a, model, opts("ETH"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no price for underlying 'ETH'"), std::string::npos);

  auto b = opts("BTC");
  b.mode = MoveMode::Beta;
  b.betas["BTC"] = 2.0;
  r = liquidation::liquidation_price(a, model, b);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("betas.BTC = 2"), std::string::npos);

  // A model error at a trial price comes back with the price and the model's message.
  r = liquidation::liquidation_price(a, liqtest::FailingModel(95000), opts("BTC"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("model test-failing failed at BTC"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("cannot margin below the test price"), std::string::npos);
}

TEST(LiquidationPrice, DistanceSdIsEmptyWithoutVol) {
  EXPECT_FALSE(liquidation::distance_sd(90000, 100000, std::nullopt, 1 / 365.0));
  EXPECT_FALSE(liquidation::distance_sd(90000, 100000, 0.0, 1 / 365.0));
  EXPECT_FALSE(liquidation::distance_sd(90000, 100000, std::nan(""), 1 / 365.0));
  EXPECT_NEAR(*liquidation::distance_sd(90000, 100000, 0.5, 1 / 365.0), std::log(0.9) / (0.5 * std::sqrt(1 / 365.0)),
              1e-14);
}

TEST(LiquidationPrice, PropertyEquityEqualsMaintenanceAtEveryCrossing) {
  // Random accounts of linear and inverse perps and inverse options (fixed seed): every crossing
  // found has equity = MM to 1e-8 relative and the excess changes sign across it.
  std::mt19937 rng(20240611);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const SimpleModel model(0.01);
  int crossings = 0;
  for (int n = 0; n < 60; ++n) {
    auto a = liqtest::account("random-" + std::to_string(n));
    const double S = 100000;
    const double lin = (u(rng) - 0.5) * 20, inv = (u(rng) - 0.5) * 2e6, opt = -u(rng) * 20;
    a.positions.push_back(liqtest::perp("BTC_USDC-PERPETUAL", lin, S * (0.9 + 0.2 * u(rng)), S));
    a.positions.push_back(liqtest::perp("BTC-PERPETUAL", inv, S * (0.9 + 0.2 * u(rng)), S));
    const std::string strike = std::to_string(static_cast<int>(80000 + 40000 * u(rng)));
    a.positions.push_back(liqtest::option("BTC-27MAR26-" + strike + (u(rng) < 0.5 ? "-C" : "-P"), opt, S,
                                          0.3 + 0.8 * u(rng), (1 + 180 * u(rng)) / 365.0));
    a.collateral["USDC"] = 2e5 * u(rng);
    a.collateral["BTC"] = 5 * u(rng);
    a.usd_rates["BTC"] = S;
    auto lp = liquidation::liquidation_price(a, model, opts("BTC"));
    ASSERT_TRUE(lp) << lp.error().message;
    for (const auto& c : {lp->below, lp->above}) {
      if (!c) continue;
      ++crossings;
      expect_at_maintenance(*c);
      const double lo = model.compute(scenario::shifted(a, "BTC", c->factor * (1 - 1e-7)))->min_excess_usd();
      const double hi = model.compute(scenario::shifted(a, "BTC", c->factor * (1 + 1e-7)))->min_excess_usd();
      EXPECT_LE(lo * hi, 0.0) << a.id << " factor " << c->factor;
    }
  }
  EXPECT_GT(crossings, 40);
}
