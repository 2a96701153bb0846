#pragma once
// Subcommands of the greekbook CLI. Each returns the process exit status:
// 0 success, 2 bad input or usage (nothing partial written), 1 internal failure.
#include <functional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace greekbook::cli {

struct TableOptions {
  std::string input = "-";   ///< CSV file or "-" for stdin
  std::string output = "-";  ///< CSV file (written atomically) or "-" for stdout
  bool skip_bad = false;     ///< report bad rows in an `error` column instead of failing
};

int run_price(const TableOptions& opts);
int run_iv(const TableOptions& opts);

struct BenchOptions {
  bool json = false;
  int options = 100000;  ///< options per batch
  int repeats = 7;       ///< timed repetitions; the median is reported
  std::string chain;     ///< optional Deribit chain CSV to time surface loading + fitting on
};

int run_bench(const BenchOptions& opts);

struct RiskOptions {
  std::string book, market, format = "table", output = "-";
};
int run_risk(const RiskOptions& opts);

struct ExplainOptions {
  std::string book, from, to, format = "table", output = "-";
};
int run_explain(const ExplainOptions& opts);

struct SurfaceOptions {
  std::string market, output = "-";
  bool json = false;
};
int run_surface(const SurfaceOptions& opts);

struct ConvertOptions {
  std::string input, output = "-";
};
int run_convert_market(const ConvertOptions& opts);

struct MarginOptions {
  std::string book, market, model, params, account, format = "table", output = "-";
  std::vector<std::string> what_if;  ///< "INSTRUMENT:QTY"
  double horizon_days = 1.0;         ///< horizon of the distances in standard deviations
  bool details = true;               ///< JSON: each model's own output (risk vectors)
};
int run_margin(const MarginOptions& opts);

struct LiquidationOptions {
  std::string book, market, model, params, account, underlying, depth, liquidation_params, auction_params;
  std::string side = "down";
  std::string format = "table", output = "-";
  std::vector<std::string> betas;  ///< "ETH=1.2": move every underlying together (factor^beta)
  double horizon_days = 0.0;       ///< 0 = not given: 1 day (distances), 7 days with --probability
  double insurance_fund = 0.0;  ///< USD available to cover a bankrupt account's deficit
  // --probability: Monte Carlo probability of liquidation within the horizon (docs/liquidation-probability.md).
  bool probability = false;
  int steps_per_day = 24;         ///< revaluation steps per day (24 = hourly)
  int paths = 10000;
  double target = 0.01;           ///< probability the collateral and hedge suggestions bring it under
  double vol = 0.0;               ///< annualised vol of every underlying; 0 = the market's ATM vol
  double correlation = 0.9;       ///< between the underlyings' log-price increments
  std::string price_model = "gbm";  ///< gbm or student-t
  double dof = 4.0;               ///< Student-t degrees of freedom
  unsigned long long seed = 1;
  bool no_screen = false;         ///< margin model at every step of every path (no safe-interval screen)
};
int run_liquidation(const LiquidationOptions& opts);

/// A subcommand registered by its own file: `cmd` is the CLI11 subcommand, `run` runs it once
/// parsed (returns the exit status). Used by the risk commands (stress, var, contagion).
struct Subcommand {
  CLI::App* cmd = nullptr;
  std::function<int()> run;
};
Subcommand add_stress(CLI::App& app);     // cmd_stress.cpp
Subcommand add_var(CLI::App& app);        // cmd_var.cpp
Subcommand add_contagion(CLI::App& app);  // cmd_contagion.cpp

}  // namespace greekbook::cli
