#pragma once
// Notional-tiered margin of USD-margined perpetual venues: Binance USDⓈ-M, Bybit USDT perpetuals,
// Hyperliquid (docs/margin/perp-venues.md). Per underlying, a ladder of notional tiers:
//
//   tier n = [lower(n), lower(n+1)) of notional |quantity| x mark (quote currency, USDT/USDC),
//   IM  = notional / min(leverage setting, max_leverage(n))
//   MM  = notional x mm_rate(n) - deduction(n)
//   deduction(0) = 0, deduction(n) = deduction(n-1) + lower(n) x (mm_rate(n) - mm_rate(n-1))
//
// so MM is continuous in the notional (it equals the progressive sum of mm_rate over the slices of
// notional in each tier). Hyperliquid: mm_rate(n) = 1 / (2 x max_leverage(n)).
//
// Pools (perp_pools_margin, shared with dYdX): cross = collateral at usd_rates + unrealised PnL of
// the non-isolated positions; a position with PositionState::isolated_margin forms its own pool
// "isolated <instrument>" (equity = isolated margin + its unrealised PnL). All figures in USD.
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/margin/margin_model.hpp"

namespace greekbook::margin {

/// One notional bracket. Bounds in the contract's quote currency (USDT, USDC), as venues publish them.
struct NotionalTier {
  double lower = 0.0;         ///< notional from which the tier applies (inclusive); the first tier 0
  double max_leverage = 1.0;  ///< the tier's maximum leverage: IM rate 1 / max_leverage
  double mm_rate = 0.0;       ///< maintenance margin rate, fraction of notional
  bool operator==(const NotionalTier&) const = default;
};

/// The ladder of one underlying, ascending `lower`; the last tier is open-ended.
struct AssetTiers {
  std::vector<NotionalTier> tiers;
  std::optional<double> leverage;  ///< the user's leverage setting (IM rate 1/leverage when below the tier's max)
  bool operator==(const AssetTiers&) const = default;
};

/// How maintenance rates are set: given per tier (Binance, Bybit) or half the IM rate at the tier's
/// max leverage (Hyperliquid: mm_rate = 1 / (2 max_leverage)).
enum class MmRule { Table, HalfInitial };

struct TieredPerpParams {
  std::string venue;  ///< preset: "binance", "bybit", "hyperliquid"
  MmRule mm_rule = MmRule::Table;
  /// Per underlying ("BTC"); the key "*" is the ladder for underlyings not listed (a note says so).
  std::map<std::string, AssetTiers> assets;
  bool operator==(const TieredPerpParams&) const = default;
};

/// Maintenance deduction of each tier (quote currency), computed from the tiers (never stored).
std::vector<double> maintenance_deductions(std::span<const NotionalTier> tiers);

/// Index of the tier holding `notional` (the last tier whose lower bound is <= notional).
std::size_t tier_index(std::span<const NotionalTier> tiers, double notional) noexcept;

/// MM = notional x mm_rate(n) - deduction(n), in the quote currency. `tiers` non-empty.
double tiered_maintenance_margin(std::span<const NotionalTier> tiers, double notional);

/// IM = notional / min(leverage setting, max_leverage(n)), in the quote currency. `asset.tiers` non-empty.
double tiered_initial_margin(const AssetTiers& asset, double notional);

/// Compiled-in defaults of a preset ("binance", "bybit", "hyperliquid"); sources in
/// params/margin/<venue>.json and docs/margin/perp-venues.md. Error for another name.
Result<TieredPerpParams> tiered_perp_defaults(std::string_view venue_preset);

/// Defaults of the preset overridden by `params` (null = defaults), validated: tiers ascending from
/// 0, leverage >= 1 and not increasing, mm rates in (0, 1], not decreasing, MM rate <= IM rate.
Result<TieredPerpParams> read_tiered_perp_params(std::string_view venue_preset, const io::Json* params,
                                                 const io::JsonPath& at);

class TieredPerpModel final : public MarginModel {
 public:
  explicit TieredPerpModel(TieredPerpParams params) : params_(std::move(params)) {}
  std::string name() const override { return params_.venue; }
  /// Errors: options and inverse products (these venues list linear perpetuals), an underlying with
  /// no ladder, margin modes other than cross/isolated, prices or rates missing.
  Result<MarginResult> compute(const scenario::AccountState& account) const override;
  const TieredPerpParams& params() const noexcept { return params_; }

 private:
  TieredPerpParams params_;
};

Result<ModelPtr> make_tiered_perp(std::string_view venue_preset, const io::Json* params, const io::JsonPath& at);

// ---- Cross/isolated pools of a USD-margined perp account (the tiered venues and dYdX) ----------

/// One position's requirement in USD, with model-specific details (tier, rates) for MarginResult::details.
struct PerpRequirement {
  double initial_usd = 0.0, maintenance_usd = 0.0;
  io::Json details;
};

using PerpRequirementFn =
    std::function<Result<PerpRequirement>(const scenario::AccountState&, const scenario::PositionState&)>;

/// Margin of a perp account: the cross pool and one pool per isolated position (see file comment).
/// margin_mode "isolated" without isolated_margin on the positions: the whole collateral is the pool
/// of the single position, an error when there are several. Spot holdings count as collateral
/// (value, no requirement). Errors name the account and instrument: options, inverse products,
/// margin modes other than "cross"/"isolated", a negative isolated margin, missing USD rates.
Result<MarginResult> perp_pools_margin(const scenario::AccountState& account, const std::string& model,
                                       const PerpRequirementFn& requirement);

}  // namespace greekbook::margin
