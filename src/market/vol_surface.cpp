// SVI smile formulas and butterfly scan; volatility surface from SVI smiles: total variance linear in T
// at fixed log-moneyness between expiries, flat implied vol (w proportional to T) outside them;
// calendar-arbitrage scan. The fit is in svi.cpp.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "greekbook/market/svi.hpp"

namespace greekbook::market {

double svi_total_variance(const SviParams& p, double k) noexcept {
  const double x = k - p.m;
  return p.a + p.b * (p.rho * x + std::sqrt(x * x + p.sigma * p.sigma));
}

double svi_dw(const SviParams& p, double k) noexcept {
  const double x = k - p.m;
  return p.b * (p.rho + x / std::sqrt(x * x + p.sigma * p.sigma));
}

double svi_d2w(const SviParams& p, double k) noexcept {
  const double x = k - p.m, s2 = x * x + p.sigma * p.sigma;
  return p.b * p.sigma * p.sigma / (s2 * std::sqrt(s2));
}

double svi_g(const SviParams& p, double k) noexcept {
  const double w = svi_total_variance(p, k);
  if (!(w > 0.0)) return -std::numeric_limits<double>::infinity();
  const double w1 = svi_dw(p, k), t = 1.0 - k * w1 / (2.0 * w);
  return t * t - 0.25 * w1 * w1 * (1.0 / w + 0.25) + 0.5 * svi_d2w(p, k);
}

ButterflyCheck check_butterfly(const SviParams& p, double k_lo, double k_hi) noexcept {
  ButterflyCheck c;
  c.min_g = c.min_w = std::numeric_limits<double>::infinity();
  auto visit = [&](double k) {
    const double g = svi_g(p, k);
    c.min_w = std::min(c.min_w, svi_total_variance(p, k));
    if (g < c.min_g || std::isnan(g)) c.min_g = g, c.k_at_min = k;
  };
  for (int i = 0; i < 801; ++i) visit(k_lo + (k_hi - k_lo) * i / 800);
  for (int i = 0; i < 65; ++i) {  // within 8 sigma of m, where w'' is concentrated
    const double k = p.m + p.sigma * (-8.0 + 0.25 * i);
    if (k > k_lo && k < k_hi) visit(k);
  }
  c.free = c.min_g >= 0.0 && c.min_w > 0.0;
  return c;
}

namespace {

constexpr int kCalendarGrid = 401;

// The k range a smile's quotes covered; [-1, 1] for a smile built by hand without one.
std::pair<double, double> quote_range(const SmileFit& s) {
  if (s.k_max > s.k_min) return {s.k_min, s.k_max};
  return {-1.0, 1.0};
}

}  // namespace

VolSurface::VolSurface(std::vector<SmileFit> smiles) : smiles_(std::move(smiles)) {
  std::stable_sort(smiles_.begin(), smiles_.end(),
                   [](const SmileFit& x, const SmileFit& y) { return x.expiry_years < y.expiry_years; });
}

double VolSurface::total_variance(double expiry_years, double k) const noexcept {
  if (smiles_.empty() || !(expiry_years > 0.0)) return 0.0;
  const SmileFit& first = smiles_.front();
  const SmileFit& last = smiles_.back();
  if (expiry_years <= first.expiry_years)
    return svi_total_variance(first.params, k) * (expiry_years / first.expiry_years);
  if (expiry_years >= last.expiry_years)
    return svi_total_variance(last.params, k) * (expiry_years / last.expiry_years);
  // first.expiry_years < T < last.expiry_years: hi is the first smile after T, lo the one before.
  const auto hi = std::upper_bound(smiles_.begin(), smiles_.end(), expiry_years,
                                   [](double t, const SmileFit& s) { return t < s.expiry_years; });
  const auto lo = hi - 1;
  const double u = (expiry_years - lo->expiry_years) / (hi->expiry_years - lo->expiry_years);
  return (1.0 - u) * svi_total_variance(lo->params, k) + u * svi_total_variance(hi->params, k);
}

double VolSurface::implied_vol(double expiry_years, double k) const noexcept {
  return std::sqrt(std::max(total_variance(expiry_years, k), 0.0) / expiry_years);
}

std::vector<CalendarViolation> VolSurface::calendar_violations() const {
  std::vector<CalendarViolation> out;
  for (std::size_t i = 0; i + 1 < smiles_.size(); ++i) {
    const SmileFit& e = smiles_[i];
    const SmileFit& l = smiles_[i + 1];
    const auto [e_lo, e_hi] = quote_range(e);
    const auto [l_lo, l_hi] = quote_range(l);
    const double lo = std::min(e_lo, l_lo), hi = std::max(e_hi, l_hi);
    CalendarViolation worst{i, i + 1, 0.0, 0.0, 0.0};
    double worst_gap = 0.0;
    for (int j = 0; j < kCalendarGrid; ++j) {
      const double k = lo + (hi - lo) * j / (kCalendarGrid - 1);
      const double we = svi_total_variance(e.params, k), wl = svi_total_variance(l.params, k);
      // Tolerance: rounding of w only; a later smile equal to the earlier one is no violation.
      const double gap = we - wl - 1e-12 * std::max(std::abs(we), std::abs(wl));
      if (gap > worst_gap) worst_gap = gap, worst.k = k, worst.w_earlier = we, worst.w_later = wl;
    }
    if (worst_gap > 0.0) out.push_back(worst);
  }
  return out;
}

}  // namespace greekbook::market
