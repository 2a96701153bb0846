#pragma once
// Derive (Lyra v2) Standard Risk Manager, "SRM" (model name "derive-srm"; docs/margin/derive.md).
//
// Derive's margin is a signed number M (>= 0 passes): cash plus one signed contribution per market
// (perp, option expiries, base-asset collateral). Our MarginResult reports requirements as positive
// numbers: requirement = equity - M with equity = cash + mark-to-market of every holding, so that
// available = equity - IM and excess = equity - MM are Derive's signed IM and MM margins. Derive's
// signed values are kept in `details` ("signed_im", "signed_mm", per market and per expiry).
//
// Per market (underlying), all in USDC (the settlement currency of every Derive product):
//   perp      -|pos| x perp price x (im_perp_req | mm_perp_req) + unrealised PnL; IM oracle contingency
//             -(1 - conf) x oc_factor x spot x |pos| when conf < perp_threshold
//   options   per expiry max(sum of isolated short margins, max loss [+ unpaired calls]); long options
//             add nothing except through max-loss pairing; IM oracle contingency on the expiry's shorts
//   base      +notional x margin_factor (IM: x im_scale); IM oracle contingency on the notional
//   depeg     IM only: -(threshold - stable price) x factor x spot x (|short options| + |perp|)
// Source: ../shared/docs/venues-and-peers.md section 2.1, derivexyz/v2-core@7736900d
// scripts/config-mainnet.sol::getSRMParams (defaults in params/margin/derive-srm.json).
#include <map>
#include <string>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::margin {

/// Perp margin rates of one underlying, fractions of the perp notional (|pos| x perp price).
struct DeriveSrmPerpReq {
  double mm = 0.065;  ///< mmPerpReq
  double im = 0.10;   ///< imPerpReq
  bool operator==(const DeriveSrmPerpReq&) const = default;
};

/// Option margin parameters of one underlying (Derive's OptionMarginParams), fractions of spot.
struct DeriveSrmOptionParams {
  double max_spot_req = 0.15;       ///< maxSpotReq: IM rate at the money
  double min_spot_req = 0.13;       ///< minSpotReq: IM rate floor far out of the money
  double mm_call_spot_req = 0.09;   ///< mmCallSpotReq
  double mm_put_spot_req = 0.09;    ///< mmPutSpotReq
  double mm_put_mtm_req = 0.09;     ///< MMPutMtMReq: fraction of the put's mark-to-market
  double unpaired_im_scale = 1.2;   ///< unpairedIMScale: x forward per unpaired short call
  double unpaired_mm_scale = 1.1;   ///< unpairedMMScale
  double mm_offset_scale = 1.05;    ///< mmOffsetScale: put IM is at most MM x this
  bool operator==(const DeriveSrmOptionParams&) const = default;
};

/// Base-asset collateral (ETH, WBTC, USDT ... held in the account): credit = notional x margin_factor,
/// IM credit additionally x im_scale.
struct DeriveSrmBaseParams {
  double margin_factor = 0.0;  ///< marginFactor
  double im_scale = 1.0;       ///< IMScale
  bool operator==(const DeriveSrmBaseParams&) const = default;
};

struct DeriveSrmParams {
  std::string cash_currency = "USDC";  ///< the cash asset; every other collateral is a base asset
  std::string perp_preset = "config-mainnet";  ///< "config-mainnet" or "live-docs" (perp override table)
  DeriveSrmPerpReq perp_default;
  std::map<std::string, DeriveSrmPerpReq> perp_overrides;  ///< per underlying (upper case)
  DeriveSrmOptionParams option_default;
  std::map<std::string, DeriveSrmOptionParams> option_overrides;  ///< per underlying (upper case)
  // Oracle contingency (IM only): penalty (1 - conf) x oc_factor x notional when conf < threshold.
  double perp_threshold = 0.55, option_threshold = 0.55, base_threshold = 0.55, oc_factor = 1.0;
  std::map<std::string, DeriveSrmBaseParams> base;  ///< per collateral currency (upper case)
  // Stablecoin depeg (IM only): multiplier (threshold - stable_price) x depeg_factor when below threshold.
  double depeg_threshold = 0.99, depeg_factor = 2.0;
  double stable_price = 1.0;  ///< USD per USDC (Derive's stable feed); market data, given as a parameter
  /// Oracle confidence in [0, 1] per underlying or collateral currency (upper case); absent = 1.
  /// Derive's feeds carry one per datum; AccountState has none, so they come in as parameters.
  std::map<std::string, double> oracle_confidence;

  const DeriveSrmPerpReq& perp(const std::string& underlying) const;
  const DeriveSrmOptionParams& options(const std::string& underlying) const;
  double confidence(const std::string& name) const;  ///< 1 when not given
  bool operator==(const DeriveSrmParams&) const = default;
};

/// The compiled-in defaults (config-mainnet.sol, venues-and-peers 2.1).
DeriveSrmParams derive_srm_defaults();

/// Perp rates from Derive's live documentation (docs.derive.xyz/standard-margin-parameters.md):
/// BTC/ETH 0.05/0.066 ... (the "live-docs" preset).
std::map<std::string, DeriveSrmPerpReq> derive_srm_live_docs_perp();

/// Reads overrides of the defaults from a JSON object (null = defaults); unknown keys, out-of-range
/// values and mm > im are errors naming the JSON path and value.
Result<DeriveSrmParams> read_derive_srm_params(const io::Json* params, const io::JsonPath& at);

/// Derive-signed margin (negative = requirement), IM and MM.
struct DeriveSignedMargin {
  double im = 0.0, mm = 0.0;
};

/// Isolated margin of one option holding. `amount` in coin (negative = short), `mtm` = amount x mark
/// in USDC (negative for shorts), `spot` USD per coin. Long holdings (amount >= 0) give {0, 0}.
///   call: MM = mtm + mm_call_spot_req x spot x amount
///         IM = mtm + max(min_spot_req, max_spot_req - otm) x spot x amount, otm = max(K - S, 0)/S
///   put:  MM = min(mm_put_spot_req x spot x amount, mm_put_mtm_req x mtm) + mtm
///         IM = min(max(min, max - otm) x spot x amount + mtm, MM x mm_offset_scale), otm = max(S - K, 0)/S
DeriveSignedMargin derive_srm_isolated_margin(const DeriveSrmOptionParams& p, pricing::OptionType right, double strike,
                                              double amount, double mtm, double spot) noexcept;

/// The SRM margin of an account (pure function). Errors name the account and the instrument or
/// collateral it cannot margin: coin-settled (inverse) products, dated futures, products not settled
/// in the cash currency, base collateral without a margin factor, negative base balances.
Result<MarginResult> derive_srm_margin(const scenario::AccountState& account, const DeriveSrmParams& params);

/// The model ("derive-srm"); `params` may be null (defaults).
Result<ModelPtr> make_derive_srm(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
