#pragma once
// Derive (Lyra v2) portfolio margin, PMRM_2 (model name "derive-pmrm"; docs/margin/derive.md).
//
// Per underlying market: every position is repriced in the scenarios of a grid (33 by default:
// spot shocks x vol Up/None/Down, a dampened tail, two skew rotations), each expiry's shocked
// mark-to-market is scaled by a static discount, and the worst scenario PnL, floored by the basis
// contingency, is scaled by imFactor / mmFactor; contingencies (perp, naked shorts, oracle
// confidence, collateral haircuts) are subtracted:
//   minSPAN = min(basis contingency, min_s PnL_s)          (worst index == grid size: "basis")
//   IM = minSPAN x (imFactor + peg loss) - IMContingency - MMContingency + MtM + cash
//   MM = minSPAN x mmFactor - MMContingency + MtM + cash
// These are Derive's signed margins (>= 0 passes; details.signed_im / signed_mm). MarginResult
// reports requirement = equity - signed margin, equity = cash + MtM (so available = signed IM).
// An account with positions in several underlyings is margined per market and the markets' figures
// are added with one shared cash balance (Derive keeps one PMRM subaccount per market: inference).
// Source: ../shared/docs/venues-and-peers.md section 2.2 and Appendix A.1 (derivexyz/v2-core@7736900d
// PMRMLib_2.sol, scripts/config-mainnet.sol::getPMRM2Params / getDefaultPM2Scenarios).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/scenario.hpp"

namespace greekbook::margin {

/// Derive's VolShockDirection.
enum class DerivePmrmVol : std::uint8_t { Up, None, Down, Linear, Abs };

/// One grid row: spot x spot_shock (1 = unchanged), a vol shock, and a dampening factor on its PnL.
struct DerivePmrmScenario {
  double spot_shock = 1.0;
  DerivePmrmVol vol = DerivePmrmVol::None;
  double dampening = 1.0;
  bool operator==(const DerivePmrmScenario&) const = default;
};

/// Non-cash collateral in a PMRM_2 account. Its value (balance x USD rate / stable price) adds to MtM;
/// MM contingency value x mm_haircut, IM contingency value x im_haircut; when risk_cancelling its value
/// moves with `market`'s spot shocks in every scenario.
struct DerivePmrmCollateral {
  std::string market;  ///< underlying market the collateral belongs to (upper case)
  bool risk_cancelling = false;
  double mm_haircut = 0.0, im_haircut = 0.0;
  bool operator==(const DerivePmrmCollateral&) const = default;
};

struct DerivePmrmParams {
  std::string cash_currency = "USDC";
  // BasisContingencyParameters.
  double scenario_spot_up = 1.045, scenario_spot_down = 0.955;
  double basis_cont_add_factor = 0.5, basis_cont_mult_factor = 2.0;  ///< factor = add + mult x tau (years)
  // OtherContingencyParameters.
  double peg_loss_threshold = 0.99, peg_loss_factor = 4.0;
  double conf_threshold = 0.55, conf_margin = 1.0;
  double mm_perp_percent = 0.03, im_perp_percent = 0.01;         ///< x |perp| x spot
  double mm_option_percent = 0.003, im_option_percent = 0.002;   ///< x naked shorts per strike x spot
  // MarginParameters.
  double im_factor = 1.0, mm_factor = 0.8;
  double short_rate_mult_scale = 0.0, long_rate_mult_scale = 0.0;
  double short_rate_add_scale = 0.16, long_rate_add_scale = 0.16;
  double short_base_static_discount = 0.95, long_base_static_discount = 1.05;
  // VolShockParameters (multiplicative): m = (30 / max(DTE, dte_floor_days))^(DTE <= 30 ? short : long).
  double vol_range_up = 0.5, vol_range_down = 0.3;
  double short_term_power = 0.3, long_term_power = 0.13;
  double dte_floor_days = 1.0, min_vol_up_shock = 0.4;
  // SkewShockParameters.
  double linear_base_cap = 0.25, abs_base_cap = 0.25, linear_c_base = -0.1, abs_c_base = -0.1;
  double min_kstar = 0.01, width_scale = 4.0, vol_param_static = 0.6, vol_param_scale = 0.0;
  std::vector<DerivePmrmScenario> scenarios;                 ///< the grid (Appendix A.1 by default)
  std::map<std::string, DerivePmrmCollateral> collaterals;   ///< per collateral currency (upper case)
  // Market data Derive reads from feeds and AccountState lacks, given as parameters.
  double rate = 0.0;          ///< interest rate of every expiry (discount exp(-rate tau) caps staticDiscountNeg)
  double stable_price = 1.0;  ///< USD per USDC
  std::map<std::string, double> oracle_confidence;  ///< per underlying / collateral (upper case), absent = 1

  double confidence(const std::string& name) const;  ///< 1 when not given
  bool operator==(const DerivePmrmParams&) const = default;
};

/// The 33 rows of Appendix A.1 (config-mainnet.sol::getDefaultPM2Scenarios).
std::vector<DerivePmrmScenario> derive_pmrm_default_grid();

/// Compiled-in defaults (venues-and-peers 2.2, A.1; collateral haircuts: see docs/margin/derive.md).
DerivePmrmParams derive_pmrm_defaults();

/// Reads overrides of the defaults (null = defaults). Errors name the JSON path and the value:
/// out-of-range numbers (Derive's setter bounds), mm_factor > im_factor, a grid outside 1-40 rows or
/// with a second Linear/Abs row or a skew row whose spot_shock is not 1, unknown keys.
Result<DerivePmrmParams> read_derive_pmrm_params(const io::Json* params, const io::JsonPath& at);

/// The level vol shock of a direction as a scenario::VolShock (multiplicative, DTE-power shaped, floor
/// min_vol_up_shock on Up; None for None/Linear/Abs). shock_vol(shock, 1, 7, 0, 7/365) = 1.774 for Up.
scenario::VolShock derive_pmrm_vol_shock(const DerivePmrmParams& p, DerivePmrmVol vol);

/// The scenario set the model reprices: the grid rows (weight = dampening, Linear/Abs as smile
/// rotations), then the basis-contingency scenarios spot x scenario_spot_up and x scenario_spot_down.
std::vector<scenario::Scenario> derive_pmrm_scenarios(const DerivePmrmParams& p);

/// Static discounts of an expiry tau years away: `pos` multiplies a non-negative shocked expiry MtM,
/// `neg` a negative one.
///   pos = long_base x exp(-tau (rate x long_mult + long_add))
///   neg = min(1 / exp(-rate tau), short_base / exp(-tau (rate x short_mult + short_add)))
struct DeriveStaticDiscount {
  double pos = 1.0, neg = 1.0;
};
DeriveStaticDiscount derive_pmrm_static_discount(const DerivePmrmParams& p, double tau_years) noexcept;

/// "spot +18% vol up", "spot -66% vol up", "skew linear", ...
std::string derive_pmrm_scenario_name(const DerivePmrmScenario& s);

/// The PMRM_2 margin of an account (pure function). Errors name the account and the instrument or
/// collateral it cannot margin (coin-settled products, dated futures, collateral not in `collaterals`).
Result<MarginResult> derive_pmrm_margin(const scenario::AccountState& account, const DerivePmrmParams& params);

/// The model ("derive-pmrm"); `params` may be null (defaults). Its what_if() adds the orders' risk
/// vectors to those `before` carries in details.risk_vectors (no repricing of the account).
Result<ModelPtr> make_derive_pmrm(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
