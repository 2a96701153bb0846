#pragma once
// Normalised Black function (Jaeckel, "Let's Be Rational", 2015):
//   b(x, s) = e^{x/2} N(x/s + s/2) - e^{-x/2} N(x/s - s/2),   x = ln(F/K), s = sigma sqrt(T)
// i.e. the undiscounted call price divided by sqrt(F K). Evaluated region by region so that the
// result keeps full relative accuracy where the textbook formula cancels catastrophically (far out
// of the money, tiny s): an asymptotic expansion for h = x/s < -10, a Taylor expansion in
// t = s/2 for t < 0.21, erfcx for the rest of the out-of-the-money side and N() otherwise.
namespace greekbook::pricing {

/// Normalised call price b(x, s) for s >= 0 (b(x, 0) is the normalised intrinsic value).
double normalised_black_call(double x, double s) noexcept;

/// Same, also writing db/ds to *vega when vega is not null (shares the exponential).
double normalised_black_call(double x, double s, double* vega) noexcept;

/// Normalised intrinsic value: max(e^{x/2} - e^{-x/2}, 0) for a call (q = +1), of the put for q = -1.
double normalised_intrinsic(double x, double q) noexcept;

/// db/ds = exp(-(h^2 + t^2)/2)/sqrt(2 pi), h = x/s, t = s/2 (the same for calls and puts).
double normalised_vega(double x, double s) noexcept;

}  // namespace greekbook::pricing
