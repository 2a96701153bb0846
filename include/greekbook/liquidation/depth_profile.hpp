#pragma once
// Liquidity for liquidation fills: an order-book depth profile (price impact as a function of traded
// notional, piecewise linear in cumulative depth) and a constant-product AMM pool (x·y = k).
// Both answer "a market order of N USD on this side executes at what average distance from mid, and
// where does it leave the book" (Impact). Formats and calibration: docs/liquidation.md.
//
// Depth profile, one side: levels (d_i bps from mid, Q_i cumulative USD notional resting within d_i).
// The marginal distance d(q) of the q-th USD traded is the piecewise-linear interpolation of d in Q
// through (0, d_0) when Q_0 = 0 (a half-spread d_0), else through (0, 0); past the last level it is
// extrapolated with the last segment's slope (Impact::beyond_depth). A market order of N USD fills
// at the average distance (1/N) ∫_0^N d(q) dq (exact: trapezoids per segment).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/io/json_fields.hpp"

namespace greekbook::liquidation {

/// Sell walks the bids (price falls), Buy walks the asks (price rises).
enum class Side : std::uint8_t { Sell, Buy };
const char* to_string(Side s) noexcept;

/// One level of a side: `bps` from mid, `cumulative_usd` notional resting between mid and there.
struct DepthLevel {
  double bps = 0.0;
  double cumulative_usd = 0.0;
};

/// Effect of one market order, as fractions of the mid (0.001 = 10 bps), both >= 0.
struct Impact {
  double average = 0.0;   ///< average execution distance from mid: price = mid x (1 -/+ average)
  double marginal = 0.0;  ///< distance of the last unit traded: where the order leaves the book
  bool beyond_depth = false;  ///< the order is larger than the profile's last level (extrapolated)
};

class DepthProfile {
 public:
  /// Validates both sides: at least one level each, bps finite and >= 0 and non-decreasing,
  /// cumulative_usd finite, >= 0 and strictly increasing, the last one > 0. Errors name `name`,
  /// the side, the level and the value.
  static Result<DepthProfile> make(std::vector<DepthLevel> bids, std::vector<DepthLevel> asks, std::string name);

  /// Impact of a market order of `notional_usd` (>= 0; 0 gives the touch: d(0)).
  Impact impact(Side side, double notional_usd) const noexcept;
  /// Marginal distance d(q) in bps at cumulative notional q on a side.
  double marginal_bps(Side side, double cumulative_usd) const noexcept;

  const std::vector<DepthLevel>& levels(Side side) const noexcept { return side == Side::Sell ? bids_ : asks_; }
  const std::string& name() const noexcept { return name_; }

 private:
  std::vector<DepthLevel> bids_, asks_;  // with the (0, d) origin point prepended
  std::string name_;
};

/// Constant-product pool: base_reserve (coin) x quote_reserve (USD) = k; `fee` (fraction, e.g. 0.003)
/// is taken from the input amount, as in Uniswap v2.
struct AmmPool {
  double base_reserve = 0.0;
  double quote_reserve = 0.0;
  double fee = 0.0;
  std::string name;
  double mid() const noexcept { return quote_reserve / base_reserve; }  ///< USD per coin
};

struct AmmTrade {
  double base = 0.0;   ///< coin sold into (Sell) or bought from (Buy) the pool
  double quote = 0.0;  ///< USD received (Sell) or paid (Buy), fee included
  double price = 0.0;  ///< quote / base, USD per coin
  AmmPool after;       ///< reserves after the trade
};

/// Sells `base` coin: quote out = y − k / (x + base·(1 − fee)). Error for base < 0 or a bad pool.
Result<AmmTrade> amm_sell(const AmmPool& pool, double base);
/// Buys `base` coin: quote in = (k / (x − base) − y) / (1 − fee). Error when base >= x (the pool
/// cannot deliver it).
Result<AmmTrade> amm_buy(const AmmPool& pool, double base);

using LiquiditySource = std::variant<DepthProfile, AmmPool>;

/// Executes a market order of `notional_usd` (valued at the source's mid) on `source`. A depth
/// profile is resilient (unchanged: the book refills around the mid); an AMM pool's reserves move.
Result<Impact> execute(LiquiditySource& source, Side side, double notional_usd);

/// Which source fills which instrument: by instrument name, else by underlying, else `fallback`.
struct LiquidityMap {
  std::map<std::string, LiquiditySource> by_instrument;
  std::map<std::string, LiquiditySource> by_underlying;
  std::optional<LiquiditySource> fallback;

  /// The source for an instrument, or null when none applies.
  LiquiditySource* find(const instruments::Instrument& inst) noexcept;
  const LiquiditySource* find(const instruments::Instrument& inst) const noexcept;
};

/// {"kind": "depth", "bid": [[bps, cumulative_usd], ...], "ask": [...], ...} (metadata fields
/// venue, market, source, notional_unit, snapshots, mid_usd, captured, comment are accepted).
Result<DepthProfile> parse_depth_profile(const io::Json& doc, const io::JsonPath& at);
/// {"kind": "amm", "base_reserve": x, "quote_reserve": y, "fee": 0.003, ...}
Result<AmmPool> parse_amm_pool(const io::Json& doc, const io::JsonPath& at);
/// Either of the two, by "kind".
Result<LiquiditySource> parse_liquidity_source(const io::Json& doc, const io::JsonPath& at);
/// Reads and parses a file (errors name the file).
Result<LiquiditySource> load_liquidity_source(const std::string& path);

}  // namespace greekbook::liquidation
