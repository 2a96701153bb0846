#pragma once
// Applying a market scenario to an account state: the account as it would stand after the shock,
// by full revaluation. Reusable by every risk engine that moves a whole account (stress, VaR paths,
// liquidation probability steps, contagion rounds).
//
// What moves (scenario::Scenario, scenario.hpp), per position of underlying U with factor f = s.factor(U)
// and base time to expiry T (years), dt = s.time_shift_days / 365:
//   spot            S' = S f
//   option forward  F' = F f (1 + basis_shift_per_year T)           (the risk cube's convention)
//   future mark     M' = M f (1 + basis_shift_per_year T);  perpetual M' = M f;  spot mark = S'
//   expiry          T' = max(T - dt, 0) (options and futures)
//   implied vol     v' = shock_vol(s.vol, v, 365 T, ln(K/F), T): sticky strike, the tenor-shaped level
//                   shock and the skew rotation on the base vol, DTE and log-moneyness (as the risk cube)
//   option mark     Black-76 on (F', K, T', v') in one SIMD batch, / F' for inverse options; T' <= 0:
//                   the intrinsic value; delta = Black delta dP/dF per coin
//   USD rates       coins x s.factor(coin); stablecoins move only when the scenario names them
//                   (spot_move {"USDC": -0.05} is a de-peg)
//   valuation time  + time_shift_days
// Positions keep their quantity, entry and funding rate; collateral balances are unchanged (a
// funding accrual, a venue event or a haircut is the caller's business: see stress.hpp).
#include <span>
#include <string_view>
#include <vector>

#include "greekbook/scenario/account_state.hpp"
#include "greekbook/scenario/scenario.hpp"

namespace greekbook::risk {

/// Black-76 second-order Greeks of one unit of a position after the shock (options; 0 otherwise), in
/// the option's pricing currency (USD per coin for Deribit inverse options, quote currency for linear ones):
/// gamma per unit of forward, vega per 1.00 of vol, theta per year. Delta is PositionState::delta.
struct UnitGreeks {
  double gamma = 0.0;
  double vega = 0.0;
  double theta = 0.0;
};

/// The factor of a currency's USD rate under `s`: 1 for stablecoins the scenario does not name,
/// else s.factor(currency).
double currency_factor(const scenario::Scenario& s, std::string_view currency) noexcept;

/// `base` after the scenario, written into `out`. Storage is reused when `out` already holds this
/// account (same id and positions, e.g. from an earlier call): a loop over scenarios allocates nothing
/// after the first call. Otherwise `out` is overwritten with a copy of `base` first.
/// `greeks`, when not empty, must have base.positions.size() entries and receives each position's
/// UnitGreeks after the shock. Never fails: the positions are already valued states.
void apply_scenario(const scenario::AccountState& base, const scenario::Scenario& s, scenario::AccountState& out,
                    std::span<UnitGreeks> greeks = {});

/// Same, returning a new state.
scenario::AccountState apply_scenario(const scenario::AccountState& base, const scenario::Scenario& s);

}  // namespace greekbook::risk
