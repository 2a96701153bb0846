#include "greekbook/core/normal.hpp"

#include "core/mills_ratio_poly.hpp"

#include <cmath>
#include <limits>

namespace greekbook::core {
namespace {
// x^2 = hi + lo exactly (Dekker/Veltkamp), without relying on a hardware FMA.
inline void exact_square(double x, double& hi, double& lo) {
  hi = x * x;
  const double c = 134217729.0 * x;  // 2^27 + 1
  const double xh = c - (c - x), xl = x - xh;
  lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl;
}
}  // namespace
double norm_pdf(double x) noexcept { return kOneOverSqrtTwoPi * std::exp(-0.5 * x * x); }

double mills_ratio(double a) noexcept {
  if (a > detail::kMillsMaxArg) {
    // Asymptotic: R(a) = 1/a sum_n (-1)^n (2n-1)!! / a^(2n); terms fall below 1e-19 by n = 8.
    const double w = 1.0 / (a * a);
    double term = 1.0, sum = 1.0;
    for (int n = 1; n <= 10; ++n) {
      term *= -(2.0 * n - 1.0) * w;
      sum += term;
    }
    return sum / a;
  }
  const double inv = 1.0 / (detail::kMillsC + a);
  const double t = detail::kMillsC * inv;
  const double u = detail::kMillsC * 2.25 * inv - 1.25;  // 2.25 t - 1.25
  // Estrin's scheme (a tree of depth 5) rather than Horner (22 dependent steps): callers are
  // latency-bound. Plain multiply-add: without -mfma, std::fma would be a library call.
  static_assert(detail::kMillsDegree == 22, "Estrin tree below is laid out for degree 22");
  const auto c = [](int k) { return detail::kMillsPoly[detail::kMillsDegree - k]; };  // coefficient of u^k
  const double u2 = u * u, u4 = u2 * u2, u8 = u4 * u4, u16 = u8 * u8;
  double p1[12];
  for (int i = 0; i < 11; ++i) p1[i] = c(2 * i) + c(2 * i + 1) * u;
  p1[11] = c(22);
  double p2[6];
  for (int j = 0; j < 6; ++j) p2[j] = p1[2 * j] + p1[2 * j + 1] * u2;
  const double p3a = p2[0] + p2[1] * u4, p3b = p2[2] + p2[3] * u4, p3c = p2[4] + p2[5] * u4;
  return t * ((p3a + p3b * u8) + p3c * u16);
}

double norm_cdf(double x) noexcept {
  if (std::isnan(x)) return x;
  const double a = std::fabs(x);
  if (a > 38.5) return x < 0 ? 0.0 : 1.0;
  if (x == 0.0) return 0.5;  // exact; the polynomial is a few ulp off at 0  // phi(38.5) ~ 1e-322: N underflows
  // phi(x) with x^2 = hi + lo split exactly: exp(-hi/2) (1 - lo/2).
  double hi, lo;
  exact_square(x, hi, lo);
  const double pdf = kOneOverSqrtTwoPi * std::exp(-0.5 * hi) * (1.0 - 0.5 * lo);
  const double tail = pdf * mills_ratio(a);
  return x < 0 ? tail : 1.0 - tail;
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
  for (int i = 0; i < 2; ++i) {
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
    double hi, lo;
    exact_square(x, hi, lo);
    return 2.0 * std::exp(hi) * (1.0 + lo) - erfcx(-x);
  }
  // erfcx(x) = e^{x^2} erfc(x) = 2 e^{x^2} N(-sqrt2 x) = sqrt(2/pi) R(sqrt2 x).
  constexpr double kSqrtTwoOverPi = 0.79788456080286535588;
  return kSqrtTwoOverPi * mills_ratio(1.4142135623730950488 * x);
}

}  // namespace greekbook::core
