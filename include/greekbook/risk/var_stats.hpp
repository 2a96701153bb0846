#pragma once
// Tail statistics of a PnL sample (docs/var.md, "Quantile convention").
//
// With n scenarios and level a, the tail is the k = ceil(n (1 - a)) worst scenarios (k >= 1):
//   VaR = -(k-th smallest PnL)            (the lower empirical quantile, a loss > 0)
//   ES  = -(mean of the k smallest PnLs)  (so ES >= VaR always)
// Ties are broken by scenario index, so the tail set is unique. Standard errors (Monte Carlo):
//   VaR: order statistics one binomial standard deviation d = sqrt(n a (1 - a)) ranks either side,
//        se = (L(k + d) - L(k - d)) / 2 in loss terms (the density-free form of sqrt(a(1-a)/n)/f(q));
//   ES:  se = sqrt((Var(L | tail) + a (ES - VaR)^2) / k).
#include <cstddef>
#include <span>
#include <vector>

namespace greekbook::risk {

/// k = ceil(n (1 - level)), at least 1 and at most n (1e-9 slack for 1 - 0.99 not being exact).
std::size_t tail_count(std::size_t n, double level) noexcept;

struct TailStats {
  double level = 0.0;
  std::size_t n = 0;           ///< scenarios
  std::size_t k = 0;           ///< tail size
  double var = 0.0;            ///< loss (USD), positive for a loss
  double es = 0.0;             ///< loss (USD)
  double var_se = 0.0;         ///< standard errors (meaningful for Monte Carlo samples)
  double es_se = 0.0;
  std::vector<std::size_t> tail;  ///< indices of the k worst scenarios, worst first
};

/// Tail statistics of `pnl` (n >= 1) at `level` in (0, 1).
TailStats tail_stats(std::span<const double> pnl, double level);

/// Mean and sample standard deviation.
void mean_sd(std::span<const double> x, double& mean, double& sd) noexcept;

}  // namespace greekbook::risk
