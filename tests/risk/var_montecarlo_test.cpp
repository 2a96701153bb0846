// Monte Carlo VaR: closed forms (log-normal and normal VaR/ES, Student-t quantile), standard errors
// shrinking as 1/sqrt(paths), estimation by hand, simulated factor statistics, determinism.
#include "greekbook/risk/var_montecarlo.hpp"

#include <cmath>
#include <limits>

#include <boost/math/distributions/students_t.hpp>
#include <gtest/gtest.h>

#include "greekbook/core/normal.hpp"
#include "greekbook/risk/var.hpp"

namespace greekbook::risk {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// A model given directly: price factors with daily sigmas, optional vol factors, correlation.
McModel model(const std::vector<std::string>& names, std::vector<double> sigma, std::vector<double> corr,
              std::size_t underlyings, std::vector<std::size_t> vol_factor, double nu = kInf) {
  McModel m;
  m.names = names;
  for (std::size_t u = 0; u < underlyings; ++u) m.price_factor.push_back(u);
  m.vol_factor = std::move(vol_factor);
  m.sigma = std::move(sigma);
  m.correlation = std::move(corr);
  m.nu = nu;
  EXPECT_TRUE(m.factorise());
  return m;
}

VarBook linear_book(const std::vector<std::pair<std::string, double>>& exposures) {
  VarBook b;
  for (const auto& [u, a] : exposures) b.add_linear("a", u, u, 1.0, a, a);
  b.finalise();
  return b;
}

TEST(VarMonteCarlo, LogNormalClosedForm) {
  // One long exposure a, x ~ N(0, s^2): PnL = a (e^x - 1), VaR = a (1 - e^{-z s}),
  // ES = a (1 - e^{s^2/2} N(-z - s) / (1 - alpha)).
  const double a = 100000.0, s = 0.03;
  const VarBook b = linear_book({{"BTC", a}});
  const McModel m = model({"BTC"}, {s}, {1.0}, 1, {kNoFactor});
  VarOptions o;
  o.paths = 200000;
  o.seed = 7;
  auto r = run_monte_carlo(b, m, o);
  ASSERT_TRUE(r) << r.error().message;
  for (const auto& l : r->levels) {
    const double z = core::inverse_norm_cdf(l.level);
    const double var = a * (1.0 - std::exp(-z * s));
    const double es = a * (1.0 - std::exp(0.5 * s * s) * core::norm_cdf(-z - s) / (1.0 - l.level));
    EXPECT_NEAR(l.var_usd, var, 4.0 * l.var_se_usd) << l.level;
    EXPECT_NEAR(l.es_usd, es, 4.0 * l.es_se_usd) << l.level;
    // The reported standard error agrees with the asymptotic sqrt(a(1-a)/n) / f(q).
    const double density = core::norm_pdf(z) / (s * a * std::exp(-z * s));
    const double se = std::sqrt(l.level * (1.0 - l.level) / 200000.0) / density;
    EXPECT_NEAR(l.var_se_usd / se, 1.0, 0.25) << l.level;
  }
}

TEST(VarMonteCarlo, LinearBookMatchesNormalClosedForm) {
  // Small moves: PnL = sum a_u x_u to within e^x - 1 - x = O(x^2), far below the MC error.
  const double s1 = 0.0005, s2 = 0.0008, rho = 0.4, a1 = 1e6, a2 = -5e5;
  const VarBook b = linear_book({{"BTC", a1}, {"ETH", a2}});
  const McModel m = model({"BTC", "ETH"}, {s1, s2}, {1.0, rho, rho, 1.0}, 2, {kNoFactor, kNoFactor});
  VarOptions o;
  o.paths = 400000;
  o.horizon_days = 10;
  o.seed = 11;
  auto r = run_monte_carlo(b, m, o);
  ASSERT_TRUE(r) << r.error().message;
  const double h = 10.0;
  const double sp = std::sqrt(h * (a1 * a1 * s1 * s1 + a2 * a2 * s2 * s2 + 2 * rho * a1 * a2 * s1 * s2));
  for (const auto& l : r->levels) {
    const double z = core::inverse_norm_cdf(l.level);
    EXPECT_NEAR(l.var_usd, z * sp, 4.0 * l.var_se_usd + 0.002 * z * sp) << l.level;
    EXPECT_NEAR(l.es_usd, sp * core::norm_pdf(z) / (1.0 - l.level), 4.0 * l.es_se_usd + 0.002 * z * sp) << l.level;
    EXPECT_GE(l.es_usd, l.var_usd);
  }
  EXPECT_NEAR(r->sd_pnl_usd, sp, 0.01 * sp);
}

TEST(VarMonteCarlo, StudentTQuantile) {
  // nu = 5 scaled to variance s^2: x = s sqrt(3/5) T_5.
  const double a = 100000.0, s = 0.02, nu = 5.0;
  const VarBook b = linear_book({{"BTC", a}});
  const McModel m = model({"BTC"}, {s}, {1.0}, 1, {kNoFactor}, nu);
  VarOptions o;
  o.paths = 200000;
  o.levels = {0.99, 0.995};
  auto r = run_monte_carlo(b, m, o);
  ASSERT_TRUE(r);
  const boost::math::students_t_distribution<double> t(nu);
  for (const auto& l : r->levels) {
    const double q = boost::math::quantile(t, l.level);
    EXPECT_NEAR(l.var_usd, a * (1.0 - std::exp(-s * std::sqrt((nu - 2) / nu) * q)), 4.0 * l.var_se_usd) << l.level;
  }
  // Fatter tails than the normal of the same variance at 99.5%.
  EXPECT_GT(r->levels[1].var_usd, a * (1.0 - std::exp(-s * core::inverse_norm_cdf(0.995))));
}

TEST(VarMonteCarlo, StandardErrorShrinksAsOneOverSqrtPaths) {
  const double a = 100000.0, s = 0.03;
  const VarBook b = linear_book({{"BTC", a}});
  const McModel m = model({"BTC"}, {s}, {1.0}, 1, {kNoFactor});
  VarOptions o;
  o.levels = {0.99};
  // Mean reported standard errors over 16 seeds at 2,500 and 40,000 paths: 16 times the paths, a
  // quarter of the error (the mean over seeds smooths the noise of the error estimate itself).
  const auto mean_se = [&](std::size_t paths, double& var_se, double& es_se) {
    o.paths = paths;
    var_se = es_se = 0.0;
    for (std::uint64_t seed = 100; seed < 116; ++seed) {
      o.seed = seed;
      auto r = run_monte_carlo(b, m, o);
      ASSERT_TRUE(r);
      var_se += r->levels[0].var_se_usd / 16.0;
      es_se += r->levels[0].es_se_usd / 16.0;
    }
  };
  double v_small = 0, e_small = 0, v_large = 0, e_large = 0;
  mean_se(2500, v_small, e_small);
  mean_se(40000, v_large, e_large);
  EXPECT_NEAR(v_small / v_large, 4.0, 0.8);
  EXPECT_NEAR(e_small / e_large, 4.0, 0.6);
  // The reported error is the real one: the spread of the estimate over 24 seeds.
  o.paths = 2000;
  double sum = 0, sum2 = 0, se = 0;
  for (std::uint64_t seed = 1; seed <= 24; ++seed) {
    o.seed = seed;
    auto r = run_monte_carlo(b, m, o);
    ASSERT_TRUE(r);
    sum += r->levels[0].es_usd;
    sum2 += r->levels[0].es_usd * r->levels[0].es_usd;
    se += r->levels[0].es_se_usd / 24.0;
  }
  const double sd = std::sqrt((sum2 - sum * sum / 24.0) / 23.0);
  EXPECT_NEAR(sd / se, 1.0, 0.45);
}

TEST(VarMonteCarlo, PathsDoNotDependOnBlocking) {
  const VarBook b = linear_book({{"BTC", 1e5}, {"ETH", -3e4}});
  const McModel m = model({"BTC", "ETH"}, {0.03, 0.04}, {1.0, 0.7, 0.7, 1.0}, 2, {kNoFactor, kNoFactor}, 6.0);
  VarOptions o;
  o.paths = 5000;
  o.block_paths = 1000;
  auto r1 = run_monte_carlo(b, m, o);
  o.block_paths = 65536;
  auto r2 = run_monte_carlo(b, m, o);
  ASSERT_TRUE(r1 && r2);
  for (std::size_t l = 0; l < 3; ++l) {
    EXPECT_EQ(r1->levels[l].var_usd, r2->levels[l].var_usd);
    EXPECT_EQ(r1->levels[l].es_usd, r2->levels[l].es_usd);
  }
  // Regenerated paths equal the streamed ones.
  ScenarioSet all, some;
  simulate(m, 3, 1.0, 0, 100, all);
  const std::vector<std::size_t> idx = {97, 5};
  simulate_paths(m, 3, 1.0, idx, some);
  EXPECT_EQ(some.spot_at(0, 0), all.spot_at(0, 97));
  EXPECT_EQ(some.spot_at(1, 1), all.spot_at(1, 5));
}

TEST(VarMonteCarlo, SimulatedFactorsHaveTheModelsMoments) {
  // BTC price and its ATM vol, correlation -0.5 (vol rises when the price falls).
  const McModel m = model({"BTC", "BTC vol"}, {0.03, 0.05}, {1.0, -0.5, -0.5, 1.0}, 1, {1});
  ScenarioSet sc;
  const std::size_t n = 100000;
  simulate(m, 5, 4.0, 0, n, sc);
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const double x = std::log(sc.spot_at(0, j)), y = std::log(sc.vol_at(0, j));
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y;
  }
  const double N = static_cast<double>(n);
  const double vx = sxx / N - sx * sx / N / N, vy = syy / N - sy * sy / N / N;
  EXPECT_NEAR(std::sqrt(vx), 0.03 * 2.0, 0.06 * 0.01);  // sqrt(4 days)
  EXPECT_NEAR(std::sqrt(vy), 0.05 * 2.0, 0.10 * 0.01);
  EXPECT_NEAR((sxy / N - sx * sy / N / N) / std::sqrt(vx * vy), -0.5, 0.01);
}

TEST(VarMonteCarlo, EstimationByHand) {
  Returns r;
  r.underlyings = {"BTC"};
  r.days = {1, 2, 3, 4, 5};
  r.price = {{0.01, -0.01, 0.02, -0.02, 0.0}};
  r.vol = {{0.02, 0.0, 0.01, -0.03, 0.0}};
  r.last_price = {100.0};
  r.last_vol = {0.5};
  auto m = estimate_mc_model(r, std::nullopt);
  ASSERT_TRUE(m) << m.error().message;
  ASSERT_EQ(m->dims(), 2u);
  EXPECT_EQ(m->names[1], "BTC vol");
  EXPECT_EQ(m->vol_factor[0], 1u);
  EXPECT_NEAR(m->sigma[0], std::sqrt(2.5e-4), 1e-15);
  EXPECT_NEAR(m->sigma[1], std::sqrt(3.5e-4), 1e-15);
  EXPECT_NEAR(m->correlation[1], 10.0 / std::sqrt(140.0), 1e-12);
  EXPECT_NEAR(m->excess_kurtosis, -1.656, 1e-9);
  EXPECT_TRUE(std::isinf(m->nu));  // thin tails: normal
  // Fat tails: nu = 4 + 6 / excess kurtosis.
  Returns f;
  f.underlyings = {"ETH"};
  for (int i = 0; i < 20; ++i) f.days.push_back(i);
  f.price = {{}};
  for (int i = 0; i < 9; ++i) f.price[0].insert(f.price[0].end(), {0.01, -0.01});
  f.price[0].insert(f.price[0].end(), {0.1, -0.1});
  f.vol = {{}};
  f.last_price = {1.0};
  f.last_vol = {std::nan("")};
  auto t = estimate_mc_model(f, std::nullopt);
  ASSERT_TRUE(t);
  EXPECT_NEAR(t->excess_kurtosis, 4.60299848497601, 1e-9);
  EXPECT_NEAR(t->nu, 5.303498147910268, 1e-9);
  EXPECT_EQ(t->vol_factor[0], kNoFactor);
  // Perfectly dependent factors: not positive definite, named.
  r.vol = {{0.02, -0.02, 0.04, -0.04, 0.0}};
  auto bad = estimate_mc_model(r, std::nullopt);
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("not positive definite: 'BTC vol'"), std::string::npos) << bad.error().message;
  auto few = estimate_mc_model(r.tail(3), std::nullopt);
  ASSERT_FALSE(few);
  EXPECT_NE(few.error().message.find("3 daily returns cannot estimate 2 factors"), std::string::npos);
}

}  // namespace
}  // namespace greekbook::risk
