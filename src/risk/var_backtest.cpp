#include "greekbook/risk/var_backtest.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/chi_squared.hpp>
#include <fmt/format.h>
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

#include "greekbook/risk/var_historical.hpp"
#include "greekbook/risk/var_montecarlo.hpp"
#include "greekbook/risk/var_stats.hpp"

namespace greekbook::risk {
namespace {
// n ln p with 0 ln 0 = 0.
double xlogy(double n, double p) { return n == 0.0 ? 0.0 : n * std::log(p); }
}  // namespace

double chi2_upper_tail(double x, double dof) {
  if (!(x > 0.0)) return 1.0;
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(dof), x));
}

CoverageTests coverage_tests(std::span<const std::uint8_t> e, double level) {
  CoverageTests c;
  c.level = level;
  c.days = e.size();
  for (auto x : e) c.exceptions += x ? 1 : 0;
  const double n = static_cast<double>(c.days), x = static_cast<double>(c.exceptions), p = 1.0 - level;
  c.expected_rate = p;
  if (c.days == 0) return c;
  c.observed_rate = x / n;
  const double ph = c.observed_rate;
  c.lr_pof = std::max(0.0, -2.0 * (xlogy(n - x, 1.0 - p) + xlogy(x, p)) + 2.0 * (xlogy(n - x, 1.0 - ph) + xlogy(x, ph)));
  c.p_pof = chi2_upper_tail(c.lr_pof, 1.0);
  for (std::size_t t = 1; t < e.size(); ++t) {
    const bool a = e[t - 1] != 0, b = e[t] != 0;
    (a ? (b ? c.n11 : c.n10) : (b ? c.n01 : c.n00)) += 1;
  }
  const double n00 = static_cast<double>(c.n00), n01 = static_cast<double>(c.n01), n10 = static_cast<double>(c.n10),
               n11 = static_cast<double>(c.n11);
  c.pi0 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0.0;
  c.pi1 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0.0;
  const double tot = n00 + n01 + n10 + n11;
  const double pi = tot > 0 ? (n01 + n11) / tot : 0.0;
  const double l0 = xlogy(n00 + n10, 1.0 - pi) + xlogy(n01 + n11, pi);
  const double l1 = xlogy(n00, 1.0 - c.pi0) + xlogy(n01, c.pi0) + xlogy(n10, 1.0 - c.pi1) + xlogy(n11, c.pi1);
  c.lr_ind = std::max(0.0, -2.0 * l0 + 2.0 * l1);
  c.p_ind = chi2_upper_tail(c.lr_ind, 1.0);
  c.lr_cc = c.lr_pof + c.lr_ind;
  c.p_cc = chi2_upper_tail(c.lr_cc, 2.0);
  return c;
}

Result<BacktestResult> backtest_var(const VarBook& book, const Returns& full, VarMethod method, const VarOptions& opts0,
                                    std::size_t mc_paths) {
  VarOptions opts = opts0;
  opts.horizon_days = 1;
  GB_TRY(ok, validate(opts));
  (void)ok;
  if (full.underlyings != book.underlyings()) return make_error("backtest: returns and book underlyings differ");
  const std::size_t N = full.size(), W = opts.window;
  if (N < W + 20)
    return make_error(fmt::format("backtest: {} daily returns in the history; a {}-day window needs at least {} "
                                  "(window + 20 test days): lower --window",
                                  N, W, W + 20));
  if (method == VarMethod::MonteCarlo && mc_paths < 100)
    return make_error(fmt::format("backtest: {} Monte Carlo paths; at least 100", mc_paths));
  BacktestResult r;
  r.method = method;
  r.window = W;
  const std::size_t T = N - W, L = opts.levels.size();
  r.days.assign(full.days.begin() + static_cast<std::ptrdiff_t>(W), full.days.end());
  r.var_usd.assign(L, std::vector<double>(T, 0.0));
  // Realised PnL of today's book under each day's returns (and the historical scenarios).
  const ScenarioSet all = horizon_scenarios(full, 1);
  std::vector<double> pnl_all(N);
  book.revalue(all, 1.0, pnl_all);
  r.pnl_usd.assign(pnl_all.begin() + static_cast<std::ptrdiff_t>(W), pnl_all.end());
  // EWMA state over the whole history, per factor (filtered method).
  std::vector<std::vector<double>> sig_price, sig_vol;
  if (method == VarMethod::Filtered) {
    for (std::size_t u = 0; u < full.underlyings.size(); ++u) {
      sig_price.push_back(ewma_sigma(full.price[u], opts.ewma_lambda));
      sig_vol.push_back(full.has_vol(u) ? ewma_sigma(full.vol[u], opts.ewma_lambda) : std::vector<double>{});
    }
  }
  std::vector<std::string> errors(T);
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, T), [&](const tbb::blocked_range<std::size_t>& range) {
    std::vector<double> pnl;
    for (std::size_t i = range.begin(); i != range.end(); ++i) {
      const std::size_t t = W + i;  // forecast day: window [t - W, t)
      if (method == VarMethod::Historical) {
        pnl.assign(pnl_all.begin() + static_cast<std::ptrdiff_t>(t - W), pnl_all.begin() + static_cast<std::ptrdiff_t>(t));
      } else if (method == VarMethod::Filtered) {
        ScenarioSet sc(full.underlyings.size(), W);
        for (std::size_t u = 0; u < full.underlyings.size(); ++u)
          for (std::size_t j = 0; j < W; ++j) {
            const std::size_t d = t - W + j;
            const auto& sp = sig_price[u];
            sc.spot_at(u, j) = std::exp(sp[d] > 0 ? full.price[u][d] * sp[t] / sp[d] : 0.0);
            if (!sig_vol[u].empty()) {
              const auto& sv = sig_vol[u];
              sc.vol_at(u, j) = std::exp(sv[d] > 0 ? full.vol[u][d] * sv[t] / sv[d] : 0.0);
            }
          }
        pnl.resize(W);
        book.revalue(sc, 1.0, pnl);
      } else {
        Returns win = full;
        win.days.assign(full.days.begin() + static_cast<std::ptrdiff_t>(t - W), full.days.begin() + static_cast<std::ptrdiff_t>(t));
        const auto cut = [&](std::vector<double>& v) {
          if (!v.empty()) v = std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(t - W), v.begin() + static_cast<std::ptrdiff_t>(t));
        };
        for (auto& v : win.price) cut(v);
        for (auto& v : win.vol) cut(v);
        auto model = estimate_mc_model(win, opts.nu);
        if (!model) {
          errors[i] = fmt::format("backtest day {}: {}", format_day(full.days[t]), model.error().message);
          continue;
        }
        ScenarioSet sc;
        simulate(*model, opts.seed + t, 1.0, 0, mc_paths, sc);
        pnl.resize(mc_paths);
        book.revalue(sc, 1.0, pnl);
      }
      for (std::size_t l = 0; l < L; ++l) r.var_usd[l][i] = tail_stats(pnl, opts.levels[l]).var;
    }
  });
  for (const auto& e : errors)
    if (!e.empty()) return make_error(e);
  std::vector<std::uint8_t> exc(T);
  for (std::size_t l = 0; l < L; ++l) {
    for (std::size_t i = 0; i < T; ++i) exc[i] = r.pnl_usd[i] < -r.var_usd[l][i] ? 1 : 0;
    r.tests.push_back(coverage_tests(exc, opts.levels[l]));
  }
  return r;
}

}  // namespace greekbook::risk
