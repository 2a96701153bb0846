#pragma once
// Standard normal distribution functions, scalar, accurate to a few ulp in relative terms
// over the whole double range (including the far tails, where naive 1 - N(x) loses everything).
namespace greekbook::core {

inline constexpr double kOneOverSqrtTwoPi = 0.39894228040143267794;
inline constexpr double kSqrtTwoPi = 2.50662827463100050242;
inline constexpr double kSqrtPi = 1.77245385090551602730;

/// phi(x) = exp(-x^2/2)/sqrt(2 pi).
double norm_pdf(double x) noexcept;

/// N(x), relative accuracy a few ulp for all x: phi(x) times the Mills ratio, with x^2 split
/// exactly (FMA) inside the exponential, so the far tails keep full relative precision.
double norm_cdf(double x) noexcept;

/// Mills ratio R(a) = N(-a)/phi(a) for a >= 0 (relative accuracy ~3 ulp; asymptotic series past 40).
double mills_ratio(double a) noexcept;

/// Inverse of N: returns x with N(x) = p for p in (0, 1); -inf at 0, +inf at 1, NaN outside.
/// Relative accuracy ~1e-15 (Abramowitz-Stegun 26.2.23 start, two Halley steps on erfc).
double inverse_norm_cdf(double p) noexcept;

/// Scaled complementary error function erfcx(x) = exp(x^2) erfc(x), for all finite x.
/// Relative accuracy a few ulp for x >= 0 (sqrt(2/pi) R(sqrt2 x), no erfc); for x < 0 uses
/// 2 exp(x^2) - erfcx(-x) and overflows to +inf below about -26.6.
double erfcx(double x) noexcept;

}  // namespace greekbook::core
