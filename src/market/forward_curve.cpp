#include "greekbook/market/forward_curve.hpp"

#include <algorithm>
#include <cmath>

namespace greekbook::market {

ForwardCurve::ForwardCurve(std::int64_t valuation_ms, std::optional<double> spot,
                           std::vector<ForwardPoint> points)
    : valuation_ms_(valuation_ms), spot_(spot) {
  std::stable_sort(points.begin(), points.end(),
                   [](const ForwardPoint& a, const ForwardPoint& b) { return a.expiry_ms < b.expiry_ms; });
  for (auto& p : points) {
    if (!(p.forward > 0) || !std::isfinite(p.forward)) continue;
    if (!points_.empty() && points_.back().expiry_ms == p.expiry_ms) continue;  // first wins
    points_.push_back(std::move(p));
  }
}

std::optional<double> ForwardCurve::forward(std::int64_t expiry_ms) const noexcept {
  // Knots (t, ln F): the index at the valuation time, then the observed forwards.
  struct Knot {
    double t, lnf;
  };
  const auto knot = [&](const ForwardPoint& p) {
    return Knot{static_cast<double>(p.expiry_ms - valuation_ms_), std::log(p.forward)};
  };
  if (points_.empty()) return spot_;
  const auto it = std::lower_bound(points_.begin(), points_.end(), expiry_ms,
                                   [](const ForwardPoint& p, std::int64_t e) { return p.expiry_ms < e; });
  if (it != points_.end() && it->expiry_ms == expiry_ms) return it->forward;
  const double t = static_cast<double>(expiry_ms - valuation_ms_);
  Knot lo{}, hi{};
  if (it == points_.begin()) {
    hi = knot(*it);
    if (!spot_) return it->forward;  // flat before the first knot
    lo = Knot{0.0, std::log(*spot_)};
    if (hi.t <= 0) return it->forward;
  } else if (it == points_.end()) {
    hi = knot(points_.back());
    if (points_.size() >= 2) {
      lo = knot(points_[points_.size() - 2]);
    } else if (spot_) {
      lo = Knot{0.0, std::log(*spot_)};
    } else {
      return points_.back().forward;
    }
  } else {
    lo = knot(*(it - 1));
    hi = knot(*it);
  }
  if (hi.t == lo.t) return std::exp(hi.lnf);
  const double w = (t - lo.t) / (hi.t - lo.t);
  return std::exp(lo.lnf + w * (hi.lnf - lo.lnf));
}

}  // namespace greekbook::market
