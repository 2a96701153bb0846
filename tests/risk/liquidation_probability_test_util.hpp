#pragma once
// Shared builders and closed forms of the liquidation-probability tests: a 1-BTC dYdX long whose
// liquidation barrier sits at a chosen log distance, the first-passage probability of a Brownian motion
// with drift (reflection principle) and the Broadie-Glasserman-Kou continuity correction.
#include <cmath>
#include <stdexcept>
#include <string>

#include "greekbook/core/normal.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/margin/dydx.hpp"
#include "greekbook/margin/registry.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace liq_prob_test {

inline constexpr double kSpot = 100000.0, kVol = 0.6;

// P(min_{t<=T} X_t <= b), X_t = mu t + sigma W_t, b < 0 (reflection principle with drift).
inline double down_barrier_probability(double b, double mu, double sigma, double T) {
  const double s = sigma * std::sqrt(T);
  return greekbook::core::norm_cdf((b - mu * T) / s) +
         std::exp(2 * mu * b / (sigma * sigma)) * greekbook::core::norm_cdf((b + mu * T) / s);
}

// Broadie, Glasserman & Kou (1997): monitoring every dt acts as a continuous barrier moved away by
// beta sigma sqrt(dt), beta = -zeta(1/2)/sqrt(2 pi) = 0.5826.
inline double bgk_barrier(double b, double sigma, double dt) { return b - 0.5825971579390106 * sigma * std::sqrt(dt); }

inline greekbook::margin::ModelPtr model_named(const std::string& name) {
  auto m = greekbook::margin::make_model(name, nullptr, {"defaults", ""});
  if (!m) throw std::runtime_error(m.error().message);
  return std::move(*m);
}

inline double dydx_mmf(const greekbook::margin::MarginModel& m) {
  const auto& p = dynamic_cast<const greekbook::margin::DydxModel&>(m).params();
  return greekbook::margin::dydx_maintenance_margin_fraction(p.liquidity_tiers.at(p.markets.at("BTC-USD").liquidity_tier));
}

inline greekbook::scenario::PositionState perp_state(const std::string& name, const std::string& venue, double qty,
                                                     double entry, double price) {
  auto inst = greekbook::instruments::parse_instrument(name, venue);
  if (!inst) throw std::runtime_error(inst.error().message);
  greekbook::scenario::PositionState p;
  p.instrument = *inst;
  p.quantity = qty;
  p.entry = entry;
  p.spot = p.forward = p.mark = price;
  p.delta = 1.0;
  return p;
}

// 1 BTC-USD long at 100,000 on dYdX, USDC collateral C set so that equity C + (S - E) = MMF S at
// S* = S0 e^b: C = E - (1 - MMF) S*.
inline greekbook::scenario::AccountState dydx_long(double b, double mmf) {
  greekbook::scenario::AccountState a;
  a.id = "dydx";
  a.venue = "dydx";
  a.positions.push_back(perp_state("BTC-USD", "dydx", 1.0, kSpot, kSpot));
  a.collateral["USDC"] = kSpot - (1 - mmf) * kSpot * std::exp(b);
  a.usd_rates["BTC"] = kSpot;
  return a;
}

}  // namespace liq_prob_test
