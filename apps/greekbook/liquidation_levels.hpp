#pragma once
// Liquidation prices of an account per underlying it holds, in the report's shape.
#include <vector>

#include "greekbook/margin/margin_model.hpp"
#include "greekbook/report/margin_report.hpp"

namespace greekbook::cli {

Result<std::vector<report::LiquidationLevel>> liquidation_levels(const scenario::AccountState& account,
                                                                 const margin::MarginModel& model, double horizon_days);

}  // namespace greekbook::cli
