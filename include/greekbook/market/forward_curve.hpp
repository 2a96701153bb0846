#pragma once
// Forward curve of one underlying: forwards observed at expiries (dated-futures marks, the
// synthetic forward a venue publishes per option expiry) plus the index at the valuation time,
// interpolated linearly in ln F against time, extrapolated with the carry of the last segment.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace greekbook::market {

struct ForwardPoint {
  std::int64_t expiry_ms = 0;
  double forward = 0.0;
  std::string source;  ///< e.g. "BTC-27MAR26 mark", "SYN.BTC-3JAN26"
};

class ForwardCurve {
 public:
  ForwardCurve() = default;
  /// `spot` (the index, if known) anchors the curve at `valuation_ms`. Points at the same expiry:
  /// the first given wins (callers list futures marks before synthetic forwards).
  ForwardCurve(std::int64_t valuation_ms, std::optional<double> spot, std::vector<ForwardPoint> points);

  bool empty() const noexcept { return points_.empty() && !spot_; }
  const std::vector<ForwardPoint>& points() const noexcept { return points_; }
  std::optional<double> spot() const noexcept { return spot_; }

  /// Forward for an expiry; nullopt when the curve is empty. An exact knot returns its value.
  std::optional<double> forward(std::int64_t expiry_ms) const noexcept;

 private:
  std::int64_t valuation_ms_ = 0;
  std::optional<double> spot_;
  std::vector<ForwardPoint> points_;  // sorted by expiry, unique
};

}  // namespace greekbook::market
