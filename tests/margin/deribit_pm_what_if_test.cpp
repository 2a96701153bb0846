// Deribit portfolio margin (deribit-pm): what-if orders (a dot product with the order's risk vector)
// equal compute() on the account with the order added, chained and across pools; S:PM and X:PM agree
// up to the USD conversion; cross-collateral haircuts and pools.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "margin/deribit_pm_test_util.hpp"

using namespace deribit_pm_test;

TEST(DeribitPm, WhatIfEqualsComputeWithTheOrder) {
  struct Case {
    std::string mode;
    std::vector<PositionState> book;
    std::map<std::string, double> collateral;
    PositionState order;
  };
  const double T = 45 / 365.0;
  PositionState eth = option("ETH-27MAR26-3200-C", -30, T, 0.7, 3000);
  const std::vector<Case> cases = {
      {"segregated", btc_book(), {{"BTC", 2}}, option("BTC-27MAR26-80000-P", -4, T, 0.65)},
      {"segregated", btc_book(), {{"BTC", 2}}, option("BTC-27MAR26-110000-C", -1.5, T, 0.55)},  // existing
      {"segregated", btc_book(), {{"BTC", 2}}, future("BTC-PERPETUAL", -80000, 100050)},          // existing
      {"segregated", btc_book(), {{"BTC", 2}, {"USDC", 10000}}, future("BTC_USDC-PERPETUAL", -2, kSpot)},
      {"segregated", btc_book(), {{"BTC", 2}}, future("ETH_USDC-PERPETUAL", 10, 3000, 0, 3000)},  // new pool
      {"cross", btc_book(), {{"BTC", 2}, {"USDC", 5000}}, future("BTC_USDC-PERPETUAL", 1.5, kSpot)},
      {"cross", btc_book(), {{"BTC", 2}}, eth},  // new underlying
      {"cross", {}, {{"USDC", 5000}}, eth},      // empty account
  };
  for (const auto& c : cases) {
    const auto a = account(c.mode, c.book, c.collateral);
    const auto before = pm(a);
    const auto fast = model().what_if(a, before, {&c.order, 1});
    ASSERT_TRUE(fast) << fast.error().message;
    auto with = a;
    with.positions.push_back(c.order);
    SCOPED_TRACE(c.mode + " + " + c.order.instrument.name);
    expect_same(*fast, pm(with));
    // Chained: the what-if result serves as `before` for the next order.
    const PositionState second = option("BTC-27MAR26-120000-C", -1, T, 0.5);
    const auto chained = model().what_if(with, *fast, {&second, 1});
    ASSERT_TRUE(chained) << chained.error().message;
    with.positions.push_back(second);
    expect_same(*chained, pm(with));
  }
}

TEST(DeribitPm, WhatIfFallsBackWithoutState) {
  const auto a = account("segregated", btc_book(), {{"BTC", 2}});
  const PositionState order = option("BTC-27MAR26-80000-P", -4, 45 / 365.0, 0.65);
  MarginResult foreign;  // not this model's result: full recomputation
  const auto r = model().what_if(a, foreign, {&order, 1});
  ASSERT_TRUE(r);
  auto with = a;
  with.positions.push_back(order);
  expect_same(*r, pm(with));
  // A bad order is an error naming the account and instrument.
  PositionState bad = order;
  bad.spot = -1;
  const auto e = model().what_if(a, pm(a), {&bad, 1});
  ASSERT_FALSE(e);
  EXPECT_NE(e.error().message.find("pm-1"), std::string::npos);
  EXPECT_NE(e.error().message.find("BTC-27MAR26-80000-P"), std::string::npos);
}

TEST(DeribitPm, WhatIfIsFast) {
  const auto a = account("segregated", btc_book(), {{"BTC", 2}});
  const auto before = pm(a);
  const PositionState order = option("BTC-27MAR26-80000-P", -1, 45 / 365.0, 0.65);
  constexpr int kRuns = 2000;
  double sink = 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kRuns; ++i) sink += model().what_if(a, before, {&order, 1})->initial_margin;
  const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / kRuns;
  std::printf("deribit-pm what_if, one option order: %.2f us\n", us);
  EXPECT_GT(sink, 0.0);
  EXPECT_LT(us, 500.0);  // loose bound for shared CI machines; a few microseconds on one idle core
}

TEST(DeribitPm, SegregatedAndCrossAgreeUpToUsdConversion) {
  auto a = account("segregated", btc_book(), {{"BTC", 2}});
  const auto s = pm(a);
  a.margin_mode = "cross";
  const auto x = pm(a);
  EXPECT_EQ(s.currency, "BTC");
  EXPECT_EQ(x.currency, "USD");
  ASSERT_EQ(s.scenario_pnl.size(), x.scenario_pnl.size());
  const auto grid = margin::deribit_pm_grid({}, 4, 3);
  double worst = 0.0;
  for (std::size_t i = 0; i < s.scenario_pnl.size(); ++i) {
    const double f = i < 35 ? grid.scenarios[i].spot_factor : 1.0;
    EXPECT_NEAR(x.scenario_pnl[i], s.scenario_pnl[i] * kSpot * f, 1e-12 * kSpot) << i;
    // Extended scenarios (27..34) are dampened by 100,000 USD (the X:PM pool is in USD).
    if (i < 35) worst = std::min(worst, i < 27 ? grid.scenarios[i].weight * x.scenario_pnl[i]
                                               : std::min(0.0, grid.scenarios[i].weight * x.scenario_pnl[i] + 100000));
  }
  const auto& ms = s.details["margin"]["btc_usd"];
  const double roll_x = std::max(0.0, -std::min(x.scenario_pnl[35], x.scenario_pnl[36]));
  EXPECT_NEAR(x.initial_margin, -worst + ms["delta_shock"].get<double>() * kSpot + roll_x, 1e-9);
  EXPECT_NEAR(x.details["margin"]["btc_usd"]["roll_shock"].get<double>(), ms["roll_shock"].get<double>() * kSpot, 1e-9);
  EXPECT_NEAR(x.equity, s.equity * kSpot, 1e-9);
  // Same requirement within the +-16% spot conversion of the worst scenario.
  EXPECT_GT(x.initial_margin, 0.84 * s.initial_margin * kSpot);
  EXPECT_LT(x.initial_margin, 6.0 * s.initial_margin * kSpot);
}

TEST(DeribitPm, CrossHaircutAndPools) {
  const io::Json params = {{"currency", {{"btc", {{"haircut", 0.2}}}}}};
  auto m = margin::make_deribit_pm(&params, {"test", ""});
  ASSERT_TRUE(m);
  auto a = account("cross", {future("BTC_USDC-PERPETUAL", 1, kSpot)}, {{"BTC", 1}, {"USDC", 1000}});
  const auto r = (*m)->compute(a);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_NEAR(r->equity, kSpot * 0.8 + 1000, 1e-9);
  ASSERT_EQ(r->pools.size(), 1u);
  a.margin_mode = "segregated";
  const auto s = (*m)->compute(a);
  ASSERT_EQ(s->pools.size(), 2u);  // BTC (collateral only) and USDC
  EXPECT_EQ(s->currency, "USD");
  EXPECT_EQ(s->pools[0].initial_margin, 0.0);
  EXPECT_TRUE(s->details["margin"].contains("btc_usdc"));
  EXPECT_NEAR(s->initial_margin, s->pools[1].initial_margin, 1e-9);
}
