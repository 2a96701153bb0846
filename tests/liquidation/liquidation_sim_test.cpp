// Incremental liquidation: hand-computed fills on a flat-slippage book (linear and inverse perps,
// fraction and fixed steps, impact feeding the mark, stop at IM), bankruptcy covered partly by the
// insurance fund, isolated margin, AMM fills, price paths, the liquidation price trigger, errors.
#include <gtest/gtest.h>

#include <cmath>

#include "greekbook/liquidation/liquidation_sim.hpp"
#include "liquidation/test_models.hpp"

using namespace greekbook;
using liquidation::DepthProfile;
using liquidation::LiquidationParams;
using liquidation::LiquidityMap;
using liqtest::SimpleModel;

namespace {

// Every order fills `bps` from the mark, whatever its size.
LiquidityMap flat(double bps) {
  auto p = DepthProfile::make({{bps, 0}, {bps, 1e12}}, {{bps, 0}, {bps, 1e12}}, "flat");
  LiquidityMap m;
  m.fallback = *p;
  return m;
}

// Cross USDC account: long 10 BTC linear perp at entry 100,000, mark `mark`, USDC balance `usdc`.
scenario::AccountState linear_long(double usdc, double mark) {
  auto a = liqtest::account("lin");
  a.positions.push_back(liqtest::perp("BTC_USDC-PERPETUAL", 10, 100000, mark));
  a.collateral["USDC"] = usdc;
  a.usd_rates["BTC"] = mark;
  return a;
}

LiquidationParams fraction_params(double fraction, double penalty) {
  LiquidationParams p;
  p.step_fraction = fraction;
  p.penalty_rate = penalty;
  return p;
}

}  // namespace

TEST(LiquidationSim, HandComputedLinearPerpFlatSlippage) {
  // Equity 59,000 − 50,000 = 9,000 < MM 1% x 950,000 = 9,500. Steps of 1 BTC, 10 bps, 0.5% penalty:
  // each step sells 1 at 94,905 (slippage 95) and pays 475: equity −570, MM −950.
  //   step 1: equity 8,430 < MM 8,550;  step 2: equity 7,860 >= MM 7,600 -> stop.
  const SimpleModel model(0.01);
  auto out = liquidation::liquidate(linear_long(59000, 95000), model, flat(10), fraction_params(0.1, 0.005), 0.0);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->triggered);
  ASSERT_EQ(out->fills.size(), 2u);
  for (int k = 0; k < 2; ++k) {
    const auto& f = out->fills[k];
    EXPECT_EQ(f.step, k + 1);
    EXPECT_EQ(f.instrument, "BTC_USDC-PERPETUAL");
    EXPECT_DOUBLE_EQ(f.quantity, -1.0);
    EXPECT_DOUBLE_EQ(f.mark, 95000);
    EXPECT_NEAR(f.price, 94905, 1e-9);
    EXPECT_NEAR(f.notional_usd, 95000, 1e-9);
    EXPECT_NEAR(f.slippage_usd, 95, 1e-9);
    EXPECT_NEAR(f.penalty_usd, 475, 1e-9);
    EXPECT_FALSE(f.beyond_depth);
    EXPECT_FALSE(f.closeout);
  }
  EXPECT_NEAR(out->equity_before_usd, 9000, 1e-9);
  EXPECT_NEAR(out->equity_after_usd, 7860, 1e-9);
  EXPECT_NEAR(out->final_margin.maintenance_margin, 7600, 1e-9);
  EXPECT_NEAR(out->final_excess_usd, 260, 1e-9);
  EXPECT_NEAR(out->realised_loss_usd, 1140, 1e-9);
  EXPECT_NEAR(out->slippage_usd, 190, 1e-9);
  EXPECT_NEAR(out->penalties_usd, 950, 1e-9);
  EXPECT_NEAR(out->insurance_fund_change_usd, 950, 1e-9);
  EXPECT_FALSE(out->bankrupt);
  ASSERT_EQ(out->final_account.positions.size(), 1u);
  EXPECT_DOUBLE_EQ(out->final_account.positions[0].quantity, 8.0);
  EXPECT_NEAR(out->final_account.collateral.at("USDC"), 59000 + 2 * (94905 - 100000.0) - 950, 1e-9);
}

TEST(LiquidationSim, StopAtInitialMargin) {
  // IM = 2 x MM. After k steps: equity 9,000 − 570 k, IM 19,000 − 1,900 k: k >= 7.52 -> 8 steps.
  auto p = fraction_params(0.1, 0.005);
  p.stop_at = liquidation::StopTarget::Initial;
  auto out = liquidation::liquidate(linear_long(59000, 95000), SimpleModel(0.01, 2.0), flat(10), p, 0.0);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->fills.size(), 8u);
  EXPECT_NEAR(out->equity_after_usd, 9000 - 8 * 570.0, 1e-9);
  EXPECT_NEAR(out->final_margin.initial_margin, 3800, 1e-9);
}

TEST(LiquidationSim, ImpactFeedsMarkIntoASpiral) {
  // Each fill leaves the book 10 bps lower and the rest is marked there: equity falls faster than MM
  // and the account ends bankrupt (2 steps without the feedback, above). By hand, with the penalty
  // capped at the equity left after each fill:
  auto p = fraction_params(0.1, 0.005);
  p.impact_feeds_mark = true;
  auto out = liquidation::liquidate(linear_long(59000, 95000), SimpleModel(0.01), flat(10), p, 1000.0);
  ASSERT_TRUE(out) << out.error().message;
  const double E = 100000;
  double mark = 95000, cash = 59000, q = 10;
  std::size_t k = 0;
  for (;; ++k) {
    const double equity = cash + q * (mark - E), mm = 0.01 * q * mark;
    if (equity < 0 || equity >= mm || q == 0) break;
    ASSERT_LT(k, out->fills.size());
    const double price = mark * 0.999;
    EXPECT_NEAR(out->fills[k].mark, mark, 1e-8);
    EXPECT_NEAR(out->fills[k].price, price, 1e-8);
    cash += price - E;
    q -= 1;
    const double penalty = std::min(0.005 * mark, std::max(0.0, cash + q * (price - E)));
    EXPECT_NEAR(out->fills[k].penalty_usd, penalty, 1e-6) << "step " << k + 1;
    cash -= penalty;
    mark = price;
  }
  EXPECT_EQ(k, 10u);  // the whole position went step by step; the last penalty was capped (98.07 USD)
  EXPECT_NEAR(out->fills[8].penalty_usd, 98.0655391, 1e-6);
  EXPECT_EQ(out->fills.size(), 10u);
  EXPECT_TRUE(out->bankrupt);
  EXPECT_NEAR(out->equity_after_usd, cash, 1e-6);
  EXPECT_NEAR(out->deficit_usd, 94.148412, 1e-6);
  EXPECT_NEAR(out->insurance_covered_usd, out->deficit_usd, 1e-12);
  EXPECT_EQ(out->uncovered_usd, 0.0);
  EXPECT_NEAR(out->insurance_fund_change_usd, out->penalties_usd - out->deficit_usd, 1e-9);
  EXPECT_TRUE(out->final_account.positions.empty());
}

TEST(LiquidationSim, InversePerpFixedSteps) {
  // Deribit-style: long 100,000 USD BTC-PERPETUAL at 100,000, mark 80,000, 0.26 BTC collateral:
  // equity 0.01 BTC < MM 1% x 100,000/80,000 = 0.0125 BTC. Steps of 10,000 USD at 10 bps, 0.25% penalty:
  // per step slippage 10,000 (1/79,920 − 1/80,000) BTC + penalty 25 USD, MM −0.00125 BTC -> 4 steps.
  auto a = liqtest::account("inv");
  a.positions.push_back(liqtest::perp("BTC-PERPETUAL", 100000, 100000, 80000));
  a.collateral["BTC"] = 0.26;
  a.usd_rates["BTC"] = 80000;
  LiquidationParams p;
  p.step_mode = liquidation::StepMode::Fixed;
  p.step_quantity = 10000;
  p.penalty_rate = 0.0025;
  auto out = liquidation::liquidate(a, SimpleModel(0.01), flat(10), p, 0.0);
  ASSERT_TRUE(out) << out.error().message;
  const double slip_btc = 10000 * (1 / 79920.0 - 1 / 80000.0), pen_btc = 25 / 80000.0;
  ASSERT_EQ(out->fills.size(), 4u);
  for (const auto& f : out->fills) {
    EXPECT_DOUBLE_EQ(f.quantity, -10000);
    EXPECT_NEAR(f.price, 79920, 1e-9);
    EXPECT_NEAR(f.slippage_usd, slip_btc * 80000, 1e-9);
    EXPECT_NEAR(f.penalty_usd, 25, 1e-9);
  }
  EXPECT_NEAR(out->equity_after_usd, (0.01 - 4 * (slip_btc + pen_btc)) * 80000, 1e-8);
  EXPECT_NEAR(out->final_margin.pools[0].maintenance_margin, 0.01 * 60000 / 80000, 1e-15);
  EXPECT_DOUBLE_EQ(out->final_account.positions[0].quantity, 60000);
}

TEST(LiquidationSim, BankruptcyCoveredPartlyByInsuranceFund) {
  // Gap to 93,000: equity 60,000 − 70,000 = −10,000. Close-out of 10 BTC at 92,907 (slippage 930):
  // deficit 10,930; the fund's 4,000 covers part, 6,930 uncovered.
  auto out = liquidation::liquidate(linear_long(60000, 93000), SimpleModel(0.01), flat(10),
                                    fraction_params(0.1, 0.005), 4000.0);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->bankrupt);
  ASSERT_EQ(out->fills.size(), 1u);
  EXPECT_TRUE(out->fills[0].closeout);
  EXPECT_DOUBLE_EQ(out->fills[0].quantity, -10);
  EXPECT_NEAR(out->fills[0].price, 92907, 1e-9);
  EXPECT_EQ(out->fills[0].penalty_usd, 0.0);
  EXPECT_NEAR(out->equity_after_usd, -10930, 1e-9);
  EXPECT_NEAR(out->deficit_usd, 10930, 1e-9);
  EXPECT_NEAR(out->insurance_covered_usd, 4000, 1e-9);
  EXPECT_NEAR(out->uncovered_usd, 6930, 1e-9);
  EXPECT_NEAR(out->insurance_fund_after_usd, 0, 1e-9);
  EXPECT_NEAR(out->insurance_fund_change_usd, -4000, 1e-9);
  EXPECT_TRUE(out->final_account.positions.empty());
}

TEST(LiquidationSim, SlippageTurnsEquityNegativeMidway) {
  // Equity 500 < MM 9,300; a 300 bps book: step 1 sells 1 BTC at 90,210 (slippage 2,790): equity
  // −2,290, no penalty (capped at equity); bankrupt: the other 9 go at 90,210 too. Fund covers all.
  auto out = liquidation::liquidate(linear_long(70500, 93000), SimpleModel(0.01), flat(300),
                                    fraction_params(0.1, 0.005), 100000.0);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_EQ(out->fills.size(), 2u);
  EXPECT_FALSE(out->fills[0].closeout);
  EXPECT_EQ(out->fills[0].penalty_usd, 0.0);
  EXPECT_TRUE(out->fills[1].closeout);
  EXPECT_DOUBLE_EQ(out->fills[1].quantity, -9);
  EXPECT_TRUE(out->bankrupt);
  EXPECT_NEAR(out->deficit_usd, 27400, 1e-8);  // 500 − 10 x 2,790
  EXPECT_NEAR(out->insurance_covered_usd, 27400, 1e-8);
  EXPECT_EQ(out->uncovered_usd, 0.0);
  EXPECT_NEAR(out->insurance_fund_change_usd, -27400, 1e-8);
}

TEST(LiquidationSim, IsolatedPositionAtItsLiquidationPrice) {
  // Hyperliquid example (liq 91,139.24), triggered 1 bp past it. Half the position goes at 10 bps
  // with a 1% penalty, all inside the isolated margin; the USDC balance is untouched.
  auto a = liqtest::account("hl");
  a.venue = "hyperliquid";
  auto pos = liqtest::perp("BTC", 1.0, 100000, 100000, "hyperliquid");
  pos.isolated_margin = 10000;
  a.positions.push_back(pos);
  a.collateral["USDC"] = 500;
  a.usd_rates["BTC"] = 100000;
  liquidation::LiquidationPriceOptions o;
  o.underlying = "BTC";
  auto out = liquidation::liquidate_at_liquidation_price(a, SimpleModel(0.0125), o, true, flat(10),
                                                         fraction_params(0.5, 0.01), 0.0);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_TRUE(out->triggered);
  const double P = 90000 / 0.9875 * (1 - 1e-4);
  ASSERT_EQ(out->fills.size(), 1u);
  EXPECT_NEAR(out->fills[0].mark, P, 1e-6);
  EXPECT_NEAR(out->fills[0].penalty_usd, 0.01 * 0.5 * P, 1e-6);
  const double iso = 10000 + 0.5 * (0.999 * P - 100000) - 0.005 * P;
  EXPECT_NEAR(*out->final_account.positions[0].isolated_margin, iso, 1e-6);
  EXPECT_EQ(out->final_account.collateral.at("USDC"), 500);
  EXPECT_GE(out->final_excess_usd, 0);
  EXPECT_NEAR(out->final_excess_usd, iso + 0.5 * (P - 100000) - 0.0125 * 0.5 * P, 1e-6);
}

TEST(LiquidationSim, AmmReservesMoveBetweenSteps) {
  liquidation::AmmPool pool{100, 9.5e6, 0.003, "test"};  // mid 95,000
  LiquidityMap m;
  m.by_underlying["BTC"] = pool;
  auto out = liquidation::liquidate(linear_long(59000, 95000), SimpleModel(0.01), m, fraction_params(0.1, 0.0), 0.0);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_GE(out->fills.size(), 2u);
  // First fill: 1 BTC (95,000 USD at the pool mid) sold into x·y = k.
  const double dx = 1.0, x = 100, y = 9.5e6;
  const double out1 = y * dx * 0.997 / (x + dx * 0.997);
  EXPECT_NEAR(out->fills[0].price, out1, 1e-6);
  // Second fill from the moved reserves: worse.
  const double x2 = x + dx, y2 = y - out1, dx2 = 95000 / (y2 / x2);
  const double out2 = y2 * dx2 * 0.997 / (x2 + dx2 * 0.997);
  EXPECT_NEAR(out->fills[1].price, 95000 * (out2 / dx2) / (y2 / x2), 1e-6);
  EXPECT_LT(out->fills[1].price, out->fills[0].price);
}

TEST(LiquidationSim, PathTriggersAtFirstPriceBelowMaintenance) {
  // Excess 59,000 + 10 (P − 100,000) − 0.1 P < 0 below 95,050.5.
  auto a = linear_long(59000, 100000);
  const std::vector<double> path = {99000, 97000, 95000, 93000};
  auto out = liquidation::liquidate_along_path(a, SimpleModel(0.01), "BTC", path, flat(10),
                                               fraction_params(0.1, 0.005), 0.0);
  ASSERT_TRUE(out) << out.error().message;
  ASSERT_TRUE(out->trigger_index);
  EXPECT_EQ(*out->trigger_index, 2u);
  ASSERT_TRUE(out->liquidation);
  EXPECT_EQ(out->liquidation->fills.size(), 2u);  // the hand-computed case above
  EXPECT_NEAR(out->liquidation->equity_after_usd, 7860, 1e-8);

  const std::vector<double> calm = {99000, 98000};
  auto none = liquidation::liquidate_along_path(a, SimpleModel(0.01), "BTC", calm, flat(10), {}, 0.0);
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->trigger_index);

  const std::vector<double> bad = {99000, -1};
  auto err = liquidation::liquidate_along_path(a, SimpleModel(0.01), "BTC", bad, flat(10), {}, 0.0);
  ASSERT_FALSE(err);
  EXPECT_NE(err.error().message.find("price path [1] = -1"), std::string::npos);
}

TEST(LiquidationSim, NothingToDoAboveMaintenance) {
  auto out = liquidation::liquidate(linear_long(80000, 95000), SimpleModel(0.01), flat(10), {}, 10.0);
  ASSERT_TRUE(out);
  EXPECT_FALSE(out->triggered);
  EXPECT_TRUE(out->fills.empty());
  EXPECT_EQ(out->insurance_fund_after_usd, 10.0);
}

TEST(LiquidationSim, ErrorsNameAccountInstrumentAndParameter) {
  const auto a = linear_long(59000, 95000);
  auto r = liquidation::liquidate(a, SimpleModel(0.01), LiquidityMap{}, {}, 0.0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("account 'lin'"), std::string::npos);
  EXPECT_NE(r.error().message.find("no liquidity source"), std::string::npos);
  EXPECT_NE(r.error().message.find("BTC_USDC-PERPETUAL"), std::string::npos);

  LiquidationParams p;
  p.step_fraction = 0;
  r = liquidation::liquidate(a, SimpleModel(0.01), flat(10), p, 0.0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("step_fraction = 0"), std::string::npos);

  r = liquidation::liquidate(a, SimpleModel(0.01), flat(10), {}, -5.0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("insurance_fund_usd = -5"), std::string::npos);
}

TEST(LiquidationParams, DefaultsOverridesAndErrors) {
  auto d = liquidation::make_liquidation_params(nullptr, {"params.json", "liquidation"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->step_fraction, 0.1);
  EXPECT_EQ(d->penalty_rate, 0.015);
  EXPECT_FALSE(d->impact_feeds_mark);

  const auto j = io::Json::parse(R"({"step_mode": "fixed", "step_quantity": 10, "impact_feeds_mark": true,
                                    "stop_at": "initial", "stop_buffer": 0.1, "source": "test"})");
  auto o = liquidation::make_liquidation_params(&j, {"params.json", "liquidation"});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->step_mode, liquidation::StepMode::Fixed);
  EXPECT_EQ(o->step_quantity, 10);
  EXPECT_TRUE(o->impact_feeds_mark);
  EXPECT_EQ(o->stop_at, liquidation::StopTarget::Initial);
  EXPECT_EQ(o->stop_buffer, 0.1);

  const auto neg = io::Json::parse(R"({"penalty_rate": -0.1})");
  auto e = liquidation::make_liquidation_params(&neg, {"params.json", "liquidation"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("liquidation.penalty_rate"), std::string::npos) << e.error().message;
  EXPECT_NE(e.error().message.find("-0.1"), std::string::npos);

  const auto fixed = io::Json::parse(R"({"step_mode": "fixed"})");
  e = liquidation::make_liquidation_params(&fixed, {"params.json", "liquidation"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("step_quantity"), std::string::npos);

  const auto unknown = io::Json::parse(R"({"penalty": 0.01})");
  e = liquidation::make_liquidation_params(&unknown, {"params.json", "liquidation"});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("liquidation.penalty"), std::string::npos);
}

TEST(LiquidationSim, CutsTheLargestMaintenanceContributionFirst) {
  // Short 10 ATM calls (MM (0.075 + mark) x 10 = 1.44 BTC) and a long 2M USD inverse perp (MM 0.2 BTC,
  // but the larger notional). With per-position contributions the calls go first; a model without
  // them falls back to the largest notional.
  auto a = liqtest::account("pick");
  a.positions.push_back(liqtest::perp("BTC-PERPETUAL", 2e6, 100000, 100000));
  a.positions.push_back(liqtest::option("BTC-27MAR26-100000-C", -10, 100000, 0.6, 30 / 365.0));
  a.collateral["BTC"] = 2.2;
  a.usd_rates["BTC"] = 100000;
  class NoContributions final : public margin::MarginModel {
   public:
    std::string name() const override { return "test-no-contributions"; }
    Result<margin::MarginResult> compute(const scenario::AccountState& s) const override {
      auto r = SimpleModel(0.01).compute(s);
      if (r) r->positions.clear();
      return r;
    }
  };
  LiquidationParams p = fraction_params(0.1, 0.0);
  p.max_steps = 1;
  auto by_mm = liquidation::liquidate(a, SimpleModel(0.01), flat(10), p, 0.0);
  ASSERT_TRUE(by_mm) << by_mm.error().message;
  ASSERT_EQ(by_mm->fills.size(), 1u);
  EXPECT_EQ(by_mm->fills[0].instrument, "BTC-27MAR26-100000-C");
  EXPECT_DOUBLE_EQ(by_mm->fills[0].quantity, 1.0);  // buys back 1 of the 10 calls
  EXPECT_NEAR(by_mm->fills[0].price, by_mm->fills[0].mark * 1.001, 1e-15);  // premium-notional book, 10 bps
  // Excess −0.122 BTC before; buying back one call frees 0.144 BTC of MM: one step is enough.
  EXPECT_FALSE(by_mm->max_steps_reached);
  EXPECT_GT(by_mm->final_excess_usd, 0.0);
  auto by_notional = liquidation::liquidate(a, NoContributions(), flat(10), p, 0.0);
  ASSERT_TRUE(by_notional) << by_notional.error().message;
  ASSERT_EQ(by_notional->fills.size(), 1u);
  EXPECT_EQ(by_notional->fills[0].instrument, "BTC-PERPETUAL");
  EXPECT_DOUBLE_EQ(by_notional->fills[0].quantity, -2e5);
  EXPECT_TRUE(by_notional->max_steps_reached);  // 10% of the perp frees only 0.02 BTC
}

TEST(LiquidationSim, NoCrossingOnTheRequestedSide) {
  // A long never liquidates upward.
  auto a = linear_long(59000, 100000);
  liquidation::LiquidationPriceOptions o;
  o.underlying = "BTC";
  auto r = liquidation::liquidate_at_liquidation_price(a, SimpleModel(0.01), o, false, flat(10), {}, 0.0);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no liquidation price above the BTC index: none within"), std::string::npos)
      << r.error().message;
}
