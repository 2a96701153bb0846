#include "greekbook/core/normal.hpp"

#include <cmath>
#include <limits>

namespace greekbook::core {
namespace {
// 1/sqrt(2) = kInvSqrt2Hi + kInvSqrt2Lo (double-double).
constexpr double kInvSqrt2Hi = 0.7071067811865476;
constexpr double kInvSqrt2Lo = -4.8336466567264565186e-17;
constexpr double kOneOverSqrtPi = 0.56418958354775628695;
}  // namespace

double norm_pdf(double x) noexcept { return kOneOverSqrtTwoPi * std::exp(-0.5 * x * x); }

double norm_cdf(double x) noexcept {
  if (std::isnan(x)) return x;
  // N(x) = erfc(-u)/2 with u = x/sqrt(2). The product x*(1/sqrt2) carries a rounding error that
  // erfc amplifies by ~2u^2 in relative terms in the tail; correct it to first order with the
  // exact residual u_lo (d/du erfc(-u)/2 = exp(-u^2)/sqrt(pi)).
  const double u_hi = x * kInvSqrt2Hi;
  const double base = 0.5 * std::erfc(-u_hi);
  if (std::fabs(x) < 2.0 || base == 0.0) return base;
  const double u_lo = std::fma(x, kInvSqrt2Hi, -u_hi) + x * kInvSqrt2Lo;
  return base + kOneOverSqrtPi * std::exp(-u_hi * u_hi) * u_lo;
}

double inverse_norm_cdf(double p) noexcept {
  if (!(p >= 0.0 && p <= 1.0)) return std::numeric_limits<double>::quiet_NaN();
  if (p == 0.0) return -std::numeric_limits<double>::infinity();
  if (p == 1.0) return std::numeric_limits<double>::infinity();
  // Work in the lower half to keep relative accuracy: for p > 1/2 use symmetry on q = 1 - p
  // (exact when p >= 1/2 by Sterbenz).
  const bool upper = p > 0.5;
  const double q = upper ? 1.0 - p : p;
  // Abramowitz & Stegun 26.2.23 (|error| < 4.5e-4) as the start.
  const double t = std::sqrt(-2.0 * std::log(q));
  double x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) /
                       (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  // Halley steps on N(x) - q: cubic convergence, 4.5e-4 -> 1e-10 -> full precision.
  for (int i = 0; i < 3; ++i) {
    const double e = norm_cdf(x) - q;
    const double pdf = norm_pdf(x);
    if (pdf == 0.0) break;
    const double u = e / pdf;
    const double step = u / (1.0 + 0.5 * x * u);
    x -= step;
    if (std::fabs(step) <= 1e-17 * std::fabs(x)) break;
  }
  return upper ? -x : x;
}

double erfcx(double x) noexcept {
  if (std::isnan(x)) return x;
  if (x < 0.0) {
    // erfcx(x) = 2 exp(x^2) - erfcx(-x); overflows to +inf below about -26.6.
    if (x < -26.6) return std::numeric_limits<double>::infinity();
    const double hi = x * x;
    const double lo = std::fma(x, x, -hi);
    return 2.0 * std::exp(hi) * (1.0 + lo) - erfcx(-x);
  }
  if (x < 0.5) return std::exp(x * x) * std::erfc(x);
  if (x < 26.0) {
    const double hi = x * x;
    const double lo = std::fma(x, x, -hi);  // x^2 = hi + lo exactly
    return std::erfc(x) * std::exp(hi) * (1.0 + lo);
  }
  // Asymptotic series: erfcx(x) = 1/(x sqrt(pi)) * sum_n (-1)^n (2n-1)!! / (2x^2)^n.
  const double w = 1.0 / (2.0 * x * x);
  double term = 1.0, sum = 1.0;
  for (int n = 1; n < 12; ++n) {
    term *= -(2.0 * n - 1.0) * w;
    sum += term;
    if (std::fabs(term) < 1e-18) break;
  }
  return kOneOverSqrtPi / x * sum;
}

}  // namespace greekbook::core
