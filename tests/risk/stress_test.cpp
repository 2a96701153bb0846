// Stress engine (risk/stress.hpp, risk/stress_apply.hpp): hedged books, linear and option PnL by
// hand, funding carry, margin after the shock against the model on a hand-shocked state, accounts
// below maintenance. Venue events, bookkeeping and reports: stress_events_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "greekbook/pricing/black76.hpp"
#include "greekbook/risk/stress.hpp"
#include "risk/stress_test_util.hpp"

namespace {
using namespace greekbook;
using namespace greekbook::stress_test;

TEST(Stress, LinearBookPnlIsQuantityTimesMove) {
  const auto acc = states(account_json("lin", "binance", R"({"USDT": 100000})",
                                       R"([{"instrument": "BTCUSDT", "quantity": 2.0},
                                           {"instrument": "BTC/USDT", "quantity": 1.5, "average_price": 90000}])"));
  const double M = acc[0].positions[0].mark, S = acc[0].positions[1].spot;
  ASSERT_DOUBLE_EQ(M, 96552.5);
  ASSERT_DOUBLE_EQ(S, 96500.0);
  for (double move : {-0.37, -0.1, 0.25}) {
    const auto rep = run(acc, {spot("m", move)});
    const auto& a = rep.scenarios[0].accounts[0];
    EXPECT_NEAR(a.positions[0].pnl_usd, 2.0 * M * move, 1e-9 * M);
    EXPECT_NEAR(a.positions[1].pnl_usd, 1.5 * S * move, 1e-9 * S);
    EXPECT_NEAR(a.pnl_usd, 2.0 * M * move + 1.5 * S * move, 1e-9 * S);
    EXPECT_EQ(a.collateral_pnl_usd, 0.0);  // USDT does not move with BTC
    EXPECT_EQ(a.funding_usd, 0.0);         // no horizon, no carry
    // Greeks after: coin delta 3.5, USD delta at the shocked index, no option Greeks.
    ASSERT_EQ(a.greeks.size(), 1u);
    EXPECT_DOUBLE_EQ(a.greeks[0].second.delta, 3.5);
    EXPECT_NEAR(a.greeks[0].second.delta_usd, 2.0 * S * (1 + move) + 1.5 * S * (1 + move), 1e-6);
    EXPECT_EQ(a.greeks[0].second.gamma, 0.0);
  }
}

TEST(Stress, InversePerpetualPnlInCoinTimesShockedIndex) {
  const auto acc = states(account_json("inv", "deribit", R"({"BTC": 2})",
                                       R"([{"instrument": "BTC-PERPETUAL", "quantity": 100000}])"));
  const double M = acc[0].positions[0].mark, S = acc[0].positions[0].spot, f = 0.8;
  const auto rep = run(acc, {spot("down 20%", f - 1.0)});
  const auto& a = rep.scenarios[0].accounts[0];
  // 100,000 USD of inverse perpetual: coin PnL q (1/M - 1/M'), valued at S'.
  EXPECT_NEAR(a.positions[0].pnl_usd, 100000.0 * (1.0 / M - 1.0 / (M * f)) * S * f, 1e-7);
  EXPECT_NEAR(a.collateral_pnl_usd, 2.0 * S * (f - 1.0), 1e-7);
  EXPECT_NEAR(a.pnl_usd, a.positions_pnl_usd + a.collateral_pnl_usd, 1e-9);
  // Delta after: collateral 2 BTC + 100,000 / M' coin of perpetual.
  EXPECT_NEAR(a.greeks[0].second.delta, 2.0 + 100000.0 / (M * f), 1e-12);
}

TEST(Stress, LongSpotShortPerpetualIsHedged) {
  const auto acc = states(account_json("hedge", "binance", R"({"USDT": 50000})",
                                       R"([{"instrument": "BTC/USDT", "quantity": 3.0},
                                           {"instrument": "BTCUSDT", "quantity": -3.0}])"));
  const double basis = acc[0].positions[1].mark - acc[0].positions[0].spot;  // perp over index, 52.5 USD
  for (const auto& s : library()) {
    StressScenario sc = s;
    sc.shock.time_shift_days = 0.0;  // no funding carry: the hedge is on price
    const auto a = run(acc, {sc}).scenarios[0].accounts[0];
    const double move = sc.shock.factor("BTC") - 1.0;
    // Each leg moves by about 3 x 96,500 x move; together only the perp premium moves: 3 x basis x move.
    EXPECT_NEAR(a.pnl_usd, -3.0 * basis * move, 1e-6) << s.name();
    EXPECT_LT(std::abs(a.pnl_usd), 1e-3 * std::abs(a.positions[0].pnl_usd)) << s.name();
    EXPECT_NEAR(a.greeks[0].second.delta, 0.0, 1e-12) << s.name();
  }
}

TEST(Stress, PutCallParityBoxHasNoStressPnl) {
  // Long the 90,000 / 100,000 box on USDC-linear options: value = 10,000 USDC at any forward, vol and time (r = 0).
  const auto acc = states(account_json("box", "deribit", R"({"USDC": 50000})",
                                       R"([{"instrument": "BTC_USDC-27MAR26-90000-C", "quantity": 1},
                                           {"instrument": "BTC_USDC-27MAR26-90000-P", "quantity": -1},
                                           {"instrument": "BTC_USDC-27MAR26-100000-C", "quantity": -1},
                                           {"instrument": "BTC_USDC-27MAR26-100000-P", "quantity": 1}])"));
  double value = 0.0;
  for (const auto& p : acc[0].positions) value += p.quantity * p.mark;
  ASSERT_NEAR(value, 10000.0, 1e-6);
  const auto rep = run(acc, library());
  for (const auto& s : rep.scenarios) {
    const auto& a = s.accounts[0];
    EXPECT_NEAR(a.pnl_usd, 0.0, 1e-6) << s.name;  // of 4 legs moving by up to ~40,000 USD each
    double legs = 0.0;
    for (const auto& p : a.positions) legs += std::abs(p.pnl_usd);
    EXPECT_GT(legs, 1000.0) << s.name;  // the legs do move
    EXPECT_NEAR(a.greeks[0].second.delta, 0.0, 1e-9) << s.name;
    EXPECT_NEAR(a.greeks[0].second.gamma, 0.0, 1e-15) << s.name;
    EXPECT_NEAR(a.greeks[0].second.vega, 0.0, 1e-8) << s.name;
  }
}

TEST(Stress, OptionPnlEqualsHandBlack76Repricing) {
  const auto acc = states(account_json("opt", "deribit", R"({"BTC": 10})",
                                       R"([{"instrument": "BTC-27MAR26-100000-C", "quantity": 3},
                                           {"instrument": "BTC_USDC-27FEB26-90000-P", "quantity": -2}])"));
  StressScenario sc = spot("crash", -0.15, 2.0);
  sc.shock.basis_shift_per_year = 0.05;
  sc.shock.vol = {scenario::VolShockKind::Multiplicative, 0.4, 30.0, 1.0, 0.3, 0.13, 0.0, {}};
  const auto rep = run(acc, {sc});
  const auto& a = rep.scenarios[0].accounts[0];
  const double S = acc[0].positions[0].spot, S1 = 0.85 * S;
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& p = acc[0].positions[i];
    const double T = p.expiry_years, F1 = p.forward * 0.85 * (1.0 + 0.05 * T), T1 = T - 2.0 / 365.0;
    const double v1 = scenario::shock_vol(sc.shock.vol, p.vol, T * 365.0, std::log(p.instrument.strike / p.forward), T);
    EXPECT_GT(v1, p.vol * 1.2);
    const pricing::Greeks g = pricing::black76({p.instrument.right, F1, p.instrument.strike, T1, v1, 0.0});
    const bool inv = p.instrument.inverse;
    // Inverse: coin marks valued at the index; linear USDC: USDC = USD.
    const double expected = inv ? p.quantity * (g.price / F1 * S1 - p.mark * S) : p.quantity * (g.price - p.mark);
    EXPECT_NEAR(a.positions[i].pnl_usd, expected, 1e-8 * std::abs(p.quantity) * S) << p.instrument.name;
    EXPECT_NEAR(a.positions[i].mark_after, inv ? g.price / F1 : g.price, 1e-14 * S);
    EXPECT_DOUBLE_EQ(a.positions[i].vol_after, v1);
  }
  // Greeks after (both options on BTC) + the 10 BTC of collateral.
  const auto& p0 = acc[0].positions[0];
  const auto& p1 = acc[0].positions[1];
  const auto greeks = [&](const scenario::PositionState& p) {
    const double T = p.expiry_years, F1 = p.forward * 0.85 * (1.0 + 0.05 * T);
    const double v1 = scenario::shock_vol(sc.shock.vol, p.vol, T * 365.0, std::log(p.instrument.strike / p.forward), T);
    return pricing::black76({p.instrument.right, F1, p.instrument.strike, T - 2.0 / 365.0, v1, 0.0});
  };
  const auto g0 = greeks(p0), g1 = greeks(p1);
  const auto& gk = a.greeks[0].second;
  EXPECT_NEAR(gk.delta, 3.0 * g0.delta - 2.0 * g1.delta + 10.0, 1e-12);
  EXPECT_NEAR(gk.delta_usd, gk.delta * S1, 1e-6);
  EXPECT_NEAR(gk.gamma, 3.0 * g0.gamma - 2.0 * g1.gamma, 1e-15);
  EXPECT_NEAR(gk.vega, (3.0 * g0.vega - 2.0 * g1.vega) / 100.0, 1e-9);
  EXPECT_NEAR(gk.theta, (3.0 * g0.theta - 2.0 * g1.theta) / 365.0, 1e-9);
}

TEST(Stress, OptionsPastExpiryByTheHorizonAreWorthIntrinsic) {
  // BTC-23JAN26 options expire in 8 days; a 10-day horizon settles them at intrinsic on the shocked forward.
  const auto acc = states(account_json("exp", "deribit", R"({"USDC": 1000})",
                                       R"([{"instrument": "BTC_USDC-23JAN26-90000-P", "quantity": 1}])"));
  const auto& p = acc[0].positions[0];
  const auto a = run(acc, {spot("down", -0.2, 10.0)}).scenarios[0].accounts[0];
  EXPECT_NEAR(a.positions[0].mark_after, 90000.0 - p.forward * 0.8, 1e-9);
  EXPECT_NEAR(a.positions[0].pnl_usd, 90000.0 - p.forward * 0.8 - p.mark, 1e-8);
  EXPECT_DOUBLE_EQ(a.greeks[0].second.delta, -1.0);
  EXPECT_EQ(a.greeks[0].second.vega, 0.0);
}

TEST(Stress, FundingShockGivesTheHandComputedCarry) {
  const auto acc = states(account_json("fund", "binance", R"({"USDT": 100000})",
                                       R"([{"instrument": "BTCUSDT", "quantity": 2.0},
                                           {"instrument": "ETHUSDT", "quantity": -10.0}])"));
  const auto& btc = acc[0].positions[0];
  const auto& eth = acc[0].positions[1];
  ASSERT_DOUBLE_EQ(btc.funding_8h, 0.00012);
  StressScenario sc = spot("funding", 0.0, 3.0);
  sc.funding_shift_8h = 0.0005;
  sc.funding_shift_by_underlying = {{"ETH", -0.0002}};
  auto models = models_for(acc);
  AccountState shocked;
  const auto a = risk::stress_account(acc[0], models, sc, shocked);
  // Longs pay a positive rate: -q x mark x (rate + shift) x 3 periods a day x 3 days.
  const double btc_carry = -2.0 * btc.mark * (0.00012 + 0.0005) * 9.0;
  const double eth_carry = 10.0 * eth.mark * (eth.funding_8h - 0.0002) * 9.0;
  EXPECT_NEAR(a.positions[0].funding_usd, btc_carry, 1e-9);
  EXPECT_NEAR(a.positions[1].funding_usd, eth_carry, 1e-9);
  EXPECT_NEAR(a.funding_usd, btc_carry + eth_carry, 1e-9);
  EXPECT_NEAR(a.pnl_usd, btc_carry + eth_carry, 1e-9);  // no price move
  // The carry is settled into the USDT balance the margin model sees.
  EXPECT_NEAR(shocked.collateral.at("USDT"), 100000.0 + btc_carry + eth_carry, 1e-9);
  // Inverse perpetual: q USD x rate, paid in coin at the mark, worth S' / M' USD per coin.
  const auto inv = states(account_json("inv", "deribit", R"({"BTC": 1})",
                                       R"([{"instrument": "BTC-PERPETUAL", "quantity": -50000}])"));
  StressScenario sc2 = spot("funding", -0.1, 2.0);
  sc2.funding_shift_8h = -0.001;
  const auto b = risk::stress_account(inv[0], models_for(inv), sc2, shocked);
  const auto& p = inv[0].positions[0];
  const double coin = 50000.0 * (p.funding_8h - 0.001) * 6.0 / (p.mark * 0.9);
  EXPECT_NEAR(b.positions[0].funding_usd, coin * p.spot * 0.9, 1e-9);
  EXPECT_LT(b.positions[0].funding_usd, 0.0);  // the short pays when the rate turns negative
  EXPECT_NEAR(shocked.collateral.at("BTC"), 1.0 + coin, 1e-15);
}

TEST(Stress, MarginAfterShockEqualsTheModelOnAHandShockedState) {
  const auto acc = states(account_json("m", "deribit", R"({"BTC": 5})",
                                       R"([{"instrument": "BTC-27MAR26-100000-C", "quantity": -10},
                                           {"instrument": "BTC-27FEB26-90000-P", "quantity": 4},
                                           {"instrument": "BTC-PERPETUAL", "quantity": 200000, "average_price": 95000}])"));
  const auto models = models_for(acc);
  const margin::MarginModel& model = **models.model_for(acc[0]);
  // Spot only: the hand-shocked state is scenario::shifted() (independent code: sticky-strike vols).
  {
    const auto rep = run(acc, {spot("-12%", -0.12)});
    const auto& m = *rep.scenarios[0].accounts[0].margin;
    const auto expected = model.compute(scenario::shifted(acc[0], "BTC", 0.88));
    ASSERT_TRUE(expected);
    EXPECT_EQ(m.model, "deribit-sm");
    EXPECT_NEAR(m.equity, expected->equity, 1e-9 * std::abs(expected->equity));
    EXPECT_NEAR(m.initial_margin, expected->initial_margin, 1e-9 * expected->initial_margin);
    EXPECT_NEAR(m.maintenance_margin, expected->maintenance_margin, 1e-9 * expected->maintenance_margin);
    EXPECT_NEAR(m.excess_usd, expected->min_excess_usd(), 1e-6);
  }
  // Spot, vol and time: move each position by hand and reprice with the scalar pricer.
  StressScenario sc = spot("vol", 0.07, 1.0);
  sc.shock.vol = {scenario::VolShockKind::Additive, 0.1, 30.0, 1.0, 0.0, 0.0, 0.0, {}};
  AccountState hand = acc[0];
  for (auto& p : hand.positions) {
    p.spot *= 1.07;
    p.forward *= 1.07;
    if (p.is_option()) {
      p.vol += 0.1;
      p.expiry_years -= 1.0 / 365.0;
      scenario::reprice(p);
    } else {
      p.mark *= 1.07;
    }
  }
  hand.usd_rates["BTC"] *= 1.07;
  // One day of funding on the perpetual, paid by the long in coin at the shocked mark.
  const auto& perp = acc[0].positions[2];
  hand.collateral["BTC"] += -200000.0 * perp.funding_8h * 3.0 / (perp.mark * 1.07);
  const auto expected = model.compute(hand);
  ASSERT_TRUE(expected);
  const auto rep = run(acc, {sc});
  const auto& m = *rep.scenarios[0].accounts[0].margin;
  EXPECT_NEAR(m.equity, expected->equity, 1e-9 * std::abs(expected->equity));
  EXPECT_NEAR(m.initial_margin, expected->initial_margin, 1e-9 * expected->initial_margin);
  EXPECT_NEAR(m.maintenance_margin, expected->maintenance_margin, 1e-9 * expected->maintenance_margin);
  EXPECT_NEAR(m.margin_ratio, expected->margin_ratio, 1e-9);
}

TEST(Stress, AccountsBelowMaintenanceAreFlagged) {
  // 2 BTC long on dYdX with 20,000 USDC: about -10% wipes the margin above MM.
  const auto acc = states(account_json("dydx", "dydx", R"({"USDC": 20000})",
                                       R"([{"instrument": "BTC-USD", "quantity": 2.0, "average_price": 96538.6}])"));
  const auto rep = run(acc, {spot("-1%", -0.01), spot("-20%", -0.20)});
  const auto& small = rep.scenarios[0].accounts[0];
  const auto& big = rep.scenarios[1].accounts[0];
  ASSERT_TRUE(small.margin && big.margin);
  EXPECT_FALSE(small.margin->below_maintenance);
  EXPECT_GT(small.margin->excess_usd, 0.0);
  EXPECT_TRUE(rep.scenarios[0].below_maintenance.empty());
  EXPECT_TRUE(big.margin->below_maintenance);
  EXPECT_LT(big.margin->excess_usd, 0.0);
  EXPECT_NEAR(big.margin->equity, 20000.0 + 2.0 * 96538.6 * -0.20, 1e-6);
  ASSERT_EQ(rep.scenarios[1].below_maintenance.size(), 1u);
  EXPECT_EQ(rep.scenarios[1].below_maintenance[0], "dydx");
  EXPECT_FALSE(rep.accounts[0].margin_before.below_maintenance);
  EXPECT_EQ(rep.accounts[0].instruments[0], "BTC-USD");
}

}  // namespace
