#pragma once
// Small margin models and account builders for the liquidation tests (the venue models live in
// src/margin and are tested there). SimpleModel margins every position on its own simple rule:
//   pools     one per settlement currency (segregated, Deribit-like), one per isolated position
//             ("isolated <name>", equity = isolated_margin + PnL)
//   equity    collateral of the pool's currency + sum quantity x unit_equity (options: quantity x mark)
//   futures   MM = mm_rate x notional in the pool currency (linear |q| x mark; inverse |q| / mark)
//   options   short: MM = (0.075 + mark) x |q| for inverse (Deribit SM shape, venues-and-peers 1.3),
//             (0.075 x spot + mark) x |q| for linear; long: 0
//   IM        im_factor x MM
#include <cmath>
#include <map>
#include <string>

#include "greekbook/instruments/instrument.hpp"
#include "greekbook/margin/margin_model.hpp"
#include "greekbook/scenario/account_state.hpp"

namespace greekbook::liqtest {

class SimpleModel final : public margin::MarginModel {
 public:
  explicit SimpleModel(double mm_rate, double im_factor = 2.0) : mm_rate_(mm_rate), im_factor_(im_factor) {}
  std::string name() const override { return "test-simple"; }

  Result<margin::MarginResult> compute(const scenario::AccountState& a) const override {
    margin::MarginResult r;
    r.account = a.id;
    r.model = name();
    r.currency = "USD";
    std::map<std::string, margin::PoolMargin> pools;
    const auto pool_for = [&](const std::string& name, const std::string& ccy) -> margin::PoolMargin& {
      auto& p = pools[name];
      if (p.name.empty()) {
        p.name = name;
        p.currency = ccy;
        p.usd_rate = a.usd_rate(ccy);
      }
      return p;
    };
    for (const auto& [ccy, amount] : a.collateral) pool_for(ccy, ccy).equity += amount;
    for (const auto& pos : a.positions) {
      const auto& inst = pos.instrument;
      const std::string ccy = inst.settlement_currency;
      const std::string pool_name = pos.isolated_margin ? "isolated " + inst.name : ccy;
      auto& pool = pool_for(pool_name, ccy);
      if (pos.isolated_margin) pool.equity += *pos.isolated_margin;
      pool.equity += pos.quantity * pos.unit_equity();
      double mm = 0.0;
      if (pos.is_option()) {
        if (pos.quantity < 0) mm = -pos.quantity * (inst.inverse ? 0.075 + pos.mark : 0.075 * pos.spot + pos.mark);
      } else if (inst.kind != instruments::Kind::Spot) {
        mm = mm_rate_ * (inst.inverse ? std::abs(pos.quantity) / pos.mark : std::abs(pos.quantity) * pos.mark);
      }
      pool.maintenance_margin += mm;
      pool.initial_margin += im_factor_ * mm;
      r.positions.push_back({inst.name, pos.quantity, im_factor_ * mm, mm, ccy, pool_name});
    }
    for (auto& [name, p] : pools) {
      if (!std::isfinite(p.usd_rate))
        return make_error("account '" + a.id + "': no USD rate for " + p.currency);
      r.equity += p.equity * p.usd_rate;
      r.maintenance_margin += p.maintenance_margin * p.usd_rate;
      r.initial_margin += p.initial_margin * p.usd_rate;
      r.pools.push_back(p);
    }
    margin::finish_figures(r);
    return r;
  }

 private:
  double mm_rate_, im_factor_;
};

/// A model that fails below a price: error propagation.
class FailingModel final : public margin::MarginModel {
 public:
  explicit FailingModel(double below) : below_(below) {}
  std::string name() const override { return "test-failing"; }
  Result<margin::MarginResult> compute(const scenario::AccountState& a) const override {
    for (const auto& p : a.positions)
      if (p.spot < below_) return make_error("instrument '" + p.instrument.name + "': cannot margin below the test price");
    return SimpleModel(0.01).compute(a);
  }

 private:
  double below_;
};

inline instruments::Instrument instrument(const std::string& name, const std::string& venue = "deribit") {
  auto i = instruments::parse_instrument(name, venue);
  if (!i) throw std::runtime_error(i.error().message);
  return *i;
}

/// A perpetual or future at mark = spot = `price`.
inline scenario::PositionState perp(const std::string& name, double quantity, double entry, double price,
                                    const std::string& venue = "deribit") {
  scenario::PositionState p;
  p.instrument = instrument(name, venue);
  p.quantity = quantity;
  p.entry = entry;
  p.spot = p.forward = p.mark = price;
  p.delta = 1.0;
  return p;
}

/// An option priced by Black-76 (forward = spot).
inline scenario::PositionState option(const std::string& name, double quantity, double spot, double vol,
                                      double expiry_years) {
  scenario::PositionState p;
  p.instrument = instrument(name);
  p.quantity = quantity;
  p.spot = p.forward = spot;
  p.vol = vol;
  p.expiry_years = expiry_years;
  scenario::reprice(p);
  return p;
}

inline scenario::AccountState account(const std::string& id) {
  scenario::AccountState a;
  a.id = id;
  a.venue = "deribit";
  return a;
}

}  // namespace greekbook::liqtest
