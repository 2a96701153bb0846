#pragma once
// Raw SVI smile (Gatheral 2004): total implied variance as a function of log-moneyness k = ln(K/F),
//   w(k) = a + b * (rho * (k - m) + sqrt((k - m)^2 + sigma^2)),   implied vol = sqrt(w(k) / T).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "greekbook/core/result.hpp"

namespace greekbook::market {

struct SviParams {
  double a = 0.0, b = 0.0, rho = 0.0, m = 0.0, sigma = 0.1;
};

/// w(k), dw/dk, d2w/dk2.
double svi_total_variance(const SviParams& p, double k) noexcept;
double svi_dw(const SviParams& p, double k) noexcept;
double svi_d2w(const SviParams& p, double k) noexcept;

/// Gatheral's butterfly density term g(k) = (1 - k w'/(2w))^2 - w'^2/4 (1/w + 1/4) + w''/2;
/// the smile is free of butterfly arbitrage where g >= 0 (and w > 0). Returns -infinity where w <= 0.
double svi_g(const SviParams& p, double k) noexcept;

/// Result of scanning g and w over [k_lo, k_hi]: 801 equally spaced points plus 65 points within
/// 8 sigma of m (where w'' is concentrated).
struct ButterflyCheck {
  double min_g = 0.0;     ///< smallest g on the grid (-infinity if w <= 0 somewhere)
  double k_at_min = 0.0;  ///< where it is reached
  double min_w = 0.0;     ///< smallest total variance on the grid
  bool free = false;      ///< min_g >= 0 and min_w > 0
};
ButterflyCheck check_butterfly(const SviParams& p, double k_lo, double k_hi) noexcept;

/// One quote of a smile: log-moneyness, implied vol (annualised, 0.5 = 50%) and a weight
/// (e.g. Black vega; larger = trusted more).
struct SmileQuote {
  double k = 0.0;
  double vol = 0.0;
  double weight = 1.0;
};

struct SmileFit {
  double expiry_years = 0.0;
  SviParams params;
  std::size_t quotes = 0;
  double k_min = 0.0, k_max = 0.0;  ///< log-moneyness range of the quotes
  double rmse_vol = 0.0;            ///< sqrt(sum weight_i (model vol - quote vol)^2 / sum weight_i)
  double max_abs_vol_error = 0.0;   ///< over the quotes, unweighted
  double min_g = 0.0;               ///< check_butterfly over [k_min, k_max] widened by 50% each side
  bool butterfly_free = false;      ///< min_g >= 0 and w > 0 on that grid
};

/// Vega-weighted least-squares SVI fit with butterfly-arbitrage-free constraint. Needs >= 5 quotes
/// with finite k, finite positive vols and weights, two distinct k, and expiry_years > 0; errors
/// name the problem and the value. Minimises sum weight_i (vol_model(k_i) - vol_i)^2 subject to
/// b >= 0, |rho| < 1, sigma > 0, b (1 + |rho|) <= 2 (Lee), w >= 0, and g >= 0 on check_butterfly's
/// grid over the quotes' range widened by 50% each side. With R = k_max - k_min, m is searched within
/// 2 R of the quotes and sigma in [0.001 R, 5 R]. Method and its checks: src/market/svi.cpp.
Result<SmileFit> fit_svi(std::span<const SmileQuote> quotes, double expiry_years);

/// A calendar-arbitrage violation: total variance decreasing in T at fixed k.
struct CalendarViolation {
  std::size_t earlier = 0, later = 0;  ///< indices of the smiles
  double k = 0.0;                      ///< log-moneyness where it is worst
  double w_earlier = 0.0, w_later = 0.0;
};

/// Volatility surface of one underlying: SVI smiles per expiry, interpolated linearly in total
/// variance between expiries at fixed log-moneyness; flat vol (w proportional to T) before the
/// first and after the last expiry.
class VolSurface {
 public:
  VolSurface() = default;
  /// Smiles in any order (each with expiry_years > 0); sorted by expiry_years inside.
  explicit VolSurface(std::vector<SmileFit> smiles);

  bool empty() const noexcept { return smiles_.empty(); }
  const std::vector<SmileFit>& smiles() const noexcept { return smiles_; }

  double total_variance(double expiry_years, double k) const noexcept;
  /// sqrt(w/T); precondition: !empty(), expiry_years > 0.
  double implied_vol(double expiry_years, double k) const noexcept;

  /// Checks w(k, T_i) <= w(k, T_{i+1}) for consecutive smiles on 401 points over the union of the two
  /// smiles' [k_min, k_max] ([-1, 1] for a smile without a quote range); one entry per violating pair,
  /// at the k where w_i - w_{i+1} is largest.
  std::vector<CalendarViolation> calendar_violations() const;

 private:
  std::vector<SmileFit> smiles_;
};

}  // namespace greekbook::market
