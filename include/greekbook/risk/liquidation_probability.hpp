#pragma once
// Predictive liquidation: the probability that an account reaches its liquidation boundary
// (MarginResult::min_excess_usd() < 0 under its own margin model, compute_pools()) within a horizon,
// by Monte Carlo first passage (docs/liquidation-probability.md).
//
// Each path moves every simulated underlying u by a log-price increment per step of dt years,
//   ln S_u(t + dt) − ln S_u(t) = mu_u dt + sigma_u sqrt(dt) x_u,
//   mu_u = −sigma_u² / 2 by default (the price is a martingale: zero rates, no funding),
//   x = L z (L L' = the correlation matrix, z independent standard normals) for GBM, or
//   x = L z sqrt((nu − 2) / W), W ~ chi²(nu) shared by the underlyings (multivariate Student-t with
//   unit variance, tail dependence) for Student-t increments,
// and revalues the account in full at every step (spot, forwards, futures and perpetual marks and coin
// collateral move by S_u(t)/S_u(0); options are repriced in one SIMD batch with their implied vols
// held and their time to expiry shrunk by t; options and futures reaching expiry settle at intrinsic
// into the balance), then calls the account's margin model. The first step with a negative excess is
// the path's liquidation time tau. Path i draws from its own random stream (seed, i), so results do
// not depend on the number of threads, and the same seed gives the same paths to every account and
// to every variant of an account (common random numbers: extra collateral, hedge). Single-underlying
// accounts skip the model where a path is strictly inside the step's safe price interval (`screen`).
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::risk {

enum class PriceModel : std::uint8_t { Gbm, StudentT };
const char* to_string(PriceModel m) noexcept;
/// "gbm" or "student-t"; errors name the value.
Result<PriceModel> parse_price_model(std::string_view name);

struct LiquidationProbabilityOptions {
  double horizon_days = 7.0;   ///< horizon in calendar days (> 0)
  int steps_per_day = 24;      ///< revaluation (monitoring) steps per day: 24 = hourly
  int paths = 10000;           ///< Monte Carlo paths (>= 1)
  std::uint64_t seed = 1;      ///< path i draws from stream (seed, i)
  PriceModel price_model = PriceModel::Gbm;
  double student_dof = 4.0;    ///< Student-t degrees of freedom (> 2), increments scaled to unit variance
  std::optional<double> vol;   ///< annualised vol of every underlying (default: AccountState::atm_vol)
  std::map<std::string, double> vols;  ///< per underlying, overrides `vol`
  /// Correlation of the log-price increments of every pair of underlyings: 0.91 is BTC/ETH over the
  /// Deribit perpetual marks of 2025-12-30 … 2026-04-15 (../shared/data/deribit-chain-2026, 418 returns).
  double correlation = 0.9;
  std::map<std::pair<std::string, std::string>, double> correlations;  ///< per pair, overrides `correlation`
  std::optional<double> log_drift_per_year;  ///< mu of ln S for every underlying (default −sigma²/2)
  /// Simulated underlyings, in this order (the CLI passes the book's: the same paths for every account);
  /// the account's own underlyings not listed are appended, sorted.
  std::vector<std::string> underlyings;
  bool time_decay = true;      ///< options' and futures' time to expiry shrinks along the path
  /// Single-underlying accounts with nothing expiring inside the horizon: per step, the safe price interval
  /// around the index (liquidation_price() on the account advanced in time) spares the margin model for
  /// paths strictly inside it. Exact where liquidation_price() finds the nearest crossings (its limit:
  /// two crossings inside one bracket step are not seen); false = the model at every step of every path.
  bool screen = true;
  double confidence = 0.95;    ///< level of the Wilson score interval, in (0, 1)
  std::vector<double> quantiles = {0.05, 0.25, 0.5, 0.75, 0.95};  ///< of tau given liquidation, in [0, 1]
  /// What would bring the probability to at most `target` (0 < target < 1): extra collateral (bisection
  /// over the same paths) and a delta hedge. Solved only when the estimate is above the target.
  double target = 0.01;
  bool solve_collateral = true;
  bool solve_hedge = true;
  double collateral_rel_tol = 1e-3;  ///< bisection stops when the bracket is this wide relative to its top
  /// Per underlying: the perpetual or future to hedge with when the account holds none (priced at the
  /// snapshot, e.g. scenario::make_position_state()); the account's own perpetual is preferred.
  std::map<std::string, scenario::PositionState> hedge_instruments;
};

/// Errors name the option (as the CLI spells it) and the bad value.
Result<bool> validate(const LiquidationProbabilityOptions& options);

struct ProbabilityEstimate {
  int liquidated = 0, paths = 0;
  double probability = 0.0;           ///< liquidated / paths
  double low = 0.0, high = 0.0;       ///< Wilson score interval at `confidence`
  double std_error = 0.0;             ///< sqrt(p (1 − p) / paths)
  double confidence = 0.95;
};

/// Wilson score interval for `successes` out of `trials` (trials >= 1):
///   centre = (p + z²/2n) / (1 + z²/n),  half = z / (1 + z²/n) sqrt(p (1 − p)/n + z²/4n²),
///   z = N⁻¹((1 + confidence) / 2).
ProbabilityEstimate wilson_estimate(int successes, int trials, double confidence);

struct TimeToLiquidation {
  std::optional<double> mean_days_given_liquidation;  ///< E[tau | tau <= horizon]; empty without liquidations
  double mean_days_capped = 0.0;                      ///< E[min(tau, horizon)] over all paths
  std::vector<std::pair<double, double>> quantiles;   ///< (q, days): quantiles of tau given liquidation
  std::vector<std::pair<double, double>> cumulative;  ///< (day, P(tau <= day)) at each whole day and the horizon
};

struct CollateralSolution {
  std::string pool;       ///< the pool liquidated most often (first passage), which the collateral goes to
  std::string currency;   ///< currency added (the pool's; a USD pool gets the account's stablecoin)
  std::string placement;  ///< "collateral" or "isolated margin of <instrument>"
  double amount = 0.0;    ///< in `currency` (the top of the final bisection bracket)
  double amount_usd = 0.0;  ///< at the current USD rate
  ProbabilityEstimate after;  ///< over the same paths
  int bisection_steps = 0;
  bool reached = false;   ///< after.probability <= target
  std::string note;
};

struct HedgeLeg {
  std::string underlying, instrument;
  double delta_before = 0.0;   ///< account USD delta in coin (d equity_USD / d S_u) before the hedge
  double quantity = 0.0;       ///< venue units of `instrument` to trade (USD for inverse perps/futures)
  double notional_usd = 0.0;
};

struct HedgeSolution {
  std::vector<HedgeLeg> legs;
  std::vector<std::string> unhedged;  ///< underlyings with no instrument to hedge with (with the reason)
  ProbabilityEstimate after;          ///< over the same paths
  bool reached = false;               ///< after.probability <= target
};

struct LiquidationProbability {
  std::string account, model;
  std::vector<std::string> underlyings;  ///< simulated, in random-number order
  std::map<std::string, double> vols, log_drifts;  ///< per underlying the account is exposed to
  double horizon_days = 0.0, dt_days = 0.0;
  int steps = 0;
  double excess_usd_now = 0.0;
  bool below_maintenance_now = false;
  bool screened = false;  ///< the safe-interval screen spared margin computations (options.screen)
  ProbabilityEstimate estimate;
  TimeToLiquidation time;
  std::map<std::string, int> liquidated_pools;  ///< worst pool at first passage -> paths
  std::optional<CollateralSolution> collateral;  ///< when solved (estimate above target)
  std::optional<HedgeSolution> hedge;            ///< when solved (estimate above target)
  std::vector<std::string> notes;
  long long margin_evaluations = 0;  ///< margin computations (compute_pools()), all variants together
};

/// The probability of liquidation of `account` under `model` within the horizon, its confidence interval,
/// the time to liquidation and, when the estimate is above the target, the collateral and hedge that
/// bring it under. Paths run in parallel (oneTBB). Errors name the account and the option, underlying
/// (no vol), model error or non-finite excess (with path and step).
Result<LiquidationProbability> liquidation_probability(const scenario::AccountState& account,
                                                       const margin::MarginModel& model,
                                                       const LiquidationProbabilityOptions& options);

/// JSON of one account's result (docs/liquidation-probability.md lists the fields; non-finite numbers
/// are null) and the text table of a `greekbook liquidation --probability` document
/// {"valuation_time", "settings", "accounts": [to_json(...), ...]}.
io::Json to_json(const LiquidationProbability& result);
std::string render_probability_table(const io::Json& doc);

// ---- building blocks (also used by the tests) ----

/// Correlated log-price increments of the simulated underlyings, one step at a time, from the stream
/// (seed, path): xoshiro256** seeded by splitmix64, normals by inverse CDF (core::inverse_norm_cdf),
/// chi² by Marsaglia–Tsang. Deterministic across platforms with the same libm.
class PathGenerator {
 public:
  /// `correlation` is n x n row-major (positive semi-definite, unit diagonal); errors name the pair.
  static Result<PathGenerator> make(std::vector<double> vols, std::vector<double> log_drifts,
                                    std::span<const double> correlation, PriceModel model, double dof,
                                    double dt_years);
  std::size_t size() const noexcept { return vols_.size(); }
  void start(std::uint64_t seed, std::uint64_t path) noexcept;
  /// Adds one step's increments of ln S to `log_price` (size() entries).
  void step(std::span<double> log_price) noexcept;

 private:
  double uniform() noexcept;
  double normal() noexcept;
  double chi2() noexcept;
  std::vector<double> vols_, drifts_, chol_, z_;
  PriceModel model_ = PriceModel::Gbm;
  double dof_ = 4.0, sqrt_dt_ = 0.0, dt_ = 0.0;
  std::uint64_t s_[4] = {0, 0, 0, 0};
};

/// An account moved along a path: factors per simulated underlying (S(t)/S(0)) and elapsed time.
/// at() revalues a working copy (no allocation after construction): spot, forwards, futures/perp marks
/// and USD rates of coins x factor; options repriced in one batch at T − t with their vols held; an
/// option or future whose expiry is passed settles (option at intrinsic on its forward, future at the
/// index) into its settlement-currency balance (its isolated margin when it has one) and its quantity
/// becomes 0. reset() goes back to the base account for the next path.
class PathRevaluer {
 public:
  /// `base` must outlive the revaluer. Not copyable (it points into its own working copy); movable.
  PathRevaluer(const scenario::AccountState& base, const std::vector<std::string>& underlyings, bool time_decay);
  PathRevaluer(const PathRevaluer&) = delete;
  PathRevaluer& operator=(const PathRevaluer&) = delete;
  PathRevaluer(PathRevaluer&&) noexcept = default;
  PathRevaluer& operator=(PathRevaluer&&) noexcept = default;
  const scenario::AccountState& at(std::span<const double> factors, double elapsed_years);
  void reset();
  const scenario::AccountState& account() const noexcept { return state_; }

 private:
  void settle(std::size_t i);
  const scenario::AccountState* base_;
  scenario::AccountState state_;
  bool time_decay_ = true, dirty_ = false;
  std::vector<int> pos_u_;                 ///< underlying index per position, −1 = does not move
  std::vector<std::uint8_t> settled_;
  std::vector<std::pair<double*, int>> rate_u_;  ///< USD rates that move: slot in state_, underlying
  std::vector<double> rate_base_;
  std::vector<std::size_t> opt_rows_;
  std::vector<double> type_, strike_, vol_, fwd_, T_, price_, delta_;
};

/// What every simulation of one account and its variants shares (common random numbers).
struct PathSetup {
  std::vector<std::string> underlyings;  ///< simulated, in random-number order
  PathGenerator generator;
  int steps = 0;                ///< monitoring steps over the horizon
  double dt_years = 0.0;        ///< step length
  std::uint64_t seed = 0;
  bool time_decay = true;
  std::size_t screen_paths = 128;  ///< safe-interval screen from this many paths (0 = never): fewer cost more than they save
};

/// First passage of one path: the first step with a negative excess (0 = below maintenance now, −1 = none
/// within the horizon) and the worst pool there.
struct FirstPassage {
  int step = -1;
  std::string pool;
};

/// Whether the safe-interval screen applies to `account` (one underlying; nothing settling inside the horizon).
bool screen_applies(const scenario::AccountState& account, const PathSetup& setup);

/// Simulates `paths` (path indices, each its own random stream) of `account` and writes out[path] (out has
/// at least max(path) + 1 entries). Paths run in parallel (oneTBB). Returns the margin computations made;
/// errors name the account, path, step and time, or the model's error now.
Result<long long> simulate_paths(const scenario::AccountState& account, const margin::MarginModel& model,
                                 const PathSetup& setup, std::span<const int> paths, std::vector<FirstPassage>& out);

/// Account USD delta per underlying in coin: d(Σ balances x USD rate + Σ q x unit value x USD rate)/dS_u
/// by central difference (±0.01%) under PathRevaluer's moves, for each of `underlyings`.
std::map<std::string, double> usd_delta(const scenario::AccountState& account,
                                        const std::vector<std::string>& underlyings);

/// Adds a perpetual or future trade (filled at `trade.entry`) the way a venue nets it: into the account's
/// position in the same instrument (a cross one first, else an isolated one): on a reduction the
/// realised PnL of the closed part goes to the settlement balance (to the isolated margin for an
/// isolated position), on an increase the entry becomes the average (harmonic for inverse contracts),
/// past zero the rest opens at the trade price. Otherwise (and for options and spot) a new position.
void add_trade(scenario::AccountState& account, const scenario::PositionState& trade);

}  // namespace greekbook::risk
