#pragma once
// Renders margin results (greekbook margin / liquidation) as a table for people and JSON for machines
// (shape in docs/margin.md). Numbers that could not be computed are null in JSON and "-" in tables.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "greekbook/margin/margin_model.hpp"

namespace greekbook::report {

/// Liquidation levels of one account for one underlying (filled by the liquidation module).
struct LiquidationLevel {
  std::string underlying;
  double index = 0.0;  ///< current index (USD)
  std::optional<double> down, up;        ///< liquidation prices below / above the index (USD)
  std::optional<double> down_sd, up_sd;  ///< distance in standard deviations over the horizon
  std::string note;                      ///< e.g. "below maintenance now", "none within [x, y]"
};

struct MarginAccountReport {
  std::string venue;
  margin::MarginResult margin;
  std::optional<margin::MarginResult> after;  ///< with the what-if orders
  std::vector<std::string> what_if;           ///< the orders, "BTC-PERPETUAL:+10000"
  std::vector<LiquidationLevel> liquidation;
};

struct MarginReport {
  std::int64_t valuation_ms = 0;
  double horizon_days = 1.0;  ///< horizon of the standard-deviation distances
  std::vector<MarginAccountReport> accounts;
};

std::string render_margin_table(const MarginReport& rep);
/// `details` adds each model's own output (Deribit PM: the pme/simulate-shaped risk vectors).
std::string render_margin_json(const MarginReport& rep, bool details = true);

}  // namespace greekbook::report
