#include "greekbook/risk/var.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "greekbook/risk/var_historical.hpp"
#include "greekbook/risk/var_montecarlo.hpp"
#include "greekbook/risk/var_stats.hpp"

namespace greekbook::risk {
namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Factor names and daily standard deviations of a set of returns (price factors, then vol factors).
void describe(const Returns& r, std::vector<std::string>& names, std::vector<double>& sigma) {
  const auto add = [&](const std::string& name, const std::vector<double>& x) {
    double m = 0.0, sd = 0.0;
    mean_sd(x, m, sd);
    names.push_back(name);
    sigma.push_back(sd);
  };
  for (std::size_t u = 0; u < r.underlyings.size(); ++u) add(r.underlyings[u], r.price[u]);
  for (std::size_t u = 0; u < r.underlyings.size(); ++u)
    if (r.has_vol(u)) add(r.underlyings[u] + " vol", r.vol[u]);
}

// Levels, tails, approximation error and component ES from the scenario PnLs. `tail_scenarios`
// rebuilds the scenarios of a list of indices.
void summarise(const VarBook& book, const VarOptions& opts, std::span<const double> pnl, std::span<const double> approx,
               bool monte_carlo, const std::function<ScenarioSet(std::span<const std::size_t>)>& tail_scenarios,
               MethodResult& res) {
  const std::size_t n = pnl.size();
  res.scenarios = n;
  mean_sd(pnl, res.mean_pnl_usd, res.sd_pnl_usd);
  res.worst_pnl_usd = *std::min_element(pnl.begin(), pnl.end());
  double ss = 0.0, worst = 0.0;
  for (std::size_t s = 0; s < n; ++s) {
    const double e = approx[s] - pnl[s];
    ss += e * e;
    worst = std::max(worst, std::abs(e));
  }
  res.approx_rmse_usd = std::sqrt(ss / static_cast<double>(n));
  res.approx_max_abs_error_usd = worst;
  std::vector<double> sums(book.positions().size());
  for (double level : opts.levels) {
    const TailStats t = tail_stats(pnl, level);
    const TailStats a = tail_stats(approx, level);
    LevelResult l;
    l.level = level;
    l.tail_count = t.k;
    l.var_usd = t.var;
    l.es_usd = t.es;
    l.var_se_usd = monte_carlo ? t.var_se : kNaN;
    l.es_se_usd = monte_carlo ? t.es_se : kNaN;
    l.var_approx_usd = a.var;
    l.es_approx_usd = a.es;
    const ScenarioSet tail = tail_scenarios(t.tail);
    book.position_sums(tail, opts.horizon_days, sums);
    l.component_es_usd.resize(sums.size());
    for (std::size_t i = 0; i < sums.size(); ++i) l.component_es_usd[i] = -sums[i] / static_cast<double>(t.k);
    res.levels.push_back(std::move(l));
  }
}
}  // namespace

const char* to_string(VarMethod m) noexcept {
  switch (m) {
    case VarMethod::Historical: return "historical";
    case VarMethod::Filtered: return "filtered";
    case VarMethod::MonteCarlo: return "montecarlo";
  }
  return "?";
}

Result<VarMethod> parse_var_method(std::string_view name) {
  if (name == "historical") return VarMethod::Historical;
  if (name == "filtered") return VarMethod::Filtered;
  if (name == "montecarlo") return VarMethod::MonteCarlo;
  return make_error(fmt::format("method '{}': expected historical, filtered or montecarlo", name));
}

Result<bool> validate(const VarOptions& o) {
  if (o.horizon_days < 1 || o.horizon_days > 250)
    return make_error(fmt::format("--horizon-days {}: expected a whole number of days in [1, 250]", o.horizon_days));
  if (o.levels.empty()) return make_error("--levels: at least one level");
  for (double l : o.levels)
    if (!(l > 0.5 && l < 1.0))
      return make_error(fmt::format("--levels: {} is not a confidence level in (0.5, 1), e.g. 0.99", l));
  if (o.window < 30) return make_error(fmt::format("--window {}: at least 30 daily returns", o.window));
  if (!(o.ewma_lambda > 0.0 && o.ewma_lambda < 1.0))
    return make_error(fmt::format("--lambda {}: EWMA decay must be in (0, 1)", o.ewma_lambda));
  if (o.paths < 100 || o.paths > 10'000'000)
    return make_error(fmt::format("--paths {}: between 100 and 10,000,000 (the PnL of every path is kept)", o.paths));
  if (o.nu && !(*o.nu > 2.0)) return make_error(fmt::format("--nu {}: Student-t degrees of freedom must be > 2", *o.nu));
  if (o.block_paths < 1) return make_error("block_paths must be >= 1");
  return true;
}

Result<MethodResult> run_var(const VarBook& book, const Returns& full, VarMethod method, const VarOptions& opts) {
  GB_TRY(ok, validate(opts));
  (void)ok;
  if (full.underlyings != book.underlyings())
    return make_error(fmt::format("returns cover {} but the book's underlyings are {}", fmt::join(full.underlyings, ","),
                                  fmt::join(book.underlyings(), ",")));
  const std::size_t h = static_cast<std::size_t>(opts.horizon_days);
  const Returns window = full.tail(opts.window);
  MethodResult res;
  res.method = method;
  res.horizon_days = opts.horizon_days;
  res.window_returns = window.size();
  if (window.size() < std::max<std::size_t>(30, h + 29))
    return make_error(fmt::format("the history gives {} common daily returns ({} to {}); {}-day VaR needs at least {}",
                                  window.size(), window.size() ? format_day(window.days.front()) : "-",
                                  window.size() ? format_day(window.days.back()) : "-", h,
                                  std::max<std::size_t>(30, h + 29)));
  res.first_day = window.days.front();
  res.last_day = window.days.back();
  if (window.size() < opts.window)
    res.notes.push_back(fmt::format("the history has {} common daily returns: window shortened from {}", window.size(),
                                    opts.window));
  const auto opts_vol = book.option_factors();
  for (std::size_t u = 0; u < full.underlyings.size(); ++u)
    if (!full.has_vol(u) && std::find(opts_vol.begin(), opts_vol.end(), u) != opts_vol.end())
      res.notes.push_back(fmt::format("no ATM vol history for {}: the implied vols of its options are held", full.underlyings[u]));
  if (h > 1 && method != VarMethod::MonteCarlo)
    res.notes.push_back(fmt::format("{}-day scenarios: overlapping windows of {} daily returns", h, h));
  if (h > 1 && method == VarMethod::MonteCarlo)
    res.notes.push_back(fmt::format("{}-day scenarios: one step, the daily model scaled by sqrt({})", h, h));

  if (method != VarMethod::MonteCarlo) {
    const Returns daily = method == VarMethod::Historical ? window : filtered_returns(full, opts.window, opts.ewma_lambda);
    if (method == VarMethod::Historical) {
      describe(window, res.factor_names, res.factor_sigma_daily);
    } else {
      const auto add = [&](const std::string& name, const std::vector<double>& x) {
        res.factor_names.push_back(name);
        res.factor_sigma_daily.push_back(ewma_sigma(x, opts.ewma_lambda).back());
      };
      for (std::size_t u = 0; u < full.underlyings.size(); ++u) add(full.underlyings[u], full.price[u]);
      for (std::size_t u = 0; u < full.underlyings.size(); ++u)
        if (full.has_vol(u)) add(full.underlyings[u] + " vol", full.vol[u]);
    }
    const ScenarioSet sc = horizon_scenarios(daily, h);
    std::vector<double> pnl(sc.n), approx(sc.n);
    book.revalue(sc, static_cast<double>(h), pnl);
    book.approximate(sc, static_cast<double>(h), approx);
    summarise(book, opts, pnl, approx, false, [&](std::span<const std::size_t> idx) { return sc.select(idx); }, res);
    return res;
  }

  GB_TRY(model, estimate_mc_model(window, opts.nu));
  GB_TRY(mc, run_monte_carlo(book, model, opts));
  mc.window_returns = res.window_returns;
  mc.first_day = res.first_day;
  mc.last_day = res.last_day;
  mc.notes.insert(mc.notes.begin(), res.notes.begin(), res.notes.end());
  return mc;
}

Result<MethodResult> run_monte_carlo(const VarBook& book, const McModel& model, const VarOptions& opts) {
  GB_TRY(ok, validate(opts));
  (void)ok;
  if (model.underlyings() != book.underlyings().size() || model.cholesky.size() != model.dims() * model.dims())
    return make_error("Monte Carlo model: factors do not match the book, or the model is not factorised");
  MethodResult res;
  res.method = VarMethod::MonteCarlo;
  res.horizon_days = opts.horizon_days;
  res.factor_names = model.names;
  res.factor_sigma_daily = model.sigma;
  res.nu = model.nu;
  res.excess_kurtosis = model.excess_kurtosis;
  res.correlation = model.correlation;
  const double h = static_cast<double>(opts.horizon_days);
  const std::size_t P = opts.paths;
  std::vector<double> pnl(P), approx(P);
  ScenarioSet sc;
  for (std::size_t first = 0; first < P; first += opts.block_paths) {
    const std::size_t count = std::min(opts.block_paths, P - first);
    simulate(model, opts.seed, h, first, count, sc);
    book.revalue(sc, h, std::span<double>(pnl).subspan(first, count));
    book.approximate(sc, h, std::span<double>(approx).subspan(first, count));
  }
  summarise(book, opts, pnl, approx, true,
            [&](std::span<const std::size_t> idx) {
              ScenarioSet t;
              simulate_paths(model, opts.seed, h, idx, t);
              return t;
            },
            res);
  return res;
}

}  // namespace greekbook::risk
