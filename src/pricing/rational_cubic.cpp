#include "pricing/rational_cubic.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace greekbook::pricing::detail {
namespace {
constexpr double kMaxR = 2.0 / (DBL_EPSILON * DBL_EPSILON);
constexpr double kMinR = -(1.0 - 1.4901161193847656e-08);  // -(1 - sqrt(eps))

bool is_zero(double x) { return std::fabs(x) < DBL_MIN; }

double minimum_control(double d_l, double d_r, double s, bool prefer_shape) {
  const bool monotonic = d_l * s >= 0 && d_r * s >= 0;
  const bool convex = d_l <= s && s <= d_r;
  const bool concave = d_l >= s && s >= d_r;
  if (!monotonic && !convex && !concave) return kMinR;
  const double d_r_m_d_l = d_r - d_l, d_r_m_s = d_r - s, s_m_d_l = s - d_l;
  double r1 = -DBL_MAX, r2 = -DBL_MAX;
  if (monotonic) {
    if (!is_zero(s))
      r1 = (d_r + d_l) / s;
    else if (prefer_shape)
      r1 = kMaxR;
  }
  if (convex || concave) {
    if (!(is_zero(s_m_d_l) || is_zero(d_r_m_s)))
      r2 = std::max(std::fabs(d_r_m_d_l / d_r_m_s), std::fabs(d_r_m_d_l / s_m_d_l));
    else if (prefer_shape)
      r2 = kMaxR;
  } else if (monotonic && prefer_shape) {
    r2 = kMaxR;
  }
  return std::max(kMinR, std::max(r1, r2));
}
}  // namespace

double rational_cubic_interpolation(double x, double x_l, double x_r, double y_l, double y_r,
                                    double d_l, double d_r, double r) noexcept {
  const double h = x_r - x_l;
  if (std::fabs(h) <= 0) return 0.5 * (y_l + y_r);
  const double t = (x - x_l) / h;
  if (!(r >= kMaxR)) {
    const double omt = 1 - t, t2 = t * t, omt2 = omt * omt;
    return (y_r * t2 * t + (r * y_r - h * d_r) * t2 * omt + (r * y_l + h * d_l) * t * omt2 +
            y_l * omt2 * omt) /
           (1 + (r - 3) * t * omt);
  }
  return y_r * t + y_l * (1 - t);
}

double rational_cubic_control_fit_left(double x_l, double x_r, double y_l, double y_r, double d_l,
                                       double d_r, double second_derivative_l,
                                       bool prefer_shape) noexcept {
  const double h = x_r - x_l, numerator = 0.5 * h * second_derivative_l + (d_r - d_l);
  if (is_zero(numerator)) return 0;
  const double denominator = (y_r - y_l) / h - d_l;
  if (is_zero(denominator)) return numerator > 0 ? kMaxR : kMinR;
  return std::max(numerator / denominator, minimum_control(d_l, d_r, (y_r - y_l) / h, prefer_shape));
}

double rational_cubic_control_fit_right(double x_l, double x_r, double y_l, double y_r, double d_l,
                                        double d_r, double second_derivative_r,
                                        bool prefer_shape) noexcept {
  const double h = x_r - x_l, numerator = 0.5 * h * second_derivative_r + (d_r - d_l);
  if (is_zero(numerator)) return 0;
  const double denominator = d_r - (y_r - y_l) / h;
  if (is_zero(denominator)) return numerator > 0 ? kMaxR : kMinR;
  return std::max(numerator / denominator, minimum_control(d_l, d_r, (y_r - y_l) / h, prefer_shape));
}

}  // namespace greekbook::pricing::detail
