#pragma once
// Deribit portfolio margin (PM), model name "deribit-pm" (docs/margin/deribit.md).
//
// Per currency pair (one underlying within one pool) the positions, netted by instrument name, are
// revalued in one risk cube under:
//   standard table  price moves -price_range..+price_range in 2 x buckets_count + 1 steps (ascending),
//                   each with vol up, unchanged, down (price-major: -16% up, -16% same, -16% down, ...);
//                   vol x (1 + range x (30 / max(1, DTE))^power), power short_term_vega_power when
//                   DTE < 30 else long_term_vega_power; up-shocked vol >= min_volatility_for_shock_up;
//   extended table  -66%, -33%, +50%, +100%, +200%, +300%, +400%, +500% with vol up, PnL weighted by
//                   min(1, extended_table_factor x price_range / |move|);
//   roll scenarios  futures curve tilted by +-max(annualised_move_risk, min_annualised_move) per year.
//   IM = max(0, -min(weighted standard and extended PnL)) + delta shock + roll shock,
//   delta shock = |delta_total| x min(max_delta_shock, m_inc x |delta_total|) (coin),
//   roll shock = max(0, -min(roll PnL)), MM = mm_factor x IM. Pairs add up (no offsets across pairs).
// Modes: "segregated" = S:PM (one pool per settlement currency, figures in that currency); every
// other mode = X:PM (one USD pool: coin PnL x shocked index, collateral haircuts).
#include <array>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/scenario.hpp"

namespace greekbook::margin {

/// Parameters of one currency pair, named as in Deribit's private/pme/simulate ("currency_pair").
struct DeribitPmPairParams {
  double price_range = 0.16;                   ///< largest standard price move (fraction of the index)
  double volatility_range_up = 0.5;            ///< multiplicative vol-up size at 30 DTE
  double volatility_range_down = 0.25;         ///< multiplicative vol-down size at 30 DTE
  double min_volatility_for_shock_up = 0.5;    ///< floor of an up-shocked vol (annualised), inference
  double short_term_vega_power = 0.3;          ///< tenor power when DTE < 30
  double long_term_vega_power = 0.13;          ///< tenor power when DTE >= 30
  double max_delta_shock = 0.1;                ///< cap of the delta-shock fraction
  double delta_total_liq_shock_threshold = 20'000'000;  ///< USD; parsed and reported, not applied
  double extended_table_factor = 1.0;          ///< extended weight = factor x price_range / |move|
  double m_inc = 0.00005;                      ///< delta-shock fraction per coin of |delta_total|
  bool operator==(const DeribitPmPairParams&) const = default;
};

/// Parameters of one currency ("currency" in pme/simulate).
struct DeribitPmCurrencyParams {
  double annualised_move_risk = 0.075;  ///< roll shock: curve tilt per year of maturity
  double min_annualised_move = 0.01;    ///< floor of that tilt (inference)
  double extended_dampener = 100'000;   ///< USD taken off each extended scenario's weighted loss (inferred; docs/margin/deribit.md)
  double haircut = 0.0;                 ///< X:PM collateral haircut, [0, 1)
  bool operator==(const DeribitPmCurrencyParams&) const = default;
};

struct DeribitPmParams {
  /// Keyed by pair ("btc_usd", "btc_usdc"); "default" for pairs without an entry.
  std::map<std::string, DeribitPmPairParams> currency_pair = {{"default", {}}, {"btc_usd", {}}};
  /// Keyed by lower-case currency ("btc", "usd"); stablecoins fall back to "usd", others to "default".
  std::map<std::string, DeribitPmCurrencyParams> currency = {
      {"default", {}}, {"btc", {}}, {"usd", {0.1, 0.01, 25'000, 0.0}}};
  double mm_factor = 0.8;      ///< MM = mm_factor x IM
  int buckets_count = 4;       ///< price buckets each side of 0 (4 -> 9 price points)
  int vol_scenarios_count = 3; ///< 3 = up, unchanged, down; 1 = unchanged only

  const DeribitPmPairParams& pair(const std::string& name) const;
  /// Currency entry for "BTC", "USDC", ... (case-insensitive).
  const DeribitPmCurrencyParams& currency_for(const std::string& currency) const;
  /// The key of that entry ("btc", "usd" for stablecoins without their own entry, else "default").
  const std::string& currency_key(const std::string& currency) const;
  bool operator==(const DeribitPmParams&) const = default;
};

/// Reads overrides over the defaults (null = defaults). Groups: "currency_pair", "currency",
/// "general". Unknown keys and out-of-range values are errors naming the JSON path and the value.
Result<DeribitPmParams> read_deribit_pm_params(const io::Json* params, const io::JsonPath& at);

/// The extended-table price moves (fractions of the index).
inline constexpr std::array<double, 8> kDeribitPmExtendedMoves = {-0.66, -0.33, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0};

/// Standard scenarios (price-major, ascending moves; vol up, unchanged, down) then extended ones.
struct DeribitPmGrid {
  std::vector<scenario::Scenario> scenarios;
  std::size_t standard = 0, extended = 0;
};
DeribitPmGrid deribit_pm_grid(const DeribitPmPairParams& pair, int buckets_count, int vol_scenarios_count);

/// The two roll-shock scenarios: spot unchanged, curve tilted by +b and -b per year,
/// b = max(annualised_move_risk, min_annualised_move).
std::array<scenario::Scenario, 2> deribit_pm_roll_scenarios(const DeribitPmCurrencyParams& currency);

/// Delta shock in coin: |delta_total| x min(max_delta_shock, m_inc x |delta_total|).
double deribit_pm_delta_shock(const DeribitPmPairParams& pair, double delta_total_coin) noexcept;

class DeribitPortfolioMargin final : public MarginModel {
 public:
  explicit DeribitPortfolioMargin(DeribitPmParams params);
  std::string name() const override { return "deribit-pm"; }
  const DeribitPmParams& params() const noexcept { return p_; }
  /// The standard + extended grid of a pair (the "default" pair's grid when not configured).
  const DeribitPmGrid& grid(const std::string& pair) const;
  /// The roll scenarios of a currency ("BTC", "USDC"; resolved like DeribitPmParams::currency_for).
  const std::array<scenario::Scenario, 2>& roll_scenarios(const std::string& currency) const;
  /// grid(pair) followed by roll_scenarios(currency): the layout of a pair's risk vector.
  const std::vector<scenario::Scenario>& all_scenarios(const std::string& pair, const std::string& currency) const;

  Result<MarginResult> compute(const scenario::AccountState& account) const override {
    return run(account, Detail::Aggregated);
  }
  /// The figures, pools and risk vector without any JSON details (liquidation searches, Monte Carlo).
  Result<MarginResult> compute_pools(const scenario::AccountState& account) const override {
    return run(account, Detail::None);
  }
  /// compute() plus details.initial_risk_vectors (one pme/simulate-shaped vector per instrument).
  Result<MarginResult> compute_detailed(const scenario::AccountState& account) const override {
    return run(account, Detail::PerInstrument);
  }
  /// Fast path: before.scenario_pnl + quantity x unit vector of each extra position; the existing
  /// positions are not repriced. Falls back to compute() when `before` is not this model's result
  /// for this account (no "state" in details, or blocks that do not match).
  Result<MarginResult> what_if(const scenario::AccountState& account, const MarginResult& before,
                               std::span<const scenario::PositionState> extra) const override;

 private:
  enum class Detail { None, Aggregated, PerInstrument };
  Result<MarginResult> run(const scenario::AccountState& account, Detail detail) const;
  DeribitPmParams p_;
  std::map<std::string, DeribitPmGrid> grids_;  // per configured pair (incl. "default")
  std::map<std::string, std::array<scenario::Scenario, 2>> rolls_;  // per configured currency key
  std::map<std::pair<std::string, std::string>, std::vector<scenario::Scenario>> all_;  // (grid key, currency key)
};

/// Factory: parameters from JSON (null = the compiled-in defaults of params/margin/deribit-pm.json).
Result<ModelPtr> make_deribit_pm(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
