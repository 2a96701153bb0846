#pragma once
// dYdX v4 margin (docs/margin/perp-venues.md): each market belongs to a liquidity tier with a base
// initial margin fraction (IMF), a maintenance fraction and open-interest caps (USDC):
//
//   open_notional = market open interest (coin) x oracle price
//   scaling       = (open_notional - lower_cap) / (upper_cap - lower_cap)      (upper_cap 0: no scaling)
//   IMF           = min(base_IMF + max(scaling x (1 - base_IMF), 0), 1)
//   MMF           = base_IMF x maintenance_fraction                             (does not scale)
//   IMR = |S x P x IMF|, MMR = |S x P x MMF| per market, summed over the cross pool; isolated
//   positions form their own pools (perp_pools_margin in tiered_perp.hpp).
//
// Market open interest comes from the parameters (markets.<ticker>.open_interest, coin); when it is
// not given it is taken as 0 and the result carries a note.
#include <map>
#include <optional>
#include <string>

#include "greekbook/margin/margin_model.hpp"

namespace greekbook::margin {

struct LiquidityTier {
  int id = 0;
  std::string name;
  int initial_margin_ppm = 50000;          ///< base IMF in parts per million (50000 = 5%)
  int maintenance_fraction_ppm = 600000;   ///< MMF = IMF x this / 1e6
  double open_interest_lower_cap = 0.0;    ///< USDC of open notional where IMF scaling starts
  double open_interest_upper_cap = 0.0;    ///< USDC where IMF reaches 100%; 0 disables the scaling
  bool operator==(const LiquidityTier&) const = default;
};

struct DydxMarket {
  int liquidity_tier = 0;
  std::optional<double> open_interest;  ///< market open interest in coin; unset = 0 (noted)
  bool operator==(const DydxMarket&) const = default;
};

struct DydxParams {
  std::map<int, LiquidityTier> liquidity_tiers;  ///< by id
  std::map<std::string, DydxMarket> markets;     ///< by ticker ("BTC-USD")
  bool operator==(const DydxParams&) const = default;
};

/// Effective IMF (fraction) at an open notional (USDC), with OI scaling. Base fraction from the tier.
double dydx_initial_margin_fraction(const LiquidityTier& tier, double open_notional) noexcept;

/// MMF (fraction) = base IMF x maintenance fraction.
double dydx_maintenance_margin_fraction(const LiquidityTier& tier) noexcept;

/// Compiled-in defaults (params/margin/dydx.json has the sources).
DydxParams dydx_defaults();

/// Defaults overridden by `params` (null = defaults), validated: ppm in [0, 1e6], caps >= 0 with
/// upper_cap 0 or > lower_cap, every market's liquidity tier defined, open interest >= 0.
Result<DydxParams> read_dydx_params(const io::Json* params, const io::JsonPath& at);

class DydxModel final : public MarginModel {
 public:
  explicit DydxModel(DydxParams params) : params_(std::move(params)) {}
  std::string name() const override { return "dydx"; }
  /// Errors: options and inverse products, a market without parameters, cross/isolated pool errors.
  Result<MarginResult> compute(const scenario::AccountState& account) const override;
  const DydxParams& params() const noexcept { return params_; }

 private:
  DydxParams params_;
};

Result<ModelPtr> make_dydx(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
