#pragma once
// Shared builders of the Derive model tests: ETH at 2,000, USDC cash.
#include <string>
#include <utility>
#include <vector>

#include "greekbook/scenario/account_state.hpp"

namespace derive_test {

inline constexpr double kSpot = 2000.0;

inline greekbook::scenario::PositionState perp(double qty, double mark, double entry) {
  greekbook::scenario::PositionState p;
  p.instrument = *greekbook::instruments::parse_instrument("ETH-PERP", "derive");
  p.quantity = qty;
  p.spot = kSpot;
  p.forward = mark;
  p.mark = mark;
  p.entry = entry;
  p.delta = 1;
  return p;
}

inline greekbook::scenario::AccountState account(std::vector<greekbook::scenario::PositionState> positions, double cash,
                                                 std::string id, std::string mode) {
  greekbook::scenario::AccountState a;
  a.id = std::move(id);
  a.venue = "derive";
  a.margin_mode = std::move(mode);
  a.collateral["USDC"] = cash;
  a.usd_rates["ETH"] = kSpot;
  a.positions = std::move(positions);
  return a;
}

}  // namespace derive_test
