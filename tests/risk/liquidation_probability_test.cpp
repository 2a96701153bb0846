// Liquidation probability: first passage of a linear perp under GBM against the reflection-principle
// closed form (Broadie-Glasserman-Kou continuity correction for hourly monitoring), the distribution of
// the liquidation time, 0 for an account that cannot be liquidated, 1 for one below maintenance now,
// reproducibility with a seed (and with any number of threads), bad arguments, an example-book account
// against its liquidation price, and the default correlation against the shared data.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <tbb/task_arena.h>

#include "greekbook/book/book.hpp"
#include "greekbook/core/normal.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/margin/dydx.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/market/snapshot_io.hpp"
#include "greekbook/risk/liquidation_probability.hpp"
#include "liquidation_probability_test_util.hpp"

using namespace greekbook;
using risk::LiquidationProbabilityOptions;
namespace {

using namespace liq_prob_test;

LiquidationProbabilityOptions options(int paths, double horizon_days = 7.0) {
  LiquidationProbabilityOptions o;
  o.paths = paths;
  o.horizon_days = horizon_days;
  o.vol = kVol;
  o.seed = 42;
  o.solve_collateral = o.solve_hedge = false;
  return o;
}

}  // namespace

TEST(LiquidationProbability, PerpFirstPassageMatchesClosedFormMartingaleDrift) {
  // dYdX BTC-USD (tier Large-Cap: MMF 5% x 0.6 = 3%), 1 BTC long, barrier 10% below the index.
  // Drift of ln S: -sigma²/2 (the default: the price is a martingale).
  auto model = model_named("dydx");
  const double mmf = dydx_mmf(*model);
  EXPECT_DOUBLE_EQ(mmf, 0.03);
  const auto acct = dydx_long(std::log(0.9), mmf);
  auto r = risk::liquidation_probability(acct, *model, options(20000));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->steps, 168);
  EXPECT_NEAR(r->dt_days, 1.0 / 24, 1e-15);
  EXPECT_FALSE(r->below_maintenance_now);
  const double mu = -0.5 * kVol * kVol;
  EXPECT_DOUBLE_EQ(r->log_drifts.at("BTC"), mu);
  const double dt = 1.0 / (24 * 365.0);
  const double expected = down_barrier_probability(bgk_barrier(std::log(0.9), kVol, dt), mu, kVol, 7.0 / 365);
  const double se = std::sqrt(expected * (1 - expected) / 20000);
  EXPECT_NEAR(r->estimate.probability, expected, 4 * se) << "closed form (BGK) " << expected;
  // The continuity correction matters: the continuous barrier (no correction) is further from the
  // hourly-monitored estimate than the corrected one.
  const double continuous = down_barrier_probability(std::log(0.9), mu, kVol, 7.0 / 365);
  EXPECT_GT(continuous - expected, 2 * se);
  EXPECT_LT(std::abs(r->estimate.probability - expected), std::abs(r->estimate.probability - continuous));
  EXPECT_LE(r->estimate.low, r->estimate.probability);
  EXPECT_GE(r->estimate.high, r->estimate.probability);
  EXPECT_EQ(r->liquidated_pools.size(), 1u);
  EXPECT_EQ(r->liquidated_pools.begin()->second, r->estimate.liquidated);
  // The distribution of tau: P(tau <= d) is the same closed form with horizon d.
  ASSERT_EQ(r->time.cumulative.size(), 7u);
  for (const auto& [day, p] : r->time.cumulative) {
    const double cf = down_barrier_probability(bgk_barrier(std::log(0.9), kVol, dt), mu, kVol, day / 365);
    EXPECT_NEAR(p, cf, 4 * std::sqrt(cf * (1 - cf) / 20000) + 1e-9) << "day " << day;
  }
  EXPECT_DOUBLE_EQ(r->time.cumulative.back().second, r->estimate.probability);
  // E[min(tau, H)] = ∫_0^H P(tau > t) dt; with hourly steps the sum over steps.
  ASSERT_TRUE(r->time.mean_days_given_liquidation);
  EXPECT_GT(*r->time.mean_days_given_liquidation, 0.0);
  EXPECT_LT(*r->time.mean_days_given_liquidation, 7.0);
  EXPECT_NEAR(r->time.mean_days_capped,
              r->estimate.probability * *r->time.mean_days_given_liquidation + (1 - r->estimate.probability) * 7.0, 1e-9);
  ASSERT_EQ(r->time.quantiles.size(), 5u);
  for (std::size_t i = 1; i < r->time.quantiles.size(); ++i)
    EXPECT_LE(r->time.quantiles[i - 1].second, r->time.quantiles[i].second);
  // One underlying, nothing expiring: the safe-interval screen leaves the model to the paths near
  // the barrier (brute force would be 20,000 x 168 computations, less the liquidated paths' rest).
  EXPECT_TRUE(r->screened);
  EXPECT_LT(r->margin_evaluations, 20000LL * 168 / 10);
}

TEST(LiquidationProbability, DriftlessLogPriceReflectionPrinciple) {
  // ln S driftless: P(min ln S/S0 <= b) = 2 N(b / (sigma sqrt T)) (reflection principle), barrier
  // shifted by BGK for hourly monitoring.
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.92), dydx_mmf(*model));
  auto o = options(10000, 3.0);
  o.log_drift_per_year = 0.0;
  auto r = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(r) << r.error().message;
  const double b = bgk_barrier(std::log(0.92), kVol, 1.0 / (24 * 365.0));
  const double expected = 2 * core::norm_cdf(b / (kVol * std::sqrt(3.0 / 365)));
  EXPECT_NEAR(expected, down_barrier_probability(b, 0.0, kVol, 3.0 / 365), 1e-15);
  EXPECT_NEAR(r->estimate.probability, expected, 4 * std::sqrt(expected * (1 - expected) / 10000));
}

TEST(LiquidationProbability, FullyCollateralisedSpotNeverLiquidates) {
  auto model = margin::make_model("binance", nullptr, {"defaults", ""});
  ASSERT_TRUE(model) << model.error().message;
  scenario::AccountState a;
  a.id = "spot";
  a.venue = "binance";
  a.collateral["USDT"] = 0.0;
  a.positions.push_back(perp_state("BTC/USDT", "binance", 1.5, 91000, kSpot));
  a.usd_rates["BTC"] = kSpot;
  auto o = options(2000);
  o.vol = 1.5;  // violent moves: still nothing to liquidate
  auto r = risk::liquidation_probability(a, **model, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->estimate.liquidated, 0);
  EXPECT_EQ(r->estimate.probability, 0.0);
  EXPECT_EQ(r->estimate.low, 0.0);
  const double z = core::inverse_norm_cdf(0.975);
  EXPECT_NEAR(r->estimate.high, z * z / (2000 + z * z), 1e-15);  // Wilson at 0 successes
  EXPECT_FALSE(r->time.mean_days_given_liquidation);
  EXPECT_DOUBLE_EQ(r->time.mean_days_capped, 7.0);
  EXPECT_FALSE(r->collateral);
  EXPECT_FALSE(r->hedge);
}

TEST(LiquidationProbability, BelowMaintenanceNowIsCertain) {
  auto model = model_named("dydx");
  auto acct = dydx_long(std::log(0.9), dydx_mmf(*model));
  acct.collateral["USDC"] -= 12000;  // equity 100,000 x 10% x 0.97 - 12,000 < MM
  auto r = risk::liquidation_probability(acct, *model, options(500));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->below_maintenance_now);
  EXPECT_LT(r->excess_usd_now, 0.0);
  EXPECT_EQ(r->estimate.probability, 1.0);
  EXPECT_EQ(r->estimate.low, 1.0);
  EXPECT_EQ(r->estimate.high, 1.0);
  ASSERT_TRUE(r->time.mean_days_given_liquidation);
  EXPECT_EQ(*r->time.mean_days_given_liquidation, 0.0);
  EXPECT_EQ(r->time.mean_days_capped, 0.0);
  EXPECT_EQ(r->margin_evaluations, 1);
  EXPECT_EQ(r->liquidated_pools.at("cross"), 500);
}

TEST(LiquidationProbability, ReproducibleWithASeedAndAnyThreadCount) {
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.93), dydx_mmf(*model));
  auto o = options(1500, 2.0);
  auto a = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_GT(a->estimate.liquidated, 0);
  Result<risk::LiquidationProbability> b = make_error("not run");
  tbb::task_arena one(1);
  one.execute([&] { b = risk::liquidation_probability(acct, *model, o); });
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(a->estimate.liquidated, b->estimate.liquidated);
  EXPECT_EQ(a->time.mean_days_capped, b->time.mean_days_capped);
  EXPECT_EQ(a->time.quantiles, b->time.quantiles);
  EXPECT_EQ(a->time.cumulative, b->time.cumulative);
  // Brute force (no screen) too: the same paths with one thread or all.
  o.screen = false;
  auto d = risk::liquidation_probability(acct, *model, o);
  Result<risk::LiquidationProbability> e = make_error("not run");
  one.execute([&] { e = risk::liquidation_probability(acct, *model, o); });
  ASSERT_TRUE(d && e);
  EXPECT_EQ(d->estimate.liquidated, a->estimate.liquidated);
  EXPECT_EQ(d->time.cumulative, e->time.cumulative);
  EXPECT_EQ(d->time.mean_days_capped, a->time.mean_days_capped);
  o.screen = true;
  o.seed = 43;
  auto c = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_NE(a->time.mean_days_capped, c->time.mean_days_capped);  // other paths
}

TEST(LiquidationProbability, StudentTIncrementsStayCloseOverManySteps) {
  // Over 168 steps the sum of unit-variance t(5) increments is nearly normal: the first-passage
  // probability stays within a few points of GBM's, and the run is reproducible.
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.9), dydx_mmf(*model));
  auto o = options(6000);
  o.price_model = risk::PriceModel::StudentT;
  o.student_dof = 5;
  auto r = risk::liquidation_probability(acct, *model, o);
  ASSERT_TRUE(r) << r.error().message;
  const double mu = -0.5 * kVol * kVol;
  const double gbm = down_barrier_probability(bgk_barrier(std::log(0.9), kVol, 1.0 / 8760), mu, kVol, 7.0 / 365);
  EXPECT_NEAR(r->estimate.probability, gbm, 0.03);
}

TEST(LiquidationProbability, BadArgumentsNameTheOptionAndValue) {
  auto model = model_named("dydx");
  const auto acct = dydx_long(std::log(0.9), dydx_mmf(*model));
  const auto error_of = [&](auto change) {
    auto o = options(100);
    change(o);
    auto r = risk::liquidation_probability(acct, *model, o);
    return r ? std::string("no error") : r.error().message;
  };
  EXPECT_EQ(error_of([](auto& o) { o.horizon_days = -1; }), "--horizon-days -1: must be a finite number of days > 0");
  EXPECT_EQ(error_of([](auto& o) { o.horizon_days = 0; }), "--horizon-days 0: must be a finite number of days > 0");
  EXPECT_EQ(error_of([](auto& o) { o.paths = 0; }), "--paths 0: must be >= 1");
  EXPECT_EQ(error_of([](auto& o) { o.target = 1.5; }), "--target 1.5: must be a probability in (0, 1)");
  EXPECT_EQ(error_of([](auto& o) { o.target = 0; }), "--target 0: must be a probability in (0, 1)");
  EXPECT_EQ(error_of([](auto& o) { o.steps_per_day = 0; }), "--steps-per-day 0: must be >= 1");
  EXPECT_EQ(error_of([](auto& o) { o.vol = -0.2; }), "--vol -0.2: must be an annualised vol > 0");
  EXPECT_EQ(error_of([](auto& o) { o.correlation = 1.2; }), "--correlation 1.2: must be in [-1, 1]");
  EXPECT_EQ(error_of([](auto& o) { o.price_model = risk::PriceModel::StudentT, o.student_dof = 2; }),
            "--dof 2: Student-t degrees of freedom must be > 2 (finite variance)");
  EXPECT_EQ(error_of([](auto& o) { o.vol.reset(); }),
            "account 'dydx': no vol for BTC (the market has no ATM vol for it): give --vol");
  auto p = risk::parse_price_model("normal");
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().message, "--price-model 'normal': expected gbm or student-t");
}

TEST(LiquidationProbability, ModelErrorsNameAccountPathAndStep) {
  // dYdX cannot margin an inverse product: the error of the first margin computation.
  auto model = model_named("dydx");
  auto acct = dydx_long(std::log(0.9), dydx_mmf(*model));
  auto bad = acct;
  bad.positions.push_back(perp_state("BTC-PERPETUAL", "deribit", 1000, kSpot, kSpot));
  auto r = risk::liquidation_probability(bad, *model, options(10));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("BTC-PERPETUAL"), std::string::npos) << r.error().message;
  // A model failing only below 97,000: the error names the account, a path, its step and time.
  struct FailsBelow final : margin::MarginModel {
    const margin::MarginModel* inner = nullptr;
    std::string name() const override { return "fails-below"; }
    Result<margin::MarginResult> compute(const scenario::AccountState& a) const override {
      if (a.positions[0].spot < 97000) return make_error("cannot margin below 97,000");
      return inner->compute(a);
    }
  } failing;
  failing.inner = model.get();
  auto o = options(50);
  o.screen = false;
  auto f = risk::liquidation_probability(acct, failing, o);
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().message.rfind("account 'dydx': path ", 0), 0u) << f.error().message;
  EXPECT_NE(f.error().message.find(", step "), std::string::npos) << f.error().message;
  EXPECT_NE(f.error().message.find("days): cannot margin below 97,000"), std::string::npos) << f.error().message;
}

TEST(LiquidationProbability, ExampleBookAccountMatchesItsLiquidationPrice) {
  // The example book's Hyperliquid account is liquidated through its isolated BTC position: the
  // probability is the first passage of BTC to that pool's liquidation price (liquidation_price(),
  // full revaluation), a barrier at factor f*: the BGK closed form at the market's ATM vol.
  auto market = market::load_market(GREEKBOOK_SOURCE_DIR "/examples/market.json");
  ASSERT_TRUE(market) << market.error().message;
  auto book = book::load_book(GREEKBOOK_SOURCE_DIR "/examples/book.json", market->valuation_ms);
  ASSERT_TRUE(book) << book.error().message;
  auto states = scenario::build_account_states(*book, *market);
  std::erase_if(states, [](const auto& s) { return s.id != "hyperliquid"; });
  ASSERT_EQ(states.size(), 1u);
  auto models = margin::ModelSet::build(states, {}, "");
  ASSERT_TRUE(models) << models.error().message;
  const margin::MarginModel& model = **models->model_for(states[0]);
  liquidation::LiquidationPriceOptions lo;
  lo.underlying = "BTC";
  auto lp = liquidation::liquidation_price(states[0], model, lo);
  ASSERT_TRUE(lp && lp->below) << (lp ? "no crossing" : lp.error().message);
  EXPECT_EQ(lp->below->pool, "isolated BTC");
  LiquidationProbabilityOptions o;
  o.paths = 6000;
  o.steps_per_day = 12;  // 2-hour steps (BGK with that dt)
  o.seed = 3;
  o.solve_collateral = o.solve_hedge = false;
  auto r = risk::liquidation_probability(states[0], model, o);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->screened);  // BTC and ETH
  const double vol = states[0].atm_vol.at("BTC");
  EXPECT_DOUBLE_EQ(r->vols.at("BTC"), vol);
  const double expected = down_barrier_probability(bgk_barrier(std::log(lp->below->factor), vol, 2.0 / 8760),
                                                   -0.5 * vol * vol, vol, 7.0 / 365);
  EXPECT_GT(expected, 0.005);
  EXPECT_NEAR(r->estimate.probability, expected, 4 * std::sqrt(expected * (1 - expected) / 6000));
  for (const auto& [pool, n] : r->liquidated_pools) EXPECT_EQ(pool, "isolated BTC") << n;
}

TEST(LiquidationProbability, DefaultCorrelationIsTheDataEstimate) {
  // The default BTC/ETH correlation 0.9 (docs/liquidation-probability.md): 6-hour log returns of the
  // Deribit perpetual marks in ../shared/data/deribit-chain-2026 (skipped without the shared data).
  const std::string path = GREEKBOOK_SOURCE_DIR "/../shared/data/deribit-chain-2026/perpetual_futures_prices.csv";
  std::ifstream in(path);
  if (!in) GTEST_SKIP() << "no shared data at " << path;
  std::string line;
  std::getline(in, line);
  const auto split = [](const std::string& s) {
    std::vector<std::string> f;
    std::stringstream ss(s);
    for (std::string x; std::getline(ss, x, ',');) f.push_back(x);
    return f;
  };
  const auto header = split(line);
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const std::size_t ts = col("snapshot_timestamp_ms"), coin = col("coin"), price = col("candle_price_used");
  ASSERT_LT(price, header.size());
  std::map<std::string, std::map<std::string, double>> by_time;  // time -> coin -> price
  while (std::getline(in, line)) {
    const auto f = split(line);
    if (f.size() > price && !f[price].empty()) by_time[f[ts]][f[coin]] = std::stod(f[price]);
  }
  std::vector<std::pair<std::int64_t, std::pair<double, double>>> rows;
  for (const auto& [t, m] : by_time)
    if (m.count("BTC") && m.count("ETH")) rows.push_back({std::stoll(t), {m.at("BTC"), m.at("ETH")}});
  std::sort(rows.begin(), rows.end());
  ASSERT_GT(rows.size(), 300u);
  double sbb = 0, see = 0, sbe = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double b = std::log(rows[i].second.first / rows[i - 1].second.first);
    const double e = std::log(rows[i].second.second / rows[i - 1].second.second);
    sbb += b * b, see += e * e, sbe += b * e;
  }
  const double rho = sbe / std::sqrt(sbb * see);
  EXPECT_NEAR(rho, 0.91, 0.005);
  EXPECT_NEAR(LiquidationProbabilityOptions{}.correlation, rho, 0.02);
}
