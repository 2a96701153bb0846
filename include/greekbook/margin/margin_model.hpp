#pragma once
// The margin-model interface: account state -> equity, initial and maintenance margin, available
// balance, margin ratio, per-position contributions and (scenario models) the worst scenario and the
// risk vector. One implementation per venue model (docs/margin.md); make_model() builds them by name
// with parameters from JSON (defaults compiled in, each number's source in params/margin/*.json).
//
// Conventions, all models:
//   figures are in `currency` (the pool's settlement currency: "BTC" for Deribit inverse, "USD" for
//   cross-collateral and USD-margined venues); IM and MM are requirements (>= 0);
//   available = equity - IM; margin_ratio = MM / equity (the venue liquidates at 1, i.e. 100%;
//   +inf when equity <= 0 with MM > 0); excess() = equity - MM, negative = liquidatable.
//   A model that cannot margin an instrument type returns an error naming account and instrument.
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::margin {

struct PositionMargin {
  std::string instrument;
  double quantity = 0.0;
  double initial = 0.0, maintenance = 0.0;  ///< this position's requirement, in `currency`
  std::string currency;
  std::string pool;  ///< pool it belongs to
};

/// A set of positions margined together: one settlement currency (segregated), the whole account
/// (cross) or one isolated position.
struct PoolMargin {
  std::string name;      ///< "BTC", "cross", "isolated BTCUSDT"
  std::string currency;  ///< currency of the figures
  double equity = 0.0, initial_margin = 0.0, maintenance_margin = 0.0, available = 0.0, margin_ratio = 0.0;
  double usd_rate = 1.0;  ///< USD per unit of currency, to compare pools
  double excess() const noexcept { return equity - maintenance_margin; }
};

struct ScenarioOutcome {
  std::size_t index = 0;
  std::string name;
  double pnl = 0.0;     ///< raw PnL of the account in the scenario (currency)
  double weight = 1.0;  ///< fraction/dampening the model applied
};

/// State a model keeps in its result for its what_if() fast path (e.g. Deribit PM's risk vectors per
/// block); opaque to everyone else.
struct ModelState {
  virtual ~ModelState() = default;
};

struct MarginResult {
  std::string account, model, currency;
  double equity = 0.0, initial_margin = 0.0, maintenance_margin = 0.0, available = 0.0, margin_ratio = 0.0;
  std::vector<PoolMargin> pools;           ///< one per pool; totals above are in `currency`
  std::vector<PositionMargin> positions;   ///< per-position contributions where the model has them
  std::optional<ScenarioOutcome> worst;    ///< scenario models: the scenario that set the requirement
  /// Names of the scenarios of scenario_pnl (shared: a what-if result reuses its base's names).
  std::shared_ptr<const std::vector<std::string>> scenario_names;
  std::vector<double> scenario_pnl;        ///< scenario models: account PnL per scenario (currency); raw for
                                           ///< Deribit PM, dampened and discounted as the venue counts it for Derive
  io::Json details;                        ///< model-specific output (Deribit PM: pme/simulate shape)
  std::vector<std::string> errors;         ///< positions left out (not valued): figures are incomplete
  std::vector<std::string> notes;
  std::shared_ptr<const ModelState> state;  ///< the model's what-if state (null for rule-based models)

  /// Worst pool excess (equity - MM) in USD: < 0 means some pool is below maintenance.
  double min_excess_usd() const noexcept;
  double excess() const noexcept { return equity - maintenance_margin; }
};

/// Account totals from result.pools: the pool's own figures and currency when there is one pool,
/// else the pools' sums in USD (currency "USD").
void totals_from_pools(MarginResult& result) noexcept;

/// Fills available and margin_ratio from equity, IM and MM.
void finish_figures(PoolMargin& pool) noexcept;
void finish_figures(MarginResult& result) noexcept;

class MarginModel {
 public:
  virtual ~MarginModel() = default;
  virtual std::string name() const = 0;

  virtual Result<MarginResult> compute(const scenario::AccountState& account) const = 0;

  /// Only what the pools need (equity, IM, MM per pool and in total; no per-position list or
  /// model details): what liquidation-price searches call at every trial price. Default: compute().
  virtual Result<MarginResult> compute_pools(const scenario::AccountState& account) const { return compute(account); }

  /// compute() plus the model's heavier detail output (Deribit PM: a risk vector per instrument, as
  /// private/pme/simulate's initial_risk_vectors). Default: compute().
  virtual Result<MarginResult> compute_detailed(const scenario::AccountState& account) const { return compute(account); }

  /// Margin after adding hypothetical positions. `before` is compute(account) (scenario models
  /// reuse its risk vector: the what-if is a dot product). Default: compute() on a copy.
  virtual Result<MarginResult> what_if(const scenario::AccountState& account, const MarginResult& before,
                                       std::span<const scenario::PositionState> extra) const;
};

using ModelPtr = std::unique_ptr<MarginModel>;

}  // namespace greekbook::margin
