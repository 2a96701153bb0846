#pragma once
// Cross-venue contagion: failure events (events.hpp) applied to a book spread over exchanges, lending
// protocols and on-chain perps, propagated in rounds until nothing changes (docs/contagion.md).
//
// Time is split into phases at the events' start and end times (minutes). At each phase the events
// that start or end are applied, then rounds run until one changes nothing (at most max_rounds):
//   1. every account still in the cascade is margined by its venue's model at its venue's marks
//      (market price, or the venue's own oracle price while an oracle event lasts);
//   2. accounts below maintenance (MarginResult::min_excess_usd() < 0) are liquidated:
//      lending accounts by liquidation::liquidate_lending(), the others by liquidation::liquidate()
//      (depth profile or AMM fills, penalty to the venue's insurance fund, bankruptcy);
//   3. the net notional sold per underlying (perp, future and spot fills; collateral seized by
//      lending liquidators, sold) goes through the underlying's liquidity source once and moves the
//      market price of every venue to where it leaves the book (marginal impact).
// Accounts of a failed venue leave the cascade, and so do bankrupt accounts with nothing left to
// liquidate (lending bad debt, no position left; a bankrupt isolated pool leaves the rest of its
// account in). Each account keeps its own losses, in USD: value at the start (balances, positions at
// mark) minus value at the end.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/contagion/events.hpp"
#include "greekbook/core/result.hpp"
#include "greekbook/liquidation/depth_profile.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::contagion {

struct CascadeInput {
  std::vector<scenario::AccountState> accounts;   ///< priced at the snapshot (build_account_states)
  std::vector<const margin::MarginModel*> models;  ///< each account's venue model, aligned with accounts
  /// Fills of liquidations (by instrument, underlying, fallback) and market impact (by underlying,
  /// else fallback). An underlying without a source moves no price (the result has a note).
  liquidation::LiquidityMap liquidity;
  EventFile events;
  int max_rounds = 50;  ///< per phase
};

enum class AccountStatus : std::uint8_t {
  Sound,             ///< never below maintenance
  BelowMaintenance,  ///< fell below maintenance, the liquidation could not change anything
  Liquidated,        ///< liquidated (one or more rounds), solvent at the end
  Bankrupt,          ///< a pool reached negative equity (deficit) or bad debt was left: closed out
  Halted,            ///< its venue failed (venue_failure event): closed, out of the cascade
};
const char* to_string(AccountStatus s) noexcept;

enum class FailureCause : std::uint8_t { VenueFailure, BelowMaintenance };
const char* to_string(FailureCause c) noexcept;

/// One failure of one account, in the order they happened.
struct Failure {
  std::size_t account = 0;  ///< index in CascadeInput::accounts
  std::string account_id, venue;
  int round = 0;
  double time_min = 0.0;
  std::string trigger;  ///< events of the phase: "oracle-b", "oracle-b (end)", "start"
  FailureCause cause = FailureCause::BelowMaintenance;
  double excess_usd = scenario::kNaN;  ///< min_excess_usd() when found below maintenance (NaN for venue failures)
  std::string pool;                    ///< the worst pool then ("cross", "isolated BTC", ...; "" for venue failures)
  AccountStatus status_after = AccountStatus::BelowMaintenance;
  bool first = false;  ///< the account's first failure
};

struct LiquidationRecord {
  int round = 0;
  std::string kind;  ///< "incremental" or "lending"
  std::size_t steps = 0;  ///< fills, or lending calls
  double excess_before_usd = 0.0, excess_after_usd = 0.0;
  double realised_loss_usd = 0.0;  ///< slippage + penalties (incremental), bonuses (lending)
  double slippage_usd = 0.0, penalties_usd = 0.0;
  double health_factor_before = scenario::kNaN, health_factor_after = scenario::kNaN;  ///< lending
  bool bankrupt = false;
  double deficit_usd = 0.0, insurance_covered_usd = 0.0, uncovered_usd = 0.0;  ///< bad debt for lending
  std::map<std::string, double> sold_usd;  ///< net USD notional sold per underlying (negative = bought)
  std::vector<std::string> notes;
};

struct AccountOutcome {
  std::string id, venue, model;
  AccountStatus status = AccountStatus::Sound;
  double value_start_usd = 0.0, value_end_usd = 0.0;  ///< balances + positions at mark (USD)
  /// value_start − value_end; a bankrupt account's negative value is its deficit, not its loss:
  /// loss = value_start − max(value_end, 0).
  double loss_usd = 0.0;
  double event_loss_usd = 0.0;        ///< lost to a venue failure (collateral lost, close at the stated price)
  double liquidation_cost_usd = 0.0;  ///< realised by liquidations: slippage, penalties, lending bonuses
  double frozen_usd = 0.0;            ///< frozen by a venue failure, at the final prices (not a loss)
  double deficit_usd = 0.0, insurance_covered_usd = 0.0, uncovered_usd = 0.0;
  double equity_start_usd = 0.0, initial_margin_start_usd = 0.0, excess_start_usd = 0.0;  ///< model figures at the start
  double min_excess_usd = 0.0;  ///< lowest min_excess_usd() seen over the rounds it was margined
  std::optional<int> first_failure_round;
  std::vector<LiquidationRecord> liquidations;
  scenario::AccountState final_state;  ///< at the final market
  /// Free collateral at the start: equity − IM (USD).
  double free_start_usd() const noexcept { return equity_start_usd - initial_margin_start_usd; }
};

/// The market after one round (round 0: the start).
struct MarketStep {
  int round = 0;
  double time_min = 0.0;
  std::string trigger;
  bool changed = false;  ///< something was liquidated or a price moved in this round
  std::map<std::string, double> prices;  ///< USD per coin, market (every venue without its own oracle)
  std::map<std::string, std::map<std::string, double>> venue_prices;  ///< venue -> underlying -> its oracle's price
  std::map<std::string, double> stable_rates;  ///< depegged stablecoins: USD per unit
  std::map<std::string, double> sold_usd;      ///< net notional sold this round (negative = bought)
  std::map<std::string, double> impact_bps;    ///< price move of the market this round, bps (signed)
  std::vector<std::string> liquidated;         ///< accounts liquidated this round
};

struct CascadeResult {
  std::vector<AccountOutcome> accounts;  ///< aligned with CascadeInput::accounts
  std::vector<Failure> failures;         ///< in order
  std::vector<MarketStep> path;
  std::map<std::string, double> insurance_funds_end;  ///< venue -> USD after penalties and coverage
  int rounds = 0;
  bool max_rounds_reached = false;
  std::vector<std::string> notes;
};

/// Runs the cascade. Errors: models not aligned with accounts, an account with positions the market
/// could not value, events that do not fit the book (check_events), a model or liquidation error
/// (naming the round and account).
Result<CascadeResult> run_cascade(const CascadeInput& input);

/// Value of an account in USD: balances at their USD rates, positions at mark (quantity x
/// unit_equity() in the settlement currency), isolated margins. NaN when a rate is missing.
double account_value_usd(const scenario::AccountState& account) noexcept;

}  // namespace greekbook::contagion
