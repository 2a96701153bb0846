#pragma once
// Liquidation of a lending account (Aave v3 style): while the health factor is below 1, a
// liquidator repays part of the largest debt and seizes collateral worth the repaid amount plus the
// collateral's liquidation bonus. Per call (one liquidation transaction):
//   close factor  = close_factor (50%) when HF > close_factor_hf_threshold (0.95), else close_factor_max (100%);
//                   100% when the debt or the collateral reserve is worth less than full_close_below_usd;
//   repaid        = min(close factor x debt, collateral value / (1 + bonus))   (USD)
//   seized        = repaid x (1 + bonus) of the largest collateral, at its price;
// repeated until HF >= 1, nothing is left to seize, or max_calls. The borrower loses the bonus on
// every call; debt left with no collateral is bad debt (the protocol's loss).
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/margin/lending.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::liquidation {

struct LendingLiquidationCall {
  std::string debt_currency, collateral_currency;
  double close_factor = 0.0;
  double repaid = 0.0, repaid_usd = 0.0;    ///< debt repaid by the liquidator (debt units, USD)
  double seized = 0.0, seized_usd = 0.0;    ///< collateral taken (collateral units, USD)
  double bonus_usd = 0.0;                   ///< seized_usd - repaid_usd: the borrower's loss
  double health_factor_after = 0.0;
};

struct LendingLiquidationOutcome {
  std::string account;
  bool triggered = false;  ///< false: HF >= 1, nothing done
  double health_factor_before = 0.0, health_factor_after = 0.0;  ///< +inf without debt
  std::vector<LendingLiquidationCall> calls;
  double realised_loss_usd = 0.0;  ///< sum of bonuses
  double bad_debt_usd = 0.0;       ///< debt left once no collateral is left
  scenario::AccountState final_account;
  std::vector<std::string> notes;
};

/// Health factor of an account under `params` (+inf without debt). Errors name the account and
/// the currency without parameters or USD rate.
Result<double> health_factor(const scenario::AccountState& account, const margin::LendingParams& params);

/// Liquidates `account` at its current prices (shift it first to liquidate at another price).
Result<LendingLiquidationOutcome> liquidate_lending(const scenario::AccountState& account,
                                                   const margin::LendingParams& params, int max_calls = 100);

}  // namespace greekbook::liquidation
