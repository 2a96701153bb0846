#pragma once
// Liquidation prices by full revaluation: the price of an underlying at which the account's worst
// pool reaches its maintenance margin (MarginResult::min_excess_usd() = 0), searched below and above
// the current index. The account is moved with scenario::shifted() (spot, forwards, futures marks
// and coin collateral move; options are repriced with their vols held), and the margin model is
// recomputed at every trial price, so any MarginModel works (tiers, scenario grids, cross pools).
//
// Search (docs/liquidation.md): from factor 1 the bracket expands geometrically, f = 1 + s above and
// f = 1/(1 + s) below with s = first_step, 2·first_step, 4·first_step ..., up to cap_factor and down to
// floor_factor; the first sign change of the excess is then solved with Boost.Math's TOMS 748 to a
// bracket a few ulp wide, so that |excess| <= 1e-8·max(|equity|, MM) of the worst pool at the
// reported price when the margin is continuous there (otherwise the crossing is a jump: `jump`).
// Two crossings inside one bracket step cancel and are not seen (the first step is 1%).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::liquidation {

/// Single: only the reference underlying moves. Beta: every underlying u of the account moves by
/// factor^beta_u (beta 1 for underlyings not listed; the reference underlying's beta must be 1).
enum class MoveMode : std::uint8_t { Single, Beta };
const char* to_string(MoveMode m) noexcept;

struct LiquidationPriceOptions {
  std::string underlying;               ///< reference underlying ("BTC"): its price is searched and reported
  MoveMode mode = MoveMode::Single;
  std::map<std::string, double> betas;  ///< Beta mode only
  double floor_factor = 1e-4;           ///< lowest price searched = index x floor_factor
  double cap_factor = 100.0;            ///< highest price searched = index x cap_factor
  double first_step = 0.01;             ///< first bracket step (1%), doubled at each step
  double horizon_years = 1.0 / 365.0;   ///< horizon of the distance in standard deviations (1 day)
  std::optional<double> vol;            ///< annualised vol for that distance; default AccountState::atm_vol
};

/// One crossing of the maintenance margin.
struct Crossing {
  double factor = 1.0;        ///< price / index of the reference underlying
  double price_usd = 0.0;     ///< USD per coin of the reference underlying
  double distance_pct = 0.0;  ///< (price / index − 1) x 100
  std::optional<double> distance_sd;  ///< ln(price / index) / (vol x sqrt(horizon)); empty without a vol
  std::string pool, currency;         ///< the worst pool at the reported price
  double equity = 0.0, maintenance_margin = 0.0;  ///< that pool's figures, in `currency`
  double excess_usd = 0.0;            ///< min_excess_usd() at the reported price (the residual)
  bool jump = false;                  ///< the excess changes sign by a jump here (discontinuous margin)
};

enum class LiquidationStatus : std::uint8_t {
  AboveMaintenance,  ///< excess >= 0 at the current price: crossings are where liquidation starts
  BelowMaintenance,  ///< already liquidatable: crossings are where the account would be safe again
};
const char* to_string(LiquidationStatus s) noexcept;

struct LiquidationPrice {
  std::string account, model, underlying;
  MoveMode mode = MoveMode::Single;
  std::map<std::string, double> betas;  ///< beta of every underlying moved (Single: {underlying: 1})
  double index_usd = 0.0;               ///< current price of the reference underlying
  LiquidationStatus status = LiquidationStatus::AboveMaintenance;
  double excess_usd = 0.0;              ///< min_excess_usd() now
  std::optional<Crossing> below, above;  ///< nearest crossing below / above the index
  std::string below_note, above_note;    ///< why a side has none: "none within [x, y] USD"
  std::optional<double> vol;             ///< the vol used for distance_sd
  double horizon_years = 0.0;
  std::vector<std::string> notes;        ///< e.g. "no ATM vol for BTC: no distance in standard deviations"
  int evaluations = 0;                   ///< margin computations made
};

/// Liquidation prices of `account` under `model`. Errors (naming the account and the parameter or
/// value): bad options, no price for the underlying, a model error or a non-finite excess at a
/// trial price (the factor is named).
Result<LiquidationPrice> liquidation_price(const scenario::AccountState& account, const margin::MarginModel& model,
                                           const LiquidationPriceOptions& options);

/// Single-mode liquidation prices for every underlying the account holds (positions, and coin
/// collateral with a USD rate), sorted by underlying.
Result<std::vector<LiquidationPrice>> liquidation_prices(const scenario::AccountState& account,
                                                         const margin::MarginModel& model, double horizon_years);

/// Factors per underlying that move the reference underlying by `factor` (betas of `lp`).
std::map<std::string, double> move_factors(const LiquidationPrice& lp, double factor);

/// ln(price / index) / (vol x sqrt(horizon_years)); empty when vol is missing, not finite or <= 0.
std::optional<double> distance_sd(double price, double index, std::optional<double> vol, double horizon_years) noexcept;

/// The underlyings an account is exposed to: position underlyings and non-stable collateral coins
/// with a USD rate, sorted.
std::vector<std::string> account_underlyings(const scenario::AccountState& account);

/// Current price of an underlying in the account: a position's spot, else its USD rate; NaN if none.
double index_price(const scenario::AccountState& account, const std::string& underlying) noexcept;

}  // namespace greekbook::liquidation
