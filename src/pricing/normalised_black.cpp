#include "greekbook/pricing/normalised_black.hpp"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>

#include "greekbook/core/normal.hpp"

namespace greekbook::pricing {
namespace {
using core::erfcx;
using core::kOneOverSqrtTwoPi;
constexpr double kOneOverSqrtPi = 0.56418958354775628695;
constexpr double kSqrt2 = 1.41421356237309504880;
constexpr double kInvSqrt2 = 0.70710678118654752440;
constexpr double kAsymptoticThreshold = -10.0;
constexpr double kSmallTThreshold = 0.21;  // ~2 * DBL_EPSILON^(1/16), as in Jaeckel (2015)

// Region h < -10, h + t < -9.79: erfcx(a) - erfcx(c), a = -(h+t)/sqrt2 < c = -(h-t)/sqrt2, from the
// asymptotic series erfcx(z) = 1/sqrt(pi) sum_n (-1)^n (2n-1)!!/2^n z^-(2n+1). Each difference
// a^-m - c^-m = (c - a) A C H_{m-1}(A, C) with A = 1/a, C = 1/c and H_k the complete homogeneous
// polynomial (all terms positive), so no digits are lost to cancellation.
double asymptotic_expansion(double h, double t) {
  const double a = -(h + t) * kInvSqrt2;
  const double c = -(h - t) * kInvSqrt2;
  const double A = 1.0 / a, C = 1.0 / c;
  // H_k(A, C) = sum_{j=0..k} A^j C^(k-j); H_k = A H_{k-1} + C^k.
  double hk = 1.0, ck = 1.0;  // H_0, C^0
  double sum = 1.0;           // n = 0 term: coefficient 1 * H_0
  double coef = 1.0;
  for (int n = 1; n < 60; ++n) {
    // advance H twice (degree 2n-1 then 2n)
    ck *= C;
    hk = A * hk + ck;
    ck *= C;
    hk = A * hk + ck;
    coef *= -(2.0 * n - 1.0) * 0.5;
    const double term = coef * hk;
    sum += term;
    if (std::fabs(term) <= 1e-17 * std::fabs(sum)) break;
  }
  // b / exp(-(h^2 + t^2)/2) = (erfcx(a) - erfcx(c))/2, with c - a = sqrt2 t exactly.
  return 0.5 * kOneOverSqrtPi * (kSqrt2 * t) * A * C * sum;
}

// Region t < 0.21: erfcx(m - delta) - erfcx(m + delta) = -2 sum_{k odd} y_k(m) delta^k / k!,
// m = -h/sqrt2, delta = t/sqrt2, with erfcx's derivatives from y_1 = 2 m y_0 - 2/sqrt(pi),
// y_{n+1} = 2 m y_n + 2 n y_{n-1}.
constexpr int kSmallTTerms = 20;
// 1/((k+1)(k+2)) for k = 1, 3, 5, ...: no division inside the series loop.
constexpr auto kInvPairProducts = [] {
  std::array<double, kSmallTTerms> a{};
  for (int j = 0; j < kSmallTTerms; ++j) a[j] = 1.0 / ((2.0 * j + 2.0) * (2.0 * j + 3.0));
  return a;
}();

double small_t_expansion(double h, double t) {
  const double m = -h * kInvSqrt2;
  const double delta = t * kInvSqrt2;
  const double d2 = delta * delta;
  double y_prev = erfcx(m);                          // y_0
  double y = 2.0 * m * y_prev - 2.0 * kOneOverSqrtPi;  // y_1
  double power = delta;                              // delta^k / k!
  double sum = y * power;
  const double two_m = 2.0 * m;
  for (int j = 0; j < kSmallTTerms; ++j) {
    const int k = 2 * j + 1;  // y_{k+1}, y_{k+2}
    const double y_next = two_m * y + 2.0 * k * y_prev;
    const double y_next2 = two_m * y_next + 2.0 * (k + 1) * y;
    y_prev = y_next;
    y = y_next2;
    power *= d2 * kInvPairProducts[j];
    const double term = y * power;
    sum += term;
    if (std::fabs(term) <= 1e-17 * std::fabs(sum)) break;
  }
  return -sum;  // b / exp(-(h^2 + t^2)/2)
}

double using_erfcx(double h, double t) {  // b / exp(-(h^2 + t^2)/2)
  return 0.5 * (erfcx(-kInvSqrt2 * (h + t)) - erfcx(-kInvSqrt2 * (h - t)));
}

double using_norm_cdf(double x, double s) {
  const double h = x / s, t = 0.5 * s;
  const double b_max = std::exp(0.5 * x);
  const double b = core::norm_cdf(h + t) * b_max - core::norm_cdf(h - t) / b_max;
  return std::fabs(std::max(b, 0.0));
}
}  // namespace

double normalised_intrinsic(double x, double q) noexcept {
  if (q * x <= 0.0) return 0.0;
  return std::fabs(2.0 * std::sinh(0.5 * x));  // e^{x/2} - e^{-x/2}, exact for small x
}

double normalised_vega(double x, double s) noexcept {
  if (!(s > 0.0)) return 0.0;
  const double h = x / s, t = 0.5 * s;
  return kOneOverSqrtTwoPi * std::exp(-0.5 * (h * h + t * t));
}

double normalised_black_call(double x, double s, double* vega) noexcept {
  if (x > 0.0) return normalised_intrinsic(x, 1.0) + normalised_black_call(-x, s, vega);
  if (!(s > 0.0)) {
    if (vega) *vega = 0.0;
    return normalised_intrinsic(x, 1.0);
  }
  const double h = x / s, t = 0.5 * s;
  const double e = std::exp(-0.5 * (h * h + t * t));  // sqrt(2 pi) * vega
  if (vega) *vega = kOneOverSqrtTwoPi * e;
  double scaled;
  if (h < kAsymptoticThreshold && h + t < kAsymptoticThreshold + kSmallTThreshold)
    scaled = asymptotic_expansion(h, t);
  else if (t < kSmallTThreshold)
    scaled = small_t_expansion(h, t);
  else if (h + t > 0.85)
    return using_norm_cdf(x, s);
  else
    scaled = using_erfcx(h, t);
  return std::max(e * scaled, 0.0);
}

double normalised_black_call(double x, double s) noexcept { return normalised_black_call(x, s, nullptr); }

}  // namespace greekbook::pricing
