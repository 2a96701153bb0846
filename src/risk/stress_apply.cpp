#include "greekbook/risk/stress_apply.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::risk {
namespace {
using instruments::Kind;
constexpr double kMsPerDay = 86400000.0;

// `out` holds this account's positions (as after an earlier call): only market fields need writing.
bool same_layout(const scenario::AccountState& base, const scenario::AccountState& out) noexcept {
  return out.id == base.id && out.positions.size() == base.positions.size() &&
         (base.positions.empty() || out.positions.back().instrument.name == base.positions.back().instrument.name);
}

// Tenor multipliers by expiry: a book has a few dozen expiries, so pow() runs once per expiry, not per option.
class TenorCache {
 public:
  explicit TenorCache(const scenario::VolShock& shock) : shock_(shock) {}
  // The shock with the tenor shape folded into its size (powers 0): shock_vol() of it equals shock_vol()
  // of the original shock for an option `expiry_years` away, without a pow() per call.
  scenario::VolShock flat(double expiry_years) {
    scenario::VolShock s = shock_;
    if (shock_.kind == scenario::VolShockKind::None || (shock_.short_power == 0.0 && shock_.long_power == 0.0)) return s;
    double m = 0.0;
    bool found = false;
    for (const auto& [T, x] : cache_)
      if (T == expiry_years) {
        m = x;
        found = true;
        break;
      }
    if (!found) {
      m = scenario::tenor_multiplier(shock_, expiry_years * 365.0);
      if (cache_.size() < 256) cache_.emplace_back(expiry_years, m);
    }
    s.size = shock_.size * m;
    s.short_power = s.long_power = 0.0;
    return s;
  }

 private:
  const scenario::VolShock& shock_;
  std::vector<std::pair<double, double>> cache_;
};
}  // namespace

double currency_factor(const scenario::Scenario& s, std::string_view currency) noexcept {
  if (scenario::is_stablecoin(currency)) {
    for (const auto& [u, f] : s.spot_factor_by_underlying)
      if (u == currency) return f;
    return 1.0;
  }
  return s.factor(currency);
}

void apply_scenario(const scenario::AccountState& base, const scenario::Scenario& s, scenario::AccountState& out,
                    std::span<UnitGreeks> greeks) {
  if (!same_layout(base, out)) {
    out = base;
  } else {
    out.collateral = base.collateral;
    out.errors = base.errors;
    out.atm_vol = base.atm_vol;
  }
  out.valuation_ms = base.valuation_ms + static_cast<std::int64_t>(std::llround(s.time_shift_days * kMsPerDay));
  out.usd_rates = base.usd_rates;
  for (auto& [ccy, rate] : out.usd_rates) rate *= currency_factor(s, ccy);

  const double dt = s.time_shift_days / 365.0;
  const bool want_greeks = !greeks.empty();
  const bool skew = s.vol.skew.kind != scenario::SkewShockKind::None;
  TenorCache tenor(s.vol);
  // Options go through the batch pricer together (thread-local buffers: no allocation in steady state).
  thread_local std::vector<double> type, fwd, strike, T, vol, price, delta, gamma, vega, theta;
  thread_local std::vector<std::size_t> rows;
  for (auto* v : {&type, &fwd, &strike, &T, &vol}) v->clear();
  rows.clear();
  for (std::size_t i = 0; i < base.positions.size(); ++i) {
    const scenario::PositionState& b = base.positions[i];
    scenario::PositionState& p = out.positions[i];
    if (want_greeks) greeks[i] = UnitGreeks{};
    const double f = s.factor(b.instrument.underlying);
    const double tilt = 1.0 + s.basis_shift_per_year * b.expiry_years;
    p.quantity = b.quantity;
    p.entry = b.entry;
    p.new_trade = b.new_trade;
    p.funding_8h = b.funding_8h;
    p.isolated_margin = b.isolated_margin;
    p.spot = b.spot * f;
    p.vol = b.vol;
    p.delta = b.delta;
    switch (b.instrument.kind) {
      case Kind::Spot:
        p.forward = p.mark = p.spot;
        p.expiry_years = 0.0;
        break;
      case Kind::Perpetual:
        p.forward = p.mark = b.mark * f;
        p.expiry_years = 0.0;
        break;
      case Kind::Future:
        p.forward = p.mark = b.mark * f * tilt;
        p.expiry_years = std::max(b.expiry_years - dt, 0.0);
        break;
      case Kind::Option: {
        p.forward = b.forward * f * tilt;
        p.expiry_years = std::max(b.expiry_years - dt, 0.0);
        // ln(K/F) only shapes the skew rotation.
        const double k = skew ? std::log(b.instrument.strike / b.forward) : 0.0;
        p.vol = scenario::shock_vol(tenor.flat(b.expiry_years), b.vol, b.expiry_years * 365.0, k, b.expiry_years);
        if (p.expiry_years <= 0.0) {
          scenario::reprice(p);  // intrinsic value, delta +-1 or 0
        } else {
          type.push_back(pricing::sign(b.instrument.right));
          fwd.push_back(p.forward);
          strike.push_back(b.instrument.strike);
          T.push_back(p.expiry_years);
          vol.push_back(p.vol);
          rows.push_back(i);
        }
        break;
      }
    }
  }
  if (rows.empty()) return;
  const std::size_t m = rows.size();
  for (auto* v : {&price, &delta, &gamma, &vega, &theta}) v->resize(m);
  const std::span<double> none;
  pricing::black76_batch({type, fwd, strike, T, vol, {}},
                         {price, delta, want_greeks ? std::span<double>(gamma) : none,
                          want_greeks ? std::span<double>(vega) : none, want_greeks ? std::span<double>(theta) : none,
                          none, none, none});
  for (std::size_t j = 0; j < m; ++j) {
    scenario::PositionState& p = out.positions[rows[j]];
    p.mark = p.instrument.inverse ? price[j] / p.forward : price[j];
    p.delta = delta[j];
    if (want_greeks) greeks[rows[j]] = UnitGreeks{gamma[j], vega[j], theta[j]};
  }
}

scenario::AccountState apply_scenario(const scenario::AccountState& base, const scenario::Scenario& s) {
  scenario::AccountState out;
  apply_scenario(base, s, out);
  return out;
}

}  // namespace greekbook::risk
