#pragma once
// Monte Carlo risk-factor model for VaR (docs/var.md).
//
// Factors: the log return of each underlying's price and, where the history has an ATM vol, the log
// change of that vol (a driftless log-normal volatility process correlated with the returns, so option
// books see vol risk). Over a horizon of h days one vector x is drawn per path:
//   x = sqrt(h) * sigma (.) (L z) * sqrt((nu - 2) / W),   z ~ N(0, I_D), W ~ chi^2_nu,  L L' = correlation
// a multivariate Student-t with nu degrees of freedom scaled to covariance h Sigma (fat tails and tail
// dependence; nu = infinity gives the normal). Spot factor exp(x_price), vol factor exp(x_vol); zero drift.
// Estimation from a window of daily returns: sample standard deviations and correlation; nu by the
// method of moments from the pooled excess kurtosis k of the standardised returns, nu = 4 + 6 / k
// (normal when k <= 0.06, i.e. nu > 100).
// Random numbers: a SplitMix64 stream per path seeded from (seed, path index), so a path's draws do
// not depend on blocking or threads and any path can be regenerated (tail scenarios, component ES).
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/risk/history.hpp"
#include "greekbook/risk/var_book.hpp"

namespace greekbook::risk {

inline constexpr std::size_t kNoFactor = static_cast<std::size_t>(-1);

struct McModel {
  std::vector<std::string> names;         ///< D factor names: "BTC" (price), "BTC vol" (ATM vol)
  std::vector<std::size_t> price_factor;  ///< per underlying u: its price factor (= u)
  std::vector<std::size_t> vol_factor;    ///< per underlying u: its vol factor, or kNoFactor (vol held)
  std::vector<double> sigma;              ///< D daily standard deviations of the log changes
  std::vector<double> correlation;        ///< D x D, row-major
  double nu = std::numeric_limits<double>::infinity();  ///< Student-t degrees of freedom (> 2; inf = normal)
  double excess_kurtosis = 0.0;           ///< pooled, of the estimation window (diagnostic)
  std::vector<double> cholesky;           ///< D x D lower triangle of the correlation (set by factorise())

  std::size_t dims() const noexcept { return sigma.size(); }
  std::size_t underlyings() const noexcept { return price_factor.size(); }
  /// Cholesky factor of the correlation; errors when it is not positive definite or nu <= 2.
  Result<bool> factorise();
};

/// Estimates the model from daily returns (the window): nu nullopt = estimated, +inf = normal, else given.
/// Errors: fewer than D + 2 returns, a factor with zero variance, a correlation that is not positive definite.
Result<McModel> estimate_mc_model(const Returns& window, std::optional<double> nu);

/// Fills `out` (model.underlyings() factors, count scenarios) with paths [first, first + count) over
/// `horizon_days`. Deterministic per (seed, path). Parallel over paths (TBB).
void simulate(const McModel& model, std::uint64_t seed, double horizon_days, std::size_t first, std::size_t count,
              ScenarioSet& out);

/// The same for the listed paths (regenerates tail scenarios).
void simulate_paths(const McModel& model, std::uint64_t seed, double horizon_days, std::span<const std::size_t> paths,
                    ScenarioSet& out);

}  // namespace greekbook::risk
