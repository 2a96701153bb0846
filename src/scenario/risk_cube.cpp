#include "greekbook/scenario/risk_cube.hpp"

#include <algorithm>
#include <cmath>

#include "greekbook/pricing/black76_batch.hpp"

namespace greekbook::scenario {
namespace {
using instruments::Kind;

// Shocked non-option unit value minus base, per unit of quantity (settlement currency).
double linear_pnl(const PositionState& p, double f, double basis) {
  switch (p.instrument.kind) {
    case Kind::Spot:
      return p.spot * (f - 1.0);
    case Kind::Perpetual:
    case Kind::Future: {
      const double shocked = p.mark * f * (1.0 + basis * p.expiry_years);
      return p.instrument.inverse ? 1.0 / p.mark - 1.0 / shocked : shocked - p.mark;
    }
    default:
      return 0.0;
  }
}

struct OptionBatch {
  std::vector<double> type, fwd, strike, T, vol, price;
  void reserve(std::size_t n) {
    for (auto* v : {&type, &fwd, &strike, &T, &vol}) v->reserve(n);
  }
  void add(const PositionState& p, const Scenario& s, double f) {
    const double F = p.forward * f * (1.0 + s.basis_shift_per_year * p.expiry_years);
    const double t = p.expiry_years - s.time_shift_days / 365.0;
    const double days = p.expiry_years * 365.0;
    type.push_back(pricing::sign(p.instrument.right));
    fwd.push_back(F);
    strike.push_back(p.instrument.strike);
    T.push_back(std::max(t, 1e-12));
    vol.push_back(shock_vol(s.vol, p.vol, days, std::log(p.instrument.strike / p.forward), p.expiry_years));
  }
  void run() {
    price.resize(fwd.size());
    pricing::black76_batch({type, fwd, strike, T, vol, {}}, {price, {}, {}, {}, {}, {}, {}, {}});
  }
  // Per-unit PnL of option j priced at index j (intrinsic when the time shift passed expiry).
  double pnl(std::size_t j, const PositionState& p) const {
    double px = price[j];
    if (T[j] <= 1e-12) px = std::max(type[j] * (fwd[j] - strike[j]), 0.0);
    return (p.instrument.inverse ? px / fwd[j] : px) - p.mark;
  }
};
}  // namespace

RiskCube RiskCube::build(std::span<const PositionState> positions, std::span<const Scenario> scenarios) {
  RiskCube c;
  c.n_ = positions.size();
  c.s_ = scenarios.size();
  c.pnl_.assign(c.n_ * c.s_, 0.0);
  c.factor_.assign(c.n_ * c.s_, 1.0);
  c.spot_.resize(c.n_);
  OptionBatch batch;
  batch.reserve(c.n_ * c.s_);
  for (std::size_t i = 0; i < c.n_; ++i) {
    const PositionState& p = positions[i];
    c.spot_[i] = p.spot;
    for (std::size_t s = 0; s < c.s_; ++s) {
      const double f = scenarios[s].factor(p.instrument.underlying);
      c.factor_[i * c.s_ + s] = f;
      if (p.is_option()) batch.add(p, scenarios[s], f);
      else c.pnl_[i * c.s_ + s] = linear_pnl(p, f, scenarios[s].basis_shift_per_year);
    }
  }
  batch.run();
  std::size_t j = 0;
  for (std::size_t i = 0; i < c.n_; ++i) {
    if (!positions[i].is_option()) continue;
    for (std::size_t s = 0; s < c.s_; ++s, ++j) c.pnl_[i * c.s_ + s] = batch.pnl(j, positions[i]);
  }
  return c;
}

std::vector<double> RiskCube::aggregate(std::span<const PositionState> positions) const {
  std::vector<double> total(s_, 0.0);
  for (std::size_t i = 0; i < n_ && i < positions.size(); ++i) {
    const double q = positions[i].quantity;
    const double* v = pnl_.data() + i * s_;
    for (std::size_t s = 0; s < s_; ++s) total[s] += q * v[s];
  }
  return total;
}

std::vector<double> unit_vector(const PositionState& position, std::span<const Scenario> scenarios) {
  const RiskCube c = RiskCube::build({&position, 1}, scenarios);
  const auto v = c.unit_vector(0);
  return {v.begin(), v.end()};
}

}  // namespace greekbook::scenario
