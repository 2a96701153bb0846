#pragma once
// Valuation of a book against a market snapshot: per-position value, PnL and Greeks, aggregated
// per underlying, expiry, venue and account. Two steps so repeated valuations are cheap:
//   Valuation::prepare(book, market)  resolves instruments to forwards, vols and buckets (once);
//   valuation.run()                    prices every option in one SIMD batch and aggregates.
//
// Units follow Deribit's screen conventions so users can compare (docs/risk-report.md):
//   delta_usd    delta x the underlying's index: the USD exposure ("dollar delta")
//   delta        coin units of the underlying: Black delta x quantity for options, USD notional / mark
//                for inverse futures and perpetuals, quantity for linear ones and spot; the totals
//                also include coin collateral (so `delta` is the USD exposure per 1 USD move)
//   delta_total  Deribit's premium-adjusted delta: options (Black delta - price in coin) x qty,
//                futures as in `delta`; coin collateral excluded (USD exposure = equity + delta_total)
//   gamma        change of coin delta per 1 USD move of the underlying
//   vega         USD per 1 vol point; theta USD per calendar day
//   funding_usd_day  perpetuals: funding PnL per day if the current 8-hour rate holds (longs pay a
//                positive rate; USD, negative = paying)
//   value        mark value in the settlement currency; value_usd and pnl_usd in USD (coin at the index)
#include <array>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "greekbook/book/book.hpp"
#include "greekbook/core/result.hpp"
#include "greekbook/market/snapshot.hpp"

namespace greekbook::valuation {

inline constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

/// Static description of one row of the report (a position or a collateral balance).
struct RowInfo {
  std::string account, venue, instrument, underlying, settlement_currency;
  std::string expiry_bucket;  ///< "BTC-27MAR26", "BTC perpetual", "BTC spot", "BTC collateral"
  double quantity = 0.0;
  std::int64_t expiry_ms = 0;
  instruments::Kind kind = instruments::Kind::Spot;  ///< Spot for collateral rows
  bool inverse = false;
  bool collateral = false;
  double entry = kMissing;  ///< average_price, NaN when not given
  std::string error;  ///< non-empty: this row could not be valued (reason), values are missing
};

/// Numbers of one row; NaN (kMissing) where not defined (e.g. pnl without an entry price).
struct RowValues {
  double mark = kMissing;     ///< price per unit in the premium/price currency (coin for inverse options)
  double forward = kMissing;  ///< forward used (options, futures)
  double vol = kMissing;      ///< implied vol used (options)
  double expiry_years = kMissing;
  double value = kMissing, value_usd = kMissing, pnl_usd = kMissing;
  double delta = 0, delta_total = 0, gamma = 0, vega = 0, theta = 0;
  double delta_usd = 0;                 ///< delta x index (USD)
  double funding_usd_day = 0;           ///< perpetuals: funding PnL per day at the current rate (USD)
  double vanna_usd = 0, volga_usd = 0;  ///< per 1.00 vol (for PnL explain)
  double usd_per_unit = kMissing;       ///< USD value of 1 unit of settlement currency (index for coin)
  double spot = kMissing;               ///< index of the row's underlying (USD per coin)
  double funding_8h = 0;                ///< perpetuals: the quoted funding rate per 8 h
};

struct Aggregate {
  double delta = 0, delta_total = 0, delta_usd = 0, gamma = 0, vega = 0, theta = 0, value_usd = 0, pnl_usd = 0;
  double funding_usd_day = 0;  ///< perpetual funding carry per day (USD; negative = paying)
  std::array<double, 4> vega_by_tenor{};  ///< < 7 d, 7-30 d, 30-90 d, > 90 d (USD per vol point)
  int rows = 0, errors = 0;
};

inline constexpr const char* kTenorBuckets[4] = {"<7d", "7-30d", "30-90d", ">90d"};

struct Report {
  std::int64_t valuation_ms = 0;
  /// Shared with the Valuation (immutable): a Report stays valid after its Valuation is gone.
  std::shared_ptr<const std::vector<RowInfo>> rows;
  std::vector<RowValues> values;               ///< one per row
  std::vector<std::pair<std::string, Aggregate>> by_underlying, by_expiry, by_venue, by_account;
  Aggregate portfolio;  ///< all rows (value_usd and pnl_usd; Greeks mix underlyings)
  std::vector<double> scratch;    ///< pricing buffer, kept so repeated runs do not allocate
  std::vector<Aggregate> cells;   ///< per (account, expiry bucket), rolled up into the groupings
};

class Valuation {
 public:
  /// Resolves every position (instrument -> quote, forward, vol, buckets). Never fails on a single
  /// position: what the market cannot value is recorded in that row's `error`.
  static Valuation prepare(const book::Book& book, const market::MarketSnapshot& market);

  /// Prices and aggregates into `rep`, reusing its buffers: after the first call with the same
  /// Valuation, a run allocates nothing (steady state for intraday re-valuation loops).
  void run(Report& rep) const;
  Report run() const {
    Report rep;
    run(rep);
    return rep;
  }

  const std::vector<RowInfo>& rows() const noexcept { return *rows_; }

 private:
  RowValues non_option_values(std::size_t r) const;
  enum class RowKind : std::uint8_t { Option, InverseFuture, LinearFuture, Spot, Collateral, Invalid };
  std::int64_t valuation_ms_ = 0;
  std::shared_ptr<const std::vector<RowInfo>> rows_;
  std::vector<RowKind> kind_;
  std::vector<double> qty_, entry_, mark_, usd_, forward_;  // per row (mark for non-options)
  std::vector<double> spot_;        // index of the row's underlying (USD per coin), 0 for stablecoins
  std::vector<double> funding_8h_;  // perpetuals: the quote's funding rate per 8 h, else 0
  std::vector<std::uint8_t> inverse_;  // entry_ is NaN where no average price was given
  std::vector<std::uint32_t> und_id_, exp_id_, venue_id_, acc_id_, tenor_, cell_;
  std::vector<std::uint32_t> cell_acc_, cell_exp_, cell_und_, cell_venue_;  // per cell
  // Options in SoA form for the batch pricer, and the row each belongs to.
  std::vector<double> o_type_, o_fwd_, o_strike_, o_T_, o_vol_;
  std::vector<std::uint32_t> o_row_;
  std::vector<std::string> und_names_, exp_names_, venue_names_, acc_names_;
};

}  // namespace greekbook::valuation
