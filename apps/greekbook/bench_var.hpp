#pragma once
// VaR benchmark of `greekbook bench` (issue 5 target: Monte Carlo VaR of a 10,000-option book over
// 10,000 paths, 10^8 revaluations, <= 1 s on the 2-core machine with TBB; all cores, medians).
#include <cstddef>
#include <string>

namespace greekbook::cli {

struct VarBench {
  double mc_var_10k_ms = 0;        ///< whole Monte Carlo VaR/ES run: paths, full revaluation, approximation,
                                   ///< 3 levels with standard errors and component ES
  double mc_var_revals_per_s = 0;  ///< 10^8 option revaluations / that time
  double revalue_only_ms = 0;      ///< the 10^8 revaluations alone (VarBook::revalue on pre-drawn paths)
  std::size_t threads = 0;         ///< worker threads TBB used
  std::string error;               ///< non-empty when the run failed
};

/// Builds a synthetic 10,000-option BTC/ETH book and a 4-factor Student-t model and times
/// run_monte_carlo() over 10,000 paths `repeats` times (median).
VarBench run_var_bench(int repeats);

}  // namespace greekbook::cli
