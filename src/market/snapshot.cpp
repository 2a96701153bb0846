#include "greekbook/market/snapshot.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "greekbook/core/time.hpp"
#include "greekbook/pricing/black76.hpp"

namespace greekbook::market {

const PerpetualQuote* UnderlyingMarket::perpetual(const std::string& instrument) const {
  for (const auto& p : perpetuals)
    if (p.instrument == instrument) return &p;
  return nullptr;
}

const FutureQuote* UnderlyingMarket::future(const std::string& instrument) const {
  for (const auto& f : futures)
    if (f.instrument == instrument) return &f;
  return nullptr;
}

const OptionQuote* UnderlyingMarket::option(const std::string& instrument) const {
  const auto it = options.find(instrument);
  return it == options.end() ? nullptr : &it->second;
}

const UnderlyingMarket* MarketSnapshot::underlying(const std::string& name) const {
  const auto it = underlyings.find(name);
  return it == underlyings.end() ? nullptr : &it->second;
}

namespace {

// Median of the venue's per-expiry forwards quoted on the options (robust to a stale row).
std::vector<ForwardPoint> synthetic_forwards(const UnderlyingMarket& u) {
  std::map<std::int64_t, std::vector<double>> by_expiry;
  for (const auto& [name, q] : u.options)
    if (q.underlying_price && *q.underlying_price > 0) by_expiry[q.expiry_ms].push_back(*q.underlying_price);
  std::vector<ForwardPoint> out;
  for (auto& [expiry, v] : by_expiry) {
    std::sort(v.begin(), v.end());
    out.push_back({expiry, v[v.size() / 2], "option underlying price"});
  }
  return out;
}

void build_surface(UnderlyingMarket& u, std::int64_t valuation_ms) {
  std::map<std::int64_t, SmileFit> smiles;
  for (const auto& s : u.smiles) {
    const double T = core::years_between(valuation_ms, s.expiry_ms);
    if (T <= 0) continue;
    SmileFit f;
    f.expiry_years = T;
    f.params = s.params;
    // A given smile has no quotes: check it over +-4 standard deviations of its at-the-money total
    // variance (at least +-0.25), widened by half on each side as for fitted smiles.
    const double half_width = std::max(0.25, 4.0 * std::sqrt(std::max(svi_total_variance(s.params, 0.0), 0.0)));
    f.k_min = -half_width;
    f.k_max = half_width;
    const auto check = check_butterfly(s.params, -1.5 * half_width, 1.5 * half_width);
    f.min_g = check.min_g;
    f.butterfly_free = check.free;
    smiles[s.expiry_ms] = f;
  }
  // Fit the quoted mark IVs of expiries without a given smile. Out-of-the-money quotes only:
  // a call and a put of one strike carry the same mark IV.
  std::map<std::int64_t, std::vector<SmileQuote>> quotes;
  for (const auto& [name, q] : u.options) {
    if (!q.mark_iv || !(*q.mark_iv > 0) || smiles.count(q.expiry_ms)) continue;
    const double T = core::years_between(valuation_ms, q.expiry_ms);
    const auto F = u.forwards.forward(q.expiry_ms);
    if (T <= 0 || !F) continue;
    const bool otm = q.right == pricing::OptionType::Call ? q.strike >= *F : q.strike < *F;
    if (!otm) continue;
    const auto g = pricing::black76({q.right, *F, q.strike, T, *q.mark_iv, 0.0});
    quotes[q.expiry_ms].push_back({std::log(q.strike / *F), *q.mark_iv, std::max(g.vega / *F, 1e-8)});
  }
  for (auto& [expiry, qs] : quotes) {
    const double T = core::years_between(valuation_ms, expiry);
    auto fit = fit_svi(qs, T);
    if (fit) {
      smiles[expiry] = *fit;
    } else {
      u.surface_errors.push_back(
          fmt::format("{} expiry {}: {}", u.name, core::format_utc_ms(expiry), fit.error().message));
    }
  }
  std::vector<SmileFit> fits;
  u.surface_expiries.clear();
  for (auto& [expiry, f] : smiles) {
    u.surface_expiries.push_back(expiry);
    fits.push_back(f);
  }
  u.surface = VolSurface(std::move(fits));
}

}  // namespace

void finalise(MarketSnapshot& snap) {
  for (auto& [name, u] : snap.underlyings) {
    std::vector<ForwardPoint> points;
    for (const auto& f : u.futures) points.push_back({f.expiry_ms, f.mark.value, f.instrument + " mark"});
    for (auto& p : synthetic_forwards(u)) points.push_back(std::move(p));
    std::optional<double> spot;
    if (u.index) spot = u.index->value;
    u.forwards = ForwardCurve(snap.valuation_ms, spot, std::move(points));
    u.surface_errors.clear();
    build_surface(u, snap.valuation_ms);
  }
}

}  // namespace greekbook::market
