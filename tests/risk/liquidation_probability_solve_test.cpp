// Liquidation probability, the building blocks and the suggestions: random increments (moments,
// correlation, Student-t tails), the Wilson interval (hand values and coverage, also of the engine
// against the closed form), the account revalued along a path (time decay, settlement at expiry), the
// USD delta, trade netting, the extra collateral (same random numbers) and the delta hedge.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>

#include <boost/math/distributions/students_t.hpp>

#include "greekbook/core/normal.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/margin/dydx.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/pricing/black76.hpp"
#include "greekbook/risk/liquidation_probability.hpp"
#include "liquidation_probability_test_util.hpp"

using namespace greekbook;
using risk::LiquidationProbabilityOptions;

namespace {

using namespace liq_prob_test;

// ---- this file ----

scenario::PositionState option_state(const std::string& name, double qty, double spot, double vol, double T) {
  auto inst = instruments::parse_instrument(name, "deribit");
  if (!inst) throw std::runtime_error(inst.error().message);
  scenario::PositionState p;
  p.instrument = *inst;
  p.quantity = qty;
  p.spot = p.forward = spot;
  p.vol = vol;
  p.expiry_years = T;
  scenario::reprice(p);
  return p;
}

LiquidationProbabilityOptions options(int paths, double horizon_days) {
  LiquidationProbabilityOptions o;
  o.paths = paths;
  o.horizon_days = horizon_days;
  o.vol = kVol;
  o.seed = 7;
  o.solve_collateral = o.solve_hedge = false;
  return o;
}

}  // namespace

TEST(LiquidationProbabilityPaths, IncrementsHaveTheirMomentsAndCorrelation) {
  const double dt = 1.0 / 8760, rho = 0.7;
  const std::vector<double> corr = {1, rho, rho, 1};
  auto g = risk::PathGenerator::make({0.5, 0.8}, {-0.125, 0.1}, corr, risk::PriceModel::Gbm, 4, dt);
  ASSERT_TRUE(g) << g.error().message;
  const int n = 200000;
  double s0 = 0, s1 = 0, s00 = 0, s11 = 0, s01 = 0;
  for (int path = 0; path < n / 100; ++path) {
    g->start(3, path);
    for (int k = 0; k < 100; ++k) {
      std::vector<double> x(2, 0.0);
      g->step(x);
      s0 += x[0], s1 += x[1], s00 += x[0] * x[0], s11 += x[1] * x[1], s01 += x[0] * x[1];
    }
  }
  const double m0 = s0 / n, m1 = s1 / n;
  const double v0 = s00 / n - m0 * m0, v1 = s11 / n - m1 * m1, c = (s01 / n - m0 * m1) / std::sqrt(v0 * v1);
  EXPECT_NEAR(v0 / (0.25 * dt), 1.0, 0.012);  // variance sigma² dt (SE sqrt(2/n) = 0.003)
  EXPECT_NEAR(v1 / (0.64 * dt), 1.0, 0.012);
  EXPECT_NEAR(c, rho, 0.006);                 // SE (1 − rho²)/sqrt(n) = 0.0011
  EXPECT_NEAR(m1 / dt, 0.1, 4 * 0.8 * std::sqrt(dt / n) / dt);  // drift per year
  // The same (seed, path) gives the same stream; another path another one.
  std::vector<double> a(2, 0.0), b(2, 0.0), c2(2, 0.0);
  g->start(3, 17);
  g->step(a);
  g->start(3, 17);
  g->step(b);
  g->start(3, 18);
  g->step(c2);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c2);
  // Not positive semi-definite: an error.
  const std::vector<double> bad = {1, 1, -0.5, 1, 1, 1, -0.5, 1, 1};
  EXPECT_FALSE(risk::PathGenerator::make({1, 1, 1}, {0, 0, 0}, bad, risk::PriceModel::Gbm, 4, dt));
}

TEST(LiquidationProbabilityPaths, StudentTIncrementsHaveUnitVarianceAndFatTails) {
  const double nu = 5, dt = 1.0;
  const std::vector<double> corr = {1};
  auto g = risk::PathGenerator::make({1.0}, {0.0}, corr, risk::PriceModel::StudentT, nu, dt);
  ASSERT_TRUE(g) << g.error().message;
  const int n = 200000;
  const double cut = 3.0;
  int tail = 0;
  double s2 = 0;
  g->start(11, 0);
  for (int i = 0; i < n; ++i) {
    std::vector<double> x(1, 0.0);
    g->step(x);
    s2 += x[0] * x[0];
    if (std::abs(x[0]) > cut) ++tail;
  }
  EXPECT_NEAR(s2 / n, 1.0, 0.03);
  // P(|x| > 3) for a unit-variance t(5): x = t sqrt(3/5).
  const boost::math::students_t_distribution<double> t(nu);
  const double p = 2 * boost::math::cdf(boost::math::complement(t, cut / std::sqrt((nu - 2) / nu)));
  EXPECT_NEAR(static_cast<double>(tail) / n, p, 4 * std::sqrt(p / n));
  EXPECT_GT(p, 3 * 2 * core::norm_cdf(-cut));  // much fatter than the normal's 0.27%
}

TEST(LiquidationProbabilityStats, WilsonIntervalByHandAndCoverage) {
  // 10 of 100 at 95%: z = 1.959964, centre (0.1 + z²/200)/(1 + z²/100), interval [0.05523, 0.17437].
  const auto e = risk::wilson_estimate(10, 100, 0.95);
  EXPECT_DOUBLE_EQ(e.probability, 0.1);
  EXPECT_NEAR(e.low, 0.0552291, 1e-6);
  EXPECT_NEAR(e.high, 0.1743657, 1e-6);
  EXPECT_NEAR(e.std_error, 0.03, 1e-15);
  // Coverage: binomial draws with a known p fall inside about 95% of the time.
  std::mt19937_64 rng(2024);
  for (const double p : {0.01, 0.05, 0.3}) {
    std::binomial_distribution<int> draw(400, p);
    int covered = 0;
    const int reps = 4000;
    for (int i = 0; i < reps; ++i) {
      const auto w = risk::wilson_estimate(draw(rng), 400, 0.95);
      covered += w.low <= p && p <= w.high;
    }
    EXPECT_GT(covered, 0.925 * reps) << "p " << p;
    EXPECT_LT(covered, 0.985 * reps) << "p " << p;
  }
}

TEST(LiquidationProbabilityStats, EngineIntervalsCoverTheClosedForm) {
  // 40 independent seeds of 1,500 paths over 1 day (hourly) on the dYdX long with a barrier 4% below:
  // the 95% Wilson interval holds the BGK-corrected closed form in about 38 of 40 runs.
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.96), dydx_mmf(*model));
  const double truth =
      down_barrier_probability(bgk_barrier(std::log(0.96), kVol, 1.0 / 8760), -0.5 * kVol * kVol, kVol, 1.0 / 365);
  int covered = 0;
  for (int seed = 1; seed <= 40; ++seed) {
    auto o = options(1500, 1.0);
    o.seed = seed;
    auto r = risk::liquidation_probability(acct, *model, o);
    ASSERT_TRUE(r) << r.error().message;
    covered += r->estimate.low <= truth && truth <= r->estimate.high;
  }
  EXPECT_GE(covered, 34) << "truth " << truth;
}

TEST(LiquidationProbabilityPaths, RevaluerDecaysTimeAndSettlesAtExpiry) {
  scenario::AccountState a;
  a.id = "opts";
  a.venue = "deribit";
  a.collateral["BTC"] = 2.0;
  a.positions.push_back(option_state("BTC-27MAR26-90000-C", -3, kSpot, 0.5, 2.0 / 365));   // expires after 2 days
  a.positions.push_back(option_state("BTC-27MAR26-110000-P", 2, kSpot, 0.55, 30.0 / 365));
  a.positions.push_back(perp_state("BTC-27MAR26", "deribit", 50000, 98000, kSpot));        // inverse future
  a.positions.back().expiry_years = 1.0 / 365;
  a.usd_rates["BTC"] = kSpot;
  risk::PathRevaluer rev(a, {"ETH", "BTC"}, true);
  const std::vector<double> f = {1.3, 1.1};  // ETH does not matter, BTC +10%
  const auto& s = rev.at(f, 0.5 / 365);
  EXPECT_DOUBLE_EQ(s.usd_rates.at("BTC"), 110000.0);
  const auto put = pricing::black76({pricing::OptionType::Put, 110000, 110000, 29.5 / 365, 0.55, 0});
  EXPECT_NEAR(s.positions[1].mark, put.price / 110000, 1e-15);
  EXPECT_NEAR(s.positions[1].expiry_years, 29.5 / 365, 1e-15);
  EXPECT_DOUBLE_EQ(s.positions[2].mark, 110000.0);
  EXPECT_EQ(s.positions[0].quantity, -3.0);
  // Past both expiries: the call pays (110,000 − 90,000)/110,000 BTC per unit, the future 1/98,000 − 1/110,000.
  const auto& t = rev.at(f, 3.0 / 365);
  EXPECT_EQ(t.positions[0].quantity, 0.0);
  EXPECT_EQ(t.positions[2].quantity, 0.0);
  EXPECT_NEAR(t.collateral.at("BTC"), 2.0 - 3 * 20000.0 / 110000 + 50000 * (1 / 98000.0 - 1 / 110000.0), 1e-12);
  rev.reset();  // next path: back to the base account
  EXPECT_EQ(rev.account().positions[0].quantity, -3.0);
  EXPECT_DOUBLE_EQ(rev.account().collateral.at("BTC"), 2.0);
  const auto& u = rev.at(std::vector<double>{1.0, 1.0}, 0.0);
  EXPECT_NEAR(u.positions[0].mark, a.positions[0].mark, 1e-15);
}

TEST(LiquidationProbabilityPaths, UsdDeltaAndTradeNetting) {
  // Inverse perp q USD at entry E with C BTC: USD equity (C + q/E − q/M) S, M ∝ S: delta C + q/E coin.
  scenario::AccountState a;
  a.id = "inv";
  a.venue = "deribit";
  a.collateral["BTC"] = 1.5;
  a.collateral["USDC"] = 1000;
  a.positions.push_back(perp_state("BTC-PERPETUAL", "deribit", -200000, 95000, kSpot));
  a.positions.push_back(perp_state("ETHUSDT", "binance", 3, 3000, 3300));
  a.usd_rates["BTC"] = kSpot;
  const auto d = risk::usd_delta(a, {"BTC", "ETH"});
  EXPECT_NEAR(d.at("BTC"), 1.5 - 200000 / 95000.0, 1e-8);
  EXPECT_NEAR(d.at("ETH"), 3.0, 1e-8);
  // Netting: reduce (realised PnL to the balance), increase (average entry), flip, isolated.
  auto b = a;
  risk::add_trade(b, perp_state("ETHUSDT", "binance", -1, 3300, 3300));
  EXPECT_DOUBLE_EQ(b.positions[1].quantity, 2.0);
  EXPECT_DOUBLE_EQ(b.collateral.at("USDT"), 300.0);
  risk::add_trade(b, perp_state("ETHUSDT", "binance", 2, 3400, 3400));
  EXPECT_DOUBLE_EQ(b.positions[1].entry, 3200.0);
  risk::add_trade(b, perp_state("ETHUSDT", "binance", -5, 3500, 3500));
  EXPECT_DOUBLE_EQ(b.positions[1].quantity, -1.0);
  EXPECT_DOUBLE_EQ(b.positions[1].entry, 3500.0);
  EXPECT_DOUBLE_EQ(b.collateral.at("USDT"), 300.0 + 4 * 300.0);
  risk::add_trade(b, perp_state("BTC-PERPETUAL", "deribit", -100000, 100000, 100000));  // inverse: harmonic entry
  EXPECT_NEAR(b.positions[0].entry, 300000 / (200000 / 95000.0 + 1.0), 1e-9);
  risk::add_trade(b, perp_state("SOLUSDT", "binance", 10, 150, 150));  // none held: a new position
  EXPECT_EQ(b.positions.size(), 3u);
  auto iso = a;
  iso.positions[1].isolated_margin = 500.0;
  risk::add_trade(iso, perp_state("ETHUSDT", "binance", -3, 3100, 3100));
  EXPECT_DOUBLE_EQ(iso.positions[1].quantity, 0.0);
  EXPECT_DOUBLE_EQ(*iso.positions[1].isolated_margin, 800.0);
}

TEST(LiquidationProbabilitySolve, ExtraCollateralBringsTheSamePathsUnderTheTarget) {
  auto model = model_named("dydx");
  const double mmf = dydx_mmf(*model);
  const auto acct = dydx_long(std::log(0.9), mmf);
  auto o = options(4000, 7.0);
  o.solve_collateral = true;
  auto r = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_GT(r->estimate.probability, 0.1);
  ASSERT_TRUE(r->collateral);
  const auto& c = *r->collateral;
  EXPECT_TRUE(c.reached);
  EXPECT_EQ(c.pool, "cross");
  EXPECT_EQ(c.currency, "USDC");
  EXPECT_LE(c.after.probability, 0.01);
  EXPECT_DOUBLE_EQ(c.amount_usd, c.amount);
  // The same seed with the collateral added: at or under the target; 1% less is above it.
  auto o2 = options(4000, 7.0);
  auto more = acct;
  more.collateral["USDC"] += c.amount;
  auto with = risk::liquidation_probability(more, *model, o2);
  ASSERT_TRUE(with) << with.error().message;
  EXPECT_EQ(with->estimate.liquidated, c.after.liquidated);
  EXPECT_LE(with->estimate.probability, 0.01);
  auto less = acct;
  less.collateral["USDC"] += 0.99 * c.amount;
  auto without = risk::liquidation_probability(less, *model, o2);
  ASSERT_TRUE(without) << without.error().message;
  EXPECT_GT(without->estimate.probability, 0.01);
  // Closed form: the barrier b' with P_BGK(b') = 1%, collateral (1 − MMF) S0 (e^b − e^b').
  const double mu = -0.5 * kVol * kVol, dt = 1.0 / 8760, T = 7.0 / 365;
  double lo = -2, hi = std::log(0.9);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (down_barrier_probability(bgk_barrier(mid, kVol, dt), mu, kVol, T) > 0.01 ? hi : lo) = mid;
  }
  const double closed = (1 - mmf) * kSpot * (0.9 - std::exp(lo));
  EXPECT_NEAR(c.amount / closed, 1.0, 0.1) << "closed form " << closed << " USD";
}

TEST(LiquidationProbabilitySolve, DeltaHedgeNeutralisesAndLowersTheProbability) {
  // A perp-only account: the hedge nets the position away, nothing left to liquidate.
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.9), dydx_mmf(*model));
  auto o = options(1000, 7.0);
  o.solve_hedge = true;
  auto r = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_TRUE(r->hedge);
  ASSERT_EQ(r->hedge->legs.size(), 1u);
  EXPECT_EQ(r->hedge->legs[0].instrument, "BTC-USD");
  EXPECT_NEAR(r->hedge->legs[0].delta_before, 1.0, 1e-9);
  EXPECT_DOUBLE_EQ(r->hedge->legs[0].quantity, -1.0);  // rounded to 9 digits: nets the position to 0
  EXPECT_EQ(r->hedge->after.liquidated, 0);
  EXPECT_TRUE(r->hedge->reached);
  // Deribit standard margin, short puts on BTC collateral (long BTC twice over): hedged with the given
  // BTC-PERPETUAL (inverse, USD quantity) the probability falls.
  auto sm = model_named("deribit-sm");
  scenario::AccountState d;
  d.id = "puts";
  d.venue = "deribit";
  d.margin_mode = "cross";
  d.collateral["BTC"] = 1.6;
  d.positions.push_back(option_state("BTC-27MAR26-95000-P", -6, kSpot, 0.6, 60.0 / 365));
  d.usd_rates["BTC"] = kSpot;
  auto od = options(1000, 7.0);
  od.solve_hedge = true;
  od.target = 0.001;
  od.hedge_instruments["BTC"] = perp_state("BTC-PERPETUAL", "deribit", 1, kSpot, kSpot);
  auto h = risk::liquidation_probability(d, *sm, od);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_FALSE(h->below_maintenance_now);
  ASSERT_GT(h->estimate.probability, 0.01);
  ASSERT_TRUE(h->hedge);
  ASSERT_EQ(h->hedge->legs.size(), 1u);
  const auto& leg = h->hedge->legs[0];
  EXPECT_EQ(leg.instrument, "BTC-PERPETUAL");
  // USD delta of inverse puts on BTC: q N(d1) − ... = q x Black delta; plus the BTC balance.
  const double put_delta = d.positions[0].delta;
  EXPECT_NEAR(leg.delta_before, 1.6 - 6 * put_delta, 1e-5);
  EXPECT_NEAR(leg.quantity, -leg.delta_before * kSpot, 1e-6 * kSpot);
  EXPECT_LT(h->hedge->after.probability, h->estimate.probability);
}

TEST(LiquidationProbabilitySolve, SafeIntervalScreenGivesTheSameAnswer) {
  // Short inverse puts on BTC collateral under Deribit standard margin: screened (the model only
  // outside each step's safe price interval) and brute force (the model at every step) agree path for
  // path, with far fewer margin computations.
  auto sm = model_named("deribit-sm");
  scenario::AccountState d;
  d.id = "puts";
  d.venue = "deribit";
  d.margin_mode = "cross";
  d.collateral["BTC"] = 2.4;
  d.positions.push_back(option_state("BTC-27MAR26-95000-P", -6, kSpot, 0.6, 60.0 / 365));
  d.positions.push_back(option_state("BTC-27MAR26-120000-C", -4, kSpot, 0.6, 60.0 / 365));
  d.usd_rates["BTC"] = kSpot;
  auto o = options(600, 7.0);
  auto screened = risk::liquidation_probability(d, *sm, o);
  o.screen = false;
  auto brute = risk::liquidation_probability(d, *sm, o);
  ASSERT_TRUE(screened) << screened.error().message;
  ASSERT_TRUE(brute) << brute.error().message;
  EXPECT_TRUE(screened->screened);
  EXPECT_FALSE(brute->screened);
  EXPECT_GT(screened->estimate.liquidated, 30);
  EXPECT_LT(screened->estimate.liquidated, 570);
  EXPECT_EQ(screened->estimate.liquidated, brute->estimate.liquidated);
  EXPECT_EQ(screened->time.quantiles, brute->time.quantiles);
  EXPECT_EQ(screened->time.cumulative, brute->time.cumulative);
  EXPECT_LT(screened->margin_evaluations * 3, brute->margin_evaluations);
  // An option expiring inside the horizon makes the account path-dependent: no screen.
  d.positions.push_back(option_state("BTC-27MAR26-100000-C", 1, kSpot, 0.6, 3.0 / 365));
  o.screen = true;
  auto expiring = risk::liquidation_probability(d, *sm, o);
  ASSERT_TRUE(expiring) << expiring.error().message;
  EXPECT_FALSE(expiring->screened);
}
