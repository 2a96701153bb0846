#pragma once
// Aave-style over-collateralised lending (docs/margin/lending.md). AccountState::collateral holds the
// balances: positive = supplied (deposit), negative = borrowed. With prices p (usd_rates) and the
// per-asset loan-to-value LTV and liquidation threshold LT:
//
//   health factor HF = sum(deposit x p x LT) / sum(borrow x p)        (no debt: no HF, null in details)
//   borrowing power  = sum(deposit x p x LTV)
//
// mapped onto the margin interface as one USD pool:
//   equity = deposits - borrows (USD); MM = sum(deposit x p x (1 - LT)); IM = sum(deposit x p x (1 - LTV))
// so excess = equity - MM = sum(deposit x p x LT) - borrows >= 0  <=>  HF >= 1, and
// available = equity - IM = borrowing power - borrows.
// details: health_factor, borrowing_power_usd, available_borrows_usd, liquidatable, close_factor,
// per-asset liquidation_bonus.
#include <map>
#include <string>

#include "greekbook/margin/margin_model.hpp"

namespace greekbook::margin {

/// Risk parameters of one reserve, as fractions (Aave stores basis points: 8050 = 0.805).
struct LendingAsset {
  double ltv = 0.0;                    ///< loan to value: borrowing power per USD supplied
  double liquidation_threshold = 0.0;  ///< LT: collateral weight in the health factor
  double liquidation_bonus = 0.0;      ///< liquidator's bonus on seized collateral (0.05 = 5%, Aave 10500)
  bool operator==(const LendingAsset&) const = default;
};

struct LendingParams {
  std::map<std::string, LendingAsset> assets;  ///< by currency as the book names it ("ETH" = WETH reserve)
  double close_factor = 0.5;                   ///< share of debt one liquidation may repay (HF above the threshold)
  double close_factor_max = 1.0;               ///< share at or below close_factor_hf_threshold
  double close_factor_hf_threshold = 0.95;     ///< HF at or below which close_factor_max applies
  double full_close_below_usd = 2000.0;        ///< Aave v3.3: a reserve pair below this (collateral or debt) closes fully
  bool operator==(const LendingParams&) const = default;
};

/// Compiled-in defaults: Aave v3 Ethereum market values (sources in params/margin/aave.json).
LendingParams lending_defaults();

/// Defaults overridden by `params` (null = defaults). Per asset: ltv, liquidation_threshold in [0, 1],
/// LT >= LTV, bonus in [0, 1], LT x (1 + bonus) <= 1 (Aave's own check); errors name the JSON path.
Result<LendingParams> read_lending_params(const io::Json* params, const io::JsonPath& at);

/// Health factor sum(deposit x p x LT) / sum(borrow x p); +inf without debt.
double health_factor(double weighted_collateral_usd, double debt_usd) noexcept;

class LendingModel final : public MarginModel {
 public:
  explicit LendingModel(LendingParams params) : params_(std::move(params)) {}
  std::string name() const override { return "aave"; }
  /// Errors: any position (perpetuals, options) in the account, a currency without parameters or
  /// without a USD rate; each names the account and the instrument or currency.
  Result<MarginResult> compute(const scenario::AccountState& account) const override;
  const LendingParams& params() const noexcept { return params_; }

 private:
  LendingParams params_;
};

Result<ModelPtr> make_lending(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
