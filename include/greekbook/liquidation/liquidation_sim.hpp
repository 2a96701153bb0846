#pragma once
// Incremental liquidation of an account below maintenance: positions are closed in steps at the
// execution prices of a depth profile or AMM pool (depth_profile.hpp), a penalty (a rate of the
// closed notional) goes to the insurance fund, and the margin model is re-evaluated after every step
// until the account is back above its target (MM, or IM with a buffer). An account whose equity falls
// below 0 is bankrupt: its remaining positions are closed out and the insurance fund covers the
// deficit up to its balance; the rest is reported as uncovered (ADL / socialised loss territory).
//
// Per step (docs/liquidation.md):
//   position    the one with the largest maintenance contribution in USD (MarginResult::positions), among
//               the pools below target; largest USD notional when the model gives no contributions
//   size        Fraction: step_fraction x the position's size when the liquidation started;
//               Fixed: step_quantity venue-native units (USD for inverse futures, coin otherwise)
//   price       mark x (1 − average impact) for a sell, x (1 + average impact) for a buy
//   cash        the closed part's value at the fill price goes to the settlement-currency balance
//   penalty     penalty_rate x closed notional (USD at mark; underlying notional for options), capped at
//               the pool's remaining equity, paid from the settlement currency to the insurance fund
//   mark        with impact_feeds_mark, the underlying moves to where the order left the book
//               (marginal impact; perps, futures and spot only) before the next step
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/liquidation/depth_profile.hpp"
#include "greekbook/liquidation/liquidation_price.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::liquidation {

enum class StepMode : std::uint8_t { Fraction, Fixed };
enum class StopTarget : std::uint8_t { Maintenance, Initial };

struct LiquidationParams {
  StepMode step_mode = StepMode::Fraction;
  double step_fraction = 0.1;      ///< Fraction: of the position's size at the start of the liquidation
  double step_quantity = 0.0;      ///< Fixed: venue-native units per step (> 0 required in that mode)
  double penalty_rate = 0.015;     ///< of closed notional; dYdX v4 maximum liquidation penalty 1.5%
  bool impact_feeds_mark = false;  ///< price impact of each step moves the underlying for the next
  StopTarget stop_at = StopTarget::Maintenance;
  double stop_buffer = 0.0;        ///< stop when equity >= target x (1 + stop_buffer) in every pool
  int max_steps = 10000;           ///< guard: the outcome says when it was reached
  double trigger_overshoot_bps = 1.0;  ///< liquidate_at_liquidation_price(): start this far past the crossing
};

/// Reads overrides (null = defaults); fields as named above, step_mode "fraction"|"fixed",
/// stop_at "maintenance"|"initial". Errors name the JSON path and the value.
Result<LiquidationParams> make_liquidation_params(const io::Json* params, const io::JsonPath& at);

struct Fill {
  int step = 0;
  std::string instrument;
  double quantity = 0.0;      ///< traded, signed, venue-native units: negative = sold (a long being closed)
  double mark = 0.0;          ///< per unit before the fill (USD per coin; coin for inverse options)
  double price = 0.0;         ///< execution price, same unit as mark
  double notional_usd = 0.0;  ///< closed notional at mark (penalty base)
  double slippage_usd = 0.0;  ///< cost of executing at price instead of mark (>= 0)
  double penalty_usd = 0.0;
  bool beyond_depth = false;  ///< larger than the profile's depth (extrapolated impact)
  bool closeout = false;      ///< bankrupt close-out (no penalty)
};

struct LiquidationOutcome {
  std::string account, model;
  bool triggered = false;  ///< false: the account was not below maintenance, nothing was done
  std::vector<Fill> fills;
  double equity_before_usd = 0.0, equity_after_usd = 0.0;
  double realised_loss_usd = 0.0;  ///< equity_before − equity_after: slippage, penalties, impact-moved marks
  double slippage_usd = 0.0, penalties_usd = 0.0;
  margin::MarginResult final_margin;      ///< model figures after the liquidation
  double final_excess_usd = 0.0;          ///< final_margin.min_excess_usd()
  bool bankrupt = false;
  double deficit_usd = 0.0;               ///< negative equity left after the close-out
  double insurance_covered_usd = 0.0, uncovered_usd = 0.0;
  double insurance_fund_before_usd = 0.0, insurance_fund_after_usd = 0.0;
  double insurance_fund_change_usd = 0.0;  ///< penalties − coverage
  bool max_steps_reached = false;
  scenario::AccountState final_account;
  std::vector<std::string> notes;
};

/// Liquidates `account` as it stands (no price move). Errors: bad parameters, no liquidity source
/// for a position's instrument, an AMM that cannot fill, a model error, a settlement currency without
/// a USD rate (each naming the account and instrument).
Result<LiquidationOutcome> liquidate(const scenario::AccountState& account, const margin::MarginModel& model,
                                     const LiquidityMap& liquidity, const LiquidationParams& params,
                                     double insurance_fund_usd);

struct PathOutcome {
  std::optional<std::size_t> trigger_index;       ///< first price of the path below maintenance
  std::optional<LiquidationOutcome> liquidation;  ///< liquidation at that price
};

/// Walks a path of prices (USD) of `underlying` (the account shifted to each, others fixed) and
/// liquidates at the first price where the account is below maintenance.
Result<PathOutcome> liquidate_along_path(const scenario::AccountState& account, const margin::MarginModel& model,
                                         const std::string& underlying, std::span<const double> prices_usd,
                                         const LiquidityMap& liquidity, const LiquidationParams& params,
                                         double insurance_fund_usd);

/// Liquidates at the account's liquidation price below (down = true) or above the index, moved
/// trigger_overshoot_bps past the crossing (with the options' betas); at the current price when the
/// account is already below maintenance. Error when there is no crossing on that side.
Result<LiquidationOutcome> liquidate_at_liquidation_price(const scenario::AccountState& account,
                                                          const margin::MarginModel& model,
                                                          const LiquidationPriceOptions& options, bool down,
                                                          const LiquidityMap& liquidity, const LiquidationParams& params,
                                                          double insurance_fund_usd);

}  // namespace greekbook::liquidation
