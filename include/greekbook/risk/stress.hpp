#pragma once
// Stress tests by full revaluation (greekbook stress, docs/stress.md): every account of a book under
// every stress scenario, scenarios x accounts in parallel (oneTBB).
//
// Per scenario and account, all in USD unless said otherwise:
//   position PnL     q (u' r' - u r): u = unit value in the settlement currency (option mark; future
//                    mark - entry or 1/entry - 1/mark for inverse, entry = the base mark when the book
//                    gives none; spot price), r = USD per unit of the settlement currency; ' = after the
//                    shock (risk/stress_apply.hpp: options repriced with the shocked forward, vol and time);
//                    a position's isolated margin is part of its value (released to the balance on a close)
//   funding          perpetuals over the horizon: -(signed notional) x (rate_8h + shift) x 3 x horizon_days,
//                    notional at the shocked mark (inverse: q USD; linear: q x mark' in the quote currency),
//                    longs pay a positive rate; settled into the settlement-currency balance
//   collateral       balance x (r' - r): coin collateral re-valued (stablecoins only when de-pegged)
//   venue loss       collateral_haircut x positive balances (after funding and closes) x r'
//   pnl = positions + funding + collateral + venue loss = value after - value before
// Margin after the shock: the account's own model (margin::ModelSet) on the shocked state, with funding
// settled, closed positions realised into the balances and the haircut applied. Greeks after the
// shock per underlying: delta in coin (options Black delta x q, futures coin size, spot q, coin
// collateral), delta_usd = delta x S', gamma (coin per USD), vega (USD per vol point), theta (USD per day).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/risk/stress_scenario.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::risk {

/// One position under a scenario: AccountStress::positions[i] is the account's positions[i] (names in
/// StressReport::accounts, so a scenario allocates no strings per position).
struct PositionStress {
  double quantity = 0.0;
  double mark_before = 0.0, mark_after = 0.0;  ///< per unit, settlement currency (options: coin for inverse)
  double vol_before = 0.0, vol_after = 0.0;    ///< options: implied vol used (annualised); NaN otherwise
  double pnl_usd = 0.0;      ///< revaluation PnL
  double funding_usd = 0.0;  ///< perpetuals: funding carry over the horizon (negative = paid)
  bool closed = false;       ///< closed by a venue event (PnL realised at the close prices)
};

/// Greeks of a group of positions (and coin collateral) after the shock.
struct StressGreeks {
  double delta = 0.0;      ///< coin of the underlying
  double delta_usd = 0.0;  ///< delta x shocked index (USD)
  double gamma = 0.0;      ///< coin delta per 1 USD move
  double vega = 0.0;       ///< USD per vol point
  double theta = 0.0;      ///< USD per calendar day
  StressGreeks& operator+=(const StressGreeks& o) noexcept;
};

struct MarginFigures {
  std::string model, currency;  ///< figures in `currency` (the model's account currency)
  double equity = 0.0, initial_margin = 0.0, maintenance_margin = 0.0, margin_ratio = 0.0;
  double excess_usd = 0.0;        ///< worst pool's equity - MM in USD (negative: below maintenance)
  bool below_maintenance = false;
};

struct AccountStress {
  std::string account, venue;
  double value_usd_before = 0.0, value_usd_after = 0.0;  ///< collateral + positions at mark (USD)
  double pnl_usd = 0.0;  ///< = value_usd_after - value_usd_before
  double positions_pnl_usd = 0.0, funding_usd = 0.0, collateral_pnl_usd = 0.0, venue_loss_usd = 0.0;
  std::vector<PositionStress> positions;
  std::vector<std::pair<std::string, double>> pnl_by_underlying;  ///< incl. collateral currencies
  std::vector<std::pair<std::string, StressGreeks>> greeks;      ///< per underlying
  std::optional<MarginFigures> margin;  ///< after the shock; empty when the model failed (see margin_error)
  std::string margin_error;
  bool positions_closed = false;  ///< a venue event closed the positions
  bool frozen = false;            ///< a venue event froze the account
};

struct ScenarioStress {
  std::string name, source;
  std::string shock;  ///< one-line description of the shock (moves, vol, basis, funding, events)
  double horizon_days = 0.0;
  std::vector<std::pair<std::string, double>> spot_moves;  ///< per underlying held (0.1 = +10%)
  double pnl_usd = 0.0;
  std::vector<AccountStress> accounts;  ///< in book order
  std::vector<std::pair<std::string, double>> pnl_by_underlying, pnl_by_venue;
  std::vector<std::pair<std::string, StressGreeks>> greeks_by_underlying;
  std::vector<std::string> below_maintenance;  ///< accounts with excess_usd < 0 after the shock
};

/// What does not change from scenario to scenario: an account's positions and its margin before any shock.
struct StressAccountInfo {
  std::string account, venue;
  std::vector<std::string> instruments, underlyings;  ///< per position (AccountStress::positions order)
  MarginFigures margin_before;
};

struct StressReport {
  std::int64_t valuation_ms = 0;
  std::string scenarios_source;
  std::vector<StressAccountInfo> accounts;  ///< book order; ScenarioStress::accounts[i] is accounts[i]
  std::vector<ScenarioStress> scenarios;
};

/// One line describing a scenario's shock for the underlyings in `underlyings`, e.g.
/// "BTC -25.25%, ETH -30.30%; vol x(1 + 1.02 m); basis -0.066/yr; funding BTC -0.0002/8h; 4 days".
std::string describe_shock(const StressScenario& s, std::span<const std::string> underlyings);

/// One account under one scenario (what run_stress() runs for each pair). `scratch` receives the
/// shocked state (funding settled, venue event applied) and is reused storage (see apply_scenario()).
/// Never fails: a margin model failing on the shocked state is reported in margin_error.
AccountStress stress_account(const scenario::AccountState& account, const margin::ModelSet& models,
                                     const StressScenario& scenario, scenario::AccountState& scratch);

/// Margin figures of an account under its model (compute_pools()); errors name the account.
Result<MarginFigures> margin_figures(const scenario::AccountState& account, const margin::ModelSet& models);

/// Every account under every scenario, (scenario, account) pairs in parallel. Errors: an account that
/// cannot be margined before the shock (positions not valued, no model). A model failing only on a
/// shocked state is reported in that account's margin_error.
Result<StressReport> run_stress(std::span<const scenario::AccountState> accounts, const margin::ModelSet& models,
                                std::span<const StressScenario> scenarios);

}  // namespace greekbook::risk
