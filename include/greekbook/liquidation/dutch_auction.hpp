#pragma once
// Derive (Lyra v2) liquidation by Dutch auction, from the description in venues-and-peers 2.5
// (DutchAuction.sol is BUSL: implemented from the description, no code taken). Sign conventions are
// Derive's: MM is the account's maintenance *margin* = MtM − maintenance requirement (negative =
// liquidatable), MtM the portfolio's mark-to-market value, both in USD (cash asset units).
//
//   bid fraction d(t)  = start − (start − cutoff)·t/fast            0 <= t <= fast   (0.95 -> 0.70, 15 min)
//                      = cutoff·(1 − (t − fast)/slow)               fast < t <= fast + slow (-> 0, 12 h)
//   buffer margin  BM  = MM + (MM − MtM)·buffer_margin_percentage   (solvent phase ends once BM >= 0)
//   max fraction   f   = BM / (BM − MtM·d − R·(1 − d))              R = reserved cash; clamped to [0, 1]
//   bidder pays        = f·MtM·d for fraction f of the portfolio
//   liquidator fee     = f(d = 1)·|MtM|·liquidator_fee_rate         (to the security module)
//   insolvent auction  (MtM < 0): the security module pays the bidder |MM|·min(t/insolvent_length, 1)
#include <optional>

#include "greekbook/core/result.hpp"
#include "greekbook/io/json_fields.hpp"
#include "greekbook/margin/margin_model.hpp"

namespace greekbook::liquidation {

/// Defaults: Derive `getDefaultAuctionParam` as quoted in venues-and-peers 2.5.
struct DutchAuctionParams {
  double starting_mtm_percentage = 0.95;
  double fast_auction_cutoff_percentage = 0.70;
  double fast_auction_length_s = 15 * 60.0;
  double slow_auction_length_s = 12 * 3600.0;
  double insolvent_auction_length_s = 60 * 60.0;
  double liquidator_fee_rate = 0.10;
  double buffer_margin_percentage = 0.15;
  std::optional<double> mtm_cutoff;  ///< whole account goes when MtM < cutoff; no default in our sources
};

/// Reads overrides (null = defaults) with the field names above; errors name the JSON path and value.
/// Also checks cutoff <= start and positive lengths.
Result<DutchAuctionParams> make_dutch_auction_params(const io::Json* params, const io::JsonPath& at);

/// Bid fraction d (of MtM) `elapsed_s` seconds into a solvent auction; 0 after fast + slow.
double bid_fraction(const DutchAuctionParams& p, double elapsed_s) noexcept;

/// BM = MM + (MM − MtM) x buffer_margin_percentage.
double buffer_margin(const DutchAuctionParams& p, double mm, double mtm) noexcept;

/// Unclamped f = BM / (BM − MtM·d − R·(1 − d)); NaN when the denominator is 0.
double max_fraction_raw(double bm, double mtm, double d, double reserved_cash) noexcept;

/// Fee to the security module: f(d = 1) x |MtM| x liquidator_fee_rate (f clamped to [0, 1]).
double liquidator_fee(const DutchAuctionParams& p, double bm, double mtm, double reserved_cash) noexcept;

/// Cash the security module pays a bidder `elapsed_s` into an insolvent auction: |MM| x min(t / length, 1).
double insolvent_payment(const DutchAuctionParams& p, double mm, double elapsed_s) noexcept;

struct AuctionQuote {
  double elapsed_s = 0.0;
  bool insolvent = false;       ///< MtM < 0: insolvent auction
  bool over = false;            ///< BM >= 0: the solvent auction has nothing to sell
  double d = 0.0;               ///< bid fraction of MtM
  double buffer_margin = 0.0;   ///< BM
  double max_fraction = 0.0;    ///< f, clamped to [0, 1] (1 below mtm_cutoff or with a non-negative denominator)
  double bid_usd = 0.0;         ///< a bidder taking max_fraction pays f·MtM·d
  double liquidator_fee_usd = 0.0;
  double insolvent_payment_usd = 0.0;  ///< insolvent auction: cash paid to the bidder
};

/// The auction state for an account with maintenance margin `mm` (Derive sign: MtM − requirement),
/// mark-to-market `mtm` and reserved cash `reserved_cash`, `elapsed_s` after the start. Errors for
/// non-finite inputs or negative time / reserved cash.
Result<AuctionQuote> auction_quote(const DutchAuctionParams& p, double mm, double mtm, double reserved_cash,
                                   double elapsed_s);

/// Derive's (MM, MtM) from one of our margin results, in USD: MM = min_excess_usd() (equity −
/// requirement of the worst pool), MtM = account equity.
struct AuctionInputs {
  double mm_usd = 0.0, mtm_usd = 0.0;
};
AuctionInputs auction_inputs(const margin::MarginResult& result, double usd_per_unit_of_currency) noexcept;

}  // namespace greekbook::liquidation
