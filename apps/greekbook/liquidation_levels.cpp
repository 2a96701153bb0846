#include "liquidation_levels.hpp"

namespace greekbook::cli {

// Placeholder until the liquidation module lands.
Result<std::vector<report::LiquidationLevel>> liquidation_levels(const scenario::AccountState&,
                                                                 const margin::MarginModel&, double) {
  return std::vector<report::LiquidationLevel>{};
}

}  // namespace greekbook::cli
