#pragma once
// Backtesting of a VaR model (docs/var.md): coverage tests of an exception sequence and the rolling
// 1-day backtest of a method on history.
//
// Kupiec (1995) proportion of failures, with n days, x exceptions, p = 1 - level, p^ = x / n:
//   LR_pof = -2 ln[(1 - p)^(n - x) p^x] + 2 ln[(1 - p^)^(n - x) p^^x]           ~ chi^2(1)
// Christoffersen (1998) independence, with n_ij = days in state j after a day in state i (1 = exception),
//   pi0 = n01 / (n00 + n01), pi1 = n11 / (n10 + n11), pi = (n01 + n11) / (n00 + n01 + n10 + n11):
//   LR_ind = -2 ln[(1 - pi)^(n00 + n10) pi^(n01 + n11)] + 2 ln[(1 - pi0)^n00 pi0^n01 (1 - pi1)^n10 pi1^n11]  ~ chi^2(1)
//   conditional coverage LR_cc = LR_pof + LR_ind                                   ~ chi^2(2)
// with 0 ln 0 = 0. p-values are chi-squared upper tails (Boost.Math).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/risk/history.hpp"
#include "greekbook/risk/var.hpp"
#include "greekbook/risk/var_book.hpp"

namespace greekbook::risk {

struct CoverageTests {
  double level = 0.0;
  std::size_t days = 0, exceptions = 0;
  double expected_rate = 0.0, observed_rate = 0.0;
  double lr_pof = 0.0, p_pof = 1.0;                       ///< Kupiec
  std::size_t n00 = 0, n01 = 0, n10 = 0, n11 = 0;         ///< transitions
  double pi0 = 0.0, pi1 = 0.0;
  double lr_ind = 0.0, p_ind = 1.0;                       ///< Christoffersen independence
  double lr_cc = 0.0, p_cc = 1.0;                         ///< conditional coverage
};

/// Coverage tests of an exception sequence (1 = the loss exceeded VaR that day) at a VaR `level`.
CoverageTests coverage_tests(std::span<const std::uint8_t> exceptions, double level);

/// Chi-squared upper tail P(X > x) with `dof` degrees of freedom (1 for x <= 0).
double chi2_upper_tail(double x, double dof);

struct BacktestResult {
  VarMethod method = VarMethod::Historical;
  std::size_t window = 0;                 ///< daily returns behind each forecast
  std::vector<std::int64_t> days;         ///< the days forecast (the day each realised return ends on)
  std::vector<double> pnl_usd;            ///< realised: today's book revalued under that day's returns (1 day)
  std::vector<std::vector<double>> var_usd;  ///< per level, per day: the forecast from the window before the day
  std::vector<CoverageTests> tests;       ///< per level
};

/// Rolling 1-day backtest of `method` over the returns `full`: for each day t after the first `window`
/// returns, VaR is computed from returns [t - window, t) exactly as run_var() would (Monte Carlo with
/// `mc_paths` paths, seed opts.seed + t, its model re-estimated each day) and compared with the
/// hypothetical PnL of today's book under day t's returns. Errors: fewer than window + 20 returns.
Result<BacktestResult> backtest_var(const VarBook& book, const Returns& full, VarMethod method, const VarOptions& opts,
                                    std::size_t mc_paths);

}  // namespace greekbook::risk
