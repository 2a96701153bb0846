#pragma once
// Account states: what margin models, the risk cube and the liquidation engine work on. Each
// position carries its instrument's terms and its market state (spot, forward or mark, vol,
// time to expiry) resolved once from a book and a market snapshot; shifted() moves the market
// (spot factor per underlying) and reprices, without going back to the snapshot.
//
// Per-unit values are in the position's settlement currency (coin for inverse products):
//   option           mark price per 1 coin of underlying (coin for inverse, quote currency for linear);
//                    mark - entry for a new_trade (what-if order: the premium is paid from the balance)
//   inverse future   quantity is USD notional; equity per unit 1/entry - 1/mark (coin), 0 without entry
//   linear future    equity per unit mark - entry (quote currency), 0 without entry
//   spot             the coin held: equity per unit = spot (quote currency); spot - entry for a new_trade
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/book/book.hpp"
#include "greekbook/core/result.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/market/snapshot.hpp"

namespace greekbook::scenario {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct PositionState {
  instruments::Instrument instrument;
  double quantity = 0.0;                  ///< signed, venue-native units (book.hpp)
  double entry = kNaN;                    ///< average price, NaN when not given
  std::optional<double> isolated_margin;  ///< isolated-margin collateral of this position (perp venues)
  // Market state.
  double spot = kNaN;          ///< index of the underlying (USD per coin)
  double forward = kNaN;       ///< options: forward of the expiry; futures and perps: mark; spot: spot
  double vol = 0.0;            ///< options: implied vol (annualised)
  double expiry_years = 0.0;   ///< options and futures (ACT/365 from the valuation time)
  double mark = kNaN;          ///< price per unit (coin for inverse options, quote currency otherwise)
  double delta = 0.0;          ///< options: Black delta dP_usd/dF per 1 coin; futures/spot: 1 (per coin)
  double funding_8h = 0.0;     ///< perpetuals: funding rate per 8 h
  /// A what-if order filled at `entry` now: its cost comes out of equity (option premium, spot
  /// purchase), so unit_equity() is mark - entry for it instead of the full mark.
  bool new_trade = false;

  bool is_option() const noexcept { return instrument.kind == instruments::Kind::Option; }
  /// Equity contribution per unit of quantity in the settlement currency (see file comment).
  double unit_equity() const noexcept;
  /// Position size in coin of the underlying (|quantity| / mark for inverse futures and perps).
  double coin_size() const noexcept;
  /// Notional in USD (|coin size| x spot; futures use the mark).
  double notional_usd() const noexcept;
  /// Premium-adjusted coin delta of the whole position (Deribit's delta total): options
  /// qty (delta - mark) for inverse, qty delta for linear; futures qty / mark (inverse) or qty.
  double delta_total() const noexcept;
};

struct AccountState {
  std::string id, venue;
  std::string margin_mode = "cross";  ///< "cross", "isolated", "portfolio", "segregated"
  std::string margin_model;           ///< explicit model name from the book, "" = the venue's default
  std::int64_t valuation_ms = 0;
  std::map<std::string, double> collateral;  ///< currency -> balance (negative = borrowed)
  std::vector<PositionState> positions;
  std::map<std::string, double> usd_rates;   ///< USD per unit: coins at their index, stablecoins 1
  std::map<std::string, double> atm_vol;     ///< per underlying: ATM implied vol (nearest smile), if known
  std::vector<std::string> errors;           ///< positions or balances the market could not value

  /// USD per unit of a currency (1 for USD-like stablecoins not in usd_rates); NaN if unknown.
  double usd_rate(const std::string& currency) const;
};

/// True for USD, USDC, USDT, DAI and the other USD stablecoins greekbook knows.
bool is_stablecoin(std::string_view currency) noexcept;

/// Builds one state per account: every position priced at the snapshot (options by Black-76 on
/// the venue's forward and mark IV, or the fitted surface). Positions the market cannot value go
/// to `errors` (with the instrument and reason) and are left out of `positions`.
std::vector<AccountState> build_account_states(const book::Book& book, const market::MarketSnapshot& market);

/// A hypothetical position (what-if order) on `venue`, priced at the snapshot exactly as
/// build_account_states() prices book positions and filled at its mark (entry = mark, new_trade):
/// adding it leaves equity unchanged. Errors name the instrument and the reason.
Result<PositionState> make_position_state(std::string_view instrument, std::string_view venue, double quantity,
                                          const market::MarketSnapshot& market);

/// Reprices options (mark, delta) from spot/forward/vol/expiry in place.
void reprice(PositionState& p) noexcept;

/// The account after the underlyings move by factor (spot, index, forwards and futures marks x
/// factor; implied vols held per instrument (sticky strike); coin collateral re-valued through
/// usd_rates). Underlyings not in `factors` stay put.
AccountState shifted(const AccountState& account, const std::map<std::string, double>& factors);

/// shifted() into `out`, reusing its storage when `out` already holds this account (a loop over
/// trial prices allocates nothing after the first call). Options are repriced in one SIMD batch.
void shift_into(const AccountState& account, const std::map<std::string, double>& factors, AccountState& out);

/// Same for one underlying.
AccountState shifted(const AccountState& account, const std::string& underlying, double factor);

}  // namespace greekbook::scenario
