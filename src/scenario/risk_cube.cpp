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

bool same_shock(const VolShock& a, const VolShock& b) noexcept {
  return a.kind == b.kind && a.size == b.size && a.ref_days == b.ref_days && a.floor_days == b.floor_days &&
         a.short_power == b.short_power && a.long_power == b.long_power && a.min_vol == b.min_vol &&
         a.skew.kind == b.skew.kind && a.skew.base_cap == b.skew.base_cap && a.skew.c_base == b.skew.c_base &&
         a.skew.min_kstar == b.skew.min_kstar && a.skew.width_scale == b.skew.width_scale &&
         a.skew.vol_static == b.skew.vol_static && a.skew.vol_scale == b.skew.vol_scale;
}

// Per-scenario constants, computed once for all positions: the distinct vol shocks of a grid are a
// handful (up / none / down), so each option's shocked vols cost a few pow() calls, not one per scenario.
struct Plan {
  std::vector<VolShock> shocks;        // distinct vol shocks
  std::vector<std::size_t> shock_of;   // per scenario: index into shocks
  std::vector<double> dt_years;        // per scenario: time shift
  explicit Plan(std::span<const Scenario> scenarios) {
    for (const auto& s : scenarios) {
      std::size_t id = 0;
      while (id < shocks.size() && !same_shock(shocks[id], s.vol)) ++id;
      if (id == shocks.size()) shocks.push_back(s.vol);
      shock_of.push_back(id);
      dt_years.push_back(s.time_shift_days / 365.0);
    }
  }
};
}  // namespace

RiskCube RiskCube::build(std::span<const PositionState> positions, std::span<const Scenario> scenarios) {
  std::vector<const PositionState*> ptrs(positions.size());
  for (std::size_t i = 0; i < positions.size(); ++i) ptrs[i] = &positions[i];
  return build(std::span<const PositionState* const>(ptrs), scenarios);
}

RiskCube RiskCube::build(std::span<const PositionState* const> positions, std::span<const Scenario> scenarios) {
  RiskCube c;
  c.n_ = positions.size();
  c.s_ = scenarios.size();
  const std::size_t S = c.s_;
  c.pnl_.resize(c.n_ * S);
  c.factor_.resize(c.n_ * S);
  c.spot_.resize(c.n_);
  const Plan plan(scenarios);
  const bool uniform = std::all_of(scenarios.begin(), scenarios.end(),
                                   [](const Scenario& sc) { return sc.spot_factor_by_underlying.empty(); });
  // Options x scenarios go through the batch pricer in chunks that stay in cache (a whole 10,000-option
  // cube in SoA form would stream ~10 MB through memory twice).
  constexpr std::size_t kChunkOptions = 64;
  std::size_t options = 0;
  for (const auto* p : positions) options += p->is_option();
  const std::size_t cap = std::min(options, kChunkOptions) * S;
  std::vector<double> type(cap), fwd(cap), strike(cap), T(cap), vol(cap), price(cap);
  std::vector<std::size_t> rows;
  rows.reserve(kChunkOptions);
  std::vector<double> shock_vols(plan.shocks.size());
  const auto flush = [&] {
    const std::size_t m = rows.size() * S;
    if (m == 0) return;
    pricing::black76_batch({{type.data(), m}, {fwd.data(), m}, {strike.data(), m}, {T.data(), m}, {vol.data(), m}, {}},
                           {{price.data(), m}, {}, {}, {}, {}, {}, {}, {}});
    for (std::size_t r = 0, j = 0; r < rows.size(); ++r) {
      const PositionState& p = *positions[rows[r]];
      double* out = c.pnl_.data() + rows[r] * S;
      for (std::size_t s = 0; s < S; ++s, ++j) {
        // Intrinsic value where the time shift passed the expiry.
        const double px = T[j] <= 1e-12 ? std::max(type[j] * (fwd[j] - strike[j]), 0.0) : price[j];
        out[s] = (p.instrument.inverse ? px / fwd[j] : px) - p.mark;
      }
    }
    rows.clear();
  };
  for (std::size_t i = 0; i < c.n_; ++i) {
    const PositionState& p = *positions[i];
    c.spot_[i] = p.spot;
    double* factor = c.factor_.data() + i * S;
    for (std::size_t s = 0; s < S; ++s)
      factor[s] = uniform ? scenarios[s].spot_factor : scenarios[s].factor(p.instrument.underlying);
    if (!p.is_option()) {
      for (std::size_t s = 0; s < S; ++s)
        c.pnl_[i * S + s] = linear_pnl(p, factor[s], scenarios[s].basis_shift_per_year);
      continue;
    }
    const double k = std::log(p.instrument.strike / p.forward), days = p.expiry_years * 365.0;
    for (std::size_t v = 0; v < plan.shocks.size(); ++v)
      shock_vols[v] = shock_vol(plan.shocks[v], p.vol, days, k, p.expiry_years);
    const double w = pricing::sign(p.instrument.right);
    std::size_t j = rows.size() * S;
    for (std::size_t s = 0; s < S; ++s, ++j) {
      type[j] = w;
      fwd[j] = p.forward * factor[s] * (1.0 + scenarios[s].basis_shift_per_year * p.expiry_years);
      strike[j] = p.instrument.strike;
      T[j] = std::max(p.expiry_years - plan.dt_years[s], 1e-12);
      vol[j] = shock_vols[plan.shock_of[s]];
    }
    rows.push_back(i);
    if (rows.size() == kChunkOptions) flush();
  }
  flush();
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
  const PositionState* p = &position;
  const RiskCube c = RiskCube::build(std::span<const PositionState* const>(&p, 1), scenarios);
  const auto v = c.unit_vector(0);
  return {v.begin(), v.end()};
}

}  // namespace greekbook::scenario
