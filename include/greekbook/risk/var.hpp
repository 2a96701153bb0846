#pragma once
// Value at risk and expected shortfall of a book by full revaluation (docs/var.md): historical,
// filtered historical (EWMA) and Monte Carlo scenarios, each with the delta-gamma-vega approximation
// alongside and the component ES of every position.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/risk/history.hpp"
#include "greekbook/risk/var_book.hpp"
#include "greekbook/risk/var_montecarlo.hpp"

namespace greekbook::risk {

enum class VarMethod { Historical, Filtered, MonteCarlo };

const char* to_string(VarMethod m) noexcept;
/// "historical", "filtered", "montecarlo"; errors list the names.
Result<VarMethod> parse_var_method(std::string_view name);

struct VarOptions {
  int horizon_days = 1;                                ///< 1 or 10 (any h >= 1 works)
  std::vector<double> levels = {0.95, 0.99, 0.995};    ///< confidence levels in (0.5, 1)
  std::size_t window = 365;                            ///< most recent daily returns used
  double ewma_lambda = 0.94;                           ///< filtered historical simulation (RiskMetrics)
  std::size_t paths = 10000;                           ///< Monte Carlo paths
  std::uint64_t seed = 1;                              ///< Monte Carlo seed
  std::optional<double> nu;                            ///< Student-t dof: nullopt estimated, +inf normal
  std::size_t block_paths = 65536;                     ///< Monte Carlo paths revalued per block (memory bound)
};

/// Checks ranges (levels, horizon, window, lambda, paths, nu); errors name the option.
Result<bool> validate(const VarOptions& opts);

struct LevelResult {
  double level = 0.0;
  std::size_t tail_count = 0;              ///< k: tail scenarios
  double var_usd = 0.0, es_usd = 0.0;      ///< full revaluation (losses, positive)
  double var_se_usd = 0.0, es_se_usd = 0.0;  ///< Monte Carlo standard errors (NaN for the historical methods)
  double var_approx_usd = 0.0, es_approx_usd = 0.0;  ///< delta-gamma-vega approximation
  /// Per position (VarBook order): minus its mean PnL over the k tail scenarios. Sums to es_usd.
  std::vector<double> component_es_usd;
};

struct MethodResult {
  VarMethod method = VarMethod::Historical;
  int horizon_days = 1;
  std::size_t scenarios = 0;
  std::int64_t first_day = 0, last_day = 0;  ///< dates of the daily returns used (the estimation window)
  std::size_t window_returns = 0;
  double mean_pnl_usd = 0.0, sd_pnl_usd = 0.0, worst_pnl_usd = 0.0;
  double approx_rmse_usd = 0.0;           ///< root mean square of (approximation - full) over all scenarios
  double approx_max_abs_error_usd = 0.0;  ///< largest |approximation - full|
  std::vector<LevelResult> levels;
  // Model (filtered: EWMA forecast; Monte Carlo: the estimated model).
  std::vector<std::string> factor_names;
  std::vector<double> factor_sigma_daily;  ///< filtered: sigma_{n+1}; Monte Carlo: sample sd; historical: sample sd
  double nu = 0.0;                          ///< Monte Carlo: Student-t dof (inf = normal)
  double excess_kurtosis = 0.0;             ///< Monte Carlo: pooled excess kurtosis of the window
  std::vector<double> correlation;          ///< Monte Carlo: factor correlation (row-major)
  std::vector<std::string> notes;
};

/// VaR/ES of `book` by one method from the daily returns `full` (all of them; the method takes the last
/// `window`). `full.underlyings` must be book.underlyings() in order.
Result<MethodResult> run_var(const VarBook& book, const Returns& full, VarMethod method, const VarOptions& opts);

/// Monte Carlo VaR/ES of `book` under a given (factorised) model: opts.paths paths streamed in blocks of
/// opts.block_paths (factors of a block, never paths x positions), PnL per path kept for the quantiles.
/// model.underlyings() must match book.underlyings().
Result<MethodResult> run_monte_carlo(const VarBook& book, const McModel& model, const VarOptions& opts);

}  // namespace greekbook::risk
