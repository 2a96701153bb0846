// Risk cube: vectors equal full repricing by hand; tenor-shaped vol shocks match Derive's published
// multipliers; linear products move exactly; what-if vector equals the cube's row.
#include <gtest/gtest.h>

#include <cmath>

#include "greekbook/pricing/black76.hpp"
#include "greekbook/scenario/risk_cube.hpp"

using namespace greekbook;
using scenario::PositionState;
using scenario::Scenario;
using scenario::VolShock;
using scenario::VolShockKind;

namespace {
PositionState option(double F, double K, double T, double vol, bool inverse, pricing::OptionType right) {
  PositionState p;
  auto inst = instruments::parse_instrument(inverse ? "BTC-27MAR26-100000-C" : "BTC_USDC-27MAR26-100000-C", "deribit");
  p.instrument = *inst;
  p.instrument.strike = K;
  p.instrument.right = right;
  p.quantity = 1;
  p.spot = F;
  p.forward = F;
  p.vol = vol;
  p.expiry_years = T;
  scenario::reprice(p);
  return p;
}

VolShock derive_up() {
  VolShock v;
  v.kind = VolShockKind::Multiplicative;
  v.size = 0.5;
  v.short_power = 0.3;
  v.long_power = 0.13;
  return v;
}
}  // namespace

TEST(VolShock, DerivePmrm2PublishedMultipliers) {
  // Derive PMRM_2 defaults: volRangeUp 0.5, volRangeDown 0.3, powers 0.3 / 0.13 (venues-and-peers 8.6).
  VolShock up = derive_up(), down = derive_up();
  down.size = -0.3;
  EXPECT_NEAR(scenario::shock_vol(up, 1.0, 7, 0, 7 / 365.0), 1.774, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(down, 1.0, 7, 0, 7 / 365.0), 0.536, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(up, 1.0, 90, 0, 90 / 365.0), 1.433, 5e-4);
  EXPECT_NEAR(scenario::shock_vol(down, 1.0, 90, 0, 90 / 365.0), 0.740, 5e-4);
  // Floor applies to up shocks only.
  up.min_vol = 0.4;
  EXPECT_DOUBLE_EQ(scenario::shock_vol(up, 0.1, 90, 0, 90 / 365.0), 0.4);
}

TEST(RiskCube, OptionVectorsEqualRepricing) {
  const PositionState p = option(100000, 110000, 0.25, 0.6, true, pricing::OptionType::Call);
  std::vector<Scenario> sc(3);
  sc[0].spot_factor = 0.84;
  sc[1].spot_factor = 1.16;
  sc[1].vol = derive_up();
  sc[2].time_shift_days = 10;
  const auto cube = scenario::RiskCube::build({&p, 1}, sc);
  ASSERT_EQ(cube.scenarios(), 3u);
  const auto v = cube.unit_vector(0);
  const double base = p.mark;
  const double f0 = 84000, f1 = 116000;
  EXPECT_NEAR(v[0], pricing::black76_price({pricing::OptionType::Call, f0, 110000, 0.25, 0.6, 0}) / f0 - base, 1e-12);
  const double vol1 = 0.6 * (1 + 0.5 * std::pow(30.0 / (0.25 * 365), 0.13));
  EXPECT_NEAR(v[1], pricing::black76_price({pricing::OptionType::Call, f1, 110000, 0.25, vol1, 0}) / f1 - base, 1e-12);
  EXPECT_NEAR(v[2], pricing::black76_price({pricing::OptionType::Call, 1e5, 110000, 0.25 - 10 / 365.0, 0.6, 0}) / 1e5 - base,
              1e-12);
  EXPECT_LT(v[2], 0.0);  // time decay of a long option
  const auto w = scenario::unit_vector(p, sc);
  for (int s = 0; s < 3; ++s) EXPECT_EQ(w[s], v[s]);
}

TEST(RiskCube, InverseAndLinearFuturesMoveExactly) {
  PositionState inv;
  inv.instrument = *instruments::parse_instrument("BTC-PERPETUAL", "deribit");
  inv.quantity = 10000;  // USD
  inv.spot = inv.forward = inv.mark = 100000;
  PositionState lin;
  lin.instrument = *instruments::parse_instrument("BTCUSDT", "binance");
  lin.quantity = -2;
  lin.spot = lin.forward = lin.mark = 100000;
  std::vector<Scenario> sc(1);
  sc[0].spot_factor = 1.25;
  const std::vector<PositionState> ps{inv, lin};
  const auto cube = scenario::RiskCube::build(ps, sc);
  EXPECT_NEAR(cube.unit_vector(0)[0], 1.0 / 100000 - 1.0 / 125000, 1e-18);  // per USD of notional, in BTC
  EXPECT_NEAR(cube.unit_vector(1)[0], 25000, 1e-9);
  const auto total = cube.aggregate(ps);
  EXPECT_NEAR(total[0], 10000 * (1.0 / 100000 - 1.0 / 125000) - 2 * 25000, 1e-9);
}

TEST(RiskCube, PerUnderlyingFactors) {
  PositionState eth;
  eth.instrument = *instruments::parse_instrument("ETHUSDT", "binance");
  eth.quantity = 1;
  eth.spot = eth.forward = eth.mark = 3000;
  Scenario s;
  s.spot_factor = 0.9;
  s.spot_factor_by_underlying = {{"ETH", 0.8}};
  const auto v = scenario::unit_vector(eth, {&s, 1});
  EXPECT_NEAR(v[0], -600, 1e-9);
}
