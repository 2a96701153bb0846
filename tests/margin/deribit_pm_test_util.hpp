#pragma once
// Helpers of the Deribit PM tests: positions at a 100,000 index, a BTC book, the default model, and
// the comparison of a what-if result with a full recomputation.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "greekbook/margin/deribit_portfolio.hpp"
#include "greekbook/margin/deribit_standard.hpp"
#include "greekbook/pricing/black76.hpp"

namespace deribit_pm_test {
using namespace greekbook;
using margin::MarginResult;
using scenario::AccountState;
using scenario::PositionState;

inline constexpr double kSpot = 100000;

inline PositionState option(const char* name, double quantity, double T, double vol, double spot = kSpot) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "deribit");
  p.quantity = quantity;
  p.spot = spot;
  p.forward = spot * (1 + 0.02 * T);
  p.vol = vol;
  p.expiry_years = T;
  scenario::reprice(p);
  return p;
}

inline PositionState future(const char* name, double quantity, double mark, double T = 0.0, double spot = kSpot) {
  PositionState p;
  p.instrument = *instruments::parse_instrument(name, "deribit");
  p.quantity = quantity;
  p.mark = p.forward = mark;
  p.spot = spot;
  p.expiry_years = T;
  p.delta = 1.0;
  return p;
}

inline AccountState account(std::string mode, std::vector<PositionState> positions,
                            std::map<std::string, double> collateral) {
  AccountState a;
  a.id = "pm-1";
  a.venue = "deribit";
  a.margin_mode = std::move(mode);
  a.positions = std::move(positions);
  a.collateral = std::move(collateral);
  a.usd_rates = {{"BTC", kSpot}, {"ETH", 3000}};
  return a;
}

inline const margin::DeribitPortfolioMargin& model() {
  static const auto m = margin::make_deribit_pm(nullptr, {"test", ""});
  return dynamic_cast<const margin::DeribitPortfolioMargin&>(**m);
}

inline MarginResult pm(const AccountState& a) {
  auto r = model().compute_detailed(a);  // with details.initial_risk_vectors
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return *r;
}

inline MarginResult sm(const AccountState& a) {
  auto m = margin::make_deribit_sm(nullptr, {"test", ""});
  auto r = (*m)->compute(a);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return *r;
}

inline double black_coin(pricing::OptionType t, double F, double K, double T, double vol) {
  return pricing::black76_price({t, F, K, T, vol, 0.0}) / F;
}

// A BTC book: short call, long put, long perp, 2 BTC collateral.
inline std::vector<PositionState> btc_book() {
  return {option("BTC-27MAR26-110000-C", -3, 45 / 365.0, 0.55), option("BTC-27MAR26-90000-P", 2, 45 / 365.0, 0.6),
          future("BTC-PERPETUAL", 50000, 100050), future("BTC-27MAR26", -20000, 101000, 45 / 365.0)};
}

inline void expect_same(const MarginResult& fast, const MarginResult& full) {
  const auto rel = [](double x) { return 1e-12 * std::max(1e-300, std::abs(x)); };
  EXPECT_EQ(fast.currency, full.currency);
  EXPECT_NEAR(fast.initial_margin, full.initial_margin, rel(full.initial_margin));
  EXPECT_NEAR(fast.maintenance_margin, full.maintenance_margin, rel(full.maintenance_margin));
  EXPECT_NEAR(fast.equity, full.equity, rel(full.equity));
  EXPECT_NEAR(fast.available, full.available, 1e-12 * (std::abs(full.equity) + full.initial_margin));
  ASSERT_EQ(fast.pools.size(), full.pools.size());
  for (std::size_t i = 0; i < full.pools.size(); ++i) {
    EXPECT_EQ(fast.pools[i].name, full.pools[i].name);
    EXPECT_NEAR(fast.pools[i].initial_margin, full.pools[i].initial_margin, rel(full.pools[i].initial_margin));
    EXPECT_NEAR(fast.pools[i].equity, full.pools[i].equity, rel(full.pools[i].equity));
  }
  ASSERT_EQ(fast.scenario_pnl.size(), full.scenario_pnl.size());
  EXPECT_EQ(*fast.scenario_names, *full.scenario_names);
  double scale = 0.0;
  for (double x : full.scenario_pnl) scale = std::max(scale, std::abs(x));
  for (std::size_t s = 0; s < full.scenario_pnl.size(); ++s)
    EXPECT_NEAR(fast.scenario_pnl[s], full.scenario_pnl[s], 1e-12 * scale) << (*full.scenario_names)[s];
  ASSERT_TRUE(fast.worst && full.worst);
  EXPECT_EQ(fast.worst->index, full.worst->index);
}

}  // namespace deribit_pm_test
