#pragma once
// Standard normal distribution functions, scalar, accurate to a few ulp in relative terms
// over the whole double range (including the far tails, where naive 1 - N(x) loses everything).
namespace greekbook::core {

inline constexpr double kOneOverSqrtTwoPi = 0.39894228040143267794;
inline constexpr double kSqrtTwoPi = 2.50662827463100050242;
inline constexpr double kSqrtPi = 1.77245385090551602730;

/// phi(x) = exp(-x^2/2)/sqrt(2 pi).
double norm_pdf(double x) noexcept;

/// N(x), relative accuracy a few ulp for all x (uses erfc with an exact-argument correction).
double norm_cdf(double x) noexcept;

/// Inverse of N: returns x with N(x) = p for p in (0, 1); -inf at 0, +inf at 1, NaN outside.
/// Relative accuracy ~1e-15 (Abramowitz-Stegun 26.2.23 start, two Halley steps on erfc).
double inverse_norm_cdf(double p) noexcept;

/// Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), for all finite x.
/// Relative accuracy a few ulp for x >= 0 (x^2 split exactly with FMA, asymptotic series beyond 26).
double erfcx(double x) noexcept;

}  // namespace greekbook::core
