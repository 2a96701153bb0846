#pragma once
// An account arranged the way Derive's managers see it (internal to src/margin): cash, and per
// market (underlying) one perp, option holdings per expiry, plus base-asset collateral.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "greekbook/core/result.hpp"
#include "greekbook/pricing/option_type.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::margin::derive_detail {

struct OptionHolding {
  std::string name;
  double strike = 0.0;
  pricing::OptionType right = pricing::OptionType::Call;
  double amount = 0.0;  ///< coin, negative = short (positions of one instrument netted)
  double mtm = 0.0;     ///< amount x mark, USDC
};

struct Expiry {
  std::int64_t expiry_ms = 0;
  double forward = 0.0;       ///< USD per coin
  double expiry_years = 0.0;  ///< ACT/365
  std::vector<OptionHolding> holdings;
};

struct PerpHolding {
  std::string name;
  double quantity = 0.0;
};

struct Market {
  std::string underlying;
  double spot = 0.0;  ///< index, USD per coin
  double perp_position = 0.0, perp_price = 0.0, perp_upnl = 0.0;  ///< net coin, USDC per coin, USDC
  std::vector<PerpHolding> perps;
  std::vector<Expiry> expiries;  ///< ascending expiry
};

struct BaseHolding {
  std::string asset;   ///< currency as the book spells it
  double balance = 0;  ///< coin (> 0)
  double usd_rate = 0; ///< USD per coin
};

struct Arranged {
  double cash = 0.0;  ///< cash currency balance (negative = borrowed)
  std::vector<Market> markets;  ///< sorted by underlying
  std::vector<BaseHolding> bases;
};

/// Arranges account.positions followed by `extra` (what-if orders). Errors name the account and the
/// instrument or currency: coin-settled products, dated futures, products settled in another
/// currency than `cash_currency`, non-finite values, negative base balances, unknown USD rates.
Result<Arranged> arrange(const scenario::AccountState& account, std::span<const scenario::PositionState> extra,
                         const std::string& cash_currency, std::string_view model);

inline Result<Arranged> arrange(const scenario::AccountState& account, const std::string& cash_currency,
                                std::string_view model) {
  return arrange(account, {}, cash_currency, model);
}

}  // namespace greekbook::margin::derive_detail
