#pragma once
// Market snapshot: everything valuation needs at one valuation time, per underlying. Plain data;
// built by the loaders in market/snapshot_io.hpp, then finalised (forward curve, vol surface).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/market/forward_curve.hpp"
#include "greekbook/market/svi.hpp"
#include "greekbook/pricing/option_type.hpp"

namespace greekbook::market {

/// A price with where and when it came from.
struct PricePoint {
  double value = 0.0;
  std::string source;
  std::int64_t timestamp_ms = 0;
};

struct FutureQuote {
  std::string instrument;  ///< venue name, e.g. "BTC-27MAR26"
  std::int64_t expiry_ms = 0;
  PricePoint mark;
};

struct PerpetualQuote {
  std::string instrument;  ///< e.g. "BTC-PERPETUAL", "BTCUSDT"
  PricePoint mark;
  std::optional<double> funding_rate_8h;  ///< fraction per 8 hours
  std::string venue;  ///< venue whose naming the instrument uses; "" = inferred from the name's shape
};

/// One option quote. Prices are in the option's premium currency (coin for inverse options).
struct OptionQuote {
  std::string instrument;  ///< e.g. "BTC-27MAR26-100000-C"
  std::int64_t expiry_ms = 0;
  double strike = 0.0;
  pricing::OptionType right = pricing::OptionType::Call;
  bool inverse = true;
  std::optional<double> bid, ask, mark_price;
  std::optional<double> mark_iv;           ///< annualised (0.52 = 52%)
  std::optional<double> underlying_price;  ///< the venue's forward for this expiry
  std::string source;
  std::int64_t timestamp_ms = 0;
};

/// A smile given directly (e.g. an example market built from chosen SVI parameters).
struct SmileSpec {
  std::int64_t expiry_ms = 0;
  SviParams params;
};

struct UnderlyingMarket {
  std::string name;  ///< "BTC"
  std::optional<PricePoint> index;
  std::vector<PerpetualQuote> perpetuals;
  std::vector<FutureQuote> futures;
  std::map<std::string, OptionQuote> options;  ///< by instrument name
  std::vector<SmileSpec> smiles;               ///< given smiles; fitted ones are added to `surface`

  // Built by finalise():
  ForwardCurve forwards;
  VolSurface surface;
  std::vector<std::int64_t> surface_expiries;  ///< expiry of each surface smile (same order)
  std::vector<std::string> surface_errors;     ///< expiries that could not be fitted, with reasons

  const PerpetualQuote* perpetual(const std::string& instrument) const;
  const FutureQuote* future(const std::string& instrument) const;
  const OptionQuote* option(const std::string& instrument) const;
};

struct MarketSnapshot {
  std::int64_t valuation_ms = 0;
  std::string source;  ///< file it came from
  std::map<std::string, UnderlyingMarket> underlyings;

  const UnderlyingMarket* underlying(const std::string& name) const;
};

/// Builds each underlying's forward curve (futures marks, then option synthetic forwards, anchored
/// at the index) and vol surface (given smiles, plus an SVI fit per expiry of the quoted mark IVs
/// where no smile was given). Expiries that cannot be fitted are listed in surface_errors.
void finalise(MarketSnapshot& snap);

}  // namespace greekbook::market
