// Liquidation probability (docs/liquidation-probability.md): the paths of simulate_paths(), statistics
// of the first-passage time, and the collateral (bisection over the same paths) and delta hedge that
// bring the probability under a target.
#include "greekbook/risk/liquidation_probability.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "greekbook/liquidation/liquidation_price.hpp"

namespace greekbook::risk {
using instruments::Kind;

namespace {

std::vector<int> all_paths(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

int count_liquidated(const std::vector<FirstPassage>& out, std::span<const int> paths, std::vector<int>* which) {
  int n = 0;
  for (const int i : paths)
    if (out[i].step >= 0) {
      ++n;
      if (which) which->push_back(i);
    }
  return n;
}

TimeToLiquidation time_stats(const std::vector<FirstPassage>& out, double dt_days, double horizon_days,
                             const std::vector<double>& quantiles) {
  TimeToLiquidation t;
  std::vector<double> taus;
  for (const auto& o : out)
    if (o.step >= 0) taus.push_back(o.step * dt_days);
  std::sort(taus.begin(), taus.end());
  const double n = static_cast<double>(out.size());
  double sum = 0.0;
  for (const double x : taus) sum += x;
  t.mean_days_capped = (sum + (n - static_cast<double>(taus.size())) * horizon_days) / n;
  if (!taus.empty()) {
    t.mean_days_given_liquidation = sum / static_cast<double>(taus.size());
    for (const double q : quantiles) {  // linear interpolation between order statistics (type 7)
      const double h = q * static_cast<double>(taus.size() - 1);
      const auto lo = static_cast<std::size_t>(std::floor(h));
      const std::size_t hi = std::min(lo + 1, taus.size() - 1);
      t.quantiles.emplace_back(q, taus[lo] + (h - static_cast<double>(lo)) * (taus[hi] - taus[lo]));
    }
  }
  std::vector<double> days;
  for (int d = 1; d < horizon_days - 1e-9; ++d) days.push_back(d);
  days.push_back(horizon_days);
  for (const double d : days) {
    const auto c = std::upper_bound(taus.begin(), taus.end(), d + 1e-9) - taus.begin();
    t.cumulative.emplace_back(d, static_cast<double>(c) / n);
  }
  return t;
}

/// Where extra collateral for `pool` goes: (currency, placement, isolated position index or −1).
struct Placement {
  std::string currency, placement;
  int isolated = -1;
};

Placement placement_for(const scenario::AccountState& a, const std::string& pool, const std::string& pool_currency) {
  constexpr std::string_view iso = "isolated ";
  if (pool.rfind(iso, 0) == 0) {
    const std::string name = pool.substr(iso.size());
    for (std::size_t i = 0; i < a.positions.size(); ++i)
      if (a.positions[i].instrument.name == name && a.positions[i].isolated_margin)
        return {a.positions[i].instrument.settlement_currency, "isolated margin of " + name, static_cast<int>(i)};
  }
  if (pool_currency != "USD" && !pool_currency.empty()) return {pool_currency, "collateral", -1};
  std::string best;
  for (const auto& [ccy, amount] : a.collateral)
    if (scenario::is_stablecoin(ccy) && (best.empty() || std::abs(amount) > std::abs(a.collateral.at(best)))) best = ccy;
  return {best.empty() ? "USDC" : best, "collateral", -1};
}

scenario::AccountState with_collateral(const scenario::AccountState& a, const Placement& p, double amount) {
  scenario::AccountState b = a;
  if (p.isolated >= 0)
    *b.positions[p.isolated].isolated_margin += amount;
  else
    b.collateral[p.currency] += amount;
  return b;
}

/// The perpetual (preferred) or future on `u` to hedge with, as a trade template; null when none.
std::optional<scenario::PositionState> hedge_template(const scenario::AccountState& a, const std::string& u,
                                                      const LiquidationProbabilityOptions& o) {
  const scenario::PositionState* best = nullptr;
  const auto rank = [](const scenario::PositionState& p) {
    return (p.instrument.kind == Kind::Perpetual ? 0 : 2) + (p.isolated_margin ? 1 : 0);
  };
  for (const auto& p : a.positions)
    if (p.instrument.underlying == u && (p.instrument.kind == Kind::Perpetual || p.instrument.kind == Kind::Future) &&
        (!best || rank(p) < rank(*best)))
      best = &p;
  if (best) return *best;
  if (auto it = o.hedge_instruments.find(u); it != o.hedge_instruments.end()) return it->second;
  return std::nullopt;
}

}  // namespace

Result<LiquidationProbability> liquidation_probability(const scenario::AccountState& account,
                                                       const margin::MarginModel& model,
                                                       const LiquidationProbabilityOptions& o) {
  GB_TRY(valid, validate(o));
  (void)valid;
  if (!account.errors.empty())  // never a probability of part of the account
    return make_error(fmt::format("account '{}': positions the market could not value: {}", account.id,
                                  fmt::join(account.errors, "; ")));
  LiquidationProbability res;
  res.account = account.id;
  res.model = model.name();
  res.horizon_days = o.horizon_days;
  res.steps = static_cast<int>(std::ceil(o.horizon_days * o.steps_per_day - 1e-9));
  res.dt_days = o.horizon_days / res.steps;
  // Underlyings: the given order, then the account's own.
  const std::vector<std::string> exposed = liquidation::account_underlyings(account);
  res.underlyings = o.underlyings;
  for (const auto& u : exposed)
    if (std::find(res.underlyings.begin(), res.underlyings.end(), u) == res.underlyings.end()) res.underlyings.push_back(u);
  const std::size_t n = res.underlyings.size();
  std::vector<double> vols(n, 0.0), drifts(n, 0.0), corr(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& u = res.underlyings[i];
    std::optional<double> v;
    if (auto it = o.vols.find(u); it != o.vols.end()) v = it->second;
    else if (o.vol) v = *o.vol;
    else if (auto jt = account.atm_vol.find(u); jt != account.atm_vol.end()) v = jt->second;
    const bool needed = std::find(exposed.begin(), exposed.end(), u) != exposed.end();
    if (needed && !(v && *v > 0 && std::isfinite(*v)))
      return make_error(fmt::format("account '{}': no vol for {} (the market has no ATM vol for it): give --vol",
                                    account.id, u));
    vols[i] = v && std::isfinite(*v) ? *v : 0.0;
    drifts[i] = o.log_drift_per_year ? *o.log_drift_per_year : -0.5 * vols[i] * vols[i];
    if (needed) {
      res.vols[u] = vols[i];
      res.log_drifts[u] = drifts[i];
    }
    for (std::size_t j = 0; j < n; ++j) {
      double c = i == j ? 1.0 : o.correlation;
      if (auto it = o.correlations.find({u, res.underlyings[j]}); it != o.correlations.end()) c = it->second;
      if (auto it = o.correlations.find({res.underlyings[j], u}); it != o.correlations.end()) c = it->second;
      corr[i * n + j] = i == j ? 1.0 : c;
    }
  }
  PathSetup s;
  s.underlyings = res.underlyings;
  s.steps = res.steps;
  s.dt_years = res.dt_days / 365.0;
  s.seed = o.seed;
  s.time_decay = o.time_decay;
  auto gen = PathGenerator::make(vols, drifts, corr, o.price_model, o.student_dof, s.dt_years);
  if (!gen) return make_error(fmt::format("account '{}': {}", account.id, gen.error().message));
  s.generator = std::move(*gen);

  auto now = model.compute_pools(account);
  if (!now) return make_error(now.error().message);
  res.excess_usd_now = now->min_excess_usd();
  res.below_maintenance_now = !(res.excess_usd_now >= 0);
  const std::vector<int> every = all_paths(o.paths);
  std::vector<FirstPassage> out(o.paths);
  if (!o.screen) s.screen_paths = 0;
  res.screened = s.screen_paths > 0 && static_cast<std::size_t>(o.paths) >= s.screen_paths && screen_applies(account, s);
  GB_TRY(evals, simulate_paths(account, model, s, every, out));
  res.margin_evaluations += evals;
  std::vector<int> liquidated;
  const int n_liq = count_liquidated(out, every, &liquidated);
  res.estimate = wilson_estimate(n_liq, o.paths, o.confidence);
  if (res.below_maintenance_now) {
    res.estimate.low = res.estimate.high = 1.0;  // certain, not estimated
    res.notes.push_back(fmt::format("below maintenance now (excess {:.2f} USD): liquidatable at once", res.excess_usd_now));
  }
  res.time = time_stats(out, res.dt_days, o.horizon_days, o.quantiles);
  for (const int i : liquidated) ++res.liquidated_pools[out[i].pool];
  if (res.estimate.probability <= o.target) return res;

  const double allowed = std::floor(o.target * o.paths + 1e-9);
  if (o.solve_collateral) {
    CollateralSolution c;
    int best = 0;
    for (const auto& [pool, count] : res.liquidated_pools)
      if (count > best) best = count, c.pool = pool;
    std::string pool_ccy = "USD";
    double mm_usd = 0.0;
    for (const auto& p : now->pools) {
      if (p.name == c.pool) pool_ccy = p.currency;
      mm_usd += p.maintenance_margin * p.usd_rate;
    }
    const Placement place = placement_for(account, c.pool, pool_ccy);
    c.currency = place.currency;
    c.placement = place.placement;
    const double rate = account.usd_rate(place.currency);
    if (!(rate > 0 && std::isfinite(rate)))
      return make_error(fmt::format("account '{}': no USD rate for {} (the collateral to add)", account.id, place.currency));
    // Common random numbers: a path that survives with X survives with more; only the paths
    // liquidated at the bottom of the bracket are simulated again.
    double lo = 0.0, hi = std::max({0.25 * mm_usd, -res.excess_usd_now, 1.0}) / rate;
    std::vector<int> liq_lo = liquidated, liq_hi;
    int count_hi = -1;
    for (int expansion = 0; expansion < 20; ++expansion) {
      std::vector<FirstPassage> trial(o.paths);
      GB_TRY(e, simulate_paths(with_collateral(account, place, hi), model, s, liq_lo, trial));
      res.margin_evaluations += e;
      ++c.bisection_steps;
      std::vector<int> which;
      const int count = count_liquidated(trial, liq_lo, &which);
      if (count <= allowed) {
        count_hi = count;
        break;
      }
      lo = hi;
      liq_lo = std::move(which);
      hi *= 4.0;
    }
    if (count_hi < 0) {
      c.amount = hi;
      c.note = fmt::format("{} {} in {} does not bring the probability to {} (other pools or the model's own limits)",
                           hi, place.currency, c.pool, o.target);
      c.after = wilson_estimate(static_cast<int>(liq_lo.size()), o.paths, o.confidence);
    } else {
      while (hi - lo > o.collateral_rel_tol * hi) {
        const double mid = 0.5 * (lo + hi);
        std::vector<FirstPassage> trial(o.paths);
        GB_TRY(e, simulate_paths(with_collateral(account, place, mid), model, s, liq_lo, trial));
        res.margin_evaluations += e;
        ++c.bisection_steps;
        std::vector<int> which;
        const int count = count_liquidated(trial, liq_lo, &which);
        if (count <= allowed) {
          hi = mid;
          count_hi = count;
        } else {
          lo = mid;
          liq_lo = std::move(which);
        }
      }
      c.amount = hi;
      c.reached = true;
      c.after = wilson_estimate(count_hi, o.paths, o.confidence);
    }
    c.amount_usd = c.amount * rate;
    res.collateral = std::move(c);
  }
  if (o.solve_hedge) {
    HedgeSolution h;
    scenario::AccountState hedged = account;
    const auto deltas = usd_delta(account, exposed);
    for (const auto& u : exposed) {
      const double d = deltas.at(u);
      auto t = hedge_template(account, u, o);
      if (!t) {
        h.unhedged.push_back(fmt::format("{}: no perpetual or future on {} in the account or given", u, u));
        continue;
      }
      if (d == 0.0 || !std::isfinite(d)) continue;
      // USD delta per unit traded, under the simulation's moves (marks x factor):
      // linear mark / spot, inverse (USD quantity, filled at the mark) 1 / mark.
      const double per_unit = t->instrument.inverse ? 1.0 / t->mark : t->mark / t->spot;
      // 9 significant digits: the finite-difference delta is exact to ~1e-12 (a perp-only book nets to 0).
      const double q = -d / per_unit, scale = std::pow(10.0, 8 - std::floor(std::log10(std::abs(q))));
      t->quantity = std::round(q * scale) / scale;
      t->entry = t->mark;
      t->isolated_margin.reset();
      t->new_trade = true;
      h.legs.push_back({u, t->instrument.name, d, t->quantity, t->notional_usd()});
      add_trade(hedged, *t);
    }
    std::vector<FirstPassage> trial(o.paths);
    GB_TRY(e, simulate_paths(hedged, model, s, every, trial));
    res.margin_evaluations += e;
    h.after = wilson_estimate(count_liquidated(trial, every, nullptr), o.paths, o.confidence);
    h.reached = h.after.probability <= o.target;
    res.hedge = std::move(h);
  }
  return res;
}

}  // namespace greekbook::risk
