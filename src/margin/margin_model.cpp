#include "greekbook/margin/margin_model.hpp"

#include <algorithm>
#include <cmath>

namespace greekbook::margin {

namespace {
double ratio(double mm, double equity) noexcept {
  if (equity > 0) return mm / equity;
  return mm > 0 ? std::numeric_limits<double>::infinity() : 0.0;
}
}  // namespace

void totals_from_pools(MarginResult& r) noexcept {
  if (r.pools.size() == 1) {
    const PoolMargin& p = r.pools.front();
    r.currency = p.currency;
    r.equity = p.equity;
    r.initial_margin = p.initial_margin;
    r.maintenance_margin = p.maintenance_margin;
    return;
  }
  r.currency = "USD";
  r.equity = r.initial_margin = r.maintenance_margin = 0.0;
  for (const auto& p : r.pools) {
    r.equity += p.equity * p.usd_rate;
    r.initial_margin += p.initial_margin * p.usd_rate;
    r.maintenance_margin += p.maintenance_margin * p.usd_rate;
  }
}

void finish_figures(PoolMargin& p) noexcept {
  p.available = p.equity - p.initial_margin;
  p.margin_ratio = ratio(p.maintenance_margin, p.equity);
}

void finish_figures(MarginResult& r) noexcept {
  r.available = r.equity - r.initial_margin;
  r.margin_ratio = ratio(r.maintenance_margin, r.equity);
  for (auto& p : r.pools) finish_figures(p);
  // A pool below maintenance makes the account liquidatable whatever the totals say.
  for (const auto& p : r.pools) r.margin_ratio = std::max(r.margin_ratio, p.margin_ratio);
}

double MarginResult::min_excess_usd() const noexcept {
  if (pools.empty()) return excess();
  double m = std::numeric_limits<double>::infinity();
  for (const auto& p : pools) m = std::min(m, p.excess() * p.usd_rate);
  return m;
}

Result<MarginResult> MarginModel::what_if(const scenario::AccountState& account, const MarginResult&,
                                          std::span<const scenario::PositionState> extra) const {
  scenario::AccountState a = account;
  a.positions.insert(a.positions.end(), extra.begin(), extra.end());
  return compute(a);
}

}  // namespace greekbook::margin
