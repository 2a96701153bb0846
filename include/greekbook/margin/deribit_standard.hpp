#pragma once
// Deribit standard margin (SM), model name "deribit-sm" (docs/margin/deribit.md).
//
// Futures and perpetuals: rate = base + slope x size, size = |net coin position| of the underlying
// in one settlement currency (all futures and perpetuals netted); margin = rate x |USD notional| /
// mark in coin (inverse) or rate x |quantity| x mark in the quote currency (linear).
// Short options, per 1 coin of underlying, in coin (x index for linear USDC options):
//   call IM = max(0.15 - OTM/index, 0.1) + mark,             MM = 0.075 + mark
//   put  IM = max(max(0.15 - OTM/index, 0.1) + mark, MM),    MM = max(0.075, 0.075 x mark) + mark
// Long options and spot: no margin (their value counts in equity).
// Modes: "segregated" = S:SM (one pool per settlement currency, figures in that currency); every
// other mode = X:SM (one USD pool, collateral at usd_rate x (1 - haircut)).
#include <map>
#include <string>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::margin {

/// Futures/perpetual margin rates of one underlying (fractions of notional; slopes per coin of
/// net position size).
struct DeribitSmFuturesRates {
  double im_base = 0.02;       ///< IM rate at size 0 (2%)
  double im_slope = 0.00005;   ///< IM rate added per coin of |net size| (0.005% per BTC)
  double mm_base = 0.01;       ///< MM rate at size 0 (1%)
  double mm_slope = 0.00005;   ///< MM rate added per coin of |net size|
  bool operator==(const DeribitSmFuturesRates&) const = default;
};

/// Short-option constants (fractions of the underlying, per 1 coin of underlying).
struct DeribitSmOptionRates {
  double im_otm_base = 0.15;  ///< IM = max(im_otm_base - OTM/index, im_floor) + mark
  double im_floor = 0.10;
  double mm_call = 0.075;     ///< short call MM = mm_call + mark
  double mm_put = 0.075;      ///< short put MM = max(mm_put, mm_put x mark) + mark
  bool operator==(const DeribitSmOptionRates&) const = default;
};

struct DeribitSmParams {
  /// Per underlying ("BTC", "SOL"); "default" for underlyings without an entry.
  std::map<std::string, DeribitSmFuturesRates> futures = {
      {"default", {}}, {"BTC", {}}, {"SOL", {0.04, 0.000005, 0.02, 0.000005}}};
  DeribitSmOptionRates options;
  /// X:SM collateral haircut per currency, in [0, 1); "default" for currencies without an entry.
  std::map<std::string, double> haircut = {{"default", 0.0}, {"BTC", 0.0}, {"ETH", 0.0}, {"USDC", 0.0}, {"USDT", 0.0}};

  const DeribitSmFuturesRates& futures_for(const std::string& underlying) const;
  double haircut_for(const std::string& currency) const;
  bool operator==(const DeribitSmParams&) const = default;
};

/// Reads overrides over the defaults (null = defaults). Unknown keys and out-of-range values are
/// errors naming the JSON path and the value.
Result<DeribitSmParams> read_deribit_sm_params(const io::Json* params, const io::JsonPath& at);

/// Rate (fraction of notional) of a futures position: base + slope x |size_coin|.
inline double deribit_sm_futures_rate(double base, double slope, double size_coin) noexcept {
  return base + slope * (size_coin < 0 ? -size_coin : size_coin);
}

/// IM and MM of one SHORT option per 1 coin of underlying, in coin: `index` is the underlying's
/// index (USD), `mark_coin` the option mark in coin (linear marks divided by the index).
struct DeribitSmOptionMargin {
  double initial = 0.0, maintenance = 0.0;
};
DeribitSmOptionMargin deribit_sm_short_option(const DeribitSmOptionRates& rates, pricing::OptionType right,
                                              double strike, double index, double mark_coin) noexcept;

class DeribitStandardMargin final : public MarginModel {
 public:
  explicit DeribitStandardMargin(DeribitSmParams params) : p_(std::move(params)) {}
  std::string name() const override { return "deribit-sm"; }
  const DeribitSmParams& params() const noexcept { return p_; }
  Result<MarginResult> compute(const scenario::AccountState& account) const override { return run(account, true); }
  Result<MarginResult> compute_pools(const scenario::AccountState& account) const override { return run(account, false); }

 private:
  Result<MarginResult> run(const scenario::AccountState& account, bool per_position) const;
  DeribitSmParams p_;
};

/// Factory: parameters from JSON (null = the compiled-in defaults of params/margin/deribit-sm.json).
Result<ModelPtr> make_deribit_sm(const io::Json* params, const io::JsonPath& at);

}  // namespace greekbook::margin
