#pragma once
// Builders for the contagion tests: linear USDC perpetual accounts margined by a flat-rate model, an
// Aave-style lending account, a linear depth profile.
#include <cmath>
#include <stdexcept>
#include <string>

#include "greekbook/contagion/cascade.hpp"
#include "greekbook/instruments/instrument.hpp"
#include "greekbook/liquidation/depth_profile.hpp"
#include "greekbook/margin/lending.hpp"
#include "greekbook/margin/margin_model.hpp"

namespace greekbook::contagiontest {

/// One cross USD pool: equity = balances x rate + quantity x unit_equity x rate; MM = mm_rate x
/// |quantity| x mark (perpetuals and futures), IM = 2 x MM.
class FlatRateModel final : public margin::MarginModel {
 public:
  explicit FlatRateModel(double mm_rate) : mm_rate_(mm_rate) {}
  std::string name() const override { return "test-flat"; }
  Result<margin::MarginResult> compute(const scenario::AccountState& a) const override {
    margin::MarginResult r;
    r.account = a.id;
    r.model = name();
    margin::PoolMargin pool;
    pool.name = "cross";
    pool.currency = "USD";
    for (const auto& [ccy, amount] : a.collateral) pool.equity += amount * a.usd_rate(ccy);
    for (const auto& p : a.positions) {
      const double rate = a.usd_rate(p.instrument.settlement_currency);
      pool.equity += p.quantity * p.unit_equity() * rate;
      const double mm = mm_rate_ * std::abs(p.quantity) * p.mark * rate;
      pool.maintenance_margin += mm;
      pool.initial_margin += 2 * mm;
      r.positions.push_back({p.instrument.name, p.quantity, 2 * mm, mm, "USD", "cross"});
    }
    r.pools.push_back(pool);
    margin::totals_from_pools(r);
    margin::finish_figures(r);
    return r;
  }

 private:
  double mm_rate_;
};

inline scenario::PositionState linear_perp(double quantity, double entry, double price) {
  auto inst = instruments::parse_instrument("BTC_USDC-PERPETUAL", "deribit");
  if (!inst) throw std::runtime_error(inst.error().message);
  scenario::PositionState p;
  p.instrument = *inst;
  p.quantity = quantity;
  p.entry = entry;
  p.spot = p.forward = p.mark = price;
  p.delta = 1.0;
  return p;
}

/// A USDC account on `venue`, long `btc` BTC linear perp at entry `entry` (none when btc == 0).
inline scenario::AccountState perp_account(const std::string& id, const std::string& venue, double usdc, double btc,
                                           double entry, double price) {
  scenario::AccountState a;
  a.id = id;
  a.venue = venue;
  a.collateral["USDC"] = usdc;
  a.usd_rates["USDC"] = 1.0;
  a.usd_rates["BTC"] = price;
  if (btc != 0.0) a.positions.push_back(linear_perp(btc, entry, price));
  return a;
}

inline scenario::AccountState lending_account(const std::string& id, std::map<std::string, double> balances,
                                              std::map<std::string, double> rates) {
  scenario::AccountState a;
  a.id = id;
  a.venue = "aave";
  a.collateral = std::move(balances);
  a.usd_rates = std::move(rates);
  return a;
}

/// Bids and asks: d(q) = q / 10,000 bps (100 bps at 1,000,000 USD), no half-spread.
inline liquidation::LiquidityMap linear_depth() {
  auto p = liquidation::DepthProfile::make({{100.0, 1e6}}, {{100.0, 1e6}}, "linear 1 bp per 10k USD");
  if (!p) throw std::runtime_error(p.error().message);
  liquidation::LiquidityMap m;
  m.fallback = *p;
  return m;
}

/// No slippage and no impact.
inline liquidation::LiquidityMap flat_depth() {
  auto p = liquidation::DepthProfile::make({{0.0, 1e18}}, {{0.0, 1e18}}, "flat");
  if (!p) throw std::runtime_error(p.error().message);
  liquidation::LiquidityMap m;
  m.fallback = *p;
  return m;
}

}  // namespace greekbook::contagiontest
