#include "liquidation_levels.hpp"

#include <fmt/format.h>

#include "greekbook/liquidation/liquidation_price.hpp"

namespace greekbook::cli {

Result<std::vector<report::LiquidationLevel>> liquidation_levels(const scenario::AccountState& account,
                                                                 const margin::MarginModel& model, double horizon_days) {
  GB_TRY(prices, liquidation::liquidation_prices(account, model, horizon_days / 365.0));
  std::vector<report::LiquidationLevel> out;
  for (const auto& lp : prices) {
    report::LiquidationLevel l;
    l.underlying = lp.underlying;
    l.index = lp.index_usd;
    if (lp.below) {
      l.down = lp.below->price_usd;
      l.down_sd = lp.below->distance_sd;
    }
    if (lp.above) {
      l.up = lp.above->price_usd;
      l.up_sd = lp.above->distance_sd;
    }
    std::vector<std::string> notes;
    if (lp.status == liquidation::LiquidationStatus::BelowMaintenance)
      notes.push_back("below maintenance now: the prices shown are where the account would be safe again");
    if (!lp.below_note.empty()) notes.push_back("down: " + lp.below_note);
    if (!lp.above_note.empty()) notes.push_back("up: " + lp.above_note);
    for (const auto& n : lp.notes) notes.push_back(n);
    for (const auto& n : notes) l.note += (l.note.empty() ? "" : "; ") + n;
    out.push_back(std::move(l));
  }
  return out;
}

}  // namespace greekbook::cli
