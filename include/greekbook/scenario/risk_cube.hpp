#pragma once
// Risk cube: full revaluation of positions under a set of scenarios, giving one risk vector per
// position = PnL per unit of quantity per scenario, in the position's settlement currency (coin for
// inverse products). All options of all scenarios are priced in one SIMD batch.
// An account's scenario PnL is sum_i quantity_i x vector_i, so the margin of a hypothetical extra
// order is a dot product with that order's vector (see RiskCube::unit_vector()).
// Scenario weights (dampening) are NOT applied here: vectors are raw PnL; models apply weights.
#include <cstddef>
#include <span>
#include <vector>

#include "greekbook/scenario/account_state.hpp"
#include "greekbook/scenario/scenario.hpp"

namespace greekbook::scenario {

class RiskCube {
 public:
  /// Revalues `positions` under every scenario. Options of expired-by-time-shift scenarios are
  /// valued at intrinsic. Never fails: positions are already valued states.
  static RiskCube build(std::span<const PositionState> positions, std::span<const Scenario> scenarios);
  /// Same over positions held elsewhere (no copies).
  static RiskCube build(std::span<const PositionState* const> positions, std::span<const Scenario> scenarios);

  std::size_t positions() const noexcept { return n_; }
  std::size_t scenarios() const noexcept { return s_; }

  /// PnL per unit of quantity of position i in each scenario (settlement currency).
  std::span<const double> unit_vector(std::size_t i) const noexcept { return {pnl_.data() + i * s_, s_}; }

  /// Shocked underlying spot of position i in each scenario (USD per coin): converts coin PnL to USD.
  double shocked_spot(std::size_t i, std::size_t s) const noexcept { return spot_[i] * factor_[i * s_ + s]; }
  double spot_factor(std::size_t i, std::size_t s) const noexcept { return factor_[i * s_ + s]; }

  /// Sum over positions of quantity x unit vector (the positions' own quantities), per scenario.
  std::vector<double> aggregate(std::span<const PositionState> positions) const;

 private:
  std::size_t n_ = 0, s_ = 0;
  std::vector<double> pnl_;     // n x s, row-major by position
  std::vector<double> factor_;  // n x s spot factors of each position's underlying
  std::vector<double> spot_;    // n
};

/// The risk vector (PnL per unit, settlement currency) of one position under `scenarios`, without
/// building a cube: what-if orders use this (about 35 Black evaluations for a PM grid).
std::vector<double> unit_vector(const PositionState& position, std::span<const Scenario> scenarios);

}  // namespace greekbook::scenario
