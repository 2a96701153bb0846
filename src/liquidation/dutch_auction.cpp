#include "greekbook/liquidation/dutch_auction.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include <fmt/format.h>

#include "greekbook/margin/params.hpp"

namespace greekbook::liquidation {

Result<DutchAuctionParams> make_dutch_auction_params(const io::Json* params, const io::JsonPath& at) {
  DutchAuctionParams p;
  double cutoff = std::numeric_limits<double>::quiet_NaN();
  margin::ParamReader r(params, at);
  r.ignore("source").ignore("comment");
  r.number("starting_mtm_percentage", p.starting_mtm_percentage, 0.0, 1.0)
      .number("fast_auction_cutoff_percentage", p.fast_auction_cutoff_percentage, 0.0, 1.0)
      .number("fast_auction_length_s", p.fast_auction_length_s, 0.0, 30 * 86400.0)
      .number("slow_auction_length_s", p.slow_auction_length_s, 0.0, 30 * 86400.0)
      .number("insolvent_auction_length_s", p.insolvent_auction_length_s, 0.0, 30 * 86400.0)
      .number("liquidator_fee_rate", p.liquidator_fee_rate, 0.0, 1.0)
      .number("buffer_margin_percentage", p.buffer_margin_percentage, 0.0, 10.0)
      .number("mtm_cutoff", cutoff);
  GB_TRY(ok, r.finish());
  (void)ok;
  if (!std::isnan(cutoff)) p.mtm_cutoff = cutoff;
  if (p.fast_auction_cutoff_percentage > p.starting_mtm_percentage)
    return io::json_error(at.key("fast_auction_cutoff_percentage"),
                          fmt::format("{} exceeds starting_mtm_percentage {} (the bid must fall)",
                                      p.fast_auction_cutoff_percentage, p.starting_mtm_percentage));
  for (const auto& [key, v] : {std::pair{"fast_auction_length_s", p.fast_auction_length_s},
                               {"slow_auction_length_s", p.slow_auction_length_s},
                               {"insolvent_auction_length_s", p.insolvent_auction_length_s}})
    if (!(v > 0)) return io::json_error(at.key(key), fmt::format("{} must be > 0", v));
  return p;
}

double bid_fraction(const DutchAuctionParams& p, double t) noexcept {
  const double fast = p.fast_auction_length_s, slow = p.slow_auction_length_s;
  const double start = p.starting_mtm_percentage, cutoff = p.fast_auction_cutoff_percentage;
  if (t <= 0) return start;
  if (t <= fast) return start - (start - cutoff) * t / fast;
  if (t <= fast + slow) return cutoff * (1.0 - (t - fast) / slow);
  return 0.0;
}

double buffer_margin(const DutchAuctionParams& p, double mm, double mtm) noexcept {
  return mm + (mm - mtm) * p.buffer_margin_percentage;
}

double max_fraction_raw(double bm, double mtm, double d, double reserved_cash) noexcept {
  const double den = bm - mtm * d - reserved_cash * (1.0 - d);
  if (den == 0.0) return std::numeric_limits<double>::quiet_NaN();
  return bm / den;
}

namespace {
// f clamped: 0 once BM >= 0; 1 when the denominator is >= 0 (no fraction restores the buffer).
double clamped_fraction(double bm, double mtm, double d, double reserved_cash) noexcept {
  if (bm >= 0) return 0.0;
  const double den = bm - mtm * d - reserved_cash * (1.0 - d);
  if (den >= 0) return 1.0;
  return std::clamp(bm / den, 0.0, 1.0);
}
}  // namespace

double liquidator_fee(const DutchAuctionParams& p, double bm, double mtm, double reserved_cash) noexcept {
  return clamped_fraction(bm, mtm, 1.0, reserved_cash) * std::abs(mtm) * p.liquidator_fee_rate;
}

double insolvent_payment(const DutchAuctionParams& p, double mm, double t) noexcept {
  const double progress = std::clamp(t / p.insolvent_auction_length_s, 0.0, 1.0);
  return std::max(-mm, 0.0) * progress;
}

Result<AuctionQuote> auction_quote(const DutchAuctionParams& p, double mm, double mtm, double reserved_cash,
                                   double elapsed_s) {
  if (!std::isfinite(mm)) return make_error(fmt::format("Dutch auction: maintenance margin {} is not finite", mm));
  if (!std::isfinite(mtm)) return make_error(fmt::format("Dutch auction: mark-to-market {} is not finite", mtm));
  if (!(std::isfinite(reserved_cash) && reserved_cash >= 0))
    return make_error(fmt::format("Dutch auction: reserved cash {} must be finite and >= 0", reserved_cash));
  if (!(std::isfinite(elapsed_s) && elapsed_s >= 0))
    return make_error(fmt::format("Dutch auction: elapsed time {} s must be finite and >= 0", elapsed_s));
  AuctionQuote q;
  q.elapsed_s = elapsed_s;
  q.buffer_margin = buffer_margin(p, mm, mtm);
  if (mtm < 0) {
    q.insolvent = true;
    q.max_fraction = 1.0;
    q.insolvent_payment_usd = insolvent_payment(p, mm, elapsed_s);
    return q;
  }
  q.d = bid_fraction(p, elapsed_s);
  q.over = q.buffer_margin >= 0;
  q.max_fraction = (p.mtm_cutoff && mtm < *p.mtm_cutoff && !q.over) ? 1.0
                                                                    : clamped_fraction(q.buffer_margin, mtm, q.d, reserved_cash);
  q.bid_usd = q.max_fraction * mtm * q.d;
  q.liquidator_fee_usd = q.over ? 0.0 : liquidator_fee(p, q.buffer_margin, mtm, reserved_cash);
  return q;
}

AuctionInputs auction_inputs(const margin::MarginResult& r, double usd_per_unit) noexcept {
  return {r.min_excess_usd(), r.equity * usd_per_unit};
}

}  // namespace greekbook::liquidation
